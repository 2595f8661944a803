//! The printer: which sections of an exchange to show, and how.
//!
//! It writes into any `Write` (tests use a `Vec<u8>`), knows nothing about sockets, and
//! streams bodies through fixed buffers. Heads end their lines in CRLF, like the wire and
//! httpie, in every pretty mode; redirected output with `--pretty=none` is the exact bytes,
//! bodies copied untouched. On a terminal, anything the server controls is sanitised
//! (`sanitize.rs`) and binary bodies are replaced by a one-line note.
//!
//! Messages follow each other as in httpie. A message (a request, or a response) whose
//! body section is shown is followed by a separator, `\n\n`, even when the body is empty
//! (`-v` on a GET): on a terminal straight after the body, otherwise only before the next
//! message that shows something, so that redirected output ends with the body's last byte
//! and `rq -b URL | tool` gets the body alone. Only the message right after a body is
//! separated from it: one that shows nothing in between (an intermediary request under
//! `--all -p hb`) cancels the separator. A head needs none: its blank line ends it. rq's own
//! `m` section, whose text ends its last line, comes after the response's separator and
//! is followed by one blank line.

mod body;
pub mod charset;
pub mod filter;
mod headers;
pub mod json;
#[cfg(test)]
mod json_props;
pub mod sanitize;
mod sort;
pub mod theme;
pub mod timing;
pub mod xml;

use std::io::{self, Write};

use anyhow::Result;

use crate::error::usage;
use crate::request::Request;
use theme::Theme;
pub use theme::ThemeName;

pub use body::BodyInfo;

/// What follows a message whose body section is shown (httpie's `MESSAGE_SEPARATOR`).
const SEPARATOR: &[u8] = b"\n\n";
/// What follows the `m` section: its text ends its own last line already.
const AFTER_META: &[u8] = b"\n";

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

/// How to print: the output settings the plan resolved.
#[derive(Debug, Clone)]
pub struct Output {
    pub sections: Sections,
    /// Sections for intermediary exchanges (redirects, auth challenges); `None` hides them.
    pub history: Option<Sections>,
    /// Colour theme; `None` means no escape codes at all.
    pub colors: Option<ThemeName>,
    /// Indent JSON and other structured bodies.
    pub format: bool,
    pub json_indent: usize,
    pub json_sort_keys: bool,
    /// `xml.format`: lay XML bodies out anew (with `format`); off, XML keeps its layout.
    pub xml_format: bool,
    pub xml_indent: usize,
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
    /// `--filter`: a jq expression whose results replace a response body shown with
    /// [`Printer::filtered_body`].
    pub filter: Option<filter::Filter>,
    /// `--meta-format json`: the `m` section as JSON.
    pub meta_json: bool,
}

impl Default for Output {
    /// Plain output: no sections chosen, no colours or formatting, not a terminal, with
    /// httpie's indents (4 for JSON, 2 for XML) and HTTP/1.1 request lines.
    fn default() -> Self {
        Output {
            sections: Sections::default(),
            history: None,
            colors: None,
            format: false,
            json_indent: 4,
            json_sort_keys: false,
            xml_format: true,
            xml_indent: 2,
            headers_sort: false,
            response_mime: None,
            response_charset: None,
            stream: false,
            terminal: false,
            warnings: false,
            request_version: "HTTP/1.1",
            filter: None,
            meta_json: false,
        }
    }
}

/// Writes exchanges to `out` according to the plan's output settings.
pub struct Printer<W: Write> {
    out: Tracked<W>,
    opts: Output,
    theme: Option<Theme>,
    /// The separator the last message left for the next one to write, when stdout is not a
    /// terminal (empty when none is owed).
    owed: &'static [u8],
    /// The response being printed shows its body section.
    response_body: bool,
    /// The response being printed showed the `m` section.
    response_meta: bool,
}

impl<W: Write> Printer<W> {
    pub fn new(out: W, opts: Output) -> Self {
        // No theme work at all when colours are off.
        let theme = opts.colors.map(Theme::of);
        Printer {
            out: Tracked::new(out),
            opts,
            theme,
            owed: b"",
            response_body: false,
            response_meta: false,
        }
    }

    /// Wire-exact mode: no colours and no formatting, so a chunked request body is shown
    /// with its framing.
    fn wire(&self) -> bool {
        self.theme.is_none() && !self.opts.format
    }

