//! `--from-curl`: the request a curl command describes, as curl would send it, under the
//! command line's (like a request file's). Files named by `@file` and `-F` are read here,
//! so a missing one is a usage error before anything is sent.
//!
//! Where curl and rq differ by default, the command decides: no `Accept-Encoding` without
//! `--compressed`; `Content-Type: application/x-www-form-urlencoded` for `-d` data that
//! has no type. rq's own `User-Agent` is sent when the command sets none.

use std::path::Path;

use anyhow::Result;

use super::base::Base;
use crate::error::usage;
use crate::fromcurl::{CurlCommand, Data, DataKind, Field};
use crate::upload::{self, Body, Content};

/// The request of `cmd`.
pub(super) fn base(cmd: &CurlCommand) -> Result<Base> {
    let mut headers: Vec<(String, Vec<u8>)> = cmd
        .headers
        .iter()
        .map(|(n, v)| (n.clone(), v.clone().into_bytes()))
        .collect();
    let has = |headers: &[(String, Vec<u8>)], name: &str| {
        headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
    };
    let mut url = cmd.url.clone();
    let mut body = None;
    if !cmd.form.is_empty() {
        if !cmd.data.is_empty() {
            return Err(usage(
                "the curl command has both -F and -d: curl sends only one kind of body",
            ));
        }
        let boundary = crate::body::random_boundary();
        let ct = format!("multipart/form-data; boundary={boundary}");
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case("content-type"));
        headers.push(("Content-Type".into(), ct.into_bytes()));
        body = Some(form(&cmd.form, boundary)?);
    } else if !cmd.data.is_empty() {
        let data = data(&cmd.data)?;
        if cmd.get {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&String::from_utf8_lossy(&data));
        } else {
            let default_type = match cmd.json {
                true => "application/json",
                false => "application/x-www-form-urlencoded",
            };
            if !has(&headers, "content-type") {
                headers.push(("Content-Type".into(), default_type.into()));
            }
            if cmd.json && !has(&headers, "accept") {
                headers.push(("Accept".into(), b"application/json".to_vec()));
            }
            body = Some(Body::Bytes(data));
        }
    }
    let method = match (&cmd.method, cmd.head) {
        (Some(m), _) => m.clone(),
        (None, true) => "HEAD".into(),
        (None, false) if body.is_some() => "POST".into(),
        (None, false) => "GET".into(),
    };
    let mut removed = cmd.removed.clone();
    if !cmd.compressed && !has(&headers, "accept-encoding") {
        // curl asks for no encoding unless told to (`--compressed`).
        removed.push("Accept-Encoding".into());
    }
    Ok(Base {
        method,
        url,
        headers,
        removed,
        body,
    })
}

/// The `-d` arguments, each as curl reads it, joined with `&`.
fn data(args: &[Data]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        let value = &arg.value;
        match arg.kind {
            DataKind::Raw => out.extend_from_slice(value.as_bytes()),
            DataKind::Binary => match value.strip_prefix('@') {
                Some(path) => out.extend(read(path, "--data-binary")?),
                None => out.extend_from_slice(value.as_bytes()),
            },
            DataKind::Ascii => match value.strip_prefix('@') {
                Some(path) => {
                    let text = read(path, "-d")?;
                    out.extend(text.into_iter().filter(|b| !matches!(b, b'\r' | b'\n')));
                }
                None => out.extend_from_slice(value.as_bytes()),
            },
            DataKind::UrlEncode => out.extend(url_encoded(value)?),
        }
    }
    Ok(out)
}

