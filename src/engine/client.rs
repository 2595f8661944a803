//! The [`Client`]: one ureq agent with every library default that matters to a CLI
//! overridden in one place, rq's own hop-by-hop redirect loop, retries, and the errors of a
//! failed exchange in rq's words.

use std::io::{self, Read};
use std::time::{Duration, Instant};

use anyhow::Result;
use ureq::http;

use super::response::{self, ResponseBody};
use super::retry::{self, Retry};
use super::settings::ConnectOptions;
use super::{conn, connector};
use super::{direct, redirect, resolve, timing, wire, Direct, Exchange, Head, Meta, Observer};
use crate::error::{fail, ExitCode, Timeout};
use crate::request::Request;
use crate::target;
use crate::upload::Body;

/// The engine's settings, resolved by the plan.
#[derive(Debug, Clone)]
pub struct Settings {
    pub follow: bool,
    pub max_redirects: u32,
    pub connect_timeout: Duration,
    /// Idle timeout: no bytes for this long.
    pub idle_timeout: Option<Duration>,
    /// Whole exchange, redirects included.
    pub max_time: Option<Duration>,
    /// TLS, proxies, name resolution, `--unix-socket`, `--http-version`.
    pub connect: ConnectOptions,
    /// `--retry` and friends.
    pub retry: Retry,
    /// `--debug`: the engine says what it decides on stderr.
    pub debug: bool,
}

/// Sends requests; connections are kept between the exchanges of one client.
pub struct Client {
    agent: ureq::Agent,
    settings: Settings,
}

