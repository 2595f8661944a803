//! `--filter EXPR` (`-W`): a jq expression applied to the JSON response body.

use crate::printing::{lines_as_they_arrive, Framing, Paced};
use crate::support::server::Request;
use crate::support::{assert_code, bin, in_terminal, rq_with, stderr, stdout, Response, Server};

/// Echoes the query as `{"args": {...}, "path": ...}`, like httpbin's `/get`.
fn echo() -> Server {
    Server::http(|r: &Request| {
        let args: Vec<String> = r
            .query_pairs()
            .iter()
            .map(|(k, v)| format!("\"{k}\": \"{v}\""))
            .collect();
        let body = format!(
            "{{\"args\": {{{}}}, \"path\": \"{}\", \"n\": [1, 2.50, 3e2]}}",
            args.join(", "),
            r.path
        );
        Response::new(200).json(&body)
    })
}

#[test]
fn filter_prints_compact_results_when_piped() {
    let s = echo();
    let o = rq_with(&["--filter", ".args", &s.url("/get"), "a==1"]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "{\"a\":\"1\"}\n");
    // One value per line, numbers as received.
    let o = rq_with(&["-W", ".n[]", &s.url("/get")]);
    assert_eq!(stdout(&o), "1\n2.50\n3e2\n");
}

#[test]
fn filter_results_are_formatted_at_a_terminal() {
    let s = echo();
    let line = format!("{} --filter .args {} a==1", bin(), s.url("/get"));
    let (screen, code) = in_terminal(&line, &[("NO_COLOR", "1")]);
    assert_eq!(code, 0);
    assert!(
        screen.ends_with("\r\n\r\n{\n    \"a\": \"1\"\n}\n\n\n"),
        "{screen:?}"
    );
    // Coloured through rq's own JSON printer when colours are on.
    let (screen, _) = in_terminal(&format!("{line} -b"), &[]);
    assert_eq!(
        screen, "{\n    \x1b[34;1m\"a\"\x1b[0m: \x1b[32m\"1\"\x1b[0m\n}\n\n\n",
        "{screen:?}"
    );
}

#[test]
fn filter_raw_prints_strings_without_quotes() {
    let s = echo();
    let o = rq_with(&[
        "-W",
        ".path, .args.a",
        "--filter-raw",
        &s.url("/p"),
        "a==x y",
    ]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "/p\nx y\n");
}

