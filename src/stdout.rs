//! stdout that remembers a broken pipe: `rq … | head` then exits 0 quietly (SPEC §3), and
//! the exit path can tell our own closed stdout from a network error. Other write errors
//! (a full disk) carry a [`WriteError`], so they name stdout and are never taken for a
//! failure to read the response.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread::JoinHandle;

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

/// A write at least this long starts [`Overlapped`]'s writing thread: the formatter hands
/// over 64 KiB at a time, a small response never gets that far.
const LARGE: usize = 32 * 1024;
/// Buffers in flight between the two threads: one being written, one queued, one being
/// filled. More only adds memory; the writer cannot run ahead of the producer.
const BUFFERS: usize = 3;
/// A buffer takes at most this much of a write (the rest goes in the next), so a single
/// large write (an 8 MiB body held for judging, a long `--filter` result) does not grow
/// the buffers with it.
const PIECE: usize = 128 * 1024;

/// stdout for the printer. Once a large write comes (a long body, formatted or not) and
/// stdout is not a terminal, writing moves to a second thread: the page-cache copy of
/// `> FILE` then overlaps the reading and formatting of the next chunk instead of following
/// it. Each write is copied, [`PIECE`] bytes at most, into one of [`BUFFERS`] buffers and
/// queued, so memory stays bounded. `flush` waits until everything queued is written, and
/// a failed write comes back (as [`Stdout`] reports it) from the next write or flush, so
/// errors, the broken-pipe exit and the order against stderr at message ends are what they
/// are without the thread.
pub struct Overlapped {
    /// A terminal is written directly: its output interleaves with progress and prompts.
    direct: bool,
    writer: Option<Writer>,
}

struct Writer {
    full: SyncSender<Vec<u8>>,
    empty: Receiver<Vec<u8>>,
    /// Buffers written and returned, ready to fill.
    spare: Vec<Vec<u8>>,
    /// Buffers with the thread. Between calls every buffer made is spare or queued, so with
    /// none spare this is also how many there are.
    queued: usize,
    thread: Option<JoinHandle<io::Result<()>>>,
    /// Why the thread stopped, once known: every later write and flush fails the same way.
    failure: Option<Failure>,
}

/// A failed write kept to be reported again: a broken pipe as itself, anything else as
/// the [`WriteError`] it was.
struct Failure {
    kind: io::ErrorKind,
    message: String,
}

impl Failure {
    fn of(e: &io::Error) -> Failure {
        let inner = write_error(e).map_or(e, |w| &w.0);
        Failure {
            kind: inner.kind(),
            message: inner.to_string(),
        }
    }

    fn error(&self) -> io::Error {
        let e = io::Error::new(self.kind, self.message.clone());
        match self.kind {
            io::ErrorKind::BrokenPipe => e,
            kind => io::Error::new(kind, WriteError(e)),
        }
    }
}

impl Overlapped {
    /// `terminal`: the output is for a terminal, so every write goes straight to it.
    pub fn new(terminal: bool) -> Self {
        Self {
            direct: terminal,
            writer: None,
        }
    }
}

impl Write for Overlapped {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let writer = match &mut self.writer {
            Some(writer) => writer,
            None if self.direct || buf.len() < LARGE => return Stdout.write(buf),
            None => match Writer::start() {
                Ok(writer) => self.writer.insert(writer),
                // No thread to be had: write as without one.
                Err(_) => {
                    self.direct = true;
                    return Stdout.write(buf);
                }
            },
        };
        let piece = &buf[..buf.len().min(PIECE)];
        writer.send(piece)?;
        Ok(piece.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if let Some(writer) = &mut self.writer {
            writer.wait()?;
        }
        Stdout.flush()
    }
}

impl Drop for Overlapped {
    fn drop(&mut self) {
        if let Some(mut writer) = self.writer.take() {
            let _ = writer.wait();
            let _ = Stdout.flush();
        }
    }
}

impl Writer {
    fn start() -> io::Result<Writer> {
        let (full, queue) = mpsc::sync_channel::<Vec<u8>>(BUFFERS);
        let (done, empty) = mpsc::sync_channel(BUFFERS);
        let thread = std::thread::Builder::new()
            .name("stdout".into())
            .spawn(move || {
                for buf in queue {
                    Stdout.write_all(&buf)?;
                    if done.send(buf).is_err() {
                        break;
                    }
                }
                Ok(())
            })?;
        Ok(Writer {
            full,
            empty,
            spare: Vec::new(),
            queued: 0,
            thread: Some(thread),
            failure: None,
        })
    }

    /// Queue a copy of `buf`, waiting for a buffer if all are in flight.
    fn send(&mut self, buf: &[u8]) -> io::Result<()> {
        let mut next = match self.spare.pop() {
            Some(spare) => spare,
            None if self.queued < BUFFERS => Vec::with_capacity(buf.len()),
            None => self.returned()?,
        };
        next.clear();
        next.extend_from_slice(buf);
        if self.full.send(next).is_err() {
            return Err(self.failed());
        }
        self.queued += 1;
        Ok(())
    }

    /// Wait until the thread has written everything queued.
    fn wait(&mut self) -> io::Result<()> {
        while self.queued > 0 {
            let buf = self.returned()?;
            self.spare.push(buf);
        }
        Ok(())
    }

    /// The next buffer the thread has written.
    fn returned(&mut self) -> io::Result<Vec<u8>> {
        match self.empty.recv() {
            Ok(buf) => {
                self.queued -= 1;
                Ok(buf)
            }
            Err(_) => Err(self.failed()),
        }
    }

    /// The thread stopped early: its write error, the first time and every time after.
    fn failed(&mut self) -> io::Error {
        if let Some(Ok(Err(e))) = self.thread.take().map(JoinHandle::join) {
            self.failure = Some(Failure::of(&e));
            return e;
        }
        match &self.failure {
            Some(failure) => failure.error(),
            None => io::Error::other("the thread writing stdout stopped"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_failure_is_reported_again_as_it_first_was() {
        let full = io::Error::from_raw_os_error(28); // ENOSPC
        let cases = [
            (note(full), true),
            (io::Error::from(io::ErrorKind::BrokenPipe), false),
        ];
        for (first, wrapped) in cases {
            let again = Failure::of(&first).error();
            assert_eq!(again.kind(), first.kind());
            assert_eq!(again.to_string(), first.to_string());
            assert_eq!(write_error(&again).is_some(), wrapped, "{again}");
        }
    }
}
