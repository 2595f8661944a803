//! OAuth 2 on the wire (`-A oauth2`): getting the token a request needs before it is sent,
//! and renewing it once when the server calls it invalid.
//!
//! Every request here goes through the engine ([`Client::exchange`]) with the run's
//! network settings, except that redirects are never followed (a token request carries the
//! client's secret). With `-v`/`--all` each one is printed as an intermediary exchange,
//! secrets redacted (`oauth::form::redacted`, `oauth::reply::redacted`). The order of
//! preference when a token is needed: the one held (from the session) while it is more
//! than 30 s from expiring; else its refresh token; else the grant (`device.rs`,
//! `browser.rs` for the two that need a person). Every new token is saved in the session at
//! once.

mod browser;
mod device;

use std::io::{Read, Write};
use std::time::Duration;

use anyhow::Result;

use crate::auth::Secret;
use crate::engine::{self, Client, Exchange, Observer};
use crate::error::{fail, ExitCode};
use crate::oauth::form;
use crate::oauth::reply::{self, Refusal, Reply};
use crate::oauth::{self, Grant, OAuth, Token};
use crate::plan::Plan;
use crate::print::{BodyInfo, Printer, Sections};
use crate::request::{Header, Request};
use crate::state::State;

/// The most of a token endpoint's answer rq reads (they are a few hundred bytes).
const MAX_REPLY: u64 = 1 << 20;

/// Before `request` is sent: when OAuth 2 applies and `request` goes to the token's origin
/// without an `Authorization` header of its own, the token goes in, fetched first when
/// none is held or it is about to expire.
pub fn prepare<W: Write>(
    plan: &Plan,
    client: &Client,
    request: &mut Request,
    printer: &mut Printer<W>,
    state: &mut State,
) -> Result<()> {
    let Some(held) = state.oauth() else {
        return Ok(());
    };
    if request.header("authorization").is_some() || !held.goes_to(&request.url) {
        return Ok(());
    }
    let token = match held.token.as_ref().filter(|t| t.usable(oauth::now())) {
        Some(token) => token.access.clone(),
        None => Tokens::new(plan, client, printer).obtain(state)?.access,
    };
    set_bearer(request, &token);
    Ok(())
}

/// After a final response: when it is a 401 whose `WWW-Authenticate: Bearer` challenge
/// says `error="invalid_token"` to the token rq sent, the token is renewed (once per run)
/// and the request to send again is returned.
pub fn renew<W: Write>(
    plan: &Plan,
    client: &Client,
    exchange: &Exchange,
    printer: &mut Printer<W>,
    state: &mut State,
) -> Result<Option<Request>> {
    let Some(held) = state.oauth().and_then(|o| o.token.as_ref()) else {
        return Ok(None);
    };
    let sent = exchange.request.header("authorization");
    let ours = format!("Bearer {}", held.access.expose());
    let replayable = exchange
        .request
        .body
        .as_ref()
        .is_none_or(|b| b.replayable());
    if exchange.head.status != http::StatusCode::UNAUTHORIZED
        || !invalid_token(&exchange.head)
        || sent.is_none_or(|h| h.value != ours.as_bytes())
        || !replayable
        || !state.token_refused()
    {
        return Ok(None);
    }
    let token = Tokens::new(plan, client, printer).obtain(state)?;
    let mut again = exchange.request.clone();
    set_bearer(&mut again, &token.access);
    Ok(Some(again))
}

/// A `Bearer` challenge with `error="invalid_token"` (RFC 6750 §3.1) among the head's.
fn invalid_token(head: &engine::Head) -> bool {
    let values = head.headers.get_all(http::header::WWW_AUTHENTICATE);
    values.iter().any(|v| {
        let v = String::from_utf8_lossy(v.as_bytes()).to_ascii_lowercase();
        let v = v.trim_start();
        v.starts_with("bearer")
            && v.split([',', ' ']).any(|p| {
                let p = p.trim().trim_start_matches("bearer").trim();
                p.replace('"', "") == "error=invalid_token"
            })
    })
}

