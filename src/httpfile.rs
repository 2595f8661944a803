//! Request files (`--http-file`): a request written as text, replayed by rq.
//!
//! Two shapes are read. The wire shape is what `rq --offline … > req.http` writes: a
//! request line with an origin-form target (`POST /x HTTP/1.1`) and a `Host` header, or an
//! absolute URL, then headers, a blank line and the body (exactly `Content-Length` bytes
//! when that header is present). The editor shape is what REST-client editor plugins use:
//! `METHOD URL` (the version is optional, and a bare URL means GET), headers, a blank line, a
//! body, and `###` lines separating several requests; `#` and `//` lines before a request
//! line are comments.

/// One request as the file states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRequest {
    pub method: String,
    /// An absolute URL, or `host/path` built from the `Host` header and an origin-form
    /// target (its scheme is then chosen like a typed URL's).
    pub url: String,
    /// Headers in file order, `Host` and `Content-Length` excluded (rq computes those).
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Option<Vec<u8>>,
}

/// Parse every request in `text`. Errors name the request by its position.
pub fn parse(text: &[u8]) -> Result<Vec<FileRequest>, String> {
    let mut requests = Vec::new();
    for (index, block) in split_blocks(text).into_iter().enumerate() {
        if let Some(req) =
            parse_one(block).map_err(|e| format!("request {} in the file: {e}", index + 1))?
        {
            requests.push(req);
        }
    }
    if requests.is_empty() {
        return Err("the file holds no request".into());
    }
    Ok(requests)
}

/// Split on lines that start with `###`.
fn split_blocks(text: &[u8]) -> Vec<&[u8]> {
    let mut blocks = Vec::new();
    let mut start = 0;
    let mut pos = 0;
    while pos < text.len() {
        let end = text[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |i| pos + i + 1);
        if text[pos..end].starts_with(b"###") {
            blocks.push(&text[start..pos]);
            start = end;
        }
        pos = end;
    }
    blocks.push(&text[start..]);
    blocks
}

/// Take one line (without its line end) from `rest`.
fn take_line<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    if rest.is_empty() {
        return None;
    }
    let (line, after) = match rest.iter().position(|&b| b == b'\n') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (*rest, &rest[rest.len()..]),
    };
    *rest = after;
    Some(line.strip_suffix(b"\r").unwrap_or(line))
}

fn parse_one(block: &[u8]) -> Result<Option<FileRequest>, String> {
    let mut rest = block;
    let request_line = loop {
        match take_line(&mut rest) {
            None => return Ok(None),
            Some(line) => {
                let trimmed = line.trim_ascii();
                if trimmed.is_empty() || trimmed.starts_with(b"#") || trimmed.starts_with(b"//") {
                    continue;
                }
                break String::from_utf8_lossy(trimmed).into_owned();
            }
        }
    };
    let (method, target) = request_line_parts(&request_line)?;
    let mut headers = Vec::new();
    let mut host = None;
    let mut length = None;
    while let Some(line) = take_line(&mut rest) {
        if line.is_empty() {
            break;
        }
        let text = String::from_utf8_lossy(line);
        let (name, value) = text
            .split_once(':')
            .ok_or_else(|| format!("'{text}' is not a header line (Name: value)"))?;
        let (name, value) = (name.trim(), value.trim());
        if name.eq_ignore_ascii_case("host") {
            host = Some(value.to_string());
        } else if name.eq_ignore_ascii_case("content-length") {
            length = Some(
                value
                    .parse::<usize>()
                    .map_err(|_| format!("invalid Content-Length '{value}'"))?,
            );
        } else {
            headers.push((name.to_string(), value.as_bytes().to_vec()));
        }
    }
    let body = match length {
        // The body as written on the wire: its chunk framing is taken off here, and the
        // request goes out chunked again (`Transfer-Encoding` stays), framed once.
        None if is_chunked(&headers) => Some(dechunk(rest)?),
        Some(n) if n > rest.len() => {
            return Err(format!(
                "Content-Length says {n} bytes but the body has {}",
                rest.len()
            ))
        }
        Some(n) => Some(rest[..n].to_vec()),
        None => {
            // Editor files end a body at the next `###`; the blank lines before it are layout.
            let body = trim_trailing_newlines(rest);
            (!body.is_empty()).then(|| body.to_vec())
        }
    };
    let url = match (target.starts_with('/'), host) {
        (false, _) => target,
        (true, Some(host)) => format!("{host}{target}"),
        (true, None) => {
            return Err(format!(
                "the target '{target}' needs a Host header or an absolute URL"
            ))
        }
    };
    Ok(Some(FileRequest {
        method,
        url,
        headers,
        body: body.filter(|b| !b.is_empty()),
    }))
}

/// Whether `Transfer-Encoding` ends with `chunked`.
fn is_chunked(headers: &[(String, Vec<u8>)]) -> bool {
    headers.iter().any(|(name, value)| {
        name.eq_ignore_ascii_case("transfer-encoding")
            && String::from_utf8_lossy(value)
                .rsplit(',')
                .next()
                .is_some_and(|c| c.trim().eq_ignore_ascii_case("chunked"))
    })
}

