//! Delivering exchanges: each request through the engine with an observer that prints
//! every hop and keeps the per-run state, then the final response's head, its body to the
//! printer or to a download, the `m` section, and the exit status with its one warning.
//! `--paginate` is delivered here too, page by page or joined into one body.

use std::cell::Cell;
use std::io::{self, Read, Write};
use std::rc::Rc;

use anyhow::Result;

use crate::engine::{self, Client, Exchange, Head, Observer};
use crate::error::{fail, ExitCode};
use crate::paginate::{Pages, Quiet, Seen};
use crate::plan::Plan;
use crate::print::timing::Hop;
use crate::print::{BodyInfo, Printer, Sections};
use crate::request::Request;
use crate::state::State;

/// Prints each hop as the engine reports it, and keeps cookies, credentials and the
/// session going around it.
struct Watcher<'a, W: Write> {
    printer: &'a mut Printer<W>,
    first_sections: Sections,
    history: Option<Sections>,
    /// Cookies, credentials and the session, decided per hop.
    state: &'a mut State,
    /// Show a bar for large uploads (stderr is a terminal).
    progress: bool,
    /// `m` is shown: each intermediary exchange's timings are kept for it.
    client: Option<&'a Client>,
    hops: Vec<Hop>,
    /// The request under way, when it can't be printed before it is known whether its
    /// exchange is an intermediary one (history sections) or the final one.
    pending: Option<(Request, http::Version)>,
}

impl<W: Write> Watcher<'_, W> {
    /// Print the request held back, with the sections of the exchange it turned out to
    /// belong to (`None`: hidden).
    fn print_pending(&mut self, sections: Option<Sections>) -> Result<()> {
        match (self.pending.take(), sections) {
            (Some((request, version)), Some(sections)) => {
                (self.printer).request_as(&request, sections, Some(version))
            }
            _ => Ok(()),
        }
    }
}

impl<W: Write> Observer for Watcher<'_, W> {
    fn sending(&mut self, request: &Request, _hop: u32, version: http::Version) -> Result<()> {
        // Each exchange prints its own request. When intermediary and final exchanges show
        // the same request sections, it is printed now, before the response is awaited;
        // otherwise it waits until the engine says which kind this exchange is.
        let part = |s: Sections| (s.request_headers, s.request_body);
        let history = self.history.unwrap_or_default();
        if part(history) == part(self.first_sections) {
            return (self.printer).request_as(request, self.first_sections, Some(version));
        }
        self.pending = Some((request.clone(), version));
        Ok(())
    }

    fn before(&mut self, request: &mut Request, hop: u32) -> Result<()> {
        self.state.before(request, hop)
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

    fn after(&mut self, request: &Request, head: &Head) -> Result<Option<Request>> {
        self.state.after(request, head)
    }

    fn intermediate(&mut self, exchange: Exchange) -> Result<()> {
        self.print_pending(self.history)?;
        // A hidden exchange is no message at all; a shown one never has an `m` of its own.
        let sections = self.history.unwrap_or_default();
        if self.history.is_some() {
            let shown = Sections {
                meta: false,
                ..sections
            };
            self.printer.start_response(shown)?;
        }
        if sections.response_headers {
            self.printer.response_head(&exchange.head)?;
        }
        let mut received = 0;
        if sections.response_body {
            let info = body_info(&exchange.head, false);
            let mut decoded = exchange.body.decoded(&exchange.head);
            received = self.printer.response_body(&mut decoded.reader, &info)?;
        } else if self.client.is_some() {
            // Timed to its end, like the final response.
            let mut decoded = exchange.body.decoded(&exchange.head);
            received = io::copy(&mut decoded.reader, &mut io::sink())?;
        }
        if self.history.is_some() {
            self.printer.end_response()?;
        }
        if let Some(client) = self.client {
            let meta = client.meta(&exchange.head, received);
            self.hops.push(hop(&exchange.request, &exchange.head, meta));
        }
        Ok(())
    }
}

/// One request, with its redirects, printed; the exit code of its final response.
pub fn send<W: Write>(
    plan: &Plan,
    client: &Client,
    request: &Request,
    printer: &mut Printer<W>,
    state: &mut State,
) -> Result<ExitCode> {
    send_page(plan, client, request, printer, state).map(|(code, _)| code)
}