impl Client {
    pub fn new(settings: Settings) -> Client {
        Client {
            agent: agent(&settings),
            settings,
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Send `first`, following redirects when the settings say so, and return the final
    /// exchange with its body unread.
    pub fn exchange(&self, first: Request, observer: &mut dyn Observer) -> Result<Exchange> {
        let mut exchange = run(&self.agent, &self.settings, first, observer)?;
        // Taken whatever happens, so no later response finds this one's socket.
        let offer = direct::take();
        exchange.direct = offer
            .filter(|_| exchange.request.method != "HEAD")
            .map(|offer| Direct {
                offer,
                idle: self.settings.idle_timeout,
                deadline: self.settings.max_time.map(|t| exchange.started + t),
            });
        Ok(exchange)
    }

    /// The `m` section for the last attempt, ending now, with `bytes` received.
    pub fn meta(&self, head: &Head, bytes: u64) -> Meta {
        timing::RECORDER.meta(head.version, bytes)
    }
}

/// The ureq agent with every default that matters to a CLI overridden, in one place.
fn agent(net: &Settings) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        // A 4xx/5xx is a response to print, not an error (rq maps it to an exit code itself).
        .http_status_as_error(false)
        // rq follows redirects itself, hop by hop, so it can print each hop, re-decide
        // credentials per origin and apply SPEC §4's method rules.
        .max_redirects(0)
        // rq writes every header itself (with the user's casing): no automatic ones.
        .user_agent(ureq::config::AutoHeaderValue::None)
        .accept(ureq::config::AutoHeaderValue::None)
        .accept_encoding(ureq::config::AutoHeaderValue::None)
        // No proxy from the environment until rq chooses one per scheme.
        .proxy(None)
        // Methods such as PURGE and PROPFIND are the user's business.
        .allow_non_standard_methods(true)
        // Timeouts: connect (default 30 s), idle (per read, httpie's --timeout), and the
        // whole exchange (--max-time, across redirects).
        .timeout_connect(Some(net.connect_timeout))
        .timeout_per_read(net.idle_timeout)
        .timeout_global(net.max_time)
        // ureq only ever sees the short head rq's transport makes of each response head
        // (wire.rs); the limits on what a server sends are rq's own (`--max-headers`).
        .max_response_header_size(64 * 1024)
        // Unused connections are not kept past the process anyway; one per host is enough.
        .max_idle_connections_per_host(1)
        // Reads from the socket of up to 256 KiB (ureq: 128 KiB): half the system calls for a
        // large body, measurably faster for a 1 GiB download, allocated on first use.
        .input_buffer_size(256 * 1024)
        .build();
    // rq's own connector and resolver (connector.rs): a proxy per target scheme and hop,
    // TLS set up on first use, --resolve/--connect-to/-4/-6, --unix-socket, and timings.
    let opts = std::sync::Arc::new(net.connect.clone());
    let connector = connector::Connector::new(opts.clone());
    ureq::Agent::with_parts(config, connector, resolve::Resolver::new(opts))
}

/// Send `first`, following redirects when `net.follow` says so.
fn run(
    agent: &ureq::Agent,
    net: &Settings,
    first: Request,
    observer: &mut dyn Observer,
) -> Result<Exchange> {
    let mut request = first;
    let mut hop = 0u32;
    // Requests sent so far, redirects and answered challenges alike.
    let mut sent = 0u32;
    loop {
        observer.before(&mut request, sent)?;
        observer.sending(&request, sent)?;
        if net.debug {
            debug_sending(&request);
        }
        sent += 1;
        let started = Instant::now();
        let (head, body) = send(agent, net, &request, observer)?;
        let answer = observer.after(&request, &head)?;
        let exchange = Exchange {
            request,
            head,
            body: ResponseBody::new(body),
            started,
            direct: None,
        };
        if let Some(answer) = answer {
            // An auth challenge answered: the same hop again, not a redirect.
            observer.intermediate(exchange)?;
            request = answer;
            continue;
        }
        let status = exchange.head.status.as_u16();
        let location = match location(&exchange.head) {
            Some(l) if net.follow && redirect::is_redirect(status) => l,
            _ => return Ok(exchange),
        };
        if hop >= net.max_redirects {
            return Err(fail(
                ExitCode::TooManyRedirects,
                format!(
                    "too many redirects: gave up after {} (--max-redirects {}), the next one pointed to {location}",
                    hop, net.max_redirects
                ),
            ));
        }
        let next = redirect::next_request(&exchange.request, status, &location)?;
        if net.debug {
            debug_redirect(&exchange.request, &next, status);
        }
        observer.intermediate(exchange)?;
        request = next;
        hop += 1;
    }
}

fn location(head: &Head) -> Option<String> {
    let value = head.headers.get(http::header::LOCATION)?;
    Some(String::from_utf8_lossy(value.as_bytes()).into_owned())
}

/// `--debug`: the request about to go out. Credential values never appear here: only which
/// headers go out.
fn debug_sending(request: &Request) {
    let names: Vec<&str> = request.headers.iter().map(|h| h.name.as_str()).collect();
    eprintln!(
        "rq: debug: sending {} {} with headers [{}]",
        request.method,
        request.uri(),
        names.join(", ")
    );
}

/// `--debug`: what a redirect hop changed (method, body, credentials dropped).
fn debug_redirect(prev: &Request, next: &Request, status: u16) {
    let dropped: Vec<&str> = prev
        .headers
        .iter()
        .filter(|h| !next.headers.iter().any(|n| n.is(&h.name)))
        .map(|h| h.name.as_str())
        .collect();
    eprintln!(
        "rq: debug: following {status} to {} as {}{}{}",
        next.uri(),
        next.method,
        if prev.body.is_some() && next.body.is_none() {
            " without the body"
        } else {
            ""
        },
        if dropped.is_empty() {
            String::new()
        } else {
            format!(", dropping {}", dropped.join(", "))
        }
    );
}

/// One HTTP exchange up to the response head, attempted again as `--retry` allows: the
/// head as the server sent it, and the body unread. A request that fails on a reused
/// connection before any byte of a response comes back found the connection closed by the
/// server, so it goes once more on a new one, whatever the method (nothing reached the
/// server's application); a body that can be read only once (stdin) is the exception.
fn send(
    agent: &ureq::Agent,
    net: &Settings,
    req: &Request,
    observer: &mut dyn Observer,
) -> Result<(Head, ureq::Body)> {
    let method = http::Method::from_bytes(req.method.as_bytes())
        .map_err(|_| crate::error::usage(format!("invalid method '{}'", req.method)))?;
    let version = match net.connect.http10 {
        true => http::Version::HTTP_10,
        false => http::Version::HTTP_11,
    };
    let line = (method, req.uri(), version);
    let replayable = req.body.as_ref().is_none_or(Body::replayable);
    let host = || target::host_header(&req.url);
    let attempt = || {
        let result = match once(agent, &line, req, observer) {
            Err(e) if replayable && wire::stale() && closed(&e) => {
                if net.debug {
                    eprintln!(
                        "rq: debug: {} had closed the reused connection ({e}); sending the \
                         request again on a new one",
                        host()
                    );
                }
                once(agent, &line, req, observer)
            }
            other => other,
        };
        if net.debug && result.is_ok() && wire::stopped() {
            eprintln!(
                "rq: debug: {} answered before the whole request was sent; the rest was not \
                 sent, and the connection is closed after the response",
                host()
            );
        }
        result
    };
    let judge = |result: &Result<(Head, ureq::Body), ureq::Error>| match result {
        Ok((head, _)) => retry::status(head),
        Err(e) => retry::failure(e, || failure_message(e, req)),
    };
    net.retry
        .run(&req.method, replayable, attempt, judge)
        .map_err(|e| network_error(e, req))
}

/// The connection ended under the request (closed or reset), as a server's idle timeout
/// does to a kept-alive one; a timeout is not that.
fn closed(err: &ureq::Error) -> bool {
    matches!(err, ureq::Error::Io(e) if matches!(
        e.kind(),
        io::ErrorKind::UnexpectedEof
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
    ))
}

/// One attempt: `req` with its request line `line`, on a pooled connection or a new one.
fn once(
    agent: &ureq::Agent,
    line: &(http::Method, String, http::Version),
    req: &Request,
    observer: &mut dyn Observer,
) -> Result<(Head, ureq::Body), ureq::Error> {
    timing::RECORDER.start();
    wire::start();
    let (method, uri, version) = line;
    let mut builder = http::Request::builder()
        .method(method.clone())
        .uri(uri)
        .version(*version);
    for h in &req.headers {
        builder = ureq_proto::client::header_raw(builder, &h.name, &h.value);
    }
    let response = match &req.body {
        Some(Body::Bytes(bytes)) => agent.run(builder.body(bytes.as_slice())?),
        // Streamed from disk or stdin; ureq keeps the Content-Length (or chunked) the plan
        // put in the headers.
        Some(body) => {
            let reader = observer.upload(body.reader(), body.len());
            let mut reader = Stoppable {
                inner: reader,
                left: body.len(),
            };
            agent.run(builder.body(ureq::SendBody::from_reader(&mut reader))?)
        }
        None => agent.run(builder.body(())?),
    }?;
    let (parts, body) = response.into_parts();
    // The head as the server sent it (the one ureq parsed is the wire's short form).
    Ok((wire::take_head().unwrap_or(parts), body))
}

/// A streamed request body as ureq reads it. Once the server has answered before the whole
/// request was sent (`wire.rs`), none of the rest goes out, so it is not read either: ureq
/// is only given the count it expects, to finish the request and read the response.
struct Stoppable<R> {
    inner: R,
    /// Bytes of the body not given to ureq yet, when the length is known.
    left: Option<u64>,
}

impl<R: Read> Read for Stoppable<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = match (wire::stopped(), self.left) {
            (false, _) => self.inner.read(buf)?,
            (true, Some(left)) => left.min(buf.len() as u64) as usize,
            (true, None) => 0,
        };
        if let Some(left) = &mut self.left {
            *left = left.saturating_sub(n as u64);
        }
        Ok(n)
    }
}

