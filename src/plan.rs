//! `Cli` → `Plan`: everything the rest of rq reads, fully resolved.
//!
//! The plan is built once: method, URL, headers and body are lowered into one [`Request`]
//! that `--offline`, `--curl`, the engine and the printer all read. Nothing downstream looks
//! at argv or the environment again; what the environment says (terminals, `NO_COLOR`,
//! `TERM`) arrives here as an [`Env`].

use std::fmt;
use std::time::Duration;

use anyhow::Result;
use url::Url;

use crate::body::{self, DataMode};
use crate::cli::{Cli, Pretty, Style};
use crate::error::usage;
use crate::httpfile::FileRequest;
use crate::stdin;
use crate::target::{self, SchemeDefault};
use crate::upload::Body;

/// Facts about the process environment that change behaviour.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub stdin_tty: bool,
    pub stdout_tty: bool,
    pub stderr_tty: bool,
    /// `NO_COLOR` is set and non-empty.
    pub no_color: bool,
    /// `TERM=dumb`.
    pub term_dumb: bool,
}

impl Env {
    pub fn detect() -> Env {
        use std::io::IsTerminal;
        Env {
            stdin_tty: std::io::stdin().is_terminal(),
            stdout_tty: std::io::stdout().is_terminal(),
            stderr_tty: std::io::stderr().is_terminal(),
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            term_dumb: std::env::var_os("TERM").is_some_and(|v| v == "dumb"),
        }
    }
}

/// The resolved invocation.
#[derive(Debug)]
pub struct Plan {
    pub request: Request,
    /// Further requests from a request file, sent in order after `request`.
    pub more: Vec<Request>,
    /// `--paginate`: follow `Link: rel="next"` headers.
    pub paginate: Option<Paginate>,
    pub mode: Mode,
    pub net: Net,
    pub output: Output,
    /// Map 3xx/4xx/5xx to exit codes 3/4/5 (default on).
    pub check_status: bool,
    /// 0 normal, 1 nothing on stdout, 2 no warnings either.
    pub quiet: u8,
    pub debug: bool,
    /// `-o`, `-d`, `-c`: the response body is saved, not printed (`download.rs`).
    pub download: Option<crate::download::Options>,
    /// Progress bars on stderr for downloads and large uploads: it is a terminal, no `-q`.
    pub progress: bool,
    /// Credentials, netrc, cookie jar and session file, consulted and updated around every
    /// hop (`state.rs`); a `RefCell` because the observers that call it only see `&Plan`.
    pub state: std::cell::RefCell<crate::state::State>,
}

/// Pagination settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paginate {
    /// Stop after this many pages (default: until the last).
    pub max_pages: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Send,
    /// `--offline`: print the request, send nothing.
    Offline,
    /// `--curl`: print an equivalent curl command.
    Curl,
}

/// One HTTP request, exactly as it goes on the wire.
#[derive(Debug, Clone)]
pub struct Request {
    /// Upper-cased method.
    pub method: String,
    pub url: Url,
    /// `--path-as-is`: the typed path, sent instead of `url.path()`.
    pub raw_path: Option<String>,
    /// Every header in send order (Host first), names as the user typed them.
    pub headers: Vec<Header>,
    /// Bytes in memory, or files and stdin streamed as the request is sent (`upload.rs`).
    pub body: Option<Body>,
}

/// A request header. Its `Debug` hides credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Header {
    pub name: String,
    pub value: Vec<u8>,
    /// rq computes this one from the URL on every hop (the `Host` header, unless given).
    pub auto_host: bool,
}

impl Header {
    pub fn new(name: impl Into<String>, value: impl Into<Vec<u8>>) -> Header {
        Header {
            name: name.into(),
            value: value.into(),
            auto_host: false,
        }
    }

    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// Headers that carry credentials: never shown by `--debug`, never sent across origins.
    pub fn is_credential(&self) -> bool {
        self.is("authorization") || self.is("proxy-authorization") || self.is("cookie")
    }
}

