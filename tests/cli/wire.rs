//! HTTP/1.1 on the wire: the response head printed as the server sent it, the limits on it,
//! replies that arrive while the request is still going out, and keep-alive connections the
//! server closed between two requests. The servers here write exact bytes
//! ([`Server::scripted`]) and assert on the requests they read.

use std::path::{Path, PathBuf};

use crate::support::server::{read_request_head, wait_delivered};
use crate::support::{assert_code, in_terminal, rq_with, stderr, stdout, tls, Server, Then};

/// A server answering every GET with `head` (and `body`), keeping the connection open.
fn answering(head: &[u8], body: &'static [u8]) -> Server {
    let mut bytes = head.to_vec();
    bytes.extend_from_slice(body);
    Server::scripted(true, move |req| {
        assert_eq!(req.method, "GET");
        (bytes.clone(), Then::KeepOpen)
    })
}

/// `-p h` of the response, redirected (so wire-exact: CRLF line ends, bytes as sent).
fn head_printed(s: &Server, extra: &[&str]) -> std::process::Output {
    let url = s.url("/");
    rq_with(&[&["-p", "h"], extra, &[url.as_str()]].concat())
}

#[test]
fn the_servers_reason_phrase_is_printed() {
    let s = answering(
        b"HTTP/1.1 299 Custom Thing\r\nContent-Length: 0\r\n\r\n",
        b"",
    );
    let o = head_printed(&s, &[]);
    assert_code(&o, 0);
    assert_eq!(
        stdout(&o),
        "HTTP/1.1 299 Custom Thing\r\nContent-Length: 0\r\n\r\n"
    );
    let s = answering(
        b"HTTP/1.1 302 FOUND\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n",
        b"",
    );
    let o = head_printed(&s, &["--no-check-status"]);
    assert!(
        stdout(&o).starts_with("HTTP/1.1 302 FOUND\r\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn headers_print_in_received_order_with_their_casing() {
    let head = b"HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nX-A: x\r\nSet-Cookie: b=2\r\n\
                 ETag: \"v1\"\r\nWWW-Authenticate: Basic realm=\"r\"\r\ncontent-length: 0\r\n\r\n";
    let s = answering(head, b"");
    let o = head_printed(&s, &[]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o).as_bytes(), head);
}

#[test]
fn fifteen_hundred_header_lines_print_in_full() {
    let mut head = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..1500 {
        head.extend_from_slice(format!("X-Line-{i}: value {i}\r\n").as_bytes());
    }
    head.extend_from_slice(b"Content-Length: 2\r\n\r\n");
    let s = answering(&head, b"ok");
    let o = head_printed(&s, &[]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o).as_bytes(), &head[..]);
}

const ODD_HEAD: &[u8] = b"HTTP/1.1 200 OK\r\nX-Fold: first\r\n  second\r\nX-Del: a\x7fb\r\n\
                          X-Space : v\r\nContent-Length: 2\r\n\r\n";

#[test]
fn an_obs_fold_a_space_before_the_colon_and_a_del_are_shown() {
    let s = answering(ODD_HEAD, b"ok");
    let o = head_printed(&s, &[]);
    assert_code(&o, 0);
    assert_eq!(
        stdout(&o).as_bytes(),
        b"HTTP/1.1 200 OK\r\nX-Fold: first second\r\nX-Del: a\x7fb\r\nX-Space: v\r\n\
          Content-Length: 2\r\n\r\n"
    );
    let command = format!(
        "{} --pretty=format -p hb {}",
        crate::support::bin(),
        s.url("/")
    );
    let (screen, code) = in_terminal(&command, &[]);
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains(r"X-Del: a\x7fb"), "{screen}");
    assert!(!screen.contains('\x7f'), "{screen:?}");
    assert!(screen.contains("X-Fold: first second"), "{screen}");
}

#[test]
fn the_parsed_head_still_drives_redirects_and_cookies() {
    let s = Server::scripted(true, |req| match req.path.as_str() {
        "/" => (
            b"HTTP/1.1 302 Over There\r\nset-COOKIE: k=v; Path=/\r\nX-Fold: a\r\n b\r\n\
              location: /next\r\nContent-Length: 0\r\n\r\n"
                .to_vec(),
            Then::KeepOpen,
        ),
        _ => {
            assert_eq!(req.header("cookie"), Some("k=v"));
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone".to_vec(),
                Then::KeepOpen,
            )
        }
    });
    let o = rq_with(&["-F", &s.url("/")]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "done");
    assert_eq!(s.request_count(), 2);
    s.assert_no_panics();
}

