//! An HTTP/1.x response head as it came off the wire: where it ends in the byte stream, the
//! limits on it, and its parse.
//!
//! The engine's transport (`engine/wire.rs`) reads every response head through a
//! [`Reader`], so what rq prints is what the server sent: the status line with the server's
//! own reason phrase, and every field in the order received with its name's casing, repeated
//! names where they were ([`Received`], carried in the response's extensions). The fields
//! rq acts on (cookies, credentials, redirects, downloads) are parsed into the response's
//! `http` header map beside it, and the [`Framing`] of the body is worked out here too.
//!
//! The parse is lenient where RFC 9112 lets a recipient be: a line may end in LF alone, an
//! obs-fold continuation line is joined to its field with a space, whitespace before the
//! colon is dropped, blank lines before the status line are skipped, and control characters
//! in names and values are kept (the printer escapes them on a terminal). It is strict where
//! a mistake would misframe the body or smuggle a response: a bare CR, a `Content-Length`
//! that is not a number or disagrees with itself, a line with no colon. A field whose name
//! is not a token or whose value holds a control character is shown but left out of the
//! header map. The size is bounded ([`Limits`]) while the head arrives, so a hostile server
//! can't grow rq's memory.

use std::fmt;
use std::ops::Range;

use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, StatusCode, Version};

/// The most header lines by default (`--max-headers N` changes it).
pub const DEFAULT_LINES: usize = 10_000;
/// The most bytes a response head may take, status line and blank line included.
pub const MAX_BYTES: usize = 1024 * 1024;

/// Limits on a response head; a head over either is refused with a message naming it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Header lines after the status line (obs-fold continuation lines count); `None`:
    /// only the size is limited (`--max-headers 0`).
    pub lines: Option<usize>,
    /// Bytes of the whole head.
    pub bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            lines: Some(DEFAULT_LINES),
            bytes: MAX_BYTES,
        }
    }
}

/// Why a response head was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Over [`Limits::bytes`].
    TooLarge(usize),
    /// Over [`Limits::lines`].
    TooManyLines(usize),
    /// Not a response head rq can trust; says what is wrong.
    Invalid(String),
}

impl Error {
    /// One line naming the server (`host:port`).
    pub fn describe(&self, host: &str) -> String {
        match self {
            Error::TooLarge(limit) => format!(
                "the response head from {host} is larger than {} (rq's limit)",
                size(*limit)
            ),
            Error::TooManyLines(limit) => format!(
                "the response head from {host} has more than {limit} header lines (rq's limit): \
                 raise it with --max-headers N, or 0 for no line limit"
            ),
            Error::Invalid(why) => format!("invalid response from {host}: {why}"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe("the server"))
    }
}

impl std::error::Error for Error {}

fn size(bytes: usize) -> String {
    match bytes {
        b if b >= 1024 * 1024 && b % (1024 * 1024) == 0 => format!("{} MiB", b / (1024 * 1024)),
        b if b >= 1024 && b % 1024 == 0 => format!("{} KiB", b / 1024),
        b => format!("{b} bytes"),
    }
}

/// Collects a response head from a byte stream, up to and including the blank line that
/// ends it, and no further: what follows is the body's.
#[derive(Debug)]
pub struct Reader {
    limits: Limits,
    raw: Vec<u8>,
    /// Where the line being received starts in `raw`.
    line_start: usize,
    /// Header lines (after the status line) received whole.
    lines: usize,
    /// The status line has been received.
    status_seen: bool,
}

impl Reader {
    pub fn new(limits: Limits) -> Reader {
        Reader {
            limits,
            raw: Vec::new(),
            line_start: 0,
            lines: 0,
            status_seen: false,
        }
    }

    /// Take bytes from `input` up to the end of the head: `Some(n)` when the head ended
    /// with `input[..n]` (the rest is not the head's), `None` when all of `input` was taken
    /// and the head goes on.
    pub fn push(&mut self, input: &[u8]) -> Result<Option<usize>, Error> {
        let mut from = 0;
        while let Some(at) = input[from..].iter().position(|&b| b == b'\n') {
            let end = from + at + 1;
            self.take(&input[from..end])?;
            from = end;
            if self.line_ended()? {
                return Ok(Some(end));
            }
        }
        self.take(&input[from..])?;
        Ok(None)
    }

