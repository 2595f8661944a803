//! Downloads (`-d`, `-o`, `-c`): file names, no overwriting, no symlink following, the
//! resume matrix, bodies cut short, and progress only on a terminal.

use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Output;
use std::sync::Arc;

use crate::support::server::read_request;
use crate::support::{
    assert_code, bin, drip_until_hangup, hold_until_hangup, in_terminal, rq, run, stderr, Response,
    Server,
};

/// Bytes that differ at every offset, so a misplaced append shows.
fn data(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8 ^ (i / 251) as u8).collect()
}

fn rq_in(dir: &Path, args: &[&str]) -> Output {
    run(rq().current_dir(dir).args(args))
}

/// Like a static file server: honours `Range: bytes=N-` with 206 or 416.
fn ranged(body: Vec<u8>) -> Server {
    let body = Arc::new(body);
    Server::http(move |r| {
        let from = r.header("range").and_then(|v| {
            let n = v.strip_prefix("bytes=")?.strip_suffix('-')?;
            n.parse::<usize>().ok()
        });
        let len = body.len();
        match from {
            Some(from) if from >= len => {
                Response::new(416).header("Content-Range", &format!("bytes */{len}"))
            }
            Some(from) => Response::new(206)
                .header("Content-Range", &format!("bytes {from}-{}/{len}", len - 1))
                .body(body[from..].to_vec()),
            None => Response::new(200).body(body.to_vec()),
        }
    })
}

