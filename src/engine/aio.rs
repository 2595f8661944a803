//! The asynchronous stream HTTP/2 runs over, rebuilt from a connection's layers
//! (`link.rs`): the socket as a non-blocking tokio stream read in large pieces, the bytes a
//! layer had already read put back in front, and each TLS session driven over the layer
//! below it by [`TlsIo`].
//!
//! The TLS handshake (with its ALPN, its checks and its one-line errors) happened once in
//! `tls.rs`, on blocking I/O like every connection rq opens; the session carries on here
//! unchanged. rq has this adapter of about a hundred lines instead of `tokio-rustls`, which
//! could only start a handshake of its own: two handshake paths would have to agree on
//! every setting and every error message.

use std::io::{self, Read, Write};
use std::pin::Pin;
use std::task::{Context, Poll};

use rustls::ClientConnection;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::link::{BareKind, Unwrapped};

/// What h2 needs of the stream under it.
pub trait Io: AsyncRead + AsyncWrite + Send + Unpin {}

impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

/// How much is read from the socket at a time: rustls takes records 4 KiB at a time, so
/// without this buffer each would cost a system call.
const READ_CHUNK: usize = 128 * 1024;

/// The stream for an unwrapped connection. Must be called within the runtime: the socket
/// registers with its reactor.
pub fn stream(unwrapped: Unwrapped) -> io::Result<Box<dyn Io>> {
    match unwrapped {
        Unwrapped::Socket { socket, pending } => {
            let io: Box<dyn Io> = match socket.kind {
                BareKind::Tcp(s) => {
                    s.set_nonblocking(true)?;
                    Box::new(tokio::net::TcpStream::from_std(s)?)
                }
                BareKind::Unix(s) => {
                    s.set_nonblocking(true)?;
                    Box::new(tokio::net::UnixStream::from_std(s)?)
                }
            };
            Ok(Box::new(Buffered::new(io, pending, Some(socket.keep))))
        }
        Unwrapped::Tls {
            conn,
            inner,
            pending,
        } => {
            let tls = Box::new(TlsIo {
                conn,
                io: stream(*inner)?,
                eof: false,
                plain: None,
            });
            Ok(match pending.is_empty() {
                true => tls,
                false => Box::new(Buffered::new(tls, pending, None)),
            })
        }
        Unwrapped::Unsupported(why) => Err(io::Error::other(why)),
    }
}

/// A stream read through a buffer: first what was already read, then, on a socket, pieces
/// of up to [`READ_CHUNK`].
struct Buffered {
    io: Box<dyn Io>,
    /// `buf[at..end]` is read and not yet taken.
    buf: Vec<u8>,
    at: usize,
    end: usize,
    /// The socket's `link::Bare::keep`, on a socket; `None` above TLS, where nothing is
    /// read ahead (the session holds what it decrypted).
    keep: Option<Box<dyn Send + Sync>>,
}

impl Buffered {
    fn new(io: Box<dyn Io>, pending: Vec<u8>, keep: Option<Box<dyn Send + Sync>>) -> Buffered {
        let end = pending.len();
        Buffered {
            io,
            buf: pending,
            at: 0,
            end,
            keep,
        }
    }
}

impl AsyncRead for Buffered {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.at == this.end {
            if this.keep.is_none() || out.remaining() >= READ_CHUNK {
                return Pin::new(&mut this.io).poll_read(cx, out);
            }
            if this.buf.len() < READ_CHUNK {
                this.buf.resize(READ_CHUNK, 0);
            }
            let mut fill = ReadBuf::new(&mut this.buf);
            match Pin::new(&mut this.io).poll_read(cx, &mut fill) {
                Poll::Ready(Ok(())) => {}
                other => return other,
            }
            (this.at, this.end) = (0, fill.filled().len());
        }
        let n = out.remaining().min(this.end - this.at);
        out.put_slice(&this.buf[this.at..this.at + n]);
        this.at += n;
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Buffered {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, data)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

/// A rustls session whose handshake is done, over an asynchronous stream.
struct TlsIo {
    conn: Box<ClientConnection>,
    io: Box<dyn Io>,
    /// The stream under the session has ended.
    eof: bool,
    /// Plain text rustls holds, as it last said (`None`: not known yet).
    plain: Option<usize>,
}

/// The stream under a TLS session as blocking-style I/O for rustls: "not ready" is
/// `WouldBlock`, and the task is woken when it is.
struct Blocking<'a, 'b> {
    io: &'a mut Box<dyn Io>,
    cx: &'a mut Context<'b>,
}

impl Read for Blocking<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut buf = ReadBuf::new(buf);
        match Pin::new(&mut *self.io).poll_read(self.cx, &mut buf) {
            Poll::Ready(Ok(())) => Ok(buf.filled().len()),
            Poll::Ready(Err(e)) => Err(e),
            Poll::Pending => Err(io::ErrorKind::WouldBlock.into()),
        }
    }
}