    fn take(&mut self, bytes: &[u8]) -> Result<(), Error> {
        if self.raw.len() + bytes.len() > self.limits.bytes {
            return Err(Error::TooLarge(self.limits.bytes));
        }
        self.raw.extend_from_slice(bytes);
        Ok(())
    }

    /// A line (ending in LF) was just taken: true when it is the blank line ending the
    /// head. Blank lines before the status line are dropped.
    fn line_ended(&mut self) -> Result<bool, Error> {
        let line = &self.raw[self.line_start..];
        let blank = matches!(line, b"\n" | b"\r\n");
        match (blank, self.status_seen) {
            (true, true) => return Ok(true),
            (true, false) => self.raw.truncate(self.line_start),
            (false, false) => self.status_seen = true,
            (false, true) => {
                self.lines += 1;
                if let Some(limit) = self.limits.lines.filter(|&l| self.lines > l) {
                    return Err(Error::TooManyLines(limit));
                }
            }
        }
        self.line_start = self.raw.len();
        Ok(false)
    }

    /// Bytes of the head taken so far (blank lines before the status line not counted).
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// Parse the head once [`Reader::push`] has found its end.
    pub fn finish(self) -> Result<Parsed, Error> {
        parse(&self.raw)
    }
}

/// Read a whole head from the start of `bytes` within `limits`: the parse and the number of
/// bytes it took. `Ok(None)` when `bytes` end before the head does.
pub fn read(bytes: &[u8], limits: Limits) -> Result<Option<(Parsed, usize)>, Error> {
    let mut reader = Reader::new(limits);
    match reader.push(bytes)? {
        Some(n) => Ok(Some((reader.finish()?, n))),
        None => Ok(None),
    }
}

/// A parsed response head.
#[derive(Debug)]
pub struct Parsed {
    /// Version, status and the fields rq acts on; the head as received is in its
    /// extensions as a [`Received`].
    pub parts: http::response::Parts,
    pub framing: Framing,
}

/// How the body of a response is delimited, as the head says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Framing {
    /// `Content-Length` (agreeing with itself); ignored when `chunked`.
    pub length: Option<u64>,
    /// `Transfer-Encoding` ending in `chunked`.
    pub chunked: bool,
    /// Not to be used again after this response: `Connection: close`, HTTP/1.0 without
    /// keep-alive, or framing RFC 9112 calls suspect (both `Transfer-Encoding` and
    /// `Content-Length`, a transfer coding not ending in chunked: read until the close).
    pub close: bool,
}

/// The head as received, for printing: status line and every field in order, names with
/// their casing, obs-folds joined with a space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The version, reason phrase and every name and value, one after another.
    text: Vec<u8>,
    version: Range<usize>,
    pub status: u16,
    reason: Range<usize>,
    fields: Vec<(Range<usize>, Range<usize>)>,
}

impl Received {
    /// `HTTP/1.1` as the status line has it.
    pub fn version(&self) -> &[u8] {
        &self.text[self.version.clone()]
    }

    /// The server's reason phrase (possibly empty).
    pub fn reason(&self) -> &[u8] {
        &self.text[self.reason.clone()]
    }

    /// Every field as received: name and value, in order.
    pub fn fields(&self) -> impl Iterator<Item = (&[u8], &[u8])> + '_ {
        self.fields
            .iter()
            .map(|(n, v)| (&self.text[n.clone()], &self.text[v.clone()]))
    }

    pub fn field_count(&self) -> usize {
        self.fields.len()
    }
}

fn invalid(why: impl Into<String>) -> Error {
    Error::Invalid(why.into())
}

/// `line` for an error message: at most 60 characters, control characters escaped.
fn quoted(line: &[u8]) -> String {
    let shown: String = line
        .iter()
        .take(60)
        .flat_map(|b| b.escape_ascii())
        .map(char::from)
        .collect();
    match line.len() > 60 {
        true => format!("'{shown}…'"),
        false => format!("'{shown}'"),
    }
}

fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn trim(mut b: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = b {
        if !is_ows(*first) {
            break;
        }
        b = rest;
    }
    trim_end(b)
}

fn trim_end(mut b: &[u8]) -> &[u8] {
    while let [rest @ .., last] = b {
        if !is_ows(*last) {
            break;
        }
        b = rest;
    }
    b
}

