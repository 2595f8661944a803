//! The engine: a [`Client`] that sends one [`Request`] and follows its redirects hop by
//! hop, and hands back an [`Exchange`]: the response head as `http` parts and a body to read.
//!
//! This is a closed layer. The HTTP library (ureq) and the transport are named only inside
//! `src/engine/`; above it, requests are [`Request`]s, heads are `http::response::Parts`,
//! bodies are readers, and failures are `anyhow` errors whose exit code `error.rs` knows.
//! The engine knows nothing about printing: it reports each request it is about to send and
//! each intermediary response to an [`Observer`], which the caller implements.

mod client;
mod conn;
mod connector;
mod date;
mod decode;
pub mod direct;
mod proxy;
mod redirect;
mod resolve;
mod response;
pub mod retry;
pub mod settings;
mod socket;
mod socks;
mod timing;
mod tls;
mod wire;

use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::request::Request;

pub use client::{Client, Settings};
pub use redirect::next_request as next_hop;
pub use response::{decoded, ResponseBody};
pub use timing::Meta;

/// Ctrl-C during a download: shut every connection, so a read waiting on one returns what
/// had arrived and then the end, and the download can keep it.
pub fn interrupt() {
    socket::shut_all();
}

/// The head of a response: status, version and headers.
pub type Head = http::response::Parts;

/// What the caller needs to hear while the engine works.
pub trait Observer {
    /// `request` is about to be sent; `hop` is 0 for the first request.
    fn sending(&mut self, request: &Request, hop: u32) -> Result<()>;
    /// A response that will not be the final one (a redirect being followed, a challenge
    /// answered).
    fn intermediate(&mut self, exchange: Exchange) -> Result<()>;
    /// A streamed request body (file, multipart with files, stdin) is about to be sent;
    /// the observer may wrap it, e.g. to show upload progress. `len` is its length if known.
    fn upload<'a>(
        &mut self,
        body: Box<dyn Read + Send + 'a>,
        len: Option<u64>,
    ) -> UploadReader<'a> {
        let _ = len;
        body
    }
    /// Last changes to `request` before it goes to its URL: cookies from the jar and netrc
    /// credentials for that hop (`state.rs`). `hop` counts every request of this run.
    fn before(&mut self, request: &mut Request, hop: u32) -> Result<()> {
        let _ = (request, hop);
        Ok(())
    }
    /// Every response head, intermediaries included (cookies, session save). May return a
    /// request that answers an authentication challenge in it (Digest), sent next.
    fn after(&mut self, request: &Request, head: &Head) -> Result<Option<Request>> {
        let _ = (request, head);
        Ok(None)
    }
}

/// A request body on its way to the socket.
pub type UploadReader<'a> = Box<dyn Read + Send + 'a>;

/// One request and the response it got. The body has not been read yet.
pub struct Exchange {
    pub request: Request,
    pub head: Head,
    pub body: ResponseBody,
    /// When the request was sent; the metadata reports the elapsed time from here.
    pub started: Instant,
    /// The plain-HTTP socket the body arrives on, for a download to splice from.
    pub direct: Option<Direct>,
}

/// The socket of a plain-HTTP response, offered by the connection that read it
/// (`direct.rs`), and the timeouts that apply while its body arrives.
pub struct Direct {
    pub offer: Arc<direct::Offer>,
    /// `--timeout`: the longest wait for the next bytes.
    pub idle: Option<Duration>,
    /// `--max-time`, counted from when the request was sent.
    pub deadline: Option<Instant>,
}
