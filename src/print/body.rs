//! Bodies: decide what a body is (JSON, text, binary) from its type and first bytes, then
//! stream it through the right writer. Memory stays bounded: at most 8 MiB are held, and
//! only to validate JSON before formatting it (`--sorted` is the exception, see `sort.rs`).
//! In stream mode (`--stream`, event streams, NDJSON) nothing is held back: each chunk is
//! written and flushed as it arrives.

use std::io::{self, Read, Write};

use anyhow::Result;
use encoding_rs::{Encoding, UTF_8};

use super::charset::{self, Utf8Reader};
use super::json::{self, Completeness, JsonFormatter, JsonOptions};
use super::sanitize::Sanitizer;
use super::sort;
use super::theme::RESET;
use super::xml::{self, XmlOptions};
use super::Printer;

/// Bodies up to this size are checked to be JSON before they are formatted; larger ones
/// are formatted as they stream and fall back to raw output at the first error.
const VALIDATE_LIMIT: usize = 8 * 1024 * 1024;
const CHUNK: usize = 64 * 1024;
const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

/// What the printer knows about a body before reading it.
#[derive(Debug, Clone, Default)]
pub struct BodyInfo {
    pub content_type: Option<String>,
    pub content_length: Option<u64>,
    /// Flush after every chunk (`--stream`, event streams).
    pub stream: bool,
}

impl BodyInfo {
    /// The media type without parameters, lower-cased.
    pub fn mime(&self) -> String {
        self.content_type
            .as_deref()
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    }

    /// The body as `--response-mime MIME` and `--response-charset CHARSET` say to see it.
    /// Both are applied by rewriting the Content-Type the printer reads, so every decision
    /// (JSON or not, binary or not, charset, streaming) follows them. The response's own
    /// charset parameter survives a MIME override that does not name one.
    pub fn overridden(&self, mime: Option<&str>, enc: Option<&'static Encoding>) -> BodyInfo {
        let mut info = self.clone();
        if mime.is_none() && enc.is_none() {
            return info;
        }
        let original = self.content_type.as_deref().unwrap_or("");
        let base = match mime {
            Some(m) => m,
            None => original.split(';').next().unwrap_or(""),
        };
        let kept = base.split(';').next().unwrap_or("").trim();
        let charset = match enc {
            Some(e) => Some(e.name()),
            None => charset::charset_param(base).or_else(|| charset::charset_param(original)),
        };
        info.content_type = Some(match charset {
            Some(cs) => format!("{kept}; charset={cs}"),
            None => kept.to_string(),
        });
        info.stream |= is_stream_type(&info.mime());
        info
    }
}

/// Types that are written as they arrive even without `--stream`.
pub fn is_stream_type(mime: &str) -> bool {
    mime == "text/event-stream" || mime == "application/x-ndjson"
}

/// XML media types (`text/html` is not one: HTML is rarely well-formed XML).
fn is_xml_type(mime: &str) -> bool {
    matches!(mime, "application/xml" | "text/xml") || mime.ends_with("+xml")
}

fn is_json_type(mime: &str) -> bool {
    mime == "application/json" || mime.ends_with("+json") || mime == "application/x-ndjson"
}

fn is_textual(mime: &str) -> bool {
    mime.is_empty()
        || mime.starts_with("text/")
        || is_json_type(mime)
        || mime.ends_with("+xml")
        || matches!(
            mime,
            "application/xml" | "application/javascript" | "application/x-www-form-urlencoded"
        )
}

