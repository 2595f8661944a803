//! rq's connector: how a connection to a target is opened, below HTTP.
//!
//! ureq's own connector chain takes one proxy for the whole agent, always tunnels through
//! HTTP proxies with CONNECT, can't pin a TLS version and reports no timings. rq replaces it
//! with this one (ureq keeps the protocol, the pool and the timeouts): for each connection it
//! picks the route for the target's scheme and host — `--unix-socket`, a proxy from
//! `--proxy`/the environment, or direct — opens it, adds TLS for https targets
//! (`tls.rs`, offering HTTP versions by ALPN) and wraps the result in [`Timed`] so the `m`
//! section can say where the time went, and outermost in a [`Wire`], which reads every
//! response head itself (`wire.rs`). Proxies are chosen per connection, so each redirect
//! hop gets its own.
//!
//! The engine also dials through here itself ([`Connector::dial`]) when it must know the
//! protocol before sending (`origins.rs`): a connection that speaks HTTP/2 goes on in
//! `http2/`, one that speaks HTTP/1.1 is parked for ureq's next connection to that target.
//! Connections ureq opens on its own offer `http/1.1` only: ureq can't speak anything else.
//!
//! It only assembles the layers below it, as ureq stacks its own transport: sockets
//! (`socket.rs`), TLS (`tls.rs`), SOCKS (`socks.rs`) and names (`resolve.rs`) rest on the
//! shared toolbox (`conn.rs`) and the settings (`settings.rs`); proxies (`proxy.rs`) rest on
//! those. None of them imports the connector.

use std::sync::Arc;

use ureq::unversioned::transport::{ConnectionDetails, Connector as UConnector, Transport};
use ureq::Error;

use super::conn::{tcp_connect, Target};
use super::direct::Offer;
use super::link::{Dialed, Link, Parked};
use super::proxy;
use super::settings::ConnectOptions;
use super::socket::{self, tcp_transport};
use super::timing::{Remote, Timed};
use super::tls;
use super::wire::Wire;

/// A connection just opened, before TLS to the target: its layers, where it goes, and
/// its socket when that carries the HTTP bytes as they are.
type Opened = (Box<dyn Link>, Remote, Option<Arc<Offer>>);

/// The ALPN identifiers of the versions rq speaks.
pub const H2: &[u8] = b"h2";
pub const HTTP11: &[u8] = b"http/1.1";

/// rq's [`ureq::unversioned::transport::Connector`]; see the module docs. Clones share
/// the TLS configuration and the parked connection.
#[derive(Debug, Clone)]
pub struct Connector {
    opts: Arc<ConnectOptions>,
    tls: Arc<tls::Client>,
    parked: Arc<Parked>,
}

impl Connector {
    pub fn new(opts: Arc<ConnectOptions>, parked: Arc<Parked>) -> Connector {
        let tls = Arc::new(tls::Client::new(opts.tls.clone()));
        Connector { opts, tls, parked }
    }

    /// Open a connection to `target`, with TLS for an https target offering `alpn`.
    pub fn dial(
        &self,
        details: &ConnectionDetails,
        target: &Target,
        alpn: &[&[u8]],
    ) -> Result<Dialed, Error> {
        let (link, remote, offer) = self.open(details, target)?;
        let (link, alpn) = match target.https {
            true => self.tls.wrap(link, &target.host, details, alpn)?,
            false => (link, None),
        };
        Ok(Dialed {
            link,
            remote,
            offer,
            alpn,
        })
    }

    fn open(&self, details: &ConnectionDetails, target: &Target) -> Result<Opened, Error> {
        if let Some(path) = &self.opts.unix_socket {
            let (transport, offer) = socket::unix(path, details, !target.https)?;
            return Ok((transport, Remote::Unix(path.clone()), offer));
        }
        if let Some(via) = self.opts.proxies.for_target(target.https, &target.host) {
            let hop = proxy::Hop {
                proxy: via,
                target,
                names: &self.opts.names,
                tls: &self.tls,
            };
            let (transport, remote) = hop.open(details)?;
            return Ok((transport, remote, None));
        }
        let stream = tcp_connect(&details.addrs, details)?;
        let remote = Remote::Tcp(stream.peer_addr()?);
        let offer = (!target.https).then(|| Offer::new(&stream)).transpose()?;
        let transport = tcp_transport(stream, details, offer.clone())?;
        Ok((transport, remote, offer))
    }
}

impl UConnector<()> for Connector {
    type Out = Box<dyn Transport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        _chained: Option<()>,
    ) -> Result<Option<Self::Out>, Error> {
        let target = Target::of(details.uri)?;
        let dialed = match self.parked.take(&target) {
            Some(dialed) => dialed,
            None => self.dial(details, &target, &[HTTP11])?,
        };
        let alpn = dialed
            .alpn
            .map(|a| String::from_utf8_lossy(&a).into_owned());
        let transport: Box<dyn Transport> = Box::new(dialed.link);
        let timed = Box::new(Timed::new(transport, dialed.remote, alpn));
        let wire = Wire::new(timed, self.opts.head, target.authority(), dialed.offer);
        Ok(Some(Box::new(wire)))
    }
}
