//! A layer of a connection rq opened, that can be taken apart again.
//!
//! Every connection starts as HTTP/1.x transports for ureq (a socket, TLS, a proxy tunnel).
//! When TLS negotiates `h2` (or `--http-version 2` asks for h2c), HTTP/2 carries on over the
//! same bytes instead (`http2/`): the layers are then taken apart into the socket, the TLS
//! sessions over it and any bytes already read but not yet taken by the layer above, and
//! rebuilt as asynchronous streams (`aio.rs`). Nothing is read or written twice.

use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};

use ureq::unversioned::transport::Transport;

use super::conn::Target;
use super::direct::Offer;
use super::timing::Remote;

/// A ureq transport that rq can also take apart ([`Unwrapped`]).
pub trait Link: Transport {
    fn unwrap(self: Box<Self>) -> Unwrapped;
}

/// A connection taken apart, from the outermost layer in.
pub enum Unwrapped {
    /// The socket, and what was read from it that the layer above has not taken.
    Socket { socket: Bare, pending: Vec<u8> },
    /// A TLS session over `inner`, and plain text it decrypted that was not taken.
    Tls {
        conn: Box<rustls::ClientConnection>,
        inner: Box<Unwrapped>,
        pending: Vec<u8>,
    },
    /// A layer HTTP/2 can't run over, and why.
    Unsupported(&'static str),
}

/// A connected socket. `keep` holds what must live as long as the socket does (its entry
/// in the list Ctrl-C shuts, `socket.rs`).
pub struct Bare {
    pub kind: BareKind,
    pub keep: Box<dyn Send + Sync>,
}

pub enum BareKind {
    Tcp(TcpStream),
    Unix(UnixStream),
}

/// A connection just opened: its layers, where it goes, its socket when that carries the
/// HTTP bytes as they are (`direct.rs`), and the protocol TLS negotiated (ALPN), if any.
pub struct Dialed {
    pub link: Box<dyn Link>,
    pub remote: Remote,
    pub offer: Option<Arc<Offer>>,
    pub alpn: Option<Vec<u8>>,
}

/// A connection opened before ureq asked for one, left here for ureq's next connection to
/// the same target: the engine opens https connections itself to learn the protocol first
/// (`origins.rs`), and gives those that speak HTTP/1.1 to ureq.
#[derive(Default)]
pub struct Parked(Mutex<Option<(Target, Dialed)>>);

impl Parked {
    pub fn park(&self, target: Target, dialed: Dialed) {
        *self.slot() = Some((target, dialed));
    }

    /// Whether a connection to `target` waits here (then ureq needs no name lookup).
    pub fn holds(&self, target: &Target) -> bool {
        self.slot().as_ref().is_some_and(|(t, _)| t == target)
    }

    /// The connection to `target`, if one waits here.
    pub fn take(&self, target: &Target) -> Option<Dialed> {
        let mut slot = self.slot();
        match slot.as_ref() {
            Some((t, _)) if t == target => slot.take().map(|(_, d)| d),
            _ => None,
        }
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<(Target, Dialed)>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl std::fmt::Debug for Parked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Parked")
    }
}