/// Print a body; returns how many bytes were read.
pub fn print<W: Write>(p: &mut Printer<W>, reader: &mut dyn Read, info: &BodyInfo) -> Result<u64> {
    let mut src = Counted {
        inner: reader,
        n: 0,
    };
    if !p.opts.terminal && !p.opts.format && p.theme.is_none() {
        // Redirected, neither formatted nor coloured: nothing to judge the body by, so its
        // bytes go out as they arrive (a slow body shows its first bytes at once).
        copy_text(p, &[], &mut src, true)?;
        return Ok(src.n);
    }
    let mut head = Vec::with_capacity(CHUNK);
    let complete = read_head(&mut src, &mut head, info.stream)?;
    if head.is_empty() {
        return Ok(0);
    }
    let mime = info.mime();
    if !p.opts.terminal {
        // Redirected output is never decoded: byte-exact unless JSON is being formatted.
        body(p, head, &mut src, info, &mime)?;
        return Ok(src.n);
    }
    let enc = charset::choose(
        info.content_type.as_deref(),
        &head,
        complete,
        is_json_type(&mime),
    );
    if looks_binary(&head, &mime, enc) {
        let size = match info.content_length {
            Some(n) => n,
            None => src.n + drain(&mut src)?,
        };
        binary_note(p, size, &mime)?;
        return Ok(size);
    }
    if enc == UTF_8 {
        // Invisible, and it would hide JSON from the check below.
        if head.starts_with(UTF8_BOM) {
            head.drain(..UTF8_BOM.len());
        }
        body(p, head, &mut src, info, &mime)?;
    } else {
        let mut text = Utf8Reader::new(enc, head, &mut src);
        let mut head = Vec::with_capacity(CHUNK);
        read_head(&mut text, &mut head, info.stream)?;
        // Decoded, the text's length is not the body's.
        let info = BodyInfo {
            content_length: None,
            ..info.clone()
        };
        body(p, head, &mut text, &info, &mime)?;
    }
    Ok(src.n)
}

/// Counts the bytes read from the body itself (before any charset decoding); `--filter`
/// counts with it too.
pub(super) struct Counted<'a> {
    pub(super) inner: &'a mut dyn Read,
    pub(super) n: u64,
}

impl Read for Counted<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n += n as u64;
        Ok(n)
    }
}

/// Read the first bytes, enough to judge the body by; true if that is the whole body.
/// Normally up to [`CHUNK`]; in stream mode only what has arrived, so that a slow stream
/// is shown at once (whitespace alone says nothing, so reading goes on past it).
fn read_head(reader: &mut dyn Read, head: &mut Vec<u8>, stream: bool) -> io::Result<bool> {
    if !stream {
        fill(reader, head, CHUNK)?;
        return Ok(head.len() < CHUNK);
    }
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = read_chunk(reader, &mut buf)?;
        head.extend_from_slice(&buf[..n]);
        if n == 0 {
            return Ok(true);
        }
        if !head.iter().all(u8::is_ascii_whitespace) {
            return Ok(false);
        }
    }
}

