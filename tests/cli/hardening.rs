//! Hostile servers and broken networks: rq fails fast, clearly, with the right exit code,
//! and with bounded memory. Each server here misbehaves in one specific way.

use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::support::server::read_request;
use crate::support::{
    assert_code, drip_until_hangup, hold_until_hangup, rq_times_out, rq_with, stderr, Response,
    Server,
};

/// A raw server that reads the request, then writes `reply` and closes.
fn replies(reply: &'static [u8]) -> Server {
    Server::raw(move |mut sock, _| {
        let _ = read_request(&mut BufReader::new(sock.try_clone().unwrap()), 0);
        let _ = sock.write_all(reply);
    })
}

/// A raw server that reads the request and hands the socket to `then`.
fn after_request(then: impl Fn(&mut TcpStream) + Send + Sync + 'static) -> Server {
    Server::raw(move |mut sock, _| {
        let _ = read_request(&mut BufReader::new(sock.try_clone().unwrap()), 0);
        then(&mut sock);
    })
}

/// Peak RSS in KiB of `rq args…` with stdout to /dev/null, via GNU time (`None`: the test
/// is skipped, GNU time is missing).
fn peak_rss(args: &[&str]) -> Option<(u64, std::process::Output)> {
    let time = crate::support::require_tool("/usr/bin/time")?;
    let o = crate::support::hermetic(&mut std::process::Command::new(time))
        .arg("-f")
        .arg("%M")
        .arg(crate::support::bin())
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    let last = err.trim().lines().last().unwrap_or_default().trim();
    let kib = last
        .parse()
        .unwrap_or_else(|_| panic!("no peak RSS from GNU time: {err}"));
    Some((kib, o))
}

#[test]
fn chunked_body_cut_off_exits_1_with_the_byte_count() {
    let s = replies(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n40\r\npartial",
    );
    let o = rq_with(&[&s.url("/")]);
    assert_code(&o, 1);
    assert!(stderr(&o).contains("bytes"), "{}", stderr(&o));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
}

