//! The HTTP/1.x wire under ureq: the outermost layer of every connection rq opens.
//!
//! ureq's parser drops the reason phrase, groups and lower-cases header names, stops at 128
//! lines and refuses a control character or an obs-fold anywhere in the head. So a [`Wire`]
//! reads each response head itself, as it comes off the socket (`head.rs`, within the
//! `--max-headers` limits), keeps it for the layers above ([`take_head`]), and hands ureq a
//! short head of its own making with only what ureq needs to frame the body: the status,
//! `Content-Length` or `Transfer-Encoding: chunked`, and `Connection: close` when the
//! connection must not be used again. The body that follows is ureq's, from the same buffer,
//! untouched.
//!
//! It also keeps a reply the server sends while the request is still going out (a 413 or a
//! 401 before a large upload has been read): when a write finds the server gone, or (on a
//! plain socket) a final status of 300 or more is waiting to be read, the rest of the
//! request is not sent, the response is read and returned as usual, and the connection is
//! closed after it. And it tells the engine whether a failed attempt went out on a reused
//! connection with no byte of a response back ([`stale`]), which the engine then sends once
//! more on a new connection.
//!
//! What a connection learns about the current attempt is kept per thread: ureq runs a
//! request on the calling thread, one at a time.

use std::cell::RefCell;
use std::io;
use std::sync::Arc;
use std::time::Instant;

use ureq::unversioned::transport::time::Duration as UDuration;
use ureq::unversioned::transport::{Buffers, NextTimeout, Transport};
use ureq::Error;

use super::conn::explained;
use super::direct::{Offer, Waiting};
use super::Head;
use crate::head::{self, Limits, Parsed};

/// What the connections of this thread learned about the current attempt.
#[derive(Default)]
struct Attempt {
    /// The request went out on a connection that had carried one before.
    reused: bool,
    /// Some byte of a response came back.
    answered: bool,
    /// The server answered (or went away) before the whole request was sent.
    stopped: bool,
    /// The final response head, as received and parsed.
    head: Option<Head>,
}

thread_local! {
    static ATTEMPT: RefCell<Attempt> = RefCell::new(Attempt::default());
}

fn note(f: impl FnOnce(&mut Attempt)) {
    ATTEMPT.with(|a| f(&mut a.borrow_mut()));
}

/// A new attempt starts: forget what the last one learned.
pub fn start() {
    note(|a| *a = Attempt::default());
}

/// The head of the response the last attempt received, as the server sent it.
pub fn take_head() -> Option<Head> {
    ATTEMPT.with(|a| a.borrow_mut().head.take())
}

/// The last attempt went out on a reused connection and no byte of a response came back:
/// the server had closed the connection (nothing reached its application), so the request
/// can go again on a new one.
pub fn stale() -> bool {
    ATTEMPT.with(|a| {
        let a = a.borrow();
        a.reused && !a.answered
    })
}

/// The server answered (or went away) before the request was sent whole: the rest of the
/// body need not be read (`client.rs` stops reading it).
pub fn stopped() -> bool {
    ATTEMPT.with(|a| a.borrow().stopped)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// No request on this connection yet.
    Idle,
    /// A request is going out, or the head of its response is being read.
    Request,
    /// The final response head has been handed over; the body is ureq's.
    Body,
}

/// One connection, with rq reading the response heads; see the module docs.
#[derive(Debug)]
pub struct Wire {
    inner: Box<dyn Transport>,
    limits: Limits,
    /// `host:port`, for messages.
    host: String,
    /// The socket, when it carries the HTTP bytes as they are (no TLS or proxy): looked at
    /// before each write of a request body to see whether the server has answered.
    probe: Option<Arc<Offer>>,
    phase: Phase,
    /// Requests started on this connection.
    requests: u32,
    /// Writes of the current request.
    writes: u32,
    reader: head::Reader,
    /// The head handed to ureq, and how much of it ureq has taken.
    short: Vec<u8>,
    taken: usize,
    /// The rest of the current request is not sent, and the connection not used again.
    stopped: bool,
    /// The write error that stopped it, told when no response follows.
    write_error: Option<io::Error>,
}

