//! Request and response heads: request line or status line, then the headers. Every line
//! ends in CRLF and a blank line (CRLF) ends the head, as on the wire and as httpie prints
//! heads, whatever the pretty mode.

use std::borrow::Cow;
use std::io::{self, Write};

use super::sanitize::sanitize_str;
use super::theme::{Theme, RESET};
use crate::head::Received;
use crate::request::{H2Fields, Request};

/// The end of every head line, and of the head.
const EOL: &[u8] = b"\r\n";

/// Write `text` wrapped in `color` (nothing when the colour is empty or there is no theme).
fn paint(out: &mut dyn Write, color: Option<&'static str>, text: &str) -> io::Result<()> {
    match color {
        Some(c) if !c.is_empty() => write!(out, "{c}{text}{RESET}"),
        _ => out.write_all(text.as_bytes()),
    }
}

/// The request line and headers; `version` is what the request line names (`HTTP/1.1`).
/// `sort` orders the headers by name (`--sorted`, `headers.sort`), as for responses.
pub fn request_head(
    out: &mut dyn Write,
    req: &Request,
    theme: Option<&Theme>,
    sort: bool,
    version: &str,
) -> io::Result<()> {
    paint(out, theme.map(|t| t.method), &req.method)?;
    out.write_all(b" ")?;
    paint(out, theme.map(|t| t.url), &req.target())?;
    out.write_all(b" ")?;
    paint(out, theme.map(|t| t.version), version)?;
    out.write_all(EOL)?;
    let mut headers: Vec<_> = req.headers.iter().collect();
    if sort {
        headers.sort_by_key(|h| h.name.to_ascii_lowercase());
    }
    for h in headers {
        let value = String::from_utf8_lossy(&h.value);
        header_line(out, theme, &h.name, &value)?;
    }
    out.write_all(EOL)
}

/// The fields of a request sent over HTTP/2: the pseudo-header fields, then the rest
/// (those ordered by name with `sort`; the pseudo-header fields always come first).
pub fn request_head_h2(
    out: &mut dyn Write,
    fields: &H2Fields,
    theme: Option<&Theme>,
    sort: bool,
) -> io::Result<()> {
    for (name, value) in &fields.pseudo {
        header_line(out, theme, name, value)?;
    }
    let mut rest: Vec<_> = fields.fields.iter().collect();
    if sort {
        rest.sort_by_key(|(name, _)| name.as_str());
    }
    for (name, value) in rest {
        let value = String::from_utf8_lossy(value.as_bytes());
        header_line(out, theme, name.as_str(), &value)?;
    }
    out.write_all(EOL)
}

fn header_line(
    out: &mut dyn Write,
    theme: Option<&Theme>,
    name: &str,
    value: &str,
) -> io::Result<()> {
    paint(out, theme.map(|t| t.header_name), name)?;
    out.write_all(b":")?;
    if !value.is_empty() {
        out.write_all(b" ")?;
        paint(out, theme.map(|t| t.header_value), value)?;
    }
    out.write_all(EOL)
}

