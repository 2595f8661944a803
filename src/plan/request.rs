//! Lowering the command line into [`Request`]s, in small steps: the URL, the body (items,
//! `--raw`, stdin), a request file's request underneath, the method, the headers
//! (defaults, session, typed, credentials, cookies), and the framing that goes on the wire.

use std::time::Instant;

use anyhow::Result;
use url::Url;

use super::base::Base;
use crate::body::{self, DataMode, Lowered};
use crate::cli::Cli;
use crate::diagnostics::Diagnostics;
use crate::env::Env;
use crate::error::usage;
use crate::httpfile::FileRequest;
use crate::request::{Header, Request, ACCEPT_ANY, ACCEPT_ENCODING, ACCEPT_JSON, USER_AGENT};
use crate::state::State;
use crate::stdin;
use crate::target::{self, SchemeDefault};
use crate::upload::Body;

/// Every request of the invocation: the one on the command line, or each of a request
/// file's with the command line's method, URL and items over it.
pub fn all(
    cli: &Cli,
    env: &Env,
    diag: &Diagnostics,
    deadline: Option<Instant>,
    state: &mut State,
) -> Result<Vec<Request>> {
    let ctx = Context {
        cli,
        env,
        diag,
        mode: data_mode(cli),
        deadline,
    };
    if let Some(b) = &cli.boundary {
        check_boundary(b)?;
    }
    let bases = match (&cli.http_file, &cli.from_curl_command) {
        (Some(_), Some(_)) => {
            return Err(usage(
                "--http-file and --from-curl each give the request: use one of them",
            ))
        }
        (Some(path), None) => load_http_file(path)?.into_iter().map(Base::from).collect(),
        (None, Some(command)) => vec![super::fromcurl::base(command)?],
        (None, None) => {
            let (method, url_arg, items) = split_positionals(&cli.args)?;
            return Ok(vec![ctx.build(
                method,
                Some(url_arg),
                items,
                None,
                state,
            )?]);
        }
    };
    let (method, url_arg, items) = split_positionals_for_file(&cli.args);
    bases
        .iter()
        .map(|base| ctx.build(method, url_arg, items, Some(base), state))
        .collect()
}

/// What every step reads.
struct Context<'a> {
    cli: &'a Cli,
    env: &'a Env,
    diag: &'a Diagnostics,
    mode: DataMode,
    /// `--max-time` from rq's start: it bounds the wait for a body on stdin.
    deadline: Option<Instant>,
}

/// A body and the `Content-Type` that goes with it.
type Payload = (Option<Body>, Option<String>);

