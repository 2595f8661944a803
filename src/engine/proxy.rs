//! Proxies: speaking to the one a connection goes through. Which one that is, per target
//! scheme and redirect hop, is decided in `settings.rs`.
//!
//! With an HTTP(S) proxy, https targets are tunnelled with CONNECT, but plain-http targets
//! are sent to the proxy in absolute form (`GET http://host/path HTTP/1.1`): stock squid and
//! tinyproxy refuse CONNECT to port 80, and ureq only knows CONNECT, so [`AbsoluteForm`]
//! rewrites the request line on its way out. Proxy credentials (`user:pass@` in the proxy
//! URL) go in `Proxy-Authorization` to the proxy only, never to the origin.
//! SOCKS5 is in `socks.rs`.

use std::io::{Read, Write};

use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, NextTimeout, Transport, TransportAdapter,
};
use ureq::Error;

use super::conn::{explained, remaining, tcp_connect, Target};
use super::resolve::lookup;
use super::settings::{Names, ProxyKind, ProxyUrl};
use super::socket::tcp_transport;
use super::timing::{Remote, RECORDER};
use super::tls;

/// One connection to a target through a proxy.
pub struct Hop<'a> {
    pub proxy: &'a ProxyUrl,
    pub target: &'a Target,
    pub names: &'a Names,
    pub tls: &'a tls::Client,
}

impl Hop<'_> {
    /// Connect to the proxy and get it ready to carry the target's HTTP.
    pub fn open(&self, details: &ConnectionDetails) -> Result<(Box<dyn Transport>, Remote), Error> {
        let proxy = self.proxy;
        let addrs = lookup(
            self.names,
            &proxy.host,
            proxy.port,
            details.config,
            remaining(details),
        )
        .map_err(|e| match e {
            Error::HostNotFound => explained(format!(
                "couldn't resolve proxy host '{}' (proxy {proxy})",
                proxy.host
            )),
            other => other,
        })?;
        let mut stream = tcp_connect(&addrs, details).map_err(|e| match e {
            Error::Io(io) => explained(format!("couldn't connect to proxy {proxy}: {io}")),
            other => other,
        })?;
        let remote = Remote::Proxy(stream.peer_addr()?, proxy.to_string());
        if matches!(proxy.kind, ProxyKind::Socks5 | ProxyKind::Socks5h) {
            let resolved = details.addrs.first().copied();
            super::socks::handshake(&mut stream, proxy, self.target, resolved, details)?;
            return Ok((tcp_transport(stream, details, None)?, remote));
        }
        let mut transport = tcp_transport(stream, details, None)?;
        if proxy.kind == ProxyKind::Https {
            transport = self.tls.wrap(transport, &proxy.host, details)?;
        }
        if self.target.https {
            transport = self.tunnel(transport, details)?;
        } else {
            // The authority as in the URL: `http://host/`, not `http://host:80/`.
            let authority = details.uri.authority().map(|a| a.as_str().to_string());
            transport = Box::new(AbsoluteForm {
                inner: transport,
                origin: format!("http://{}", authority.unwrap_or(self.target.authority())),
                auth: proxy.basic_auth(),
                request_next: true,
            });
        }
        Ok((transport, remote))
    }

    /// `CONNECT host:port`, and the proxy's answer.
    fn tunnel(
        &self,
        transport: Box<dyn Transport>,
        details: &ConnectionDetails,
    ) -> Result<Box<dyn Transport>, Error> {
        let started = std::time::Instant::now();
        let target = self.target.authority();
        let mut head = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
        if let Some(auth) = self.proxy.basic_auth() {
            head.push_str(&format!("Proxy-Authorization: {auth}\r\n"));
        }
        head.push_str("\r\n");
        let mut io = TransportAdapter::new(transport, details.current_time.clone());
        io.set_timeout(remaining(details));
        io.write_all(head.as_bytes())?;
        let answer = read_head(&mut io)?;
        RECORDER.add_connect(started.elapsed());
        let status_line = answer.lines().next().unwrap_or("");
        let status: u16 = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let proxy = self.proxy;
        match status {
            200..=299 => Ok(io.into_inner()),
            407 if proxy.credentials().is_some() => Err(explained(format!(
                "proxy {proxy} refused the credentials in the proxy URL (HTTP 407)"
            ))),
            407 => Err(explained(format!(
                "proxy {proxy} requires authentication (HTTP 407): put user:pass@ in the proxy URL"
            ))),
            _ => Err(explained(format!(
                "proxy {proxy} refused to open a tunnel to {target}: {}",
                status_line.split_once(' ').map_or(status_line, |(_, s)| s)
            ))),
        }
    }
}

