//! SPEC §3: every exit code rq can produce, and the status warning.

use crate::support::{assert_code, rq, rq_with, run, stderr, Response, Server};

fn status_server() -> Server {
    Server::http(|r| {
        let code: u16 = r.path.trim_start_matches("/status/").parse().unwrap_or(200);
        Response::new(code).text("body of the status page")
    })
}

#[test]
fn status_classes_map_to_exit_codes() {
    let s = status_server();
    for (status, code) in [
        (200, 0),
        (204, 0),
        (301, 3),
        (304, 3),
        (404, 4),
        (418, 4),
        (500, 5),
        (503, 5),
    ] {
        let o = rq_with(&[&s.url(&format!("/status/{status}"))]);
        assert_code(&o, code);
    }
}

#[test]
fn not_found_warns_on_stderr_when_piped_and_still_prints_the_body() {
    let s = status_server();
    let o = rq_with(&[&s.url("/status/404")]);
    assert_code(&o, 4);
    assert_eq!(stderr(&o), "rq: warning: HTTP 404 Not Found\n");
    assert_eq!(o.stdout, b"body of the status page");
}

#[test]
fn no_check_status_exits_zero() {
    let s = status_server();
    let o = rq_with(&["--no-check-status", &s.url("/status/404")]);
    assert_code(&o, 0);
    assert_eq!(stderr(&o), "");
}

#[test]
fn double_quiet_silences_the_warning() {
    let s = status_server();
    let o = rq_with(&["-qq", &s.url("/status/500")]);
    assert_code(&o, 5);
    assert_eq!(stderr(&o), "");
}

#[test]
fn refused_connection_exits_1_with_one_line() {
    let refused = crate::support::refused_port();
    let o = rq_with(&[&refused.url()]);
    assert_code(&o, 1);
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("rq: error: ") && err.contains("refused"),
        "{err}"
    );
}

#[test]
fn unknown_host_exits_1() {
    let o = rq_with(&["http://no-such-host.invalid/"]);
    assert_code(&o, 1);
    assert!(
        stderr(&o).contains("no-such-host.invalid"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn truncated_body_exits_1_and_says_how_much_arrived() {
    let s = Server::raw(|mut sock, _| {
        use std::io::Write;
        let mut reader = std::io::BufReader::new(sock.try_clone().unwrap());
        let _ = crate::support::server::read_request(&mut reader, 0);
        let _ = sock.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b");
    });
    let o = rq_with(&[&s.url("/")]);
    assert_code(&o, 1);
    assert!(stderr(&o).contains("after 10 bytes"), "{}", stderr(&o));
}

#[test]
fn usage_errors_exit_64() {
    assert_code(&rq_with(&["--bogus", "x.org"]), 64);
    assert_code(&rq_with(&[]), 64);
    assert_code(&rq_with(&["ftp://x.org/"]), 64);
}

#[test]
fn help_and_version_succeed() {
    let o = rq_with(&["--help"]);
    assert_code(&o, 0);
    assert!(crate::support::stdout(&o).contains("Usage: rq"));
    let o = rq_with(&["--version"]);
    assert_code(&o, 0);
    assert!(crate::support::stdout(&o).starts_with("rq "));
}

#[test]
fn interrupt_exits_130() {
    // The server says when the request has arrived, then holds the connection until rq has
    // gone: the interrupt lands while rq waits for an answer.
    let (arrived, request_seen) = std::sync::mpsc::channel();
    let s = Server::raw(move |sock, _| {
        let mut reader = std::io::BufReader::new(&sock);
        let _ = crate::support::server::read_request(&mut reader, 0);
        let _ = arrived.send(());
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    let mut child = crate::support::rq()
        .arg(s.url("/"))
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let seen = request_seen.recv_timeout(std::time::Duration::from_secs(60));
    if seen.is_err() {
        let _ = child.kill();
        panic!("the request never reached the server");
    }
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(130));
}

#[test]
fn a_full_disk_is_a_failed_write_naming_its_destination() {
    let s = Server::http(|_| Response::new(200).json(r#"{"a": [1, 2, 3]}"#));
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    // A long body is written from a second thread: its failure is reported the same way.
    let long = format!("[{}0]", "1234567,".repeat(64 * 1024));
    let l = Server::http(move |_| Response::new(200).json(&long));
    let cases = [
        (&s, &["-b"][..]),
        (&s, &["-h"]),
        (&s, &["--pretty=format"]),
        (&s, &["-d"]),
        (&l, &["-b"]),
        (&l, &["--pretty=format"]),
    ];
    for (s, args) in cases {
        let o = run(rq().args(args).arg(s.url("/")).stdout(full()));
        assert_code(&o, 1);
        let err = stderr(&o);
        assert!(err.contains("couldn't write"), "{args:?}: {err}");
        assert!(
            err.contains("stdout") && err.contains("No space left"),
            "{args:?}: {err}"
        );
        assert!(
            !err.contains("reading"),
            "{args:?}: not a failed read: {err}"
        );
        assert_eq!(err.matches("stdout").count(), 1, "{args:?}: {err}");
    }
    let o = rq_with(&["-o", "/dev/full", &s.url("/")]);
    assert_code(&o, 1);
    let err = stderr(&o);
    assert!(err.contains("couldn't write to '/dev/full'"), "{err}");
    assert!(err.contains("No space left"), "{err}");
}

#[test]
fn quiet_at_a_terminal_still_warns_about_a_failed_status_unless_twice() {
    let s = Server::http(|_| Response::new(404).text("gone"));
    let line = format!("{} -q {}", crate::support::bin(), s.url("/"));
    let (screen, code) = crate::support::in_terminal(&line, &[]);
    assert_eq!(code, 4, "{screen}");
    assert_eq!(screen.trim(), "rq: warning: HTTP 404 Not Found");
    let (screen, code) = crate::support::in_terminal(
        &format!("{} -qq {}", crate::support::bin(), s.url("/")),
        &[],
    );
    assert_eq!((screen.trim(), code), ("", 4));
    // Without -q the status line on the terminal says it; no warning is added.
    let (screen, _) =
        crate::support::in_terminal(&format!("{} {}", crate::support::bin(), s.url("/")), &[]);
    assert!(!screen.contains("warning"), "{screen}");
}
