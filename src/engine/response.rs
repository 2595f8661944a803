//! A response body as the layers above the engine see it: a reader whose failures are in
//! rq's terms (a timeout is an [`error::Timeout`](crate::error::Timeout), not the HTTP
//! library's error), and the one path that undoes its `Content-Encoding`.

use std::io::{self, Read};

use crate::error::Timeout;

use super::decode::decoded_reader;
use super::{http2, Head};

/// The body of a response, not read yet.
pub struct ResponseBody(Arrives);

/// How the body arrives.
enum Arrives {
    Http1(ureq::Body),
    Http2(http2::Body),
}

impl ResponseBody {
    pub(super) fn http1(body: ureq::Body) -> ResponseBody {
        ResponseBody(Arrives::Http1(body))
    }

    pub(super) fn http2(body: http2::Body) -> ResponseBody {
        ResponseBody(Arrives::Http2(body))
    }

    /// The bytes as they arrive (transfer coding or framing undone, content coding kept).
    pub fn into_reader(self) -> Box<dyn Read + Send> {
        match self.0 {
            Arrives::Http1(body) => Box::new(Plain(body.into_reader())),
            Arrives::Http2(body) => Box::new(body),
        }
    }

    /// The bytes with the head's `Content-Encoding` undone.
    pub fn decoded(self, head: &Head) -> Decoded {
        decoded(self.into_reader(), head)
    }
}

/// A body with its content codings undone, and the codings rq does not know (the body is
/// then as received from the first unknown one outward; the caller warns).
pub struct Decoded {
    pub reader: Box<dyn Read + Send>,
    pub unknown: Vec<String>,
}

/// Undo the `Content-Encoding` of `head` on `raw` (a body reader, possibly wrapped by the
/// caller to count or show progress).
pub fn decoded(raw: Box<dyn Read + Send>, head: &Head) -> Decoded {
    let encoding = head
        .headers
        .get(http::header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok());
    let (reader, unknown) = decoded_reader(raw, encoding);
    Decoded { reader, unknown }
}

/// ureq's body reader with its errors turned into rq's.
struct Plain<R>(R);

impl<R: Read> Read for Plain<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(io_error)
    }
}

/// A body read error: a timeout becomes an [`error::Timeout`](Timeout); an I/O error
/// wrapped in ureq's error is unwrapped.
fn io_error(e: io::Error) -> io::Error {
    let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<ureq::Error>()) else {
        return e;
    };
    if let Some(t) = timeout(inner) {
        return t.into_io();
    }
    match e.into_inner().map(|i| i.downcast::<ureq::Error>()) {
        Some(Ok(boxed)) => boxed.into_io(),
        Some(Err(other)) => io::Error::other(other),
        None => io::Error::other("body read failed"),
    }
}

/// If `err` is a timeout, which one, in rq's terms.
pub(super) fn timeout(err: &ureq::Error) -> Option<Timeout> {
    use ureq::Timeout as T;
    match err {
        ureq::Error::Timeout(T::Connect | T::Resolve) => Some(Timeout::Connect),
        ureq::Error::Timeout(T::PerRead | T::PerWrite) => Some(Timeout::Idle),
        ureq::Error::Timeout(_) => Some(Timeout::Whole),
        ureq::Error::Io(io) => io_timeout(io),
        _ => None,
    }
}

fn io_timeout(io: &io::Error) -> Option<Timeout> {
    if let Some(inner) = io.get_ref() {
        if let Some(t) = inner.downcast_ref::<Timeout>() {
            return Some(*t);
        }
        return inner.downcast_ref::<ureq::Error>().and_then(timeout);
    }
    matches!(
        io.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
    .then_some(Timeout::Idle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_are_named_in_rq_terms() {
        use ureq::Timeout as T;
        let cases = [
            (ureq::Error::Timeout(T::Connect), Some(Timeout::Connect)),
            (ureq::Error::Timeout(T::Resolve), Some(Timeout::Connect)),
            (ureq::Error::Timeout(T::PerRead), Some(Timeout::Idle)),
            (ureq::Error::Timeout(T::Global), Some(Timeout::Whole)),
            (
                ureq::Error::Io(io::Error::from(io::ErrorKind::TimedOut)),
                Some(Timeout::Idle),
            ),
            (ureq::Error::ConnectionFailed, None),
        ];
        for (err, want) in cases {
            assert_eq!(timeout(&err), want, "{err}");
        }
    }

    #[test]
    fn a_body_read_timeout_becomes_rqs_timeout() {
        let e = ureq::Error::Timeout(ureq::Timeout::Global).into_io();
        let mapped = io_error(e);
        assert_eq!(mapped.kind(), io::ErrorKind::TimedOut);
        assert_eq!(
            crate::error::timeout_of(&mapped),
            Some(Timeout::Whole.describe())
        );
        let plain = io_error(io::Error::from(io::ErrorKind::UnexpectedEof));
        assert_eq!(plain.kind(), io::ErrorKind::UnexpectedEof);
    }
}
