//! One invocation end to end: plan → engine → printer → exit code.

use std::cell::Cell;
use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Result;
use clap::{CommandFactory, Parser};
use ureq::http;

use crate::cli::Cli;
use crate::engine::{self, Exchange, Observer};
use crate::error::{fail, usage, ExitCode};
use crate::paginate::Pages;
use crate::plan::{Env, Mode, Plan, Request, Sections};
use crate::print::{BodyInfo, Printer};

/// Set when writing to stdout failed with a broken pipe: `rq … | head` then exits 0 quietly.
pub static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Parse argv and run. `Ok` carries the exit code for a completed exchange.
pub fn main(args: Vec<OsString>) -> Result<ExitCode> {
    if wants_long_help(&args) {
        let _ = write!(Stdout, "{}", Cli::command().render_long_help());
        return Ok(ExitCode::Ok);
    }
    let args = crate::args::prepare(args, true);
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => return clap_error(e),
    };
    if let Some(kind) = cli.generate {
        let mut out = io::BufWriter::new(Stdout);
        crate::generate::generate(kind, &mut out)?;
        out.flush()?;
        return Ok(ExitCode::Ok);
    }
    let env = Env::detect();
    let plan = Plan::from_cli(cli, &env)?;
    if plan.debug {
        eprintln!("rq {}", env!("CARGO_PKG_VERSION"));
        match crate::args::config_dir() {
            Some(dir) => eprintln!("config dir: {}", dir.display()),
            None => eprintln!("config dir: none (no home directory)"),
        }
        eprintln!("{plan:#?}");
    }
    let out = io::BufWriter::with_capacity(64 * 1024, Stdout);
    let mut printer = Printer::new(out, plan.output.clone());
    let code = match plan.mode {
        Mode::Offline => {
            for request in std::iter::once(&plan.request).chain(&plan.more) {
                printer.request(request, plan.output.sections)?;
            }
            ExitCode::Ok
        }
        Mode::Curl => {
            let digest = plan.state.borrow().digest_for_curl(&plan.request.url);
            let line = crate::curl::command(&plan.request, &plan.net, digest);
            printer.finish()?;
            writeln!(Stdout, "{line}")?;
            return Ok(ExitCode::Ok);
        }
        Mode::Send if plan.download.as_ref().is_some_and(|d| d.download) => {
            // `-d`: what is printed goes to stderr; the body goes to its file (or stdout).
            let agent = engine::agent(&plan.net);
            let mut printer = Printer::new(io::stderr(), plan.output.clone());
            let code = send(&plan, &agent, &plan.request, &mut printer)?;
            printer.finish()?;
            code
        }
        Mode::Send if plan.paginate.is_some() => {
            let agent = engine::agent(&plan.net);
            paginate(&plan, &agent, &mut printer)?
        }
        Mode::Send => {
            // Requests from a file go in order and stop at the first that fails.
            let agent = engine::agent(&plan.net);
            let mut code = ExitCode::Ok;
            for request in std::iter::once(&plan.request).chain(&plan.more) {
                code = send(&plan, &agent, request, &mut printer)?;
                if code != ExitCode::Ok {
                    break;
                }
            }
            code
        }
    };
    printer.finish()?;
    Ok(code)
}

/// `rq help`, or `--help` together with `--long`: the full text (plain `--help` is the short
/// cheat sheet).
fn wants_long_help(args: &[OsString]) -> bool {
    let rest = args.get(1..).unwrap_or_default();
    rest == ["help"] || (rest.iter().any(|a| a == "--help") && rest.iter().any(|a| a == "--long"))
}

/// `--help` and `--version` print and succeed; any other clap error is a one-line usage error.
fn clap_error(e: clap::Error) -> Result<ExitCode> {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            // `rq --help | head` must not panic on the closed pipe.
            let _ = write!(Stdout, "{e}");
            Ok(ExitCode::Ok)
        }
        _ => {
            let text = e.render().to_string();
            let first = text.lines().next().unwrap_or("invalid arguments");
            let first = first.strip_prefix("error: ").unwrap_or(first);
            Err(usage(format!("{first} (see rq --help)")))
        }
    }
}

struct Watcher<'a, W: Write> {
    printer: &'a mut Printer<W>,
    first_sections: Sections,
    history: Option<Sections>,
    /// Cookies, credentials and the session, decided per hop.
    state: &'a std::cell::RefCell<crate::state::State>,
    /// Show a bar for large uploads (stderr is a terminal).
    progress: bool,
}

