//! Which protocol each origin speaks, and the HTTP/2 connections kept for them.
//!
//! Before a request is shown and sent, the engine knows what it goes out as ([`Route`]):
//! - plain http, and `--http-version 1.0`/`1.1`: HTTP/1.x through ureq, with nothing done
//!   here (no runtime, no lookup of any kind);
//! - an origin with a live HTTP/2 connection: a new stream on it;
//! - an origin that spoke HTTP/1.1 before: ureq, which reuses its connection;
//! - otherwise the engine dials it itself ([`Connector::dial`]): https offers `h2` and
//!   `http/1.1` by ALPN; h2c (`--http-version 2` over plain http) starts HTTP/2 at once. A
//!   connection that speaks HTTP/1.1 is parked for ureq, which takes it instead of dialing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use tokio::runtime::Runtime;
use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::Resolver as _;
use ureq::unversioned::transport::time::{Duration as UDuration, Instant as UInstant};
use ureq::unversioned::transport::{ConnectionDetails, NextTimeout};
use ureq::Error;

use super::conn::{explained, Target};
use super::connector::{Connector, H2, HTTP11};
use super::http2::{self, Session};
use super::link::Parked;
use super::resolve::Resolver;
use super::settings::Versions;
use crate::head::Limits;

/// How a request goes out.
pub enum Route {
    /// HTTP/1.x, through ureq.
    Http1,
    /// A stream on this HTTP/2 connection.
    Http2(Arc<Session>),
}

enum Known {
    Http1,
    Http2(Arc<Session>),
}

/// The budget for opening a connection: `--connect-timeout`, or what is left of
/// `--max-time` when that is less.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub connect: Duration,
    pub deadline: Option<Instant>,
}

/// The protocol of every origin this client has talked to.
pub struct Origins {
    versions: Versions,
    limits: Limits,
    connector: Connector,
    resolver: Resolver,
    parked: Arc<Parked>,
    known: Mutex<HashMap<Target, Known>>,
    /// Built with the first HTTP/2 connection.
    runtime: OnceLock<Arc<Runtime>>,
}

impl Origins {
    pub fn new(
        versions: Versions,
        limits: Limits,
        connector: Connector,
        resolver: Resolver,
        parked: Arc<Parked>,
    ) -> Origins {
        Origins {
            versions,
            limits,
            connector,
            resolver,
            parked,
            known: Mutex::new(HashMap::new()),
            runtime: OnceLock::new(),
        }
    }

    fn known(&self) -> MutexGuard<'_, HashMap<Target, Known>> {
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How a request to `uri` goes out, dialing the origin when that is the only way to
    /// know.
    pub fn route(&self, uri: &Uri, config: &Config, budget: Budget) -> Result<Route, Error> {
        let target = Target::of(uri)?;
        let h2c = !target.https && self.versions == Versions::Http2;
        let negotiates =
            target.https && matches!(self.versions, Versions::Negotiate | Versions::Http2);
        if !h2c && !negotiates {
            return Ok(Route::Http1);
        }
        match self.known().get(&target) {
            Some(Known::Http1) => return Ok(Route::Http1),
            Some(Known::Http2(session)) if session.usable() => {
                return Ok(Route::Http2(session.clone()))
            }
            _ => {}
        }
        let dialed = self.dial(uri, &target, config, budget)?;
        let picked_h2 = dialed.alpn.as_deref() == Some(H2);
        if !h2c && !picked_h2 {
            if self.versions == Versions::Http2 {
                let picked = dialed.alpn.as_deref().map(String::from_utf8_lossy);
                return Err(explained(format!(
                    "{} doesn't speak HTTP/2 (it chose {} by ALPN): --http-version 2 requires \
                     it; leave the option out to use what the server speaks",
                    target.authority(),
                    picked.as_deref().unwrap_or("no protocol")
                )));
            }
            self.parked.park(target.clone(), dialed);
            self.known().insert(target, Known::Http1);
            return Ok(Route::Http1);
        }
        let runtime = match self.runtime.get() {
            Some(rt) => rt.clone(),
            None => {
                let rt = http2::runtime()?;
                self.runtime.get_or_init(|| rt).clone()
            }
        };
        let session = Arc::new(Session::start(
            runtime,
            dialed,
            target.authority(),
            self.limits,
        )?);
        self.known().insert(target, Known::Http2(session.clone()));
        Ok(Route::Http2(session))
    }

    /// The server answered `HTTP_1_1_REQUIRED`: its origin speaks HTTP/1.1 from now on.
    pub fn require_http11(&self, uri: &Uri) {
        if let Ok(target) = Target::of(uri) {
            self.known().insert(target, Known::Http1);
        }
    }

    /// Resolve and connect as ureq would, within `budget`, offering the versions allowed.
    fn dial(
        &self,
        uri: &Uri,
        target: &Target,
        config: &Config,
        budget: Budget,
    ) -> Result<super::link::Dialed, Error> {
        let left = budget
            .deadline
            .map(|d| d.saturating_duration_since(Instant::now()));
        let timeout = match left {
            Some(left) if left < budget.connect => NextTimeout {
                after: UDuration::Exact(left),
                reason: ureq::Timeout::Global,
                ..NextTimeout::default()
            },
            _ => NextTimeout {
                after: UDuration::Exact(budget.connect),
                reason: ureq::Timeout::Connect,
                ..NextTimeout::default()
            },
        };
        let now = UInstant::now();
        let addrs = self.resolver.resolve(uri, config, timeout)?;
        let details = ConnectionDetails {
            uri,
            addrs,
            config,
            request_level: false,
            resolver: &self.resolver,
            now,
            timeout,
            current_time: Arc::new(UInstant::now),
            run_connector: Arc::new(|_: &ConnectionDetails| Err(Error::ConnectionFailed)),
            register_shutdown: Arc::new(|_| Ok(())),
        };
        // `--http-version 2` offers HTTP/1.1 too, so that a server without HTTP/2 says
        // what it speaks instead of failing the handshake.
        self.connector.dial(&details, target, &[H2, HTTP11])
    }
}
