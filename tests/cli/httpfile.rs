//! SPEC §8: request files written by `--offline` and by editors, replayed with `--http-file`.

use std::io::Write;
use std::process::Stdio;

use crate::support::{assert_code, rq, rq_with, run, stderr, Response, Server};

fn echo() -> Server {
    Server::http(|_| Response::new(200).text("ok"))
}

#[test]
fn offline_output_replays_as_the_same_request() {
    let s = echo();
    let url = format!(":{}/x", s.port());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.http");
    let offline = rq_with(&["--offline", "post", &url, "a=1", "X-T:1"]);
    assert_code(&offline, 0);
    std::fs::write(&file, &offline.stdout).unwrap();
    assert_code(&rq_with(&["--http-file", file.to_str().unwrap()]), 0);
    assert_code(&rq_with(&["post", &url, "a=1", "X-T:1"]), 0);
    let r = s.requests();
    assert_eq!(r.len(), 2);
    assert_eq!(
        r[0].raw, r[1].raw,
        "replayed request differs from the direct one"
    );
}

#[test]
fn command_line_overrides_method_headers_and_body() {
    let s = echo();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.http");
    std::fs::write(
        &file,
        format!(
            "POST {} HTTP/1.1\nX-A: file\nX-B: file\n\n{{\"from\": \"file\"}}\n",
            s.url("/f")
        ),
    )
    .unwrap();
    let path = file.to_str().unwrap();
    assert_code(&rq_with(&["--http-file", path]), 0);
    assert_code(
        &rq_with(&["--http-file", path, "put", &s.url("/g"), "X-A:cli", "k=v"]),
        0,
    );
    let r = s.requests();
    assert_eq!((r[0].method.as_str(), r[0].path.as_str()), ("POST", "/f"));
    assert_eq!(r[0].body_str(), "{\"from\": \"file\"}");
    assert_eq!(r[0].header("x-a"), Some("file"));
    assert_eq!((r[1].method.as_str(), r[1].path.as_str()), ("PUT", "/g"));
    assert_eq!(r[1].header("x-a"), Some("cli"));
    assert_eq!(r[1].header("x-b"), Some("file"));
    assert_eq!(r[1].body_str(), r#"{"k": "v"}"#);
    assert_eq!(r[1].header("content-type"), Some("application/json"));
}

#[test]
fn editor_files_send_every_request_in_order_and_stop_at_a_failure() {
    let s = Server::http(|r| match r.path.as_str() {
        "/fail" => Response::new(500).text("no"),
        _ => Response::new(200).text("ok"),
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("api.http");
    std::fs::write(
        &file,
        format!(
            "# first\nGET {}\n\n###\nPOST {}\nContent-Type: text/plain\n\nhello\n\n###\nGET {}\n\n###\nGET {}\n",
            s.url("/one"),
            s.url("/two"),
            s.url("/fail"),
            s.url("/never")
        ),
    )
    .unwrap();
    let o = rq_with(&["--http-file", file.to_str().unwrap()]);
    assert_code(&o, 5);
    let paths: Vec<String> = s.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/one", "/two", "/fail"]);
    let two = &s.requests()[1];
    assert_eq!((two.method.as_str(), two.body_str()), ("POST", "hello"));
}

#[test]
fn request_file_from_stdin() {
    let s = echo();
    let mut child = rq()
        .args(["--http-file", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let text = format!("DELETE {}\n", s.url("/gone"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    assert_code(&child.wait_with_output().unwrap(), 0);
    assert_eq!(s.requests()[0].method, "DELETE");
}

#[test]
fn unreadable_or_malformed_request_files_are_usage_errors() {
    let o = rq_with(&["--http-file", "/no/such/file.http"]);
    assert_code(&o, 64);
    assert!(stderr(&o).contains("/no/such/file.http"), "{}", stderr(&o));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.http");
    std::fs::write(&file, "GET /x HTTP/1.1\n\n").unwrap();
    let o = run(rq().args(["--http-file", file.to_str().unwrap()]));
    assert_code(&o, 64);
    assert!(stderr(&o).contains("Host header"), "{}", stderr(&o));
}

#[test]
fn a_chunked_request_prints_replays_and_is_sent_framed_once() {
    let s = echo();
    let url = format!(":{}/x", s.port());
    let args = ["--chunked", "post", &url, "a=1"];
    // --pretty=none prints what is sent: the body in its chunk framing.
    let offline = rq_with(&[&["--offline", "--pretty=none"][..], &args].concat());
    assert_code(&offline, 0);
    let printed = String::from_utf8_lossy(&offline.stdout).into_owned();
    assert!(
        printed.contains("Transfer-Encoding: chunked\r\n"),
        "{printed}"
    );
    assert!(
        printed.ends_with("\r\n\r\na\r\n{\"a\": \"1\"}\r\n0\r\n\r\n"),
        "{printed}"
    );
    // Replayed, the framing is not sent as data inside another one.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.http");
    std::fs::write(&file, &offline.stdout).unwrap();
    assert_code(&rq_with(&["--http-file", file.to_str().unwrap()]), 0);
    assert_code(&rq_with(&args), 0);
    let r = s.requests();
    assert_eq!(r[0].body_str(), r#"{"a": "1"}"#);
    assert_eq!(r[0].header("transfer-encoding"), Some("chunked"));
    assert_eq!(
        r[0].raw, r[1].raw,
        "replayed request differs from the direct one"
    );
    assert_eq!(
        r[0].raw, offline.stdout,
        "printed request differs from the one sent"
    );
}
