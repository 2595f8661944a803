//! Bodies: decide what a body is (JSON, text, binary) from its type and first bytes, then
//! stream it through the right writer. Memory stays bounded: at most 8 MiB are held, and
//! only to validate JSON before formatting it.

use std::io::{self, Read, Write};

use anyhow::Result;

use super::json::{self, JsonFormatter, JsonOptions};
use super::sanitize::Sanitizer;
use super::theme::RESET;
use super::Printer;

/// Bodies up to this size are checked to be JSON before they are formatted; larger ones
/// are formatted as they stream and fall back to raw output at the first error.
const VALIDATE_LIMIT: usize = 8 * 1024 * 1024;
const CHUNK: usize = 64 * 1024;

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
    let mut head = Vec::with_capacity(CHUNK);
    let mut total = fill(reader, &mut head, CHUNK)?;
    if head.is_empty() {
        return Ok(0);
    }
    let mime = info.mime();
    if p.opts.terminal && looks_binary(&head, &mime) {
        let size = match info.content_length {
            Some(n) => n,
            None => total + drain(reader)?,
        };
        binary_note(p, size, &mime)?;
        return Ok(size);
    }
    let json_candidate = is_json_type(&mime) || mime.starts_with("text/") || mime.is_empty();
    if p.opts.format && json_candidate && looks_like_json_start(&head) {
        // Hold up to VALIDATE_LIMIT to check the whole body is JSON before formatting it.
        total += fill(reader, &mut head, VALIDATE_LIMIT)?;
        let complete = head.len() < VALIDATE_LIMIT;
        let skip = json::xssi_prefix_len(&head);
        if !complete || json::is_json(&head[skip..]) {
            return Ok(total + format_json(p, &head, skip, reader, info.stream)?);
        }
    }
    Ok(total + copy_text(p, &head, reader, info.stream)?)
}

/// Read into `buf` until it holds `limit` bytes or the body ends.
fn fill(reader: &mut dyn Read, buf: &mut Vec<u8>, limit: usize) -> io::Result<u64> {
    let start = buf.len();
    while buf.len() < limit {
        let want = (limit - buf.len()).min(CHUNK);
        let old = buf.len();
        buf.resize(old + want, 0);
        let n = loop {
            match reader.read(&mut buf[old..]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        let n = match n {
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

/// A NUL byte, or a non-text type whose first bytes are not UTF-8.
fn looks_binary(head: &[u8], mime: &str) -> bool {
    if head.contains(&0) {
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

fn looks_like_json_start(head: &[u8]) -> bool {
    let rest = &head[json::xssi_prefix_len(head)..];
    matches!(
        rest.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n')
    )
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

fn format_json<W: Write>(
    p: &mut Printer<W>,
    head: &[u8],
    skip: usize,
    reader: &mut dyn Read,
    stream: bool,
) -> Result<u64> {
    let colors = p.theme.map(|t| t.json);
    let opts = JsonOptions {
        indent: p.opts.json_indent,
        colors,
        escape_controls: p.opts.terminal,
    };
    if skip > 0 {
        // The XSSI prefix is shown as received, on its own.
        write_text(p, &head[..skip], &mut Sanitizer::new())?;
        if !p.out.at_line_start() {
            p.out.write_all(b"\n")?;
        }
    }
    let mut fmt = JsonFormatter::new(&mut p.out, opts);
    fmt.write_chunk(&head[skip..])?;
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        total += n as u64;
        fmt.write_chunk(&buf[..n])?;
        if stream {
            fmt.flush()?;
        }
    }
    let fell_back = fmt.fell_back();
    fmt.finish()?;
    if fell_back && p.opts.warnings {
        eprintln!("rq: warning: the body is not valid JSON past some point; the rest is shown as received");
    }
    Ok(total)
}

/// Text as received; on a terminal, sanitised so nothing reaches it as a control sequence.
fn copy_text<W: Write>(
    p: &mut Printer<W>,
    head: &[u8],
    reader: &mut dyn Read,
    stream: bool,
) -> Result<u64> {
    let mut sanitizer = Sanitizer::new();
    write_text(p, head, &mut sanitizer)?;
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        total += n as u64;
        write_text(p, &buf[..n], &mut sanitizer)?;
        if stream {
            p.out.flush()?;
        }
    }
    if p.opts.terminal {
        let mut tail = Vec::new();
        sanitizer.finish(&mut tail);
        p.out.write_all(&tail)?;
    }
    Ok(total)
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
        for (head, mime, want) in [
            (&b"abc\0def"[..], "text/plain", true),
            (&b"plain"[..], "application/octet-stream", false),
            (&b"\xff\xfe\xfd"[..], "image/png", true),
            (&b"\xff\xfe\xfd"[..], "text/plain", false),
            (&b"caf\xc3"[..], "application/octet-stream", false),
        ] {
            assert_eq!(looks_binary(head, mime), want, "{head:?} {mime}");
        }
    }
}