/// The body of a chunked request as written on the wire (RFC 9112 §7.1): the chunks' data
/// joined; chunk extensions and trailer fields are dropped. A bare LF is taken for CRLF.
fn dechunk(mut rest: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let line = take_line(&mut rest).ok_or("the chunked body ends before its last chunk")?;
        let text = String::from_utf8_lossy(line);
        let size = text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size, 16)
            .map_err(|_| format!("invalid chunk size line '{text}' in the chunked body"))?;
        if size == 0 {
            // Trailer fields up to the blank line (or the end of the file).
            while take_line(&mut rest).is_some_and(|l| !l.is_empty()) {}
            return Ok(body);
        }
        if rest.len() < size {
            return Err(format!(
                "a chunk of {size} bytes has only {} in the file",
                rest.len()
            ));
        }
        body.extend_from_slice(&rest[..size]);
        rest = &rest[size..];
        rest = rest
            .strip_prefix(b"\r\n")
            .or_else(|| rest.strip_prefix(b"\n"))
            .ok_or("a chunk is not followed by a line end")?;
    }
}

fn request_line_parts(line: &str) -> Result<(String, String), String> {
    let parts: Vec<&str> = line.split_whitespace().collect();
    let is_method = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphabetic());
    match parts.as_slice() {
        [url] => Ok(("GET".into(), url.to_string())),
        [method, target] | [method, target, _] if is_method(method) => {
            Ok((method.to_ascii_uppercase(), target.to_string()))
        }
        _ => Err(format!(
            "'{line}' is not a request line (expected METHOD URL [HTTP/1.1])"
        )),
    }
}

fn trim_trailing_newlines(mut body: &[u8]) -> &[u8] {
    while let Some(rest) = body.strip_suffix(b"\n") {
        body = rest.strip_suffix(b"\r").unwrap_or(rest);
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> FileRequest {
        let mut all = parse(text.as_bytes()).unwrap();
        assert_eq!(all.len(), 1);
        all.remove(0)
    }

    #[test]
    fn wire_shape_from_offline_output() {
        let r = one("POST /x?a=1 HTTP/1.1\r\nHost: localhost:8080\r\nX-T: 1\r\nContent-Length: 7\r\n\r\n{\"a\":1}");
        assert_eq!(r.method, "POST");
        assert_eq!(r.url, "localhost:8080/x?a=1");
        assert_eq!(r.headers, vec![("X-T".to_string(), b"1".to_vec())]);
        assert_eq!(r.body.as_deref(), Some(&b"{\"a\":1}"[..]));
    }

    #[test]
    fn content_length_takes_exact_bytes() {
        let r = one("PUT http://h/x HTTP/1.1\nContent-Length: 3\n\nabc\n\n");
        assert_eq!(r.body.as_deref(), Some(&b"abc"[..]));
    }

    #[test]
    fn editor_shape_with_comments_and_separators() {
        let text = "# list users\nGET https://api.test/users\nAccept: application/json\n\n###\n\n// create one\nPOST https://api.test/users HTTP/1.1\nContent-Type: application/json\n\n{\"name\": \"ann\"}\n\n### trailing\n";
        let all = parse(text.as_bytes()).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(
            (all[0].method.as_str(), all[0].url.as_str()),
            ("GET", "https://api.test/users")
        );
        assert_eq!(all[0].body, None);
        assert_eq!(all[1].method, "POST");
        assert_eq!(all[1].body.as_deref(), Some(&b"{\"name\": \"ann\"}"[..]));
    }

    #[test]
    fn a_chunked_body_is_read_without_its_framing() {
        let r = one("POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n a\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n");
        assert_eq!(r.body.as_deref(), Some(&b"abc0123456789"[..]));
        let te = ("Transfer-Encoding".to_string(), b"chunked".to_vec());
        assert_eq!(r.headers, vec![te], "sent chunked again");
        for (text, want) in [
            ("3\r\nab", "only 2"),
            ("zz\r\n", "invalid chunk size"),
            ("3\r\nabc", "not followed by a line end"),
            ("3\r\nabc\r\n", "ends before"),
        ] {
            let file = format!("POST http://h/\nTransfer-Encoding: chunked\n\n{text}");
            let err = parse(file.as_bytes()).unwrap_err();
            assert!(err.contains(want), "{text:?}: {err}");
        }
    }

    #[test]
    fn bare_url_is_a_get() {
        let r = one("example.org/x\n");
        assert_eq!(
            (r.method.as_str(), r.url.as_str()),
            ("GET", "example.org/x")
        );
    }

    #[test]
    fn errors_name_the_request() {
        for (text, want) in [
            ("", "no request"),
            ("GET /x HTTP/1.1\n\n", "needs a Host header"),
            ("GET http://h/\nnot a header\n\n", "not a header line"),
            ("POST http://h/\nContent-Length: 9\n\nabc", "says 9 bytes"),
            ("GET http://h/\n###\n1 2 3 4\n", "request 2"),
        ] {
            let err = parse(text.as_bytes()).unwrap_err();
            assert!(err.contains(want), "{text:?}: {err}");
        }
    }
}