#[test]
fn malformed_chunk_size_exits_1() {
    let s =
        replies(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
    let o = rq_with(&[&s.url("/")]);
    assert_code(&o, 1);
    assert!(stderr(&o).starts_with("rq: error: "), "{}", stderr(&o));
}

#[test]
fn connection_reset_mid_headers_exits_1() {
    let s = after_request(|sock| {
        let _ = sock.write_all(b"HTTP/1.1 200 OK\r\nContent-Ty");
        let _ = sock.shutdown(std::net::Shutdown::Both);
    });
    let o = rq_with(&[&s.url("/")]);
    assert_code(&o, 1);
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
}

#[test]
fn headers_then_silence_trips_the_idle_timeout() {
    let s = after_request(|sock| {
        let _ = sock.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        hold_until_hangup(sock);
    });
    let o = rq_times_out(&["--timeout", "1", &s.url("/")], Duration::from_secs(1));
    assert!(stderr(&o).contains("--timeout"), "{}", stderr(&o));
}

#[test]
fn slowloris_is_stopped_by_max_time() {
    // A header line that never ends, a byte every 500 ms: never idle, never done.
    let s = after_request(|sock| {
        let _ = sock.write_all(b"HTTP/1.1 200 OK\r\n");
        drip_until_hangup(Duration::from_millis(500), || sock.write_all(b"X"));
    });
    let o = rq_times_out(
        &["--max-time", "2", "--timeout", "5", &s.url("/")],
        Duration::from_secs(2),
    );
    assert!(stderr(&o).contains("--max-time"), "{}", stderr(&o));
}

#[test]
fn endless_headers_are_a_bounded_error() {
    let s = after_request(|sock| {
        let _ = sock.write_all(b"HTTP/1.1 200 OK\r\n");
        let line =
            b"X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
        // Up to 100 MiB of header lines; rq must give up long before.
        for _ in 0..(100 * 1024 * 1024 / line.len()) {
            if sock.write_all(line).is_err() {
                return;
            }
        }
    });
    let Some((kib, o)) = peak_rss(&[&s.url("/")]) else {
        return;
    };
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("header"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(kib < 32 * 1024, "peak RSS {kib} KiB");
}

#[test]
fn ten_thousand_set_cookie_headers_are_a_clear_bounded_error() {
    let s = after_request(|sock| {
        let mut head = b"HTTP/1.1 200 OK\r\n".to_vec();
        for i in 0..10_000 {
            head.extend_from_slice(format!("Set-Cookie: c{i}=v\r\n").as_bytes());
        }
        head.extend_from_slice(b"Content-Length: 2\r\n\r\nok");
        let _ = sock.write_all(&head);
    });
    let o = rq_with(&[&s.url("/")]);
    assert_code(&o, 1);
    assert!(
        stderr(&o).contains("header lines (rq's limit)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_hundred_set_cookie_headers_all_reach_the_session() {
    let s = after_request(|sock| {
        let mut head = b"HTTP/1.1 200 OK\r\n".to_vec();
        for i in 0..100 {
            head.extend_from_slice(format!("Set-Cookie: c{i}=v; Path=/\r\n").as_bytes());
        }
        head.extend_from_slice(b"Content-Length: 2\r\n\r\nok");
        let _ = sock.write_all(&head);
    });
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("s.json");
    let o = rq_with(&["--session", session.to_str().unwrap(), &s.url("/")]);
    assert_code(&o, 0);
    let saved = std::fs::read_to_string(&session).unwrap();
    assert_eq!(saved.matches("\"name\": \"c").count(), 100, "{saved}");
}

/// 1 GiB of zeros as gzip: one compressed 16 MiB member repeated 64 times (gzip allows
/// concatenated members), about 1 MiB on the wire.
fn gzip_bomb() -> Vec<u8> {
    static BOMB: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BOMB.get_or_init(|| {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&vec![0u8; 16 << 20]).unwrap();
        enc.finish().unwrap().repeat(64)
    })
    .clone()
}

#[test]
fn gzip_bomb_streams_with_bounded_memory() {
    let bomb = gzip_bomb();
    assert!(bomb.len() < 2 << 20);
    let s = Server::http(move |_| {
        Response::new(200)
            .header("Content-Encoding", "gzip")
            .header("Content-Type", "application/octet-stream")
            .body(bomb.clone())
    });
    let Some((kib, o)) = peak_rss(&["-b", &s.url("/")]) else {
        return;
    };
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        kib < 16 * 1024,
        "peak RSS {kib} KiB for a 1 GiB decoded body"
    );
}

#[test]
fn gzip_bomb_on_a_terminal_gets_the_binary_note() {
    let bomb = gzip_bomb();
    let s = Server::http(move |_| {
        Response::new(200)
            .header("Content-Encoding", "gzip")
            .header("Content-Type", "application/octet-stream")
            .body(bomb.clone())
    });
    let (screen, code) =
        crate::support::in_terminal(&format!("{} -b {}", crate::support::bin(), s.url("/")), &[]);
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("binary body not shown"), "{screen}");
}

#[test]
fn invalid_utf8_and_invalid_json_print_as_received_in_every_pretty_mode() {
    let body: &'static [u8] = b"{\"a\": [1, 2,, \xff\xfe broken";
    let s = Server::http(move |_| Response::new(200).json("").body(body));
    for mode in ["all", "colors", "format", "none"] {
        let o = rq_with(&["--pretty", mode, "-b", &s.url("/")]);
        assert_code(&o, 0);
        let out = &o.stdout;
        assert!(
            out.windows(body.len()).any(|w| w == body),
            "--pretty={mode}: {:?}",
            String::from_utf8_lossy(out)
        );
    }
}

#[test]
fn a_redirect_loop_exits_6() {
    let s = Server::http(|_| Response::new(302).header("Location", "/again"));
    let o = rq_with(&["-F", &s.url("/again")]);
    assert_code(&o, 6);
    assert_eq!(s.request_count(), 31, "the first request plus 30 redirects");
}

#[test]
fn ftp_redirects_are_refused() {
    let s = Server::http(|_| Response::new(301).header("Location", "ftp://127.0.0.1/file"));
    let o = rq_with(&["-F", &s.url("/")]);
    assert_code(&o, 1);
    assert!(stderr(&o).contains("ftp://"), "{}", stderr(&o));
}

/// A body of `len` bytes of text, streamed without holding it.
fn big(len: u64) -> Server {
    Server::http(move |_| {
        Response::new(200)
            .header("Content-Type", "text/plain")
            .stream(len, move |w| {
                let chunk = vec![b'x'; 64 * 1024];
                let mut left = len;
                while left > 0 {
                    let n = left.min(chunk.len() as u64) as usize;
                    w.write_all(&chunk[..n])?;
                    left -= n as u64;
                }
                Ok(())
            })
    })
}

#[test]
fn a_large_response_keeps_memory_bounded_in_every_output_mode() {
    let s = big(256 << 20);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.txt");
    for args in [
        vec!["-b", "--pretty=none"],
        vec!["--pretty=all"],
        vec!["-o", file.to_str().unwrap()],
    ] {
        let mut all = args.clone();
        let url = s.url("/");
        all.push(&url);
        let Some((kib, o)) = peak_rss(&all) else {
            return;
        };
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(kib < 16 * 1024, "{args:?}: peak RSS {kib} KiB for 256 MiB");
    }
}

#[test]
fn a_large_xml_body_formats_in_bounded_memory() {
    // Eight times the 8 MiB checked ahead, so formatting streams for most of it (a 1 GiB
    // body behaves the same, only slower in a debug build).
    const ITEM: &[u8] = b"<item id=\"1\"><name>widget</name><price cur=\"EUR\">9.99</price></item>";
    let items = (64 << 20) / ITEM.len() as u64;
    let len = 6 + items * ITEM.len() as u64 + 7;
    let s = Server::http(move |_| {
        Response::new(200)
            .header("Content-Type", "application/xml")
            .stream(len, move |w| {
                w.write_all(b"<list>")?;
                let chunk = ITEM.repeat(1024);
                let mut left = items;
                while left > 0 {
                    let n = left.min(1024) as usize;
                    w.write_all(&chunk[..n * ITEM.len()])?;
                    left -= n as u64;
                }
                w.write_all(b"</list>")
            })
    });
    let Some((kib, o)) = peak_rss(&["--pretty=all", &s.url("/")]) else {
        return;
    };
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr).trim().lines().count(),
        1,
        "no warning"
    );
    assert!(kib < 32 * 1024, "peak RSS {kib} KiB for 64 MiB of XML");
}