/// `rq -d URL` at a terminal, in `dir`; returns what the terminal showed.
fn download_at_terminal(dir: &Path, args: &str) -> (String, i32) {
    in_terminal(
        &format!("cd '{}' && '{}' -d {args}", dir.display(), bin()),
        &[],
    )
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn download_at_a_terminal_names_the_file_after_the_url() {
    let s = Server::http(|_| {
        Response::new(200)
            .header("Content-Type", "application/pdf")
            .body("%PDF")
    });
    let dir = tempfile::tempdir().unwrap();
    let (shown, code) = download_at_terminal(dir.path(), &s.url("/files/report"));
    assert_eq!(code, 0, "{shown}");
    assert_eq!(files_in(dir.path()), ["report.pdf"]);
    assert_eq!(
        std::fs::read(dir.path().join("report.pdf")).unwrap(),
        b"%PDF"
    );
    assert!(shown.contains("Saved 'report.pdf'"), "{shown}");
}

#[test]
fn content_disposition_path_traversal_writes_a_bare_name_in_the_current_directory() {
    let s = Server::http(|_| {
        Response::new(200)
            .header("Content-Disposition", r#"attachment; filename="../../x""#)
            .body("payload")
    });
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("a/b");
    std::fs::create_dir_all(&dir).unwrap();
    let (shown, code) = download_at_terminal(&dir, &s.url("/dl"));
    assert_eq!(code, 0, "{shown}");
    assert_eq!(files_in(&dir), ["x"]);
    assert_eq!(std::fs::read(dir.join("x")).unwrap(), b"payload");
    assert_eq!(files_in(root.path()), ["a"]);
    assert_eq!(files_in(&root.path().join("a")), ["b"]);
}

#[test]
fn rfc5987_filename_star_wins_over_filename() {
    let s = Server::http(|_| {
        Response::new(200)
            .header(
                "Content-Disposition",
                "attachment; filename=\"plain.txt\"; filename*=UTF-8''%e2%82%ac%20rates.txt",
            )
            .body("1")
    });
    let dir = tempfile::tempdir().unwrap();
    let (shown, code) = download_at_terminal(dir.path(), &s.url("/x"));
    assert_eq!(code, 0, "{shown}");
    assert_eq!(files_in(dir.path()), ["€ rates.txt"]);
}

#[test]
fn existing_files_are_never_overwritten_but_numbered_before_the_extension() {
    let s = Server::http(|_| Response::new(200).body("new"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("data.tar.gz"), "old").unwrap();
    for _ in 0..2 {
        let (shown, code) = download_at_terminal(dir.path(), &s.url("/data.tar.gz"));
        assert_eq!(code, 0, "{shown}");
    }
    assert_eq!(
        files_in(dir.path()),
        ["data-1.tar.gz", "data-2.tar.gz", "data.tar.gz"]
    );
    assert_eq!(
        std::fs::read(dir.path().join("data.tar.gz")).unwrap(),
        b"old"
    );
    assert_eq!(
        std::fs::read(dir.path().join("data-2.tar.gz")).unwrap(),
        b"new"
    );
}

#[test]
fn a_symlink_named_like_the_target_is_neither_followed_nor_replaced() {
    let s = Server::http(|_| Response::new(200).body("evil"));
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    std::os::unix::fs::symlink(&victim, dir.path().join("notes.txt")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("nowhere"), dir.path().join("notes-1.txt")).unwrap();
    let (shown, code) = download_at_terminal(dir.path(), &s.url("/notes.txt"));
    assert_eq!(code, 0, "{shown}");
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    assert!(
        !dir.path().join("nowhere").exists(),
        "dangling link followed"
    );
    let link = std::fs::symlink_metadata(dir.path().join("notes.txt")).unwrap();
    assert!(link.file_type().is_symlink());
    assert_eq!(
        std::fs::read(dir.path().join("notes-2.txt")).unwrap(),
        b"evil"
    );
}

#[test]
fn output_file_is_never_written_through_a_symlink() {
    let s = Server::http(|_| Response::new(200).body("evil"));
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    std::os::unix::fs::symlink(&victim, dir.path().join("out")).unwrap();
    let o = rq_in(dir.path(), &["-d", "-o", "out", &s.url("/")]);
    assert_code(&o, 64);
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    assert_eq!(s.request_count(), 0, "found before sending");
}

#[test]
fn an_output_file_rq_cant_write_is_found_before_the_request_is_sent() {
    // The POST must not go out only for its response to be lost.
    let s = Server::http(|_| Response::new(201).body("created"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("file"), "kept").unwrap();
    std::os::unix::fs::symlink("file", dir.path().join("link-to-file")).unwrap();
    std::fs::create_dir(dir.path().join("adir")).unwrap();
    for (out, why) in [
        ("nodir/x", "No such file or directory"),
        ("link-to-file", "symbolic link"),
        ("adir", "directory"),
    ] {
        let o = rq_in(dir.path(), &["-o", out, "post", &s.url("/"), "a=1"]);
        assert_code(&o, 64);
        let err = stderr(&o);
        assert!(err.contains(out) && err.contains(why), "{out}: {err}");
        assert!(err.contains("nothing was sent"), "{err}");
    }
    assert_eq!(s.request_count(), 0);
    assert_eq!(std::fs::read(dir.path().join("file")).unwrap(), b"kept");
}

#[test]
fn an_existing_output_file_is_kept_whole_until_a_body_replaces_it() {
    // Opened before sending, emptied only when the body comes: a failed request leaves it.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("out"), "old").unwrap();
    let refused = crate::support::refused_port();
    let o = rq_in(dir.path(), &["-o", "out", &refused.url()]);
    assert_code(&o, 1);
    assert_eq!(std::fs::read(dir.path().join("out")).unwrap(), b"old");
    // And a file created for the body is not left behind empty.
    let o = rq_in(dir.path(), &["-o", "new", &refused.url()]);
    assert_code(&o, 1);
    assert_eq!(files_in(dir.path()), ["out"]);
}

#[test]
fn output_file_replaces_an_existing_file_the_user_named() {
    let s = Server::http(|_| Response::new(200).body("new"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("out"), "old and longer").unwrap();
    let o = rq_in(dir.path(), &["-o", "out", &s.url("/")]);
    assert_code(&o, 0);
    assert_eq!(std::fs::read(dir.path().join("out")).unwrap(), b"new");
}

#[test]
fn download_to_a_pipe_without_output_writes_the_body_to_stdout() {
    let body = data(300_000);
    let s = Server::http({
        let body = body.clone();
        move |_| Response::new(200).body(body.clone())
    });
    let dir = tempfile::tempdir().unwrap();
    let o = rq_in(dir.path(), &["-d", &s.url("/file.bin")]);
    assert_code(&o, 0);
    assert!(o.stdout == body, "stdout is not the body");
    assert!(files_in(dir.path()).is_empty());
    assert!(
        stderr(&o).starts_with("Downloaded to stdout: "),
        "{}",
        stderr(&o)
    );
}

#[test]
fn download_prints_headers_on_stderr_and_nothing_on_stdout() {
    let s = Server::http(|_| Response::new(200).header("X-Served", "1").body("body"));
    let dir = tempfile::tempdir().unwrap();
    let o = rq_in(dir.path(), &["-d", "-p", "h", "-o", "f", &s.url("/")]);
    assert_code(&o, 0);
    assert!(o.stdout.is_empty());
    assert!(stderr(&o).contains("X-Served: 1"), "{}", stderr(&o));
    assert_eq!(std::fs::read(dir.path().join("f")).unwrap(), b"body");
}

#[test]
fn download_follows_redirects_and_names_the_file_after_the_original_url() {
    let s = Server::http(|r| match r.path.as_str() {
        "/latest.txt" => Response::new(302).header("Location", "/v2/build-1234"),
        _ => Response::new(200).text("v2"),
    });
    let dir = tempfile::tempdir().unwrap();
    let (shown, code) = download_at_terminal(dir.path(), &s.url("/latest.txt"));
    assert_eq!(code, 0, "{shown}");
    assert_eq!(files_in(dir.path()), ["latest.txt"]);
    assert_eq!(std::fs::read(dir.path().join("latest.txt")).unwrap(), b"v2");
}

#[test]
fn download_asks_for_the_identity_encoding() {
    let s = Server::http(|r| {
        assert_eq!(r.header("accept-encoding"), Some("identity"));
        Response::new(200).body("x")
    });
    let dir = tempfile::tempdir().unwrap();
    let o = rq_in(dir.path(), &["-d", "-o", "f", &s.url("/")]);
    assert_code(&o, 0);
    s.assert_no_panics();
}

#[test]
fn download_of_an_error_response_saves_nothing_and_exits_4() {
    let s = Server::http(|_| Response::new(404).text("no such thing"));
    let dir = tempfile::tempdir().unwrap();
    let o = rq_in(dir.path(), &["-d", "-o", "f", &s.url("/")]);
    assert_code(&o, 4);
    assert!(files_in(dir.path()).is_empty());
    assert!(stderr(&o).contains("nothing saved"), "{}", stderr(&o));
}

/// A server that announces `announced` bytes, sends `sent` of them and closes.
fn cut_short_server(announced: usize, sent: usize) -> Server {
    Server::raw(move |stream: TcpStream, id| {
        let _ = read_request(&mut BufReader::new(&stream), id);
        let mut out = &stream;
        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {announced}\r\n\r\n");
        let _ = out.write_all(head.as_bytes());
        let _ = out.write_all(&data(sent));
    })
}

#[test]
fn a_body_cut_short_exits_1_says_how_much_arrived_and_keeps_the_partial_file() {
    let s = cut_short_server(5000, 1234);
    let dir = tempfile::tempdir().unwrap();
    let o = rq_in(dir.path(), &["-d", "-o", "part.bin", &s.url("/")]);
    assert_code(&o, 1);
    let err = stderr(&o);
    assert!(err.contains("1234 of 5000 bytes arrived"), "{err}");
    assert!(err.contains("'part.bin' was kept"), "{err}");
    assert_eq!(
        std::fs::read(dir.path().join("part.bin")).unwrap(),
        data(1234)
    );
}

#[test]
fn a_stalled_download_times_out_with_exit_2_and_keeps_the_partial_file() {
    let s = Server::raw(|stream: TcpStream, id| {
        let _ = read_request(&mut BufReader::new(&stream), id);
        // One write, so the 1000 bytes arrive together with the head.
        let mut reply = b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n".to_vec();
        reply.extend_from_slice(&data(1000));
        let _ = (&stream).write_all(&reply);
        // Then nothing: the connection stays open until rq gives up.
        hold_until_hangup(&stream);
    });
    let dir = tempfile::tempdir().unwrap();
    let o = rq_in(dir.path(), &["--timeout", "0.3", "-o", "f", &s.url("/")]);
    assert_code(&o, 2);
    let err = stderr(&o);
    assert!(err.contains("timed out after 1000 of 5000 bytes"), "{err}");
    assert!(err.contains("'f' was kept"), "{err}");
    assert_eq!(std::fs::read(dir.path().join("f")).unwrap(), data(1000));
}

#[test]
fn a_broken_chunked_body_exits_1_and_keeps_what_arrived() {
    let s = Server::raw(|stream: TcpStream, id| {
        let _ = read_request(&mut BufReader::new(&stream), id);
        let mut out = &stream;
        let _ = out.write_all(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n10\r\nshort",
        );
    });
    let dir = tempfile::tempdir().unwrap();
    let o = rq_in(dir.path(), &["-o", "f", &s.url("/")]);
    assert_code(&o, 1);
    assert!(stderr(&o).contains("cut short"), "{}", stderr(&o));
    let kept = std::fs::read(dir.path().join("f")).unwrap();
    assert!(kept.starts_with(b"hello"), "{kept:?}");
}

#[test]
fn resume_of_a_1234_byte_partial_file_is_byte_identical_to_a_full_download() {
    let full = data(100_000);
    let s = ranged(full.clone());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), &full[..1234]).unwrap();
    let o = rq_in(dir.path(), &["-d", "-c", "-o", "f", &s.url("/f")]);
    assert_code(&o, 0);
    assert!(std::fs::read(dir.path().join("f")).unwrap() == full);
    let req = s.requests().pop().unwrap();
    assert_eq!(req.header("range"), Some("bytes=1234-"));
    assert_eq!(req.header("accept-encoding"), Some("identity"));
    assert!(
        stderr(&o).contains("resumed after 1234 bytes"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn resume_against_a_server_that_ignores_range_restarts_the_file() {
    let full = data(10_000);
    let s = Server::http({
        let full = full.clone();
        move |_| Response::new(200).body(full.clone())
    });
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), &full[..1234]).unwrap();
    let o = rq_in(dir.path(), &["-c", "-o", "f", &s.url("/f")]);
    assert_code(&o, 0);
    assert!(std::fs::read(dir.path().join("f")).unwrap() == full);
    assert!(stderr(&o).contains("ignored the range"), "{}", stderr(&o));
}

#[test]
fn resume_of_a_complete_file_is_success_and_leaves_it_alone() {
    let full = data(4096);
    let s = ranged(full.clone());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), &full).unwrap();
    let o = rq_in(dir.path(), &["-d", "-c", "-o", "f", &s.url("/f")]);
    assert_code(&o, 0);
    assert!(std::fs::read(dir.path().join("f")).unwrap() == full);
    assert!(stderr(&o).contains("already complete"), "{}", stderr(&o));
}

#[test]
fn resume_with_a_mismatched_content_range_is_an_error_and_the_file_is_untouched() {
    let s = Server::http(|_| {
        Response::new(206)
            .header("Content-Range", "bytes 0-9999/10000")
            .body(data(10_000))
    });
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), data(1234)).unwrap();
    let o = rq_in(dir.path(), &["-c", "-o", "f", &s.url("/f")]);
    assert_code(&o, 1);
    assert!(stderr(&o).contains("left as it was"), "{}", stderr(&o));
    assert_eq!(std::fs::read(dir.path().join("f")).unwrap(), data(1234));
}