/// One exchange, printed; also returns the `rel="next"` link when paginating.
fn send_page<W: Write>(
    plan: &Plan,
    client: &Client,
    request: &Request,
    printer: &mut Printer<W>,
    state: &mut State,
) -> Result<(ExitCode, Option<Request>)> {
    let mut request = request.clone();
    // `-A oauth2`: the token, fetched first when needed; renewed once if the server calls
    // it invalid, the refused exchange then shown as an intermediary.
    crate::authorize::prepare(plan, client, &mut request, printer, state)?;
    let (mut exchange, mut hops) = watched(plan, client, request, printer, state, None)?;
    if let Some(again) = crate::authorize::renew(plan, client, &exchange, printer, state)? {
        let (renewed, more) = watched(plan, client, again, printer, state, Some(exchange))?;
        exchange = renewed;
        hops.extend(more);
    }
    let next = match plan.paginate {
        Some(_) => next_page(&exchange)?,
        None => None,
    };
    let Exchange {
        head,
        body,
        direct,
        request: final_request,
        ..
    } = exchange;
    let sections = plan.output.sections;
    printer.start_response(Sections {
        // A body that is saved is not printed.
        response_body: sections.response_body && plan.download.is_none(),
        ..sections
    })?;
    if sections.response_headers {
        printer.response_head(&head)?;
    }
    let received = match &plan.download {
        // `-o`, `-d`, `-c`: the body goes to a file (or to stdout, as received).
        Some(download) => match crate::download::save(download, &head, body, direct)? {
            crate::download::Saved::Complete => {
                printer.end_response()?;
                return Ok((ExitCode::Ok, next));
            }
            crate::download::Saved::Written { received } => received,
            crate::download::Saved::Skipped => 0,
        },
        None => print_body(plan, &head, body, printer)?,
    };
    if sections.meta {
        hops.push(hop(&final_request, &head, client.meta(&head, received)));
        printer.meta(&hops)?;
    }
    printer.end_response()?;
    Ok((status_code(plan, head.status.as_u16()), next))
}

/// One exchange through the engine with the [`Watcher`], and the timings of its intermediary
/// hops when `m` is shown; `refused` is an earlier exchange this one replaces, shown first
/// as an intermediary.
fn watched<W: Write>(
    plan: &Plan,
    client: &Client,
    request: Request,
    printer: &mut Printer<W>,
    state: &mut State,
    refused: Option<Exchange>,
) -> Result<(Exchange, Vec<Hop>)> {
    let mut watcher = Watcher {
        first_sections: plan.output.sections,
        history: plan.output.history,
        printer,
        state,
        progress: plan.diagnostics.progress,
        pending: None,
        client: plan.output.sections.meta.then_some(client),
        hops: Vec::new(),
    };
    if let Some(refused) = refused {
        watcher.intermediate(refused)?;
    }
    let exchange = client.exchange(request, &mut watcher);
    // The request of the final exchange (or of the one that failed) goes above its response.
    watcher.print_pending(Some(plan.output.sections))?;
    Ok((exchange?, watcher.hops))
}

/// An exchange's request line, status and timings, for the `m` section.
fn hop(request: &Request, head: &Head, meta: engine::Meta) -> Hop {
    Hop {
        method: request.method.clone(),
        url: request.uri(),
        status: head.status.as_u16(),
        meta,
    }
}

/// The request for the page after `exchange`'s, if its `Link` header names one.
fn next_page(exchange: &Exchange) -> Result<Option<Request>> {
    let values = crate::paginate::links(&exchange.head.headers);
    let url = values.iter().map(String::as_str);
    crate::paginate::next_link(url, &exchange.request.url)
        .map(|url| crate::paginate::next_request(&exchange.request, &url))
        .transpose()
}

/// The response body to the printer (or only counted, for `m`); returns the bytes read.
fn print_body<W: Write>(
    plan: &Plan,
    head: &Head,
    body: engine::ResponseBody,
    printer: &mut Printer<W>,
) -> Result<u64> {
    let sections = plan.output.sections;
    let decoded = body.decoded(head);
    plan.diagnostics.unknown_encoding(&decoded.unknown, "shown");
    let counter = Rc::new(Cell::new(0u64));
    let mut counted = Counting {
        inner: decoded.reader,
        count: counter.clone(),
    };
    if sections.response_body {
        let info = body_info(head, plan.output.stream);
        let shown = match filtered(plan, head.status.as_u16()) {
            true => printer.filtered_body(&mut counted, &info, "the response body"),
            false => printer.response_body(&mut counted, &info),
        };
        shown.map_err(|e| into_body_error(e, counter.get()))?;
    } else if sections.meta {
        // The metadata reports the bytes received, so the body is read even when not shown.
        io::copy(&mut counted, &mut io::sink()).map_err(|e| body_error(e, counter.get()))?;
    }
    Ok(counter.get())
}