/// A head of `lines` header lines.
fn head_of(lines: usize) -> Vec<u8> {
    let mut head = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..lines - 1 {
        head.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
    }
    head.extend_from_slice(b"Content-Length: 2\r\n\r\n");
    head
}

#[test]
fn max_headers_counts_header_lines_and_the_message_names_rqs_limit() {
    let s = answering(&head_of(150), b"ok");
    let o = rq_with(&["--max-headers", "100", &s.url("/")]);
    assert_code(&o, 1);
    let err = stderr(&o);
    assert!(
        err.contains("has more than 100 header lines (rq's limit)"),
        "{err}"
    );
    assert!(err.contains("--max-headers"), "{err}");
    assert_code(&rq_with(&["--max-headers", "150", &s.url("/")]), 0);
    // Past the default of 10 000 lines, and no line limit at all with 0.
    let s = answering(&head_of(12_000), b"ok");
    assert_code(&rq_with(&[&s.url("/")]), 1);
    let o = rq_with(&["--max-headers", "0", &s.url("/")]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "ok");
}

#[test]
fn a_head_over_a_mebibyte_is_refused_naming_rqs_limit() {
    let mut head = b"HTTP/1.1 200 OK\r\n".to_vec();
    let value = "v".repeat(64 * 1024);
    for i in 0..20 {
        head.extend_from_slice(format!("X-Big-{i}: {value}\r\n").as_bytes());
    }
    head.extend_from_slice(b"Content-Length: 0\r\n\r\n");
    let s = answering(&head, b"");
    let o = rq_with(&["--max-headers", "0", &s.url("/")]);
    assert_code(&o, 1);
    assert!(
        stderr(&o).contains("is larger than 1 MiB (rq's limit)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_content_length_that_disagrees_with_itself_or_a_bare_cr_is_refused() {
    for (head, why) in [
        (
            &b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"[..],
            "conflicting Content-Length values (3 and 4)",
        ),
        (
            b"HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 0\r\n\r\n",
            "a bare CR",
        ),
    ] {
        let s = answering(head, b"");
        let o = rq_with(&[&s.url("/")]);
        assert_code(&o, 1);
        assert!(stderr(&o).contains(why), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("invalid response from 127.0.0.1:"),
            "{}",
            stderr(&o)
        );
    }
}

/// A sparse file of `len` zero bytes.
fn big_file(dir: &Path, len: u64) -> PathBuf {
    let path = dir.join("big.bin");
    std::fs::File::create(&path).unwrap().set_len(len).unwrap();
    path
}

const FIFTY_MB: u64 = 50_000_000;

fn json_answer(status: &str, extra: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\n{extra}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[test]
fn a_413_before_a_50_mb_upload_is_read_is_shown_once_with_exit_4() {
    let dir = tempfile::tempdir().unwrap();
    let file = big_file(dir.path(), FIFTY_MB);
    // The server reads the head only, answers, and closes with the body unread.
    let s = Server::scripted(false, |req| {
        assert_eq!(req.method, "PUT");
        assert_eq!(req.header("content-length"), Some("50000000"));
        let body = r#"{"error": "too large"}"#;
        (json_answer("413 Payload Too Large", "", body), Then::Close)
    });
    let at = format!("@{}", file.display());
    let o = rq_with(&[
        "--retry",
        "2",
        "--retry-delay",
        "0",
        "PUT",
        &s.url("/up"),
        &at,
    ]);
    assert_code(&o, 4);
    assert_eq!(stdout(&o), r#"{"error": "too large"}"#);
    assert_eq!(s.connection_count(), 1, "one upload only\n{}", stderr(&o));
    s.assert_no_panics();
}

#[test]
fn a_413_before_an_upload_over_tls_is_read_is_shown() {
    use std::io::{BufReader, Write};
    let dir = tempfile::tempdir().unwrap();
    let file = big_file(dir.path(), FIFTY_MB);
    let config = std::sync::Arc::new(tls::server_config(&tls::self_signed(&["127.0.0.1"]), None));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Reads the head only, answers, and closes with the body unread.
    let server = std::thread::spawn(move || {
        let (sock, _) = listener.accept().unwrap();
        let conn = rustls::ServerConnection::new(config).unwrap();
        let mut reader = BufReader::new(rustls::StreamOwned::new(conn, sock));
        let req = read_request_head(&mut reader, 0).unwrap().unwrap();
        let stream = reader.get_mut();
        stream
            .write_all(&json_answer("413 Payload Too Large", "", "{}"))
            .unwrap();
        stream.flush().unwrap();
        wait_delivered(&stream.sock);
        req
    });
    let at = format!("@{}", file.display());
    let url = format!("https://127.0.0.1:{port}/up");
    let o = rq_with(&["--verify", "no", "--timeout", "30", "PUT", &url, &at]);
    assert_code(&o, 4);
    assert_eq!(stdout(&o), "{}");
    let req = server.join().unwrap();
    assert_eq!(req.header("content-length"), Some("50000000"));
}

#[test]
fn a_401_from_a_server_that_stops_reading_is_shown() {
    let dir = tempfile::tempdir().unwrap();
    let file = big_file(dir.path(), FIFTY_MB);
    // Answers, then neither reads nor closes until the test ends.
    let s = Server::scripted(false, |_| {
        let extra = "WWW-Authenticate: Basic realm=\"up\"\r\n";
        (json_answer("401 Unauthorized", extra, "{}"), Then::Hold)
    });
    let at = format!("@{}", file.display());
    // (--timeout only bounds a client that would wait for room to write for ever.)
    let o = rq_with(&[
        "-p",
        "hb",
        "--debug",
        "--timeout",
        "30",
        "POST",
        &s.url("/"),
        &at,
    ]);
    assert_code(&o, 4);
    assert!(
        stdout(&o).starts_with("HTTP/1.1 401 Unauthorized\r\n"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).ends_with("{}"), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("answered before the whole request was sent"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_307_before_the_upload_is_read_is_followed_with_the_body() {
    let dir = tempfile::tempdir().unwrap();
    let file = big_file(dir.path(), 5_000_000);
    let s = Server::scripted(false, |req| {
        assert_eq!(req.header("content-length"), Some("5000000"));
        match req.path.as_str() {
            "/" => (
                b"HTTP/1.1 307 Elsewhere\r\nLocation: /there\r\nContent-Length: 0\r\n\r\n".to_vec(),
                Then::Close,
            ),
            _ => (json_answer("400 Bad Request", "", "{}"), Then::Close),
        }
    });
    let at = format!("@{}", file.display());
    let o = rq_with(&["-F", "-p", "h", "PUT", &s.url("/"), &at]);
    assert_code(&o, 4);
    assert!(
        stdout(&o).starts_with("HTTP/1.1 400 Bad Request"),
        "{}",
        stdout(&o)
    );
    let paths: Vec<String> = s.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/", "/there"]);
    s.assert_no_panics();
}

/// A server that answers one request per connection and closes it without saying so (no
/// `Connection: close`): right after the response, or at the moment the client sends the
/// next request on it (as an idle timeout would, the worst moment).
fn closing_after_each_response(then: Then, answer: fn(&str) -> Vec<u8>) -> Server {
    Server::scripted(true, move |req| (answer(&req.target), then))
}

const CLOSING: [Then; 2] = [Then::Close, Then::CloseAtNextRequest];

fn redirect_answer(target: &str) -> Vec<u8> {
    match target {
        "/start" => b"HTTP/1.1 302 Found\r\nLocation: /end\r\nContent-Length: 0\r\n\r\n".to_vec(),
        _ => b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone".to_vec(),
    }
}

#[test]
fn a_redirect_on_a_connection_the_server_closed_goes_out_on_a_new_one() {
    for then in CLOSING {
        let s = closing_after_each_response(then, redirect_answer);
        for run in 0..20 {
            let o = rq_with(&["-F", &s.url("/start")]);
            assert_code(&o, 0);
            assert_eq!(stdout(&o), "done", "{then:?}, run {run}");
        }
        s.assert_no_panics();
    }
    let s = closing_after_each_response(Then::CloseAtNextRequest, redirect_answer);
    let o = rq_with(&["-F", "--debug", &s.url("/start")]);
    assert_code(&o, 0);
    assert!(
        stderr(&o).contains("had closed the reused connection"),
        "{}",
        stderr(&o)
    );
}

fn page_answer(target: &str) -> Vec<u8> {
    let (page, next) = match target {
        "/p1" => ("[1, 2]", "Link: </p2>; rel=\"next\"\r\n"),
        "/p2" => ("[3]", "Link: </p3>; rel=\"next\"\r\n"),
        _ => ("[4]", ""),
    };
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{next}Content-Length: {}\r\n\r\n{page}",
        page.len()
    )
    .into_bytes()
}

#[test]
fn pages_on_a_connection_the_server_closed_go_out_on_a_new_one() {
    for then in CLOSING {
        let s = closing_after_each_response(then, page_answer);
        for run in 0..20 {
            let o = rq_with(&["--paginate", &s.url("/p1")]);
            assert_code(&o, 0);
            let joined = stdout(&o).replace([' ', '\n'], "");
            assert_eq!(joined, "[1,2,3,4]", "{then:?}, run {run}");
        }
    }
}

#[test]
fn any_method_is_sent_again_after_a_stale_connection() {
    let s = closing_after_each_response(Then::CloseAtNextRequest, |target| match target {
        "/a" => b"HTTP/1.1 307 Again\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n".to_vec(),
        _ => b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok".to_vec(),
    });
    let o = rq_with(&["-F", "--raw", "payload", "POST", &s.url("/a")]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "ok");
    let posts: Vec<(String, Vec<u8>)> =
        s.requests().into_iter().map(|r| (r.path, r.body)).collect();
    assert_eq!(
        posts,
        [
            ("/a".into(), b"payload".to_vec()),
            ("/b".into(), b"payload".to_vec())
        ]
    );
}

/// Header lines of the first request head `-v` printed (redirected: CRLF lines).
fn printed_request_headers(out: &str) -> Vec<(String, String)> {
    let head = out.split("\r\n\r\n").next().unwrap_or("");
    head.split("\r\n")
        .skip(1)
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap_or((line, ""));
            (name.to_string(), value.trim().to_string())
        })
        .collect()
}

#[test]
fn post_without_a_body_sends_content_length_zero() {
    let s = Server::http(|_| crate::support::Response::new(200));
    for method in ["POST", "PUT", "PATCH"] {
        let o = rq_with(&["-v", method, &s.url("/")]);
        assert_code(&o, 0);
        assert!(
            stdout(&o).contains("\r\nContent-Length: 0\r\n"),
            "{}",
            stdout(&o)
        );
    }
    for req in s.requests() {
        assert_eq!(req.header("content-length"), Some("0"), "{}", req.method);
        assert_eq!(req.header("transfer-encoding"), None, "{}", req.method);
        assert!(req.body.is_empty());
    }
}

#[test]
fn a_typed_content_length_that_disagrees_with_the_body_is_refused_before_connecting() {
    let s = Server::http(|_| crate::support::Response::new(200));
    let o = rq_with(&["--raw", "foo", "POST", &s.url("/"), "Content-Length:0"]);
    assert_code(&o, 64);
    assert!(
        stderr(&o).contains("Content-Length: 0 doesn't match the body, which is 3 bytes"),
        "{}",
        stderr(&o)
    );
    assert_eq!(s.connection_count(), 0);
    // One that agrees is sent as typed.
    let o = rq_with(&["--raw", "foo", "POST", &s.url("/"), "content-length:3"]);
    assert_code(&o, 0);
    assert_eq!(s.requests()[0].header_all("content-length"), ["3"]);
}

#[test]
fn verbose_shows_exactly_the_framing_headers_that_went_out() {
    let s = Server::http(|_| crate::support::Response::new(200));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("body.txt");
    std::fs::write(&file, "from a file\n").unwrap();
    let at = format!("@{}", file.display());
    let url = s.url("/");
    let cases: [&[&str]; 7] = [
        &["POST", &url],
        &["PATCH", &url],
        &["GET", &url],
        &["--raw", "abc", &url],
        &["PUT", &url, "a=1"],
        &["--chunked", &url, "a=1"],
        &[&url, &at],
    ];
    for (n, args) in cases.iter().enumerate() {
        let o = rq_with(&[&["-v"][..], args].concat());
        assert_code(&o, 0);
        let sent = s.requests()[n].headers.clone();
        assert_eq!(
            printed_request_headers(&stdout(&o)),
            sent,
            "rq -v {}",
            args.join(" ")
        );
    }
    // A large body from a pipe goes out chunked, and -v says so.
    let o = crate::support::rq_with_stdin(&["-v", "PUT", &url], vec![b'x'; 2 << 20]);
    assert_code(&o, 0);
    let sent = s.requests().last().unwrap().headers.clone();
    assert!(
        sent.contains(&("Transfer-Encoding".into(), "chunked".into())),
        "{sent:?}"
    );
    assert_eq!(printed_request_headers(&stdout(&o)), sent);
}

#[test]
fn the_next_request_of_a_request_file_goes_out_on_a_new_connection_after_a_stale_one() {
    let s = closing_after_each_response(Then::CloseAtNextRequest, |target| {
        let body = target.trim_start_matches('/');
        format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("two.http");
    let text = format!("GET {}\n\n###\n\nDELETE {}\n", s.url("/one"), s.url("/two"));
    std::fs::write(&file, text).unwrap();
    let o = rq_with(&["--http-file", file.to_str().unwrap()]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "onetwo");
    let methods: Vec<String> = s.requests().into_iter().map(|r| r.method).collect();
    assert_eq!(methods, ["GET", "DELETE"]);
}
