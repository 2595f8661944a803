//! Timeouts exit 2 and name the one that fired.

use std::time::Duration;

use crate::support::{
    assert_code, drip_until_hangup, hold_until_hangup, rq_times_out, rq_with, stderr, Server,
};

/// Accepts the connection and never answers, holding it until rq hangs up.
fn silent() -> Server {
    Server::raw(|sock, _| hold_until_hangup(&sock))
}

#[test]
fn idle_timeout_fires_within_its_budget() {
    let s = silent();
    let o = rq_times_out(&["--timeout", "1", &s.url("/")], Duration::from_secs(1));
    assert!(stderr(&o).contains("--timeout"), "{}", stderr(&o));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
}

#[test]
fn max_time_covers_the_whole_exchange() {
    // A byte every 200 ms: the idle timeout never fires, and the body never ends.
    let s = Server::raw(|mut sock, _| {
        use std::io::Write;
        let _ = sock.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
        drip_until_hangup(Duration::from_millis(200), || sock.write_all(b"x"));
    });
    let o = rq_times_out(
        &["--max-time", "1", "--timeout", "5", &s.url("/")],
        Duration::from_secs(1),
    );
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
