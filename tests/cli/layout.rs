//! How printed messages are laid out, byte for byte, on a terminal and redirected. The
//! layout is httpie's (the separators its token tests pin for each case): every head line
//! ends in CRLF and a blank line ends the head; a message whose body section is shown, even
//! an empty body, is followed by `\n\n`: at once on a terminal, and when redirected only
//! before a next message that shows something, so `rq -b URL | tool` gets the body alone.
//! A message that shows nothing in between cancels that separator.
//!
//! The terminal cases run under a pseudo-terminal with `--pretty=format` unless they say
//! otherwise (no escape codes to spell out); the requests go without `User-Agent` and `Accept-Encoding` to keep the heads
//! short, and the server's address reads `HOST`.

use crate::support::{assert_code, bin, in_terminal, rq_with, stderr, Response, Server};

/// `/get` JSON, `/post` echoes its JSON body, `/redirect` sends a text body and a 302 to
/// `/get`, `/xssi` is JSON behind an XSSI prefix, `/text` is text without a final newline.
fn server() -> Server {
    Server::http(|req| match req.path.as_str() {
        "/get" => Response::new(200).json(r#"{"a": 1}"#),
        "/post" => Response::new(200).json(&format!(r#"{{"got": {}}}"#, req.body_str())),
        "/redirect" => Response::new(302)
            .header("Location", "/get")
            .text("moved\n"),
        "/xssi" => Response::new(200).json(")]}',\n{\"a\": 1}"),
        "/text" => Response::new(200).text("hi"),
        other => panic!("unexpected path {other}"),
    })
}

const GET: &str = "GET /get HTTP/1.1\r\nHost: HOST\r\nAccept: */*\r\n\r\n";
const POST: &str = "POST /post HTTP/1.1\r\nHost: HOST\r\nAccept: application/json, */*;q=0.5\r\n\
                    Content-Type: application/json\r\nContent-Length: 10\r\n\r\n";
const REDIRECT: &str = "GET /redirect HTTP/1.1\r\nHost: HOST\r\nAccept: */*\r\n\r\n";
const GOT: &str = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n";
const POSTED: &str =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 19\r\n\r\n";
const MOVED: &str = "HTTP/1.1 302 Found\r\nLocation: /get\r\n\
                     Content-Type: text/plain; charset=utf-8\r\nContent-Length: 6\r\n\r\n";
/// `{"a": 1}` formatted.
const A1: &str = "{\n    \"a\": 1\n}\n";
/// `{"a": "b"}` formatted.
const AB: &str = "{\n    \"a\": \"b\"\n}\n";
/// `{"got": {"a": "b"}}` formatted.
const GOT_AB: &str = "{\n    \"got\": {\n        \"a\": \"b\"\n    }\n}\n";

/// Where rq prints.
#[derive(Clone, Copy, Debug, PartialEq)]
enum To {
    Terminal,
    Pipe,
}

/// What rq prints for `args` (`U/` stands for the server's URL), with the server's address
/// as `HOST`.
fn printed(s: &Server, args: &[&str], to: To) -> String {
    let base = s.url("/");
    let mut args: Vec<String> = args.iter().map(|a| a.replace("U/", &base)).collect();
    args.extend(["User-Agent:".into(), "Accept-Encoding:".into()]);
    let out = match to {
        To::Pipe => {
            let o = rq_with(&args.iter().map(String::as_str).collect::<Vec<_>>());
            assert_code(&o, 0);
            assert_eq!(stderr(&o), "", "{args:?}");
            String::from_utf8(o.stdout).expect("UTF-8 output")
        }
        To::Terminal => {
            if !args.iter().any(|a| a.starts_with("--pretty")) {
                args.insert(0, "--pretty=format".into());
            }
            let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
            let line = format!("{} {} 2>/dev/null", bin(), quoted.join(" "));
            let (screen, code) = in_terminal(&line, &[]);
            assert_eq!(code, 0, "{line}\n{screen}");
            screen
        }
    };
    out.replace(&format!("127.0.0.1:{}", s.port()), "HOST")
}

/// Run every case, then fail listing each one whose output differs.
#[track_caller]
fn check(s: &Server, cases: &[(&[&str], To, String)]) {
    let mut wrong = Vec::new();
    for (args, to, want) in cases {
        let got = printed(s, args, *to);
        if &got != want {
            wrong.push(format!(
                "rq {} ({to:?})\n  expected {want:?}\n  actual   {got:?}",
                args.join(" ")
            ));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[test]
fn verbose_exchanges_separate_each_shown_body_even_an_empty_one() {
    let s = server();
    check(
        &s,
        &[
            // The GET's empty body is shown, so its separator follows the head's blank line.
            (
                &["-v", "U/get"],
                To::Pipe,
                format!("{GET}\n\n{GOT}{{\"a\": 1}}"),
            ),
            (
                &["-v", "U/get"],
                To::Terminal,
                format!("{GET}\n\n{GOT}{A1}\n\n"),
            ),
            (
                &["-v", "U/post", "a=b"],
                To::Pipe,
                format!("{POST}{{\"a\": \"b\"}}\n\n{POSTED}{{\"got\": {{\"a\": \"b\"}}}}"),
            ),
            (
                &["-v", "U/post", "a=b"],
                To::Terminal,
                format!("{POST}{AB}\n\n{POSTED}{GOT_AB}\n\n"),
            ),
        ],
    );
}

#[test]
fn offline_requests_end_with_their_body_when_redirected() {
    let s = server();
    check(
        &s,
        &[
            (
                &["--offline", "U/post", "a=b"],
                To::Pipe,
                format!("{POST}{{\"a\": \"b\"}}"),
            ),
            (
                &["--offline", "U/post", "a=b"],
                To::Terminal,
                format!("{POST}{AB}\n\n"),
            ),
            (&["--offline", "U/get"], To::Pipe, GET.into()),
            (&["--offline", "U/get"], To::Terminal, format!("{GET}\n\n")),
        ],
    );
    assert_eq!(s.request_count(), 0);
}

#[test]
fn heads_need_no_separator_and_bodies_alone_get_it_only_on_a_terminal() {
    let s = server();
    check(
        &s,
        &[
            (&["-h", "U/get"], To::Pipe, GOT.into()),
            (&["-h", "U/get"], To::Terminal, GOT.into()),
            (&["-p", "Hh", "U/get"], To::Pipe, format!("{GET}{GOT}")),
            (&["-p", "Hh", "U/get"], To::Terminal, format!("{GET}{GOT}")),
            (&["-b", "U/get"], To::Pipe, r#"{"a": 1}"#.into()),
            (&["-b", "U/get"], To::Terminal, format!("{A1}\n\n")),
            (
                &["-p", "Bh", "U/post", "a=b"],
                To::Pipe,
                format!("{{\"a\": \"b\"}}\n\n{POSTED}"),
            ),
            (
                &["-p", "Bh", "U/post", "a=b"],
                To::Terminal,
                format!("{AB}\n\n{POSTED}"),
            ),
            // Whether stdout is a terminal decides, not the formatting.
            (
                &["--pretty=none", "-b", "U/text"],
                To::Terminal,
                "hi\n\n".into(),
            ),
        ],
    );
}

#[test]
fn piped_bodies_stay_byte_exact() {
    let s = server();
    check(
        &s,
        &[
            (&["-b", "U/text"], To::Pipe, "hi".into()),
            (&["U/text"], To::Pipe, "hi".into()),
            (&["--pretty=format", "-b", "U/text"], To::Pipe, "hi".into()),
            (&["-F", "U/redirect"], To::Pipe, r#"{"a": 1}"#.into()),
        ],
    );
}

#[test]
fn redirect_chains_separate_only_what_follows_a_shown_body() {
    let s = server();
    check(
        &s,
        &[
            (
                &["-F", "-v", "U/redirect"],
                To::Pipe,
                format!("{REDIRECT}\n\n{MOVED}moved\n\n\n{GET}\n\n{GOT}{{\"a\": 1}}"),
            ),
            (
                &["-F", "-v", "U/redirect"],
                To::Terminal,
                format!("{REDIRECT}\n\n{MOVED}moved\n\n\n{GET}\n\n{GOT}{A1}\n\n"),
            ),
            // The second request shows nothing and cancels the separator a pipe would get;
            // a terminal got it after the first body already.
            (
                &["-F", "--all", "-p", "hb", "U/redirect"],
                To::Pipe,
                format!("{MOVED}moved\n{GOT}{{\"a\": 1}}"),
            ),
            (
                &["-F", "--all", "U/redirect"],
                To::Terminal,
                format!("{MOVED}moved\n\n\n{GOT}{A1}\n\n"),
            ),
            (
                &["-F", "--all", "U/redirect"],
                To::Pipe,
                "moved\n{\"a\": 1}".into(),
            ),
            (
                &["-F", "--all", "-h", "U/redirect"],
                To::Pipe,
                format!("{MOVED}{GOT}"),
            ),
            (
                &["-F", "--all", "-h", "U/redirect"],
                To::Terminal,
                format!("{MOVED}{GOT}"),
            ),
        ],
    );
}

#[test]
fn an_xssi_prefix_stays_on_the_line_before_the_json() {
    let s = server();
    check(
        &s,
        &[
            (&["-b", "U/xssi"], To::Terminal, format!(")]}}',\n{A1}\n\n")),
            (
                &["--pretty=format", "-b", "U/xssi"],
                To::Pipe,
                format!(")]}}',\n{A1}"),
            ),
            (
                &["U/xssi"],
                To::Terminal,
                format!("{GOT_XSSI})]}}',\n{A1}\n\n"),
            ),
            // As received when nothing is formatted.
            (&["-b", "U/xssi"], To::Pipe, ")]}',\n{\"a\": 1}".into()),
        ],
    );
}

const GOT_XSSI: &str =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 14\r\n\r\n";

#[test]
fn the_meta_section_follows_the_bodys_separator() {
    let s = server();
    let out = printed(&s, &["-p", "bm", "U/get"], To::Pipe);
    assert!(out.starts_with("{\"a\": 1}\n\nElapsed time: "), "{out:?}");
    assert!(out.ends_with("\nBytes received: 8\n"), "{out:?}");
    let out = printed(&s, &["-p", "hm", "U/get"], To::Pipe);
    assert!(out.starts_with(&format!("{GOT}Elapsed time: ")), "{out:?}");
    // On a terminal (a waterfall there) it ends its last line and leaves one blank line,
    // as httpie leaves after its metadata.
    let out = printed(&s, &["-p", "bm", "U/get"], To::Terminal);
    assert!(
        out.starts_with(&format!("{A1}\n\nElapsed time: ")),
        "{out:?}"
    );
    assert!(out.ends_with("\nBytes received: 8\n\n"), "{out:?}");
}
