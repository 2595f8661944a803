//! Timeouts exit 2 and name the one that fired.

use std::time::{Duration, Instant};

use crate::support::{assert_code, rq_with, stderr, Server};

/// Accepts the connection, reads nothing and never answers.
fn silent() -> Server {
    Server::raw(|sock, _| {
        std::thread::sleep(Duration::from_secs(8));
        drop(sock);
    })
}

#[test]
fn idle_timeout_fires_within_its_budget() {
    let s = silent();
    let started = Instant::now();
    let o = rq_with(&["--timeout", "1", &s.url("/")]);
    assert_code(&o, 2);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(stderr(&o).contains("--timeout"), "{}", stderr(&o));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
}

#[test]
fn max_time_covers_the_whole_exchange() {
    let s = Server::raw(|mut sock, _| {
        use std::io::Write;
        let _ = sock.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
        for _ in 0..50 {
            if sock.write_all(b"x").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    let started = Instant::now();
    let o = rq_with(&["--max-time", "1", "--timeout", "5", &s.url("/")]);
    assert_code(&o, 2);
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(stderr(&o).contains("--max-time"), "{}", stderr(&o));
}

#[test]
fn zero_timeouts_are_usage_errors() {
    for opt in ["--connect-timeout", "--timeout", "--max-time"] {
        let o = rq_with(&[opt, "0", "http://127.0.0.1:9/"]);
        assert_code(&o, 64);
        assert!(stderr(&o).contains(opt), "{}", stderr(&o));
    }
}
