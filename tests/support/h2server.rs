//! An in-process HTTP/2 server (the `h2` crate's server side, on tokio) for what nginx can't
//! be made to do: refuse or reset a stream, send `GOAWAY` before answering, answer
//! `HTTP_1_1_REQUIRED`, stall (a path starting `/stall` is never read nor answered), and
//! count connections and streams exactly. It speaks h2c with prior
//! knowledge on 127.0.0.1 (`rq --http-version 2 http://…`).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use h2::Reason;

/// What the server does with a request, decided on its head (the body is read only to
/// respond).
pub enum Act {
    /// Answer with this status and body.
    Respond(u16, Vec<u8>),
    /// Reset the stream with this code.
    Reset(Reason),
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// 1 for the first connection.
    pub connection: usize,
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

type Handler = dyn Fn(&Seen, usize) -> Act + Send + Sync;

/// What the server does on a new connection (numbered from 1) before reading any request:
/// `Some(code)` sends `GOAWAY` with that code and last stream 0, and closes.
type Greeting = dyn Fn(usize) -> Option<Reason> + Send + Sync;

/// The running server; it stops with the test process.
pub struct H2Server {
    pub addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl H2Server {
    /// Serve with `handler`, which gets each request and how many came before it.
    pub fn start(handler: impl Fn(&Seen, usize) -> Act + Send + Sync + 'static) -> H2Server {
        H2Server::start_with(|_| None, handler)
    }

    /// Like [`H2Server::start`], with `greeting` deciding which connections are sent away.
    pub fn start_with(
        greeting: impl Fn(usize) -> Option<Reason> + Send + Sync + 'static,
        handler: impl Fn(&Seen, usize) -> Act + Send + Sync + 'static,
    ) -> H2Server {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let state = (connections.clone(), seen.clone());
        let handler: Arc<Handler> = Arc::new(handler);
        let greeting: Arc<Greeting> = Arc::new(greeting);
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(serve(listener, greeting, handler, state));
        });
        H2Server {
            addr,
            connections,
            seen,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn connections(&self) -> usize {
        self.connections.load(SeqCst)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

type State = (Arc<AtomicUsize>, Arc<Mutex<Vec<Seen>>>);

async fn serve(
    listener: std::net::TcpListener,
    greeting: Arc<Greeting>,
    handler: Arc<Handler>,
    state: State,
) {
    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            return;
        };
        let number = state.0.fetch_add(1, SeqCst) + 1;
        let (handler, seen) = (handler.clone(), state.1.clone());
        let away = greeting(number);
        tokio::spawn(async move {
            let _ = connection(socket, number, away, handler, seen).await;
        });
    }
}

async fn connection(
    socket: tokio::net::TcpStream,
    number: usize,
    away: Option<Reason>,
    handler: Arc<Handler>,
    seen: Arc<Mutex<Vec<Seen>>>,
) -> Result<(), h2::Error> {
    let mut conn = h2::server::handshake(socket).await?;
    if let Some(reason) = away {
        conn.abrupt_shutdown(reason);
        return std::future::poll_fn(|cx| conn.poll_closed(cx)).await;
    }
    // Each stream is served by a task of its own, so the connection keeps being driven
    // (frames read, windows opened) while one waits.
    while let Some(accepted) = conn.accept().await {
        let (request, respond) = accepted?;
        let (handler, seen) = (handler.clone(), seen.clone());
        tokio::spawn(async move {
            let _ = stream(request, respond, number, handler, seen).await;
        });
    }
    Ok(())
}

async fn stream(
    request: http::Request<h2::RecvStream>,
    mut respond: h2::server::SendResponse<Bytes>,
    number: usize,
    handler: Arc<Handler>,
    seen: Arc<Mutex<Vec<Seen>>>,
) -> Result<(), h2::Error> {
    let (parts, mut body) = request.into_parts();
    if parts.uri.path().starts_with("/stall") {
        // Read nothing and answer nothing: the client's window stays shut.
        std::future::pending::<()>().await;
    }
    let mut request = Seen {
        connection: number,
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| (n.to_string(), String::from_utf8_lossy(v.as_bytes()).into()))
            .collect(),
        body: Vec::new(),
    };
    let before = seen.lock().unwrap().len();
    // Decided on the head: a refused or reset stream is not read.
    let act = handler(&request, before);
    if let Act::Respond(..) = act {
        while let Some(chunk) = body.data().await {
            let chunk = chunk?;
            let _ = body.flow_control().release_capacity(chunk.len());
            request.body.extend_from_slice(&chunk);
        }
    }
    seen.lock().unwrap().push(request);
    match act {
        Act::Respond(status, body) => {
            let response = http::Response::builder().status(status).body(()).unwrap();
            let mut stream = respond.send_response(response, body.is_empty())?;
            if !body.is_empty() {
                stream.send_data(Bytes::from(body), true)?;
            }
        }
        Act::Reset(reason) => respond.send_reset(reason),
    }
    Ok(())
}

/// A TLS front for an [`H2Server`]: ALPN offers `h2` and `http/1.1`; an `h2` connection is
/// relayed to the h2 server, an `http/1.1` one gets `200 via http/1.1` to each request.
pub struct TlsFront {
    pub port: u16,
    http11: Arc<AtomicUsize>,
}

impl TlsFront {
    pub fn start(leaf: &super::tls::Leaf, inner: &H2Server) -> TlsFront {
        let mut config = super::tls::server_config(leaf, None);
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let config = Arc::new(config);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let http11 = Arc::new(AtomicUsize::new(0));
        let (count, inner) = (http11.clone(), inner.addr);
        std::thread::spawn(move || {
            for socket in listener.incoming().flatten() {
                let (config, count) = (config.clone(), count.clone());
                std::thread::spawn(move || front(socket, config, inner, count));
            }
        });
        TlsFront { port, http11 }
    }