#[test]
fn resume_of_an_error_status_leaves_the_file_untouched() {
    let s = Server::http(|_| Response::new(503).text("busy"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), data(1234)).unwrap();
    let o = rq_in(dir.path(), &["-c", "-o", "f", &s.url("/f")]);
    assert_code(&o, 5);
    assert_eq!(std::fs::read(dir.path().join("f")).unwrap(), data(1234));
}

#[test]
fn resume_without_a_partial_file_downloads_it_whole_without_a_range() {
    let s = ranged(data(2000));
    let dir = tempfile::tempdir().unwrap();
    let o = rq_in(dir.path(), &["-c", "-o", "f", &s.url("/f")]);
    assert_code(&o, 0);
    assert_eq!(std::fs::read(dir.path().join("f")).unwrap(), data(2000));
    assert_eq!(s.requests()[0].header("range"), None);
}

#[test]
fn continue_without_output_is_a_usage_error_and_sends_nothing() {
    let s = ranged(data(10));
    let o = rq_in(Path::new("."), &["-d", "-c", &s.url("/f")]);
    assert_code(&o, 64);
    assert!(stderr(&o).contains("-o FILE"), "{}", stderr(&o));
    assert_eq!(s.request_count(), 0);
}

#[test]
fn progress_bar_with_total_and_eta_is_drawn_on_a_terminal() {
    let s = Server::http(|_| Response::new(200).body(data(1 << 20)));
    let dir = tempfile::tempdir().unwrap();
    let (shown, code) = download_at_terminal(dir.path(), &s.url("/big.bin"));
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("/1.00 MiB ["), "{shown}");
    assert!(shown.contains("ETA"), "{shown}");
    // The bar is cleared at the end and the summary line takes its place.
    let after = shown.rsplit("\r\x1b[2K").next().unwrap_or("");
    assert!(
        after.starts_with("Saved 'big.bin': 1.00 MiB in "),
        "{after:?}"
    );
}