impl<W: Write> Observer for Watcher<'_, W> {
    fn sending(&mut self, request: &Request, hop: u32) -> Result<()> {
        let sections = if hop == 0 {
            self.first_sections
        } else {
            match self.history {
                Some(h) => h,
                None => return Ok(()),
            }
        };
        self.printer.request(request, sections)
    }

    fn before(&mut self, request: &mut Request, hop: u32) -> Result<()> {
        self.state.borrow_mut().before(request, hop)
    }

    fn upload<'b>(
        &mut self,
        body: Box<dyn Read + Send + 'b>,
        len: Option<u64>,
    ) -> engine::UploadReader<'b> {
        if !self.progress || len.is_some_and(|n| n < crate::progress::UPLOAD_MIN) {
            return body;
        }
        let bar = crate::progress::Progress::new(true, "upload", len, 0);
        Box::new(crate::progress::Counted::new(body, bar).clearing_at(len))
    }

    fn after(
        &mut self,
        request: &Request,
        response: &http::Response<ureq::Body>,
    ) -> Result<Option<Request>> {
        self.state.borrow_mut().after(request, response)
    }

    fn intermediate(&mut self, exchange: Exchange) -> Result<()> {
        let Some(sections) = self.history else {
            return Ok(());
        };
        let (parts, body) = exchange.response.into_parts();
        if sections.response_headers {
            self.printer.response_head(&parts)?;
        }
        if sections.response_body {
            let info = body_info(&parts, false);
            let (mut reader, _) = decoded(body, &parts);
            self.printer.response_body(&mut reader, &info)?;
        }
        Ok(())
    }
}

fn send<W: Write>(
    plan: &Plan,
    agent: &ureq::Agent,
    request: &Request,
    printer: &mut Printer<W>,
) -> Result<ExitCode> {
    send_page(plan, agent, request, printer).map(|(code, _)| code)
}

/// One exchange, printed; also returns the `rel="next"` link when paginating.
fn send_page<W: Write>(
    plan: &Plan,
    agent: &ureq::Agent,
    request: &Request,
    printer: &mut Printer<W>,
) -> Result<(ExitCode, Option<Request>)> {
    let mut watcher = Watcher {
        first_sections: plan.output.sections,
        history: plan.output.history,
        printer,
        state: &plan.state,
        progress: plan.progress,
    };
    let exchange = engine::run(agent, &plan.net, request.clone(), &mut watcher)?;
    let printer = watcher.printer;
    let sections = plan.output.sections;
    let next = match plan.paginate {
        Some(_) => {
            let values = crate::paginate::links(exchange.response.headers());
            crate::paginate::next_link(values.iter().map(String::as_str), &exchange.request.url)
                .map(|url| crate::paginate::next_request(&exchange.request, &url))
                .transpose()?
        }
        None => None,
    };
    // Taken whatever happens, so no later response finds this one's socket.
    let offer = engine::direct::take();
    let direct = offer
        .filter(|_| exchange.request.method != "HEAD")
        .map(|offer| crate::download::Direct {
            offer,
            idle: plan.net.idle_timeout,
            deadline: plan.net.max_time.map(|t| exchange.started + t),
        });
    let (parts, body) = exchange.response.into_parts();
    if sections.response_headers {
        printer.response_head(&parts)?;
    }
    if let Some(download) = &plan.download {
        // `-o`, `-d`, `-c`: the body goes to a file (or to stdout, as received).
        let received = match crate::download::save(download, &parts, body, direct)? {
            crate::download::Saved::Complete => return Ok((ExitCode::Ok, next)),
            crate::download::Saved::Written { received } => received,
            crate::download::Saved::Skipped => 0,
        };
        if sections.meta {
            printer.meta(&engine::timing::RECORDER.meta(parts.version, received))?;
        }
        return Ok((status_code(plan, &parts), next));
    }
    let counter = Rc::new(Cell::new(0u64));
    let received = counter.clone();
    let (mut reader, unknown) = decoded(body, &parts);
    if !unknown.is_empty() && plan.quiet < 2 {
        eprintln!(
            "rq: warning: unknown Content-Encoding '{}': the body is shown as received",
            unknown.join(", ")
        );
    }
    let mut counted = Counting {
        inner: &mut reader,
        count: counter,
    };
    let read = if sections.response_body {
        let info = body_info(&parts, plan.output.stream);
        printer
            .response_body(&mut counted, &info)
            .map_err(|e| into_body_error(e, received.get()))
    } else if sections.meta {
        // The metadata reports the bytes received, so the body is read even when not shown.
        io::copy(&mut counted, &mut io::sink()).map_err(|e| body_error(e, received.get()))
    } else {
        Ok(0)
    };
    read?;
    if sections.meta {
        printer.meta(&engine::timing::RECORDER.meta(parts.version, received.get()))?;
    }
    Ok((status_code(plan, &parts), next))
}

