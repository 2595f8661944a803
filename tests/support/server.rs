//! A small threaded HTTP/1.1 server on 127.0.0.1 for `rq`'s integration tests.
//!
//! It depends only on `std`, so it can be shared by the tests (`mod support;`) and by
//! `examples/serve.rs` (`#[path]`). [`Server::http`] parses each request, records it and
//! answers with the handler's [`Response`] (one thread per connection, keep-alive,
//! `Content-Length` and chunked request bodies, `Expect: 100-continue`). [`Server::raw`]
//! hands every accepted socket to the handler, for tests of misbehaving servers. Handler
//! panics are caught: HTTP mode answers 500 with the message, and both modes record it for
//! [`Server::panics`] / [`Server::assert_no_panics`]. Dropping the server stops accepting
//! and shuts down open HTTP-mode connections without waiting for blocked handlers.
//! (Catching panics needs `panic = "unwind"`, i.e. not the release profile.)
#![allow(dead_code)]

use std::collections::HashMap;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// One request as received by the server.
#[derive(Clone, Debug)]
pub struct Request {
    /// Method, e.g. `GET`.
    pub method: String,
    /// Request-target exactly as sent, e.g. `/a?b=c`.
    pub target: String,
    /// Path part of the target (scheme and authority removed from an absolute-form target).
    pub path: String,
    /// Everything after the first `?` of the target, not decoded.
    pub query: Option<String>,
    /// Protocol version, e.g. `HTTP/1.1`.
    pub version: String,
    /// Header fields with their exact casing, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body, with chunked framing removed.
    pub body: Vec<u8>,
    /// The whole request as on the wire: head and body, chunked framing kept.
    pub raw: Vec<u8>,
    /// Index of the connection it arrived on (0-based, in accept order).
    pub conn_id: usize,
}

impl Request {
    /// Value of the first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.header_all(name).into_iter().next()
    }

    /// Values of all headers named `name` (case-insensitive), in order.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        values(&self.headers, name)
    }

    /// The body as UTF-8; panics (failing the handler with a 500) if it is not UTF-8.
    pub fn body_str(&self) -> &str {
        std::str::from_utf8(&self.body).expect("request body is not valid UTF-8")
    }

    /// Percent-decoded `key=value` pairs of the query string, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        self.query.as_deref().map(parse_pairs).unwrap_or_default()
    }
}

