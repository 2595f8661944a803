//! Name resolution: `--resolve`, `--connect-to`, `-4`/`-6`, and the DNS part of the timings.
//!
//! ureq resolves the target of every request before connecting; rq's [`Resolver`] answers
//! from `--connect-to` and `--resolve` first, looks the rest up with ureq's resolver (a
//! thread bounded by the connect timeout), keeps only the wanted address family, and skips
//! the lookup entirely where the other end resolves the name (an HTTP proxy, `socks5h://`,
//! `--unix-socket`). These apply where rq itself resolves names: direct connections,
//! `socks5://` targets and proxy hosts; curl also sends `--connect-to`'s host to a proxy.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver as UResolver};
use ureq::unversioned::transport::NextTimeout;
use ureq::Error;

use super::conn::{authority, explained, Target};
use super::connector::ConnectOptions;
use super::settings::ProxyKind;
use super::timing::RECORDER;

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

/// Every name-resolution override from the command line.
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
    /// The addresses to connect to for `host:port`: `--connect-to` first, then `--resolve`,
    /// then DNS; only those of the wanted family. Time spent counts as DNS time.
    pub fn lookup(
        &self,
        host: &str,
        port: u16,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, Error> {
        let started = Instant::now();
        let result = self.lookup_untimed(host, port, config, timeout);
        RECORDER.add_dns(started.elapsed());
        result
    }

    fn lookup_untimed(
        &self,
        host: &str,
        port: u16,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, Error> {
        let (host, port) = self.reroute(host, port);
        let found: Vec<SocketAddr> =
            if let Some(pin) = self.pins.iter().find(|p| p.host == host && p.port == port) {
                pin.addrs
                    .iter()
                    .map(|ip| SocketAddr::new(*ip, port))
                    .collect()
            } else if let Ok(ip) = host.parse::<IpAddr>() {
                vec![SocketAddr::new(ip, port)]
            } else {
                let uri: Uri = format!("http://{}/", authority(&host, port))
                    .parse()
                    .map_err(|_| Error::BadUri(format!("invalid host name '{host}'")))?;
                DefaultResolver::default()
                    .resolve(&uri, config, timeout)?
                    .iter()
                    .copied()
                    .collect()
            };
        let mut out = DefaultResolver::default().empty();
        for addr in found.into_iter().filter(|a| self.wanted(a)).take(16) {
            out.push(addr);
        }
        if out.is_empty() {
            let which = if self.family == Family::V4 {
                "IPv4 (-4)"
            } else {
                "IPv6 (-6)"
            };
            return Err(explained(format!("no {which} address for {host}")));
        }
        Ok(out)
    }

    fn reroute(&self, host: &str, port: u16) -> (String, u16) {
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

    fn wanted(&self, addr: &SocketAddr) -> bool {
        match self.family {
            Family::Any => true,
            Family::V4 => addr.is_ipv4(),
            Family::V6 => addr.is_ipv6(),
        }
    }
}

/// rq's [`ureq::unversioned::resolver::Resolver`]; see the module docs.
#[derive(Debug)]
pub struct Resolver {
    opts: Arc<ConnectOptions>,
}

impl Resolver {
    pub fn new(opts: Arc<ConnectOptions>) -> Resolver {
        Resolver { opts }
    }

    /// Whether rq connects to the target's own address (so must resolve its name).
    fn resolves_target(&self, target: &Target) -> bool {
        if self.opts.unix_socket.is_some() {
            return false;
        }
        match self.opts.proxies.for_target(target.https, &target.host) {
            None => true,
            Some(p) => p.kind == ProxyKind::Socks5,
        }
    }
}

impl UResolver for Resolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, Error> {
        let target = Target::of(uri)?;
        if !self.resolves_target(&target) {
            // Never used: the connector goes to the socket or the proxy instead.
            let mut none = self.empty();
            none.push(SocketAddr::from(([0, 0, 0, 0], target.port)));
            return Ok(none);
        }
        self.opts
            .names
            .lookup(&target.host, target.port, config, timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn pins_and_literals_skip_dns_and_respect_the_family() {
        let names = Names {
            pins: vec![Pin::parse("a.test:80:10.0.0.1,::1").unwrap()],
            family: Family::V6,
            ..Names::default()
        };
        let config = Config::default();
        let got = names
            .lookup("a.test", 80, &config, NextTimeout::default())
            .unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0], "[::1]:80".parse().unwrap());
        let err = names
            .lookup("127.0.0.1", 80, &config, NextTimeout::default())
            .unwrap_err();
        assert!(err.to_string().contains("no IPv6 (-6) address"), "{err}");
    }
}