impl fmt::Debug for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_credential() {
            write!(f, "{}: (redacted)", self.name)
        } else {
            write!(f, "{}: {}", self.name, String::from_utf8_lossy(&self.value))
        }
    }
}

impl Request {
    /// The request-target of the request line.
    pub fn target(&self) -> String {
        match (&self.raw_path, self.url.query()) {
            (Some(p), Some(q)) => format!("{p}?{q}"),
            (Some(p), None) => p.clone(),
            (None, _) => target::request_target(&self.url),
        }
    }

    /// The absolute URI requested: the URL, or with `--path-as-is` the typed path on it.
    pub fn uri(&self) -> String {
        match &self.raw_path {
            Some(_) => format!(
                "{}://{}{}",
                self.url.scheme(),
                target::host_header(&self.url),
                self.target()
            ),
            None => self.url.to_string(),
        }
    }

    pub fn header(&self, name: &str) -> Option<&Header> {
        self.headers.iter().find(|h| h.is(name))
    }
}

/// Transport settings.
#[derive(Debug, Clone)]
pub struct Net {
    pub follow: bool,
    pub max_redirects: u32,
    pub connect_timeout: Duration,
    /// Idle timeout: no bytes for this long.
    pub idle_timeout: Option<Duration>,
    /// Whole exchange, redirects included.
    pub max_time: Option<Duration>,
    /// TLS, proxies, name resolution, `--unix-socket`, `--http-version` (`netplan.rs`).
    pub connect: crate::engine::settings::ConnectOptions,
    /// `--retry` and friends.
    pub retry: crate::engine::retry::Retry,
    /// `--debug`: the engine says what it decides on stderr.
    pub debug: bool,
}

/// Which parts of an exchange to print.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sections {
    pub request_headers: bool,
    pub request_body: bool,
    pub response_headers: bool,
    pub response_body: bool,
    pub meta: bool,
}

impl Sections {
    /// Parse `HBhbm` letters.
    pub fn parse(spec: &str, option: &str) -> Result<Sections> {
        let mut s = Sections::default();
        for c in spec.chars() {
            match c {
                'H' => s.request_headers = true,
                'B' => s.request_body = true,
                'h' => s.response_headers = true,
                'b' => s.response_body = true,
                'm' => s.meta = true,
                _ => {
                    return Err(usage(format!(
                        "invalid {option} value '{spec}': '{c}' is not one of H B h b m"
                    )))
                }
            }
        }
        Ok(s)
    }

    pub fn any_request(&self) -> bool {
        self.request_headers || self.request_body
    }
}

/// How to print.
#[derive(Debug, Clone)]
pub struct Output {
    pub sections: Sections,
    /// Sections for intermediary exchanges (redirects, auth challenges); `None` hides them.
    pub history: Option<Sections>,
    /// Colour theme; `None` means no escape codes at all.
    pub colors: Option<Style>,
    /// Indent JSON and other structured bodies.
    pub format: bool,
    pub json_indent: usize,
    pub json_sort_keys: bool,
    pub headers_sort: bool,
    /// `--response-mime`: the media type the printer assumes for responses.
    pub response_mime: Option<String>,
    /// `--response-charset`: the charset text responses are decoded from on a terminal.
    pub response_charset: Option<&'static encoding_rs::Encoding>,
    /// Flush line by line.
    pub stream: bool,
    /// stdout is a terminal: escape control characters, replace binary bodies by a note.
    pub terminal: bool,
    /// Warnings go to stderr (off with `-qq`).
    pub warnings: bool,
    /// The version on printed request lines: `HTTP/1.0` with `--http-version 1.0`.
    pub request_version: &'static str,
}