/// `--data-urlencode`: `content`, `=content`, `name=content`, `@file`, `name@file`.
fn url_encoded(spec: &str) -> Result<Vec<u8>> {
    let at = spec.find(['=', '@']);
    let (name, content) = match at.map(|i| (i, spec.as_bytes()[i])) {
        Some((i, b'=')) => (&spec[..i], spec.as_bytes()[i + 1..].to_vec()),
        Some((i, _)) => (&spec[..i], read(&spec[i + 1..], "--data-urlencode")?),
        None => ("", spec.as_bytes().to_vec()),
    };
    // As curl writes it: the unreserved characters of RFC 3986 as they are, a space as
    // `+`, anything else as `%xx` (lower case).
    let mut encoded = String::with_capacity(content.len());
    for &b in &content {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                encoded.push(b as char)
            }
            b' ' => encoded.push('+'),
            _ => encoded.push_str(&format!("%{b:02x}")),
        }
    }
    Ok(match name.is_empty() {
        true => encoded.into_bytes(),
        false => format!("{name}={encoded}").into_bytes(),
    })
}

/// A file named in the command (`-` is standard input, as for curl).
fn read(path: &str, option: &str) -> Result<Vec<u8>> {
    let result = match path {
        "-" => {
            let mut buf = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut buf).map(|_| buf)
        }
        _ => std::fs::read(path),
    };
    result.map_err(|e| {
        usage(format!(
            "can't read '{path}' for {option} in the curl command: {e}"
        ))
    })
}

/// The `-F` fields as one multipart body; files are sent from disk.
fn form(fields: &[Field], boundary: String) -> Result<Body> {
    let mut parts = Vec::with_capacity(fields.len());
    for field in fields {
        parts.push(match field {
            Field::Text { name, value } => upload::Part {
                name: name.clone(),
                filename: None,
                mime: None,
                content: Content::Text(value.clone().into_bytes()),
            },
            Field::TextFile { name, path } => upload::Part {
                name: name.clone(),
                filename: None,
                mime: None,
                content: Content::Text(read(path, "-F")?),
            },
            Field::File {
                name,
                path,
                mime,
                filename,
            } => {
                let content = Content::from_path(Path::new(path)).map_err(|e| {
                    usage(format!(
                        "can't read '{path}' for -F in the curl command: {e}"
                    ))
                })?;
                let default_name = || {
                    Path::new(path)
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default()
                };
                let guessed = || {
                    mime_guess::from_path(path)
                        .first_or_octet_stream()
                        .essence_str()
                        .to_string()
                };
                upload::Part {
                    name: name.clone(),
                    filename: Some(filename.clone().unwrap_or_else(default_name)),
                    mime: Some(mime.clone().unwrap_or_else(guessed)),
                    content,
                }
            }
        });
    }
    let form = upload::Multipart { boundary, parts };
    Ok(match form.has_files() {
        true => Body::Multipart(form),
        false => Body::Bytes(form.to_bytes()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base_of(cmd: &str) -> Base {
        base(&crate::fromcurl::parse(cmd).unwrap()).unwrap()
    }

    fn body(base: &Base) -> Vec<u8> {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut base.body.as_ref().unwrap().reader(), &mut out).unwrap();
        out
    }

    #[test]
    fn data_is_joined_typed_and_posted() {
        let b = base_of("curl http://x -d a=1 --data-urlencode 'q=a b&c' --data-raw @me");
        assert_eq!(b.method, "POST");
        assert_eq!(body(&b), b"a=1&q=a+b%26c&@me");
        let ct = b.headers.iter().find(|(n, _)| n == "Content-Type").unwrap();
        assert_eq!(ct.1, b"application/x-www-form-urlencoded");
        assert_eq!(b.removed, ["Accept-Encoding"]);
    }

    #[test]
    fn get_puts_the_data_in_the_query() {
        let b = base_of("curl -G http://x/s?a=1 -d b=2 --data-urlencode c=d/e");
        assert_eq!(
            (b.method.as_str(), b.url.as_str()),
            ("GET", "http://x/s?a=1&b=2&c=d%2fe")
        );
        assert!(b.body.is_none());
    }

    #[test]
    fn method_follows_curl() {
        assert_eq!(base_of("curl -I http://x").method, "HEAD");
        assert_eq!(base_of("curl -X PATCH http://x -d a").method, "PATCH");
        assert_eq!(
            base_of("curl http://x --compressed").removed,
            Vec::<String>::new()
        );
    }
}