/// Splits `a=1&b=x+y` into percent-decoded pairs (`+` becomes a space).
pub fn parse_pairs(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Percent-decodes `s` and turns `+` into a space; malformed escapes are kept as they are.
pub fn percent_decode(s: &str) -> String {
    let (b, mut out, mut i) = (s.as_bytes(), Vec::new(), 0);
    while i < b.len() {
        let hex = s.get(i + 1..i + 3).filter(|h| !h.starts_with('+'));
        match (b[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (c, _) => {
                out.push(if c == b'+' { b' ' } else { c });
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

type WriteFn = dyn Fn(&mut dyn Write) -> io::Result<()> + Send + Sync;

/// A response body produced by a callback instead of a buffer; see [`Response::stream`].
#[derive(Clone)]
pub struct BodyStream {
    /// Length announced in the automatic `Content-Length`.
    pub len: u64,
    /// Writes the body to the connection.
    pub write: Arc<WriteFn>,
}

impl fmt::Debug for BodyStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BodyStream({} bytes)", self.len)
    }
}

/// A response for [`Server::http`] handlers, built with `Response::new(200).json(..)` etc.
///
/// `Content-Length` is added automatically (except for 1xx, 204 and 304) unless a
/// `Content-Length` or `Transfer-Encoding` header was set, in which case the body is written
/// verbatim. Headers are sent exactly in the order given; HEAD requests get only the head.
#[derive(Clone, Debug, Default)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Reason phrase; `None` uses the standard one (empty for unknown codes).
    pub reason: Option<String>,
    /// Header fields, written in order.
    pub headers: Vec<(String, String)>,
    /// Body bytes (ignored when `stream` is set).
    pub body: Vec<u8>,
    /// Milliseconds to sleep before writing the response.
    pub delay_ms: u64,
    /// Streamed body, written instead of `body`.
    pub stream: Option<BodyStream>,
}

impl Response {
    /// An empty response with the given status.
    pub fn new(status: u16) -> Self {
        Response {
            status,
            ..Default::default()
        }
    }

    /// Appends a header (repeat for multiple values).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// Sets a JSON body and `Content-Type: application/json`.
    pub fn json(self, s: &str) -> Self {
        self.content_type("application/json").body(s)
    }

    /// Sets a text body and `Content-Type: text/plain; charset=utf-8`.
    pub fn text(self, s: &str) -> Self {
        self.content_type("text/plain; charset=utf-8").body(s)
    }

    /// Sets the reason phrase.
    pub fn reason(mut self, reason: &str) -> Self {
        self.reason = Some(reason.to_string());
        self
    }

    /// Sleeps `ms` milliseconds before writing the response.
    pub fn delay(mut self, ms: u64) -> Self {
        self.delay_ms = ms;
        self
    }

    /// Sets `Transfer-Encoding: chunked` and a body made of the given chunks.
    pub fn chunked<C: AsRef<[u8]>>(self, chunks: impl IntoIterator<Item = C>) -> Self {
        let mut body = Vec::new();
        for c in chunks.into_iter().filter(|c| !c.as_ref().is_empty()) {
            body.extend_from_slice(format!("{:x}\r\n", c.as_ref().len()).as_bytes());
            body.extend_from_slice(c.as_ref());
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"0\r\n\r\n");
        self.header("Transfer-Encoding", "chunked").body(body)
    }

    /// Streams the body from `write` (called once per response) instead of a buffer;
    /// `len` goes into the automatic `Content-Length` and should match what is written.
    pub fn stream(
        mut self,
        len: u64,
        write: impl Fn(&mut dyn Write) -> io::Result<()> + Send + Sync + 'static,
    ) -> Self {
        let write: Arc<WriteFn> = Arc::new(write);
        self.stream = Some(BodyStream { len, write });
        self
    }

    fn content_type(mut self, value: &str) -> Self {
        self.headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case("content-type"));
        self.header("Content-Type", value)
    }
}

/// Writes `resp` (head, then body unless `head_only`) the way [`Server::http`] does.
pub fn write_response(w: &mut impl Write, resp: &Response, head_only: bool) -> io::Result<()> {
    let (status, reason) = (resp.status, resp.reason.as_deref());
    let reason = reason.unwrap_or_else(|| default_reason(status));
    let mut out = format!("HTTP/1.1 {status} {reason}\r\n").into_bytes();
    for (name, value) in &resp.headers {
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    let framed = ["content-length", "transfer-encoding"]
        .iter()
        .any(|name| !values(&resp.headers, name).is_empty());
    let bodyless = matches!(status, 100..=199 | 204 | 304);
    if !framed && !bodyless {
        let len = resp
            .stream
            .as_ref()
            .map_or(resp.body.len() as u64, |s| s.len);
        out.extend_from_slice(format!("Content-Length: {len}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    if !head_only && resp.stream.is_none() {
        out.extend_from_slice(&resp.body);
    }
    w.write_all(&out)?;
    if let (false, Some(stream)) = (head_only, &resp.stream) {
        (stream.write)(w)?;
    }
    w.flush()
}

/// Standard reason phrases, `|`-separated.
const REASONS: &str = "100 Continue|101 Switching Protocols|200 OK|201 Created|202 Accepted|\
    204 No Content|206 Partial Content|301 Moved Permanently|302 Found|303 See Other|\
    304 Not Modified|307 Temporary Redirect|308 Permanent Redirect|400 Bad Request|\
    401 Unauthorized|403 Forbidden|404 Not Found|405 Method Not Allowed|408 Request Timeout|\
    409 Conflict|410 Gone|413 Content Too Large|415 Unsupported Media Type|418 I'm a teapot|\
    422 Unprocessable Content|429 Too Many Requests|500 Internal Server Error|\
    501 Not Implemented|502 Bad Gateway|503 Service Unavailable|504 Gateway Timeout";

fn default_reason(status: u16) -> &'static str {
    let known = REASONS.split('|').filter_map(|r| r.split_once(' '));
    let mut matching = known.filter(|(code, _)| code.parse() == Ok(status));
    matching.next().map_or("", |(_, reason)| reason)
}

/// Values of the headers named `name` (case-insensitive).
fn values<'a>(headers: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    let matching = headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name));
    matching.map(|(_, v)| v.as_str()).collect()
}

fn has_token<'a>(values: impl IntoIterator<Item = &'a str>, token: &str) -> bool {
    let mut tokens = values.into_iter().flat_map(|v| v.split(','));
    tokens.any(|t| t.trim().eq_ignore_ascii_case(token))
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

fn eof() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, "EOF inside a request")
}

/// Reads one line into `raw` (kept verbatim) and returns it without CRLF/LF; `None` at EOF.
fn read_line(r: &mut impl BufRead, raw: &mut Vec<u8>) -> io::Result<Option<String>> {
    let start = raw.len();
    if r.read_until(b'\n', raw)? == 0 {
        return Ok(None);
    }
    let line = raw[start..].strip_suffix(b"\n").ok_or_else(eof)?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    Ok(Some(String::from_utf8_lossy(line).into_owned()))
}

/// Appends exactly `n` bytes from `r` to `raw`.
fn read_exact_into(r: &mut impl BufRead, raw: &mut Vec<u8>, n: usize) -> io::Result<()> {
    if r.take(n as u64).read_to_end(raw)? < n {
        return Err(eof());
    }
    Ok(())
}

/// Read one HTTP/1.1 request from a buffered stream (shared by both modes; raw handlers may
/// use it). `None` on clean EOF before a request starts; malformed input is `InvalidData`.
pub fn read_request(reader: &mut impl BufRead, conn_id: usize) -> io::Result<Option<Request>> {
    read_request_with(reader, conn_id, |_| Ok(()))
}

/// Like [`read_request`], calling `before_body` once the head has been parsed.
fn read_request_with(
    reader: &mut impl BufRead,
    conn_id: usize,
    before_body: impl FnOnce(&Request) -> io::Result<()>,
) -> io::Result<Option<Request>> {
    let Some(mut req) = read_request_head(reader, conn_id)? else {
        return Ok(None);
    };
    before_body(&req)?;
    read_body(reader, &mut req)?;
    Ok(Some(req))
}

/// Read the head of one request (its body left unread, `body` empty); `None` on a clean
/// EOF before a request starts.
pub fn read_request_head(reader: &mut impl BufRead, conn_id: usize) -> io::Result<Option<Request>> {
    let mut raw = Vec::new();
    let line = loop {
        match read_line(reader, &mut raw)? {
            None => return Ok(None),
            Some(l) if l.is_empty() => raw.clear(), // blank lines before a request are ignored
            Some(l) => break l,
        }
    };
    let parts: Vec<&str> = line.split(' ').collect();
    let [method, target, version] = parts[..] else {
        return Err(invalid(format!("bad request line {line:?}")));
    };
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader, &mut raw)?.ok_or_else(eof)?;
        if line.is_empty() {
            break;
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| invalid(format!("bad header line {line:?}")))?;
        headers.push((
            name.to_string(),
            value.trim_matches([' ', '\t']).to_string(),
        ));
    }
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q.to_string())),
        None => (target, None),
    };
    let path = match path.split_once("://") {
        Some((_, rest)) if !path.starts_with('/') => rest.find('/').map_or("/", |i| &rest[i..]),
        _ => path,
    };
    Ok(Some(Request {
        method: method.to_string(),
        target: target.to_string(),
        path: path.to_string(),
        query,
        version: version.to_string(),
        headers,
        body: Vec::new(),
        raw,
        conn_id,
    }))
}

