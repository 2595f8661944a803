//! Name resolution: `--resolve`, `--connect-to`, `-4`/`-6` (parsed in `settings.rs`), and the DNS
//! part of the timings.
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
use super::link::Parked;
use super::settings::{ConnectOptions, Family, Names, ProxyKind};
use super::timing::RECORDER;

/// The addresses to connect to for `host:port`: `--connect-to` first, then `--resolve`,
/// then DNS; only those of the wanted family. Time spent counts as DNS time.
pub fn lookup(
    names: &Names,
    host: &str,
    port: u16,
    config: &Config,
    timeout: NextTimeout,
) -> Result<ResolvedSocketAddrs, Error> {
    let started = Instant::now();
    let result = lookup_untimed(names, host, port, config, timeout);
    RECORDER.add_dns(started.elapsed());
    result
}

fn lookup_untimed(
    names: &Names,
    host: &str,
    port: u16,
    config: &Config,
    timeout: NextTimeout,
) -> Result<ResolvedSocketAddrs, Error> {
    let (host, port) = names.reroute(host, port);
    let found: Vec<SocketAddr> = if let Some(addrs) = names.pinned(&host, port) {
        addrs.iter().map(|ip| SocketAddr::new(*ip, port)).collect()
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
    for addr in found.into_iter().filter(|a| names.wanted(a)).take(16) {
        out.push(addr);
    }
    if out.is_empty() {
        let which = if names.family == Family::V4 {
            "IPv4 (-4)"
        } else {
            "IPv6 (-6)"
        };
        return Err(explained(format!("no {which} address for {host}")));
    }
    Ok(out)
}

/// rq's [`ureq::unversioned::resolver::Resolver`]; see the module docs.
#[derive(Debug)]
pub struct Resolver {
    opts: Arc<ConnectOptions>,
    parked: Arc<Parked>,
}

impl Resolver {
    pub fn new(opts: Arc<ConnectOptions>, parked: Arc<Parked>) -> Resolver {
        Resolver { opts, parked }
    }

    /// Whether rq connects to the target's own address (so must resolve its name): not
    /// when the connection is already open and parked for ureq (`link.rs`).
    pub fn resolves_target(&self, target: &Target) -> bool {
        if self.opts.unix_socket.is_some() || self.parked.holds(target) {
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
        lookup(&self.opts.names, &target.host, target.port, config, timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::settings::Pin;

    #[test]
    fn pins_and_literals_skip_dns_and_respect_the_family() {
        let names = Names {
            pins: vec![Pin::parse("a.test:80:10.0.0.1,::1").unwrap()],
            family: Family::V6,
            ..Names::default()
        };
        let config = Config::default();
        let got = lookup(&names, "a.test", 80, &config, NextTimeout::default()).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0], "[::1]:80".parse().unwrap());
        let err = lookup(&names, "127.0.0.1", 80, &config, NextTimeout::default()).unwrap_err();
        assert!(err.to_string().contains("no IPv6 (-6) address"), "{err}");
    }
}
