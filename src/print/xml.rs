//! Streaming XML pretty-printer and colouriser.
//!
//! quick-xml reads the body one token (tag, text, comment …) at a time from a buffered
//! reader, and a tap under that reader keeps the exact bytes each token was made of: tags,
//! comments, declarations and entity references are printed as received, only re-indented
//! and coloured, so attribute order, quoting and character references stay exactly as they
//! were. Nothing is ever resolved: `&name;` is printed as `&name;`, a DTD is printed as text
//! and never read, and no external entity is fetched (no XXE, no billion laughs).
//!
//! Memory is bounded: one token of less than [`MAX_TOKEN`] bytes, the names of the open
//! elements (at most [`MAX_DEPTH`] deep), the read and the output buffers. At the first token that is
//! not well-formed XML, or that is too long or too deep, formatting stops and the rest of
//! the body, from that token's first byte, is written exactly as received.
//!
//! With `reindent` off (`--pretty=colors`, `xml.format:false` with colours) every token
//! keeps the whitespace it came with and only gains colours: take the colour codes out and
//! the output is the input byte for byte.

use std::io::{self, BufRead, BufReader, Read, Write};

use quick_xml::events::Event;
use quick_xml::Reader;

use super::sanitize::Sanitizer;

/// SGR sequence written after every coloured token.
const RESET: &str = "\x1b[0m";
/// Deeper nesting is treated as not XML, which bounds the parser's stack of names.
pub const MAX_DEPTH: usize = 10_000;
/// A token this long (text between tags, a tag with its attributes) ends formatting: the
/// parser would have to hold all of it.
pub const MAX_TOKEN: usize = 8 * 1024 * 1024;
/// Output is handed to the writer in pieces of about this size.
const FLUSH_AT: usize = 64 * 1024;
const READ_BUFFER: usize = 64 * 1024;

/// ANSI SGR prefix per token kind; an empty string means "no colour" for that kind.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct XmlColors {
    /// Element names with their `<`, `</`, `>` and `/>`.
    pub tag: &'static str,
    /// Attribute names.
    pub attr: &'static str,
    /// Attribute values (quotes included) and CDATA sections.
    pub value: &'static str,
    /// Entity and character references (`&amp;`, `&#233;`).
    pub entity: &'static str,
    /// Comments, the XML declaration, processing instructions and the DOCTYPE.
    pub comment: &'static str,
}

/// How [`format`] lays out its output.
#[derive(Debug, Clone)]
pub struct XmlOptions {
    /// Spaces per nesting level.
    pub indent: usize,
    /// Token colours; `None` writes no escape codes at all.
    pub colors: Option<XmlColors>,
    /// For a terminal: everything from the server goes through the sanitiser.
    pub escape_controls: bool,
    /// Lay the document out anew (`indent`); when false, keep the whitespace as received
    /// and only colour the tokens.
    pub reindent: bool,
    /// Flush the writer after every token (`--stream`).
    pub flush_each: bool,
}

impl Default for XmlOptions {
    fn default() -> Self {
        Self {
            indent: 2,
            colors: None,
            escape_controls: false,
            reindent: true,
            flush_each: false,
        }
    }
}

/// What [`format`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Formatting stopped at a token that is not well-formed (or too long or too deep);
    /// the rest was written as received.
    pub fell_back: bool,
    /// The body was one well-formed document: elements all closed, no text outside them.
    pub whole: bool,
}

/// Whether `body` is a whole, well-formed XML document, by the same reading [`format`]
/// does (so a body that passes formats without falling back).
pub fn is_xml(body: &[u8]) -> bool {
    let opts = XmlOptions {
        reindent: false,
        ..XmlOptions::default()
    };
    format(body, &mut io::sink(), &opts).is_ok_and(|o| o.whole)
}