/// Read the body of `req` as its head frames it.
fn read_body(reader: &mut impl BufRead, req: &mut Request) -> io::Result<()> {
    let te = req.header_all("transfer-encoding");
    let last_coding = te.last().and_then(|v| v.rsplit(',').next());
    if last_coding.is_some_and(|c| c.trim().eq_ignore_ascii_case("chunked")) {
        loop {
            let line = read_line(reader, &mut req.raw)?.ok_or_else(eof)?;
            let size = line.split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size, 16)
                .map_err(|_| invalid(format!("bad chunk size line {line:?}")))?;
            if size == 0 {
                while !read_line(reader, &mut req.raw)?.ok_or_else(eof)?.is_empty() {}
                break;
            }
            let start = req.raw.len();
            read_exact_into(reader, &mut req.raw, size)?;
            req.body.extend_from_slice(&req.raw[start..]);
            if !read_line(reader, &mut req.raw)?.ok_or_else(eof)?.is_empty() {
                return Err(invalid("chunk data not followed by CRLF".into()));
            }
        }
    } else if let Some(len) = req.header("content-length") {
        let len = len
            .parse()
            .map_err(|_| invalid(format!("bad Content-Length {len:?}")))?;
        read_exact_into(reader, &mut req.body, len)?;
        req.raw.extend_from_slice(&req.body);
    }
    Ok(())
}

/// Runs `f`, turning a panic into its message.
fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    panic::catch_unwind(AssertUnwindSafe(f)).map_err(|p| {
        let msg = p.downcast_ref::<&str>().map(|s| s.to_string());
        msg.or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "non-string panic payload".into())
    })
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

