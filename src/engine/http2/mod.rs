//! HTTP/2 beside ureq, with the `h2` crate on a current-thread tokio runtime.
//!
//! A [`Session`] is one HTTP/2 connection to an origin, kept by the client (`origins.rs`)
//! so that pages, redirects back to the same origin and the requests of a request file go
//! out as streams of one connection. The runtime is built when the first HTTP/2 connection
//! is made, never for HTTP/1.x. It runs only while rq waits on it (`block_on`): the
//! connection's frames are read and written then, and between those waits flow control
//! holds the server back. Everything above sees what it sees for HTTP/1.x: a response head
//! as `http` parts (version `HTTP/2`, lower-case names), a body reader, and errors in rq's
//! words (`reason.rs`).
//!
//! Limits, so that memory stays bounded whatever the server sends:
//! - a response body is read through a stream window of [`STREAM_WINDOW`] and a connection
//!   window of [`CONNECTION_WINDOW`]: h2 refuses (as a flow-control error) a server that
//!   sends more than it was allowed, and rq gives the window back only as it reads;
//! - frames of at most [`MAX_FRAME`], and a response head of at most the `--max-headers`
//!   size (1 MiB) once decompressed, with at most its number of fields;
//! - server push is refused, so the server opens no streams; rq opens one at a time, and
//!   waits when the server's `SETTINGS_MAX_CONCURRENT_STREAMS` is reached;
//! - what waits to be sent is bounded by [`SEND_BUFFER`] per stream, and a request body is
//!   read from disk or stdin only as the server's window lets it go out.

mod body;
mod reason;
mod send;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::runtime::Runtime;
use ureq::Error;

use super::aio;
use super::conn::explained;
use super::link::Dialed;
use super::timing::Remote;
use crate::head::Limits;

pub use body::Body;
pub use send::exchange;

/// The receive window of each stream: how much of a body may wait in memory unread.
pub const STREAM_WINDOW: u32 = 1024 * 1024;
/// The receive window of the whole connection.
pub const CONNECTION_WINDOW: u32 = 2 * 1024 * 1024;
/// The largest frame rq accepts (RFC 9113's default and minimum).
pub const MAX_FRAME: u32 = 16 * 1024;
/// The most bytes of a request body buffered for sending on one stream.
pub const SEND_BUFFER: usize = 256 * 1024;

/// The runtime every HTTP/2 connection of a client runs on.
pub fn runtime() -> Result<Arc<Runtime>, Error> {
    keep_heap();
    tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map(Arc::new)
        .map_err(|e| explained(format!("couldn't start HTTP/2: {e}")))
}

/// Frames arrive in blocks that h2 allocates and frees a window at a time; glibc would give
/// the freed top of the heap back to the system each time (above 128 KiB) and fault it in
/// again for the next window, a tenth of the time of a large download. Freeing one block
/// larger than the windows raises glibc's threshold for that to twice its size (its
/// "dynamic mmap threshold"); other allocators are not affected.
fn keep_heap() {
    let block: Vec<u8> = Vec::with_capacity(2 * CONNECTION_WINDOW as usize);
    drop(std::hint::black_box(block));
}

/// One HTTP/2 connection.
pub struct Session {
    rt: Arc<Runtime>,
    send: h2::client::SendRequest<Bytes>,
    remote: Remote,
    alpn: Option<String>,
    /// `host:port`, for messages.
    host: String,
    limits: Limits,
    /// The connection has ended (closed, or every stream done after a `GOAWAY`).
    ended: Arc<AtomicBool>,
}

/// How long waits may last for one exchange.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// `--timeout`: the longest wait for the next frame, or for the window to send more.
    pub idle: Option<Duration>,
    /// `--max-time`, from when the request started.
    pub deadline: Option<Instant>,
}

impl Session {
    /// Carry on over `dialed` in HTTP/2: its layers become an asynchronous stream and the
    /// connection preface is sent (h2c with prior knowledge, when there is no TLS).
    pub fn start(
        rt: Arc<Runtime>,
        dialed: Dialed,
        host: String,
        limits: Limits,
    ) -> Result<Session, Error> {
        let Dialed {
            link, remote, alpn, ..
        } = dialed;
        let alpn = alpn.map(|a| String::from_utf8_lossy(&a).into_owned());
        let unwrapped = link.unwrap();
        let handshake = async {
            let io = aio::stream(unwrapped)?;
            builder(limits)
                .handshake::<_, Bytes>(io)
                .await
                .map_err(std::io::Error::other)
        };
        let (send, connection) = rt
            .block_on(handshake)
            .map_err(|e| explained(format!("couldn't start HTTP/2 with {host}: {e}")))?;
        let ended = Arc::new(AtomicBool::new(false));
        let done = ended.clone();
        rt.spawn(async move {
            // Its errors reach the streams that were open; a later request finds it ended.
            let _ = connection.await;
            done.store(true, Ordering::Relaxed);
        });
        Ok(Session {
            rt,
            send,
            remote,
            alpn,
            host,
            limits,
            ended,
        })
    }

    /// Whether a new request can go out on this connection: it has not ended and the
    /// server has not said `GOAWAY`. Frames that arrived meanwhile are read first.
    pub fn usable(&self) -> bool {
        if self.ended.load(Ordering::Relaxed) {
            return false;
        }
        let mut send = self.send.clone();
        let ready = self.rt.block_on(async move {
            tokio::task::yield_now().await;
            std::future::poll_fn(|cx| std::task::Poll::Ready(send.poll_ready(cx))).await
        });
        !matches!(ready, std::task::Poll::Ready(Err(_))) && !self.ended.load(Ordering::Relaxed)
    }

    pub fn host(&self) -> &str {
        &self.host
    }
}

fn builder(limits: Limits) -> h2::client::Builder {
    let mut b = h2::client::Builder::new();
    b.initial_window_size(STREAM_WINDOW)
        .initial_connection_window_size(CONNECTION_WINDOW)
        .max_frame_size(MAX_FRAME)
        .max_header_list_size(u32::try_from(limits.bytes).unwrap_or(u32::MAX))
        .max_send_buffer_size(SEND_BUFFER)
        .enable_push(false);
    b
}
