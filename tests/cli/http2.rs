//! SPEC §4: HTTP/2, negotiated by ALPN over https and spoken with prior knowledge (h2c)
//! with `--http-version 2` over http, and everything above the engine working over it.
//! Against a real nginx (`support/nginx.rs`) in front of the test server, and an in-process
//! h2 server (`support/h2server.rs`) for resets, `GOAWAY` and exact counts.

use std::io::Write;

use h2::Reason;

use crate::support::h2server::{Act, H2Server, TlsFront};
use crate::support::nginx::Nginx;
use crate::support::{assert_code, rq_with, stderr, stdout, Response, Server};

/// An upstream that answers every request with its method, path and body.
fn echo() -> Server {
    Server::http(|r| {
        let body = format!("{} {} {}", r.method, r.path, r.body_str());
        Response::new(200).text(&body)
    })
}

/// stdout with the wire's CRLF line ends as LF (heads are printed wire-exact when redirected).
fn lines(o: &std::process::Output) -> String {
    stdout(o).replace("\r\n", "\n")
}

fn ca(nginx: &Nginx) -> String {
    nginx.ca.display().to_string()
}

#[test]
fn https_negotiates_http2_and_prints_its_status_line() {
    let up = echo();
    let Some(nginx) = Nginx::start(&up) else {
        return;
    };
    std::fs::write(nginx.static_dir().join("x"), "hi\n").unwrap();
    let o = rq_with(&["-h", "--verify", &ca(&nginx), &nginx.url("/static/x")]);
    assert_code(&o, 0);
    let out = lines(&o);
    assert!(out.starts_with("HTTP/2 200\n"), "{out}");
    assert!(
        out.contains("\ncontent-length: 3\n"),
        "names as received: {out}"
    );
    assert!(nginx.log()[0].contains(" HTTP/2.0 "), "{:?}", nginx.log());
}

#[test]
fn http_version_1_1_over_https_speaks_http11() {
    let up = echo();
    let Some(nginx) = Nginx::start(&up) else {
        return;
    };
    std::fs::write(nginx.static_dir().join("x"), "hi\n").unwrap();
    let url = nginx.url("/static/x");
    let o = rq_with(&["-h", "--http-version", "1.1", "--verify", &ca(&nginx), &url]);
    assert_code(&o, 0);
    assert!(lines(&o).starts_with("HTTP/1.1 200 OK\n"), "{}", stdout(&o));
    assert!(nginx.log()[0].contains(" HTTP/1.1 "), "{:?}", nginx.log());
}

#[test]
fn h2c_with_prior_knowledge_over_plain_http() {
    let up = echo();
    let Some(nginx) = Nginx::start(&up) else {
        return;
    };
    let url = format!("http://127.0.0.1:{}/hello", nginx.h2c);
    let o = rq_with(&["-h", "--http-version", "2", &url]);
    assert_code(&o, 0);
    assert!(lines(&o).starts_with("HTTP/2 200\n"), "{}", stdout(&o));
    // Without the option, plain http stays HTTP/1.1 (an h2c-only port can't answer it).
    let plain = format!("http://127.0.0.1:{}/hello", nginx.h1);
    let o = rq_with(&["-b", &plain]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "GET /hello ");
    let log = nginx.log();
    assert!(
        log[0].contains(" HTTP/2.0 ") && log[1].contains(" HTTP/1.1 "),
        "{log:?}"
    );
}

#[test]
fn a_server_that_offers_only_http11_gets_http11() {
    let up = echo();
    let Some(nginx) = Nginx::start(&up) else {
        return;
    };
    let url = format!("https://localhost:{}/x", nginx.h1_tls);
    let o = rq_with(&["-h", "--verify", &ca(&nginx), &url]);
    assert_code(&o, 0);
    assert!(lines(&o).starts_with("HTTP/1.1 200 OK\n"), "{}", stdout(&o));
    // --http-version 2 requires it: a clear error, exit 1.
    let o = rq_with(&["--http-version", "2", "--verify", &ca(&nginx), &url]);
    assert_code(&o, 1);
    assert!(
        stderr(&o).contains("doesn't speak HTTP/2"),
        "{}",
        stderr(&o)
    );
    assert_eq!(up.request_count(), 1, "nothing was sent the second time");
}

