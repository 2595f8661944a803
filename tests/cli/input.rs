//! The front end: items, bodies, stdin, methods and URLs, as the server receives them.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::Stdio;

use crate::support::{
    assert_code, filled_pipe, rq, rq_with, rq_with_stdin, run, stderr, stdout, Response, Server,
    LATE, PATIENCE,
};

fn echo() -> Server {
    Server::http(|_| Response::new(200).json("{}"))
}

#[test]
fn json_items_build_the_documented_body_and_headers() {
    let s = echo();
    let o = rq_with(&[
        "post",
        &s.url("/api"),
        "name=ann",
        "age:=31",
        "tags[]=a",
        "X-Trace:1",
    ]);
    assert_code(&o, 0);
    let r = &s.requests()[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.body_str(), r#"{"name": "ann", "age": 31, "tags": ["a"]}"#);
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    assert_eq!(r.header("Accept"), Some("application/json, */*;q=0.5"));
    assert_eq!(r.header("X-Trace"), Some("1"));
    s.assert_no_panics();
}

#[test]
fn header_names_keep_the_casing_typed() {
    let s = echo();
    assert_code(&rq_with(&[&s.url("/"), "x-lower:1", "X-MiXeD:2"]), 0);
    let r = &s.requests()[0];
    let names: Vec<&str> = r.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.contains(&"x-lower") && names.contains(&"X-MiXeD"),
        "{names:?}"
    );
    assert!(
        names.contains(&"User-Agent") && names.contains(&"Host"),
        "{names:?}"
    );
}

#[test]
fn default_headers_can_be_removed_or_emptied() {
    let s = echo();
    assert_code(&rq_with(&[&s.url("/"), "User-Agent:", "X-Empty;"]), 0);
    let r = &s.requests()[0];
    assert_eq!(r.header("User-Agent"), None);
    assert_eq!(r.header("X-Empty"), Some(""));
    assert_eq!(r.header("Accept-Encoding"), Some("gzip, deflate, br, zstd"));
}

#[test]
fn repeated_header_items_send_repeated_lines() {
    let s = echo();
    assert_code(&rq_with(&[&s.url("/"), "X-A:1", "X-A:2"]), 0);
    assert_eq!(s.requests()[0].header_all("x-a"), vec!["1", "2"]);
}

#[test]
fn query_items_are_appended_in_order() {
    let s = echo();
    assert_code(&rq_with(&[&s.url("/q?z=0"), "a==1 2", "b==&"]), 0);
    let r = &s.requests()[0];
    assert_eq!(r.query.as_deref(), Some("z=0&a=1+2&b=%26"));
}

#[test]
fn form_items_are_urlencoded() {
    let s = echo();
    assert_code(&rq_with(&["-f", &s.url("/f"), "a=1", "b=x y"]), 0);
    let r = &s.requests()[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.body_str(), "a=1&b=x+y");
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded; charset=utf-8")
    );
}

#[test]
fn file_items_make_a_multipart_body() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("note.txt");
    std::fs::write(&f, "hello file").unwrap();
    let s = echo();
    let item = format!("doc@{};type=text/x-note;filename=n.txt", f.display());
    assert_code(
        &rq_with(&["-f", "--boundary", "XYZ", &s.url("/m"), "a=1", &item]),
        0,
    );
    let r = &s.requests()[0];
    assert_eq!(
        r.header("content-type"),
        Some("multipart/form-data; boundary=XYZ")
    );
    let body = r.body_str();
    assert!(
        body.contains(
            "name=\"doc\"; filename=\"n.txt\"\r\nContent-Type: text/x-note\r\n\r\nhello file\r\n"
        ),
        "{body}"
    );
    assert!(body.ends_with("--XYZ--\r\n"), "{body}");
}

#[test]
fn value_files_are_read_for_every_separator() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str, text: &str| {
        let f = dir.path().join(name);
        std::fs::write(&f, text).unwrap();
        f.display().to_string()
    };
    let (h, q, d, j) = (
        p("h", "secret\n"),
        p("q", "v"),
        p("d", "text"),
        p("j", "[1, 2]"),
    );
    let s = echo();
    let args = [
        s.url("/"),
        format!("X-H:@{h}"),
        format!("q==@{q}"),
        format!("d=@{d}"),
        format!("j:=@{j}"),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_code(&rq_with(&args), 0);
    let r = &s.requests()[0];
    assert_eq!(r.header("x-h"), Some("secret"));
    assert_eq!(r.query.as_deref(), Some("q=v"));
    assert_eq!(r.body_str(), r#"{"d": "text", "j": [1, 2]}"#);
}

#[test]
fn at_file_is_the_whole_body() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("body.json");
    std::fs::write(&f, "{\"raw\": true}").unwrap();
    let s = echo();
    assert_code(&rq_with(&[&s.url("/"), &format!("@{}", f.display())]), 0);
    let r = &s.requests()[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.body_str(), "{\"raw\": true}");
    assert_eq!(r.header("content-type"), Some("application/json"));
}

