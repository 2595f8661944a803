//! The transport over a connected socket: TCP, or a Unix domain socket (`--unix-socket`).
//!
//! ureq's TCP transport is not public, and it has none for Unix sockets, so rq has this
//! one for both: the same per-read/per-write timeouts and the same reuse probe.

use std::fmt::Debug;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use ureq::unversioned::transport::{Buffers, ConnectionDetails, NextTimeout, Transport};
use ureq::Error;

use super::conn::{buffers, explained};
use super::direct::{self, Offer, Tracked};
use super::timing::RECORDER;

/// What rq needs from a socket type.
pub trait Socket: Read + Write + AsFd + Debug + Send + Sync + 'static {
    fn set_read_timeout(&self, d: Option<Duration>) -> io::Result<()>;
    fn set_write_timeout(&self, d: Option<Duration>) -> io::Result<()>;
    fn set_nonblocking(&self, on: bool) -> io::Result<()>;
}

macro_rules! socket {
    ($t:ty) => {
        impl Socket for $t {
            fn set_read_timeout(&self, d: Option<Duration>) -> io::Result<()> {
                <$t>::set_read_timeout(self, d)
            }
            fn set_write_timeout(&self, d: Option<Duration>) -> io::Result<()> {
                <$t>::set_write_timeout(self, d)
            }
            fn set_nonblocking(&self, on: bool) -> io::Result<()> {
                <$t>::set_nonblocking(self, on)
            }
        }
    };
}

socket!(TcpStream);
socket!(UnixStream);

/// Connect to the Unix domain socket at `path`; `offer` its socket to a download
/// (`direct.rs`) when no TLS is to be layered on it.
pub fn unix(
    path: &Path,
    details: &ConnectionDetails,
    offer: bool,
) -> Result<Box<dyn Transport>, Error> {
    let started = Instant::now();
    let stream = UnixStream::connect(path).map_err(|e| {
        explained(format!(
            "couldn't connect to unix socket {}: {e}",
            path.display()
        ))
    })?;
    RECORDER.add_connect(started.elapsed());
    Ok(Box::new(SocketTransport::new(stream, details, offer)?))
}

/// The transport over a connected TCP socket, with the agent's buffer sizes; `offer` as in
/// [`SocketTransport::new`].
pub fn tcp_transport(
    stream: TcpStream,
    details: &ConnectionDetails,
    offer: bool,
) -> Result<Box<dyn Transport>, Error> {
    Ok(Box::new(SocketTransport::new(stream, details, offer)?))
}

/// A [`Transport`] over any [`Socket`].
#[derive(Debug)]
pub struct SocketTransport<S: Socket> {
    stream: S,
    buffers: Tracked,
    /// The timeouts last set on the socket, to skip the system call when unchanged.
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
}

impl<S: Socket> SocketTransport<S> {
    /// `offer`: the socket carries the HTTP bytes as they are (no TLS or proxy layer on
    /// it), so a download may take the body straight from it (`direct.rs`).
    pub fn new(stream: S, details: &ConnectionDetails, offer: bool) -> io::Result<Self> {
        let offer = match offer {
            true => Some(Offer::new(&stream)?),
            false => None,
        };
        Ok(SocketTransport {
            stream,
            buffers: Tracked::new(buffers(details), offer),
            read_timeout: None,
            write_timeout: None,
        })
    }
}

/// The socket timeout for one I/O call, or the timeout error when none is left.
fn io_timeout(timeout: NextTimeout) -> Result<Option<Duration>, Error> {
    if timeout.after.is_not_happening() {
        return Ok(None);
    }
    let left: Duration = *timeout.after;
    if left.is_zero() {
        return Err(Error::Timeout(timeout.reason));
    }
    Ok(Some(left))
}

fn timed_out(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}

impl<S: Socket> Transport for SocketTransport<S> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        let timeout = timeout.for_write();
        let limit = io_timeout(timeout)?;
        if limit != self.write_timeout {
            self.stream.set_write_timeout(limit)?;
            self.write_timeout = limit;
        }
        let output = &self.buffers.output()[..amount];
        match self.stream.write_all(output) {
            Err(e) if timed_out(&e) => Err(Error::Timeout(timeout.reason)),
            other => Ok(other?),
        }
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        let timeout = timeout.for_read();
        let limit = io_timeout(timeout)?;
        if limit != self.read_timeout {
            self.stream.set_read_timeout(limit)?;
            self.read_timeout = limit;
        }
        direct::publish(self.buffers.offer.as_ref());
        let input = self.buffers.input_append_buf();
        let amount = loop {
            match self.stream.read(input) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if timed_out(&e) => return Err(Error::Timeout(timeout.reason)),
                other => break other?,
            }
        };
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    /// Open when a non-blocking read finds nothing waiting: bytes or an EOF mean the server
    /// is done with this connection (or sent more than the response).
    fn is_open(&mut self) -> bool {
        if self.stream.set_nonblocking(true).is_err() {
            return false;
        }
        let open = matches!(
            self.stream.read(&mut [0u8]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock
        );
        open && self.stream.set_nonblocking(false).is_ok()
    }
}
