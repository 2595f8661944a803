//! `--retry`: what is retried, how long rq waits, and what it says on stderr.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::{
    assert_code, hold_until_hangup, rq, rq_with, rq_with_stdin, run, stderr, stdout, Response,
    Server, LATE,
};

/// Answers 503 (with `extra` headers) `failures` times, then 200 `done`.
fn flaky(failures: usize, extra: &'static [(&'static str, &'static str)]) -> Server {
    let seen = Arc::new(AtomicUsize::new(0));
    Server::http(move |_| {
        if seen.fetch_add(1, SeqCst) < failures {
            extra
                .iter()
                .fold(Response::new(503).text("busy"), |r, (n, v)| r.header(n, v))
        } else {
            Response::new(200).text("done")
        }
    })
}

fn retry_lines(o: &std::process::Output) -> Vec<String> {
    stderr(o)
        .lines()
        .filter(|l| l.starts_with("rq: retrying"))
        .map(str::to_string)
        .collect()
}

#[test]
fn a_503_is_retried_until_it_succeeds() {
    let s = flaky(2, &[]);
    let o = rq_with(&["--retry", "3", "--retry-delay", "0.1", &s.url("/")]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "done");
    assert_eq!(s.request_count(), 3);
    assert_eq!(
        retry_lines(&o),
        [
            "rq: retrying in 0.1s (attempt 2 of 4): HTTP 503 Service Unavailable",
            "rq: retrying in 0.1s (attempt 3 of 4): HTTP 503 Service Unavailable",
        ]
    );
}

#[test]
fn nothing_is_retried_by_default() {
    let s = flaky(1, &[]);
    let o = rq_with(&[&s.url("/")]);
    assert_code(&o, 5);
    assert_eq!(s.request_count(), 1);
    assert!(retry_lines(&o).is_empty());
}

#[test]
fn retry_after_in_seconds_is_waited_for() {
    let s = flaky(1, &[("Retry-After", "1")]);
    let started = Instant::now();
    let o = rq_with(&["--retry", "1", "--retry-delay", "0.1", &s.url("/")]);
    let took = started.elapsed();
    assert_code(&o, 0);
    assert!(took >= Duration::from_secs(1), "waited only {took:?}");
    assert!(took < Duration::from_secs(1) + LATE, "waited {took:?}");
    assert_eq!(
        retry_lines(&o),
        ["rq: retrying in 1.0s (attempt 2 of 2): HTTP 503 Service Unavailable"]
    );
}

#[test]
fn the_last_answer_is_kept_when_retries_run_out() {
    let s = flaky(10, &[]);
    let o = rq_with(&["--retry", "2", "--retry-delay", "0", &s.url("/")]);
    assert_code(&o, 5);
    assert_eq!(stdout(&o), "busy");
    assert_eq!(s.request_count(), 3);
}

