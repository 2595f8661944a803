//! The transport over a connected socket: TCP, or a Unix domain socket (`--unix-socket`).
//!
//! ureq's TCP transport is not public, and it has none for Unix sockets, so rq has this
//! one for both: the same per-read/per-write timeouts and the same reuse probe. Every open
//! socket is listed, so that Ctrl-C during a download can shut them ([`shut_all`]): a read
//! blocked on one returns what had arrived, then the end.

use std::fmt::Debug;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
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
    /// Another handle on the same socket.
    fn duplicate(&self) -> io::Result<Box<dyn Socket>>;
    /// Shut both directions: reads blocked on the socket return.
    fn shut(&self) -> io::Result<()>;
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
            fn duplicate(&self) -> io::Result<Box<dyn Socket>> {
                Ok(Box::new(self.try_clone()?))
            }
            fn shut(&self) -> io::Result<()> {
                self.shutdown(Shutdown::Both)
            }
        }
    };
}

socket!(TcpStream);
socket!(UnixStream);

/// Every socket open, by the number of its [`Listed`] entry.
static OPEN: Mutex<Vec<(u64, Box<dyn Socket>)>> = Mutex::new(Vec::new());
static NUMBER: AtomicU64 = AtomicU64::new(0);

/// A socket's entry in [`OPEN`], removed when the transport is dropped.
#[derive(Debug)]
struct Listed(u64);

impl Listed {
    fn new(socket: &dyn Socket) -> io::Result<Listed> {
        let n = NUMBER.fetch_add(1, Ordering::Relaxed);
        let handle = socket.duplicate()?;
        OPEN.lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((n, handle));
        Ok(Listed(n))
    }
}

impl Drop for Listed {
    fn drop(&mut self) {
        let mut open = OPEN.lock().unwrap_or_else(|e| e.into_inner());
        open.retain(|(n, _)| *n != self.0);
    }
}

/// Shut every socket rq has open (Ctrl-C during a download): reads blocked on them return
/// what had arrived, then the end. Called from the thread that handles the signal.
pub fn shut_all() {
    let open = OPEN.lock().unwrap_or_else(|e| e.into_inner());
    for (_, socket) in open.iter() {
        let _ = socket.shut();
    }
}

/// A transport, and its socket when that carries the HTTP bytes as they are.
pub type Plain = (Box<dyn Transport>, Option<Arc<Offer>>);

/// Connect to the Unix domain socket at `path`. With `plain` (no TLS to be layered on it)
/// its socket is offered to a download (`direct.rs`), and the offer is returned too.
pub fn unix(path: &Path, details: &ConnectionDetails, plain: bool) -> Result<Plain, Error> {
    let started = Instant::now();
    let stream = UnixStream::connect(path).map_err(|e| {
        explained(format!(
            "couldn't connect to unix socket {}: {e}",
            path.display()
        ))
    })?;
    RECORDER.add_connect(started.elapsed());
    let offer = plain.then(|| Offer::new(&stream)).transpose()?;
    let transport = SocketTransport::new(stream, details, offer.clone())?;
    Ok((Box::new(transport), offer))
}

/// The transport over a connected TCP socket, with the agent's buffer sizes; `offer` as in
/// [`SocketTransport::new`].
pub fn tcp_transport(
    stream: TcpStream,
    details: &ConnectionDetails,
    offer: Option<Arc<Offer>>,
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
    _listed: Listed,
}

impl<S: Socket> SocketTransport<S> {
    /// `offer`: this socket's, when it carries the HTTP bytes as they are (no TLS or proxy
    /// layer on it), so a download may take the body straight from it (`direct.rs`).
    pub fn new(
        stream: S,
        details: &ConnectionDetails,
        offer: Option<Arc<Offer>>,
    ) -> io::Result<Self> {
        Ok(SocketTransport {
            _listed: Listed::new(&stream)?,
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

/// Send `data` on a plain-HTTP socket (Linux), never blocked on it while the server
/// answers: when the socket is full, wait until it has room or the server has sent
/// something. A final answer waiting there (`direct::Waiting::Answer`) ends the sending with
/// `ConnectionAborted`, which the wire takes as the server having answered (`wire.rs`).
#[cfg(target_os = "linux")]
fn send_watching(
    socket: std::os::fd::BorrowedFd,
    offer: &Offer,
    mut data: &[u8],
    limit: Option<Duration>,
    reason: ureq::Timeout,
) -> Result<(), Error> {
    use rustix::event::{poll, PollFd, PollFlags, Timespec};
    use rustix::io::Errno;
    use rustix::net::{send, SendFlags};
    let deadline = limit.map(|l| Instant::now() + l);
    // Off once what waits is not an answer (an interim response): only room is awaited then.
    let mut watch_input = true;
    while !data.is_empty() {
        match send(socket, data, SendFlags::DONTWAIT | SendFlags::NOSIGNAL) {
            Ok(n) => {
                data = &data[n..];
                continue;
            }
            Err(Errno::INTR) => continue,
            Err(Errno::AGAIN) => {}
            Err(e) => return Err(Error::Io(e.into())),
        }
        let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let wait = match left {
            Some(l) if l.is_zero() => return Err(Error::Timeout(reason)),
            Some(l) => Some(Timespec::try_from(l).map_err(|_| Error::Timeout(reason))?),
            None => None,
        };
        let events = match watch_input {
            true => PollFlags::OUT | PollFlags::IN,
            false => PollFlags::OUT,
        };
        let mut fds = [PollFd::from_borrowed_fd(socket, events)];
        match poll(&mut fds, wait.as_ref()) {
            Ok(0) => return Err(Error::Timeout(reason)),
            Ok(_) | Err(Errno::INTR) => {}
            Err(e) => return Err(Error::Io(e.into())),
        }
        let got = fds[0].revents();
        if watch_input && got.intersects(PollFlags::IN | PollFlags::HUP | PollFlags::ERR) {
            if offer.waiting() == direct::Waiting::Answer {
                return Err(Error::Io(io::Error::new(
                    io::ErrorKind::ConnectionAborted,
                    "the server answered before the request was sent",
                )));
            }
            watch_input = false;
        }
    }
    Ok(())
}

impl<S: Socket> Transport for SocketTransport<S> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        let timeout = timeout.for_write();
        let limit = io_timeout(timeout)?;
        #[cfg(target_os = "linux")]
        if let Some(offer) = &self.buffers.offer {
            let offer = offer.clone();
            let output = &self.buffers.output()[..amount];
            return send_watching(self.stream.as_fd(), &offer, output, limit, timeout.reason);
        }
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
