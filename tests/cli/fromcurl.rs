//! SPEC §8: `--from-curl` runs the request a curl command describes, as browsers' "Copy as
//! cURL" and `rq --curl` write it.

use std::process::Command;

use crate::support::server::Request;
use crate::support::{
    assert_code, hermetic, need_tool, rq_with, rq_with_stdin, stderr, stdout, Response, Server,
};

/// The origin the browser fixtures were copied from; tests point it at their server.
const ORIGIN: &str = "https://shop.example.com";

fn fixture(name: &str, server: &Server) -> String {
    let path = format!(
        "{}/tests/fixtures/copy-as-curl/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.trim_end().replace(ORIGIN, &server.url(""))
}

fn echo() -> Server {
    Server::http(|_| Response::new(200).json("{}"))
}

/// What a server can tell two requests apart by: method, target, headers (names
/// lower-cased, sorted: order on the wire is free) and body. A multipart boundary is
/// random, so it is replaced by `BOUNDARY` in the headers and the body.
fn seen(r: &Request) -> (String, String, Vec<(String, String)>, Vec<u8>) {
    let boundary = r
        .header("content-type")
        .and_then(|ct| ct.split_once("boundary="))
        .map(|(_, b)| b.to_string());
    let swap = |text: &str| match &boundary {
        Some(b) => text.replace(b.as_str(), "BOUNDARY"),
        None => text.to_string(),
    };
    let mut headers: Vec<(String, String)> = r
        .headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), swap(v)))
        // Boundaries differ in length too; the bodies are compared whole.
        .filter(|(n, _)| !(boundary.is_some() && n == "content-length"))
        .collect();
    headers.sort();
    let body = swap(&String::from_utf8_lossy(&r.body)).into_bytes();
    (r.method.clone(), r.target.clone(), headers, body)
}