#[test]
fn spinner_without_total_when_the_length_is_unknown() {
    let s = Server::http(|_| Response::new(200).chunked([data(70_000), data(90_000)]));
    let dir = tempfile::tempdir().unwrap();
    let (shown, code) = download_at_terminal(dir.path(), &s.url("/stream.bin"));
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("B/s"), "{shown}");
    assert!(!shown.contains("ETA"), "{shown}");
    assert_eq!(
        std::fs::read(dir.path().join("stream.bin")).unwrap().len(),
        160_000
    );
}

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let s = Server::http(|_| Response::new(200).body(data(1 << 20)));
    let dir = tempfile::tempdir().unwrap();
    let o = rq_in(dir.path(), &["-d", "-o", "big.bin", &s.url("/")]);
    assert_code(&o, 0);
    let err = stderr(&o);
    assert!(err.starts_with("Saved 'big.bin': 1.00 MiB in "), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!err.contains('\r') && !err.contains('\x1b'), "{err:?}");
}

#[test]
fn quiet_download_prints_nothing_on_stderr() {
    let s = Server::http(|_| Response::new(200).body("x"));
    let dir = tempfile::tempdir().unwrap();
    let o = rq_in(dir.path(), &["-d", "-q", "-o", "f", &s.url("/")]);
    assert_code(&o, 0);
    assert_eq!(stderr(&o), "");
}