/// Format the XML read from `input` into `out`. Errors are the input's or the output's
/// own; XML that is not well-formed is not an error (see [`Outcome`]).
pub fn format<W: Write>(input: impl Read, out: &mut W, opts: &XmlOptions) -> io::Result<Outcome> {
    let tap = Tap {
        inner: BufReader::with_capacity(READ_BUFFER, input),
        raw: Vec::new(),
        failed: None,
    };
    let mut reader = Reader::from_reader(tap);
    reader.config_mut().trim_markup_names_in_closing_tags = false;
    let mut printer = Printer::new(opts);
    let mut buf = Vec::new();
    let fell_back = loop {
        let event = reader.read_event_into(&mut buf);
        let tap = reader.get_mut();
        if let Some(e) = tap.failed.take() {
            return Err(e);
        }
        let raw = std::mem::take(&mut tap.raw);
        let kind = match &event {
            Ok(Event::Eof) => break false,
            Ok(event) => Kind::of(event),
            Err(_) => None,
        };
        match kind {
            Some(kind) if printer.depth < MAX_DEPTH || kind != Kind::Start => {
                printer.token(kind, &raw);
                tap.raw = raw;
                tap.raw.clear();
            }
            _ => {
                // From the first byte of this token on, the body goes out as received.
                printer.raw(&raw);
                break true;
            }
        }
        if printer.out.len() >= FLUSH_AT || opts.flush_each {
            printer.drain(out, opts.flush_each)?;
        }
        buf.clear();
    };
    let whole = !fell_back && printer.depth == 0 && printer.seen_element && !printer.stray_text;
    if fell_back {
        let tap = reader.into_inner();
        printer.raw(tap.inner.buffer());
        printer.drain(out, false)?;
        let mut rest = tap.inner.into_inner();
        let mut chunk = vec![0u8; READ_BUFFER];
        loop {
            let n = match rest.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            printer.raw(&chunk[..n]);
            printer.drain(out, opts.flush_each)?;
        }
    }
    printer.finish();
    printer.drain(out, true)?;
    Ok(Outcome { fell_back, whole })
}

/// The buffered reader quick-xml reads from, keeping the bytes it consumes: after each
/// event they are that event's exact text. A token longer than [`MAX_TOKEN`] is refused
/// here (quick-xml then reports an error), and so the memory it may take is bounded.
struct Tap<R: Read> {
    inner: BufReader<R>,
    raw: Vec<u8>,
    /// The body itself could not be read: that error is rq's, not the XML's.
    failed: Option<io::Error>,
}

impl<R: Read> Read for Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Tap<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        // Never more than the limit, whatever the reads bring, so where a long token is
        // refused does not depend on how the body arrives.
        let room = MAX_TOKEN.saturating_sub(self.raw.len());
        if room == 0 {
            return Err(io::Error::other("an XML token too long to format"));
        }
        if let Err(e) = self.inner.fill_buf() {
            let kind = e.kind();
            self.failed = Some(e);
            return Err(io::Error::new(kind, "the body could not be read"));
        }
        let buffer = self.inner.buffer();
        Ok(&buffer[..buffer.len().min(room)])
    }

    fn consume(&mut self, n: usize) {
        self.raw.extend_from_slice(&self.inner.buffer()[..n]);
        self.inner.consume(n);
    }
}

/// The kinds of token the printer lays out differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Start,
    End,
    Empty,
    Text,
    Reference,
    CData,
    /// Comments, declarations, processing instructions, DOCTYPE.
    Other,
}

impl Kind {
    /// The kind of `event`; `None` when it is not well-formed (an attribute that does not
    /// parse, for one: quick-xml reads attributes only when asked).
    fn of(event: &Event<'_>) -> Option<Kind> {
        Some(match event {
            Event::Start(e) | Event::Empty(e) => {
                if e.attributes().with_checks(true).any(|a| a.is_err()) {
                    return None;
                }
                match event {
                    Event::Start(_) => Kind::Start,
                    _ => Kind::Empty,
                }
            }
            Event::End(_) => Kind::End,
            Event::Text(_) => Kind::Text,
            Event::GeneralRef(_) => Kind::Reference,
            Event::CData(_) => Kind::CData,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => Kind::Other,
            Event::Eof => return None,
        })
    }
}

/// Where the layout stands after the last token written. A line is ended as soon as it is
/// known to be complete, so a slow stream shows each line when its token arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Last {
    /// Nothing written yet.
    Nothing,
    /// A start tag, with nothing after it on its line yet: text may follow on it.
    Open,
    /// Text on the line of its element's start tag.
    InlineText,
    /// Text on a line of its own (mixed content).
    BlockText,
    /// A line was ended: the next token only needs its indentation.
    LineStart,
}