#[test]
fn raw_option_sends_text_as_is() {
    let s = echo();
    assert_code(&rq_with(&["put", &s.url("/"), "--raw", "plain words"]), 0);
    let r = &s.requests()[0];
    assert_eq!((r.method.as_str(), r.body_str()), ("PUT", "plain words"));
}

#[test]
fn stdin_becomes_a_post_body() {
    let s = echo();
    let mut child = rq()
        .arg(s.url("/post"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"a\":1}\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_code(&o, 0);
    let r = &s.requests()[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.body_str(), "{\"a\":1}\n");
    // A JSON body asks for JSON back, whatever it came from.
    assert_eq!(r.header("accept"), Some("application/json, */*;q=0.5"));
    assert_eq!(r.header("content-type"), Some("application/json"));
}

#[test]
fn offline_and_curl_show_the_stdin_body() {
    let o = rq_with_stdin(&["--offline", "example.org/x"], b"{\"a\":1}".to_vec());
    assert_code(&o, 0);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.starts_with("POST /x HTTP/1.1\r\n"), "{out}");
    assert!(out.ends_with("\r\n\r\n{\"a\":1}"), "{out}");
    let o = rq_with_stdin(&["--curl", "example.org/x"], b"{\"a\":1}".to_vec());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains(r#"--data-binary '{"a":1}'"#), "{out}");
}

#[test]
fn control_characters_reaching_a_header_by_any_way_are_usage_errors() {
    let s = echo();
    let url = s.url("/");
    let cases: &[&[&str]] = &[
        &["--bearer", "tok\r\nX-Evil: 1", &url],
        &["-A", "bearer", "-a", "tok\nX-Evil: 1", &url],
        &[&url, "X-A:a\u{1}b"],
    ];
    // (A Basic password may hold any character: it travels base64-encoded.)
    for args in cases {
        let o = rq_with(args);
        assert_code(&o, 64);
        let err = stderr(&o);
        assert!(
            err.contains("line break or control character"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(s.request_count(), 0, "nothing was sent");
}

#[test]
fn a_boundary_outside_rfc_2046_is_a_usage_error() {
    let long = "b".repeat(71);
    for bad in [
        "",
        "a\r\nX-Evil: 1",
        "ends with space ",
        "semi;colon",
        &long,
    ] {
        let o = rq_with(&[
            "--offline",
            "--multipart",
            "--boundary",
            bad,
            "x.org",
            "a=1",
        ]);
        assert_code(&o, 64);
        assert!(stderr(&o).contains("--boundary"), "{bad:?}: {}", stderr(&o));
    }
    let o = rq_with(&[
        "--offline",
        "--multipart",
        "--boundary",
        "a'(b)+_,-./:=?",
        "x.org",
        "a=1",
    ]);
    assert_code(&o, 0);
}

#[test]
fn empty_stdin_means_get_without_body_and_returns_at_once() {
    let s = echo();
    let o = rq_with(&[&s.url("/get")]);
    assert_code(&o, 0);
    // Had rq sat waiting for stdin data, it would have warned that -I may be wanted.
    assert_eq!(stderr(&o), "");
    let r = &s.requests()[0];
    assert_eq!(r.method, "GET");
    assert!(r.body.is_empty());
    assert_eq!(r.header("content-length"), None);
}

#[test]
fn an_idle_stdin_pipe_does_not_block_a_request_with_items() {
    let s = echo();
    // stdin is a pipe nobody writes to or closes, as in some CI runners.
    let mut child = rq()
        .args([&s.url("/x"), "a=1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let _keep_open = child.stdin.take();
    let o = child.wait_with_output().unwrap();
    assert_code(&o, 0);
    assert_eq!(s.requests()[0].body_str(), r#"{"a": "1"}"#);
}

/// Runs `cmd` with stdin a pipe that stays open and idle (nobody writes to it, nobody
/// closes it) until rq has exited; fails the test if rq is still running after
/// [`PATIENCE`], which only a wait on the pipe could make it do.
fn with_idle_stdin(cmd: &mut std::process::Command) -> std::process::Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let idle = child.stdin.take();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > PATIENCE {
            let _ = child.kill();
            panic!("rq still waits on an idle stdin pipe after {PATIENCE:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let o = child.wait_with_output().unwrap();
    drop(idle);
    o
}

#[test]
fn an_idle_stdin_pipe_does_not_hold_up_a_method_without_a_body() {
    // As in `sleep 20 | rq get URL` in a CI script.
    for method in ["get", "HEAD", "delete", "options"] {
        let s = echo();
        let o = with_idle_stdin(rq().args([method, &s.url("/x")]));
        assert_code(&o, 0);
        assert_eq!(stderr(&o), "", "{method}: no -I warning");
        let r = &s.requests()[0];
        assert_eq!(r.method, method.to_ascii_uppercase());
        assert!(r.body.is_empty(), "{method}");
        assert_eq!(r.header("content-length"), None, "{method}");
    }
}

#[test]
fn data_piped_to_a_get_is_still_its_body() {
    // A glance finds it, and keeps every byte it read.
    let s = echo();
    let o = run(rq().args(["get", &s.url("/x")]).stdin(filled_pipe("abc")));
    assert_code(&o, 0);
    let r = &s.requests()[0];
    assert_eq!((r.method.as_str(), r.body_str()), ("GET", "abc"));
}

#[test]
fn max_time_bounds_the_wait_for_a_body_on_an_idle_stdin_pipe() {
    // POST, PUT and a request without a method wait for stdin (it is their body), but no
    // longer than --max-time allows, counted from rq's start.
    for method in [&["post"][..], &["put"], &[]] {
        let s = echo();
        let url = s.url("/x");
        let started = std::time::Instant::now();
        let o = with_idle_stdin(rq().args(["--max-time", "1"]).args(method).arg(&url));
        let took = started.elapsed();
        assert_code(&o, 2);
        assert!(took >= std::time::Duration::from_secs(1), "early: {took:?}");
        assert!(
            took < std::time::Duration::from_secs(1) + LATE,
            "late: {took:?}"
        );
        let err = stderr(&o);
        assert!(err.contains("stdin") && err.contains("--max-time"), "{err}");
        assert!(err.contains("-I"), "says how to go without a body: {err}");
        assert_eq!(s.request_count(), 0, "{method:?}: nothing sent");
    }
}

#[test]
fn stdin_mixed_with_items_is_a_usage_error() {
    let s = echo();
    // rq only glances at stdin when items make the body: the data must be there already.
    let o = run(rq().args([&s.url("/x"), "a=1"]).stdin(filled_pipe("data")));
    assert_code(&o, 64);
    assert!(stderr(&o).contains("-I"), "{}", stderr(&o));
    assert_eq!(s.request_count(), 0);
}

#[test]
fn ignore_stdin_skips_it() {
    let s = echo();
    let o = run(rq().args(["-I", &s.url("/x")]).stdin(filled_pipe("data")));
    assert_code(&o, 0);
    assert_eq!(s.requests()[0].method, "GET");
}

#[test]
fn custom_methods_are_sent_upper_cased() {
    let s = echo();
    assert_code(&rq_with(&["purge", &s.url("/c")]), 0);
    assert_code(&rq_with(&["PROPFIND", &s.url("/c"), "a=1"]), 0);
    let r = s.requests();
    assert_eq!(r[0].method, "PURGE");
    assert_eq!(
        (r[1].method.as_str(), r[1].body_str()),
        ("PROPFIND", r#"{"a": "1"}"#)
    );
}

#[test]
fn options_may_follow_items_and_double_dash_ends_them() {
    let s = echo();
    assert_code(
        &rq_with(&["post", &s.url("/"), "a=1", "-f", "--", "-b=2"]),
        0,
    );
    assert_eq!(s.requests()[0].body_str(), "a=1&-b=2");
}

#[test]
fn url_credentials_become_basic_auth_and_leave_the_url() {
    let s = echo();
    let url = s.url("/").replace("http://", "http://ann:pw@");
    assert_code(&rq_with(&[&url]), 0);
    let r = &s.requests()[0];
    assert_eq!(r.header("authorization"), Some("Basic YW5uOnB3"));
    assert_eq!(r.target, "/");
}

#[test]
fn path_as_is_keeps_dot_segments() {
    let s = echo();
    assert_code(&rq_with(&["--path-as-is", &s.url("/a/../b")]), 0);
    assert_code(&rq_with(&[&s.url("/a/../b")]), 0);
    let r = s.requests();
    assert_eq!(r[0].target, "/a/../b");
    assert_eq!(r[1].target, "/b");
}

#[test]
fn port_shorthand_targets_localhost_over_http() {
    let s = echo();
    let o = run(rq().args([&format!(":{}/short", s.port())]));
    // localhost may resolve to ::1 first; the server listens on 127.0.0.1 only, and rq
    // tries every address.
    assert_code(&o, 0);
    assert_eq!(s.requests()[0].path, "/short");
}

#[test]
fn every_spelling_of_a_loopback_address_gets_http() {
    // IPv4-mapped loopback reaches the server on 127.0.0.1 over plain http.
    let s = echo();
    let o = rq_with(&[&format!("[::ffff:127.0.0.1]:{}/mapped", s.port())]);
    assert_code(&o, 0);
    assert_eq!(s.requests()[0].path, "/mapped");
    // The rest are checked by the URL rq would request.
    for (typed, want) in [
        ("[0:0:0:0:0:0:0:1]:8000/x", "http://[::1]:8000/x"),
        ("127.1.2.3/x", "http://127.1.2.3/x"),
        ("127.1:9/x", "http://127.0.0.1:9/x"),
        ("0.0.0.0:8000/x", "http://0.0.0.0:8000/x"),
        ("[::]:8000/x", "http://[::]:8000/x"),
        ("10.0.0.1/x", "https://10.0.0.1/x"),
    ] {
        let o = rq_with(&["--curl", typed]);
        assert_code(&o, 0);
        let line = crate::support::stdout(&o);
        assert!(
            line.contains(&format!("'{want}'")) || line.contains(&format!(" {want}")),
            "{typed}: {line}"
        );
    }
}

#[test]
fn bad_input_never_sends_and_exits_64_with_one_line() {
    let s = echo();
    let url = s.url("/x");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["post".into(), url.clone(), "a:={bad".into()],
            "a:={bad",
        ),
        (
            vec![
                "-f".into(),
                "post".into(),
                url.clone(),
                "f@/missing/file".into(),
            ],
            "/missing/file",
        ),
        (vec![url.clone(), "X-A:1\r\nX-B:2".into()], "X-A:1"),
        (vec!["--bogus".into(), url.clone()], "--bogus"),
        (vec![url.clone(), "nonsense".into()], "nonsense"),
        (
            vec![url.clone(), "a[b]=1".into(), "a[0]=2".into()],
            "a[0]=2",
        ),
        (vec!["--pretty".into(), "loud".into(), url.clone()], "loud"),
    ];
    for (args, names) in cases {
        let o = run(rq().args(&args));
        assert_code(&o, 64);
        let err = stderr(&o);
        let first = err.lines().next().unwrap_or("");
        assert!(first.starts_with("rq: error: "), "{args:?}: {err}");
        assert!(first.contains(names), "{args:?} should name {names}: {err}");
        if !names.contains('[') {
            assert_eq!(err.lines().count(), 1, "{args:?}: one line: {err}");
        }
    }
    assert_eq!(s.request_count(), 0, "nothing may be sent");
}

#[test]
fn nested_json_type_clash_shows_a_caret() {
    let o = rq_with(&["--offline", "x.org", "a[b]=1", "a[0]=2"]);
    assert_code(&o, 64);
    let err = stderr(&o);
    assert!(err.contains("a[0]=2\n") && err.contains(" ^"), "{err}");
}

#[test]
fn silent_stdin_warns_that_dash_i_may_be_wanted_and_still_sends_a_late_body() {
    let s = echo();
    // The warning comes after 10 s of silence; RQ_STDIN_WARN_AFTER_MS shortens that here.
    let mut child = rq()
        .arg(s.url("/wait"))
        .env("RQ_STDIN_WARN_AFTER_MS", "100")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    // The body is written only once the warning is out, however long that takes.
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut warning = String::new();
    err.read_line(&mut warning).unwrap();
    input.write_all(b"late body").unwrap();
    drop(input);
    let mut rest = String::new();
    err.read_to_string(&mut rest).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "stderr: {warning}{rest}");
    assert!(warning.starts_with("rq: warning: "), "{warning}");
    assert!(warning.contains("-I"), "{warning}");
    assert!(warning.contains("after 0.1 s"), "names the wait: {warning}");
    assert_eq!(rest, "", "one warning only");
    assert_eq!(s.requests()[0].body_str(), "late body");
}

#[test]
fn a_bad_item_is_quoted_as_typed_with_only_control_characters_escaped() {
    let cases = [
        ("x\\;y;", "bad request item 'x\\;y;': "),
        (
            "X\nY:1",
            "bad request item 'X\\nY:1': header name contains a line break",
        ),
    ];
    for (item, want) in cases {
        let o = rq_with(&["--offline", "x.org", item]);
        assert_code(&o, 64);
        let err = stderr(&o);
        assert!(
            err.starts_with(&format!("rq: error: {want}")),
            "{item:?}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

#[test]
fn form_items_take_raw_json_scalars_and_refuse_containers_saying_why() {
    let s = echo();
    let o = rq_with(&[
        "-f",
        "post",
        &s.url("/f"),
        "count:=1",
        "ok:=true",
        "name=ann",
    ]);
    assert_code(&o, 0);
    assert_eq!(s.requests()[0].body_str(), "count=1&ok=true&name=ann");
    let o = rq_with(&["-f", "post", &s.url("/f"), "tags:=[1,2]"]);
    assert_code(&o, 64);
    assert!(stderr(&o).contains("an array"), "{}", stderr(&o));
    assert_eq!(s.request_count(), 1, "nothing sent");
}

#[test]
fn raw_json_numbers_are_sent_as_typed() {
    let s = echo();
    let o = rq_with(&[
        "post",
        &s.url("/n"),
        "n:=12345678901234567890123",
        "f:=1.0e+2",
        "x:=[0.10, 1e-7]",
    ]);
    assert_code(&o, 0);
    assert_eq!(
        s.requests()[0].body_str(),
        r#"{"n": 12345678901234567890123, "f": 1.0e+2, "x": [0.10, 1e-7]}"#
    );
}

#[test]
fn a_header_item_after_a_removal_of_that_name_is_sent() {
    let s = echo();
    let args = [
        "Foo:bar",
        "Foo:",
        "Foo:quux",
        "User-Agent:",
        "User-Agent:mine",
    ];
    let o = rq_with(&[&[s.url("/h").as_str()][..], &args].concat());
    assert_code(&o, 0);
    let r = &s.requests()[0];
    assert_eq!(r.header_all("foo"), ["quux"]);
    assert_eq!(r.header_all("user-agent"), ["mine"]);
}

#[test]
fn header_values_are_sent_without_surrounding_whitespace() {
    let s = echo();
    let o = rq_with(&[&s.url("/h"), "Accept:  x ", "X-Tab:\tv"]);
    assert_code(&o, 0);
    let raw = String::from_utf8_lossy(&s.requests()[0].raw).into_owned();
    assert!(raw.contains("\r\nAccept: x\r\n"), "{raw}");
    assert!(raw.contains("\r\nX-Tab: v\r\n"), "{raw}");
}

#[test]
fn a_typed_multipart_content_type_gets_the_boundary_of_the_body() {
    let s = echo();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.txt");
    std::fs::write(&file, "hi").unwrap();
    let upload = format!("up@{}", file.display());
    let o = rq_with(&[
        "-f",
        &s.url("/u"),
        "Content-Type:multipart/form-data",
        &upload,
    ]);
    assert_code(&o, 0);
    let r = &s.requests()[0];
    let ct = r.header("content-type").unwrap();
    let boundary = ct.strip_prefix("multipart/form-data; boundary=").expect(ct);
    assert!(
        r.body_str().starts_with(&format!("--{boundary}\r\n")),
        "{ct}"
    );
}

#[test]
fn a_url_with_its_scheme_left_out_is_not_a_localhost_path() {
    let s = echo();
    // `://127.0.0.1:PORT/x` means the default scheme's URL (http for loopback), as in httpie.
    let o = rq_with(&[&format!("://127.0.0.1:{}/x", s.port()), "q==1"]);
    assert_code(&o, 0);
    assert_eq!(s.requests()[0].target, "/x?q=1");
    let o = rq_with(&["--offline", "://example.org/a"]);
    assert!(
        stdout(&o).starts_with("GET /a HTTP/1.1\r\nHost: example.org\r\n"),
        "{}",
        stdout(&o)
    );
    let o = rq_with(&["--curl", "://example.org/a"]);
    assert!(
        stdout(&o).contains("https://example.org/a"),
        "{}",
        stdout(&o)
    );
}
