//! The next hop of a redirect: method and body rules, and what must not cross origins.
//!
//! 301/302/303 become GET without a body (HEAD stays HEAD); 307/308 keep method and body.
//! Only http and https targets are followed. On a change of scheme, host or port (except
//! the same-host http:80 → https:443 upgrade) `Authorization`, `Proxy-Authorization` and
//! `Cookie` are dropped, whoever set them; other headers the user typed stay.

use anyhow::Result;

use crate::error::{fail, ExitCode};
use crate::request::{Header, Request};
use crate::target;

pub fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

pub fn next_request(prev: &Request, status: u16, location: &str) -> Result<Request> {
    let url = prev.url.join(location).map_err(|e| {
        fail(
            ExitCode::Error,
            format!("invalid redirect location '{location}': {e}"),
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(fail(
            ExitCode::Error,
            format!("refusing to follow a redirect to '{url}': only http and https are followed"),
        ));
    }
    let mut next = prev.clone();
    next.raw_path = None;
    if matches!(status, 301..=303) && prev.method != "HEAD" {
        next.method = "GET".into();
        next.body = None;
        next.headers.retain(|h| {
            !(h.is("content-type") || h.is("content-length") || h.is("transfer-encoding"))
        });
    }
    if next.body.as_ref().is_some_and(|b| !b.replayable()) {
        return Err(fail(
            ExitCode::Error,
            format!(
                "can't follow the {status} redirect to {url}: the request body was streamed from \
                 stdin and can't be sent again; save it to a file and send it with @FILE"
            ),
        ));
    }
    if !target::same_origin_for_credentials(&prev.url, &url) {
        next.headers.retain(|h| !h.is_credential());
    }
    let host_changed = target::host_header(&prev.url) != target::host_header(&url);
    for h in &mut next.headers {
        if h.is("host") && (h.auto_host || host_changed) {
            *h = Header {
                name: h.name.clone(),
                ..Header::host(&url)
            };
        }
    }
    next.url = url;
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upload::Body;

    fn req(method: &str, url: &str) -> Request {
        let url = url::Url::parse(url).unwrap();
        Request {
            method: method.into(),
            headers: vec![
                Header {
                    auto_host: true,
                    ..Header::new("Host", target::host_header(&url))
                },
                Header::new("Authorization", "Basic x"),
                Header::new("Cookie", "a=b"),
                Header::new("X-Mine", "1"),
                Header::new("Content-Type", "application/json"),
            ],
            url,
            raw_path: None,
            body: Some(Body::Bytes(b"{}".to_vec())),
        }
    }

    fn names(r: &Request) -> Vec<String> {
        r.headers.iter().map(|h| h.name.clone()).collect()
    }

    #[test]
    fn credential_matrix() {
        let cases = [
            ("http://a.test/x", "/y", true),
            ("http://a.test/x", "http://b.test/y", false),
            ("http://a.test:8080/x", "http://a.test:8081/y", false),
            ("https://a.test/x", "http://a.test/y", false),
            ("http://a.test/x", "https://a.test/y", true),
            ("http://a.test:8080/x", "https://a.test/y", false),
        ];
        for (from, loc, keeps) in cases {
            let next = next_request(&req("GET", from), 302, loc).unwrap();
            assert_eq!(
                next.header("authorization").is_some(),
                keeps,
                "{from} -> {loc}"
            );
            assert_eq!(next.header("cookie").is_some(), keeps, "{from} -> {loc}");
            assert!(
                next.header("x-mine").is_some(),
                "user header kept: {from} -> {loc}"
            );
        }
    }

    #[test]
    fn see_other_turns_post_into_get_without_body() {
        for status in [301, 302, 303] {
            let next = next_request(&req("POST", "http://a.test/"), status, "/z").unwrap();
            assert_eq!(next.method, "GET");
            assert!(next.body.is_none());
            assert!(!names(&next).iter().any(|n| n == "Content-Type"));
        }
    }

    #[test]
    fn temporary_and_permanent_redirects_keep_method_and_body() {
        for status in [307, 308] {
            let next = next_request(&req("PUT", "http://a.test/"), status, "/z").unwrap();
            assert_eq!(next.method, "PUT");
            assert!(matches!(&next.body, Some(Body::Bytes(b)) if b == b"{}"));
        }
    }

    #[test]
    fn a_body_streamed_from_stdin_is_not_resent_on_307() {
        let mut r = req("POST", "http://a.test/");
        r.body = Some(Body::Stdin {
            head: b"x".to_vec(),
            len: None,
        });
        let err = next_request(&r, 307, "/z").unwrap_err();
        assert!(err.to_string().contains("stdin"), "{err}");
        assert!(next_request(&r, 303, "/z").unwrap().body.is_none());
    }

    #[test]
    fn head_stays_head() {
        let next = next_request(&req("HEAD", "http://a.test/"), 302, "/z").unwrap();
        assert_eq!(next.method, "HEAD");
    }

    #[test]
    fn host_header_follows_the_target() {
        let next = next_request(&req("GET", "http://a.test/"), 302, "http://b.test:81/").unwrap();
        assert_eq!(next.header("host").unwrap().value, b"b.test:81");
    }

    #[test]
    fn non_http_targets_are_refused() {
        for loc in ["file:///etc/passwd", "ftp://a.test/x"] {
            let err = next_request(&req("GET", "http://a.test/"), 302, loc).unwrap_err();
            assert!(err.to_string().contains("refusing"), "{err}");
        }
    }
}
