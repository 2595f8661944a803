//! The [`Client`]: one ureq agent with every library default that matters to a CLI
//! overridden in one place, rq's own hop-by-hop redirect loop, retries, and the errors of a
//! failed exchange in rq's words.

use std::io::{self, Read};
use std::time::{Duration, Instant};

use anyhow::Result;
use ureq::http;

use super::conn::Resend;
use super::http2::{self, Session, Timeouts};
use super::link::Parked;
use super::origins::{Budget, Origins, Route};
use super::response::{self, ResponseBody};
use super::retry::{self, Retry};
use super::settings::{ConnectOptions, Versions};
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

/// Sends requests; connections are kept between the exchanges of one client: HTTP/1.1
/// ones in ureq's pool, HTTP/2 ones per origin (`origins.rs`).
pub struct Client {
    agent: ureq::Agent,
    settings: Settings,
    origins: Origins,
}

impl Client {
    pub fn new(settings: Settings) -> Client {
        let opts = std::sync::Arc::new(settings.connect.clone());
        let parked = std::sync::Arc::new(Parked::default());
        let connector = connector::Connector::new(opts.clone(), parked.clone());
        let resolver = || resolve::Resolver::new(opts.clone(), parked.clone());
        let origins = Origins::new(
            settings.connect.versions,
            settings.connect.head,
            connector.clone(),
            resolver(),
            parked.clone(),
        );
        Client {
            agent: agent(&settings, connector, resolver()),
            settings,
            origins,
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Send `first`, following redirects when the settings say so, and return the final
    /// exchange with its body unread.
    pub fn exchange(&self, first: Request, observer: &mut dyn Observer) -> Result<Exchange> {
        let mut exchange = run(self, first, observer)?;
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
fn agent(
    net: &Settings,
    connector: connector::Connector,
    resolver: resolve::Resolver,
) -> ureq::Agent {
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
    ureq::Agent::with_parts(config, connector, resolver)
}

/// Send `first`, following redirects when `client.settings.follow` says so.
fn run(client: &Client, first: Request, observer: &mut dyn Observer) -> Result<Exchange> {
    let net = &client.settings;
    let mut request = first;
    let mut hop = 0u32;
    // Requests sent so far, redirects and answered challenges alike.
    let mut sent = 0u32;
    loop {
        observer.before(&mut request, sent)?;
        if net.debug {
            debug_sending(&request);
        }
        let started = Instant::now();
        let (head, body) = send(client, &request, sent, observer)?;
        sent += 1;
        let answer = observer.after(&request, &head)?;
        let exchange = Exchange {
            request,
            head,
            body,
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

/// Why an attempt failed: the network (retried as `--retry` allows), or showing the
/// request (never retried).
enum Failure {
    Net(ureq::Error),
    Shown(anyhow::Error),
}

/// One HTTP exchange up to the response head, attempted again as `--retry` allows: the
/// head as the server sent it, and the body unread. The request is shown to the observer
/// once, as it goes out (`hop` counts the requests sent before it).
///
/// Some failures are the engine's to repair once, before `--retry` is asked, whatever the
/// method (nothing reached the server's application), unless the body can be read only
/// once (stdin): a request that fails on a reused HTTP/1.1 connection before any byte of a
/// response comes back found the connection closed by the server, so it goes again on a new
/// one; an HTTP/2 server that refused the stream or left it out of a `GOAWAY` gets it again;
/// one that answers `HTTP_1_1_REQUIRED` gets it over HTTP/1.1.
fn send(
    client: &Client,
    req: &Request,
    hop: u32,
    observer: &mut dyn Observer,
) -> Result<(Head, ResponseBody)> {
    let net = &client.settings;
    let method = http::Method::from_bytes(req.method.as_bytes())
        .map_err(|_| crate::error::usage(format!("invalid method '{}'", req.method)))?;
    let version = match net.connect.versions {
        Versions::Http10 => http::Version::HTTP_10,
        _ => http::Version::HTTP_11,
    };
    let line = (method, req.uri(), version);
    let replayable = req.body.as_ref().is_none_or(Body::replayable);
    let host = || target::host_header(&req.url);
    let mut shown = false;
    let attempt = || {
        let result = once(client, &line, req, hop, observer, &mut shown);
        let again = match &result {
            Err(Failure::Net(e)) if replayable => resend(e, net.connect.versions),
            _ => None,
        };
        let result = match again {
            Some((why, http11)) => {
                if net.debug {
                    eprintln!("rq: debug: {}: {why}", host());
                }
                if http11 {
                    client
                        .origins
                        .require_http11(&line.1.parse().unwrap_or_default());
                }
                once(client, &line, req, hop, observer, &mut shown)
            }
            None => result,
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
    let judge = |result: &Result<(Head, ResponseBody), Failure>| match result {
        Ok((head, _)) => retry::status(head),
        Err(Failure::Net(e)) => retry::failure(e, || failure_message(e, req)),
        Err(Failure::Shown(_)) => None,
    };
    net.retry
        .run(&req.method, replayable, attempt, judge)
        .map_err(|f| match f {
            Failure::Net(e) => network_error(e, req),
            Failure::Shown(e) => e,
        })
}

/// Whether the engine sends a failed attempt again by itself (see [`send`]), why in a
/// `--debug` line, and whether over HTTP/1.1 (not when `--http-version 2` asked for HTTP/2).
fn resend(e: &ureq::Error, versions: Versions) -> Option<(String, bool)> {
    if wire::stale() && closed(e) {
        let why = format!("the server had closed the reused connection ({e}); sending the request again on a new one");
        return Some((why, false));
    }
    let explained = conn::explanation(e)?;
    match explained.resend {
        Resend::No => None,
        Resend::Unprocessed => Some((
            format!(
                "{}; the server did not process it, sending it again",
                explained.message
            ),
            false,
        )),
        Resend::Http11 if versions != Versions::Negotiate => None,
        Resend::Http11 => Some((
            format!("{}; sending it again over HTTP/1.1", explained.message),
            true,
        )),
    }
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

/// One attempt: learn how the request goes out (`origins.rs`), show it as it goes, and
/// send it over HTTP/1.x (ureq) or HTTP/2.
fn once(
    client: &Client,
    line: &(http::Method, String, http::Version),
    req: &Request,
    hop: u32,
    observer: &mut dyn Observer,
    shown: &mut bool,
) -> Result<(Head, ResponseBody), Failure> {
    timing::RECORDER.start();
    wire::start();
    let net = &client.settings;
    let deadline = net.max_time.map(|t| Instant::now() + t);
    let budget = Budget {
        connect: net.connect_timeout,
        deadline,
    };
    let route = match line.1.parse::<http::Uri>() {
        Ok(uri) => client.origins.route(&uri, client.agent.config(), budget),
        Err(e) => Err(ureq::Error::BadUri(e.to_string())),
    };
    if !std::mem::replace(shown, true) {
        // Shown even when the connection failed: in the HTTP/1.1 form, as nothing was
        // negotiated.
        let version = match &route {
            Ok(Route::Http2(_)) => http::Version::HTTP_2,
            _ => line.2,
        };
        observer
            .sending(req, hop, version)
            .map_err(Failure::Shown)?;
    }
    let sent = match route.map_err(Failure::Net)? {
        Route::Http1 => http1(&client.agent, line, req, observer),
        Route::Http2(session) => {
            let timeouts = Timeouts {
                idle: net.idle_timeout,
                deadline,
            };
            over_http2(&session, req, observer, timeouts)
        }
    };
    sent.map_err(Failure::Net)
}

/// An attempt over HTTP/2, on `session`.
fn over_http2(
    session: &Session,
    req: &Request,
    observer: &mut dyn Observer,
    timeouts: Timeouts,
) -> Result<(Head, ResponseBody), ureq::Error> {
    // No socket to splice from: the body comes in frames.
    direct::publish(None);
    let (head, body) = match &req.body {
        None => http2::exchange(session, req, None, timeouts)?,
        Some(Body::Bytes(bytes)) if bytes.is_empty() => {
            http2::exchange(session, req, None, timeouts)?
        }
        Some(Body::Bytes(bytes)) => http2::exchange(session, req, Some(&mut &bytes[..]), timeouts)?,
        Some(body) => {
            let mut reader = observer.upload(body.reader(), body.len());
            http2::exchange(session, req, Some(&mut reader), timeouts)?
        }
    };
    Ok((head, ResponseBody::http2(body)))
}

/// An attempt over HTTP/1.x: `req` with its request line `line`, on a connection ureq has
/// pooled, or one it opens (or the one parked for it, `origins.rs`).
fn http1(
    agent: &ureq::Agent,
    line: &(http::Method, String, http::Version),
    req: &Request,
    observer: &mut dyn Observer,
) -> Result<(Head, ResponseBody), ureq::Error> {
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
    Ok((
        wire::take_head().unwrap_or(parts),
        ResponseBody::http1(body),
    ))
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