/// Put `Authorization: Bearer TOKEN` in `request`, where rq's own auth header goes (after
/// `Accept`), or replace the one there.
fn set_bearer(request: &mut Request, token: &Secret) {
    let value = format!("Bearer {}", token.expose()).into_bytes();
    if let Some(h) = request.headers.iter_mut().find(|h| h.is("authorization")) {
        h.value = value;
        return;
    }
    let at = request.headers.iter().position(|h| h.is("accept"));
    let at = at.map_or(request.headers.len(), |i| i + 1);
    request
        .headers
        .insert(at, Header::new("Authorization", value));
}

/// Token requests through the engine, printed as intermediaries with `-v`.
pub(crate) struct Tokens<'a, W: Write> {
    client: Client,
    printer: &'a mut Printer<W>,
    history: Option<Sections>,
    /// How long a second of device-grant waiting lasts (a testing knob).
    second: Duration,
}

impl<'a, W: Write> Tokens<'a, W> {
    fn new(plan: &Plan, client: &Client, printer: &'a mut Printer<W>) -> Self {
        // Never follow a redirect with the client's secret in the request.
        let settings = engine::Settings {
            follow: false,
            ..client.settings().clone()
        };
        Tokens {
            client: Client::new(settings),
            printer,
            history: plan.output.history,
            second: plan.oauth2_second,
        }
    }

    /// A new token for the held state: refreshed when there is a refresh token, else
    /// from the grant; saved in the session at once.
    fn obtain(&mut self, state: &mut State) -> Result<Token> {
        self.discover(state)?;
        let held = state.oauth().expect("OAuth 2 applies").clone();
        let what = endpoint_name(&held);
        let mut refused: Option<(Secret, Refusal)> = None;
        if let Some(refresh) = held.token.as_ref().and_then(|t| t.refresh.clone()) {
            match self.token(form::refresh(&held, &refresh)?, &what)? {
                Reply::Granted(token) => return keep(state, token, Some(refresh)),
                // Expired or revoked: the grant gets a new one.
                Reply::Refused(r) if r.error == "invalid_grant" => {
                    state.refresh_refused();
                    refused = Some((refresh, r));
                }
                Reply::Refused(r) => return Err(r.into_error(&what)),
            }
        }
        let (token, used) = match held.grant() {
            Grant::ClientCredentials => {
                (self.granted(form::client_credentials(&held)?, &what)?, None)
            }
            Grant::RefreshToken => {
                let given = held.options.refresh_token.clone();
                let given = match (given, refused) {
                    (Some(g), Some((r, _))) if g != r => g,
                    (Some(g), None) => g,
                    (_, Some((_, why))) => return Err(why.into_error(&what)),
                    (None, None) => {
                        return Err(crate::error::usage(
                            "--oauth2-grant refresh-token needs --oauth2-refresh-token TOKEN",
                        ))
                    }
                };
                let token = self.granted(form::refresh(&held, &given)?, &what)?;
                (token, Some(given))
            }
            Grant::DeviceCode => (device::run(self, &held, &what)?, None),
            Grant::AuthorizationCode => (browser::run(self, &held, &what)?, None),
        };
        keep(state, token, used)
    }

    /// Read the issuer's discovery document when an endpoint the grant needs is missing.
    fn discover(&mut self, state: &mut State) -> Result<()> {
        let held = state.oauth().expect("OAuth 2 applies");
        let Some(issuer) = held.options.issuer.clone().filter(|_| held.undiscovered()) else {
            return Ok(());
        };
        let (status, body) = self.send(form::discovery(&issuer)?)?;
        state.oauth_endpoints(reply::discovery(status, &body, &issuer)?);
        let held = state.oauth().expect("OAuth 2 applies");
        if held.undiscovered() {
            return Err(fail(
                ExitCode::Error,
                format!(
                    "the discovery document of {issuer} names no endpoint for the {} grant: \
                     give it with --oauth2-token-url, --oauth2-device-url or --oauth2-auth-url",
                    held.grant().name()
                ),
            ));
        }
        Ok(())
    }

    /// A token request that must be granted.
    fn granted(&mut self, request: Request, what: &str) -> Result<Token> {
        match self.token(request, what)? {
            Reply::Granted(token) => Ok(token),
            Reply::Refused(r) => Err(r.into_error(what)),
        }
    }

    /// A token request and the server's answer.
    fn token(&mut self, request: Request, what: &str) -> Result<Reply<Token>> {
        let (status, body) = self.send(request)?;
        reply::token(status, &body, oauth::now(), what)
    }

