//! An OAuth 2 token in a session file. The session's `auth` object gets `"type": "oauth2"`,
//! the client as `raw_auth` (only when `-a` was given with `--session`, like any
//! credentials), and an `oauth2` object written here: the options the token was fetched
//! with, the origin it goes to, and the token with its expiry as a unix time.
//!
//! ```json
//! "auth": {"type": "oauth2", "raw_auth": "id:secret", "oauth2": {
//!     "grant": "client-credentials", "token_url": "https://id.example/token",
//!     "client_id": "id", "origin": "https://api.example",
//!     "access_token": "…", "refresh_token": "…", "expires_at": 1767225600}}
//! ```

use serde_json::{Map, Value};
use url::Url;

use super::{ClientAuth, Grant, Key, OAuth, Options, Token};
use crate::auth::Secret;

/// What a session holds about OAuth 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// The options the token was fetched with (used when `-A oauth2` is not given again).
    pub options: Options,
    pub client_id: String,
    pub origin: Option<Url>,
    pub token: Option<Token>,
}

impl Stored {
    pub fn key(&self) -> Key {
        self.options.key(&self.client_id)
    }
}

/// Read the `oauth2` object; what is missing or malformed is left out.
pub fn read(fields: &Map<String, Value>) -> Stored {
    let text = |k: &str| fields.get(k).and_then(Value::as_str).map(str::to_string);
    let url = |k: &str| text(k).and_then(|t| Url::parse(&t).ok());
    let options = Options {
        grant: text("grant").and_then(|g| Grant::from_name(&g)),
        token_url: url("token_url"),
        issuer: url("issuer"),
        device_url: url("device_url"),
        auth_url: url("auth_url"),
        scope: text("scope"),
        audience: text("audience"),
        client_auth: match text("client_auth").as_deref() {
            Some("post") => Some(ClientAuth::Post),
            Some("basic") => Some(ClientAuth::Basic),
            _ => None,
        },
        refresh_token: None,
        redirect_port: fields
            .get("redirect_port")
            .and_then(Value::as_u64)
            .and_then(|p| u16::try_from(p).ok())
            .unwrap_or(0),
    };
    let token = text("access_token").map(|access| Token {
        access: Secret::new(access),
        refresh: text("refresh_token").map(Secret::new),
        expires_at: fields.get("expires_at").and_then(Value::as_i64),
    });
    Stored {
        options,
        client_id: text("client_id").unwrap_or_default(),
        origin: url("origin"),
        token,
    }
}

/// The `oauth2` object for `oauth`'s options and token.
pub fn write(oauth: &OAuth) -> Map<String, Value> {
    let o = &oauth.options;
    let mut fields = Map::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            fields.insert(k.into(), Value::String(v));
        }
    };
    put("grant", Some(oauth.grant().name().into()));
    put("token_url", o.token_url.as_ref().map(Url::to_string));
    put("issuer", o.issuer.as_ref().map(Url::to_string));
    put("device_url", o.device_url.as_ref().map(Url::to_string));
    put("auth_url", o.auth_url.as_ref().map(Url::to_string));
    put("scope", o.scope.clone());
    put("audience", o.audience.clone());
    put("client_auth", o.client_auth.map(|a| a.name().into()));
    put("client_id", Some(oauth.client.id.clone()));
    put("origin", Some(oauth.origin.origin().ascii_serialization()));
    if let Some(t) = &oauth.token {
        put("access_token", Some(t.access.expose().into()));
        put(
            "refresh_token",
            t.refresh.as_ref().map(|r| r.expose().into()),
        );
        if let Some(at) = t.expires_at {
            fields.insert("expires_at".into(), Value::from(at));
        }
    }
    if o.redirect_port != 0 {
        fields.insert("redirect_port".into(), Value::from(o.redirect_port));
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::Client;

    #[test]
    fn write_then_read_keeps_options_origin_and_token() {
        let options = Options {
            grant: Some(Grant::DeviceCode),
            token_url: Some(Url::parse("https://id.test/token").unwrap()),
            device_url: Some(Url::parse("https://id.test/device").unwrap()),
            scope: Some("a b".into()),
            client_auth: Some(ClientAuth::Post),
            ..Options::default()
        };
        let client = Client {
            id: "cid".into(),
            secret: Some(Secret::new("never-stored-here")),
        };
        let api = Url::parse("https://api.test:8443/v1/x").unwrap();
        let mut oauth = OAuth::new(options.clone(), client, &api).unwrap();
        oauth.token = Some(Token {
            access: Secret::new("a"),
            refresh: Some(Secret::new("r")),
            expires_at: Some(1_767_225_600),
        });
        let fields = write(&oauth);
        let text = serde_json::to_string(&fields).unwrap();
        assert!(!text.contains("never-stored-here"), "{text}");
        let stored = read(&fields);
        assert_eq!(stored.options, options);
        assert_eq!(stored.client_id, "cid");
        assert_eq!(
            stored.origin.as_ref().unwrap().as_str(),
            "https://api.test:8443/"
        );
        assert_eq!(stored.token, oauth.token);
        assert_eq!(stored.key(), oauth.key());
    }

    #[test]
    fn a_malformed_object_reads_as_no_token() {
        let fields: Map<String, Value> =
            serde_json::from_str(r#"{"access_token": 3, "token_url": "not a url"}"#).unwrap();
        let stored = read(&fields);
        assert_eq!(stored.token, None);
        assert_eq!(stored.options.token_url, None);
    }
}
