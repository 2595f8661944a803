//! The requests OAuth 2 sends, as plain [`Request`]s for the engine: token requests for each
//! grant (RFC 6749 §4.1.3, §4.4, §6; RFC 8628 §3.4), the device authorization request
//! (RFC 8628 §3.1), the browser's authorization URL (RFC 7636 §4.3) and the OpenID
//! discovery request. Also their redacted copies, which is what `-v` prints.

use anyhow::Result;
use url::form_urlencoded::{byte_serialize, Serializer};
use url::Url;

use super::{ClientAuth, Grant, OAuth};
use crate::auth::Secret;
use crate::error::{fail, ExitCode};
use crate::request::{Header, Request, ACCEPT_ENCODING, USER_AGENT};
use crate::upload::Body;

/// Form fields whose values are secrets: printed as `(redacted)`.
const SECRET_FIELDS: [&str; 6] = [
    "client_secret",
    "refresh_token",
    "code",
    "code_verifier",
    "device_code",
    "assertion",
];

/// `grant_type` of the device grant (RFC 8628 §3.4).
pub const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The client-credentials token request.
pub fn client_credentials(oauth: &OAuth) -> Result<Request> {
    let mut fields = vec![("grant_type", "client_credentials".to_string())];
    wanted(oauth, &mut fields);
    token_request(oauth, fields)
}

/// A token request with `refresh`.
pub fn refresh(oauth: &OAuth, refresh: &Secret) -> Result<Request> {
    let fields = vec![
        ("grant_type", "refresh_token".to_string()),
        ("refresh_token", refresh.expose().to_string()),
    ];
    token_request(oauth, fields)
}

/// The device authorization request, which asks for a user code.
pub fn device_authorization(oauth: &OAuth) -> Result<Request> {
    let url = endpoint(&oauth.endpoints.device, "device authorization")?;
    let mut fields = Vec::new();
    wanted(oauth, &mut fields);
    Ok(post(oauth, url, fields))
}

/// One poll of the token endpoint for the device grant.
pub fn device_poll(oauth: &OAuth, device_code: &Secret) -> Result<Request> {
    let fields = vec![
        ("grant_type", DEVICE_GRANT.to_string()),
        ("device_code", device_code.expose().to_string()),
    ];
    token_request(oauth, fields)
}

/// The authorization code exchanged for a token, with the PKCE verifier.
pub fn code_exchange(
    oauth: &OAuth,
    code: &Secret,
    redirect_uri: &str,
    verifier: &Secret,
) -> Result<Request> {
    let fields = vec![
        ("grant_type", "authorization_code".to_string()),
        ("code", code.expose().to_string()),
        ("redirect_uri", redirect_uri.to_string()),
        ("code_verifier", verifier.expose().to_string()),
    ];
    token_request(oauth, fields)
}

/// The URL the browser is sent to: the authorization endpoint with the request's
/// parameters added to any it has.
pub fn authorization_url(
    oauth: &OAuth,
    redirect_uri: &str,
    state: &str,
    challenge: &str,
) -> Result<Url> {
    let mut url = endpoint(&oauth.endpoints.auth, "authorization")?.clone();
    let mut fields = vec![
        ("response_type", "code".to_string()),
        ("client_id", oauth.client.id.clone()),
        ("redirect_uri", redirect_uri.to_string()),
        ("state", state.to_string()),
        ("code_challenge", challenge.to_string()),
        ("code_challenge_method", "S256".to_string()),
    ];
    wanted(oauth, &mut fields);
    url.query_pairs_mut().extend_pairs(fields);
    Ok(url)
}

/// The first request a grant sends, for `--curl`: the discovery request when an endpoint
/// has to be discovered, else the token request (with placeholders for what only the
/// sign-in brings), or the device authorization request.
pub fn first_request(oauth: &OAuth) -> Result<Request> {
    match (&oauth.options.issuer, oauth.grant()) {
        (Some(issuer), _) if oauth.undiscovered() => discovery(issuer),
        (_, Grant::ClientCredentials) => client_credentials(oauth),
        (_, Grant::RefreshToken) => {
            let held = oauth.token.as_ref().and_then(|t| t.refresh.as_ref());
            let given = oauth.options.refresh_token.as_ref();
            let placeholder = Secret::new("(refresh token)");
            refresh(oauth, held.or(given).unwrap_or(&placeholder))
        }
        (_, Grant::DeviceCode) => device_authorization(oauth),
        (_, Grant::AuthorizationCode) => {
            let port = oauth.options.redirect_port;
            let redirect = format!("http://127.0.0.1:{port}/callback");
            let (code, verifier) = (Secret::new("(code)"), Secret::new("(code verifier)"));
            code_exchange(oauth, &code, &redirect, &verifier)
        }
    }
}

