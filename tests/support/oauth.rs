//! An OAuth 2 authorization server and a protected API for the `-A oauth2` tests, on the
//! loopback [`Server`]. It checks what a real one checks: the client's credentials (Basic or
//! in the form), refresh tokens (rotated: each is good once), the device grant's polling
//! (it counts polls and notes when they came), and the PKCE verifier of an authorization
//! code against the challenge the browser brought. Tokens are `at-N` and `rt-N`, numbered in
//! issue order, so tests can say which one was used.
//!
//! - `POST /token`: every grant; `POST /device`: device authorization;
//! - `GET /authorize`: what a browser gets after signing in: a 302 to the redirect URI with
//!   a code and the state;
//! - `GET /.well-known/openid-configuration`: the discovery document;
//! - `GET /api`: 200 for a live access token, else 401 with a Bearer `invalid_token` challenge.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;

use super::server::{parse_pairs, percent_decode, Request, Response, Server};

pub const CLIENT_ID: &str = "cid";
pub const CLIENT_SECRET: &str = "csecret";
/// A public client: no secret.
pub const PUBLIC_CLIENT: &str = "pub";
/// A refresh token the server knows from the start.
pub const SEED_REFRESH: &str = "rt-seed";

/// What the server does and what it has seen. Tests change the knobs between runs.
#[derive(Debug)]
pub struct Authority {
    /// `expires_in` of new access tokens; `None` leaves it out.
    pub lifetime: Option<u64>,
    /// Issue a refresh token with each access token (rotating the one used).
    pub issue_refresh: bool,
    /// Device grant: `authorization_pending` answers before the approval.
    pub pending: usize,
    /// Device grant: the poll (1-based) answered with `slow_down`.
    pub slow_down_at: Option<usize>,
    /// Device grant: answer `expired_token` instead of approving.
    pub expire_device: bool,
    /// Device grant: the `interval` the device response names.
    pub interval: u64,
    /// Every token request's `grant_type`, in order.
    pub grants: Vec<String>,
    /// When each device-grant poll arrived.
    pub polls: Vec<Instant>,
    /// The `Authorization` header of each `/api` request.
    pub api_calls: Vec<Option<String>>,
    /// Live access tokens and refresh tokens.
    pub access: HashSet<String>,
    pub refresh: HashSet<String>,
    /// Codes handed to the browser: code → (challenge, redirect URI, client id).
    codes: HashMap<String, (String, String, String)>,
    issued: usize,
    base: String,
}

impl Authority {
    /// Forget every access token, as a server does when it revokes them.
    pub fn revoke_access_tokens(&mut self) {
        self.access.clear();
    }
}

/// The server and its shared state.
pub struct AuthServer {
    pub server: Server,
    state: Arc<Mutex<Authority>>,
}

impl AuthServer {
    pub fn start() -> AuthServer {
        let state = Arc::new(Mutex::new(Authority {
            lifetime: Some(3600),
            issue_refresh: true,
            pending: 0,
            slow_down_at: None,
            expire_device: false,
            interval: 1,
            grants: Vec::new(),
            polls: Vec::new(),
            api_calls: Vec::new(),
            access: HashSet::new(),
            refresh: HashSet::from([SEED_REFRESH.to_string()]),
            codes: HashMap::new(),
            issued: 0,
            base: String::new(),
        }));
        let shared = state.clone();
        let server = Server::http(move |r| handle(&mut lock(&shared), r));
        lock(&state).base = server.url("");
        AuthServer { server, state }
    }

    pub fn url(&self, path: &str) -> String {
        self.server.url(path)
    }

    pub fn state(&self) -> MutexGuard<'_, Authority> {
        lock(&self.state)
    }

    /// The grant types of the token requests so far.
    pub fn grants(&self) -> Vec<String> {
        self.state().grants.clone()
    }

    /// The `Authorization` headers `/api` received.
    pub fn api_calls(&self) -> Vec<Option<String>> {
        self.state().api_calls.clone()
    }
}

fn lock(m: &Mutex<Authority>) -> MutexGuard<'_, Authority> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn handle(s: &mut Authority, r: &Request) -> Response {
    match (r.method.as_str(), r.path.as_str()) {
        ("POST", "/token") => token(s, r),
        ("POST", "/device") => device(s, r),
        ("GET", "/authorize") => authorize(s, r),
        ("GET", "/.well-known/openid-configuration") => Response::new(200).json(&format!(
            r#"{{"issuer":"{b}","token_endpoint":"{b}/token","device_authorization_endpoint":"{b}/device","authorization_endpoint":"{b}/authorize"}}"#,
            b = s.base
        )),
        ("GET", "/api") => api(s, r),
        _ => Response::new(404).text("no such endpoint"),
    }
}