    /// Requests answered over HTTP/1.1.
    pub fn http11_requests(&self) -> usize {
        self.http11.load(SeqCst)
    }
}

fn front(
    socket: std::net::TcpStream,
    config: Arc<rustls::ServerConfig>,
    inner: SocketAddr,
    http11: Arc<AtomicUsize>,
) -> std::io::Result<()> {
    use std::io::{BufRead, BufReader, Read, Write};
    let conn = rustls::ServerConnection::new(config).map_err(std::io::Error::other)?;
    let mut tls = rustls::StreamOwned::new(conn, socket);
    while tls.conn.is_handshaking() {
        tls.conn.complete_io(&mut tls.sock)?;
    }
    if tls.conn.alpn_protocol() != Some(b"h2") {
        let mut reader = BufReader::new(tls);
        loop {
            let mut line = String::new();
            while reader.read_line(&mut line)? > 2 {
                line.clear();
            }
            if line.is_empty() {
                return Ok(());
            }
            http11.fetch_add(1, SeqCst);
            let answer = "HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\nvia http/1.1\r\n";
            reader.get_mut().write_all(answer.as_bytes())?;
        }
    }
    // Relay both ways, taking turns with short waits: the TLS stream is one object.
    let mut plain = std::net::TcpStream::connect(inner)?;
    let wait = Some(std::time::Duration::from_millis(5));
    plain.set_read_timeout(wait)?;
    tls.sock.set_read_timeout(wait)?;
    let mut buf = vec![0u8; 64 * 1024];
    let idle = |e: &std::io::Error| {
        matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        )
    };
    loop {
        match tls.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => plain.write_all(&buf[..n])?,
            Err(e) if idle(&e) => {}
            Err(e) => return Err(e),
        }
        match plain.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => tls.write_all(&buf[..n])?,
            Err(e) if idle(&e) => {}
            Err(e) => return Err(e),
        }
    }
}