/// One `read`, retried when interrupted; 0 at the end of the body.
fn read_chunk(reader: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match reader.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Read into `buf` until it holds `limit` bytes or the body ends.
fn fill(reader: &mut dyn Read, buf: &mut Vec<u8>, limit: usize) -> io::Result<u64> {
    let start = buf.len();
    while buf.len() < limit {
        let want = (limit - buf.len()).min(CHUNK);
        let old = buf.len();
        buf.resize(old + want, 0);
        let n = match read_chunk(reader, &mut buf[old..]) {
            Ok(n) => n,
            Err(e) => {
                buf.truncate(old);
                return Err(e);
            }
        };
        buf.truncate(old + n);
        if n == 0 {
            break;
        }
    }
    Ok((buf.len() - start) as u64)
}

fn drain(reader: &mut dyn Read) -> io::Result<u64> {
    io::copy(reader, &mut io::sink())
}

/// A body that is not binary: formatted JSON, or text as received. `info.content_length`,
/// when known, is the length of what `reader` yields.
fn body<W: Write>(
    p: &mut Printer<W>,
    mut head: Vec<u8>,
    reader: &mut dyn Read,
    info: &BodyInfo,
    mime: &str,
) -> Result<()> {
    // Formatting, or colours alone (`--pretty=colors`, `json.format:false`): then the JSON
    // is coloured with its whitespace as received.
    let colors = p.theme.is_some();
    let reindent_xml = p.opts.format && p.opts.xml_format;
    // A body known to be longer than VALIDATE_LIMIT is not checked before it is formatted,
    // so its first VALIDATE_LIMIT is not held either.
    let check = !info.stream
        && info
            .content_length
            .is_none_or(|n| n <= VALIDATE_LIMIT as u64);
    if is_xml_type(mime) && (reindent_xml || colors) {
        return format_xml(p, head, reader, info.stream, check);
    }
    if !((p.opts.format || colors) && json_candidate(&head, mime, info.stream)) {
        return copy_text(p, &head, reader, info.stream);
    }
    if p.opts.json_sort_keys && p.opts.format {
        return format_sorted(p, head, reader, info.stream);
    }
    if check {
        // Hold up to VALIDATE_LIMIT to check the whole body is JSON before formatting it.
        fill(reader, &mut head, VALIDATE_LIMIT)?;
        let skip = json::xssi_prefix_len(&head);
        if head.len() < VALIDATE_LIMIT && !json::is_json(&head[skip..]) {
            return copy_text(p, &head, reader, false);
        }
    }
    format_json(p, head, reader, info.stream)
}

/// Whether to try the JSON formatter. A stream can't be checked ahead, so a text stream
/// must open an object or array: a plain-text line starting with `null` or a digit is
/// left alone rather than formatted up to its first space.
fn json_candidate(head: &[u8], mime: &str, stream: bool) -> bool {
    let typed = is_json_type(mime);
    if !(typed || mime.starts_with("text/") || mime.is_empty()) {
        return false;
    }
    let rest = &head[json::xssi_prefix_len(head)..];
    match rest.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{' | b'[') => true,
        Some(b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => typed || !stream,
        _ => false,
    }
}

/// A NUL byte (outside UTF-16 text), or a non-text type whose first bytes are not UTF-8.
fn looks_binary(head: &[u8], mime: &str, enc: &'static Encoding) -> bool {
    if head.contains(&0) && !charset::is_utf16(enc) {
        return true;
    }
    if is_textual(mime) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => false,
        // A multi-byte character cut at the end of the first chunk is still text.
        Err(e) => e.error_len().is_some(),
    }
}

fn binary_note<W: Write>(p: &mut Printer<W>, size: u64, mime: &str) -> io::Result<()> {
    let kind = if mime.is_empty() {
        "unknown type"
    } else {
        mime
    };
    let text = format!(
        "binary body not shown ({}, {kind}): use -o FILE or -d to save it",
        human_size(size)
    );
    match p.theme.map(|t| t.note) {
        Some(c) if !c.is_empty() => writeln!(p.out, "{c}{text}{RESET}"),
        _ => writeln!(p.out, "{text}"),
    }
}

/// `8.1 kB`, `512 B`, `3.4 MB` (decimal units, as download tools show them).
pub fn human_size(n: u64) -> String {
    const UNITS: [&str; 5] = ["kB", "MB", "GB", "TB", "PB"];
    if n < 1000 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

pub(super) fn json_options<W: Write>(p: &Printer<W>) -> JsonOptions {
    JsonOptions {
        indent: p.opts.json_indent,
        colors: p.theme.map(|t| t.json),
        escape_controls: p.opts.terminal,
        reindent: p.opts.format,
    }
}

/// Show an XSSI prefix as received, on its own line; returns its length.
fn xssi_prefix<W: Write>(p: &mut Printer<W>, head: &[u8]) -> io::Result<usize> {
    let skip = json::xssi_prefix_len(head);
    if skip > 0 {
        write_text(p, &head[..skip], &mut Sanitizer::new())?;
        if !p.out.at_line_start() {
            p.out.write_all(b"\n")?;
        }
    }
    Ok(skip)
}

/// Format JSON as it streams; in stream mode each chunk is flushed as soon as it is formatted.
fn format_json<W: Write>(
    p: &mut Printer<W>,
    head: Vec<u8>,
    reader: &mut dyn Read,
    stream: bool,
) -> Result<()> {
    let opts = json_options(p);
    let warn = p.opts.warnings;
    let skip = xssi_prefix(p, &head)?;
    let mut fmt = JsonFormatter::new(&mut p.out, opts);
    fmt.write_chunk(&head[skip..])?;
    drop(head); // up to 8 MiB, not needed any more
    if stream {
        fmt.flush()?;
    }
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = read_chunk(reader, &mut buf)?;
        if n == 0 {
            break;
        }
        fmt.write_chunk(&buf[..n])?;
        if stream {
            fmt.flush()?;
        }
    }
    let fell_back = fmt.fell_back();
    fmt.finish()?;
    if fell_back && warn {
        eprintln!("rq: warning: the body is not valid JSON past some point; the rest is shown as received");
    }
    Ok(())
}

/// XML, formatted or coloured as it streams (see `xml.rs`). Bodies up to VALIDATE_LIMIT
/// are checked first and shown as received when they are not a well-formed document, as
/// JSON is; a bigger one is formatted up to the first token that breaks, then shown as
/// received from there.
fn format_xml<W: Write>(
    p: &mut Printer<W>,
    mut head: Vec<u8>,
    reader: &mut dyn Read,
    stream: bool,
    check: bool,
) -> Result<()> {
    if check {
        fill(reader, &mut head, VALIDATE_LIMIT)?;
        if head.len() < VALIDATE_LIMIT && !xml::is_xml(&head) {
            return copy_text(p, &head, reader, false);
        }
    }
    let opts = XmlOptions {
        indent: p.opts.xml_indent,
        colors: p.theme.map(|t| t.xml),
        escape_controls: p.opts.terminal,
        reindent: p.opts.format && p.opts.xml_format,
        flush_each: stream,
    };
    let outcome = xml::format((&head[..]).chain(reader), &mut p.out, &opts)?;
    if outcome.fell_back && p.opts.warnings {
        eprintln!(
            "rq: warning: the body is not well-formed XML past some point (or nests or runs \
             too deep to format); the rest is shown as received"
        );
    }
    Ok(())
}

/// `--sorted`: JSON values are parsed, sorted and formatted once whole. Without streaming
/// that means the whole body; in stream mode, each run of complete lines that completes
/// its values (one NDJSON record, or several). What is not JSON is shown as received.
fn format_sorted<W: Write>(
    p: &mut Printer<W>,
    mut pending: Vec<u8>,
    reader: &mut dyn Read,
    stream: bool,
) -> Result<()> {
    let skip = xssi_prefix(p, &pending)?;
    pending.drain(..skip);
    let mut sanitizer = Sanitizer::new();
    let mut buf = vec![0u8; CHUNK];
    let mut sorted = Vec::new();
    // The head is handled before anything more is read, so a stream's first line shows.
    let mut end = false;
    loop {
        let cut = match (end, stream) {
            (true, _) => pending.len(),
            (false, true) => pending
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1),
            (false, false) => 0,
        };
        match json::completeness(&pending[..cut]) {
            _ if cut == 0 => {}
            Completeness::Whole => {
                sorted.clear();
                sort::sorted(&pending[..cut], &mut sorted);
                let opts = json_options(p);
                let mut fmt = JsonFormatter::new(&mut p.out, opts);
                fmt.write_chunk(&sorted)?;
                fmt.finish()?;
                pending.drain(..cut);
            }
            Completeness::Partial if !end => {} // wait for the rest of the value
            Completeness::Partial | Completeness::Invalid => {
                write_text(p, &pending[..cut], &mut sanitizer)?;
                pending.drain(..cut);
            }
        }
        if stream {
            p.out.flush()?;
        }
        if end {
            break;
        }
        let n = read_chunk(reader, &mut buf)?;
        pending.extend_from_slice(&buf[..n]);
        end = n == 0;
    }
    finish_text(p, &mut sanitizer)
}

/// Text as received; on a terminal, sanitised so nothing reaches it as a control sequence.
fn copy_text<W: Write>(
    p: &mut Printer<W>,
    head: &[u8],
    reader: &mut dyn Read,
    stream: bool,
) -> Result<()> {
    let mut sanitizer = Sanitizer::new();
    write_text(p, head, &mut sanitizer)?;
    if stream {
        p.out.flush()?;
    }
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = read_chunk(reader, &mut buf)?;
        if n == 0 {
            break;
        }
        write_text(p, &buf[..n], &mut sanitizer)?;
        if stream {
            p.out.flush()?;
        }
    }
    finish_text(p, &mut sanitizer)
}