impl Plan {
    /// Resolve the command line. May read files named by items and standard input.
    pub fn from_cli(cli: Cli, env: &Env) -> Result<Plan> {
        let mut requests = Vec::new();
        let mut state = crate::state::State::new(&cli, env);
        match &cli.http_file {
            None => {
                let (method, url_arg, items) = split_positionals(&cli.args)?;
                requests.push(build_request(
                    &cli,
                    env,
                    method,
                    Some(url_arg),
                    items,
                    None,
                    &mut state,
                )?);
            }
            Some(path) => {
                let (method, url_arg, items) = split_positionals_for_file(&cli.args);
                for file in load_http_file(path)? {
                    let file = Some(&file);
                    let req = build_request(&cli, env, method, url_arg, items, file, &mut state)?;
                    requests.push(req);
                }
            }
        }
        let mut request = requests.remove(0);
        let download = crate::download::resolve(&cli, env, &mut request)?;
        Ok(Plan {
            mode: if cli.curl {
                Mode::Curl
            } else if cli.offline {
                Mode::Offline
            } else {
                Mode::Send
            },
            net: net(&cli)?,
            output: output(&cli, env)?,
            check_status: !cli.no_check_status,
            quiet: cli.quiet,
            debug: cli.debug,
            download,
            progress: env.stderr_tty && cli.quiet == 0,
            state: std::cell::RefCell::new(state),
            request,
            more: requests,
            paginate: cli.paginate.then_some(Paginate {
                max_pages: cli.max_pages,
            }),
        })
    }
}

/// Lower one request from the command line, on top of a request file's request if any:
/// the command line's method, URL, headers and items override what the file says.
fn build_request(
    cli: &Cli,
    env: &Env,
    method: Option<&str>,
    url_arg: Option<&str>,
    item_args: &[String],
    file: Option<&FileRequest>,
    state: &mut crate::state::State,
) -> Result<Request> {
    let url_arg = url_arg
        .or(file.map(|f| f.url.as_str()))
        .ok_or_else(|| usage("missing URL (usage: rq [METHOD] URL [ITEM ...])"))?;
    let mode = data_mode(cli);
    if let Some(b) = &cli.boundary {
        check_boundary(b)?;
    }
    let lowered = body::lower(item_args, mode, cli.boundary.as_deref())?;
    let scheme = scheme_default(cli)?;
    let mut url = target::resolve(url_arg, scheme, &lowered.query).map_err(usage)?;
    let raw_path = if cli.path_as_is {
        target::path_as_typed(url_arg)
    } else {
        None
    };
    let url_auth = take_url_credentials(&mut url);

    let has_item_body = lowered.body.is_some();
    let mut body = lowered.body;
    let mut content_type = lowered.content_type;
    if let Some(raw) = &cli.raw {
        if has_item_body {
            return Err(usage(
                "--raw can't be mixed with data items or a @file body",
            ));
        }
        body = Some(Body::Bytes(raw.clone().into_bytes()));
        content_type = Some(default_raw_type(mode).into());
    }
    // (stdin is the request file itself with `--http-file -`, and never a body then)
    // `--offline` and `--curl` read it too: they show the request that would be sent.
    if !cli.ignore_stdin && !env.stdin_tty && cli.http_file.is_none() {
        if body.is_some() {
            if stdin::glance() == stdin::Glance::Data {
                return Err(usage(
                    "request body from stdin can't be mixed with data items, --raw or @file: \
                         pass -I to ignore stdin, or drop the items",
                ));
            }
        } else {
            let quiet = cli.quiet;
            let data = crate::upload::from_stdin(|| {
                    if quiet < 2 {
                        eprintln!(
                            "rq: warning: no stdin data after 10 s; pass -I (--ignore-stdin) if the request has no body"
                        );
                    }
                })
                .map_err(|e| usage(format!("can't read stdin: {e}")))?;
            if data.is_some() {
                body = data;
                content_type = Some(default_raw_type(mode).into());
            }
        }
    }

    let cli_body = body.is_some();
    let mut file_headers: Vec<(String, Vec<u8>)> = Vec::new();
    if let Some(file) = file {
        file_headers = file.headers.clone();
        if cli_body {
            // The command line's body brings its own type.
            file_headers.retain(|(n, _)| !n.eq_ignore_ascii_case("content-type"));
        } else {
            body = file.body.clone().map(Body::Bytes);
            content_type = None;
        }
    }
    let method = match method
        .map(str::to_string)
        .or(file.map(|f| f.method.clone()))
    {
        Some(m) => m.to_ascii_uppercase(),
        None if body.is_some() => "POST".into(),
        None => "GET".into(),
    };
    // A JSON body (items, or stdin and --raw in the default JSON mode) asks for JSON back.
    let json_accept = lowered.json_body
        || (cli.json && !cli.form)
        || content_type.as_deref() == Some("application/json");
    let auth = state.authorization(&url, url_auth)?;
    let typed: [&[(String, Vec<u8>)]; 2] = [&file_headers, &lowered.headers];
    let mut headers = build_headers(
        &url,
        &[&state.session_headers(), typed[0], typed[1]],
        &lowered.removed,
        content_type.as_deref(),
        body.as_ref(),
        json_accept,
        auth,
    );
    state.settle(&mut headers, &url, &typed)?;
    let mut request = Request {
        method,
        url,
        raw_path,
        headers,
        body,
    };
    crate::netplan::frame(&mut request, cli)?;
    check_header_values(&request.headers)?;
    Ok(request)
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
    removed: &[String],
    content_type: Option<&str>,
    body: Option<&Body>,
    json_accept: bool,
    auth: Option<Vec<u8>>,
) -> Vec<Header> {
    let mut headers = vec![
        Header {
            auto_host: true,
            ..Header::new("Host", target::host_header(url))
        },
        Header::new("User-Agent", concat!("rq/", env!("CARGO_PKG_VERSION"))),
        Header::new("Accept-Encoding", "gzip, deflate, br, zstd"),
        Header::new(
            "Accept",
            if json_accept {
                "application/json, */*;q=0.5"
            } else {
                "*/*"
            },
        ),
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
    if let Some(body) = body.filter(|_| !headers.iter().any(framed)) {
        headers.push(match body.len() {
            Some(n) => Header::new("Content-Length", n.to_string()),
            // Only a large stdin pipe has no length up front.
            None => Header::new("Transfer-Encoding", "chunked"),
        });
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

fn secs(option: &str, value: f64) -> Result<Duration> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            usage(format!(
                "invalid {option} '{value}': expected a positive number of seconds"
            ))
        })
}