/// Bodies from this size on are moved with splice(2) on Linux (`download/splice.rs`).
const LARGE: usize = 20 << 20;

#[test]
fn a_large_plain_body_goes_from_the_socket_to_the_file_intact() {
    let body = data(LARGE + 12345);
    let sent = body.clone();
    let s = Server::http(move |_| Response::new(200).body(sent.clone()));
    let dir = tempfile::tempdir().unwrap();
    let o = rq_in(dir.path(), &["--debug", "-o", "f", &s.url("/")]);
    assert_code(&o, 0);
    assert!(std::fs::read(dir.path().join("f")).unwrap() == body);
    let err = stderr(&o);
    assert_eq!(
        err.contains("the body goes from the socket to 'f' with splice(2)"),
        cfg!(target_os = "linux"),
        "{err}"
    );
}

#[test]
fn a_large_resumed_body_is_appended_exactly() {
    // The partial file is opened for appending, which splice refuses: the bytes are written
    // the ordinary way and the file still matches a full download.
    let body = data(LARGE + 999);
    let s = ranged(body.clone());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), &body[..1234]).unwrap();
    let o = rq_in(dir.path(), &["--debug", "-c", "-o", "f", &s.url("/")]);
    assert_code(&o, 0);
    assert!(std::fs::read(dir.path().join("f")).unwrap() == body);
}