type Handler = dyn Fn(&Request) -> Response + Send + Sync;

#[derive(Default)]
struct Shared {
    stop: AtomicBool,
    connections: AtomicUsize,
    requests: Mutex<Vec<Request>>,
    panics: Mutex<Vec<String>>,
    /// Clones of open HTTP-mode sockets, shut down on drop.
    open: Mutex<HashMap<usize, TcpStream>>,
    /// Set on drop, to release connections held by [`Then::Hold`].
    released: (Mutex<bool>, std::sync::Condvar),
}

/// A running server on 127.0.0.1; stops accepting when dropped.
pub struct Server {
    /// The bound address.
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts an HTTP server on an ephemeral port that answers every request with `handler`.
    pub fn http(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> Server {
        Self::http_on(0, handler).expect("bind 127.0.0.1:0")
    }

    /// Like [`Server::http`] on a chosen port (0 = ephemeral).
    pub fn http_on(
        port: u16,
        handler: impl Fn(&Request) -> Response + Send + Sync + 'static,
    ) -> io::Result<Server> {
        let handler: Box<Handler> = Box::new(handler);
        Self::start(port, move |stream, id, shared| {
            if let Ok(clone) = stream.try_clone() {
                lock(&shared.open).insert(id, clone);
            }
            let _ = serve_http(&stream, id, shared, &*handler);
            lock(&shared.open).remove(&id);
            // Close gracefully: send FIN, then drain so unread input does not cause a RST.
            let _ = stream.shutdown(Shutdown::Write);
            let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
            let _ = io::copy(&mut (&stream).take(1 << 20), &mut io::sink());
        })
    }

    /// Starts a server that answers with exact bytes, for heads and behaviours
    /// [`Server::http`] won't produce. Each request on a connection is read (its body too
    /// when `read_body`, else only its head) and recorded; `answer` may assert on it and
    /// returns the bytes to send back, verbatim, and what the connection does next.
    pub fn scripted(
        read_body: bool,
        answer: impl Fn(&Request) -> (Vec<u8>, Then) + Send + Sync + 'static,
    ) -> Server {
        Self::start(0, move |stream, id, shared| {
            if let Err(msg) = catch(|| script(&stream, id, shared, read_body, &answer)) {
                lock(&shared.panics).push(msg);
            }
        })
        .expect("bind 127.0.0.1:0")
    }

    /// Starts a raw server: `handler` owns each accepted socket (with its connection index).
    pub fn raw(handler: impl Fn(TcpStream, usize) + Send + Sync + 'static) -> Server {
        Self::start(0, move |stream, id, shared| {
            if let Err(msg) = catch(|| handler(stream, id)) {
                lock(&shared.panics).push(msg);
            }
        })
        .expect("bind 127.0.0.1:0")
    }

    fn start(
        port: u16,
        conn: impl Fn(TcpStream, usize, &Shared) + Send + Sync + 'static,
    ) -> io::Result<Server> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let (conn, shared2) = (Arc::new(conn), shared.clone());
        let accept = Some(thread::spawn(move || {
            for stream in listener.incoming() {
                if shared2.stop.load(SeqCst) {
                    break;
                }
                let Ok(stream) = stream else {
                    thread::sleep(Duration::from_millis(10)); // e.g. out of file descriptors
                    continue;
                };
                let id = shared2.connections.fetch_add(1, SeqCst);
                let _ = stream.set_nodelay(true);
                let (conn, shared) = (conn.clone(), shared2.clone());
                thread::spawn(move || conn(stream, id, &shared));
            }
        }));
        Ok(Server {
            addr,
            shared,
            accept,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// All requests recorded so far (HTTP mode), in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        lock(&self.shared.requests).clone()
    }

    /// Number of requests recorded so far.
    pub fn request_count(&self) -> usize {
        lock(&self.shared.requests).len()
    }

    /// Number of accepted TCP connections.
    pub fn connection_count(&self) -> usize {
        self.shared.connections.load(SeqCst)
    }

    /// Messages of handler panics caught so far.
    pub fn panics(&self) -> Vec<String> {
        lock(&self.shared.panics).clone()
    }

    /// Panics (failing the test) if any handler panicked.
    pub fn assert_no_panics(&self) {
        let panics = self.panics();
        assert!(panics.is_empty(), "server handler panicked: {panics:?}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shared.stop.store(true, SeqCst);
        *lock(&self.shared.released.0) = true;
        self.shared.released.1.notify_all();
        // Wake the accept loop so it sees the flag; only wait for it if that worked.
        let woke = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1)).is_ok();
        for stream in lock(&self.shared.open).values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        if let (true, Some(accept)) = (woke, self.accept.take()) {
            let _ = accept.join();
        }
    }
}

/// Wait until everything written on `sock` has reached the peer, i.e. its kernel has
/// acknowledged it (the socket's `tx_queue` in /proc/net/tcp is empty), so that closing the
/// socket with unread input (which sends a reset and drops what is still queued) can't
/// lose it. Gives up after 10 s, or at once when the socket isn't listed there.
pub fn wait_delivered(sock: &TcpStream) {
    let (Ok(local), Ok(peer)) = (sock.local_addr(), sock.peer_addr()) else {
        return;
    };
    let port = |field: &str| {
        let hex = field.rsplit(':').next().unwrap_or("");
        u16::from_str_radix(hex, 16).ok()
    };
    let queued = || -> Option<u64> {
        let table = std::fs::read_to_string("/proc/net/tcp").ok()?;
        table.lines().skip(1).find_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let ours =
                f.len() > 4 && port(f[1]) == Some(local.port()) && port(f[2]) == Some(peer.port());
            let tx = f.get(4)?.split(':').next()?;
            ours.then(|| u64::from_str_radix(tx, 16).ok()).flatten()
        })
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while queued().is_some_and(|n| n > 0) && std::time::Instant::now() < deadline {
        thread::sleep(Duration::from_millis(1));
    }
}