fn net(cli: &Cli) -> Result<Net> {
    Ok(Net {
        // -d implies --follow (SPEC §6).
        follow: cli.follow || cli.download,
        max_redirects: cli.max_redirects,
        connect_timeout: secs("--connect-timeout", cli.connect_timeout)?,
        idle_timeout: cli.timeout.map(|t| secs("--timeout", t)).transpose()?,
        max_time: cli.max_time.map(|t| secs("--max-time", t)).transpose()?,
        connect: crate::netplan::connect(cli)?,
        retry: crate::netplan::retry(cli)?,
        debug: cli.debug,
    })
}

/// `-d` prints headers on stderr, so stderr's terminal decides colours and sanitising then.
fn screen_tty(cli: &Cli, env: &Env) -> bool {
    match cli.download && !cli.offline && !cli.curl {
        true => env.stderr_tty,
        false => env.stdout_tty,
    }
}

fn output(cli: &Cli, env: &Env) -> Result<Output> {
    let pretty = cli.pretty.unwrap_or(if screen_tty(cli, env) {
        Pretty::All
    } else {
        Pretty::None
    });
    let colors_allowed = !env.no_color && !env.term_dumb;
    let colors =
        (matches!(pretty, Pretty::All | Pretty::Colors) && colors_allowed).then_some(cli.style);
    let mut out = Output {
        sections: sections(cli, env)?,
        history: None,
        colors,
        format: matches!(pretty, Pretty::All | Pretty::Format),
        json_indent: 4,
        json_sort_keys: cli.sorted,
        headers_sort: cli.sorted,
        response_mime: response_mime(cli)?,
        response_charset: response_charset(cli)?,
        stream: cli.stream,
        terminal: screen_tty(cli, env),
        warnings: cli.quiet < 2,
        request_version: match cli.http_version {
            Some(crate::cli::HttpVersion::Http10) => "HTTP/1.0",
            _ => "HTTP/1.1",
        },
    };
    for opts in &cli.format_options {
        apply_format_options(&mut out, opts)?;
    }
    if cli.verbose > 0 || cli.all || cli.history_print.is_some() {
        out.history = Some(match &cli.history_print {
            Some(p) => Sections::parse(p, "--history-print")?,
            None => out.sections,
        });
    }
    Ok(out)
}

