//! HTTP/2 failures in rq's words: a stream reset or a `GOAWAY` with its error code named
//! (`the server reset the stream: REFUSED_STREAM`), and what the engine may do about it
//! (RFC 9113 §8.7: a refused stream, or one a `GOAWAY` left out, was not processed and
//! may be sent again; `HTTP_1_1_REQUIRED` asks for the request over HTTP/1.1).

use std::io;

use h2::Reason;
use ureq::Error;

use crate::engine::conn::{Explained, Resend};

/// What went wrong, in words, and whether the request may go again.
fn describe(e: &h2::Error) -> Option<(String, Resend)> {
    let reason = e.reason()?;
    let resend = match reason {
        Reason::HTTP_1_1_REQUIRED => Resend::Http11,
        Reason::REFUSED_STREAM => Resend::Unprocessed,
        _ if e.is_go_away() => Resend::Unprocessed,
        _ => Resend::No,
    };
    let message = match (e.is_remote(), e.is_go_away()) {
        (true, true) => format!("the server closed the connection (GOAWAY: {reason:?})"),
        (true, false) => format!("the server reset the stream: {reason:?}"),
        (false, _) => format!("rq ended the HTTP/2 connection: {reason:?} ({e})"),
    };
    Some((message, if e.is_remote() { resend } else { Resend::No }))
}

/// An exchange that failed before its response head arrived.
pub fn failed(e: h2::Error, host: &str) -> Error {
    if e.is_io() {
        return match e.into_io() {
            Some(io) => Error::Io(io),
            None => Error::Io(io::Error::other(format!("connection to {host} failed"))),
        };
    }
    let Some((message, resend)) = describe(&e) else {
        return Error::Io(io::Error::other(format!("HTTP/2 with {host} failed: {e}")));
    };
    Error::Io(io::Error::other(Explained {
        message: format!("request to {host} failed: {message}"),
        transient: resend == Resend::Unprocessed,
        usage: false,
        resend,
    }))
}

/// A body that failed while arriving: the reader's error.
pub fn body_failed(e: h2::Error) -> io::Error {
    if e.is_io() {
        return e
            .into_io()
            .unwrap_or_else(|| io::ErrorKind::UnexpectedEof.into());
    }
    match describe(&e) {
        Some((message, _)) => io::Error::other(message),
        None => io::Error::other(format!("HTTP/2: {e}")),
    }
}
