//! Standard input as a request body, without ever hanging a script.
//!
//! httpie reads stdin whenever it is not a terminal, which hangs CI jobs whose stdin is an
//! open pipe nobody writes to. rq reads it on a helper thread: empty stdin means no body, a
//! terminal is never read, and when nothing has arrived after 10 s a warning says `-I` may be
//! wanted. When the request already has a body from items, stdin is only glanced at, so an
//! idle pipe cannot block the request either.

use std::io::{self, Read};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// How long to wait for stdin when the request already has a body from elsewhere.
const GLANCE: Duration = Duration::from_millis(100);

/// What a glance at stdin found.
#[derive(Debug, PartialEq, Eq)]
pub enum Glance {
    /// End of input straight away: no body.
    Empty,
    /// Data arrived (the first chunk).
    Data,
    /// Nothing arrived in time; stdin is left alone.
    Idle,
}

/// Read stdin up to `limit` bytes; the flag is true when that reached the end of input (so
/// the bytes are the whole body). `warn` is called once if nothing has arrived after
/// `patience` (10 s by default, see `env.rs`).
pub fn read_head(
    limit: usize,
    patience: Duration,
    warn: impl FnOnce(),
) -> io::Result<(Vec<u8>, bool)> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut buf = Vec::new();
        let result = io::stdin()
            .lock()
            .take(limit as u64 + 1)
            .read_to_end(&mut buf)
            .map(|_| buf);
        let _ = tx.send(result);
    });
    let result = match rx.recv_timeout(patience) {
        Ok(result) => result,
        Err(_) => {
            warn();
            rx.recv()
                .unwrap_or_else(|_| Err(io::Error::other("stdin reader stopped")))
        }
    };
    // One byte past the limit tells "exactly `limit` bytes" from "more to come"; it stays
    // in the head, which the body then sends first.
    result.map(|buf| {
        let complete = buf.len() <= limit;
        (buf, complete)
    })
}

/// Look at stdin briefly, without blocking for long: used to reject stdin data mixed with
/// another body source while tolerating an idle, never-closed pipe.
pub fn glance() -> Glance {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut byte = [0u8; 1];
        let n = io::stdin().lock().read(&mut byte).unwrap_or(0);
        let _ = tx.send(n);
    });
    match rx.recv_timeout(GLANCE) {
        Ok(0) => Glance::Empty,
        Ok(_) => Glance::Data,
        Err(_) => Glance::Idle,
    }
}
