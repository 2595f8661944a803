//! A response body arriving on an HTTP/2 stream, as a blocking reader.
//!
//! Each read waits (on the runtime) for the next DATA frame within the timeouts, and gives
//! its size back to the server's window as it is taken: what waits in memory is bounded by
//! the stream window, whatever the body's size.

use std::io::{self, Read};
use std::sync::Arc;

use bytes::{Buf, Bytes};
use h2::RecvStream;
use tokio::runtime::Runtime;

use super::send::within;
use super::{reason, Timeouts};

/// The body of a response received over HTTP/2.
pub struct Body {
    rt: Arc<Runtime>,
    stream: RecvStream,
    /// The frame being read.
    chunk: Bytes,
    timeouts: Timeouts,
    /// The request's sending half, kept while the response is read: dropped earlier, h2
    /// would reset a stream whose request body was cut short by an early answer.
    _request: Option<h2::SendStream<Bytes>>,
    done: bool,
    /// Window given back since the connection last had a turn to say so.
    released: usize,
}

/// How much window is given back before the connection gets a turn to send the update
/// (a quarter of the stream window): a body read from frames already in memory would
/// otherwise hold the update back until it had taken them all, and the server would stop.
const NUDGE: usize = super::STREAM_WINDOW as usize / 4;

impl Body {
    pub(super) fn new(
        rt: Arc<Runtime>,
        stream: RecvStream,
        timeouts: Timeouts,
        request: Option<h2::SendStream<Bytes>>,
    ) -> Body {
        Body {
            rt,
            stream,
            chunk: Bytes::new(),
            timeouts,
            _request: request,
            done: false,
            released: 0,
        }
    }

    /// The next frame's data; `false` at the end of the body.
    fn fill(&mut self) -> io::Result<bool> {
        let stream = &mut self.stream;
        let nudge = self.released >= NUDGE;
        if nudge {
            self.released = 0;
        }
        let next = self.rt.block_on(within(&self.timeouts, async {
            if nudge {
                // The connection task sends the window update and reads what came.
                tokio::task::yield_now().await;
            }
            stream.data().await
        }));
        match next {
            Err(which) => Err(which.into_io()),
            Ok(None) => Ok(false),
            Ok(Some(Err(e))) => Err(reason::body_failed(e)),
            Ok(Some(Ok(data))) => {
                // The window is given back as frames are taken, not when they are consumed:
                // at most one frame more than the window is in memory.
                let _ = stream.flow_control().release_capacity(data.len());
                self.released += data.len();
                self.chunk = data;
                Ok(true)
            }
        }
    }
}

impl Read for Body {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.chunk.is_empty() {
            if self.done || !self.fill()? {
                self.done = true;
                return Ok(0);
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk[..n]);
        self.chunk.advance(n);
        Ok(n)
    }
}
