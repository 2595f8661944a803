//! Proxies: which one a target uses, and speaking to it.
//!
//! The choice is per target scheme, made for every connection (so per redirect hop):
//! `--proxy http:URL` / `https:URL` / `all:URL`, else the environment — `http_proxy` in
//! lower case only (an `HTTP_PROXY` variable can be set by a request header in CGI, the
//! "httpoxy" hole, so it is ignored as curl does), `https_proxy`/`HTTPS_PROXY`,
//! `all_proxy`/`ALL_PROXY` — minus the hosts `NO_PROXY`/`no_proxy` names.
//!
//! With an HTTP(S) proxy, https targets are tunnelled with CONNECT, but plain-http targets
//! are sent to the proxy in absolute form (`GET http://host/path HTTP/1.1`): stock squid and
//! tinyproxy refuse CONNECT to port 80, and ureq only knows CONNECT, so [`AbsoluteForm`]
//! rewrites the request line on its way out. Proxy credentials (`user:pass@` in the proxy
//! URL) go in `Proxy-Authorization` to the proxy only, never to the origin.
//! SOCKS5 is in `socks.rs`.

use std::fmt;
use std::io::{Read, Write};
use std::net::IpAddr;

use base64::Engine as _;
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, NextTimeout, Transport, TransportAdapter,
};
use ureq::Error;

use super::conn::{authority, explained, remaining, tcp_connect, Target};
use super::connector::tcp_transport;
use super::resolve::Names;
use super::timing::{Remote, RECORDER};
use super::tls;

/// How rq talks to a proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyKind {
    /// `http://`: absolute form for http targets, CONNECT for https ones.
    Http,
    /// `https://`: the same, over TLS to the proxy.
    Https,
    /// `socks5://`: rq resolves the target's name and sends the address.
    Socks5,
    /// `socks5h://`: the proxy resolves the name.
    Socks5h,
}

/// A proxy URL. `Debug` and `Display` leave the credentials out.
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyUrl {
    pub kind: ProxyKind,
    pub host: String,
    pub port: u16,
    /// `user:pass@`, percent-decoded.
    credentials: Option<(String, String)>,
}

impl ProxyUrl {
    /// Parse `[SCHEME://][user:pass@]host[:port]`; the scheme defaults to `http`, the port
    /// to the scheme's (80, 443, 1080).
    pub fn parse(s: &str) -> Result<ProxyUrl, String> {
        let with_scheme = if s.contains("://") {
            s.to_string()
        } else {
            format!("http://{s}")
        };
        let url =
            url::Url::parse(&with_scheme).map_err(|e| format!("invalid proxy URL '{s}': {e}"))?;
        let kind = match url.scheme() {
            "http" => ProxyKind::Http,
            "https" => ProxyKind::Https,
            "socks5" => ProxyKind::Socks5,
            "socks5h" => ProxyKind::Socks5h,
            other => {
                return Err(format!(
                "unsupported proxy scheme '{other}' in '{s}' (use http, https, socks5 or socks5h)"
            ))
            }
        };
        let host = match url.host() {
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            Some(h) => h.to_string(),
            None => return Err(format!("invalid proxy URL '{s}': no host")),
        };
        let default_port = match kind {
            ProxyKind::Http => 80,
            ProxyKind::Https => 443,
            ProxyKind::Socks5 | ProxyKind::Socks5h => 1080,
        };
        let decode = |v: &str| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        };
        let credentials = (!url.username().is_empty() || url.password().is_some())
            .then(|| (decode(url.username()), decode(url.password().unwrap_or(""))));
        Ok(ProxyUrl {
            kind,
            host,
            port: url.port().unwrap_or(default_port),
            credentials,
        })
    }

    /// The `Proxy-Authorization` value, when the URL has credentials.
    fn basic_auth(&self) -> Option<String> {
        let (user, pass) = self.credentials.as_ref()?;
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
        Some(format!("Basic {token}"))
    }

    pub fn credentials(&self) -> Option<(&str, &str)> {
        self.credentials
            .as_ref()
            .map(|(u, p)| (u.as_str(), p.as_str()))
    }
}