/// `--paginate`: with `-v`/`--all`, every page is printed as its own exchange; otherwise
/// the pages' bodies are joined into one stream (see `paginate.rs`).
fn paginate<W: Write>(
    plan: &Plan,
    agent: &ureq::Agent,
    printer: &mut Printer<W>,
) -> Result<ExitCode> {
    let max_pages = plan.paginate.and_then(|p| p.max_pages);
    if plan.output.history.is_some() {
        return paginate_verbose(plan, agent, printer, max_pages);
    }
    let mut pages = Pages::new(
        agent,
        &plan.net,
        &plan.state,
        plan.check_status,
        plan.quiet < 2,
        max_pages,
    );
    printer.request(&plan.request, plan.output.sections)?;
    let exchange = engine::run(
        agent,
        &plan.net,
        plan.request.clone(),
        &mut Quiet(&plan.state),
    )?;
    let (parts, body) = exchange.response.into_parts();
    let sections = plan.output.sections;
    if sections.response_headers {
        printer.response_head(&parts)?;
    }
    let info = body_info(&parts, plan.output.stream);
    pages.add(Exchange {
        request: exchange.request,
        response: http::Response::from_parts(parts.clone(), body),
        started: exchange.started,
    })?;
    if sections.response_body {
        printer.response_body(&mut pages, &info)?;
    } else {
        io::copy(&mut pages, &mut io::sink())?;
    }
    if let Some(e) = pages.error.take() {
        return Err(e);
    }
    match pages.failed {
        Some((code, status)) => {
            if !plan.output.terminal && plan.quiet < 2 {
                let reason = http::StatusCode::from_u16(status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("");
                eprintln!("rq: warning: HTTP {status} {reason}");
            }
            Ok(code)
        }
        None => Ok(status_code(plan, &parts)),
    }
}

/// `--paginate -v`: each page as its own exchange.
fn paginate_verbose<W: Write>(
    plan: &Plan,
    agent: &ureq::Agent,
    printer: &mut Printer<W>,
    max_pages: Option<u32>,
) -> Result<ExitCode> {
    let mut request = plan.request.clone();
    let mut page = 1u32;
    loop {
        let (code, next) = send_page(plan, agent, &request, printer)?;
        match next {
            Some(next) if code == ExitCode::Ok && max_pages.is_none_or(|m| page < m) => {
                request = next;
                page += 1;
            }
            _ => return Ok(code),
        }
    }
}

/// Announces nothing (pages after the first are not printed in joined mode), but keeps
/// cookies, per-hop credentials, Digest answers and the session going for every page.
pub struct Quiet<'a>(pub &'a std::cell::RefCell<crate::state::State>);

impl Observer for Quiet<'_> {
    fn sending(&mut self, _: &Request, _: u32) -> Result<()> {
        Ok(())
    }

    fn intermediate(&mut self, _: Exchange) -> Result<()> {
        Ok(())
    }

    fn before(&mut self, request: &mut Request, hop: u32) -> Result<()> {
        self.0.borrow_mut().before(request, hop)
    }

    fn after(
        &mut self,
        request: &Request,
        response: &http::Response<ureq::Body>,
    ) -> Result<Option<Request>> {
        self.0.borrow_mut().after(request, response)
    }
}

fn status_code(plan: &Plan, parts: &http::response::Parts) -> ExitCode {
    let status = parts.status.as_u16();
    if !plan.check_status {
        return ExitCode::Ok;
    }
    let code = ExitCode::for_status(status);
    if code != ExitCode::Ok && !plan.output.terminal && plan.quiet < 2 {
        let reason = parts.status.canonical_reason().unwrap_or("");
        eprintln!("rq: warning: HTTP {status} {reason}");
    }
    code
}

fn body_info(parts: &http::response::Parts, stream: bool) -> BodyInfo {
    let header = |name: http::HeaderName| {
        parts
            .headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    let content_type = header(http::header::CONTENT_TYPE);
    let encoded = parts.headers.contains_key(http::header::CONTENT_ENCODING);
    let mime = content_type.as_deref().unwrap_or("").to_ascii_lowercase();
    let auto_stream =
        mime.starts_with("text/event-stream") || mime.starts_with("application/x-ndjson");
    BodyInfo {
        content_type,
        // After decoding, the length on the wire says nothing about the printed size.
        content_length: header(http::header::CONTENT_LENGTH)
            .filter(|_| !encoded)
            .and_then(|v| v.trim().parse().ok()),
        stream: stream || auto_stream,
    }
}

fn decoded(body: ureq::Body, parts: &http::response::Parts) -> (Box<dyn Read + Send>, Vec<String>) {
    let encoding = parts
        .headers
        .get(http::header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok());
    engine::decoded_reader(Box::new(body.into_reader()), encoding)
}

/// A body that ends early is a network error (exit 1) that says how much arrived, unless
/// it was our own stdout that closed.
fn body_error(e: io::Error, received: u64) -> anyhow::Error {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return e.into();
    }
    if crate::error::timeout_of(&e).is_some() {
        return anyhow::Error::new(e)
            .context(format!("reading the body failed after {received} bytes"));
    }
    fail(
        ExitCode::Error,
        format!("reading the body failed after {received} bytes: {e}"),
    )
}

fn into_body_error(e: anyhow::Error, received: u64) -> anyhow::Error {
    match e.downcast::<io::Error>() {
        Ok(io) => body_error(io, received),
        Err(other) => other,
    }
}

struct Counting<'a> {
    inner: &'a mut dyn Read,
    count: Rc<Cell<u64>>,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// stdout that records a broken pipe, so the exit path can tell it from a network error.
struct Stdout;

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        io::stdout().lock().write(buf).inspect_err(note_broken_pipe)
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stdout().lock().flush().inspect_err(note_broken_pipe)
    }
}

fn note_broken_pipe(e: &io::Error) {
    if e.kind() == io::ErrorKind::BrokenPipe {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
}