impl Context<'_> {
    /// Lower one request from the command line, on top of a request file's request if any:
    /// the command line's method, URL, headers and items override what the file says.
    fn build(
        &self,
        method: Option<&str>,
        url_arg: Option<&str>,
        item_args: &[String],
        file: Option<&Base>,
        state: &mut State,
    ) -> Result<Request> {
        let url_arg = url_arg
            .or(file.map(|f| f.url.as_str()))
            .ok_or_else(|| usage("missing URL (usage: rq [METHOD] URL [ITEM ...])"))?;
        let mut lowered = body::lower(item_args, self.mode, self.cli.boundary.as_deref())?;
        let boundary = lowered.content_type.as_deref().and_then(boundary_of);
        let (url, raw_path, url_auth) = self.url(url_arg, &lowered)?;
        let method = method.or(file.map(|f| f.method.as_str()));
        let payload = self.payload((lowered.body.take(), lowered.content_type.take()), method)?;
        let (file_headers, (body, content_type)) = under_file(file, payload);
        let removed: Vec<&String> = lowered
            .removed
            .iter()
            .chain(file.iter().flat_map(|f| &f.removed))
            .collect();
        let method = match method.map(str::to_string) {
            Some(m) => m.to_ascii_uppercase(),
            None if body.is_some() => "POST".into(),
            None => "GET".into(),
        };
        // A JSON body (items, or stdin and --raw in the default JSON mode) asks for JSON back.
        let json_accept = lowered.json_body
            || (self.cli.json && !self.cli.form)
            || content_type.as_deref() == Some("application/json");
        let auth = state.authorization(&url, url_auth)?;
        let typed: [&[(String, Vec<u8>)]; 2] = [&file_headers, &lowered.headers];
        let defaults = Defaults {
            content_type: content_type.as_deref(),
            body: body.as_ref(),
            empty_body: body.is_none() && carries_body(&method),
            json_accept,
            auth,
        };
        let layers = [&state.session_headers()[..], typed[0], typed[1]];
        let mut headers = build_headers(&url, &layers, &removed, defaults);
        if let Some(boundary) = boundary {
            add_boundary(&mut headers, &boundary);
        }
        state.settle(&mut headers, &url, &typed)?;
        let mut request = Request {
            method,
            url,
            raw_path,
            headers,
            body,
        };
        super::net::frame(&mut request, self.cli)?;
        check_header_values(&request.headers)?;
        check_framing(&request)?;
        Ok(request)
    }

    /// The URL with the query items, the typed path for `--path-as-is`, and the
    /// credentials taken out of it.
    fn url(&self, url_arg: &str, lowered: &Lowered) -> Result<(Url, Option<String>, UrlAuth)> {
        let scheme = scheme_default(self.cli)?;
        let mut url = target::resolve(url_arg, scheme, &lowered.query).map_err(usage)?;
        let raw_path = match self.cli.path_as_is {
            true => target::path_as_typed(url_arg),
            false => None,
        };
        let url_auth = take_url_credentials(&mut url);
        Ok((url, raw_path, url_auth))
    }

    /// The body from items (`items`), `--raw` or stdin, and its type.
    fn payload(&self, items: Payload, method: Option<&str>) -> Result<Payload> {
        let cli = self.cli;
        let mut payload = items;
        if let Some(raw) = &cli.raw {
            if payload.0.is_some() {
                return Err(usage(
                    "--raw can't be mixed with data items or a @file body",
                ));
            }
            payload = (
                Some(Body::Bytes(raw.clone().into_bytes())),
                Some(default_raw_type(self.mode).into()),
            );
        }
        // (stdin is the request file itself with `--http-file -`, and never a body then; a
        // curl command's body is in the command, as curl reads stdin only when told to)
        // `--offline` and `--curl` read it too: they show the request that would be sent.
        let given = cli.http_file.is_some() || cli.from_curl_command.is_some();
        if cli.ignore_stdin || self.env.stdin_tty || given {
            return Ok(payload);
        }
        let glance_only = payload.0.is_some() || method.is_some_and(bodyless);
        let prefix = match glance_only {
            false => Vec::new(),
            true => match stdin::glance() {
                stdin::Glance::Data(_) if payload.0.is_some() => {
                    return Err(usage(
                        "request body from stdin can't be mixed with data items, --raw or \
                         @file: pass -I to ignore stdin, or drop the items",
                    ))
                }
                stdin::Glance::Data(prefix) => prefix,
                stdin::Glance::Empty | stdin::Glance::Idle => return Ok(payload),
            },
        };
        let diag = self.diag;
        let wait = stdin::Wait {
            patience: self.env.stdin_patience,
            deadline: self.deadline,
        };
        let data = crate::upload::from_stdin(prefix, wait, || {
            diag.warn(format_args!(
                "no stdin data after {} s; pass -I (--ignore-stdin) if the request has no body",
                wait.patience.as_secs_f64()
            ))
        })
        .map_err(stdin_error)?;
        match data {
            Some(data) => Ok((Some(data), Some(default_raw_type(self.mode).into()))),
            None => Ok(payload),
        }
    }
}

/// Methods that do not normally carry a body: with one of them typed, stdin is only
/// glanced at, so an idle pipe never holds the request up (SPEC §1).
fn bodyless(method: &str) -> bool {
    ["GET", "HEAD", "DELETE", "OPTIONS"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method))
}