#[test]
fn verbose_shows_the_request_as_http2_sends_it_and_m_names_alpn() {
    let up = echo();
    let Some(nginx) = Nginx::start(&up) else {
        return;
    };
    let o = rq_with(&["-vv", "--verify", &ca(&nginx), &nginx.url("/v"), "X-Mine:1"]);
    assert_code(&o, 0);
    let out = lines(&o);
    let authority = format!(":authority: localhost:{}\n", nginx.h2);
    for line in [
        ":method: GET\n",
        ":scheme: https\n",
        &authority,
        ":path: /v\n",
    ] {
        assert!(out.contains(line), "{line:?} in {out}");
    }
    assert!(
        out.contains("\nx-mine: 1\n") && !out.contains("Host:"),
        "{out}"
    );
    assert!(out.contains("HTTP version: HTTP/2.0\nALPN: h2\n"), "{out}");
    assert_eq!(up.requests()[0].header("x-mine"), Some("1"));
}

#[test]
fn a_50_mib_download_over_http2_is_byte_identical() {
    let up = echo();
    let Some(nginx) = Nginx::start(&up) else {
        return;
    };
    let data: Vec<u8> = (0..50u32 * 1024 * 1024)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    std::fs::write(nginx.static_dir().join("big"), &data).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big");
    let out = file.to_str().unwrap();
    let o = rq_with(&[
        "-d",
        "-o",
        out,
        "--verify",
        &ca(&nginx),
        &nginx.url("/static/big"),
    ]);
    assert_code(&o, 0);
    let got = std::fs::read(&file).unwrap();
    assert!(got == data, "{} bytes arrived, not the file", got.len());
    assert!(nginx.log()[0].contains(" HTTP/2.0 "), "{:?}", nginx.log());
}

#[test]
fn a_json_post_over_http2_is_echoed() {
    let up = Server::http(|r| Response::new(201).json(r.body_str()));
    let Some(nginx) = Nginx::start(&up) else {
        return;
    };
    let o = rq_with(&[
        "--verify",
        &ca(&nginx),
        &nginx.url("/things"),
        "name=ann",
        "age:=31",
    ]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), r#"{"name": "ann", "age": 31}"#);
    let seen = &up.requests()[0];
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.header("content-type"), Some("application/json"));
    assert_eq!(seen.header("content-length"), Some("26"));
}

#[test]
fn an_empty_body_goes_with_content_length_zero() {
    let up = echo();
    let Some(nginx) = Nginx::start(&up) else {
        return;
    };
    let o = rq_with(&[
        "--verify",
        &ca(&nginx),
        "--raw",
        "",
        "PUT",
        &nginx.url("/e"),
    ]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "PUT /e ");
}

#[test]
fn stdin_streams_over_http2() {
    let up = Server::http(|r| Response::new(200).text(&r.body.len().to_string()));
    let Some(nginx) = Nginx::start(&up) else {
        return;
    };
    // More than rq keeps in memory, from a pipe: no length is known up front.
    let input = vec![b'x'; 3 * 1024 * 1024 + 5];
    let o =
        crate::support::rq_with_stdin(&["--verify", &ca(&nginx), "POST", &nginx.url("/in")], input);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), (3 * 1024 * 1024 + 5).to_string());
}

#[test]
fn a_100_mib_upload_from_disk_over_http2_runs_in_constant_memory() {
    let up = Server::http(|r| Response::new(200).text(&r.body.len().to_string()));
    let Some(nginx) = Nginx::start(&up) else {
        return;
    };
    let Some(time) = crate::support::require_tool("/usr/bin/time") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("up.bin");
    let mut f = std::fs::File::create(&path).unwrap();
    for _ in 0..100 {
        f.write_all(&[7u8; 1024 * 1024]).unwrap();
    }
    drop(f);
    let body = format!("@{}", path.display());
    let o = crate::support::hermetic(&mut std::process::Command::new(time))
        .args(["-f", "%M", crate::support::bin(), "--verify", &ca(&nginx)])
        .args([&nginx.url("/up"), &body])
        .output()
        .unwrap();
    assert_code(&o, 0);
    assert_eq!(stdout(&o), (100 * 1024 * 1024).to_string());
    let err = stderr(&o);
    let kib: u64 = err.trim().lines().last().unwrap().trim().parse().unwrap();
    assert!(kib < 40 * 1024, "peak RSS {kib} KiB for a 100 MiB upload");
}