/// What a [`Server::scripted`] connection does after writing an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Then {
    /// Read the next request.
    KeepOpen,
    /// Close once the answer has reached the client, whatever the client is still sending
    /// (unread bytes make it a reset).
    Close,
    /// Wait for the next request to start arriving, then close without answering it: a
    /// server that closed an idle keep-alive connection just as the client reused it.
    CloseAtNextRequest,
    /// Neither read nor close until the server is dropped: a server that answered and
    /// stopped reading.
    Hold,
}

fn script(
    stream: &TcpStream,
    id: usize,
    shared: &Shared,
    whole: bool,
    answer: &dyn Fn(&Request) -> (Vec<u8>, Then),
) {
    let mut reader = BufReader::new(stream);
    loop {
        let mut req = match read_request_head(&mut reader, id) {
            Ok(Some(req)) => req,
            _ => return,
        };
        if whole && read_body(&mut reader, &mut req).is_err() {
            return;
        }
        lock(&shared.requests).push(req.clone());
        let (bytes, then) = answer(&req);
        if (&mut &*stream).write_all(&bytes).is_err() {
            return;
        }
        match then {
            Then::KeepOpen => continue,
            Then::Close => return wait_delivered(stream),
            Then::CloseAtNextRequest => {
                let _ = reader.fill_buf();
                return;
            }
            Then::Hold => {
                let mut released = lock(&shared.released.0);
                while !*released {
                    released = shared
                        .released
                        .1
                        .wait(released)
                        .unwrap_or_else(|e| e.into_inner());
                }
                return;
            }
        }
    }
}

/// Serves requests on one connection until it closes or a response ends it.
fn serve_http(stream: &TcpStream, id: usize, shared: &Shared, handler: &Handler) -> io::Result<()> {
    let mut reader = BufReader::new(stream);
    let mut out = stream;
    while !shared.stop.load(SeqCst) {
        let expect_continue = |head: &Request| {
            let expect = head.header("expect").unwrap_or("");
            match expect.eq_ignore_ascii_case("100-continue") {
                true => (&mut &*stream).write_all(b"HTTP/1.1 100 Continue\r\n\r\n"),
                false => Ok(()),
            }
        };
        let req = match read_request_with(&mut reader, id, expect_continue) {
            Ok(Some(req)) => req,
            Ok(None) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                let resp = Response::new(400).text(&format!("bad request: {e}\n"));
                return write_response(&mut out, &resp, false);
            }
            Err(e) => return Err(e),
        };
        lock(&shared.requests).push(req.clone());
        let resp = catch(|| handler(&req)).unwrap_or_else(|msg| {
            let body = format!("test server handler panicked: {msg}\n");
            lock(&shared.panics).push(msg);
            Response::new(500).text(&body)
        });
        let close = req.version != "HTTP/1.1"
            || has_token(req.header_all("connection"), "close")
            || has_token(values(&resp.headers, "connection"), "close");
        thread::sleep(Duration::from_millis(resp.delay_ms));
        write_response(&mut out, &resp, req.method == "HEAD")?;
        if close {
            break;
        }
    }
    Ok(())
}
