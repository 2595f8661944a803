//! A plain-HTTP socket offered to a download, so a large body can go from the socket to the
//! file with splice(2) (`download/splice.rs`): the kernel moves the bytes once, instead of
//! copying them into ureq's buffer, from there into rq's, and from there into the file.
//!
//! Only a connection rq opened itself to an `http://` origin offers its socket: never one
//! wrapped in TLS or reached through a proxy, where the socket carries other bytes than the
//! body. The transport publishes its offer each time it reads ([`publish`]), so the offer
//! [`take`] returns belongs to the connection that read the response being saved; a
//! transport that offers nothing publishes `None`. [`Tracked`] counts the bytes ureq has
//! read from the socket and not yet handed on: the download takes those through ureq first.
//! The same socket tells the transport whether the server has answered while a request
//! body is still going out ([`Offer::waiting`]).

use std::cell::RefCell;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use ureq::unversioned::transport::{Buffers, LazyBuffers};

/// A connection's socket, and how much of what was read from it ureq still holds.
#[derive(Debug)]
pub struct Offer {
    /// A duplicate of the transport's descriptor (the same socket).
    fd: OwnedFd,
    unconsumed: AtomicUsize,
}

impl Offer {
    pub fn new(socket: &impl AsFd) -> std::io::Result<Arc<Offer>> {
        Ok(Arc::new(Offer {
            fd: socket.as_fd().try_clone_to_owned()?,
            unconsumed: AtomicUsize::new(0),
        }))
    }

    pub fn socket(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// Bytes read from the socket that ureq has not handed on yet.
    pub fn unconsumed(&self) -> usize {
        self.unconsumed.load(Ordering::Relaxed)
    }

    /// What the server has sent and the connection not read yet, looked at without taking
    /// it or waiting for it.
    #[cfg(target_os = "linux")]
    pub fn waiting(&self) -> Waiting {
        use rustix::net::RecvFlags;
        let mut start = [0u8; 12];
        let flags = RecvFlags::PEEK | RecvFlags::DONTWAIT;
        match rustix::net::recv(&self.fd, &mut start, flags) {
            Ok((0, _)) => Waiting::Answer,
            Ok((n, _)) => Waiting::of(&start[..n]),
            Err(rustix::io::Errno::AGAIN | rustix::io::Errno::INTR) => Waiting::Nothing,
            Err(_) => Waiting::Answer,
        }
    }

    #[cfg(not(target_os = "linux"))]
    pub fn waiting(&self) -> Waiting {
        Waiting::Nothing
    }
}

/// What a server has sent while the request is still going out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    /// Nothing yet, or not enough to tell.
    Nothing,
    /// An interim (1xx) or success (2xx) status line: the server may be reading the rest,
    /// as a streaming echo does.
    Going,
    /// A final status of 300 or more, the end of the connection, or bytes that are not a
    /// status line: the server will not read the rest of the request.
    Answer,
}

impl Waiting {
    /// Judge the first bytes waiting on the socket.
    fn of(start: &[u8]) -> Waiting {
        const PREFIX: &[u8] = b"HTTP/1.x ";
        let n = start.len().min(PREFIX.len());
        let prefix_ok = start[..n]
            .iter()
            .zip(PREFIX)
            .all(|(got, want)| got == want || (*want == b'x' && got.is_ascii_digit()));
        match (prefix_ok, start.get(PREFIX.len())) {
            (false, _) => Waiting::Answer,
            (true, None) => Waiting::Nothing,
            (true, Some(b'1' | b'2')) => Waiting::Going,
            (true, Some(_)) => Waiting::Answer,
        }
    }
}

thread_local! {
    /// ureq runs a request on the calling thread, so the last transport that read on this
    /// thread is the one whose response the caller holds.
    static CURRENT: RefCell<Option<Arc<Offer>>> = const { RefCell::new(None) };
}

/// Called by a transport each time it reads from its socket.
pub fn publish(offer: Option<&Arc<Offer>>) {
    CURRENT.with(|c| *c.borrow_mut() = offer.cloned());
}

/// The offer of the connection that read last, if it made one.
pub fn take() -> Option<Arc<Offer>> {
    CURRENT.with(|c| c.borrow_mut().take())
}

/// ureq's buffers, keeping an [`Offer`]'s count of unconsumed input up to date.
#[derive(Debug)]
pub struct Tracked {
    inner: LazyBuffers,
    pub offer: Option<Arc<Offer>>,
}

impl Tracked {
    pub fn new(inner: LazyBuffers, offer: Option<Arc<Offer>>) -> Tracked {
        Tracked { inner, offer }
    }

    fn count(&self) {
        if let Some(offer) = &self.offer {
            offer
                .unconsumed
                .store(self.inner.input().len(), Ordering::Relaxed);
        }
    }
}

impl Buffers for Tracked {
    fn output(&mut self) -> &mut [u8] {
        self.inner.output()
    }

    fn input(&self) -> &[u8] {
        self.inner.input()
    }

    fn input_append_buf(&mut self) -> &mut [u8] {
        self.inner.input_append_buf()
    }

    fn input_appended(&mut self, amount: usize) {
        self.inner.input_appended(amount);
        self.count();
    }

    fn input_consume(&mut self, amount: usize) {
        self.inner.input_consume(amount);
        self.count();
    }

    fn tmp_and_output(&mut self) -> (&mut [u8], &mut [u8]) {
        self.inner.tmp_and_output()
    }

    fn can_use_input(&self) -> bool {
        self.inner.can_use_input()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_waits_on_the_socket_is_judged_by_its_status_line() {
        for (start, want) in [
            (&b""[..], Waiting::Nothing),
            (b"HTTP/1.1", Waiting::Nothing),
            (b"HTTP/1.1 ", Waiting::Nothing),
            (b"HTTP/1.1 100", Waiting::Going),
            (b"HTTP/1.1 200 ", Waiting::Going),
            (b"HTTP/1.1 413 ", Waiting::Answer),
            (b"HTTP/1.0 307", Waiting::Answer),
            (b"garbage", Waiting::Answer),
        ] {
            assert_eq!(
                Waiting::of(start),
                want,
                "{:?}",
                String::from_utf8_lossy(start)
            );
        }
    }

    #[test]
    fn the_offer_counts_what_ureq_holds_and_is_taken_once() {
        let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
        let offer = Offer::new(&a).unwrap();
        let mut buffers = Tracked::new(LazyBuffers::new(64, 64), Some(offer.clone()));
        buffers.input_append_buf()[..10].copy_from_slice(b"0123456789");
        buffers.input_appended(10);
        assert_eq!(offer.unconsumed(), 10);
        buffers.input_consume(4);
        assert_eq!(offer.unconsumed(), 6);
        publish(Some(&offer));
        assert!(take().is_some_and(|o| Arc::ptr_eq(&o, &offer)));
        assert!(take().is_none());
        publish(Some(&offer));
        publish(None);
        assert!(take().is_none());
    }
}