/// `GET ISSUER/.well-known/openid-configuration` (OpenID Connect Discovery §4).
pub fn discovery(issuer: &Url) -> Result<Request> {
    let base = issuer.as_str().trim_end_matches('/');
    let url = Url::parse(&format!("{base}/.well-known/openid-configuration")).map_err(|e| {
        fail(
            ExitCode::Usage,
            format!("--oauth2-issuer '{issuer}' gives no discovery URL: {e}"),
        )
    })?;
    Ok(Request {
        method: "GET".into(),
        headers: base_headers(&url),
        url,
        raw_path: None,
        body: None,
    })
}

/// The copy of a token request `-v` prints: the client's Basic credentials and the secret
/// form fields replaced by `(redacted)`.
pub fn redacted(req: &Request) -> Request {
    let mut shown = req.clone();
    for h in &mut shown.headers {
        if h.is("authorization") {
            let scheme = h.value.split(|b| *b == b' ').next().unwrap_or_default();
            h.value = [scheme, b" (redacted)"].concat();
        }
    }
    if let Some(Body::Bytes(body)) = &req.body {
        let text = String::from_utf8_lossy(body);
        let pairs = text.split('&').map(|pair| {
            let name = pair.split('=').next().unwrap_or("");
            match SECRET_FIELDS.contains(&name) {
                true => format!("{name}=(redacted)"),
                false => pair.to_string(),
            }
        });
        shown.body = Some(Body::Bytes(
            pairs.collect::<Vec<_>>().join("&").into_bytes(),
        ));
    }
    shown
}

/// `scope` and `audience`, when given.
fn wanted(oauth: &OAuth, fields: &mut Vec<(&'static str, String)>) {
    if let Some(scope) = &oauth.options.scope {
        fields.push(("scope", scope.clone()));
    }
    if let Some(audience) = &oauth.options.audience {
        fields.push(("audience", audience.clone()));
    }
}

fn endpoint<'a>(url: &'a Option<Url>, what: &str) -> Result<&'a Url> {
    url.as_ref().ok_or_else(|| {
        fail(
            ExitCode::Usage,
            format!("no {what} endpoint: give its URL, or an --oauth2-issuer that names it"),
        )
    })
}

