//! The connection toolbox every transport layer shares: the [`Target`] of a connection,
//! errors rq explains in one line ([`Explained`]), the connect budget ([`remaining`]), a TCP
//! connect within it ([`tcp_connect`]) and the agent's buffer sizes ([`buffers`]).
//!
//! It is the bottom of the engine's transport stack, as ureq's `transport/mod.rs` holds what
//! its connector layers share: sockets, TLS, SOCKS, the resolver, proxies and the connector
//! build on it, and it knows none of them.

use std::fmt;
use std::io;
use std::net::{SocketAddr, TcpStream};
use std::time::Instant;

use ureq::http::Uri;
use ureq::unversioned::transport::time::{Duration as UDuration, Instant as UInstant};
use ureq::unversioned::transport::{ConnectionDetails, LazyBuffers, NextTimeout};
use ureq::Error;

use super::timing::RECORDER;

/// A connection failure rq can explain in one line (TLS, proxies, `--unix-socket`, `-4`/`-6`).
/// It travels through ureq inside an `io::Error`; the engine prints its message as it is.
#[derive(Debug)]
pub struct Explained {
    pub message: String,
    /// Worth another attempt with `--retry` (e.g. a SOCKS proxy that couldn't reach the host).
    pub transient: bool,
    /// The user's input is at fault (a CA file, key or password): exit 64, nothing was sent.
    pub usage: bool,
    /// What the engine may do about it by itself, before `--retry` is asked.
    pub resend: Resend,
}

/// A failed attempt the engine sends again once by itself, as an HTTP/2 server allows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Resend {
    #[default]
    No,
    /// The server did not process the request (`REFUSED_STREAM`, or a `GOAWAY` that left
    /// it out): it may go again, on a new connection if this one is closing.
    Unprocessed,
    /// The server answered `HTTP_1_1_REQUIRED`: send it again over HTTP/1.1.
    Http11,
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
        resend: Resend::No,
    }))
}

/// Like [`explained`], for a failure that is the user's input (exit 64).
pub fn usage_error(message: impl Into<String>) -> Error {
    Error::Io(io::Error::other(Explained {
        message: message.into(),
        transient: false,
        usage: true,
        resend: Resend::No,
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
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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

/// Input and output buffers of the sizes the agent is configured with.
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
