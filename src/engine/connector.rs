//! rq's connector: how a connection to a target is opened, below HTTP.
//!
//! ureq's own connector chain takes one proxy for the whole agent, always tunnels through
//! HTTP proxies with CONNECT, can't pin a TLS version and reports no timings. rq replaces it
//! with this one (ureq keeps the protocol, the pool and the timeouts): for each connection it
//! picks the route for the target's scheme and host — `--unix-socket`, a proxy from
//! `--proxy`/the environment, or direct — opens it, adds TLS for https targets
//! (`tls.rs`) and wraps the result in [`Timed`] so the `m` section can say where the time
//! went, and outermost in a [`Wire`], which reads every response head itself (`wire.rs`).
//! Proxies are chosen per connection, so each redirect hop gets its own.
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
use super::proxy;
use super::settings::ConnectOptions;
use super::socket::{self, tcp_transport};
use super::timing::{Remote, Timed};
use super::tls;
use super::wire::Wire;

/// A connection just opened: the transport, where it goes, and its socket when that
/// carries the HTTP bytes as they are.
type Opened = (Box<dyn Transport>, Remote, Option<Arc<Offer>>);

/// rq's [`ureq::unversioned::transport::Connector`]; see the module docs.
#[derive(Debug)]
pub struct Connector {
    opts: Arc<ConnectOptions>,
    tls: tls::Client,
}

impl Connector {
    pub fn new(opts: Arc<ConnectOptions>) -> Connector {
        let tls = tls::Client::new(opts.tls.clone());
        Connector { opts, tls }
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
        let (transport, remote, offer) = self.open(details, &target)?;
        let transport = match target.https {
            true => self.tls.wrap(transport, &target.host, details)?,
            false => transport,
        };
        let timed = Box::new(Timed::new(transport, remote));
        let wire = Wire::new(timed, self.opts.head, target.authority(), offer);
        Ok(Some(Box::new(wire)))
    }
}