impl fmt::Display for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.kind {
            ProxyKind::Http => "http",
            ProxyKind::Https => "https",
            ProxyKind::Socks5 => "socks5",
            ProxyKind::Socks5h => "socks5h",
        };
        write!(f, "{scheme}://{}", authority(&self.host, self.port))
    }
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.credentials {
            Some(_) => write!(f, "{self} (credentials redacted)"),
            None => write!(f, "{self}"),
        }
    }
}

/// `NO_PROXY`: hosts reached directly. Entries are `*` (everything), domain names (which
/// also match their subdomains, with or without a leading dot), IP addresses and CIDR ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoProxy {
    all: bool,
    domains: Vec<String>,
    nets: Vec<(IpAddr, u8)>,
}

impl NoProxy {
    pub fn parse(list: &str) -> NoProxy {
        let mut np = NoProxy::default();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if entry == "*" {
                np.all = true;
            } else if let Some(net) = parse_net(entry) {
                np.nets.push(net);
            } else {
                // A port on a name (`host:8080`) is ignored, as curl does.
                let name = entry.split(':').next().unwrap_or(entry);
                let name = name.trim_start_matches("*.").trim_start_matches('.');
                np.domains
                    .push(name.trim_end_matches('.').to_ascii_lowercase());
            }
        }
        np
    }

    pub fn matches(&self, host: &str) -> bool {
        if self.all {
            return true;
        }
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        if let Ok(ip) = host.parse::<IpAddr>() {
            return self.nets.iter().any(|(net, bits)| in_net(ip, *net, *bits));
        }
        self.domains.iter().any(|d| {
            host == *d
                || host
                    .strip_suffix(d.as_str())
                    .is_some_and(|p| p.ends_with('.'))
        })
    }
}

fn parse_net(entry: &str) -> Option<(IpAddr, u8)> {
    let entry = entry.trim_start_matches('[');
    let (ip, bits) = match entry.split_once('/') {
        Some((ip, bits)) => (ip.trim_end_matches(']'), Some(bits.parse().ok()?)),
        None => (entry.trim_end_matches(']'), None),
    };
    let ip: IpAddr = ip.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let bits = bits.unwrap_or(max);
    (bits <= max).then_some((ip, bits))
}

