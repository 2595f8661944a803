//! Moving a body from the network to its destination through fixed buffers.
//!
//! On a fast link the file write (a copy into the page cache) costs more than receiving, so
//! large downloads to a file write on a second thread while the first receives the next
//! piece ([`overlapped`]). Buffers go round between the two threads; memory is
//! [`BUFFERS`] × [`BUFFER`] whatever the size of the body. Each piece is written in one
//! system call of up to [`BUFFER`] bytes: larger writes measured slower here, as the piece
//! no longer stays in the CPU cache between the receiving copy and the writing one.

use std::io::{self, Read, Write};
use std::sync::mpsc;

/// One piece: what the reader fills and the writer writes in one call.
pub const BUFFER: usize = 256 * 1024;

/// Pieces in flight between the receiving and the writing thread.
const BUFFERS: usize = 4;

/// Why a copy stopped early.
pub enum Failed {
    Read(io::Error),
    /// The error and how many bytes were written before it.
    Write(io::Error, u64),
}

/// Fill `buf` from `reader` until it is full, the input ends or fails (the second value:
/// `Some(Ok(()))` at the end, `Some(Err(_))` on an error), or after one read when `eager`.
fn fill(reader: &mut dyn Read, buf: &mut [u8], eager: bool) -> (usize, Option<io::Result<()>>) {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => return (filled, Some(Ok(()))),
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return (filled, Some(Err(e))),
        }
        if eager {
            break;
        }
    }
    (filled, None)
}

/// Copy `reader` to `out` on this thread; returns the bytes written. `eager` writes after
/// every read (a pipe's reader wants the bytes as they come). On a read error, what was
/// read before it is written first: a partial file has every byte received.
pub fn simple(reader: &mut dyn Read, out: &mut dyn Write, eager: bool) -> Result<u64, Failed> {
    let mut buf = vec![0u8; BUFFER];
    let mut written = 0u64;
    loop {
        let (filled, end) = fill(reader, &mut buf, eager);
        out.write_all(&buf[..filled])
            .map_err(|e| Failed::Write(e, written))?;
        written += filled as u64;
        if let Some(end) = end {
            out.flush().map_err(|e| Failed::Write(e, written))?;
            return end.map(|()| written).map_err(Failed::Read);
        }
    }
}

/// Like [`simple`], with the writes on a second thread. A write error stops the reading;
/// a read error stops after everything read before it has been written.
pub fn overlapped<W: Write + Send>(reader: &mut dyn Read, mut out: W) -> Result<u64, Failed> {
    let (full_tx, full_rx) = mpsc::sync_channel::<(Vec<u8>, usize)>(BUFFERS);
    let (free_tx, free_rx) = mpsc::sync_channel::<Vec<u8>>(BUFFERS);
    for _ in 0..BUFFERS {
        let _ = free_tx.send(vec![0u8; BUFFER]);
    }
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || {
            let mut written = 0u64;
            for (buf, n) in full_rx {
                out.write_all(&buf[..n]).map_err(|e| (e, written))?;
                written += n as u64;
                // The reader may have stopped already; then the buffer is simply dropped.
                let _ = free_tx.send(buf);
            }
            out.flush().map_err(|e| (e, written))?;
            Ok(written)
        });
        let read = loop {
            // No free buffer means the writer has stopped on an error it will report.
            let Ok(mut buf) = free_rx.recv() else {
                break Ok(());
            };
            let (filled, end) = fill(reader, &mut buf, false);
            if full_tx.send((buf, filled)).is_err() {
                break Ok(());
            }
            if let Some(end) = end {
                break end;
            }
        };
        drop(full_tx);
        joined(writer, read)
    })
}

/// The outcome of a copy whose writes ran on `writer`: a write error first (the reading
/// stopped because of it), then a read error, else the bytes written.
pub fn joined(
    writer: std::thread::ScopedJoinHandle<'_, Result<u64, (io::Error, u64)>>,
    read: io::Result<()>,
) -> Result<u64, Failed> {
    let written = writer
        .join()
        .unwrap_or_else(|_| Err((io::Error::other("the writing thread failed"), 0)));
    match (written, read) {
        (Err((e, n)), _) => Err(Failed::Write(e, n)),
        (Ok(_), Err(e)) => Err(Failed::Read(e)),
        (Ok(n), Ok(())) => Ok(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gives `data` in pieces of `step`, then fails if `fail` is set.
    struct Source {
        data: Vec<u8>,
        at: usize,
        step: usize,
        fail: bool,
    }

    impl Read for Source {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.at == self.data.len() && self.fail {
                return Err(io::Error::other("reset"));
            }
            let n = self.step.min(buf.len()).min(self.data.len() - self.at);
            buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    fn source(len: usize, fail: bool) -> Source {
        Source {
            data: (0..len).map(|i| (i % 251) as u8).collect(),
            at: 0,
            step: 100_000,
            fail,
        }
    }

    #[test]
    fn both_copies_move_bodies_larger_than_all_buffers() {
        let len = BUFFER * BUFFERS * 2 + 17;
        let mut out = Vec::new();
        assert_eq!(
            simple(&mut source(len, false), &mut out, false).ok(),
            Some(len as u64)
        );
        assert!(out == source(len, false).data);
        let mut out = Vec::new();
        assert_eq!(
            overlapped(&mut source(len, false), &mut out).ok(),
            Some(len as u64)
        );
        assert!(out == source(len, false).data);
    }

    #[test]
    fn what_arrived_before_a_read_error_is_written() {
        let len = BUFFER * 3 + 5;
        let mut out = Vec::new();
        let result = simple(&mut source(len, true), &mut out, false);
        assert!(matches!(result, Err(Failed::Read(_))));
        assert_eq!(out.len(), len);
        let mut out = Vec::new();
        let result = overlapped(&mut source(len, true), &mut out);
        assert!(matches!(result, Err(Failed::Read(_))));
        assert_eq!(out.len(), len);
    }

    #[test]
    fn a_write_error_stops_the_overlapped_copy_and_counts_what_was_written() {
        struct Full(usize);
        impl Write for Full {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                if self.0 == 0 {
                    return Err(io::Error::other("disk full"));
                }
                self.0 -= 1;
                Ok(buf.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let result = overlapped(&mut source(BUFFER * 20, false), Full(2));
        match result {
            Err(Failed::Write(e, n)) => {
                assert_eq!(e.to_string(), "disk full");
                assert_eq!(n, 2 * BUFFER as u64);
            }
            _ => panic!("expected a write error"),
        }
    }
}
