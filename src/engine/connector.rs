//! rq's connector: how a connection to a target is opened, below HTTP.
//!
//! ureq's own connector chain takes one proxy for the whole agent, always tunnels through
//! HTTP proxies with CONNECT, can't pin a TLS version and reports no timings. rq replaces it
//! with this one (ureq keeps the protocol, the pool and the timeouts): for each connection it
//! picks the route for the target's scheme and host — `--unix-socket`, a proxy from
//! `--proxy`/the environment, or direct — opens it, adds TLS for https targets
//! (`tls.rs`) and wraps the result in [`Timed`] so the `m` section can say where the time
//! went. Proxies are chosen per connection, so each redirect hop gets its own.

use std::fmt;
use std::io;
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use ureq::http::Uri;
use ureq::unversioned::transport::time::{Duration as UDuration, Instant as UInstant};
use ureq::unversioned::transport::{
    ConnectionDetails, Connector as UConnector, LazyBuffers, NextTimeout, Transport,
};
use ureq::Error;

use super::proxy::{self, Proxies};
use super::resolve::Names;
use super::socket::{self, SocketTransport};
use super::timing::{Remote, Timed, RECORDER};
use super::tls::{self, TlsOptions};

/// Everything below HTTP that the command line controls (SPEC §4), resolved by the plan.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    pub tls: TlsOptions,
    pub proxies: Proxies,
    /// `--resolve`, `--connect-to`, `-4`/`-6`.
    pub names: Names,
    /// `--unix-socket PATH`: every connection goes to this socket, proxies are not used.
    pub unix_socket: Option<PathBuf>,
    /// `--http-version 1.0` (default 1.1).
    pub http10: bool,
}

/// A connection failure rq can explain in one line (TLS, proxies, `--unix-socket`, `-4`/`-6`).
/// It travels through ureq inside an `io::Error`; the engine prints its message as it is.
#[derive(Debug)]
pub struct Explained {
    pub message: String,
    /// Worth another attempt with `--retry` (e.g. a SOCKS proxy that couldn't reach the host).
    pub transient: bool,
    /// The user's input is at fault (a CA file, key or password): exit 64, nothing was sent.
    pub usage: bool,
}

impl fmt::Display for Explained {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Explained {}

/// A ureq error carrying an [`Explained`] message.
pub fn explained(message: impl Into<String>) -> Error {
    Error::Io(io::Error::other(Explained {
        message: message.into(),
        transient: false,
        usage: false,
    }))
}

/// Like [`explained`], for a failure that is the user's input (exit 64).
pub fn usage_error(message: impl Into<String>) -> Error {
    Error::Io(io::Error::other(Explained {
        message: message.into(),
        transient: false,
        usage: true,
    }))
}

/// The [`Explained`] inside `err`, if there is one.
pub fn explanation(err: &Error) -> Option<&Explained> {
    match err {
        Error::Io(e) => e.get_ref()?.downcast_ref::<Explained>(),
        _ => None,
    }
}

/// The scheme, host and port a connection is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub https: bool,
    /// Without the brackets of an IPv6 literal.
    pub host: String,
    pub port: u16,
}

impl Target {
    pub fn of(uri: &Uri) -> Result<Target, Error> {
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(Error::BadUri(format!("not an http(s) URL: {uri}"))),
        };
        let host = uri
            .host()
            .ok_or_else(|| Error::BadUri(format!("no host in {uri}")))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        Ok(Target {
            https,
            host: host.to_ascii_lowercase(),
            port: uri.port_u16().unwrap_or(if https { 443 } else { 80 }),
        })
    }

    /// `host:port`, with brackets around an IPv6 literal.
    pub fn authority(&self) -> String {
        authority(&self.host, self.port)
    }
}