    /// Send `request` and read the answer, printing both (redacted) with `-v`.
    fn send(&mut self, request: Request) -> Result<(u16, Vec<u8>)> {
        let mut shown = Shown {
            printer: self.printer,
            history: self.history,
        };
        let exchange = self.client.exchange(request, &mut shown)?;
        let mut body = Vec::new();
        let mut reader = exchange.body.decoded(&exchange.head).reader;
        reader.by_ref().take(MAX_REPLY).read_to_end(&mut body)?;
        let Some(sections) = self.history else {
            return Ok((exchange.head.status.as_u16(), body));
        };
        self.printer.start_response(Sections {
            meta: false,
            ..sections
        })?;
        if sections.response_headers {
            self.printer.response_head(&exchange.head)?;
        }
        if sections.response_body {
            let shown = reply::redacted(&body);
            let content_type = exchange.head.headers.get(http::header::CONTENT_TYPE);
            let info = BodyInfo {
                content_type: content_type.map(|v| String::from_utf8_lossy(v.as_bytes()).into()),
                content_length: Some(shown.len() as u64),
                stream: false,
            };
            self.printer.response_body(&mut &shown[..], &info)?;
        }
        self.printer.end_response()?;
        Ok((exchange.head.status.as_u16(), body))
    }
}

/// Keep `token`, with the refresh token it was got with when the server issued no new one
/// (RFC 6749 §6: the old one stays good then).
fn keep(state: &mut State, mut token: Token, used: Option<Secret>) -> Result<Token> {
    if token.refresh.is_none() {
        token.refresh = used;
    }
    state.token_received(token.clone())?;
    Ok(token)
}

/// "the token endpoint HOST[:PORT]", for messages.
fn endpoint_name(held: &OAuth) -> String {
    match &held.endpoints.token {
        Some(url) => format!("the token endpoint {}", crate::target::host_header(url)),
        None => "the token endpoint".into(),
    }
}

/// A server's text for the terminal: control characters dropped.
fn shown(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

/// Prints the (redacted) token requests as intermediaries.
struct Shown<'p, W: Write> {
    printer: &'p mut Printer<W>,
    history: Option<Sections>,
}

impl<W: Write> Observer for Shown<'_, W> {
    fn sending(&mut self, request: &Request, _hop: u32, version: http::Version) -> Result<()> {
        match self.history {
            Some(sections) => {
                let shown = form::redacted(request);
                self.printer.request_as(&shown, sections, Some(version))
            }
            None => Ok(()),
        }
    }

    fn intermediate(&mut self, _exchange: Exchange) -> Result<()> {
        // Redirects are not followed and no challenge is answered here.
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(challenges: &[&str]) -> engine::Head {
        let mut b = http::Response::builder().status(401);
        for c in challenges {
            b = b.header("WWW-Authenticate", *c);
        }
        b.body(()).unwrap().into_parts().0
    }

    #[test]
    fn only_an_invalid_token_challenge_renews_the_token() {
        for (challenges, want) in [
            (&[r#"Bearer error="invalid_token""#][..], true),
            (
                &[r#"Bearer realm="api", error="invalid_token", error_description="expired""#],
                true,
            ),
            (
                &[r#"Basic realm="x""#, r#"bearer error=invalid_token"#],
                true,
            ),
            (&[r#"Bearer realm="api""#], false),
            (&[r#"Bearer error="insufficient_scope""#], false),
            (&[r#"Basic error="invalid_token""#], false),
            (&[], false),
        ] {
            assert_eq!(invalid_token(&head(challenges)), want, "{challenges:?}");
        }
    }

    #[test]
    fn the_bearer_header_goes_after_accept_or_replaces_the_old_one() {
        let url = url::Url::parse("http://a.test/").unwrap();
        let mut r = Request {
            method: "GET".into(),
            headers: vec![
                Header::host(&url),
                Header::new("Accept", "*/*"),
                Header::new("X", "1"),
            ],
            url,
            raw_path: None,
            body: None,
        };
        set_bearer(&mut r, &Secret::new("t1"));
        assert_eq!(r.headers[2].name, "Authorization");
        set_bearer(&mut r, &Secret::new("t2"));
        assert_eq!(r.headers[2].value, b"Bearer t2");
        assert_eq!(r.headers.len(), 4);
    }
}
