//! Where the time of an exchange went, for the `m` section: DNS, connect, TLS, time to
//! first byte and body, the remote address and the HTTP version.
//!
//! ureq reports none of this, so rq measures it in its own resolver and connector and in a
//! thin [`Transport`] wrapper around every connection. The marks live in one process-wide
//! [`Recorder`]: rq sends one request at a time, and the recorder is reset when each attempt
//! starts. A connection reused from the pool adds no DNS, connect or TLS time.
//!
//! The phases are cut from one timeline, so they add up to the total exactly, also after
//! rounding: time to first byte is what is left between the connection being ready and the
//! first response byte (it includes sending the request), and body is from that byte to the
//! end of the body.

use std::fmt;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ureq::http;
use ureq::unversioned::transport::{Buffers, NextTimeout, Transport};

/// The one recorder (see the module docs for why one is enough).
pub static RECORDER: Recorder = Recorder(Mutex::new(Marks::EMPTY));

/// Marks of the current attempt, filled in by the resolver, connector and transport.
#[derive(Debug)]
pub struct Recorder(Mutex<Marks>);

#[derive(Debug, Clone)]
struct Marks {
    start: Option<Instant>,
    dns: Duration,
    connect: Duration,
    tls: Duration,
    first_byte: Option<Instant>,
    remote: Option<Remote>,
    /// The protocol the connection's TLS negotiated (ALPN), e.g. `h2`.
    alpn: Option<String>,
}

impl Marks {
    const EMPTY: Marks = Marks {
        start: None,
        dns: Duration::ZERO,
        connect: Duration::ZERO,
        tls: Duration::ZERO,
        first_byte: None,
        remote: None,
        alpn: None,
    };
}

/// What a connection is connected to, as the `m` section names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remote {
    /// A direct TCP connection.
    Tcp(std::net::SocketAddr),
    /// Through a proxy: the proxy's address and its URL without credentials.
    Proxy(std::net::SocketAddr, String),
    /// `--unix-socket PATH`.
    Unix(std::path::PathBuf),
}

impl fmt::Display for Remote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Remote::Tcp(addr) => write!(f, "{addr}"),
            Remote::Proxy(addr, url) => write!(f, "{addr} (proxy {url})"),
            Remote::Unix(path) => write!(f, "{} (unix socket)", path.display()),
        }
    }
}

impl Recorder {
    fn marks(&self) -> MutexGuard<'_, Marks> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new attempt starts now: forget the previous one's marks.
    pub fn start(&self) {
        *self.marks() = Marks {
            start: Some(Instant::now()),
            ..Marks::EMPTY
        };
    }

    pub fn add_dns(&self, d: Duration) {
        self.marks().dns += d;
    }

    pub fn add_connect(&self, d: Duration) {
        self.marks().connect += d;
    }

    pub fn add_tls(&self, d: Duration) {
        self.marks().tls += d;
    }

    /// The request goes out on a connection to `remote` that negotiated `alpn`.
    pub fn sending_on(&self, remote: &Remote, alpn: Option<&str>) {
        let mut marks = self.marks();
        if marks.remote.as_ref() != Some(remote) {
            marks.remote = Some(remote.clone());
        }
        if marks.alpn.as_deref() != alpn {
            marks.alpn = alpn.map(str::to_string);
        }
    }

    /// A byte of the response arrived (only the first one counts).
    pub fn received(&self) {
        let mut marks = self.marks();
        if marks.first_byte.is_none() {
            marks.first_byte = Some(Instant::now());
        }
    }