/// Show what the sanitiser still holds (a cut-off character at the very end).
fn finish_text<W: Write>(p: &mut Printer<W>, sanitizer: &mut Sanitizer) -> Result<()> {
    if p.opts.terminal {
        let mut tail = Vec::new();
        sanitizer.finish(&mut tail);
        p.out.write_all(&tail)?;
    }
    Ok(())
}

fn write_text<W: Write>(p: &mut Printer<W>, bytes: &[u8], s: &mut Sanitizer) -> io::Result<()> {
    if p.opts.terminal {
        let mut clean = Vec::with_capacity(bytes.len() + 16);
        s.push(bytes, &mut clean);
        p.out.write_all(&clean)
    } else {
        p.out.write_all(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_size_table() {
        for (n, want) in [
            (0, "0 B"),
            (999, "999 B"),
            (1000, "1.0 kB"),
            (8100, "8.1 kB"),
            (3_400_000, "3.4 MB"),
            (1_000_000_000, "1.0 GB"),
        ] {
            assert_eq!(human_size(n), want);
        }
    }

    #[test]
    fn binary_detection_table() {
        use encoding_rs::UTF_16LE;
        for (head, mime, enc, want) in [
            (&b"abc\0def"[..], "text/plain", UTF_8, true),
            (&b"plain"[..], "application/octet-stream", UTF_8, false),
            (&b"\xff\xfe\xfd"[..], "image/png", UTF_8, true),
            (&b"\xff\xfe\xfd"[..], "text/plain", UTF_8, false),
            (&b"caf\xc3"[..], "application/octet-stream", UTF_8, false),
            // UTF-16 text is full of NULs and still text.
            (&b"\xff\xfeh\0i\0"[..], "text/plain", UTF_16LE, false),
        ] {
            assert_eq!(looks_binary(head, mime, enc), want, "{head:?} {mime}");
        }
    }

    #[test]
    fn overrides_rewrite_the_content_type_the_printer_sees() {
        let info = |ct: &str| BodyInfo {
            content_type: Some(ct.into()),
            ..BodyInfo::default()
        };
        let latin1 = encoding_rs::WINDOWS_1252;
        // (Content-Type, --response-mime, --response-charset, what the printer sees, stream)
        type Case = (
            &'static str,
            Option<&'static str>,
            Option<&'static Encoding>,
            &'static str,
            bool,
        );
        let cases: &[Case] = &[
            (
                "text/plain; charset=utf-8",
                None,
                None,
                "text/plain; charset=utf-8",
                false,
            ),
            (
                "text/plain; charset=koi8-r",
                Some("application/json"),
                None,
                "application/json; charset=koi8-r",
                false,
            ),
            (
                "text/plain; charset=utf-8",
                None,
                Some(latin1),
                "text/plain; charset=windows-1252",
                false,
            ),
            (
                "text/html",
                Some("application/x-ndjson; charset=utf-16"),
                None,
                "application/x-ndjson; charset=utf-16",
                true,
            ),
            (
                "",
                Some("text/event-stream"),
                None,
                "text/event-stream",
                true,
            ),
        ];
        for (ct, mime, enc, want, stream) in cases {
            let got = info(ct).overridden(*mime, *enc);
            assert_eq!(got.content_type.as_deref(), Some(*want), "{ct} {mime:?}");
            assert_eq!(got.stream, *stream, "{ct} {mime:?}");
        }
    }

    #[test]
    fn streamed_text_must_open_an_object_or_array_to_be_formatted() {
        for (head, mime, stream, want) in [
            (&b"null pointer"[..], "text/plain", true, false),
            (&b"null pointer"[..], "text/plain", false, true),
            (&b"  {\"a\":1}"[..], "text/plain", true, true),
            (&b"42\n"[..], "application/x-ndjson", true, true),
            (&b")]}',\n[1]"[..], "application/json", true, true),
            (&b"data: {}"[..], "text/event-stream", true, false),
            (&b"{}"[..], "image/png", false, false),
        ] {
            assert_eq!(json_candidate(head, mime, stream), want, "{head:?} {mime}");
        }
    }
}
