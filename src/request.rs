//! One HTTP request as it goes on the wire, and rq's default header values.
//!
//! The plan lowers the command line into a [`Request`] once; `--offline`, `--curl`, the
//! engine, the printer and the session all read that one description, so they cannot
//! disagree about what is sent.

use std::fmt;

use url::Url;

use crate::target;
use crate::upload::Body;

/// `User-Agent` unless the user gives one.
pub const USER_AGENT: &str = concat!("rq/", env!("CARGO_PKG_VERSION"));
/// `Accept-Encoding` unless the user gives one: rq decodes all four itself, so the printed
/// headers are the ones received.
pub const ACCEPT_ENCODING: &str = "gzip, deflate, br, zstd";
/// `Accept` for a request whose body is JSON (httpie's value).
pub const ACCEPT_JSON: &str = "application/json, */*;q=0.5";
/// `Accept` otherwise.
pub const ACCEPT_ANY: &str = "*/*";

/// One HTTP request, exactly as it goes on the wire.
#[derive(Debug, Clone)]
pub struct Request {
    /// Upper-cased method.
    pub method: String,
    pub url: Url,
    /// `--path-as-is`: the typed path, sent instead of `url.path()`.
    pub raw_path: Option<String>,
    /// Every header in send order (Host first), names as the user typed them.
    pub headers: Vec<Header>,
    /// Bytes in memory, or files and stdin streamed as the request is sent (`upload.rs`).
    pub body: Option<Body>,
}

/// A request header. Its `Debug` hides credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Header {
    pub name: String,
    pub value: Vec<u8>,
    /// rq computes this one from the URL on every hop (the `Host` header, unless given).
    pub auto_host: bool,
}

impl Header {
    pub fn new(name: impl Into<String>, value: impl Into<Vec<u8>>) -> Header {
        Header {
            name: name.into(),
            value: value.into(),
            auto_host: false,
        }
    }

    /// The `Host` header rq keeps in step with the URL on every hop.
    pub fn host(url: &Url) -> Header {
        Header {
            auto_host: true,
            ..Header::new("Host", target::host_header(url))
        }
    }

    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// Headers that carry credentials: never shown by `--debug`, never sent across origins.
    pub fn is_credential(&self) -> bool {
        self.is("authorization") || self.is("proxy-authorization") || self.is("cookie")
    }
}

impl fmt::Debug for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_credential() {
            write!(f, "{}: (redacted)", self.name)
        } else {
            write!(f, "{}: {}", self.name, String::from_utf8_lossy(&self.value))
        }
    }
}

impl Request {
    /// The request-target of the request line.
    pub fn target(&self) -> String {
        match (&self.raw_path, self.url.query()) {
            (Some(p), Some(q)) => format!("{p}?{q}"),
            (Some(p), None) => p.clone(),
            (None, _) => target::request_target(&self.url),
        }
    }

    /// The absolute URI requested: the URL, or with `--path-as-is` the typed path on it.
    pub fn uri(&self) -> String {
        match &self.raw_path {
            Some(_) => format!(
                "{}://{}{}",
                self.url.scheme(),
                target::host_header(&self.url),
                self.target()
            ),
            None => self.url.to_string(),
        }
    }

    pub fn header(&self, name: &str) -> Option<&Header> {
        self.headers.iter().find(|h| h.is(name))
    }

    /// The request as HTTP/2 sends it (RFC 9113 §8.3), for the engine to send and `-v` to
    /// show alike: the pseudo-header fields in the order h2 writes them, with the `Host`
    /// header's value as `:authority`; then the fields with lower-case names, grouped by
    /// name as h2 writes them, less those that only mean something to an HTTP/1.1
    /// connection (HTTP/2 frames the body itself).
    pub fn h2_fields(&self) -> Result<H2Fields, String> {
        let authority = match self.header("host") {
            Some(h) => String::from_utf8_lossy(&h.value).into_owned(),
            None => target::host_header(&self.url),
        };
        let pseudo = [
            (":method", self.method.clone()),
            (":scheme", self.url.scheme().to_string()),
            (":authority", authority),
            (":path", self.target()),
        ];
        let mut fields = http::HeaderMap::with_capacity(self.headers.len());
        for h in &self.headers {
            let name = h.name.to_ascii_lowercase();
            let only_http1 = matches!(
                name.as_str(),
                "host"
                    | "connection"
                    | "keep-alive"
                    | "proxy-connection"
                    | "transfer-encoding"
                    | "upgrade"
            );
            if only_http1 || (name == "te" && !h.value.eq_ignore_ascii_case(b"trailers")) {
                continue;
            }
            let bad = || format!("header '{}' can't be sent over HTTP/2", h.name);
            let name = http::HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad())?;
            let value = http::HeaderValue::from_bytes(&h.value).map_err(|_| bad())?;
            fields.append(name, value);
        }
        Ok(H2Fields { pseudo, fields })
    }
}

/// A request's fields as HTTP/2 sends them ([`Request::h2_fields`]).
#[derive(Debug)]
pub struct H2Fields {
    /// `:method`, `:scheme`, `:authority`, `:path`.
    pub pseudo: [(&'static str, String); 4],
    pub fields: http::HeaderMap,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_headers_are_redacted_in_debug() {
        let h = Header::new("Authorization", "Basic c2VjcmV0");
        assert_eq!(format!("{h:?}"), "Authorization: (redacted)");
        let h = Header::new("Cookie", "a=b");
        assert_eq!(format!("{h:?}"), "Cookie: (redacted)");
        let h = Header::new("X-Plain", "v");
        assert_eq!(format!("{h:?}"), "X-Plain: v");
    }

    #[test]
    fn http2_fields_take_the_authority_from_host_and_drop_connection_headers() {
        let url = Url::parse("https://h:8443/a?q=1").unwrap();
        let req = Request {
            method: "POST".into(),
            headers: vec![
                Header::new("Host", "other.test"),
                Header::new("X-Mine", "1"),
                Header::new("Connection", "keep-alive"),
                Header::new("Transfer-Encoding", "chunked"),
                Header::new("TE", "gzip"),
                Header::new("x-mine", "2"),
            ],
            url,
            raw_path: None,
            body: None,
        };
        let h2 = req.h2_fields().unwrap();
        let pseudo: Vec<String> = h2.pseudo.iter().map(|(n, v)| format!("{n} {v}")).collect();
        assert_eq!(
            pseudo,
            [
                ":method POST",
                ":scheme https",
                ":authority other.test",
                ":path /a?q=1"
            ]
        );
        let names: Vec<&str> = h2.fields.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["x-mine", "x-mine"]);
    }

    #[test]
    fn path_as_is_keeps_the_typed_path_in_target_and_uri() {
        let req = Request {
            method: "GET".into(),
            url: Url::parse("http://h:8080/a/b?q=1").unwrap(),
            raw_path: Some("/a/../b".into()),
            headers: Vec::new(),
            body: None,
        };
        assert_eq!(req.target(), "/a/../b?q=1");
        assert_eq!(req.uri(), "http://h:8080/a/../b?q=1");
    }
}