    /// The `m` section for the current attempt, ending now.
    pub fn meta(&self, version: http::Version, bytes: u64) -> Meta {
        let marks = self.marks().clone();
        let end = Instant::now();
        let start = marks.start.unwrap_or(end);
        let first = marks.first_byte.unwrap_or(end).max(start);
        // Cumulative marks in whole microseconds, so the differences printed add up exactly.
        let micros = |d: Duration| d.as_micros() as u64;
        let total = micros(end - start);
        let to_first = micros(first - start).min(total);
        let dns = micros(marks.dns).min(to_first);
        let connected = (dns + micros(marks.connect)).min(to_first);
        let secured = (connected + micros(marks.tls)).min(to_first);
        let us = Duration::from_micros;
        Meta {
            started: start,
            total: us(total),
            phases: Phases {
                dns: us(dns),
                connect: us(connected - dns),
                tls: us(secured - connected),
                first_byte: us(to_first - secured),
                body: us(total - to_first),
            },
            remote: marks.remote.map(|r| r.to_string()),
            version,
            alpn: marks.alpn,
            bytes,
        }
    }
}

/// Everything the `m` section shows about one exchange.
#[derive(Debug, Clone)]
pub struct Meta {
    /// When the (last) attempt started: hops of a redirect chain are drawn on one time axis.
    pub started: Instant,
    /// From the start of the (last) attempt to the end of the body.
    pub total: Duration,
    pub phases: Phases,
    /// The address the connection went to (`None` if none was recorded).
    pub remote: Option<String>,
    pub version: http::Version,
    /// The protocol TLS negotiated by ALPN (`h2`, `http/1.1`), when it negotiated one.
    pub alpn: Option<String>,
    /// Body bytes received (after decoding).
    pub bytes: u64,
}

/// The parts of [`Meta::total`]; they add up to it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Phases {
    pub dns: Duration,
    pub connect: Duration,
    pub tls: Duration,
    /// From the connection being ready to the first response byte.
    pub first_byte: Duration,
    pub body: Duration,
}

impl Phases {
    /// Label and duration of each phase, in order.
    pub fn named(&self) -> [(&'static str, Duration); 5] {
        [
            ("DNS", self.dns),
            ("Connect", self.connect),
            ("TLS", self.tls),
            ("Time to first byte", self.first_byte),
            ("Body", self.body),
        ]
    }
}

/// The outermost layer of every connection: tells the recorder which remote a request goes
/// to and when its first response byte arrives.
#[derive(Debug)]
pub struct Timed {
    inner: Box<dyn Transport>,
    remote: Remote,
    alpn: Option<String>,
}

impl Timed {
    pub fn new(inner: Box<dyn Transport>, remote: Remote, alpn: Option<String>) -> Timed {
        Timed {
            inner,
            remote,
            alpn,
        }
    }
}

impl Transport for Timed {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        RECORDER.sending_on(&self.remote, self.alpn.as_deref());
        self.inner.transmit_output(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let progress = self.inner.await_input(timeout)?;
        if progress {
            RECORDER.received();
        }
        Ok(progress)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_add_up_to_the_total() {
        let r = Recorder(Mutex::new(Marks::EMPTY));
        r.start();
        r.add_dns(Duration::from_micros(1500));
        r.add_connect(Duration::from_micros(700));
        r.add_tls(Duration::from_micros(3300));
        std::thread::sleep(Duration::from_millis(8));
        r.received();
        std::thread::sleep(Duration::from_millis(2));
        let meta = r.meta(http::Version::HTTP_11, 10);
        let sum: Duration = meta.phases.named().iter().map(|(_, d)| *d).sum();
        assert_eq!(sum, meta.total);
        assert_eq!(meta.phases.dns, Duration::from_micros(1500));
        assert_eq!(meta.phases.tls, Duration::from_micros(3300));
        assert!(meta.phases.body >= Duration::from_millis(2));
    }

    #[test]
    fn no_response_byte_means_no_body_time() {
        let r = Recorder(Mutex::new(Marks::EMPTY));
        r.start();
        let meta = r.meta(http::Version::HTTP_11, 0);
        assert_eq!(meta.phases.body, Duration::ZERO);
        assert_eq!(meta.phases.first_byte, meta.total);
    }
}