/// `host:port`, with brackets around an IPv6 literal.
pub fn authority(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// rq's [`ureq::unversioned::transport::Connector`]; see the module docs.
#[derive(Debug)]
pub struct Connector {
    opts: Arc<ConnectOptions>,
    tls: tls::Client,
}

impl Connector {
    pub fn new(opts: Arc<ConnectOptions>) -> Connector {
        let tls = tls::Client::new(opts.tls.clone());
        Connector { opts, tls }
    }

    fn open(
        &self,
        details: &ConnectionDetails,
        target: &Target,
    ) -> Result<(Box<dyn Transport>, Remote), Error> {
        if let Some(path) = &self.opts.unix_socket {
            let transport = socket::unix(path, details, !target.https)?;
            return Ok((transport, Remote::Unix(path.clone())));
        }
        if let Some(via) = self.opts.proxies.for_target(target.https, &target.host) {
            let hop = proxy::Hop {
                proxy: via,
                target,
                names: &self.opts.names,
                tls: &self.tls,
            };
            return hop.open(details);
        }
        let stream = tcp_connect(&details.addrs, details)?;
        let remote = Remote::Tcp(stream.peer_addr()?);
        Ok((tcp_transport(stream, details, !target.https)?, remote))
    }
}

impl UConnector<()> for Connector {
    type Out = Box<dyn Transport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        _chained: Option<()>,
    ) -> Result<Option<Self::Out>, Error> {
        let target = Target::of(details.uri)?;
        let (transport, remote) = self.open(details, &target)?;
        let transport = match target.https {
            true => self.tls.wrap(transport, &target.host, details)?,
            false => transport,
        };
        Ok(Some(Box::new(Timed::new(transport, remote))))
    }
}

/// The part of the connect budget (`--connect-timeout`, or less of `--max-time`) not yet
/// spent since ureq started connecting.
pub fn remaining(details: &ConnectionDetails) -> NextTimeout {
    let mut timeout = details.timeout;
    if let (UInstant::Exact(since), UDuration::Exact(after)) = (details.now, timeout.after) {
        timeout.after = UDuration::Exact(after.saturating_sub(since.elapsed()));
    }
    timeout
}

/// Connect to the first of `addrs` that answers, within the connect budget. An address
/// that refuses moves on to the next one at once; one that doesn't answer gets half of what
/// is left when others follow, so a dead IPv6 route can't eat the whole budget.
pub fn tcp_connect(addrs: &[SocketAddr], details: &ConnectionDetails) -> Result<TcpStream, Error> {
    let timeout = remaining(details);
    let started = Instant::now();
    let deadline = timeout.not_zero().map(|d| started + *d);
    let mut last = None;
    for (i, addr) in addrs.iter().enumerate() {
        let result = match deadline {
            None => TcpStream::connect(addr),
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                let share = if i + 1 < addrs.len() { left / 2 } else { left };
                TcpStream::connect_timeout(addr, share)
            }
        };
        match result {
            Ok(stream) => {
                // Requests are written whole; Nagle would only delay them.
                stream.set_nodelay(true)?;
                RECORDER.add_connect(started.elapsed());
                return Ok(stream);
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                ) =>
            {
                last = Some(Error::Timeout(timeout.reason));
            }
            Err(e) => last = Some(Error::Io(e)),
        }
    }
    Err(last.unwrap_or(Error::Timeout(timeout.reason)))
}

/// The transport over a connected TCP socket, with the agent's buffer sizes; `offer` as in
/// [`SocketTransport::new`].
pub fn tcp_transport(
    stream: TcpStream,
    details: &ConnectionDetails,
    offer: bool,
) -> Result<Box<dyn Transport>, Error> {
    Ok(Box::new(SocketTransport::new(stream, details, offer)?))
}

pub fn buffers(details: &ConnectionDetails) -> LazyBuffers {
    LazyBuffers::new(
        details.config.input_buffer_size(),
        details.config.output_buffer_size(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_keep_the_host_bare_and_fill_in_the_port() {
        let t = Target::of(&"https://[::1]/x".parse().unwrap()).unwrap();
        assert_eq!((t.host.as_str(), t.port, t.https), ("::1", 443, true));
        assert_eq!(t.authority(), "[::1]:443");
        let t = Target::of(&"http://Example.ORG:8080/".parse().unwrap()).unwrap();
        assert_eq!(t.authority(), "example.org:8080");
    }

    #[test]
    fn explained_errors_are_found_again() {
        let err = explained("proxy said no");
        assert_eq!(explanation(&err).unwrap().message, "proxy said no");
        assert!(explanation(&Error::HostNotFound).is_none());
    }
}
