//! Connection control: `--resolve`, `--connect-to`, `-4`/`-6`, `--unix-socket`,
//! `--http-version`, `--chunked` and `--compress`.

use std::io::{BufReader, Read};
use std::net::TcpListener;

use crate::support::server::{read_request, write_response, Request};
use crate::support::{assert_code, rq_with, stderr, stdout, Response, Server};

fn echo_host() -> Server {
    Server::http(|r| Response::new(200).text(r.header("host").unwrap_or("")))
}

#[test]
fn resolve_pins_a_name_to_an_address() {
    let s = echo_host();
    let pin = format!("pinned.test:{}:127.0.0.1", s.port());
    let url = format!("http://pinned.test:{}/", s.port());
    let o = rq_with(&["--resolve", &pin, &url]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), format!("pinned.test:{}", s.port()));
}

#[test]
fn connect_to_sends_the_connection_elsewhere_keeping_the_host() {
    let s = echo_host();
    let route = format!("example.test:80:127.0.0.1:{}", s.port());
    let o = rq_with(&["--connect-to", &route, "http://example.test/"]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "example.test");
}

#[test]
fn bad_resolve_and_connect_to_values_are_usage_errors() {
    for args in [
        ["--resolve", "nohost:80"],
        ["--connect-to", "a:1:b"],
        ["--resolve", "a.test:80:not-an-ip"],
    ] {
        let o = rq_with(&[args[0], args[1], "http://127.0.0.1:9/"]);
        assert_code(&o, 64);
        assert!(stderr(&o).contains(args[0]), "{}", stderr(&o));
    }
}

/// One-request HTTP server on [::1].
fn v6_server() -> Option<(u16, std::thread::JoinHandle<Option<Request>>)> {
    let listener = TcpListener::bind("[::1]:0").ok()?;
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (sock, _) = listener.accept().ok()?;
        let mut reader = BufReader::new(sock.try_clone().ok()?);
        let req = read_request(&mut reader, 0).ok()??;
        write_response(&mut &sock, &Response::new(200).text("over v6"), false).ok()?;
        Some(req)
    });
    Some((port, handle))
}

#[test]
fn ipv6_only_picks_the_v6_address_of_a_name() {
    let server = v6_server();
    if !crate::support::require("an IPv6 loopback (::1)", server.is_some()) {
        return;
    }
    let (port, server) = server.expect("an IPv6 server");
    let pin = format!("dual.test:{port}:127.0.0.1,::1");
    let url = format!("http://dual.test:{port}/");
    let o = rq_with(&["-6", "--resolve", &pin, &url]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "over v6");
    assert!(server.join().unwrap().is_some());
}

#[test]
fn address_family_mismatch_is_explained() {
    let o = rq_with(&["-6", "http://127.0.0.1:9/"]);
    assert_code(&o, 1);
    assert!(
        stderr(&o).contains("no IPv6 (-6) address for 127.0.0.1"),
        "{}",
        stderr(&o)
    );
    let s = echo_host();
    let o = rq_with(&["-4", &s.url("/")]);
    assert_code(&o, 0);
}

#[test]
fn unix_socket_carries_the_request() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("api.sock");
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let server = std::thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(sock.try_clone().unwrap());
        let req = read_request(&mut reader, 0).unwrap().unwrap();
        write_response(
            &mut sock,
            &Response::new(200).json(r#"{"ok": true}"#),
            false,
        )
        .unwrap();
        req
    });
    let o = rq_with(&[
        "--unix-socket",
        path.to_str().unwrap(),
        "http://localhost/containers/json",
    ]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), r#"{"ok": true}"#);
    let req = server.join().unwrap();
    assert_eq!(req.path, "/containers/json");
    assert_eq!(req.header("host"), Some("localhost"));
}

#[test]
fn missing_unix_socket_is_named() {
    let o = rq_with(&["--unix-socket", "/nonexistent/rq.sock", "http://localhost/"]);
    assert_code(&o, 1);
    assert!(
        stderr(&o).contains("couldn't connect to unix socket /nonexistent/rq.sock"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn http_version_1_0_is_spoken() {
    let s = Server::http(|r| Response::new(200).text(&r.version));
    let o = rq_with(&["--http-version", "1.0", &s.url("/")]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "HTTP/1.0");
    // What -v and --offline show says so too.
    let o = rq_with(&["-v", "--http-version", "1.0", &s.url("/a")]);
    assert!(
        stdout(&o).starts_with("GET /a HTTP/1.0\r\n"),
        "{}",
        stdout(&o)
    );
    let o = rq_with(&["--offline", "--http-version", "1.0", &s.url("/b")]);
    assert!(
        stdout(&o).starts_with("GET /b HTTP/1.0\r\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn chunked_sends_the_body_in_chunks() {
    let s = Server::http(|_| Response::new(200));
    let o = rq_with(&["--chunked", "post", &s.url("/"), "name=ann"]);
    assert_code(&o, 0);
    let r = &s.requests()[0];
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    assert_eq!(r.header("content-length"), None);
    assert_eq!(r.body_str(), r#"{"name": "ann"}"#);
}

#[test]
fn chunked_with_http_1_0_is_a_usage_error() {
    let o = rq_with(&[
        "--chunked",
        "--http-version",
        "1.0",
        "post",
        "http://127.0.0.1:9/",
        "a=1",
    ]);
    assert_code(&o, 64);
    assert!(stderr(&o).contains("HTTP/1.0"), "{}", stderr(&o));
}

fn inflate(data: &[u8]) -> String {
    let mut out = String::new();
    flate2::read::ZlibDecoder::new(data)
        .read_to_string(&mut out)
        .unwrap();
    out
}

#[test]
fn compress_deflates_a_body_that_shrinks() {
    let s = Server::http(|_| Response::new(200));
    let text = "rq ".repeat(500);
    let o = rq_with(&["-x", "--raw", &text, "post", &s.url("/")]);
    assert_code(&o, 0);
    let r = &s.requests()[0];
    assert_eq!(r.header("content-encoding"), Some("deflate"));
    assert_eq!(
        r.header("content-length"),
        Some(r.body.len().to_string().as_str())
    );
    assert!(r.body.len() < text.len());
    assert_eq!(inflate(&r.body), text);
}

#[test]
fn compress_once_leaves_a_body_that_would_grow_and_twice_forces_it() {
    let s = Server::http(|_| Response::new(200));
    let o = rq_with(&["-x", "--raw", "x", "post", &s.url("/")]);
    assert_code(&o, 0);
    assert_eq!(s.requests()[0].header("content-encoding"), None);
    assert_eq!(s.requests()[0].body_str(), "x");
    let o = rq_with(&["-xx", "--raw", "x", "post", &s.url("/")]);
    assert_code(&o, 0);
    assert_eq!(s.requests()[1].header("content-encoding"), Some("deflate"));
    assert_eq!(inflate(&s.requests()[1].body), "x");
}

#[test]
fn offline_shows_the_framing_that_is_sent() {
    let o = rq_with(&[
        "--offline",
        "--pretty=none",
        "--chunked",
        "post",
        "http://127.0.0.1:9/",
        "a=1",
    ]);
    assert_code(&o, 0);
    let out = stdout(&o);
    assert!(out.contains("Transfer-Encoding: chunked\r\n"), "{out}");
    assert!(!out.contains("Content-Length"), "{out}");
}