/// The layout engine: tokens in, formatted and coloured bytes out (in `out`).
struct Printer {
    out: Vec<u8>,
    colors: XmlColors,
    indent: usize,
    reindent: bool,
    escape_controls: bool,
    depth: usize,
    last: Last,
    /// Inside a run of text and references whose first visible byte has been written.
    in_text: bool,
    /// Whitespace at the end of the text written so far, held back: it is written only if
    /// more text follows (a run's trailing whitespace is dropped when re-indenting).
    held_space: Vec<u8>,
    seen_element: bool,
    /// Text outside the root element: not a document.
    stray_text: bool,
    /// For the part after a fall-back, which comes in pieces that may split a character.
    rest: Sanitizer,
    /// The last byte handed to the writer.
    last_byte: Option<u8>,
    /// The colour the output is in (empty for none): adjacent pieces of one colour share
    /// one escape sequence and one reset.
    open: &'static str,
}

impl Printer {
    fn new(opts: &XmlOptions) -> Printer {
        Printer {
            out: Vec::with_capacity(FLUSH_AT + FLUSH_AT / 2),
            colors: opts.colors.unwrap_or_default(),
            indent: opts.indent,
            reindent: opts.reindent,
            escape_controls: opts.escape_controls,
            depth: 0,
            last: Last::Nothing,
            in_text: false,
            held_space: Vec::new(),
            seen_element: false,
            stray_text: false,
            rest: Sanitizer::new(),
            last_byte: None,
            open: "",
        }
    }

    /// Lay out one token whose exact bytes are `raw`; no colour stays open after it.
    fn token(&mut self, kind: Kind, raw: &[u8]) {
        self.lay_out(kind, raw);
        self.close();
    }

    fn lay_out(&mut self, kind: Kind, raw: &[u8]) {
        let text = matches!(kind, Kind::Text | Kind::Reference | Kind::CData);
        if text && self.depth == 0 && !raw.iter().all(u8::is_ascii_whitespace) {
            self.stray_text = true;
        }
        if !self.reindent {
            self.as_received(kind, raw);
            return;
        }
        if text {
            self.text(kind, raw);
            return;
        }
        self.end_text();
        if kind == Kind::End {
            self.depth = self.depth.saturating_sub(1);
        }
        if !(kind == Kind::End && matches!(self.last, Last::Open | Last::InlineText)) {
            self.start_line();
        }
        self.mark(kind, raw);
        if kind == Kind::Start {
            self.last = Last::Open;
        } else {
            self.close();
            self.out.push(b'\n');
            self.last = Last::LineStart;
        }
        self.track(kind);
    }

    /// `--pretty=colors`: the token exactly as received, coloured.
    fn as_received(&mut self, kind: Kind, raw: &[u8]) {
        match kind {
            Kind::Text => self.put(raw),
            Kind::End => self.paint_tag(raw),
            _ => self.mark(kind, raw),
        }
        self.track(kind);
    }

    fn track(&mut self, kind: Kind) {
        match kind {
            Kind::Start => {
                self.depth += 1;
                self.seen_element = true;
            }
            Kind::Empty => self.seen_element = true,
            Kind::End if !self.reindent => self.depth = self.depth.saturating_sub(1),
            Kind::End => {} // counted before its line was laid out
            _ => {}
        }
    }

    /// A piece of a text run: its leading whitespace dropped at the start of the run, its
    /// trailing whitespace held until more of the run comes.
    fn text(&mut self, kind: Kind, raw: &[u8]) {
        let mut piece = raw;
        if !self.in_text {
            let start = piece.iter().position(|b| !b.is_ascii_whitespace());
            let Some(start) = start else { return };
            piece = &piece[start..];
            if self.last == Last::Open {
                self.last = Last::InlineText;
            } else {
                self.start_line();
                self.last = Last::BlockText;
            }
            self.in_text = true;
        } else {
            let held = std::mem::take(&mut self.held_space);
            self.put(&held);
            self.held_space = held;
            self.held_space.clear();
        }
        let end = piece
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .map_or(0, |i| i + 1);
        match kind {
            Kind::Reference => self.painted(self.colors.entity, &piece[..end]),
            Kind::CData => self.painted(self.colors.value, &piece[..end]),
            _ => self.put(&piece[..end]),
        }
        self.held_space.extend_from_slice(&piece[end..]);
    }

    /// A token other than text: the run of text before it ends.
    fn end_text(&mut self) {
        self.in_text = false;
        self.held_space.clear();
    }

