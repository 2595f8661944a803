//! OAuth 2 as data: which grant, which endpoints, which client, and the token this run holds
//! (`-A oauth2`, SPEC §5). Nothing here sends anything: `form.rs` builds the requests a grant
//! needs as plain [`Request`]s, `reply.rs` reads what the server answered, `pkce.rs` makes the
//! PKCE verifier and the `state` value, and `store.rs` keeps a token in the session file's
//! `auth` object. The requests go through the engine in `authorize/`, one layer up.
//!
//! A token belongs to the origin of the run's first request, like any credential given on the
//! command line; the token endpoint may be another origin. It is reused until
//! [`EXPIRY_MARGIN`] before it expires, then refreshed with its refresh token when it has
//! one, else fetched again with the grant.

pub mod form;
pub mod pkce;
pub mod reply;
pub mod store;

use std::time::Duration;

use anyhow::Result;
use url::Url;

use crate::auth::Secret;
use crate::error::usage;
use crate::target::same_origin_for_credentials;

/// A token is not sent once it is this close to expiring: the request could arrive late.
pub const EXPIRY_MARGIN: i64 = 30;

/// The value `--offline` and `--curl` show instead of a token they never fetch.
pub const PLACEHOLDER: &str = "Bearer (token)";

/// How a token is obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    ClientCredentials,
    RefreshToken,
    DeviceCode,
    AuthorizationCode,
}

impl Grant {
    /// The name the session file uses (the option's value).
    pub fn name(self) -> &'static str {
        match self {
            Grant::ClientCredentials => "client-credentials",
            Grant::RefreshToken => "refresh-token",
            Grant::DeviceCode => "device-code",
            Grant::AuthorizationCode => "authorization-code",
        }
    }

    pub fn from_name(name: &str) -> Option<Grant> {
        [
            Grant::ClientCredentials,
            Grant::RefreshToken,
            Grant::DeviceCode,
            Grant::AuthorizationCode,
        ]
        .into_iter()
        .find(|g| g.name() == name)
    }
}

/// How the client secret reaches the token endpoint (RFC 6749 §2.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientAuth {
    /// `Authorization: Basic` (client_secret_basic), the default.
    #[default]
    Basic,
    /// `client_id` and `client_secret` in the form body (client_secret_post).
    Post,
}

impl ClientAuth {
    pub fn name(self) -> &'static str {
        match self {
            ClientAuth::Basic => "basic",
            ClientAuth::Post => "post",
        }
    }
}

/// What the command line (or a session) says about OAuth 2; built by the plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// `--oauth2-grant`; `None`: refresh-token when a refresh token is given, else
    /// client-credentials.
    pub grant: Option<Grant>,
    pub token_url: Option<Url>,
    /// `--oauth2-issuer`: endpoints not given are discovered from it.
    pub issuer: Option<Url>,
    pub device_url: Option<Url>,
    pub auth_url: Option<Url>,
    pub scope: Option<String>,
    pub audience: Option<String>,
    pub client_auth: Option<ClientAuth>,
    /// `--oauth2-refresh-token`.
    pub refresh_token: Option<Secret>,
    /// `--oauth2-redirect-port` (0: any free port).
    pub redirect_port: u16,
}

impl Options {
    /// The grant these options ask for.
    pub fn grant(&self) -> Grant {
        match (self.grant, &self.refresh_token) {
            (Some(g), _) => g,
            (None, Some(_)) => Grant::RefreshToken,
            (None, None) => Grant::ClientCredentials,
        }
    }

    /// What a cached token was fetched for: it is reused only under the same key.
    pub fn key(&self, client_id: &str) -> Key {
        let endpoint = self.token_url.as_ref().or(self.issuer.as_ref());
        Key {
            endpoint: endpoint.map_or(String::new(), Url::to_string),
            client_id: client_id.to_string(),
            scope: self.scope.clone(),
            audience: self.audience.clone(),
        }
    }
}

/// What a token was fetched for (see [`Options::key`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub endpoint: String,
    pub client_id: String,
    pub scope: Option<String>,
    pub audience: Option<String>,
}

/// The client: `-a CLIENT_ID[:SECRET]`. No secret means a public client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub id: String,
    pub secret: Option<Secret>,
}

/// An access token and what came with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub access: Secret,
    pub refresh: Option<Secret>,
    /// Unix time it expires at, when the server said (`expires_in`).
    pub expires_at: Option<i64>,
}

impl Token {
    /// Still good to send at unix time `now` (more than [`EXPIRY_MARGIN`] left).
    pub fn usable(&self, now: i64) -> bool {
        self.expires_at.is_none_or(|at| now + EXPIRY_MARGIN < at)
    }
}

/// The endpoints in use, given or discovered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Endpoints {
    pub token: Option<Url>,
    pub device: Option<Url>,
    pub auth: Option<Url>,
}

/// The per-run OAuth 2 state: kept by the per-run state, used by `authorize/`.
#[derive(Debug, Clone)]
pub struct OAuth {
    pub options: Options,
    pub client: Client,
    pub endpoints: Endpoints,
    /// The origin tokens are sent to: the run's first request's.
    pub origin: Url,
    pub token: Option<Token>,
    /// A token was refused with `invalid_token` and renewed already (once per run).
    pub renewed: bool,
}

