//! One exchange on an HTTP/2 connection: the request's fields (`Request::h2_fields`, the
//! same `-v` shows), its body sent as the server's window allows, and the response head.
//!
//! A body is read from its source (memory, a file, stdin) a piece at a time, and only when
//! the stream has room for it, so a 100 MiB upload takes no more memory than a small one.
//! While it goes out, the response is watched for: a final answer of 300 or more ends the
//! sending (the server won't read the rest), and is returned as HTTP/1.1 does.

use std::future::Future;
use std::io::Read;
use std::pin::Pin;
use std::task::Poll;
use std::time::Instant;

use bytes::Bytes;
use h2::client::ResponseFuture;
use h2::{RecvStream, SendStream};
use ureq::Error;

use super::{reason, Body, Session, Timeouts};
use crate::engine::conn::explained;
use crate::engine::timing::RECORDER;
use crate::engine::Head;
use crate::error::Timeout;
use crate::request::Request;

/// How much of a request body is read from its source at a time.
const PIECE: usize = 64 * 1024;

/// Run `future` within the timeouts: `--timeout` from now, `--max-time` at its deadline.
pub async fn within<F: Future>(t: &Timeouts, future: F) -> Result<F::Output, Timeout> {
    let idle = t.idle.map(|d| (Instant::now() + d, Timeout::Idle));
    let whole = t.deadline.map(|d| (d, Timeout::Whole));
    let first = match (idle, whole) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    };
    match first {
        None => Ok(future.await),
        Some((at, which)) => tokio::time::timeout_at(at.into(), future)
            .await
            .map_err(|_| which),
    }
}

/// A timeout while waiting, as ureq would have said it.
fn timed_out(which: Timeout) -> Error {
    Error::Timeout(match which {
        Timeout::Whole => ureq::Timeout::Global,
        _ => ureq::Timeout::PerRead,
    })
}

/// Send `req` on `session` with `body` (its reader and whether there is one), and return the
/// response head and its body.
pub fn exchange(
    session: &Session,
    req: &Request,
    body: Option<&mut dyn Read>,
    timeouts: Timeouts,
) -> Result<(Head, Body), Error> {
    let host = session.host();
    let request = head(req)?;
    RECORDER.sending_on(&session.remote, session.alpn.as_deref());
    let send = session.send.clone();
    let end = body.is_none();
    let start = async move {
        let mut send = send.ready().await?;
        send.send_request(request, end)
    };
    let started = session.rt.block_on(within(&timeouts, start));
    let (mut response, stream) = started
        .map_err(timed_out)?
        .map_err(|e| reason::failed(e, host))?;
    let (answer, stream) = match body {
        None => (None, None),
        Some(reader) => {
            let mut stream = stream;
            let answer = upload(session, &mut stream, &mut response, reader, &timeouts)?;
            (answer, Some(stream))
        }
    };
    let answer = match answer {
        Some(answer) => answer,
        None => session
            .rt
            .block_on(within(&timeouts, &mut response))
            .map_err(timed_out)?,
    };
    let (head, recv) = answer.map_err(|e| reason::failed(e, host))?.into_parts();
    RECORDER.received();
    if let Some(limit) = session.limits.lines.filter(|l| head.headers.len() > *l) {
        return Err(explained(
            crate::head::Error::TooManyLines(limit).describe(host),
        ));
    }
    let body = Body::new(session.rt.clone(), recv, timeouts, stream);
    Ok((head, body))
}

/// The request head h2 sends: the fields `-v` shows.
fn head(req: &Request) -> Result<http::Request<()>, Error> {
    let fields = req.h2_fields().map_err(explained)?;
    let [(_, method), (_, scheme), (_, authority), (_, path)] = fields.pseudo;
    let uri = http::Uri::builder()
        .scheme(scheme.as_str())
        .authority(authority.as_str())
        .path_and_query(path.as_str())
        .build()
        .map_err(|e| explained(format!("can't send {} over HTTP/2: {e}", req.uri())))?;
    let method = http::Method::from_bytes(method.as_bytes())
        .map_err(|_| explained(format!("invalid method '{method}'")))?;
    let mut request = http::Request::new(());
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    *request.version_mut() = http::Version::HTTP_2;
    *request.headers_mut() = fields.fields;
    Ok(request)
}

type Answer = Result<http::Response<RecvStream>, h2::Error>;

/// What happened while waiting to send more of the body.
enum Event {
    Answer(Answer),
    Room(Option<Result<usize, h2::Error>>),
}

/// Send the body from `reader` as the window allows. Returns the response if it came and
/// ended the sending (a final status of 300 or more, or a stream the server closed).
fn upload(
    session: &Session,
    stream: &mut SendStream<Bytes>,
    response: &mut ResponseFuture,
    reader: &mut dyn Read,
    timeouts: &Timeouts,
) -> Result<Option<Answer>, Error> {
    let mut piece = vec![0u8; PIECE];
    let mut early: Option<Answer> = None;
    loop {
        let n = read_some(reader, &mut piece)?;
        if n == 0 {
            stream
                .send_data(Bytes::new(), true)
                .map_err(|e| reason::failed(e, session.host()))?;
            return Ok(early);
        }
        let mut data = Bytes::copy_from_slice(&piece[..n]);
        while !data.is_empty() {
            stream.reserve_capacity(data.len());
            let watching = early.is_none();
            let wait = std::future::poll_fn(|cx| {
                if watching {
                    if let Poll::Ready(answer) = Pin::new(&mut *response).poll(cx) {
                        return Poll::Ready(Event::Answer(answer));
                    }
                }
                stream.poll_capacity(cx).map(Event::Room)
            });
            let event = session
                .rt
                .block_on(within(timeouts, wait))
                .map_err(timed_out)?;
            match event {
                Event::Answer(answer) if stops(&answer) => return Ok(Some(answer)),
                Event::Answer(answer) => early = Some(answer),
                Event::Room(Some(Ok(room))) => {
                    let part = data.split_to(room.min(data.len()));
                    if let Err(e) = stream.send_data(part, false) {
                        return cut_short(e, early, response, session);
                    }
                }
                Event::Room(Some(Err(e))) => return cut_short(e, early, response, session),
                Event::Room(None) => return Ok(early),
            }
        }
    }
}

/// An answer that ends the sending of the body: a final status of 300 or more, or a failure.
fn stops(answer: &Answer) -> bool {
    answer.as_ref().map_or(true, |r| r.status().as_u16() >= 300)
}

/// The stream closed while the body was going out: the answer that came first, if one
/// did, else the reason.
fn cut_short(
    e: h2::Error,
    early: Option<Answer>,
    response: &mut ResponseFuture,
    session: &Session,
) -> Result<Option<Answer>, Error> {
    if early.is_some() {
        return Ok(early);
    }
    // A server that answers and resets the stream (RST_STREAM NO_ERROR) sent the answer
    // first; it may not have been looked at yet.
    let look = std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut *response).poll(cx)));
    match session.rt.block_on(look) {
        Poll::Ready(Ok(answer)) => Ok(Some(Ok(answer))),
        _ => Err(reason::failed(e, session.host())),
    }
}

/// Read up to `buf.len()` bytes (fewer only at the end), as an I/O error in ureq's terms.
fn read_some(reader: &mut dyn Read, buf: &mut [u8]) -> Result<usize, Error> {
    loop {
        match reader.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => return other.map_err(Error::Io),
        }
    }
}