fn sections(cli: &Cli, env: &Env) -> Result<Sections> {
    if cli.quiet > 0 {
        return Ok(Sections::default());
    }
    if let Some(p) = &cli.print {
        return Sections::parse(p, "--print");
    }
    if cli.verbose > 0 {
        let mut s = Sections::parse("HBhb", "-v")?;
        s.meta = cli.verbose > 1;
        return Ok(s);
    }
    if cli.headers || cli.body || cli.meta {
        return Ok(Sections {
            response_headers: cli.headers,
            response_body: cli.body,
            meta: cli.meta,
            ..Sections::default()
        });
    }
    if cli.offline {
        return Sections::parse("HB", "--offline");
    }
    if cli.download {
        // The body is the download; the headers go to stderr when someone is watching.
        return Ok(Sections {
            response_headers: env.stderr_tty,
            ..Sections::default()
        });
    }
    Sections::parse(if env.stdout_tty { "hb" } else { "b" }, "--print")
}

fn response_mime(cli: &Cli) -> Result<Option<String>> {
    let Some(mime) = &cli.response_mime else {
        return Ok(None);
    };
    let (kind, sub) = mime
        .split(';')
        .next()
        .unwrap_or("")
        .split_once('/')
        .unwrap_or(("", ""));
    if kind.trim().is_empty() || sub.trim().is_empty() {
        return Err(usage(format!(
            "invalid --response-mime '{mime}' (expected TYPE/SUBTYPE, e.g. application/json)"
        )));
    }
    Ok(Some(mime.trim().to_string()))
}

fn response_charset(cli: &Cli) -> Result<Option<&'static encoding_rs::Encoding>> {
    let Some(label) = &cli.response_charset else {
        return Ok(None);
    };
    crate::print::charset::for_label(label).map(Some).ok_or_else(|| {
        usage(format!(
            "unknown charset '{label}' in --response-charset (e.g. utf-8, latin1, shift_jis, utf-16)"
        ))
    })
}

fn apply_format_options(out: &mut Output, spec: &str) -> Result<()> {
    for opt in spec.split(',').filter(|s| !s.is_empty()) {
        let bad = || {
            usage(format!(
                "invalid --format-options '{opt}' (expected json.indent:N, json.sort_keys:B, json.format:B or headers.sort:B)"
            ))
        };
        let (key, value) = opt.split_once(':').ok_or_else(bad)?;
        let flag = || match value {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(bad()),
        };
        match key {
            "json.indent" => {
                out.json_indent = value.parse().ok().filter(|n| *n <= 16).ok_or_else(bad)?
            }
            "json.sort_keys" => out.json_sort_keys = flag()?,
            "json.format" => out.format = flag()?,
            "headers.sort" => out.headers_sort = flag()?,
            _ => return Err(bad()),
        }
    }
    Ok(())
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

    #[test]
    fn sections_parse_rejects_unknown_letters() {
        assert!(Sections::parse("Hx", "--print").is_err());
        let s = Sections::parse("hb", "--print").unwrap();
        assert!(s.response_headers && s.response_body && !s.request_headers);
    }

    #[test]
    fn credential_headers_are_redacted_in_debug() {
        let h = Header::new("Authorization", "Basic c2VjcmV0");
        assert_eq!(format!("{h:?}"), "Authorization: (redacted)");
    }
}