#[test]
fn post_is_retried_only_with_retry_all_methods() {
    let s = flaky(10, &[]);
    let o = rq_with(&[
        "--retry",
        "2",
        "--retry-delay",
        "0",
        "post",
        &s.url("/"),
        "a=1",
    ]);
    assert_code(&o, 5);
    assert_eq!(s.request_count(), 1);
    assert!(
        stderr(&o).contains("not retrying: POST is not idempotent"),
        "{}",
        stderr(&o)
    );
    let s = flaky(1, &[]);
    let o = rq_with(&[
        "--retry",
        "2",
        "--retry-delay",
        "0",
        "--retry-all-methods",
        "post",
        &s.url("/"),
        "a=1",
    ]);
    assert_code(&o, 0);
    assert_eq!(s.request_count(), 2);
    assert!(s.requests().iter().all(|r| r.body_str() == r#"{"a": "1"}"#));
}

#[test]
fn a_refused_connection_is_retried() {
    let refused = crate::support::refused_port();
    let o = rq_with(&["--retry", "2", "--retry-delay", "0.05", &refused.url()]);
    assert_code(&o, 1);
    let lines = retry_lines(&o);
    assert_eq!(lines.len(), 2, "{}", stderr(&o));
    assert!(lines[0].ends_with("connection refused"), "{}", lines[0]);
    assert!(stderr(&o).lines().last().unwrap().starts_with("rq: error:"));
}

#[test]
fn an_idle_timeout_is_retried() {
    // The first connection hears nothing back (until rq hangs up); the second gets an answer.
    let s = Server::raw(|mut sock, id| {
        if id == 0 {
            hold_until_hangup(&sock);
            return;
        }
        let mut reader = std::io::BufReader::new(sock.try_clone().unwrap());
        let _ = crate::support::server::read_request(&mut reader, id);
        let _ = sock.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    });
    let o = rq_with(&[
        "--timeout",
        "0.5",
        "--retry",
        "1",
        "--retry-delay",
        "0",
        &s.url("/"),
    ]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "ok");
    assert!(retry_lines(&o)[0].contains("--timeout"), "{}", stderr(&o));
}

#[test]
fn retry_max_time_stops_further_attempts() {
    // Pauses of 0.4 s and no attempt started after 1 s: at most 3 of the 6 attempts --retry
    // allows (fewer when the attempts themselves are slow), each retry announced.
    let s = flaky(10, &[]);
    let o = rq_with(&[
        "--retry",
        "5",
        "--retry-delay",
        "0.4",
        "--retry-max-time",
        "1",
        &s.url("/"),
    ]);
    assert_code(&o, 5);
    assert_eq!(stdout(&o), "busy");
    let attempts = s.request_count();
    assert!((1..=3).contains(&attempts), "{attempts}: {}", stderr(&o));
    let announced: Vec<String> = (2..=attempts)
        .map(|n| format!("rq: retrying in 0.4s (attempt {n} of 6): HTTP 503 Service Unavailable"))
        .collect();
    assert_eq!(retry_lines(&o), announced);
    // A pause that alone would end past the limit is not started at all.
    let s = flaky(10, &[]);
    let o = rq_with(&[
        "--retry",
        "5",
        "--retry-delay",
        "2",
        "--retry-max-time",
        "1",
        &s.url("/"),
    ]);
    assert_code(&o, 5);
    assert_eq!(s.request_count(), 1, "{}", stderr(&o));
    assert!(retry_lines(&o).is_empty(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("not retrying: the next pause of 2.0s"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_retry_after_beyond_the_limit_is_declined_in_one_line() {
    let s = flaky(1, &[("Retry-After", "3600")]);
    let o = rq_with(&["--retry", "2", &s.url("/")]);
    assert_code(&o, 5);
    assert_eq!(s.request_count(), 1);
    assert_eq!(
        stderr(&o).lines().next().unwrap_or(""),
        "rq: not retrying: the server asks to wait 3600s (Retry-After), longer than rq \
         waits without --retry-max-time (300s) (HTTP 503 Service Unavailable)"
    );
}

#[test]
fn a_body_from_stdin_is_sent_again() {
    let s = flaky(1, &[]);
    let url = s.url("/");
    let o = rq_with_stdin(
        &["--retry", "1", "--retry-delay", "0", "put", &url],
        b"hello".to_vec(),
    );
    assert_code(&o, 0);
    let bodies: Vec<String> = s.requests().iter().map(|r| r.body_str().into()).collect();
    assert_eq!(bodies, ["hello", "hello"]);
}

#[test]
fn quiet_twice_silences_the_retry_lines() {
    let s = flaky(1, &[]);
    let o = run(rq().args(["-qq", "--retry", "1", "--retry-delay", "0", &s.url("/")]));
    assert_code(&o, 0);
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

#[test]
fn a_body_streamed_from_stdin_is_not_sent_twice() {
    // Beyond 1 MiB, stdin streams to the socket and can't be read again.
    let s = flaky(1, &[]);
    let url = s.url("/");
    let o = rq_with_stdin(
        &["--retry", "1", "--retry-delay", "0", "put", &url],
        vec![b'a'; 3 << 20],
    );
    assert_code(&o, 5);
    assert_eq!(s.request_count(), 1);
    assert!(
        stderr(&o).contains("not retrying: the request body was streamed from stdin"),
        "{}",
        stderr(&o)
    );
}
