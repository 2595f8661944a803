//! Request and response heads: request line or status line, then the headers.

use std::io::{self, Write};

use super::sanitize::sanitize_str;
use super::theme::{Theme, RESET};
use crate::request::Request;

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
    wire: bool,
    sort: bool,
    version: &str,
) -> io::Result<()> {
    let eol = if wire { "\r\n" } else { "\n" };
    paint(out, theme.map(|t| t.method), &req.method)?;
    out.write_all(b" ")?;
    paint(out, theme.map(|t| t.url), &req.target())?;
    out.write_all(b" ")?;
    paint(out, theme.map(|t| t.version), version)?;
    out.write_all(eol.as_bytes())?;
    let mut headers: Vec<_> = req.headers.iter().collect();
    if sort {
        headers.sort_by_key(|h| h.name.to_ascii_lowercase());
    }
    for h in headers {
        let value = String::from_utf8_lossy(&h.value);
        header_line(out, theme, &h.name, &value, eol)?;
    }
    out.write_all(eol.as_bytes())
}

fn header_line(
    out: &mut dyn Write,
    theme: Option<&Theme>,
    name: &str,
    value: &str,
    eol: &str,
) -> io::Result<()> {
    paint(out, theme.map(|t| t.header_name), name)?;
    out.write_all(b":")?;
    if !value.is_empty() {
        out.write_all(b" ")?;
        paint(out, theme.map(|t| t.header_value), value)?;
    }
    out.write_all(eol.as_bytes())
}

pub fn response_head(
    out: &mut dyn Write,
    parts: &http::response::Parts,
    theme: Option<&Theme>,
    wire: bool,
    terminal: bool,
    sort: bool,
) -> io::Result<()> {
    let eol = if wire { "\r\n" } else { "\n" };
    let clean = |bytes: &[u8]| {
        if terminal {
            sanitize_str(bytes)
        } else {
            String::from_utf8_lossy(bytes).into_owned()
        }
    };
    let code = parts.status.as_u16();
    paint(out, theme.map(|t| t.version), version_text(parts.version))?;
    out.write_all(b" ")?;
    let status = match parts.status.canonical_reason() {
        Some(reason) => format!("{code} {reason}"),
        None => code.to_string(),
    };
    paint(out, theme.map(|t| t.status(code)), &status)?;
    out.write_all(eol.as_bytes())?;
    let mut lines: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(n, v)| (title_case(n.as_str()), clean(v.as_bytes())))
        .collect();
    if sort {
        lines.sort_by_key(|(name, _)| name.to_ascii_lowercase());
    }
    for (name, value) in &lines {
        header_line(out, theme, name, value, eol)?;
    }
    out.write_all(eol.as_bytes())
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

/// `content-type` → `Content-Type`. HTTP/1.x names are case-insensitive and the engine hands
/// them over lower-cased, so rq shows the conventional form.
pub fn title_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        out.push(if upper { c.to_ascii_uppercase() } else { c });
        upper = c == '-';
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_case_table() {
        for (input, want) in [
            ("content-type", "Content-Type"),
            ("x-a-b", "X-A-B"),
            ("etag", "Etag"),
            ("www-authenticate", "Www-Authenticate"),
            ("", ""),
        ] {
            assert_eq!(title_case(input), want);
        }
    }
}