/// Parse a head that ends with its blank line (as [`Reader`] collects it).
fn parse(raw: &[u8]) -> Result<Parsed, Error> {
    let mut lines = raw.split(|&b| b == b'\n').enumerate().map(|(n, line)| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        match line.contains(&b'\r') {
            true => Err(invalid(format!(
                "a bare CR in line {}: {}",
                n + 1,
                quoted(line)
            ))),
            false => Ok(line),
        }
    });
    let mut text = Vec::with_capacity(raw.len());
    let status_line = loop {
        match lines.next() {
            Some(Ok([])) => continue,
            Some(line) => break line?,
            None => return Err(invalid("no status line")),
        }
    };
    let (version, status, reason) = status(status_line)?;
    let range = |text: &mut Vec<u8>, bytes: &[u8]| {
        let start = text.len();
        text.extend_from_slice(bytes);
        start..text.len()
    };
    let mut received = Received {
        version: range(&mut text, &status_line[..8]),
        status: status.as_u16(),
        reason: range(&mut text, reason),
        fields: Vec::new(),
        text: Vec::new(),
    };
    for (n, line) in lines.by_ref().enumerate() {
        let line = line?;
        if line.is_empty() {
            break;
        }
        field(line, n + 2, &mut text, &mut received.fields)?;
    }
    received.text = text;
    let framing = framing(&received, version)?;
    let (mut parts, ()) = http::Response::new(()).into_parts();
    parts.status = status;
    parts.version = version;
    parts.headers = header_map(&received);
    parts.extensions.insert(received);
    Ok(Parsed { parts, framing })
}

/// `HTTP/1.x SP 3DIGIT [SP reason]`: the version, the status and the reason phrase.
fn status(line: &[u8]) -> Result<(Version, StatusCode, &[u8]), Error> {
    let bad = || invalid(format!("not an HTTP/1.x status line: {}", quoted(line)));
    let rest = line.strip_prefix(b"HTTP/1.").ok_or_else(bad)?;
    let (minor, rest) = rest.split_first().ok_or_else(bad)?;
    let rest = rest.strip_prefix(b" ").ok_or_else(bad)?;
    if !minor.is_ascii_digit() || rest.len() < 3 || !rest[..3].iter().all(u8::is_ascii_digit) {
        return Err(bad());
    }
    let code = rest[..3]
        .iter()
        .fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
    let status = StatusCode::from_u16(code).map_err(|_| bad())?;
    let reason = match &rest[3..] {
        [] => &[][..],
        [b' ', reason @ ..] => reason,
        _ => return Err(bad()),
    };
    let version = match minor {
        b'0' => Version::HTTP_10,
        _ => Version::HTTP_11,
    };
    Ok((version, status, reason))
}

/// One header line (line `n` of the head): a new field, or an obs-fold continuation of
/// the last one.
fn field(
    line: &[u8],
    n: usize,
    text: &mut Vec<u8>,
    fields: &mut Vec<(Range<usize>, Range<usize>)>,
) -> Result<(), Error> {
    if is_ows(line[0]) {
        let more = trim(line);
        // Whitespace-led lines before the first field are ignored (RFC 9112 §2.2).
        if let (Some((_, value)), false) = (fields.last_mut(), more.is_empty()) {
            // RFC 9112 §5.2: each obs-fold is replaced with a space. The value is the last
            // thing in `text`, so it grows in place.
            if value.end > value.start {
                text.push(b' ');
            }
            text.extend_from_slice(more);
            value.end = text.len();
        }
        return Ok(());
    }
    let Some(colon) = line.iter().position(|&b| b == b':') else {
        return Err(invalid(format!(
            "header line {n} has no colon: {}",
            quoted(line)
        )));
    };
    // Whitespace before the colon is dropped, as RFC 9112 §5.1 has proxies do.
    let name = trim_end(&line[..colon]);
    if name.is_empty() {
        return Err(invalid(format!(
            "header line {n} has no name: {}",
            quoted(line)
        )));
    }
    let value = trim(&line[colon + 1..]);
    let start = text.len();
    text.extend_from_slice(name);
    let name = start..text.len();
    text.extend_from_slice(value);
    fields.push((name.clone(), name.end..text.len()));
    Ok(())
}

