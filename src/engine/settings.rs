//! The transport settings: what the plan decides about TLS, proxies, name resolution and
//! the socket, as plain data with its parsing and no I/O.
//!
//! Proxies are chosen per target scheme, for every connection (so per redirect hop):
//! `--proxy http:URL` / `https:URL` / `all:URL`, else the environment — `http_proxy` in
//! lower case only (an `HTTP_PROXY` variable can be set by a request header in CGI, the
//! "httpoxy" hole, so it is ignored as curl does), `https_proxy`/`HTTPS_PROXY`,
//! `all_proxy`/`ALL_PROXY` — minus the hosts `NO_PROXY`/`no_proxy` names.
//!
//! The layers that act on a setting read it from here: reading the files a TLS setting names
//! is `tls.rs`'s part, looking names up is `resolve.rs`'s.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use base64::Engine as _;

use super::conn::authority;

/// Everything below HTTP that the command line controls (SPEC §4), resolved by the plan.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    pub tls: TlsOptions,
    pub proxies: Proxies,
    /// `--resolve`, `--connect-to`, `-4`/`-6`.
    pub names: Names,
    /// `--unix-socket PATH`: every connection goes to this socket, proxies are not used.
    pub unix_socket: Option<PathBuf>,
    /// `--http-version`: which HTTP versions connections may speak.
    pub versions: Versions,
    /// `--max-headers`: how large a response head may be.
    pub head: crate::head::Limits,
}

/// `--http-version`: which HTTP versions a connection may speak (SPEC §4, as curl and xh).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Versions {
    /// https offers `h2` and `http/1.1` by ALPN and speaks what the server picks; plain
    /// http speaks HTTP/1.1.
    #[default]
    Negotiate,
    /// `1.1`: HTTP/1.1 only (ALPN offers `http/1.1` alone).
    Http11,
    /// `1.0`: HTTP/1.0 requests over HTTP/1.x connections.
    Http10,
    /// `2`: https requires the server to pick `h2`; plain http is h2c with prior
    /// knowledge (no Upgrade).
    Http2,
}

/// The TLS settings from the command line and environment. Files are named here and read
/// when the first https connection needs them.
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    pub verify: Verify,
    /// `--cert` / `--cert-key`: the client certificate, when the server asks for one.
    pub identity: Option<Identity>,
    /// `--ssl`: the one TLS version to use (default: 1.2 or 1.3, whichever the server prefers).
    pub version: Option<TlsVersion>,
    /// `--ciphers`: the cipher suites to offer, by rustls' names, in order of preference;
    /// empty for all of them.
    pub ciphers: Vec<&'static str>,
}

/// The cipher suites rq's TLS (rustls on ring) has, by the names rustls gives them, each
/// with its TLS version.
pub fn cipher_suites() -> Vec<(&'static str, TlsVersion)> {
    rustls::crypto::ring::ALL_CIPHER_SUITES
        .iter()
        .filter_map(|s| {
            let version = match s.version().version {
                rustls::ProtocolVersion::TLSv1_3 => TlsVersion::Tls13,
                _ => TlsVersion::Tls12,
            };
            Some((s.suite().as_str()?, version))
        })
        .collect()
}

/// `--ciphers LIST`: names separated by commas or colons, matched case-insensitively, for a
/// connection limited to `version` if given. The error lists the names there are.
pub fn parse_ciphers(list: &str, version: Option<TlsVersion>) -> Result<Vec<&'static str>, String> {
    let known = cipher_suites();
    let names = || {
        let all: Vec<&str> = known.iter().map(|(n, _)| *n).collect();
        all.join(", ")
    };
    let mut chosen: Vec<&'static str> = Vec::new();
    for typed in list
        .split([',', ':'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let Some((name, _)) = known.iter().find(|(n, _)| n.eq_ignore_ascii_case(typed)) else {
            return Err(format!(
                "unknown cipher suite '{typed}' in --ciphers (rustls has: {})",
                names()
            ));
        };
        if !chosen.contains(name) {
            chosen.push(name);
        }
    }
    if chosen.is_empty() {
        return Err(format!(
            "--ciphers names no cipher suite (rustls has: {})",
            names()
        ));
    }
    let fits = |v: TlsVersion| known.iter().any(|(n, kv)| *kv == v && chosen.contains(n));
    if let Some(v) = version.filter(|v| !fits(*v)) {
        let shown = if v == TlsVersion::Tls13 {
            "tls1.3"
        } else {
            "tls1.2"
        };
        return Err(format!("--ciphers names no cipher suite for --ssl {shown}"));
    }
    Ok(chosen)
}

/// How server certificates are checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Verify {
    /// Against the platform's trust store (the default).
    #[default]
    Platform,
    /// Against the CA certificates (PEM) in a file only, like curl's `--cacert`. `from`
    /// names where the file came from (`--verify`, `$SSL_CERT_FILE`, `$REQUESTS_CA_BUNDLE`).
    Roots { file: PathBuf, from: String },
    /// Not at all (`--verify no`). Handshake signatures are still checked.
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsVersion {
    Tls12,
    Tls13,
}

/// A client certificate chain (PEM), its key (PEM; from the certificate file when no key
/// file is given) and the key's password. `Debug` hides the password.
#[derive(Clone)]
pub struct Identity {
    pub cert: PathBuf,
    pub key: Option<PathBuf>,
    pub password: Option<String>,
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = self.key.as_ref().unwrap_or(&self.cert);
        let pass = if self.password.is_some() {
            ", password redacted"
        } else {
            ""
        };
        write!(
            f,
            "Identity({}, key {}{pass})",
            self.cert.display(),
            key.display()
        )
    }
}

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
    pub fn basic_auth(&self) -> Option<String> {
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

/// `--resolve HOST:PORT:ADDR[,ADDR…]`: connect to ADDR for HOST:PORT, without DNS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    host: String,
    port: u16,
    addrs: Vec<IpAddr>,
    /// As given on the command line (for `--curl`).
    pub spec: String,
}