#[test]
fn coded_or_chunked_large_bodies_are_not_spliced() {
    let body = data(LARGE);
    let sent = body.clone();
    let s = Server::http(move |r| match r.path.as_str() {
        "/chunked" => Response::new(200).chunked(sent.chunks(1 << 20)),
        _ => Response::new(200)
            .header("Content-Encoding", "x-unknown")
            .body(sent.clone()),
    });
    let dir = tempfile::tempdir().unwrap();
    for path in ["/chunked", "/coded"] {
        let o = rq_in(dir.path(), &["--debug", "-qq", "-o", "f", &s.url(path)]);
        assert_code(&o, 0);
        assert!(!stderr(&o).contains("splice"), "{path}: {}", stderr(&o));
        assert!(
            std::fs::read(dir.path().join("f")).unwrap() == body,
            "{path}"
        );
    }
}

/// A server that sends the head of a `LARGE` body, `first` bytes of it, then does `then`
/// with the rest of the body at hand.
fn large_then(first: usize, then: impl Fn(&TcpStream, &[u8]) + Send + Sync + 'static) -> Server {
    // Made once, before any request: the server must not dawdle where the test times rq.
    let body = data(LARGE);
    Server::raw(move |stream: TcpStream, id| {
        let _ = read_request(&mut BufReader::new(&stream), id);
        let mut out = &stream;
        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {LARGE}\r\n\r\n");
        let _ = out.write_all(head.as_bytes());
        let _ = out.write_all(&body[..first]);
        then(&stream, &body[first..]);
    })
}

#[test]
fn a_large_body_cut_short_keeps_every_byte_that_arrived() {
    let sent = 9 << 20;
    let s = large_then(sent, |_, _| {});
    let dir = tempfile::tempdir().unwrap();
    let o = rq_in(dir.path(), &["-o", "f", &s.url("/")]);
    assert_code(&o, 1);
    let err = stderr(&o);
    assert!(
        err.contains(&format!("{sent} of {LARGE} bytes arrived")),
        "{err}"
    );
    assert!(err.contains("'f' was kept"), "{err}");
    assert!(std::fs::read(dir.path().join("f")).unwrap() == data(LARGE)[..sent]);
    // Space reserved for the whole body was given back: the file occupies what it holds.
    use std::os::unix::fs::MetadataExt;
    let used = std::fs::metadata(dir.path().join("f")).unwrap().blocks() * 512;
    assert!(used < (sent + (1 << 20)) as u64, "{used} bytes on disk");
}

#[test]
fn a_large_body_that_stalls_times_out_with_exit_2() {
    let sent = 9 << 20;
    let s = large_then(sent, |stream, _| hold_until_hangup(stream));
    let dir = tempfile::tempdir().unwrap();
    // The idle budget must outlast any pause a loaded machine puts in the server's sending
    // of the first 9 MiB; it only starts to count for real once the server stalls.
    let o = rq_in(dir.path(), &["--timeout", "1", "-o", "f", &s.url("/")]);
    assert_code(&o, 2);
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "timed out after {sent} of {LARGE} bytes: --timeout"
        )),
        "{err}"
    );
    assert!(std::fs::read(dir.path().join("f")).unwrap() == data(LARGE)[..sent]);
}