/// Run `command` with bash (browsers quote for bash: `$'…'`), quietly.
fn run_curl(command: &str) {
    need_tool("curl");
    let o = hermetic(&mut Command::new("bash"))
        .args([
            "-c",
            &format!("{command} --silent --show-error --output /dev/null"),
        ])
        .output()
        .expect("bash runs");
    assert!(
        o.status.success(),
        "curl failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn browser_commands_reach_the_server_exactly_as_curl_sends_them() {
    for name in [
        "chrome-get-cookies.sh",
        "chrome-post-json.sh",
        "firefox-get-cookies.sh",
        "firefox-post-json.sh",
    ] {
        let s = echo();
        let command = fixture(name, &s);
        run_curl(&command);
        let o = rq_with(&["--from-curl", &command]);
        assert_code(&o, 0);
        let requests = s.requests();
        assert_eq!(requests.len(), 2, "{name}");
        assert_eq!(seen(&requests[1]), seen(&requests[0]), "{name}");
        assert!(
            requests[0].header("cookie").is_some(),
            "{name}: no cookies sent"
        );
    }
}

#[test]
fn chrome_ansi_c_quoted_data_arrives_decoded() {
    let s = echo();
    let o = rq_with(&["--from-curl", &fixture("chrome-post-json.sh", &s)]);
    assert_code(&o, 0);
    let body = String::from_utf8(s.requests()[0].body.clone()).unwrap();
    assert!(
        body.contains(r#""note":"gift — don't open\nuntil Friday!""#),
        "{body}"
    );
}

#[test]
fn the_command_can_come_from_stdin_and_offline_shows_it() {
    let command = "curl 'http://example.test/api?x=1' \\\n  -H 'x-a: 1' \\\n  --data-raw 'a=b'";
    let o = rq_with_stdin(&["--offline", "--from-curl", "-"], command.into());
    assert_code(&o, 0);
    let out = stdout(&o);
    assert!(out.starts_with("POST /api?x=1 HTTP/1.1\r\n"), "{out}");
    assert!(out.contains("x-a: 1\r\n"), "{out}");
    assert!(
        out.contains("Content-Type: application/x-www-form-urlencoded\r\n"),
        "{out}"
    );
    assert!(
        !out.contains("Accept-Encoding"),
        "curl asks for none without --compressed: {out}"
    );
    assert!(out.ends_with("\r\n\r\na=b"), "{out}");
}

#[test]
fn unknown_curl_options_are_a_usage_error_listing_them() {
    let s = echo();
    let command = format!(
        "curl --frobnicate -Z {} -H 'a: b' --trace-ascii x",
        s.url("/")
    );
    let o = rq_with(&["--from-curl", &command]);
    assert_code(&o, 64);
    let err = stderr(&o);
    assert!(err.contains("--frobnicate, -Z, --trace-ascii"), "{err}");
    assert_eq!(s.request_count(), 0);
}

#[test]
fn the_command_line_overrides_the_command() {
    let s = Server::http(|r| match r.path.as_str() {
        "/start" => Response::new(302).header("Location", "/end"),
        _ => Response::new(200).json("{}"),
    });
    let command = format!("curl -L -H 'X-A: from-curl' {}", s.url("/start"));
    let o = rq_with(&["--from-curl", &command, "X-A:typed", "X-B:more"]);
    assert_code(&o, 0);
    let r = &s.requests()[1];
    assert_eq!(r.path, "/end", "-L is --follow");
    assert_eq!(
        (r.header("x-a"), r.header("x-b")),
        (Some("typed"), Some("more"))
    );
    let o = rq_with(&["--from-curl", &command, "--no-follow", "--no-check-status"]);
    assert_code(&o, 0);
    assert_eq!(s.request_count(), 3, "--no-follow undoes -L");
}

/// Requests the test suite builds elsewhere, sent by rq, then by `rq --curl … | rq
/// --from-curl -`: the server must see the same request.
#[test]
fn rq_curl_output_fed_back_sends_the_same_request() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("note; v1.txt");
    std::fs::write(&file, "hello\nfile").unwrap();
    let file = file.to_str().unwrap().to_string();
    let cases: Vec<Vec<String>> = [
        &["/get", "a==1", "b==x y", "X-Custom:v"][..],
        &["/post", "name=ann", "age:=31", "tags[]=a"],
        &["-f", "/form", "a=1", "b=x&y=z"],
        &[
            "-f",
            "/upload",
            "title=t",
            // `;` in the file name is escaped in the item.
            &format!("doc@{};type=text/plain", file.replace(';', r"\;")),
        ],
        &["PUT", "/raw", "--raw", "it's plain"],
        &["HEAD", "/head"],
        &["DELETE", "/item/7", "User-Agent:", "Accept:", "X-Empty;"],
        &["-a", "ann:s3cret", "/auth"],
        &[
            "POST",
            "/file",
            &format!("@{file}"),
            "Content-Type:text/plain",
        ],
        &["--bearer", "tok", "PATCH", "/p", "x:=null"],
    ]
    .iter()
    .map(|args| args.iter().map(|a| a.to_string()).collect())
    .collect();
    for args in cases {
        let s = echo();
        let url = s.url(&args.iter().find(|a| a.starts_with('/')).unwrap().clone());
        let args: Vec<&str> = args
            .iter()
            .map(|a| {
                if a.starts_with('/') {
                    url.as_str()
                } else {
                    a.as_str()
                }
            })
            .collect();
        assert_code(&rq_with(&args), 0);
        let curl = rq_with(&[&["--curl"], &args[..]].concat());
        assert_code(&curl, 0);
        let o = rq_with_stdin(&["--from-curl", "-"], curl.stdout.clone());
        assert_code(&o, 0);
        let requests = s.requests();
        assert_eq!(
            seen(&requests[1]),
            seen(&requests[0]),
            "{args:?} via {}",
            stdout(&curl)
        );
    }
}

#[test]
fn form_and_urlencoded_data_follow_curl() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("photo.png");
    std::fs::write(&path, b"\x89PNG\r\n").unwrap();
    let s = echo();
    let command = format!(
        "curl -A test/1 {} -F 'caption=a; b' -F 'img=@{}' --form-string 'raw=@x'",
        s.url("/up"),
        path.display()
    );
    run_curl(&command);
    assert_code(&rq_with(&["--from-curl", &command]), 0);
    let command = format!(
        "curl -A test/1 -G {} --data-urlencode 'q=a b/c' -d x=1 --data-urlencode plain",
        s.url("/search")
    );
    run_curl(&command);
    assert_code(&rq_with(&["--from-curl", &command]), 0);
    let r = s.requests();
    assert_eq!(seen(&r[1]), seen(&r[0]), "multipart");
    assert_eq!(seen(&r[3]), seen(&r[2]), "-G with --data-urlencode");
    assert_eq!(r[3].target, "/search?q=a+b%2fc&x=1&plain");
}