/// The fields rq acts on: those whose name is a token and whose value has no control
/// characters (the `http` types hold no others).
fn header_map(received: &Received) -> HeaderMap {
    let mut map = HeaderMap::with_capacity(received.field_count());
    for (name, value) in received.fields() {
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        {
            map.append(name, value);
        }
    }
    map
}

/// The framing of the body, from `Content-Length`, `Transfer-Encoding` and `Connection`.
fn framing(received: &Received, version: Version) -> Result<Framing, Error> {
    let mut length: Option<u64> = None;
    let mut coding: Option<&[u8]> = None;
    let (mut close, mut keep_alive) = (false, false);
    for (name, value) in received.fields() {
        if name.eq_ignore_ascii_case(b"content-length") {
            for element in value.split(|&b| b == b',') {
                let n = content_length(trim(element))?;
                match length {
                    Some(before) if before != n => {
                        return Err(invalid(format!(
                            "conflicting Content-Length values ({before} and {n})"
                        )))
                    }
                    _ => length = Some(n),
                }
            }
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            if value.iter().any(|b| b.is_ascii_control() && *b != b'\t') {
                return Err(invalid(format!(
                    "a control character in Transfer-Encoding: {}",
                    quoted(value)
                )));
            }
            let last = value
                .split(|&b| b == b',')
                .map(trim)
                .rfind(|c| !c.is_empty());
            coding = last.or(coding).or(Some(&[]));
        } else if name.eq_ignore_ascii_case(b"connection") {
            for token in value.split(|&b| b == b',').map(trim) {
                close |= token.eq_ignore_ascii_case(b"close");
                keep_alive |= token.eq_ignore_ascii_case(b"keep-alive");
            }
        }
    }
    let http10 = version == Version::HTTP_10;
    close |= http10 && !keep_alive;
    let Some(coding) = coding else {
        return Ok(Framing {
            length,
            chunked: false,
            close,
        });
    };
    // RFC 9112 §6.1 and §6.3: Transfer-Encoding wins over Content-Length but makes the
    // connection suspect; a last coding other than chunked, or any transfer coding in an
    // HTTP/1.0 response, leaves the body to end with the connection.
    let chunked = !http10 && coding.eq_ignore_ascii_case(b"chunked");
    Ok(Framing {
        length: None,
        chunked,
        close: close || !chunked || length.is_some(),
    })
}