impl Write for Blocking<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match Pin::new(&mut *self.io).poll_write(self.cx, buf) {
            Poll::Ready(result) => result,
            Poll::Pending => Err(io::ErrorKind::WouldBlock.into()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match Pin::new(&mut *self.io).poll_flush(self.cx) {
            Poll::Ready(result) => result,
            Poll::Pending => Err(io::ErrorKind::WouldBlock.into()),
        }
    }
}

impl TlsIo {
    /// Send the records rustls has ready: `Pending` while the stream can take no more.
    fn send_records(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.conn.wants_write() {
            let mut io = Blocking {
                io: &mut self.io,
                cx,
            };
            match self.conn.write_tls(&mut io) {
                Ok(0) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Poll::Pending,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
        Poll::Ready(Ok(()))
    }

    /// Read and process more records: `Ready(Ok)` when there may be plain text (or the end).
    /// rustls takes at most 4 KiB a call, so up to [`RECORD_READS`] calls are made before the
    /// records are processed: once per full-size record rather than four times.
    fn receive_records(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        for call in 0..RECORD_READS {
            let mut io = Blocking {
                io: &mut self.io,
                cx,
            };
            match self.conn.read_tls(&mut io) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock && call == 0 => {
                    return Poll::Pending
                }
                Err(e) if call == 0 => return Poll::Ready(Err(e)),
                // Nothing more waiting, or rustls's buffer is full: process what came.
                Err(_) => break,
            }
        }
        match self.conn.process_new_packets() {
            Ok(state) => self.plain = Some(state.plaintext_bytes_to_read()),
            Err(e) => {
                // Tell the server why (the alert rustls queued), as far as it will take it.
                let _ = self.send_records(cx);
                return Poll::Ready(Err(io::Error::new(io::ErrorKind::InvalidData, e)));
            }
        }
        Poll::Ready(Ok(()))
    }
}

/// How many reads of records are made before they are processed.
const RECORD_READS: usize = 4;

impl AsyncRead for TlsIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            // Only as much of the buffer is zeroed as rustls has plain text to fill it with:
            // all of it when that is not known (after the handshake, or at the end).
            let want = match this.plain {
                Some(0) if !this.eof => None,
                Some(plain) if plain > 0 => Some(plain.min(buf.remaining())),
                _ => Some(buf.remaining()),
            };
            let read = match want {
                Some(want) => this.conn.reader().read(buf.initialize_unfilled_to(want)),
                None => Err(io::ErrorKind::WouldBlock.into()),
            };
            match read {
                Ok(n) => {
                    buf.advance(n);
                    this.plain = this.plain.map(|p| p.saturating_sub(n));
                    return Poll::Ready(Ok(()));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock && this.eof => {
                    return Poll::Ready(Ok(()));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Poll::Ready(Err(e)),
            }
            // Records to answer (a key update) go out first; a full socket can wait.
            if let Poll::Ready(Err(e)) = this.send_records(cx) {
                return Poll::Ready(Err(e));
            }
            match this.receive_records(cx) {
                Poll::Ready(Ok(())) => {}
                other => return other,
            }
        }
    }
}

impl AsyncWrite for TlsIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        // Records already made go first, so rustls's buffer stays bounded.
        match this.send_records(cx) {
            Poll::Ready(Ok(())) => {}
            other => return other.map(|r| r.map(|()| 0)),
        }
        let n = this.conn.writer().write(data)?;
        // A full socket now is fine: the records wait in rustls for the next call.
        if let Poll::Ready(Err(e)) = this.send_records(cx) {
            return Poll::Ready(Err(e));
        }
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.conn.writer().flush()?;
        match this.send_records(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut this.io).poll_flush(cx),
            other => other,
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.conn.send_close_notify();
        match this.send_records(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut this.io).poll_shutdown(cx),
            other => other,
        }
    }
}