    /// Begin a message that `shows` something or nothing: the separator owed by the one
    /// before is written in the first case and dropped in both.
    fn start_message(&mut self, shows: bool) -> io::Result<()> {
        let owed = std::mem::take(&mut self.owed);
        if shows {
            self.out.write_all(owed)?;
        }
        Ok(())
    }

    /// End a message with `separator`: at once on a terminal, else owed to the next message.
    fn end_message(&mut self, separator: &'static [u8]) -> io::Result<()> {
        match self.opts.terminal {
            true => self.out.write_all(separator)?,
            false => self.owed = separator,
        }
        self.out.flush()
    }

    /// Print a request's head and body as selected by `sections`, as built (`--offline`):
    /// in the HTTP/1.1 form, since no connection chose a version.
    pub fn request(&mut self, req: &Request, sections: Sections) -> Result<()> {
        self.request_as(req, sections, None)
    }

    /// Print a request as it is sent as `version` (over HTTP/2, its pseudo-header fields
    /// and lower-case names: `Request::h2_fields`). Every request of the exchanges shown
    /// goes through here, also one that shows neither part.
    pub fn request_as(
        &mut self,
        req: &Request,
        sections: Sections,
        version: Option<http::Version>,
    ) -> Result<()> {
        self.start_message(sections.any_request())?;
        if !sections.any_request() {
            return Ok(());
        }
        if sections.request_headers {
            let (theme, sort) = (self.theme.as_ref(), self.opts.headers_sort);
            match version {
                Some(http::Version::HTTP_2) => match req.h2_fields() {
                    Ok(fields) => headers::request_head_h2(&mut self.out, &fields, theme, sort)?,
                    Err(_) => headers::request_head(&mut self.out, req, theme, sort, "HTTP/2")?,
                },
                _ => {
                    let version = self.opts.request_version;
                    headers::request_head(&mut self.out, req, theme, sort, version)?
                }
            }
        }
        if sections.request_body {
            if let Some(body) = &req.body {
                let info = BodyInfo {
                    content_type: req
                        .header("content-type")
                        .map(|h| String::from_utf8_lossy(&h.value).into_owned()),
                    content_length: body.len(),
                    stream: false,
                    // The request body is the user's own, but a terminal still gets it
                    // sanitised (it may come from a file).
                };
                if body.replayable() && self.wire() && chunked(req) {
                    // Wire-exact: the chunk framing the body is sent with.
                    body::print(self, &mut Chunked::new(body.reader()), &info)?;
                } else if body.replayable() {
                    // Files are streamed from disk here and again when sent.
                    body::print(self, &mut body.reader(), &info)?;
                } else {
                    // Reading stdin here would leave nothing to send.
                    self.out
                        .write_all(b"(request body streamed from stdin, not shown)\n")?;
                }
            }
        }
        self.end_message(match sections.request_body {
            true => SEPARATOR,
            false => b"",
        })?;
        Ok(())
    }

    /// Begin a response whose parts `sections` selects: then come [`Printer::response_head`]
    /// if it shows the head, [`Printer::response_body`] or [`Printer::filtered_body`] (as
    /// often as needed) if it shows the body, [`Printer::meta`] if it shows `m`, and
    /// [`Printer::end_response`]. Every response of the exchanges shown goes through here,
    /// also one that shows nothing; `meta` must be set only when `m` will be printed.
    pub fn start_response(&mut self, sections: Sections) -> io::Result<()> {
        let shows = sections.response_headers || sections.response_body || sections.meta;
        self.start_message(shows)?;
        self.response_body = sections.response_body;
        self.response_meta = false;
        Ok(())
    }

    /// End the response begun with [`Printer::start_response`].
    pub fn end_response(&mut self) -> io::Result<()> {
        let separator: &[u8] = match (self.response_meta, self.response_body) {
            (true, _) => AFTER_META,
            (false, true) => SEPARATOR,
            (false, false) => b"",
        };
        self.response_body = false;
        self.response_meta = false;
        self.end_message(separator)
    }

    /// Print the response status line and headers.
    pub fn response_head(&mut self, response: &http::response::Parts) -> Result<()> {
        let sort = self.opts.headers_sort;
        headers::response_head(
            &mut self.out,
            response,
            self.theme.as_ref(),
            self.opts.terminal,
            sort,
        )?;
        Ok(())
    }