    /// Begin a token on a line of its own: end the line it would otherwise continue, then
    /// indent.
    fn start_line(&mut self) {
        const SPACES: &[u8] = &[b' '; 64];
        match self.last {
            Last::Nothing => return,
            Last::Open | Last::InlineText | Last::BlockText => {
                self.close();
                self.out.push(b'\n');
            }
            Last::LineStart => {}
        }
        let mut left = self.depth * self.indent;
        while left > 0 {
            let n = left.min(SPACES.len());
            self.out.extend_from_slice(&SPACES[..n]);
            left -= n;
        }
    }

    /// A token other than text or an end tag, coloured by its kind.
    fn mark(&mut self, kind: Kind, raw: &[u8]) {
        match kind {
            Kind::Start | Kind::Empty | Kind::End => self.paint_tag(raw),
            Kind::Reference => self.painted(self.colors.entity, raw),
            Kind::CData => self.painted(self.colors.value, raw),
            Kind::Other => self.painted(self.colors.comment, raw),
            Kind::Text => self.put(raw),
        }
    }

    /// A tag, `<name attr="value" …>`, with its name, attribute names and values coloured
    /// and every byte kept.
    fn paint_tag(&mut self, raw: &[u8]) {
        let c = self.colors;
        let is_space = |b: &u8| b.is_ascii_whitespace();
        let name_from = 1 + usize::from(raw.get(1) == Some(&b'/'));
        let name_to = (raw.iter().skip(name_from))
            .position(|b| is_space(b) || matches!(b, b'/' | b'>'))
            .map_or(raw.len(), |n| name_from + n);
        self.painted(c.tag, &raw[..name_to]);
        let mut i = name_to;
        while i < raw.len() {
            let rest = &raw[i..];
            let n = match rest[0] {
                b'/' | b'>' => {
                    self.painted(c.tag, rest);
                    rest.len()
                }
                b'"' | b'\'' => {
                    let close = rest[1..].iter().position(|&b| b == rest[0]);
                    let n = close.map_or(rest.len(), |at| at + 2);
                    self.painted(c.value, &rest[..n]);
                    n
                }
                b if is_space(&b) || b == b'=' => {
                    let n = rest.iter().position(|b| !(is_space(b) || *b == b'='));
                    let n = n.unwrap_or(rest.len());
                    self.put(&rest[..n]);
                    n
                }
                _ => {
                    let n =
                        (rest.iter()).position(|b| is_space(b) || matches!(b, b'=' | b'/' | b'>'));
                    let n = n.unwrap_or(rest.len()).max(1);
                    self.painted(c.attr, &rest[..n]);
                    n
                }
            };
            i += n;
        }
    }

    /// Bytes from the server in `color`.
    fn painted(&mut self, color: &'static str, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        // The same colour is the same constant: comparing addresses is enough.
        if !std::ptr::eq(color, self.open) {
            self.close();
            self.out.extend_from_slice(color.as_bytes());
            self.open = color;
        }
        self.sanitized(bytes);
    }

    /// End the colour the output is in.
    fn close(&mut self) {
        if !self.open.is_empty() {
            self.out.extend_from_slice(RESET.as_bytes());
            self.open = "";
        }
    }

    /// Bytes from the server, without colour.
    fn put(&mut self, bytes: &[u8]) {
        if !bytes.is_empty() {
            self.close();
            self.sanitized(bytes);
        }
    }

    /// Sanitised for a terminal, else as they are.
    fn sanitized(&mut self, bytes: &[u8]) {
        if self.escape_controls {
            let mut sanitizer = Sanitizer::new();
            sanitizer.push(bytes, &mut self.out);
            sanitizer.finish(&mut self.out);
        } else {
            self.out.extend_from_slice(bytes);
        }
    }

    /// The rest of the body, as received.
    fn raw(&mut self, bytes: &[u8]) {
        self.close();
        if self.escape_controls {
            self.rest.push(bytes, &mut self.out);
        } else {
            self.out.extend_from_slice(bytes);
        }
    }

    /// End of input: a re-indented document ends its last line.
    fn finish(&mut self) {
        if self.escape_controls {
            self.rest.finish(&mut self.out);
        }
        let last = self.out.last().copied().or(self.last_byte);
        if self.reindent && last.is_some_and(|b| b != b'\n') {
            self.out.push(b'\n');
        }
    }

    fn drain<W: Write>(&mut self, out: &mut W, flush: bool) -> io::Result<()> {
        out.write_all(&self.out)?;
        if let Some(&b) = self.out.last() {
            self.last_byte = Some(b);
        }
        self.out.clear();
        if flush {
            out.flush()?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "xml_tests.rs"]
mod tests;