#[test]
fn a_large_body_that_drips_hits_max_time_with_exit_2() {
    let sent = 9 << 20;
    let s = large_then(sent, |stream, rest| {
        // 1 KiB every 50 ms: never idle for long, never done in time.
        let mut pieces = rest.chunks(1024);
        drip_until_hangup(std::time::Duration::from_millis(50), || {
            (&*stream).write_all(pieces.next().unwrap_or_default())
        });
    });
    let dir = tempfile::tempdir().unwrap();
    // The 9 MiB and some drips must arrive within --max-time even on a loaded machine; the
    // drips keep the idle timeout from firing.
    let o = rq_in(
        dir.path(),
        &["--timeout", "5", "--max-time", "2", "-o", "f", &s.url("/")],
    );
    assert_code(&o, 2);
    let err = stderr(&o);
    assert!(err.contains("--max-time"), "{err}");
    let got = std::fs::read(dir.path().join("f")).unwrap();
    assert!(got.len() > sent && got == data(LARGE)[..got.len()]);
}

#[test]
fn a_head_request_with_a_large_length_saves_nothing_and_does_not_wait_for_a_body() {
    // The head a GET would get, then the connection closes: had rq waited for the body, it
    // would fail at once ("0 of … bytes arrived"), with no timer to race.
    let s = Server::raw(|stream: TcpStream, id| {
        let req = read_request(&mut BufReader::new(&stream), id).unwrap();
        assert_eq!(req.expect("a request").method, "HEAD");
        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {LARGE}\r\n\r\n");
        let _ = (&stream).write_all(head.as_bytes());
    });
    let dir = tempfile::tempdir().unwrap();
    let o = rq_in(dir.path(), &["--debug", "-o", "f", "HEAD", &s.url("/")]);
    assert_code(&o, 0);
    assert!(!stderr(&o).contains("splice"), "{}", stderr(&o));
    assert_eq!(std::fs::read(dir.path().join("f")).unwrap().len(), 0);
    s.assert_no_panics();
}

/// A server that sends a head without a length and `n` bytes of body, tells the test once
/// the client's side has them all, and then sends nothing more until the client goes.
fn stalling_after(n: usize) -> (Server, std::sync::mpsc::Receiver<()>) {
    let (delivered, told) = std::sync::mpsc::channel();
    let delivered = std::sync::Mutex::new(delivered);
    let s = Server::raw(move |mut sock, _| {
        let req = read_request(&mut BufReader::new(sock.try_clone().unwrap()), 0);
        assert_eq!(req.unwrap().unwrap().method, "GET");
        let mut out = b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n".to_vec();
        out.extend_from_slice(&data(n));
        sock.write_all(&out).unwrap();
        crate::support::server::wait_delivered(&sock);
        delivered.lock().unwrap().send(()).unwrap();
        // Until the client shuts or closes the connection.
        let _ = std::io::copy(&mut sock, &mut std::io::sink());
    });
    (s, told)
}

#[test]
fn ctrl_c_during_a_download_keeps_what_arrived_and_exits_130() {
    let (s, delivered) = stalling_after(100_000);
    let dir = tempfile::tempdir().unwrap();
    let child = rq()
        .current_dir(dir.path())
        .args(["-d", "-o", "part.bin", &s.url("/stream")])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The server has sent the bytes and rq's side of the connection has them.
    delivered
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the server delivered the body");
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    assert_code(&o, 130);
    let saved = std::fs::read(dir.path().join("part.bin")).unwrap();
    assert_eq!(saved.len(), 100_000);
    assert!(saved == data(100_000));
    let err = stderr(&o);
    assert!(
        err.contains("interrupted after 100000 bytes; the partial file 'part.bin' was kept: resume with -c -o 'part.bin'"),
        "{err}"
    );
    s.assert_no_panics();
}