/// `--max-time` running out while rq waits for stdin is a timeout (exit 2); anything else
/// that goes wrong reading it is a usage error (nothing was sent).
fn stdin_error(e: std::io::Error) -> anyhow::Error {
    if crate::error::timeout_of(&e).is_some() {
        return crate::error::fail(
            crate::error::ExitCode::Timeout,
            "timed out waiting for the request body on stdin: --max-time ran out; pass -I \
             (--ignore-stdin) if the request has no body",
        );
    }
    usage(format!("can't read stdin: {e}"))
}

/// Credentials typed in the URL: user and password.
type UrlAuth = Option<(String, Option<String>)>;

/// A request file's (or curl command's) request under the command line's: its headers, and
/// its body unless the command line has one (which then brings its own type).
fn under_file(file: Option<&Base>, payload: Payload) -> (Vec<(String, Vec<u8>)>, Payload) {
    let Some(file) = file else {
        return (Vec::new(), payload);
    };
    let mut headers = file.headers.clone();
    if payload.0.is_some() {
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case("content-type"));
        return (headers, payload);
    }
    (headers, (file.body.clone(), None))
}

/// What decides the default headers besides the URL.
struct Defaults<'a> {
    content_type: Option<&'a str>,
    body: Option<&'a Body>,
    /// No body, for a method that has one: it says `Content-Length: 0`.
    empty_body: bool,
    json_accept: bool,
    auth: Option<Vec<u8>>,
}

/// The `boundary` parameter of a multipart `Content-Type`.
fn boundary_of(content_type: &str) -> Option<String> {
    let params = content_type.strip_prefix("multipart/")?.split(';').skip(1);
    params
        .filter_map(|p| p.trim().split_once('='))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, value)| value.trim().trim_matches('"').to_string())
}

/// A typed `Content-Type: multipart/form-data` without a boundary gets the body's, as in
/// httpie: without it the server could not split the parts.
fn add_boundary(headers: &mut [Header], boundary: &str) {
    for h in headers.iter_mut().filter(|h| h.is("content-type")) {
        let value = String::from_utf8_lossy(&h.value).into_owned();
        let multipart = value
            .trim_start()
            .get(..10)
            .is_some_and(|t| t.eq_ignore_ascii_case("multipart/"));
        if multipart && boundary_of(&value.to_ascii_lowercase()).is_none() {
            h.value = format!("{}; boundary={boundary}", value.trim_end()).into_bytes();
        }
    }
}

/// Methods whose requests carry a body, empty or not: POST, PUT and PATCH. Every client
/// sends them an empty one as `Content-Length: 0`; without it ureq would send a chunked
/// empty body, which some servers refuse (501).
fn carries_body(method: &str) -> bool {
    matches!(method, "POST" | "PUT" | "PATCH")
}

/// The framing headers must describe the body that goes out: a `Content-Length` that
/// disagrees with the body makes the server read another message than the one sent and
/// poisons the kept-alive connection. A typed one is refused rather than corrected, so the
/// mistake is seen where it was made; nothing is sent.
fn check_framing(req: &Request) -> Result<()> {
    let lengths = req.headers.iter().filter(|h| h.is("content-length"));
    let lengths: Vec<&[u8]> = lengths.map(|h| h.value.as_slice()).collect();
    if let Some(te) = req.header("transfer-encoding") {
        if !lengths.is_empty() {
            return Err(usage(
                "Content-Length and Transfer-Encoding can't both be sent: drop one (rq frames \
                 the body itself); nothing was sent",
            ));
        }
        let last = te.value.rsplit(|&b| b == b',').next().unwrap_or(&[]);
        if req.body.is_some() && !last.trim_ascii().eq_ignore_ascii_case(b"chunked") {
            return Err(usage(format!(
                "Transfer-Encoding: {} doesn't end in chunked, so the body would have no end \
                 on the wire; nothing was sent",
                String::from_utf8_lossy(&te.value)
            )));
        }
        return Ok(());
    }
    // A body streamed from a stdin pipe has no length to compare with.
    let body = match &req.body {
        None => Some(0),
        Some(body) => body.len(),
    };
    for value in lengths {
        let typed = String::from_utf8_lossy(value);
        let n: Option<u64> = typed.trim().parse().ok();
        match (n, body) {
            (None, _) => {
                return Err(usage(format!(
                    "invalid Content-Length '{typed}': expected a number of bytes"
                )))
            }
            (Some(n), Some(len)) if n != len => {
                return Err(usage(format!(
                    "Content-Length: {typed} doesn't match the body, which is {len} bytes: drop \
                     the header (rq sets it) or change the body; nothing was sent"
                )))
            }
            _ => {}
        }
    }
    Ok(())
}

