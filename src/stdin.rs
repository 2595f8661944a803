//! Standard input as a request body, without ever hanging a script.
//!
//! httpie reads stdin whenever it is not a terminal, which hangs CI jobs whose stdin is an
//! open pipe nobody writes to. rq reads it on a helper thread: empty stdin means no body, a
//! terminal is never read, and when nothing has arrived after 10 s a warning says `-I` may be
//! wanted; `--max-time` bounds that wait. When the request already has a body from items, or
//! its method does not normally carry one (GET, HEAD, DELETE, OPTIONS), stdin is only glanced
//! at, so an idle pipe cannot block the request either.

use std::io::{self, Read};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::error::Timeout;

/// How long to wait for stdin when the request does not wait for a body from it.
const GLANCE: Duration = Duration::from_millis(100);

/// What a glance at stdin found.
#[derive(Debug, PartialEq, Eq)]
pub enum Glance {
    /// End of input straight away: no body.
    Empty,
    /// Data arrived: the first bytes read, which the body must start with.
    Data(Vec<u8>),
    /// Nothing arrived in time; stdin is left alone.
    Idle,
}

/// When to stop waiting for stdin.
#[derive(Debug, Clone, Copy)]
pub struct Wait {
    /// After this long without data, `warn` is called once (10 s by default, see `env.rs`).
    pub patience: Duration,
    /// `--max-time`, counted from rq's start: past it the wait ends in a timeout.
    pub deadline: Option<Instant>,
}

/// Read stdin up to `limit` bytes after `prefix` (what a glance read already); the flag is
/// true when that reached the end of input (so the bytes are the whole body). `warn` is
/// called once if nothing has arrived after `wait.patience`; the wait ends with a
/// [`Timeout::Whole`] error at `wait.deadline`.
pub fn read_head(
    prefix: Vec<u8>,
    limit: usize,
    wait: Wait,
    warn: impl FnOnce(),
) -> io::Result<(Vec<u8>, bool)> {
    let (tx, rx) = mpsc::channel();
    let want = (limit + 1).saturating_sub(prefix.len()) as u64;
    thread::spawn(move || {
        let mut buf = prefix;
        let result = io::stdin()
            .lock()
            .take(want)
            .read_to_end(&mut buf)
            .map(|_| buf);
        let _ = tx.send(result);
    });
    let warn_at = Instant::now() + wait.patience;
    let mut warn = Some(warn);
    let result = loop {
        let until = match (warn.is_some(), wait.deadline) {
            (true, Some(deadline)) => warn_at.min(deadline),
            (true, None) => warn_at,
            (false, Some(deadline)) => deadline,
            (false, None) => break rx.recv().unwrap_or_else(|_| Err(stopped())),
        };
        match rx.recv_timeout(until.saturating_duration_since(Instant::now())) {
            Ok(result) => break result,
            Err(mpsc::RecvTimeoutError::Disconnected) => break Err(stopped()),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        if wait.deadline.is_some_and(|d| Instant::now() >= d) {
            // The reader thread stays blocked on the pipe; the process ends without it.
            return Err(Timeout::Whole.into_io());
        }
        if Instant::now() >= warn_at {
            if let Some(warn) = warn.take() {
                warn();
            }
        }
    };
    // One byte past the limit tells "exactly `limit` bytes" from "more to come"; it stays
    // in the head, which the body then sends first.
    result.map(|buf| {
        let complete = buf.len() <= limit;
        (buf, complete)
    })
}

fn stopped() -> io::Error {
    io::Error::other("stdin reader stopped")
}

/// Look at stdin briefly, without blocking for long: an idle, never-closed pipe is left
/// alone; data found is returned so that nothing read is lost.
pub fn glance() -> Glance {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut buf = vec![0u8; 8192];
        let n = io::stdin().lock().read(&mut buf).unwrap_or(0);
        buf.truncate(n);
        let _ = tx.send(buf);
    });
    match rx.recv_timeout(GLANCE) {
        Ok(buf) if buf.is_empty() => Glance::Empty,
        Ok(buf) => Glance::Data(buf),
        Err(_) => Glance::Idle,
    }
}