/// Name the target in network errors: `couldn't connect to localhost:9 (connection refused)`.
fn network_error(err: ureq::Error, req: &Request) -> anyhow::Error {
    if let ureq::Error::Timeout(_) = err {
        let which = response::timeout(&err).unwrap_or(Timeout::Whole);
        let host = target::host_header(&req.url);
        return anyhow::Error::new(which).context(format!("request to {host} failed"));
    }
    let code = match conn::explanation(&err) {
        Some(e) if e.usage => ExitCode::Usage,
        _ => ExitCode::Error,
    };
    fail(code, failure_message(&err, req))
}

/// One line for a failed attempt (also what `--retry` says it is retrying after).
fn failure_message(err: &ureq::Error, req: &Request) -> String {
    let host = target::host_header(&req.url);
    if let Some(which) = response::timeout(err) {
        return format!("request to {host} timed out: {which}");
    }
    // TLS, proxy and socket failures rq explained where they happened.
    if let Some(explained) = conn::explanation(err) {
        return explained.message.clone();
    }
    match err {
        ureq::Error::HostNotFound => format!(
            "couldn't resolve host '{}'",
            req.url.host_str().unwrap_or("")
        ),
        ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            format!("couldn't connect to {host}: connection refused")
        }
        ureq::Error::ConnectionFailed => format!("couldn't connect to {host}"),
        ureq::Error::Io(e) => format!("connection to {host} failed: {e}"),
        ureq::Error::Http(e) => format!("invalid request: {e}"),
        other => format!("request to {host} failed: {other}"),
    }
}