/// Items are checked as they are parsed; this catches what reaches the headers by other
/// ways (`--bearer`, `-a`, a session file): a line break would add header lines of its own
/// on the wire, and other control characters are refused by servers. Nothing is sent.
fn check_header_values(headers: &[Header]) -> Result<()> {
    let bad = |b: &u8| b.is_ascii_control() && *b != b'\t';
    match headers.iter().find(|h| h.value.iter().any(bad)) {
        Some(h) => Err(usage(format!(
            "the {} header would contain a line break or control character (check -a, \
             --bearer, items and the session file); nothing was sent",
            h.name
        ))),
        None => Ok(()),
    }
}

/// `--boundary` as RFC 2046 allows it: 1 to 70 characters from its set, not ending in a
/// space.
fn check_boundary(boundary: &str) -> Result<()> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "'()+_,-./:=? ".contains(c);
    if boundary.is_empty() || boundary.len() > 70 || boundary.ends_with(' ') {
        return Err(usage(format!(
            "--boundary '{}': a boundary has 1 to 70 characters and doesn't end with a space",
            boundary.escape_debug()
        )));
    }
    match boundary.chars().find(|c| !allowed(*c)) {
        Some(c) => Err(usage(format!(
            "--boundary: {:?} is not allowed in a multipart boundary (letters, digits and \
             '()+_,-./:=? only)",
            c
        ))),
        None => Ok(()),
    }
}

/// With `--http-file`, positionals are optional: leading ones that are not request items
/// are `[METHOD] URL`, the rest are items.
fn split_positionals_for_file(args: &[String]) -> (Option<&str>, Option<&str>, &[String]) {
    let lead = args
        .iter()
        .take_while(|a| {
            // `http://…` and `:8080/x` would otherwise read as `Name:Value` headers.
            a.contains("://") || a.starts_with(':') || crate::items::parse_item(a).is_err()
        })
        .count()
        .min(2);
    match &args[..lead] {
        [method, url] => (Some(method.as_str()), Some(url.as_str()), &args[2..]),
        [url] => (None, Some(url.as_str()), &args[1..]),
        _ => (None, None, args),
    }
}

/// Read `--http-file PATH` (`-` for stdin).
fn load_http_file(path: &std::path::Path) -> Result<Vec<FileRequest>> {
    let text = if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut buf)
            .map_err(|e| usage(format!("can't read the request file from stdin: {e}")))?;
        buf
    } else {
        std::fs::read(path)
            .map_err(|e| usage(format!("can't read --http-file '{}': {e}", path.display())))?
    };
    crate::httpfile::parse(&text)
        .map_err(|e| usage(format!("invalid --http-file '{}': {e}", path.display())))
}

/// `[METHOD] URL [ITEM...]`: the first positional is a method only when it is all ASCII
/// letters and another positional follows (so `rq localhost` is a URL).
fn split_positionals(args: &[String]) -> Result<(Option<&str>, &str, &[String])> {
    match args {
        [] => Err(usage("missing URL (usage: rq [METHOD] URL [ITEM ...])")),
        [first, url, rest @ ..]
            if !first.is_empty() && first.bytes().all(|b| b.is_ascii_alphabetic()) =>
        {
            Ok((Some(first.as_str()), url.as_str(), rest))
        }
        [url, rest @ ..] => Ok((None, url.as_str(), rest)),
    }
}

fn data_mode(cli: &Cli) -> DataMode {
    if cli.multipart {
        DataMode::Multipart
    } else if cli.form {
        DataMode::Form
    } else {
        DataMode::Json
    }
}