impl Wire {
    pub fn new(
        inner: Box<dyn Transport>,
        limits: Limits,
        host: String,
        probe: Option<Arc<Offer>>,
    ) -> Wire {
        Wire {
            inner,
            limits,
            host,
            probe,
            phase: Phase::Idle,
            requests: 0,
            writes: 0,
            reader: head::Reader::new(limits),
            short: Vec::new(),
            taken: 0,
            stopped: false,
            write_error: None,
        }
    }

    fn begin_request(&mut self) {
        self.phase = Phase::Request;
        self.requests += 1;
        self.writes = 0;
        self.stopped = false;
        self.write_error = None;
        self.reader = head::Reader::new(self.limits);
        self.short.clear();
        self.taken = 0;
        let reused = self.requests > 1;
        note(|a| a.reused = reused);
    }

    /// Send nothing more of this request; `error` is why, if a write failed.
    fn stop(&mut self, error: Option<io::Error>) {
        self.stopped = true;
        self.write_error = error;
        note(|a| a.stopped = true);
    }

    /// A final answer is waiting while the body goes out (plain sockets only; TLS may have
    /// other records waiting there).
    fn answered_early(&self) -> bool {
        self.writes > 0
            && self
                .probe
                .as_ref()
                .is_some_and(|p| p.waiting() == Waiting::Answer)
    }

    /// Read until a whole response head is in, then hand ureq its short form.
    fn read_head(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        let started = Instant::now();
        loop {
            if self.take_buffered()? {
                return Ok(true);
            }
            let mut left = timeout;
            if let UDuration::Exact(after) = timeout.after {
                left.after = UDuration::Exact(after.saturating_sub(started.elapsed()));
                if left.after.is_zero() {
                    return Err(Error::Timeout(timeout.reason));
                }
            }
            match self.inner.await_input(left) {
                Ok(true) => {}
                Ok(false) => return Err(self.closed()),
                Err(Error::Io(e)) if self.reader.is_empty() => {
                    return Err(Error::Io(self.write_error.take().unwrap_or(e)))
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Move what the inner transport holds into the head; true when the head is complete
    /// (the bytes after it stay there: they are the body's, or the next head's).
    fn take_buffered(&mut self) -> Result<bool, Error> {
        let buffers = self.inner.buffers();
        let input = buffers.input();
        if input.is_empty() {
            return Ok(false);
        }
        note(|a| a.answered = true);
        let ended = self.reader.push(input);
        let used = match ended {
            Ok(Some(n)) => n,
            Ok(None) => input.len(),
            Err(e) => return Err(explained(e.describe(&self.host))),
        };
        buffers.input_consume(used);
        match ended {
            Ok(Some(_)) => self.head_done().map(|()| true),
            _ => Ok(false),
        }
    }

    /// The connection ended before a whole head came.
    fn closed(&mut self) -> Error {
        if self.reader.is_empty() {
            let e = self.write_error.take().unwrap_or_else(|| {
                io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the server closed the connection without answering",
                )
            });
            return Error::Io(e);
        }
        Error::Io(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the connection closed in the middle of the response head",
        ))
    }

    fn head_done(&mut self) -> Result<(), Error> {
        let reader = std::mem::replace(&mut self.reader, head::Reader::new(self.limits));
        let parsed = reader
            .finish()
            .map_err(|e| explained(e.describe(&self.host)))?;
        let status = parsed.parts.status;
        self.short = short_head(&parsed, self.stopped);
        self.taken = 0;
        // Interim responses (100 Continue, 103 Early Hints) are ureq's to skip; another
        // head follows. 101 ends the exchange.
        if status.is_informational() && status != http::StatusCode::SWITCHING_PROTOCOLS {
            return Ok(());
        }
        self.phase = Phase::Body;
        note(|a| a.head = Some(parsed.parts));
        Ok(())
    }

    fn short_pending(&self) -> bool {
        self.taken < self.short.len()
    }
}

/// The head ureq gets: the status and what frames the body, nothing ureq could refuse.
/// `stopped`: the request was not sent whole, so the connection must close.
fn short_head(parsed: &Parsed, stopped: bool) -> Vec<u8> {
    use std::io::Write;
    let parts = &parsed.parts;
    let version = match parts.version {
        http::Version::HTTP_10 => "1.0",
        _ => "1.1",
    };
    let mut head = Vec::with_capacity(96);
    let _ = write!(head, "HTTP/{version} {} \r\n", parts.status.as_u16());
    if parts.status.is_informational() {
        head.extend_from_slice(b"\r\n");
        return head;
    }
    let framing = parsed.framing;
    if framing.chunked {
        head.extend_from_slice(b"Transfer-Encoding: chunked\r\n");
    } else if let Some(n) = framing.length {
        let _ = write!(head, "Content-Length: {n}\r\n");
    }
    match (framing.close || stopped, parts.version) {
        (true, _) => head.extend_from_slice(b"Connection: close\r\n"),
        (false, http::Version::HTTP_10) => head.extend_from_slice(b"Connection: keep-alive\r\n"),
        _ => {}
    }
    head.extend_from_slice(b"\r\n");
    head
}

/// A write that found the server gone: it may have answered first.
fn gone(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::BrokenPipe
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
    )
}

impl Transport for Wire {
    /// While a request is under way, ureq sees only the short head (never the bytes of the
    /// head being read); once the head is taken, the inner transport's buffers as they are.
    fn buffers(&mut self) -> &mut dyn Buffers {
        match self.phase == Phase::Request || self.short_pending() {
            true => self,
            false => self.inner.buffers(),
        }
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        if self.phase != Phase::Request {
            self.begin_request();
        }
        if !self.stopped && self.answered_early() {
            self.stop(None);
        }
        if self.stopped {
            return Ok(());
        }
        self.writes += 1;
        match self.inner.transmit_output(amount, timeout) {
            Err(Error::Io(e)) if gone(&e) => {
                self.stop(Some(e));
                Ok(())
            }
            other => other,
        }
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        match self.phase {
            Phase::Request => self.read_head(timeout),
            _ => self.inner.await_input(timeout),
        }
    }