fn in_net(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

/// The proxy for each target scheme, and the hosts that bypass them.
#[derive(Debug, Clone, Default)]
pub struct Proxies {
    pub http: Option<ProxyUrl>,
    pub https: Option<ProxyUrl>,
    pub no_proxy: NoProxy,
}

impl Proxies {
    /// From `--proxy PROTO:URL` values (later ones win; `http:`/`https:` beat `all:`; an
    /// empty URL means "no proxy" for that scheme) over the environment (`getenv`).
    pub fn from_sources(
        args: &[String],
        getenv: impl Fn(&str) -> Option<String>,
    ) -> Result<Proxies, String> {
        let env = |names: &[&str]| -> Result<Option<ProxyUrl>, String> {
            let found = names
                .iter()
                .find_map(|n| getenv(n).filter(|v| !v.trim().is_empty()).map(|v| (n, v)));
            match found {
                None => Ok(None),
                Some((name, value)) => ProxyUrl::parse(value.trim())
                    .map(Some)
                    .map_err(|e| format!("{e} (from ${name})")),
            }
        };
        // `HTTP_PROXY` is deliberately absent: see the module docs.
        let mut http = env(&["http_proxy", "all_proxy", "ALL_PROXY"])?;
        let mut https = env(&["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"])?;
        let mut given: [Option<Option<ProxyUrl>>; 3] = [None, None, None];
        for arg in args {
            let (proto, url) = arg.split_once(':').ok_or_else(|| {
                format!(
                    "invalid --proxy '{arg}' (expected PROTO:URL, e.g. http:http://127.0.0.1:3128)"
                )
            })?;
            let slot = match proto.to_ascii_lowercase().as_str() {
                "http" => 0,
                "https" => 1,
                "all" => 2,
                _ => {
                    return Err(format!(
                        "invalid --proxy '{arg}': '{proto}' is not http, https or all"
                    ))
                }
            };
            let url = match url {
                "" => None,
                url => Some(ProxyUrl::parse(url).map_err(|e| format!("--proxy {arg}: {e}"))?),
            };
            given[slot] = Some(url);
        }
        let [g_http, g_https, g_all] = given;
        if let Some(all) = g_all {
            (http, https) = (all.clone(), all);
        }
        http = g_http.unwrap_or(http);
        https = g_https.unwrap_or(https);
        let no_proxy = getenv("no_proxy")
            .or_else(|| getenv("NO_PROXY"))
            .map(|v| NoProxy::parse(&v))
            .unwrap_or_default();
        Ok(Proxies {
            http,
            https,
            no_proxy,
        })
    }

    /// The proxy for a connection to `host` with the given scheme, if any.
    pub fn for_target(&self, https: bool, host: &str) -> Option<&ProxyUrl> {
        let proxy = if https { &self.https } else { &self.http };
        proxy.as_ref().filter(|_| !self.no_proxy.matches(host))
    }
}

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
        let addrs = self
            .names
            .lookup(&proxy.host, proxy.port, details.config, remaining(details))
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
            return Ok((tcp_transport(stream, details, false)?, remote));
        }
        let mut transport = tcp_transport(stream, details, false)?;
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
            407 if proxy.credentials.is_some() => Err(explained(format!(
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

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn upper_case_http_proxy_is_ignored() {
        let p = Proxies::from_sources(&[], env(&[("HTTP_PROXY", "http://bogus:1")])).unwrap();
        assert!(p.http.is_none());
        let p = Proxies::from_sources(
            &[],
            env(&[
                ("HTTP_PROXY", "http://bogus:1"),
                ("http_proxy", "http://good:3128"),
            ]),
        )
        .unwrap();
        assert_eq!(p.http.unwrap().host, "good");
    }

    #[test]
    fn proxies_are_chosen_per_scheme_with_all_as_fallback() {
        let p = Proxies::from_sources(
            &[],
            env(&[
                ("HTTPS_PROXY", "https://secure:8443"),
                ("ALL_PROXY", "socks5h://s"),
            ]),
        )
        .unwrap();
        assert_eq!(p.https.as_ref().unwrap().to_string(), "https://secure:8443");
        assert_eq!(p.http.as_ref().unwrap().to_string(), "socks5h://s:1080");
    }

    #[test]
    fn command_line_proxies_override_the_environment() {
        let args = ["all:http://a:1".to_string(), "https:".to_string()];
        let p = Proxies::from_sources(&args, env(&[("https_proxy", "http://e:2")])).unwrap();
        assert_eq!(p.http.unwrap().host, "a");
        assert!(p.https.is_none());
        let args = ["http:http://h:1".to_string(), "all:http://a:1".to_string()];
        let p = Proxies::from_sources(&args, env(&[])).unwrap();
        assert_eq!(p.http.unwrap().host, "h");
        assert!(Proxies::from_sources(&["ftp:http://x".into()], env(&[])).is_err());
        assert!(Proxies::from_sources(&["http:gopher://x".into()], env(&[])).is_err());
    }

    #[test]
    fn no_proxy_matches_suffixes_addresses_and_star() {
        let np = NoProxy::parse("example.com, .internal ,10.0.0.0/8,::1,localhost:8080");
        for host in [
            "example.com",
            "api.example.com",
            "x.internal",
            "10.1.2.3",
            "::1",
            "localhost",
        ] {
            assert!(np.matches(host), "{host}");
        }
        for host in ["badexample.com", "internal.org", "11.0.0.1", "127.0.0.1"] {
            assert!(!np.matches(host), "{host}");
        }
        assert!(NoProxy::parse("*").matches("anything.org"));
    }

    #[test]
    fn proxy_credentials_are_decoded_and_never_shown() {
        let p = ProxyUrl::parse("http://us%40er:p%3Ass@127.0.0.1:3128").unwrap();
        assert_eq!(p.credentials(), Some(("us@er", "p:ss")));
        assert_eq!(format!("{p}"), "http://127.0.0.1:3128");
        assert_eq!(
            format!("{p:?}"),
            "http://127.0.0.1:3128 (credentials redacted)"
        );
    }

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