fn default_raw_type(mode: DataMode) -> &'static str {
    match mode {
        DataMode::Json => "application/json",
        _ => "application/x-www-form-urlencoded; charset=utf-8",
    }
}

fn scheme_default(cli: &Cli) -> Result<SchemeDefault<'_>> {
    if cli.https {
        return Ok(SchemeDefault::Fixed("https"));
    }
    if cli.http {
        return Ok(SchemeDefault::Fixed("http"));
    }
    match cli.default_scheme.as_deref() {
        None => Ok(SchemeDefault::Auto),
        Some(s @ ("http" | "https")) => Ok(SchemeDefault::Fixed(s)),
        Some(other) => Err(usage(format!(
            "invalid --default-scheme '{other}' (expected http or https)"
        ))),
    }
}

/// Credentials in the URL (`user:pass@host`) become Basic auth and leave the URL, so they
/// are never printed as part of it.
fn take_url_credentials(url: &mut Url) -> Option<(String, Option<String>)> {
    if url.username().is_empty() && url.password().is_none() {
        return None;
    }
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let user = decode(url.username());
    let pass = url.password().map(decode);
    let _ = url.set_username("");
    let _ = url.set_password(None);
    Some((user, pass))
}

/// Defaults first (Host, User-Agent, Accept-Encoding, Accept, auth, Content-Type), each
/// replaced in place by a user header of the same name; other user headers follow in order.
fn build_headers(
    url: &Url,
    layers: &[&[(String, Vec<u8>)]],
    removed: &[&String],
    defaults: Defaults,
) -> Vec<Header> {
    let Defaults {
        content_type,
        body,
        empty_body,
        json_accept,
        auth,
    } = defaults;
    let mut headers = vec![
        Header::host(url),
        Header::new("User-Agent", USER_AGENT),
        Header::new("Accept-Encoding", ACCEPT_ENCODING),
        Header::new("Accept", if json_accept { ACCEPT_JSON } else { ACCEPT_ANY }),
    ];
    if let Some(value) = auth {
        headers.push(Header::new("Authorization", value));
    }
    if let Some(ct) = content_type {
        headers.push(Header::new("Content-Type", ct));
    }
    for layer in layers {
        overlay(&mut headers, layer);
    }
    headers.retain(|h| !removed.iter().any(|r| h.is(r)));
    let framed = |h: &Header| h.is("content-length") || h.is("transfer-encoding");
    if !headers.iter().any(framed) {
        match body.map(Body::len) {
            Some(Some(n)) => headers.push(Header::new("Content-Length", n.to_string())),
            // Only a large stdin pipe has no length up front.
            Some(None) => headers.push(Header::new("Transfer-Encoding", "chunked")),
            None if empty_body => headers.push(Header::new("Content-Length", "0")),
            None => {}
        }
    }
    headers
}

/// Put `layer` over `headers`: the first header of each name replaces an existing one in
/// place (keeping its position, taking the new casing); later ones are appended.
fn overlay(headers: &mut Vec<Header>, layer: &[(String, Vec<u8>)]) {
    let existing = headers.len();
    let mut replaced = vec![false; existing];
    for (name, value) in layer {
        let slot = headers[..existing]
            .iter()
            .position(|h| h.is(name))
            .filter(|&i| !replaced[i]);
        match slot {
            Some(i) => {
                replaced[i] = true;
                headers[i] = Header::new(name.clone(), value.clone());
            }
            None => headers.push(Header::new(name.clone(), value.clone())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_is_first_positional_only_when_letters_and_more_follow() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let a = s(&["localhost"]);
        assert_eq!(split_positionals(&a).unwrap().0, None);
        let a = s(&["post", "x.org", "a=1"]);
        assert_eq!(split_positionals(&a).unwrap().0, Some("post"));
        let a = s(&["x.org", "a=1"]);
        assert_eq!(split_positionals(&a).unwrap().0, None);
        let a = s(&["PROPFIND", "x.org"]);
        assert_eq!(split_positionals(&a).unwrap().1, "x.org");
    }
}