fn token_request(oauth: &OAuth, fields: Vec<(&'static str, String)>) -> Result<Request> {
    let url = endpoint(&oauth.endpoints.token, "token")?;
    Ok(post(oauth, url, fields))
}

/// A form POST to `url` with the client's credentials, as `--oauth2-client-auth` says.
fn post(oauth: &OAuth, url: &Url, mut fields: Vec<(&'static str, String)>) -> Request {
    let client = &oauth.client;
    let auth = oauth.options.client_auth.unwrap_or_default();
    let mut headers = base_headers(url);
    match (&client.secret, auth) {
        (Some(secret), ClientAuth::Basic) => {
            // RFC 6749 §2.3.1: both parts form-encoded before they are joined.
            let id: String = byte_serialize(client.id.as_bytes()).collect();
            let secret: String = byte_serialize(secret.expose().as_bytes()).collect();
            headers.push(Header::new(
                "Authorization",
                crate::auth::basic(&id, &secret),
            ));
        }
        (Some(secret), ClientAuth::Post) => {
            fields.push(("client_id", client.id.clone()));
            fields.push(("client_secret", secret.expose().to_string()));
        }
        // A public client names itself.
        (None, _) => fields.push(("client_id", client.id.clone())),
    }
    let body = Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
        .into_bytes();
    headers.push(Header::new(
        "Content-Type",
        "application/x-www-form-urlencoded",
    ));
    headers.push(Header::new("Content-Length", body.len().to_string()));
    Request {
        method: "POST".into(),
        url: url.clone(),
        raw_path: None,
        headers,
        body: Some(Body::Bytes(body)),
    }
}

fn base_headers(url: &Url) -> Vec<Header> {
    vec![
        Header::host(url),
        Header::new("User-Agent", USER_AGENT),
        Header::new("Accept-Encoding", ACCEPT_ENCODING),
        Header::new("Accept", "application/json"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::{Client, Options};

    fn oauth(secret: Option<&str>, auth: ClientAuth) -> OAuth {
        let options = Options {
            token_url: Some(Url::parse("http://as.test/token").unwrap()),
            auth_url: Some(Url::parse("http://as.test/authorize?tenant=x").unwrap()),
            scope: Some("read write".into()),
            client_auth: Some(auth),
            ..Options::default()
        };
        let client = Client {
            id: "my app".into(),
            secret: secret.map(Secret::new),
        };
        OAuth::new(options, client, &Url::parse("http://api.test/").unwrap()).unwrap()
    }

    fn body(r: &Request) -> String {
        match &r.body {
            Some(Body::Bytes(b)) => String::from_utf8(b.clone()).unwrap(),
            _ => panic!("no body"),
        }
    }

    #[test]
    fn client_credentials_with_basic_auth_form_encodes_the_client() {
        let r = client_credentials(&oauth(Some("s:c/t"), ClientAuth::Basic)).unwrap();
        assert_eq!(r.method, "POST");
        assert_eq!(body(&r), "grant_type=client_credentials&scope=read+write");
        let auth = r.header("authorization").unwrap();
        assert_eq!(auth.value, crate::auth::basic("my+app", "s%3Ac%2Ft"));
        assert_eq!(r.header("content-length").unwrap().value, b"46");
    }

    #[test]
    fn post_auth_and_public_clients_put_the_client_in_the_body() {
        let r = client_credentials(&oauth(Some("sec"), ClientAuth::Post)).unwrap();
        assert!(r.header("authorization").is_none());
        assert!(body(&r).ends_with("&client_id=my+app&client_secret=sec"));
        let r = refresh(&oauth(None, ClientAuth::Basic), &Secret::new("r1")).unwrap();
        assert_eq!(
            body(&r),
            "grant_type=refresh_token&refresh_token=r1&client_id=my+app"
        );
    }

    #[test]
    fn the_authorization_url_keeps_its_query_and_carries_pkce() {
        let url = authorization_url(
            &oauth(None, ClientAuth::Basic),
            "http://127.0.0.1:9/callback",
            "st",
            "ch",
        )
        .unwrap();
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("tenant"), Some("x"));
        assert_eq!(get("response_type"), Some("code"));
        assert_eq!(get("redirect_uri"), Some("http://127.0.0.1:9/callback"));
        assert_eq!(get("code_challenge_method"), Some("S256"));
        assert_eq!(get("code_challenge"), Some("ch"));
        assert_eq!(get("state"), Some("st"));
        assert_eq!(get("scope"), Some("read write"));
    }

    #[test]
    fn redacted_copies_hide_every_secret() {
        let o = oauth(Some("sekrit"), ClientAuth::Post);
        let r =
            code_exchange(&o, &Secret::new("c0de"), "http://x/cb", &Secret::new("v3r")).unwrap();
        let shown = body(&redacted(&r));
        for secret in ["sekrit", "c0de", "v3r"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("code=(redacted)"), "{shown}");
        assert!(shown.contains("grant_type=authorization_code"), "{shown}");
        let r = client_credentials(&oauth(Some("sekrit"), ClientAuth::Basic)).unwrap();
        let shown = redacted(&r);
        assert_eq!(
            shown.header("authorization").unwrap().value,
            b"Basic (redacted)"
        );
    }

    #[test]
    fn discovery_reads_the_well_known_document_under_the_issuer() {
        for issuer in ["https://id.test/realms/x", "https://id.test/realms/x/"] {
            let r = discovery(&Url::parse(issuer).unwrap()).unwrap();
            assert_eq!(
                r.url.as_str(),
                "https://id.test/realms/x/.well-known/openid-configuration"
            );
        }
    }
}