/// Whether `--filter` applies to a response with `status`: a response that fails the status
/// check is shown as received, since it is the server's explanation and not the data the
/// filter was written for (and may well not be JSON).
fn filtered(plan: &Plan, status: u16) -> bool {
    plan.output.filter.is_some() && !(plan.check_status && status >= 300)
}

/// `--paginate`: with `-v`/`--all`, every page is printed as its own exchange; otherwise
/// the pages' bodies are joined into one stream (see `paginate.rs`).
pub fn paginate<W: Write>(
    plan: &Plan,
    client: &Client,
    printer: &mut Printer<W>,
    state: &mut State,
) -> Result<ExitCode> {
    let max_pages = plan.paginate.and_then(|p| p.max_pages);
    if plan.output.history.is_some() {
        return paginate_verbose(plan, client, printer, state, max_pages);
    }
    let mut request = plan.request.clone();
    crate::authorize::prepare(plan, client, &mut request, printer, state)?;
    printer.request(&request, plan.output.sections)?;
    let exchange = client.exchange(request, &mut Quiet(state))?;
    let sections = plan.output.sections;
    // The pages are one response, with one body; no `m` is shown for them.
    printer.start_response(Sections {
        meta: false,
        ..sections
    })?;
    if sections.response_headers {
        printer.response_head(&exchange.head)?;
    }
    let info = body_info(&exchange.head, plan.output.stream);
    let first_status = exchange.head.status.as_u16();
    let diag = plan.diagnostics;
    let mut pages = Pages::new(client, state, plan.check_status, diag, max_pages);
    if plan.output.filter.is_some() {
        // Each page on its own through the filter; a failing page stops before it.
        pages = pages.one_by_one();
        pages.add(exchange)?;
        filter_pages(&mut pages, printer, &info, sections.response_body)?;
    } else {
        pages.add(exchange)?;
        if sections.response_body {
            printer.response_body(&mut pages, &info)?;
        } else {
            io::copy(&mut pages, &mut io::sink())?;
        }
    }
    printer.end_response()?;
    if let Some(e) = pages.error.take() {
        return Err(e);
    }
    match pages.failed {
        Some((code, status)) => {
            diag.failed_status(status);
            Ok(code)
        }
        None => Ok(status_code(plan, first_status)),
    }
}

/// `--paginate --filter`: the filter's results for each page in turn, holding one page.
fn filter_pages<W: Write>(
    pages: &mut Pages,
    printer: &mut Printer<W>,
    info: &BodyInfo,
    shown: bool,
) -> Result<()> {
    let mut number = 0u32;
    while let Some(page) = pages.next_page()? {
        number += 1;
        if shown {
            printer.filtered_body(&mut &page[..], info, &format!("page {number}"))?;
        }
    }
    Ok(())
}

/// `--paginate -v`: each page as its own exchange.
fn paginate_verbose<W: Write>(
    plan: &Plan,
    client: &Client,
    printer: &mut Printer<W>,
    state: &mut State,
    max_pages: Option<u32>,
) -> Result<ExitCode> {
    let mut request = plan.request.clone();
    let mut page = 1u32;
    let mut seen = Seen::default();
    seen.visit(&request.url)?;
    loop {
        let (code, next) = send_page(plan, client, &request, printer, state)?;
        match next {
            Some(next) if code == ExitCode::Ok && max_pages.is_none_or(|m| page < m) => {
                seen.visit(&next.url)?;
                request = next;
                page += 1;
            }
            _ => return Ok(code),
        }
    }
}

/// The exit code for the final response, with its warning when one is due.
fn status_code(plan: &Plan, status: u16) -> ExitCode {
    if !plan.check_status {
        return ExitCode::Ok;
    }
    let code = ExitCode::for_status(status);
    if code != ExitCode::Ok {
        plan.diagnostics.failed_status(status);
    }
    code
}

fn body_info(head: &Head, stream: bool) -> BodyInfo {
    let header = |name: http::HeaderName| {
        head.headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    let content_type = header(http::header::CONTENT_TYPE);
    let encoded = head.headers.contains_key(http::header::CONTENT_ENCODING);
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

/// A body that ends early is a network error (exit 1) that says how much arrived, unless
/// it was our own stdout that closed.
fn body_error(e: io::Error, received: u64) -> anyhow::Error {
    if crate::stdout::closed() {
        return e.into();
    }
    if let Some(write) = crate::stdout::write_error(&e) {
        // Our own output failed (a full disk), not the response.
        return fail(
            ExitCode::Error,
            format!(
                "couldn't write the body to stdout after {received} bytes had arrived: {}",
                write.0
            ),
        );
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

/// A reader that counts what passes through it.
struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}