    /// Print a response body from `reader`, streaming. Returns the bytes read.
    pub fn response_body(&mut self, reader: &mut dyn io::Read, info: &BodyInfo) -> Result<u64> {
        // `--response-mime` / `--response-charset` apply to responses only.
        let info = info.overridden(
            self.opts.response_mime.as_deref(),
            self.opts.response_charset,
        );
        let n = body::print(self, reader, &info)?;
        self.out.flush()?;
        Ok(n)
    }

    /// Print the results of `--filter` on a response body (the body itself without a
    /// filter); returns the bytes read. `what` names the body in errors ("page 2").
    pub fn filtered_body(
        &mut self,
        reader: &mut dyn io::Read,
        info: &BodyInfo,
        what: &str,
    ) -> Result<u64> {
        let info = info.overridden(
            self.opts.response_mime.as_deref(),
            self.opts.response_charset,
        );
        let n = filter::print(self, reader, &info, what)?;
        self.out.flush()?;
        Ok(n)
    }

    /// The `m` section for the exchanges of one request (the last is the final one): a
    /// waterfall at a terminal, JSON with `--meta-format json`, else the final exchange's
    /// timings as text (`timing.rs`). It belongs to the final response: after its body and
    /// that body's separator, as httpie places its metadata.
    pub fn meta(&mut self, hops: &[timing::Hop]) -> Result<()> {
        let Some(last) = hops.last() else {
            return Ok(());
        };
        if self.response_body {
            self.out.write_all(SEPARATOR)?;
        }
        self.response_meta = true;
        if self.opts.meta_json {
            let json = timing::json(hops);
            match self.opts.format || self.theme.is_some() {
                true => {
                    let opts = body::json_options(self);
                    let mut fmt = json::JsonFormatter::new(&mut self.out, opts);
                    fmt.write_chunk(&json)?;
                    fmt.finish()?;
                }
                false => self.out.write_all(&json)?,
            }
        } else if self.opts.terminal && self.opts.format {
            timing::waterfall(&mut self.out, hops, self.theme.is_some())?;
        } else {
            timing::text(&mut self.out, &last.meta)?;
        }
        self.out.flush()?;
        Ok(())
    }

    /// End the output: a terminal always gets a final newline.
    pub fn finish(mut self) -> io::Result<W> {
        if self.opts.terminal && !self.out.at_line_start() {
            self.out.write_all(b"\n")?;
        }
        self.out.flush()?;
        Ok(self.out.inner)
    }
}

/// Whether the request's body goes out with chunked framing.
fn chunked(req: &Request) -> bool {
    req.headers.iter().any(|h| {
        h.is("transfer-encoding")
            && String::from_utf8_lossy(&h.value)
                .rsplit(',')
                .next()
                .is_some_and(|c| c.trim().eq_ignore_ascii_case("chunked"))
    })
}

/// A body in chunked framing (RFC 9112 §7.1), one chunk per read of the inner reader, then
/// the last chunk: what `--offline --pretty=none` prints under `Transfer-Encoding: chunked`,
/// so that the printed request, replayed with `--http-file`, is the one sent.
struct Chunked<R> {
    inner: R,
    framed: Vec<u8>,
    pos: usize,
    done: bool,
}

impl<R: io::Read> Chunked<R> {
    fn new(inner: R) -> Self {
        Chunked {
            inner,
            framed: Vec::new(),
            pos: 0,
            done: false,
        }
    }
}

impl<R: io::Read> io::Read for Chunked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.framed.len() && !self.done {
            let mut data = vec![0u8; 64 * 1024];
            let n = self.inner.read(&mut data)?;
            self.framed.clear();
            self.pos = 0;
            if n == 0 {
                self.framed.extend_from_slice(b"0\r\n\r\n");
                self.done = true;
            } else {
                self.framed
                    .extend_from_slice(format!("{n:x}\r\n").as_bytes());
                self.framed.extend_from_slice(&data[..n]);
                self.framed.extend_from_slice(b"\r\n");
            }
        }
        let n = buf.len().min(self.framed.len() - self.pos);
        buf[..n].copy_from_slice(&self.framed[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// A writer that remembers whether the last byte written ended a line.
struct Tracked<W: Write> {
    inner: W,
    last: Option<u8>,
}

impl<W: Write> Tracked<W> {
    fn new(inner: W) -> Self {
        Tracked { inner, last: None }
    }

    fn at_line_start(&self) -> bool {
        matches!(self.last, None | Some(b'\n'))
    }
}

impl<W: Write> Write for Tracked<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        if n > 0 {
            self.last = Some(buf[n - 1]);
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
#[path = "layout_tests.rs"]
mod layout_tests;