/// `--connect-to HOST:PORT:HOST2:PORT2`: connections for HOST:PORT go to HOST2:PORT2
/// (TLS names and the `Host` header stay the URL's). An empty field matches any host or
/// port on the left, and keeps it unchanged on the right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reroute {
    from_host: Option<String>,
    from_port: Option<u16>,
    to_host: Option<String>,
    to_port: Option<u16>,
    /// As given on the command line (for `--curl`).
    pub spec: String,
}

/// Which address family to connect with (`-4`, `-6`; default any).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Family {
    #[default]
    Any,
    V4,
    V6,
}

/// Every name-resolution override from the command line; `resolve::lookup` applies them.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub pins: Vec<Pin>,
    pub reroutes: Vec<Reroute>,
    pub family: Family,
}

fn bare(host: &str) -> String {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}

/// Split `[v6]:rest` or `host:rest` at the first colon outside brackets.
fn split_host(s: &str) -> Option<(&str, &str)> {
    if s.starts_with('[') {
        let end = s.find(']')?;
        let rest = s[end + 1..].strip_prefix(':')?;
        return Some((&s[..=end], rest));
    }
    s.split_once(':')
}

fn port(s: &str) -> Option<u16> {
    s.parse().ok().filter(|p| *p > 0)
}

impl Pin {
    pub fn parse(s: &str) -> Result<Pin, String> {
        let bad = || {
            format!(
                "invalid --resolve '{s}' (expected HOST:PORT:ADDR, e.g. example.org:443:127.0.0.1)"
            )
        };
        let (host, rest) = split_host(s).ok_or_else(bad)?;
        let (p, addrs) = rest.split_once(':').ok_or_else(bad)?;
        let addrs = addrs
            .split(',')
            .map(|a| bare(a.trim()).parse::<IpAddr>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| bad())?;
        if host.is_empty() || addrs.is_empty() {
            return Err(bad());
        }
        Ok(Pin {
            host: bare(host),
            port: port(p).ok_or_else(bad)?,
            addrs,
            spec: s.to_string(),
        })
    }
}

impl Reroute {
    pub fn parse(s: &str) -> Result<Reroute, String> {
        let bad = || {
            format!("invalid --connect-to '{s}' (expected HOST:PORT:HOST2:PORT2; empty fields mean any/unchanged)")
        };
        let (h1, rest) = split_host(s).ok_or_else(bad)?;
        let (p1, rest) = rest.split_once(':').ok_or_else(bad)?;
        let (h2, p2) = split_host(rest).ok_or_else(bad)?;
        let opt_host = |h: &str| (!h.is_empty()).then(|| bare(h));
        let opt_port = |p: &str| match p {
            "" => Ok(None),
            p => port(p).map(Some).ok_or_else(bad),
        };
        Ok(Reroute {
            from_host: opt_host(h1),
            from_port: opt_port(p1)?,
            to_host: opt_host(h2),
            to_port: opt_port(p2)?,
            spec: s.to_string(),
        })
    }
}

impl Names {
    /// The `--resolve` addresses for `host:port`, if it is pinned.
    pub fn pinned(&self, host: &str, port: u16) -> Option<&[IpAddr]> {
        let pin = self
            .pins
            .iter()
            .find(|p| p.host == host && p.port == port)?;
        Some(&pin.addrs)
    }

    /// Where a connection for `host:port` goes instead, by the first `--connect-to` that
    /// matches.
    pub fn reroute(&self, host: &str, port: u16) -> (String, u16) {
        let matching = self.reroutes.iter().find(|r| {
            r.from_host.as_deref().is_none_or(|h| h == host)
                && r.from_port.is_none_or(|p| p == port)
        });
        match matching {
            Some(r) => (
                r.to_host.clone().unwrap_or_else(|| host.to_string()),
                r.to_port.unwrap_or(port),
            ),
            None => (host.to_string(), port),
        }
    }

    /// Whether `addr` is of the family `-4`/`-6` asks for.
    pub fn wanted(&self, addr: &SocketAddr) -> bool {
        match self.family {
            Family::Any => true,
            Family::V4 => addr.is_ipv4(),
            Family::V6 => addr.is_ipv6(),
        }
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
    fn resolve_pins_parse_with_v6_and_lists() {
        let p = Pin::parse("Example.org:443:127.0.0.1").unwrap();
        assert_eq!((p.host.as_str(), p.port), ("example.org", 443));
        let p = Pin::parse("[::1]:8080:[::1],127.0.0.2").unwrap();
        assert_eq!(p.host, "::1");
        assert_eq!(p.addrs.len(), 2);
        for bad in [
            "example.org:443",
            "x:0:127.0.0.1",
            "x:80:notanip",
            ":80:127.0.0.1",
        ] {
            assert!(Pin::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn connect_to_fields_may_be_empty() {
        let r = Reroute::parse("example.org:443:127.0.0.1:8443").unwrap();
        let names = Names {
            reroutes: vec![r],
            ..Names::default()
        };
        assert_eq!(
            names.reroute("example.org", 443),
            ("127.0.0.1".into(), 8443)
        );
        assert_eq!(names.reroute("example.org", 80), ("example.org".into(), 80));
        let names = Names {
            reroutes: vec![Reroute::parse("::localhost:").unwrap()],
            ..Names::default()
        };
        assert_eq!(names.reroute("a.test", 81), ("localhost".into(), 81));
        assert!(Reroute::parse("a:1:b").is_err());
    }
}