#[test]
fn redirect_across_origins_over_http2_drops_credentials() {
    let other =
        Server::http(|r| Response::new(200).text(&format!("{:?}", r.header("authorization"))));
    let target = other.url("/landed");
    let up = Server::http(move |_| Response::new(302).header("Location", &target));
    let Some(nginx) = Nginx::start(&up) else {
        return;
    };
    let o = rq_with(&[
        "-F",
        "-a",
        "ann:pw",
        "--verify",
        &ca(&nginx),
        &nginx.url("/go"),
    ]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "None");
    assert!(up.requests()[0].header("authorization").is_some());
}

#[test]
fn cookies_set_over_http2_are_sent_back() {
    let up = Server::http(|r| match r.path.as_str() {
        "/set" => Response::new(302)
            .header("Set-Cookie", "sid=42; Path=/")
            .header("Location", "/check"),
        _ => Response::new(200).text(r.header("cookie").unwrap_or("no cookie")),
    });
    let Some(nginx) = Nginx::start(&up) else {
        return;
    };
    let o = rq_with(&["-F", "--verify", &ca(&nginx), &nginx.url("/set")]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "sid=42");
    assert_eq!(nginx.connections(), 1, "{:?}", nginx.log());
}

#[test]
fn digest_auth_works_over_http2() {
    let up = crate::auth::digest_server("MD5");
    let Some(nginx) = Nginx::start(&up) else {
        return;
    };
    let url = nginx.url("/digest-auth/auth/user/passwd");
    let o = rq_with(&[
        "-A",
        "digest",
        "-a",
        "user:passwd",
        "--verify",
        &ca(&nginx),
        &url,
    ]);
    assert_code(&o, 0);
    let log = nginx.log();
    assert!(log.iter().all(|l| l.contains(" HTTP/2.0 ")), "{log:?}");
    assert!(
        log[0].ends_with(" 401") && log[1].ends_with(" 200"),
        "{log:?}"
    );
}

#[test]
fn pagination_over_http2_uses_one_connection() {
    let up = Server::http(|r| {
        let n: u32 = r.query.as_deref().unwrap_or("page=1")[5..].parse().unwrap();
        let resp = Response::new(200).json(&format!("[{n}]"));
        match n < 4 {
            true => resp.header("Link", &format!("</items?page={}>; rel=\"next\"", n + 1)),
            false => resp,
        }
    });
    let Some(nginx) = Nginx::start(&up) else {
        return;
    };
    let o = rq_with(&[
        "--paginate",
        "--verify",
        &ca(&nginx),
        &nginx.url("/items?page=1"),
    ]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "[1,2,3,4]");
    let log = nginx.log();
    assert_eq!(log.len(), 4, "{log:?}");
    assert_eq!(
        nginx.connections(),
        1,
        "pages are streams of one connection: {log:?}"
    );
}

#[test]
fn a_refused_stream_is_sent_again_by_itself() {
    let s = H2Server::start(|_, before| match before {
        0 => Act::Reset(Reason::REFUSED_STREAM),
        _ => Act::Respond(200, b"second".to_vec()),
    });
    let o = rq_with(&["--http-version", "2", "POST", &s.url("/x"), "a=1"]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "second");
    let seen = s.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].body, br#"{"a": "1"}"#);
}

#[test]
fn a_reset_stream_is_named_with_its_code() {
    let s = H2Server::start(|_, _| Act::Reset(Reason::INTERNAL_ERROR));
    let o = rq_with(&["--http-version", "2", &s.url("/x")]);
    assert_code(&o, 1);
    assert!(
        stderr(&o).contains("the server reset the stream: INTERNAL_ERROR"),
        "{}",
        stderr(&o)
    );
    assert_eq!(s.seen().len(), 1, "not sent again");
}

#[test]
fn goaway_before_the_response_sends_the_request_again_on_a_new_connection() {
    let s = H2Server::start_with(
        |connection| (connection == 1).then_some(Reason::NO_ERROR),
        |_, _| Act::Respond(200, b"fresh".to_vec()),
    );
    let o = rq_with(&["--http-version", "2", &s.url("/x")]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "fresh");
    assert_eq!(s.connections(), 2);
    assert_eq!(s.seen().len(), 1);
}

