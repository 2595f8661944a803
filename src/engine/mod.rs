//! The engine: one ureq agent, rq's own hop-by-hop redirect loop, and body decoding.
//!
//! The engine knows nothing about printing. It reports each request it is about to send and
//! each intermediary response to an [`Observer`], and returns the final exchange.

mod decode;
mod redirect;

use std::io::Read;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use ureq::http;

use crate::error::{fail, ExitCode};
use crate::plan::{Net, Request};
use crate::upload::Body;

pub use decode::decoded_reader;
pub use redirect::next_request as next_hop;

/// What the printer needs to hear while the engine works.
pub trait Observer {
    /// `request` is about to be sent; `hop` is 0 for the first request.
    fn sending(&mut self, request: &Request, hop: u32) -> Result<()>;
    /// A response that will not be the final one (a redirect being followed).
    fn intermediate(&mut self, exchange: Exchange) -> Result<()>;
    /// A streamed request body (file, multipart with files, stdin) is about to be sent;
    /// the observer may wrap it, e.g. to show upload progress. `len` is its length if known.
    fn upload<'a>(
        &mut self,
        body: Box<dyn Read + Send + 'a>,
        len: Option<u64>,
    ) -> UploadReader<'a> {
        let _ = len;
        body
    }
}

/// A request body on its way to the socket.
pub type UploadReader<'a> = Box<dyn Read + Send + 'a>;

/// One request and the response it got. The body has not been read yet.
pub struct Exchange {
    pub request: Request,
    pub response: http::Response<ureq::Body>,
    /// When the request was sent; the printer reports the elapsed time from here.
    pub started: Instant,
}

/// The ureq agent with every default that matters to a CLI overridden, in one place.
pub fn agent(net: &Net) -> ureq::Agent {
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
        // Large response headers are refused with an error rather than buffered without end.
        .max_response_header_size(256 * 1024)
        // Unused connections are not kept past the process anyway; one per host is enough.
        .max_idle_connections_per_host(1)
        .build();
    config.new_agent()
}

/// Send `first`, following redirects when `net.follow` says so.
pub fn run(
    agent: &ureq::Agent,
    net: &Net,
    first: Request,
    observer: &mut dyn Observer,
) -> Result<Exchange> {
    let mut request = first;
    let mut hop = 0u32;
    loop {
        observer.sending(&request, hop)?;
        let started = Instant::now();
        let response = send(agent, &request, observer)?;
        let exchange = Exchange {
            request,
            response,
            started,
        };
        let status = exchange.response.status().as_u16();
        let location = exchange
            .response
            .headers()
            .get(http::header::LOCATION)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let location = match location {
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
        observer.intermediate(exchange)?;
        request = next;
        hop += 1;
    }
}

/// One HTTP exchange up to the response head.
fn send(
    agent: &ureq::Agent,
    req: &Request,
    observer: &mut dyn Observer,
) -> Result<http::Response<ureq::Body>> {
    let method = http::Method::from_bytes(req.method.as_bytes())
        .map_err(|_| crate::error::usage(format!("invalid method '{}'", req.method)))?;
    let uri = match &req.raw_path {
        Some(_) => format!(
            "{}://{}{}",
            req.url.scheme(),
            crate::target::host_header(&req.url),
            req.target()
        ),
        None => req.url.to_string(),
    };
    let mut builder = http::Request::builder().method(method).uri(&uri);
    for h in &req.headers {
        builder = ureq_proto::client::header_raw(builder, &h.name, &h.value);
    }
    let result = match &req.body {
        Some(Body::Bytes(bytes)) => {
            agent.run(builder.body(bytes.as_slice()).context("invalid request")?)
        }
        // Streamed from disk or stdin; ureq keeps the Content-Length (or chunked) the
        // plan put in the headers.
        Some(body) => {
            let mut reader = observer.upload(body.reader(), body.len());
            let body = ureq::SendBody::from_reader(&mut reader);
            agent.run(builder.body(body).context("invalid request")?)
        }
        None => agent.run(builder.body(()).context("invalid request")?),
    };
    result.map_err(|e| network_error(e, req))
}

/// Name the target in network errors: `couldn't connect to localhost:9 (connection refused)`.
fn network_error(err: ureq::Error, req: &Request) -> anyhow::Error {
    let host = crate::target::host_header(&req.url);
    let what = match &err {
        ureq::Error::Timeout(_) => {
            return anyhow::Error::new(err).context(format!("request to {host} failed"));
        }
        ureq::Error::HostNotFound => format!(
            "couldn't resolve host '{}'",
            req.url.host_str().unwrap_or("")
        ),
        ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            format!("couldn't connect to {host}: connection refused")
        }
        ureq::Error::ConnectionFailed => format!("couldn't connect to {host}"),
        ureq::Error::Io(e) => format!("connection to {host} failed: {e}"),
        other => format!("request to {host} failed: {other}"),
    };
    fail(ExitCode::Error, what)
}

/// Elapsed time as shown in the `m` section.
pub fn seconds(d: Duration) -> String {
    format!("{:.3}s", d.as_secs_f64())
}
