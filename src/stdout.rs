//! stdout that remembers a broken pipe: `rq … | head` then exits 0 quietly (SPEC §3), and
//! the exit path can tell our own closed stdout from a network error. Other write errors
//! (a full disk) carry a [`WriteError`], so they name stdout and are never taken for a
//! failure to read the response.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

static CLOSED: AtomicBool = AtomicBool::new(false);

/// True once a write to stdout failed with a broken pipe.
pub fn closed() -> bool {
    CLOSED.load(Ordering::Relaxed)
}

/// The process's stdout; every write notes a broken pipe.
pub struct Stdout;

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        io::stdout().lock().write(buf).map_err(note)
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stdout().lock().flush().map_err(note)
    }
}

/// A write to stdout that failed for another reason than a closed pipe.
#[derive(Debug)]
pub struct WriteError(pub io::Error);

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "couldn't write to stdout: {}", self.0)
    }
}

impl std::error::Error for WriteError {}

/// The [`WriteError`] inside `e`, if it is a failed write to stdout.
pub fn write_error(e: &io::Error) -> Option<&WriteError> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<WriteError>())
}

fn note(e: io::Error) -> io::Error {
    if e.kind() == io::ErrorKind::BrokenPipe {
        CLOSED.store(true, Ordering::Relaxed);
        return e;
    }
    io::Error::new(e.kind(), WriteError(e))
}