    /// Not open for another request after one that was not sent whole, or whose response
    /// was not read to its end.
    fn is_open(&mut self) -> bool {
        let clean = !self.stopped && self.phase != Phase::Request && !self.short_pending();
        clean && self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

/// The buffers ureq sees while a request is under way: output goes to the connection as
/// usual; input is the short head only.
impl Buffers for Wire {
    fn output(&mut self) -> &mut [u8] {
        self.inner.buffers().output()
    }

    fn input(&self) -> &[u8] {
        &self.short[self.taken..]
    }

    fn input_append_buf(&mut self) -> &mut [u8] {
        self.inner.buffers().input_append_buf()
    }

    fn input_appended(&mut self, amount: usize) {
        self.inner.buffers().input_appended(amount)
    }

    fn input_consume(&mut self, amount: usize) {
        self.taken = (self.taken + amount).min(self.short.len());
    }

    fn tmp_and_output(&mut self) -> (&mut [u8], &mut [u8]) {
        self.inner.buffers().tmp_and_output()
    }

    fn can_use_input(&self) -> bool {
        self.short_pending()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn short(raw: &[u8], stopped: bool) -> String {
        let (parsed, _) = head::read(raw, Limits::default()).unwrap().unwrap();
        String::from_utf8(short_head(&parsed, stopped)).unwrap()
    }

    #[test]
    fn ureq_gets_only_the_status_and_the_framing() {
        let raw = b"HTTP/1.1 299 Custom Thing\r\nX-A: \x01\r\nContent-Length: 5\r\n\r\n";
        assert_eq!(
            short(raw, false),
            "HTTP/1.1 299 \r\nContent-Length: 5\r\n\r\n"
        );
        assert_eq!(
            short(raw, true),
            "HTTP/1.1 299 \r\nContent-Length: 5\r\nConnection: close\r\n\r\n"
        );
        let chunked = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert_eq!(
            short(chunked, false),
            "HTTP/1.1 200 \r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        );
        assert_eq!(
            short(b"HTTP/1.1 100 Continue\r\n\r\n", false),
            "HTTP/1.1 100 \r\n\r\n"
        );
        let kept = b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n";
        assert_eq!(
            short(kept, false),
            "HTTP/1.0 200 \r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n"
        );
    }
}