/// One `Content-Length` value: digits only.
fn content_length(value: &[u8]) -> Result<u64, Error> {
    let bad = || invalid(format!("an invalid Content-Length {}", quoted(value)));
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return Err(bad());
    }
    value
        .iter()
        .try_fold(0u64, |n, d| {
            n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        })
        .ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(raw: &[u8]) -> Result<Parsed, Error> {
        let (parsed, n) = read(raw, Limits::default())?.expect("a whole head");
        assert_eq!(n, raw.len());
        Ok(parsed)
    }

    fn fields(p: &Parsed) -> Vec<(String, String)> {
        let r = p.parts.extensions.get::<Received>().unwrap();
        let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        r.fields().map(|(n, v)| (s(n), s(v))).collect()
    }

    #[test]
    fn the_reason_phrase_names_and_order_are_kept() {
        let p = one(b"HTTP/1.1 299 Custom Thing\r\nSet-Cookie: a\r\nX-A: 1\r\nSet-Cookie: b\r\nETag: \"x\"\r\n\r\n").unwrap();
        let r = p.parts.extensions.get::<Received>().unwrap();
        assert_eq!(
            (r.version(), r.status, r.reason()),
            (&b"HTTP/1.1"[..], 299, &b"Custom Thing"[..])
        );
        let names: Vec<String> = fields(&p).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["Set-Cookie", "X-A", "Set-Cookie", "ETag"]);
        assert_eq!(p.parts.headers.get_all("set-cookie").iter().count(), 2);
        assert_eq!(p.parts.status.as_u16(), 299);
    }

    #[test]
    fn lenient_where_rfc_9112_allows() {
        let p =
            one(b"\r\nHTTP/1.0 200\nX-Fold: a\r\n  b\r\n\tc\r\nX-Sp : v \r\nX-Del: a\x7fb\r\n\n")
                .unwrap();
        assert_eq!(
            fields(&p),
            [
                ("X-Fold".into(), "a b c".into()),
                ("X-Sp".into(), "v".into()),
                ("X-Del".into(), "a\x7fb".into())
            ]
        );
        assert_eq!(p.parts.version, Version::HTTP_10);
        // The DEL can't be an http header value: shown, not acted on.
        assert!(p.parts.headers.get("x-del").is_none());
        assert_eq!(p.parts.headers.get("x-fold").unwrap(), "a b c");
        assert!(p.framing.close, "HTTP/1.0 without keep-alive closes");
    }

    #[test]
    fn strict_where_framing_depends_on_it() {
        for (raw, why) in [
            (
                &b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"[..],
                "conflicting Content-Length values (5 and 6)",
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n",
                "conflicting",
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n",
                "invalid Content-Length '+5'",
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
                "invalid Content-Length",
            ),
            (
                b"HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n",
                "a bare CR in line 2",
            ),
            (
                b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
                "header line 2 has no colon",
            ),
            (b"HTTP/1.1 200 OK\r\n: v\r\n\r\n", "no name"),
            (b"HTTP/2 200\r\n\r\n", "not an HTTP/1.x status line"),
            (b"HTTP/1.1 20 OK\r\n\r\n", "not an HTTP/1.x status line"),
            (b"HTTP/1.1 099 OK\r\n\r\n", "not an HTTP/1.x status line"),
            (b"HTTP/1.1 200OK\r\n\r\n", "not an HTTP/1.x status line"),
        ] {
            match one(raw) {
                Err(Error::Invalid(got)) => assert!(got.contains(why), "{got} / {why}"),
                other => panic!("{:?}: {other:?}", String::from_utf8_lossy(raw)),
            }
        }
        let p =
            one(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\ncontent-length: 005, 5\r\n\r\n").unwrap();
        assert_eq!(
            p.framing,
            Framing {
                length: Some(5),
                chunked: false,
                close: false
            }
        );
    }

    #[test]
    fn transfer_encoding_wins_and_closes_when_suspect() {
        let f = |raw: &[u8]| one(raw).unwrap().framing;
        let chunked = f(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
        assert_eq!(
            chunked,
            Framing {
                length: None,
                chunked: true,
                close: false
            }
        );
        let both = f(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n");
        assert_eq!(
            both,
            Framing {
                length: None,
                chunked: true,
                close: true
            }
        );
        let not_last = f(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n");
        assert_eq!(
            not_last,
            Framing {
                length: None,
                chunked: false,
                close: true
            }
        );
        let keep = f(b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\n");
        assert_eq!(
            keep,
            Framing {
                length: Some(1),
                chunked: false,
                close: false
            }
        );
    }

    #[test]
    fn the_reader_stops_at_the_blank_line_whatever_the_pieces() {
        let raw = b"HTTP/1.1 200 OK\r\nA: 1\r\n\r\nBODY";
        for step in 1..raw.len() {
            let mut reader = Reader::new(Limits::default());
            let mut taken = 0;
            let mut end = None;
            for piece in raw.chunks(step) {
                match reader.push(piece).unwrap() {
                    Some(n) => {
                        end = Some(taken + n);
                        break;
                    }
                    None => taken += piece.len(),
                }
            }
            assert_eq!(end, Some(raw.len() - 4), "step {step}");
            assert_eq!(
                fields(&reader.finish().unwrap()),
                [("A".into(), "1".into())]
            );
        }
    }

    #[test]
    fn limits_are_counted_as_the_head_arrives() {
        let mut many = b"HTTP/1.1 200 OK\r\n".to_vec();
        for i in 0..1500 {
            many.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
        }
        many.extend_from_slice(b"\r\n");
        assert_eq!(one(&many).unwrap().parts.headers.len(), 1500);
        let limits = Limits {
            lines: Some(1000),
            bytes: MAX_BYTES,
        };
        assert_eq!(read(&many, limits).unwrap_err(), Error::TooManyLines(1000));
        let small = Limits {
            lines: None,
            bytes: 4096,
        };
        assert_eq!(read(&many, small).unwrap_err(), Error::TooLarge(4096));
        assert!(Error::TooLarge(MAX_BYTES)
            .describe("h:1")
            .contains("larger than 1 MiB"));
        assert_eq!(
            read(b"HTTP/1.1 200 OK\r\nA: 1\r\n", Limits::default())
                .unwrap()
                .map(|(_, n)| n),
            None
        );
    }
}