#[test]
fn a_goaway_with_an_error_code_is_named() {
    let s = H2Server::start_with(
        |_| Some(Reason::ENHANCE_YOUR_CALM),
        |_, _| Act::Respond(200, vec![]),
    );
    let o = rq_with(&["--http-version", "2", &s.url("/x")]);
    assert_code(&o, 1);
    assert!(
        stderr(&o).contains("GOAWAY: ENHANCE_YOUR_CALM"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn requests_of_a_request_file_share_one_http2_connection() {
    let s = H2Server::start(|r, _| Act::Respond(200, r.path.clone().into_bytes()));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("two.http");
    let text = format!("GET {}\n\n###\n\nGET {}\n", s.url("/one"), s.url("/two"));
    std::fs::write(&file, text).unwrap();
    let o = rq_with(&["--http-version", "2", "--http-file", file.to_str().unwrap()]);
    assert_code(&o, 0);
    assert!(
        stdout(&o).contains("/one") && stdout(&o).contains("/two"),
        "{}",
        stdout(&o)
    );
    assert_eq!(s.connections(), 1);
    assert_eq!(s.seen().len(), 2);
}

#[test]
fn http_1_1_required_over_h2c_is_a_clear_error() {
    let s = H2Server::start(|_, _| Act::Reset(Reason::HTTP_1_1_REQUIRED));
    let o = rq_with(&["--http-version", "2", &s.url("/x")]);
    assert_code(&o, 1);
    assert!(stderr(&o).contains("HTTP_1_1_REQUIRED"), "{}", stderr(&o));
}

#[test]
fn a_stalled_upload_is_ended_by_the_idle_timeout() {
    let s = H2Server::start(|_, _| Act::Respond(200, vec![]));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("body");
    // Larger than the server's window (64 KiB), which it never opens.
    std::fs::write(&path, vec![b'x'; 1024 * 1024]).unwrap();
    let body = format!("@{}", path.display());
    let o = crate::support::rq_times_out(
        &[
            "--http-version",
            "2",
            "--timeout",
            "1",
            &s.url("/stall"),
            &body,
        ],
        std::time::Duration::from_secs(1),
    );
    assert_code(&o, 2);
    assert!(stderr(&o).contains("--timeout"), "{}", stderr(&o));
}

#[test]
fn a_response_that_never_comes_is_ended_by_the_idle_timeout() {
    let s = H2Server::start(|_, _| Act::Respond(200, vec![]));
    let o = crate::support::rq_times_out(
        &["--http-version", "2", "--timeout", "1", &s.url("/stall")],
        std::time::Duration::from_secs(1),
    );
    assert_code(&o, 2);
}

#[test]
fn h2c_over_a_unix_socket() {
    let up = echo();
    let Some(nginx) = Nginx::start(&up) else {
        return;
    };
    let socket = nginx.unix_socket();
    let socket = socket.to_str().unwrap();
    let o = rq_with(&[
        "--unix-socket",
        socket,
        "--http-version",
        "2",
        "http://x.test/u",
    ]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "GET /u ");
    assert!(nginx.log()[0].contains(" HTTP/2.0 "), "{:?}", nginx.log());
}

#[test]
fn curl_gets_the_http_version_options_that_matter() {
    let o = rq_with(&["--curl", "--http-version", "2", "http://a.test/"]);
    assert!(
        stdout(&o).contains(" --http2-prior-knowledge"),
        "{}",
        stdout(&o)
    );
    let o = rq_with(&["--curl", "--http-version", "2", "https://a.test/"]);
    assert!(stdout(&o).contains(" --http2"), "{}", stdout(&o));
    let o = rq_with(&["--curl", "--http-version", "1.1", "https://a.test/"]);
    assert!(stdout(&o).contains(" --http1.1"), "{}", stdout(&o));
    let o = rq_with(&["--curl", "https://a.test/"]);
    assert!(
        !stdout(&o).contains(" --http"),
        "curl negotiates by itself: {}",
        stdout(&o)
    );
}

#[test]
fn offline_with_http2_shows_the_http11_form_and_says_so() {
    let o = rq_with(&["--offline", "--http-version", "2", "https://a.test/x"]);
    assert_code(&o, 0);
    assert!(lines(&o).starts_with("GET /x HTTP/1.1\n"), "{}", stdout(&o));
    assert!(stderr(&o).contains("HTTP/1.1 form"), "{}", stderr(&o));
}

#[test]
fn http_1_1_required_is_answered_over_http11_once() {
    let inner = H2Server::start(|_, _| Act::Reset(Reason::HTTP_1_1_REQUIRED));
    let ca = crate::support::tls::Ca::new("rq h2 test CA");
    let front = TlsFront::start(&ca.server(&["localhost"]), &inner);
    let dir = tempfile::tempdir().unwrap();
    let ca_file = ca.write_pem(dir.path(), "ca.pem");
    let url = format!("https://localhost:{}/x", front.port);
    let o = rq_with(&["--verify", ca_file.to_str().unwrap(), &url]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "via http/1.1\r\n");
    assert_eq!(inner.seen().len(), 1, "one attempt over HTTP/2");
    assert_eq!(front.http11_requests(), 1, "then one over HTTP/1.1");
}

#[test]
fn filter_and_pagination_and_json_timings_work_over_http2() {
    let up = Server::http(|r| {
        let n: u32 = r.query.as_deref().unwrap_or("page=1")[5..].parse().unwrap();
        let resp = Response::new(200).json(&format!("[{{\"id\":{n}}},{{\"id\":{}}}]", n * 10));
        match n < 3 {
            true => resp.header("Link", &format!("</items?page={}>; rel=\"next\"", n + 1)),
            false => resp,
        }
    });
    let Some(nginx) = Nginx::start(&up) else {
        return;
    };
    let url = nginx.url("/items?page=1");
    let o = rq_with(&[
        "--paginate",
        "--filter",
        ".[].id",
        "--verify",
        &ca(&nginx),
        &url,
    ]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "1\n10\n2\n20\n3\n30\n");
    assert_eq!(nginx.connections(), 1, "{:?}", nginx.log());

    let o = rq_with(&[
        "-p",
        "m",
        "--meta-format",
        "json",
        "--verify",
        &ca(&nginx),
        &url,
    ]);
    assert_code(&o, 0);
    let meta: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let hop = &meta["exchanges"][0];
    assert_eq!(hop["http_version"], "HTTP/2.0", "{meta}");
    assert_eq!(hop["alpn"], "h2", "{meta}");
    assert_eq!(hop["status"], 200, "{meta}");
}

#[test]
fn a_download_resumes_over_http2_with_a_range_request() {
    let up = echo();
    let Some(nginx) = Nginx::start(&up) else {
        return;
    };
    let data: Vec<u8> = (0..1024u32 * 1024).map(|i| (i % 251) as u8).collect();
    std::fs::write(nginx.static_dir().join("part"), &data).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("part");
    std::fs::write(&file, &data[..300 * 1024]).unwrap();
    let out = file.to_str().unwrap();
    let url = nginx.url("/static/part");
    let o = rq_with(&["-d", "-c", "-o", out, "--verify", &ca(&nginx), &url]);
    assert_code(&o, 0);
    assert!(
        std::fs::read(&file).unwrap() == data,
        "the file is not whole"
    );
    let log = nginx.log();
    assert!(
        log[0].contains(" HTTP/2.0 ") && log[0].ends_with(" 206"),
        "{log:?}"
    );
}

#[test]
fn each_exchange_of_a_redirect_chain_over_http2_prints_its_own_request() {
    let up = Server::http(|r| match r.path.as_str() {
        "/a" => Response::new(302).header("Location", "/b"),
        _ => Response::new(200).text("done"),
    });
    let Some(nginx) = Nginx::start(&up) else {
        return;
    };
    let url = nginx.url("/a");
    // Intermediary and final exchanges show different sections: each request is held back
    // until its exchange's kind is known, and still printed in the HTTP/2 form it went out in.
    let args = [
        "-F",
        "--all",
        "-P",
        "H",
        "-p",
        "Hh",
        "--verify",
        &ca(&nginx),
        &url,
    ];
    let o = rq_with(&args);
    assert_code(&o, 0);
    let out = lines(&o);
    let first = out.find(":path: /a\n").expect(&out);
    let second = out.find(":path: /b\n").expect(&out);
    let final_status = out.rfind("HTTP/2 200\n").expect(&out);
    assert!(first < second && second < final_status, "{out}");
    assert!(
        !out.contains("HTTP/2 302"),
        "history shows only its requests: {out}"
    );
    assert_eq!(out.matches(":method: GET\n").count(), 2, "{out}");
}
