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
