//! The printer's layout rules on their own: which separators go between messages, on a
//! terminal and redirected. `tests/cli/layout.rs` checks the same through the binary.

use super::*;
use crate::request::Header;
use crate::upload::Body;

fn opts(terminal: bool) -> Output {
    Output {
        xml_format: false,
        terminal,
        ..Output::default()
    }
}

/// One message of an exchange, and the sections it is printed with.
enum Step {
    /// A POST with `body`, or a GET when it is `None`.
    Request(&'static str, Option<&'static str>),
    /// A 200 response with `body` (text/plain).
    Response(&'static str, &'static str),
}

const GET: &str = "GET /x HTTP/1.1\r\nHost: h\r\n\r\n";
const POST: &str = "POST /x HTTP/1.1\r\nHost: h\r\n\r\n";
const OK: &str = "HTTP/1.1 200\r\ncontent-type: text/plain\r\n\r\n";

fn printed(steps: &[Step], terminal: bool) -> String {
    let mut p = Printer::new(Vec::new(), opts(terminal));
    for step in steps {
        match step {
            Step::Request(sections, body) => {
                let req = Request {
                    method: if body.is_some() { "POST" } else { "GET" }.into(),
                    url: url::Url::parse("http://h/x").unwrap(),
                    raw_path: None,
                    headers: vec![Header::new("Host", "h")],
                    body: body.map(|b| Body::Bytes(b.into())),
                };
                p.request(&req, Sections::parse(sections, "-p").unwrap())
                    .unwrap();
            }
            Step::Response(sections, body) => {
                let (parts, ()) = http::Response::builder()
                    .header("content-type", "text/plain")
                    .body(())
                    .unwrap()
                    .into_parts();
                let sections = Sections::parse(sections, "-p").unwrap();
                p.start_response(sections).unwrap();
                if sections.response_headers {
                    p.response_head(&parts).unwrap();
                }
                if sections.response_body {
                    let info = BodyInfo {
                        content_type: Some("text/plain".into()),
                        ..BodyInfo::default()
                    };
                    p.response_body(&mut body.as_bytes(), &info).unwrap();
                }
                p.end_response().unwrap();
            }
        }
    }
    String::from_utf8(p.finish().unwrap()).unwrap()
}

#[test]
fn separators_follow_shown_bodies() {
    use Step::{Request as Req, Response as Res};
    // (what is printed, on a terminal, redirected)
    let cases: &[(&[Step], String, String)] = &[
        // -v on a GET: the request's empty body still owes a separator.
        (
            &[Req("HBhb", None), Res("HBhb", "hi")],
            format!("{GET}\n\n{OK}hi\n\n"),
            format!("{GET}\n\n{OK}hi"),
        ),
        (
            &[Req("HBhb", Some("{}")), Res("HBhb", "hi\n")],
            format!("{POST}{{}}\n\n{OK}hi\n\n\n"),
            format!("{POST}{{}}\n\n{OK}hi\n"),
        ),
        // Heads alone: their blank line is all that separates them.
        (
            &[Req("Hh", None), Res("Hh", "hi")],
            format!("{GET}{OK}"),
            format!("{GET}{OK}"),
        ),
        (
            &[Req("Bh", Some("{}")), Res("Bh", "hi")],
            format!("{{}}\n\n{OK}"),
            format!("{{}}\n\n{OK}"),
        ),
        // The body alone: redirected, nothing is added to it.
        (
            &[Req("b", None), Res("b", "hi")],
            "hi\n\n".into(),
            "hi".into(),
        ),
        // --all -p hb: the requests in between show nothing and cancel the separator that
        // redirected output would have written; a terminal has written it already.
        (
            &[
                Req("hb", None),
                Res("hb", "moved\n"),
                Req("hb", None),
                Res("hb", "ok"),
            ],
            format!("{OK}moved\n\n\n{OK}ok\n\n"),
            format!("{OK}moved\n{OK}ok"),
        ),
        // An empty response body still counts as a shown body.
        (
            &[Req("H", None), Res("hb", ""), Req("H", None)],
            format!("{GET}{OK}\n\n{GET}"),
            format!("{GET}{OK}\n\n{GET}"),
        ),
    ];
    for (steps, terminal, redirected) in cases {
        assert_eq!(&printed(steps, true), terminal, "on a terminal");
        assert_eq!(&printed(steps, false), redirected, "redirected");
    }
}