fn api(s: &mut Authority, r: &Request) -> Response {
    let auth = r.header("authorization").map(str::to_string);
    s.api_calls.push(auth.clone());
    let token = auth.as_deref().and_then(|a| a.strip_prefix("Bearer "));
    match token {
        Some(t) if s.access.contains(t) => Response::new(200).json(r#"{"ok": true}"#),
        _ => Response::new(401)
            .header(
                "WWW-Authenticate",
                r#"Bearer realm="api", error="invalid_token", error_description="unknown or expired""#,
            )
            .json(r#"{"ok": false}"#),
    }
}

fn error(status: u16, error: &str, description: &str) -> Response {
    Response::new(status).json(&format!(
        r#"{{"error":"{error}","error_description":"{description}"}}"#
    ))
}

/// The client a token or device request authenticates as, or the error to answer.
fn client(r: &Request, form: &HashMap<String, String>) -> Result<String, Response> {
    let basic = r
        .header("authorization")
        .and_then(|a| a.strip_prefix("Basic "));
    let (id, secret) = match basic {
        Some(b64) => {
            let pair = String::from_utf8(STANDARD.decode(b64).unwrap()).unwrap();
            let (id, secret) = pair.split_once(':').unwrap();
            (percent_decode(id), Some(percent_decode(secret)))
        }
        None => (
            form.get("client_id").cloned().unwrap_or_default(),
            form.get("client_secret").cloned(),
        ),
    };
    match (id.as_str(), secret.as_deref()) {
        (CLIENT_ID, Some(CLIENT_SECRET)) | (PUBLIC_CLIENT, None) => Ok(id),
        _ => Err(error(401, "invalid_client", "client authentication failed")),
    }
}

fn issue(s: &mut Authority) -> Response {
    s.issued += 1;
    let access = format!("at-{}", s.issued);
    s.access.insert(access.clone());
    let mut body = format!(r#"{{"access_token":"{access}","token_type":"Bearer""#);
    if let Some(lifetime) = s.lifetime {
        body.push_str(&format!(r#","expires_in":{lifetime}"#));
    }
    if s.issue_refresh {
        let refresh = format!("rt-{}", s.issued);
        s.refresh.insert(refresh.clone());
        body.push_str(&format!(r#","refresh_token":"{refresh}""#));
    }
    body.push('}');
    Response::new(200)
        .header("Cache-Control", "no-store")
        .json(&body)
}

fn token(s: &mut Authority, r: &Request) -> Response {
    let form: HashMap<String, String> = parse_pairs(r.body_str()).into_iter().collect();
    let grant = form.get("grant_type").cloned().unwrap_or_default();
    s.grants.push(grant.clone());
    let client = match client(r, &form) {
        Ok(c) => c,
        Err(response) => return response,
    };
    match grant.as_str() {
        "client_credentials" if client == CLIENT_ID => issue(s),
        "refresh_token" => {
            let given = form.get("refresh_token").cloned().unwrap_or_default();
            // Rotation: a refresh token is good once.
            if !s.refresh.remove(&given) {
                return error(400, "invalid_grant", "unknown refresh token");
            }
            issue(s)
        }
        "urn:ietf:params:oauth:grant-type:device_code" => poll(s, &form),
        "authorization_code" => code(s, &form, &client),
        _ => error(400, "unsupported_grant_type", "no such grant here"),
    }
}

fn device(s: &mut Authority, r: &Request) -> Response {
    let form: HashMap<String, String> = parse_pairs(r.body_str()).into_iter().collect();
    if let Err(response) = client(r, &form) {
        return response;
    }
    Response::new(200).json(&format!(
        r#"{{"device_code":"dc-1","user_code":"WDJB-MJHT","verification_uri":"{b}/activate","verification_uri_complete":"{b}/activate?user_code=WDJB-MJHT","expires_in":1800,"interval":{i}}}"#,
        b = s.base,
        i = s.interval
    ))
}

fn poll(s: &mut Authority, form: &HashMap<String, String>) -> Response {
    assert_eq!(form.get("device_code").map(String::as_str), Some("dc-1"));
    s.polls.push(Instant::now());
    let n = s.polls.len();
    if s.slow_down_at == Some(n) {
        return error(400, "slow_down", "polling too fast");
    }
    if s.expire_device {
        return error(400, "expired_token", "the device code expired");
    }
    let answered = s.polls.len() - usize::from(s.slow_down_at.is_some_and(|at| at <= n));
    if answered <= s.pending {
        return error(400, "authorization_pending", "not yet approved");
    }
    issue(s)
}

fn authorize(s: &mut Authority, r: &Request) -> Response {
    let q: HashMap<String, String> = r.query_pairs().into_iter().collect();
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["code_challenge_method"], "S256");
    let code = format!("code-{}", s.codes.len() + 1);
    let entry = (
        q["code_challenge"].clone(),
        q["redirect_uri"].clone(),
        q["client_id"].clone(),
    );
    s.codes.insert(code.clone(), entry);
    let to = format!("{}?code={code}&state={}", q["redirect_uri"], q["state"]);
    Response::new(302).header("Location", &to)
}

fn code(s: &mut Authority, form: &HashMap<String, String>, client: &str) -> Response {
    let given = form.get("code").cloned().unwrap_or_default();
    let Some((challenge, redirect, owner)) = s.codes.remove(&given) else {
        return error(400, "invalid_grant", "unknown code");
    };
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    let digest = ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes());
    if URL_SAFE_NO_PAD.encode(digest.as_ref()) != challenge {
        return error(400, "invalid_grant", "PKCE verification failed");
    }
    if form.get("redirect_uri") != Some(&redirect) || owner != client {
        return error(400, "invalid_grant", "redirect_uri or client mismatch");
    }
    issue(s)
}