impl OAuth {
    /// Check that the options name everything the grant needs (usage errors, exit 64,
    /// before anything is sent). `origin` is the first request's URL.
    pub fn new(options: Options, client: Client, origin: &Url) -> Result<OAuth> {
        let grant = options.grant();
        let discover = options.issuer.is_some();
        if options.token_url.is_none() && !discover {
            return Err(usage(
                "-A oauth2 needs the token endpoint: --oauth2-token-url URL, or \
                 --oauth2-issuer URL to discover it",
            ));
        }
        let endpoint = match grant {
            Grant::DeviceCode => Some(("--oauth2-device-url", options.device_url.is_some())),
            Grant::AuthorizationCode => Some(("--oauth2-auth-url", options.auth_url.is_some())),
            _ => None,
        };
        if let Some((option, false)) = endpoint.filter(|_| !discover) {
            return Err(usage(format!(
                "--oauth2-grant {} needs {option} URL (or --oauth2-issuer URL)",
                grant.name()
            )));
        }
        if client.id.is_empty() {
            return Err(usage("-A oauth2 needs the client: -a CLIENT_ID[:SECRET]"));
        }
        let endpoints = Endpoints {
            token: options.token_url.clone(),
            device: options.device_url.clone(),
            auth: options.auth_url.clone(),
        };
        Ok(OAuth {
            options,
            client,
            endpoints,
            origin: origin.clone(),
            token: None,
            renewed: false,
        })
    }

    pub fn grant(&self) -> Grant {
        self.options.grant()
    }

    pub fn key(&self) -> Key {
        self.options.key(&self.client.id)
    }

    /// The token to send to `url` at unix time `now`, if one is held, still good, and
    /// `url` is the origin it belongs to.
    pub fn header_for(&self, url: &Url, now: i64) -> Option<Vec<u8>> {
        let token = self.token.as_ref().filter(|t| t.usable(now))?;
        self.goes_to(url)
            .then(|| format!("Bearer {}", token.access.expose()).into_bytes())
    }

    /// Tokens go to their origin only (the same rule as any credential given).
    pub fn goes_to(&self, url: &Url) -> bool {
        same_origin_for_credentials(&self.origin, url)
    }

    /// The endpoints the grant needs that are neither given nor discovered yet.
    pub fn undiscovered(&self) -> bool {
        let e = &self.endpoints;
        e.token.is_none()
            || match self.grant() {
                Grant::DeviceCode => e.device.is_none(),
                Grant::AuthorizationCode => e.auth.is_none(),
                _ => false,
            }
    }
}

/// The current unix time, in seconds.
pub fn now() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    since.map_or(0, |d| d.as_secs() as i64)
}

/// `expires_in` seconds from `now`, as a unix time.
pub fn expiry(now: i64, expires_in: Option<Duration>) -> Option<i64> {
    expires_in.map(|d| now.saturating_add(d.as_secs().min(i64::MAX as u64) as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn client() -> Client {
        Client {
            id: "cid".into(),
            secret: Some(Secret::new("sec")),
        }
    }

    #[test]
    fn the_grant_is_implied_by_a_refresh_token() {
        let mut o = Options::default();
        assert_eq!(o.grant(), Grant::ClientCredentials);
        o.refresh_token = Some(Secret::new("r"));
        assert_eq!(o.grant(), Grant::RefreshToken);
        o.grant = Some(Grant::DeviceCode);
        assert_eq!(o.grant(), Grant::DeviceCode);
    }

    #[test]
    fn missing_endpoints_and_client_are_usage_errors() {
        let origin = url("http://api.test/");
        let check = |o: Options, c: Client, want: &str| {
            let err = OAuth::new(o, c, &origin).unwrap_err();
            assert_eq!(crate::error::classify(&err), crate::error::ExitCode::Usage);
            assert!(err.to_string().contains(want), "{err}");
        };
        check(Options::default(), client(), "--oauth2-token-url");
        let token = Options {
            token_url: Some(url("http://as.test/token")),
            ..Options::default()
        };
        let device = Options {
            grant: Some(Grant::DeviceCode),
            ..token.clone()
        };
        check(device, client(), "--oauth2-device-url");
        let code = Options {
            grant: Some(Grant::AuthorizationCode),
            ..token.clone()
        };
        check(code, client(), "--oauth2-auth-url");
        let nobody = Client {
            id: String::new(),
            secret: None,
        };
        check(token, nobody, "-a CLIENT_ID");
        let issuer = Options {
            grant: Some(Grant::DeviceCode),
            issuer: Some(url("http://as.test/")),
            ..Options::default()
        };
        assert!(OAuth::new(issuer, client(), &origin)
            .unwrap()
            .undiscovered());
    }

    #[test]
    fn a_token_is_sent_to_its_origin_until_shortly_before_it_expires() {
        let options = Options {
            token_url: Some(url("http://as.test/token")),
            ..Options::default()
        };
        let mut o = OAuth::new(options, client(), &url("http://api.test/x")).unwrap();
        o.token = Some(Token {
            access: Secret::new("t"),
            refresh: None,
            expires_at: Some(1000),
        });
        let api = url("http://api.test/other");
        assert_eq!(o.header_for(&api, 900).unwrap(), b"Bearer t");
        assert_eq!(o.header_for(&api, 1000 - EXPIRY_MARGIN), None);
        assert_eq!(o.header_for(&url("http://as.test/"), 900), None);
        assert_eq!(o.header_for(&url("http://api.test:81/"), 900), None);
    }

    #[test]
    fn debug_never_shows_the_secret_or_the_tokens() {
        let t = Token {
            access: Secret::new("acc3ss"),
            refresh: Some(Secret::new("r3fresh")),
            expires_at: None,
        };
        let shown = format!("{:?} {:?}", client(), t);
        for secret in ["sec\"", "acc3ss", "r3fresh"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}