#[test]
fn sorted_sorts_the_keys_of_filter_results() {
    let s = Server::http(|_| Response::new(200).json(r#"{"b":1,"a":{"d":2,"c":3}}"#));
    let o = rq_with(&["--sorted", "-W", ".", &s.url("/")]);
    assert_eq!(stdout(&o), "{\"a\":{\"c\":3,\"d\":2},\"b\":1}\n");
}

#[test]
fn a_filter_that_does_not_parse_is_a_usage_error_before_any_request() {
    let s = echo();
    for (expr, says) in [
        (".args | .[", "'[' at column 10 is not closed"),
        (".a | nosuch(1)", "undefined filter nosuch/1 at column 6"),
    ] {
        let o = rq_with(&["--filter", expr, &s.url("/get")]);
        assert_code(&o, 64);
        assert!(
            stderr(&o).contains(&format!("invalid --filter '{expr}'")),
            "{}",
            stderr(&o)
        );
        assert!(stderr(&o).contains(says), "{}", stderr(&o));
    }
    assert_eq!(s.request_count(), 0, "nothing may be sent");
}

#[test]
fn a_body_that_is_not_json_is_an_error_naming_the_expression_and_position() {
    let s = Server::http(|_| Response::new(200).text("{\"a\": 1}\n<html>"));
    let o = rq_with(&["--filter", ".a", &s.url("/")]);
    assert_code(&o, 1);
    let err = stderr(&o);
    assert!(err.contains("--filter '.a'"), "{err}");
    assert!(err.contains("not JSON") && err.contains("line 2"), "{err}");
    assert!(err.contains("text/plain"), "{err}");
}

#[test]
fn a_runtime_error_names_the_expression_and_exits_1() {
    let s = echo();
    let o = rq_with(&["--filter", ".path + 1", &s.url("/get")]);
    assert_code(&o, 1);
    let err = stderr(&o);
    assert!(err.contains("--filter '.path + 1' failed"), "{err}");
    assert!(err.contains("cannot calculate"), "{err}");
}

#[test]
fn each_ndjson_record_is_filtered_as_it_arrives() {
    let records: Vec<String> = (1..=3).map(|i| format!("{{\"id\":{i}}}\n")).collect();
    let s = Paced::start("application/x-ndjson", Framing::Chunked, records);
    let lines = lines_as_they_arrive(&["-W", ".id * 10", &s.url("/")], |_| s.seen());
    s.assert_each_shown_before_the_next_is_sent("filtered NDJSON", &lines);
    assert_eq!(lines, ["10", "20", "30"]);
}

#[test]
fn each_event_of_an_event_stream_is_filtered() {
    // Each part but the last makes one line, so the server can wait for it.
    let events = vec![
        "event: delta\ndata: {\"text\":\"he\"}\n\n: keep-alive\n\n".to_string(),
        "data: {\"text\":\ndata: \"llo\"}\n\ndata: [DONE]\n\n".to_string(),
    ];
    let s = Paced::start("text/event-stream", Framing::Chunked, events);
    let args = ["-W", ".text", "--filter-raw", &s.url("/")];
    let lines = lines_as_they_arrive(&args, |_| s.seen());
    s.assert_each_shown_before_the_next_is_sent("filtered events", &lines);
    assert_eq!(lines, ["he", "llo"]);
}

/// `/N` for N in 1..=pages, each `[{"id": 2N-1}, {"id": 2N}]`, linking to the next.
fn pages(pages: u32) -> Server {
    Server::http(move |r| {
        let n: u32 = r.path.trim_start_matches('/').parse().unwrap_or(1);
        let body = format!(r#"[{{"id":{}}},{{"id":{}}}]"#, 2 * n - 1, 2 * n);
        let resp = Response::new(200).json(&body);
        match n < pages {
            true => resp.header("Link", &format!("</{}>; rel=next", n + 1)),
            false => resp,
        }
    })
}

#[test]
fn paginate_runs_the_filter_on_each_page_in_order() {
    let s = pages(3);
    let o = rq_with(&["--paginate", "--filter", ".[].id", &s.url("/1")]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "1\n2\n3\n4\n5\n6\n");
    assert_eq!(s.connection_count(), 1, "pages must reuse the connection");
    // Each page on its own: `length` is the page's, not the joined array's.
    let o = rq_with(&["--paginate", "--filter", "length", &s.url("/1")]);
    assert_eq!(stdout(&o), "2\n2\n2\n");
}

#[test]
fn paginate_with_a_filter_over_thousands_of_pages_keeps_memory_bounded() {
    let Some(time) = crate::support::require_tool("/usr/bin/time") else {
        return;
    };
    let filler = "x".repeat(1000);
    let s = Server::http(move |r| {
        let n: u32 = r.path.trim_start_matches('/').parse().unwrap_or(0);
        let mut resp = Response::new(200).json(&format!("[\"{filler}\",{n}]"));
        if n < 5000 {
            resp = resp.header("Link", &format!("</{}>; rel=next", n + 1));
        }
        resp
    });
    let url = s.url("/1");
    let args = ["-f", "%M", bin(), "--paginate", "--filter", ".[]", &url];
    let o = crate::support::hermetic(&mut std::process::Command::new(time))
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(out.lines().count(), 10_000);
    assert!(out.ends_with("\n5000\n"), "{}", &out[out.len() - 20..]);
    let rss_kib: u64 = String::from_utf8_lossy(&o.stderr)
        .trim()
        .lines()
        .last()
        .unwrap()
        .parse()
        .unwrap();
    assert!(rss_kib < 32 * 1024, "peak RSS {rss_kib} KiB");
}

#[test]
fn a_failing_status_shows_the_body_unfiltered_with_its_exit_code() {
    let s = Server::http(|_| Response::new(404).json(r#"{"error":"no such item"}"#));
    let o = rq_with(&["--filter", ".id", &s.url("/x")]);
    assert_code(&o, 4);
    assert_eq!(stdout(&o), r#"{"error":"no such item"}"#);
    // Without the status check every body is data to filter.
    let o = rq_with(&["--no-check-status", "--filter", ".error", &s.url("/x")]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "\"no such item\"\n");
}

#[test]
fn filter_keeps_the_session_going() {
    let s = Server::http(|r| match r.header("cookie") {
        None => Response::new(200)
            .header("Set-Cookie", "sid=abc; Path=/")
            .json(r#"{"user":"ann"}"#),
        Some(c) => Response::new(200).json(&format!(r#"{{"cookie":"{c}"}}"#)),
    });
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("s.json");
    let session = session.to_str().unwrap();
    let o = rq_with(&["--session", session, "-W", ".user", &s.url("/")]);
    assert_eq!(stdout(&o), "\"ann\"\n");
    let o = rq_with(&["--session", session, "-W", ".cookie", &s.url("/")]);
    assert_eq!(stdout(&o), "\"sid=abc\"\n");
}

#[test]
fn filter_with_download_or_offline_is_a_usage_error() {
    let s = echo();
    let url = s.url("/");
    for extra in [&["-d"][..], &["-o", "out.json"], &["--offline"]] {
        let args = [&["--filter", ".", &url][..], extra].concat();
        let o = rq_with(&args);
        assert_code(&o, 64);
        assert!(
            stderr(&o).contains("--filter can't be used with"),
            "{}",
            stderr(&o)
        );
    }
    assert_eq!(s.request_count(), 0);
}

#[test]
fn curl_pipes_the_command_into_jq() {
    let o = rq_with(&["--curl", "--filter", ".args | keys", "example.org/get"]);
    assert_code(&o, 0);
    assert!(
        stdout(&o).trim_end().ends_with(" | jq '.args | keys'"),
        "{}",
        stdout(&o)
    );
    let o = rq_with(&["--curl", "-W", ".a", "--filter-raw", "example.org"]);
    assert!(
        stdout(&o).trim_end().ends_with(" | jq -r .a"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn the_filter_library_has_formats_and_says_what_it_leaves_out() {
    let s = echo();
    let o = rq_with(&[
        "--filter-raw",
        "-W",
        ".path | @base64, @uri",
        &s.url("/a b"),
    ]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "L2ElMjBi\n%2Fa%2520b\n");
    let o = rq_with(&["-W", "[.path, 2] | @csv", &s.url("/p")]);
    assert_eq!(stdout(&o), "\"\\\"/p\\\",2\"\n");
    // Regular expressions are left out, and say so when used.
    let o = rq_with(&["-W", ".path | test(\"p\")", &s.url("/p")]);
    assert_code(&o, 1);
    assert!(stderr(&o).contains("regular expressions"), "{}", stderr(&o));
}
