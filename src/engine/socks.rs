//! SOCKS5 (RFC 1928) with username/password authentication (RFC 1929).
//!
//! rq speaks it itself rather than through ureq's SOCKS connector, which reads the one
//! agent-wide proxy setting: rq chooses proxies per target scheme and per hop. `socks5://`
//! sends the address rq resolved; `socks5h://` sends the host name for the proxy to resolve.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::Instant;

use ureq::unversioned::transport::ConnectionDetails;
use ureq::Error;

use super::conn::{explained, remaining, Explained, Target};
use super::settings::{ProxyKind, ProxyUrl};
use super::timing::RECORDER;

/// Ask the SOCKS5 proxy on `stream` to connect to `target`. `resolved` is the target's
/// address when rq resolved it (`socks5://`).
pub fn handshake(
    stream: &mut TcpStream,
    proxy: &ProxyUrl,
    target: &Target,
    resolved: Option<SocketAddr>,
    details: &ConnectionDetails,
) -> Result<(), Error> {
    let started = Instant::now();
    let timeout = remaining(details);
    let limit = timeout.not_zero().map(|d| *d);
    stream.set_read_timeout(limit)?;
    stream.set_write_timeout(limit)?;
    let result = negotiate(stream, proxy, target, resolved).map_err(|e| match e {
        Step::Io(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ) =>
        {
            Error::Timeout(timeout.reason)
        }
        Step::Io(e) => explained(format!("SOCKS proxy {proxy} failed: {e}")),
        Step::Said(message, transient) => Error::Io(std::io::Error::other(Explained {
            message: format!("SOCKS proxy {proxy} {message}"),
            transient,
            usage: false,
            resend: Default::default(),
        })),
    });
    // ureq's TCP transport sets its own timeouts only when they change from "none".
    stream.set_read_timeout(None)?;
    stream.set_write_timeout(None)?;
    RECORDER.add_connect(started.elapsed());
    result
}

enum Step {
    Io(std::io::Error),
    /// What the proxy said, and whether trying again may help.
    Said(String, bool),
}

impl From<std::io::Error> for Step {
    fn from(e: std::io::Error) -> Step {
        Step::Io(e)
    }
}

fn said(message: impl Into<String>) -> Step {
    Step::Said(message.into(), false)
}

fn negotiate(
    s: &mut TcpStream,
    proxy: &ProxyUrl,
    target: &Target,
    resolved: Option<SocketAddr>,
) -> Result<(), Step> {
    let credentials = proxy.credentials();
    // Offer "no authentication", and username/password when we have them.
    let greeting: &[u8] = match credentials {
        Some(_) => &[5, 2, 0, 2],
        None => &[5, 1, 0],
    };
    s.write_all(greeting)?;
    let mut choice = [0u8; 2];
    s.read_exact(&mut choice)?;
    match (choice, credentials) {
        ([5, 0], _) => {}
        ([5, 2], Some((user, pass))) => authenticate(s, user, pass)?,
        ([5, 0xff], None) => {
            return Err(said(
                "requires a user name and password: put user:pass@ in the proxy URL",
            ))
        }
        ([5, _], _) => {
            return Err(said(
                "accepts none of the authentication methods rq offered",
            ))
        }
        _ => return Err(said("did not answer as a SOCKS5 proxy")),
    }
    let mut request = vec![5, 1, 0];
    match (proxy.kind, resolved) {
        (ProxyKind::Socks5, Some(addr)) => push_ip(&mut request, addr.ip()),
        _ => match target.host.parse::<IpAddr>() {
            Ok(ip) => push_ip(&mut request, ip),
            Err(_) => {
                let name = target.host.as_bytes();
                let len = u8::try_from(name.len())
                    .map_err(|_| said("can't take a host name over 255 bytes"))?;
                request.extend_from_slice(&[3, len]);
                request.extend_from_slice(name);
            }
        },
    }
    request.extend_from_slice(&target.port.to_be_bytes());
    s.write_all(&request)?;
    let mut reply = [0u8; 4];
    s.read_exact(&mut reply)?;
    if reply[1] != 0 {
        let (why, transient) = reply_text(reply[1]);
        return Err(Step::Said(
            format!("couldn't connect to {}: {why}", target.authority()),
            transient,
        ));
    }
    // The bound address that follows is of no use to rq, but must be read past.
    let skip = match reply[3] {
        1 => 4 + 2,
        4 => 16 + 2,
        3 => {
            let mut len = [0u8];
            s.read_exact(&mut len)?;
            usize::from(len[0]) + 2
        }
        _ => return Err(said("sent a malformed reply")),
    };
    s.read_exact(&mut vec![0u8; skip])?;
    Ok(())
}

fn authenticate(s: &mut TcpStream, user: &str, pass: &str) -> Result<(), Step> {
    let (u, p) = (user.as_bytes(), pass.as_bytes());
    let too_long = || said("can't take a user name or password over 255 bytes");
    let mut msg = vec![1, u8::try_from(u.len()).map_err(|_| too_long())?];
    msg.extend_from_slice(u);
    msg.push(u8::try_from(p.len()).map_err(|_| too_long())?);
    msg.extend_from_slice(p);
    s.write_all(&msg)?;
    let mut status = [0u8; 2];
    s.read_exact(&mut status)?;
    if status[1] != 0 {
        return Err(said("refused the user name and password in the proxy URL"));
    }
    Ok(())
}

fn push_ip(out: &mut Vec<u8>, ip: IpAddr) {
    match ip {
        IpAddr::V4(v4) => {
            out.push(1);
            out.extend_from_slice(&v4.octets());
        }
        IpAddr::V6(v6) => {
            out.push(4);
            out.extend_from_slice(&v6.octets());
        }
    }
}

/// RFC 1928 §6 reply codes, and whether another attempt may get through.
fn reply_text(code: u8) -> (&'static str, bool) {
    match code {
        1 => ("general failure", true),
        2 => ("not allowed by the proxy's rules", false),
        3 => ("network unreachable", true),
        4 => ("host unreachable", true),
        5 => ("connection refused", true),
        6 => ("TTL expired", true),
        7 => ("command not supported", false),
        8 => ("address type not supported", false),
        _ => ("unknown error", false),
    }
}