/// Read a response head (up to the blank line) from the proxy. Anything after it (the body
/// of a refusal) is dropped; after a 2xx the proxy sends nothing until the client speaks.
fn read_head(io: &mut impl Read) -> Result<String, Error> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            head.truncate(end);
            return Ok(String::from_utf8_lossy(&head).into_owned());
        }
        let n = io.read(&mut buf)?;
        if n == 0 {
            return Err(explained(
                "the proxy closed the connection before answering",
            ));
        }
        head.extend_from_slice(&buf[..n]);
        if head.len() > 64 * 1024 {
            return Err(explained("the proxy's answer to CONNECT is too large"));
        }
    }
}

/// A connection to an HTTP proxy carrying plain-http requests: each request line leaves in
/// absolute form, followed by `Proxy-Authorization` when the proxy URL has credentials.
#[derive(Debug)]
struct AbsoluteForm {
    inner: Box<dyn Transport>,
    /// `http://host:port` of the target.
    origin: String,
    auth: Option<String>,
    /// The next bytes written start a request. True for a new connection, and again when
    /// ureq checks the connection before reusing it from the pool.
    request_next: bool,
}

/// `head` with its request line in absolute form for `origin` (and `auth` after it), if it
/// starts with an origin-form request line.
fn rewrite(head: &[u8], origin: &str, auth: Option<&str>) -> Option<Vec<u8>> {
    let line_end = head.windows(2).position(|w| w == b"\r\n")?;
    let line = &head[..line_end];
    let space = line.iter().position(|b| *b == b' ')?;
    let (method, rest) = line.split_at(space + 1);
    if !rest.starts_with(b"/") {
        return None; // `OPTIONS *` and the like stay as they are
    }
    let mut out = Vec::with_capacity(head.len() + origin.len() + 64);
    out.extend_from_slice(method);
    out.extend_from_slice(origin.as_bytes());
    out.extend_from_slice(rest);
    out.extend_from_slice(b"\r\n");
    if let Some(auth) = auth {
        out.extend_from_slice(format!("Proxy-Authorization: {auth}\r\n").as_bytes());
    }
    out.extend_from_slice(&head[line_end + 2..]);
    Some(out)
}

impl Transport for AbsoluteForm {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        if !std::mem::take(&mut self.request_next) {
            return self.inner.transmit_output(amount, timeout);
        }
        let head = &self.inner.buffers().output()[..amount];
        let rewritten = rewrite(head, &self.origin, self.auth.as_deref());
        let Some(bytes) = rewritten else {
            return self.inner.transmit_output(amount, timeout);
        };
        // The rewritten head is longer: send it through the output buffer piece by piece.
        for chunk in bytes.chunks(self.inner.buffers().output().len()) {
            self.inner.buffers().output()[..chunk.len()].copy_from_slice(chunk);
            self.inner.transmit_output(chunk.len(), timeout)?;
        }
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        let open = self.inner.is_open();
        self.request_next = open;
        open
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_lines_are_rewritten_to_absolute_form() {
        let head = b"GET /x?y=1 HTTP/1.1\r\nHost: a.test:8080\r\n\r\n";
        let out = rewrite(head, "http://a.test:8080", Some("Basic eDp5")).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "GET http://a.test:8080/x?y=1 HTTP/1.1\r\nProxy-Authorization: Basic eDp5\r\nHost: a.test:8080\r\n\r\n"
        );
        assert!(rewrite(b"OPTIONS * HTTP/1.1\r\n\r\n", "http://a", None).is_none());
    }
}