/// The status line and headers of a response. An HTTP/1.x head is printed as received
/// (`head::Received`): the server's reason phrase, every field in order with its name's
/// casing. Without one (a head rq did not read off the wire), the status code and the
/// parsed fields, names in lower case as HTTP/2 sends them. On a terminal, control
/// characters are shown escaped; otherwise the bytes are written as they came.
pub fn response_head(
    out: &mut dyn Write,
    parts: &http::response::Parts,
    theme: Option<&Theme>,
    terminal: bool,
    sort: bool,
) -> io::Result<()> {
    let clean = |bytes| cleaned(bytes, terminal);
    let received = parts.extensions.get::<Received>();
    let code = parts.status.as_u16();
    let version = received.map_or(version_text(parts.version).as_bytes(), |r| r.version());
    paint_bytes(out, theme.map(|t| t.version), &clean(version))?;
    out.write_all(b" ")?;
    let mut status = code.to_string().into_bytes();
    if let Some(reason) = received.map(Received::reason).filter(|r| !r.is_empty()) {
        status.push(b' ');
        status.extend_from_slice(&clean(reason));
    }
    paint_bytes(out, theme.map(|t| t.status(code)), &status)?;
    out.write_all(EOL)?;
    let mut lines: Vec<(&[u8], &[u8])> = match received {
        Some(r) => r.fields().collect(),
        None => parts
            .headers
            .iter()
            .map(|(n, v)| (n.as_str().as_bytes(), v.as_bytes()))
            .collect(),
    };
    if sort {
        lines.sort_by_key(|(name, _)| name.to_ascii_lowercase());
    }
    for (name, value) in lines {
        paint_bytes(out, theme.map(|t| t.header_name), &clean(name))?;
        out.write_all(b":")?;
        if !value.is_empty() {
            out.write_all(b" ")?;
            paint_bytes(out, theme.map(|t| t.header_value), &clean(value))?;
        }
        out.write_all(EOL)?;
    }
    out.write_all(EOL)
}

/// `bytes` escaped for a terminal, or as they are.
fn cleaned(bytes: &[u8], terminal: bool) -> Cow<'_, [u8]> {
    match terminal {
        true => Cow::Owned(sanitize_str(bytes).into_bytes()),
        false => Cow::Borrowed(bytes),
    }
}

/// Like [`paint`], for bytes that may not be UTF-8 (written as they are).
fn paint_bytes(out: &mut dyn Write, color: Option<&'static str>, bytes: &[u8]) -> io::Result<()> {
    match color {
        Some(c) if !c.is_empty() => {
            out.write_all(c.as_bytes())?;
            out.write_all(bytes)?;
            out.write_all(RESET.as_bytes())
        }
        _ => out.write_all(bytes),
    }
}

pub fn version_text(v: http::Version) -> &'static str {
    match v {
        http::Version::HTTP_09 => "HTTP/0.9",
        http::Version::HTTP_10 => "HTTP/1.0",
        http::Version::HTTP_2 => "HTTP/2",
        http::Version::HTTP_3 => "HTTP/3",
        _ => "HTTP/1.1",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn printed(raw: &[u8], terminal: bool, sort: bool) -> String {
        let (parsed, _) = crate::head::read(raw, Default::default()).unwrap().unwrap();
        let mut out = Vec::new();
        response_head(&mut out, &parsed.parts, None, terminal, sort).unwrap();
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn the_head_is_printed_as_received() {
        let raw = b"HTTP/1.1 299 Custom Thing\r\nSet-Cookie: a\r\nX-A: 1\r\nSet-Cookie: b\r\n\
                    ETag: \"x\"\r\nX-Fold: a\r\n b\r\nX-Del: a\x7fb\r\n\r\n";
        assert_eq!(
            printed(raw, false, false),
            "HTTP/1.1 299 Custom Thing\r\nSet-Cookie: a\r\nX-A: 1\r\nSet-Cookie: b\r\n\
             ETag: \"x\"\r\nX-Fold: a b\r\nX-Del: a\x7fb\r\n\r\n"
        );
        assert!(printed(raw, true, false).contains("X-Del: a\\x7fb\r\n"));
        assert_eq!(
            printed(
                b"HTTP/1.1 200 OK\r\nb: 2\r\nA: 1\r\na: 3\r\n\r\n",
                false,
                true
            ),
            "HTTP/1.1 200 OK\r\nA: 1\r\na: 3\r\nb: 2\r\n\r\n"
        );
    }

    #[test]
    fn a_head_not_read_off_the_wire_shows_the_parsed_fields() {
        let (mut parts, ()) = http::Response::new(()).into_parts();
        parts.version = http::Version::HTTP_2;
        parts
            .headers
            .insert("content-type", "text/plain".parse().unwrap());
        let mut out = Vec::new();
        response_head(&mut out, &parts, None, false, false).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "HTTP/2 200\r\ncontent-type: text/plain\r\n\r\n"
        );
    }
}
