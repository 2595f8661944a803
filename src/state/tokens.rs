//! The OAuth 2 part of the per-run state: which client and options apply (`-A oauth2`, or
//! the session's when it holds a token and no other credentials are given), the token the
//! session had for them, and every new token saved at once (a refresh token the server
//! rotated is only good in the new form).

use anyhow::Result;
use url::Url;

use super::{Session, State};
use crate::auth::Secret;
use crate::error::usage;
use crate::oauth::{self, store, Client, Endpoints, Grant, OAuth, Token};
use crate::session::OAuth2Auth;

impl State {
    /// Settle OAuth 2 for a run whose first request goes to `url`; true when it applies.
    /// `url_auth`: the URL carried credentials (which then win over a session's token).
    pub(super) fn open_oauth(&mut self, url: &Url, url_auth: bool) -> Result<bool> {
        let stored = self.session.as_ref().and_then(|s| s.file.oauth2.clone());
        let saved = stored.as_ref().map(|s| store::read(&s.state));
        let others = self.opts.bearer.is_some() || self.opts.auth.is_some() || url_auth;
        let options = match (&self.opts.oauth, &saved) {
            (Some(options), _) => options.clone(),
            (None, Some(saved)) if !others && self.opts.scheme.is_none() => saved.options.clone(),
            _ => return Ok(false),
        };
        let raw = match &self.opts.auth {
            Some(given) => Some(given.clone()),
            None => stored.and_then(|s| s.raw_auth),
        };
        let mut client = client(raw, options.grant(), self.opts.terminal)?;
        if client.id.is_empty() {
            client.id = saved
                .as_ref()
                .map(|s| s.client_id.clone())
                .unwrap_or_default();
        }
        let mut oauth = OAuth::new(options, client, url)?;
        let same = |s: &store::Stored| {
            s.key() == oauth.key() && s.origin.as_ref().map(Url::origin) == Some(url.origin())
        };
        if let Some(saved) = saved.filter(same) {
            oauth.token = saved.token;
        }
        let refresh = oauth.token.as_ref().and_then(|t| t.refresh.as_ref());
        if oauth.grant() == Grant::RefreshToken
            && oauth.options.refresh_token.is_none()
            && refresh.is_none()
        {
            return Err(usage(
                "--oauth2-grant refresh-token needs --oauth2-refresh-token TOKEN (once: a \
                 --session keeps the tokens it is rotated into)",
            ));
        }
        if let (Some(s), Some(_)) = (&mut self.session, &self.opts.auth) {
            let c = &oauth.client;
            let raw = match &c.secret {
                Some(secret) => format!("{}:{}", c.id, secret.expose()),
                None => c.id.clone(),
            };
            s.oauth_client = Some(Secret::new(raw));
        }
        self.oauth = Some(oauth);
        Ok(true)
    }

    /// `--offline` and `--curl` show a placeholder where the token would go.
    pub(super) fn oauth_placeholder(&self, oauth: &OAuth, url: &Url) -> Option<Vec<u8>> {
        let shown = !self.opts.sends && oauth.goes_to(url);
        shown.then(|| oauth::PLACEHOLDER.as_bytes().to_vec())
    }

    /// The OAuth 2 state, when `-A oauth2` (or the session's token) applies.
    pub fn oauth(&self) -> Option<&OAuth> {
        self.oauth.as_ref()
    }

    /// The token endpoint's (or the discovery document's) endpoints are now known.
    pub fn oauth_endpoints(&mut self, found: Endpoints) {
        if let Some(o) = &mut self.oauth {
            let e = &mut o.endpoints;
            e.token = e.token.take().or(found.token);
            e.device = e.device.take().or(found.device);
            e.auth = e.auth.take().or(found.auth);
        }
    }

    /// Forget the held token (the server refused it), keeping its refresh token; returns
    /// false when it was renewed once already this run.
    pub fn token_refused(&mut self) -> bool {
        let Some(o) = &mut self.oauth else {
            return false;
        };
        if o.renewed {
            return false;
        }
        o.renewed = true;
        if let Some(t) = &mut o.token {
            t.expires_at = Some(i64::MIN);
        }
        true
    }

    /// A new token: kept for the rest of the run and saved in the session at once.
    pub fn token_received(&mut self, token: Token) -> Result<()> {
        if let Some(o) = &mut self.oauth {
            o.token = Some(token);
        }
        self.save()
    }

    /// Drop the held refresh token (the server no longer takes it).
    pub fn refresh_refused(&mut self) {
        if let Some(t) = self.oauth.as_mut().and_then(|o| o.token.as_mut()) {
            t.refresh = None;
        }
    }
}

/// The session's `auth` for `oauth`: the client only as it was given with `-a` (now or
/// when the session was made), and the token.
pub(super) fn entry(oauth: &OAuth, session: &Session) -> OAuth2Auth {
    let earlier = session
        .file
        .oauth2
        .as_ref()
        .and_then(|o| o.raw_auth.clone());
    OAuth2Auth {
        raw_auth: session.oauth_client.clone().or(earlier),
        state: store::write(oauth),
    }
}

/// The client from `-a CLIENT_ID[:SECRET]`. The client-credentials grant needs a secret,
/// asked for on the terminal when missing; the other grants work for public clients too.
fn client(raw: Option<Secret>, grant: Grant, terminal: bool) -> Result<Client> {
    let Some(raw) = raw else {
        return Ok(Client {
            id: String::new(),
            secret: None,
        });
    };
    let (id, secret) = match raw.expose().split_once(':') {
        Some((id, secret)) => (id.to_string(), secret.to_string()),
        None if grant == Grant::ClientCredentials => {
            let id = raw.expose().to_string();
            let secret = prompt_secret(&id, terminal)?;
            (id, secret)
        }
        None => (raw.expose().to_string(), String::new()),
    };
    Ok(Client {
        id,
        secret: (!secret.is_empty()).then(|| Secret::new(secret)),
    })
}

/// Ask for `id`'s client secret on the terminal; without one, a usage error that says how
/// to pass it instead.
fn prompt_secret(id: &str, terminal: bool) -> Result<String> {
    if !terminal {
        return Err(usage(format!(
            "-a {id}: the client secret is missing and there is no terminal to ask on; pass \
             it as -a {id}:SECRET"
        )));
    }
    crate::prompt::secret(&format!("client secret for {id}: "))
        .map_err(|e| crate::prompt::failed(e, &format!("-a {id}: couldn't read the client secret")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_secret_is_asked_for_only_by_client_credentials() {
        let raw = || Some(Secret::new("app"));
        let public = client(raw(), Grant::DeviceCode, false).unwrap();
        assert_eq!(public.id, "app");
        assert_eq!(public.secret, None);
        let err = client(raw(), Grant::ClientCredentials, false).unwrap_err();
        assert_eq!(crate::error::classify(&err), crate::error::ExitCode::Usage);
        let given = client(
            Some(Secret::new("app:s:x")),
            Grant::ClientCredentials,
            false,
        );
        assert_eq!(given.unwrap().secret, Some(Secret::new("s:x")));
    }
}
