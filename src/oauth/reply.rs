//! What OAuth 2 servers answer: token responses and their errors (RFC 6749 §5.1, §5.2),
//! device authorization responses (RFC 8628 §3.2) and OpenID discovery documents; and the
//! redacted copy of a response body that `-v` prints.

use std::time::Duration;

use anyhow::Result;
use serde_json::{Map, Value};
use url::Url;

use super::{expiry, Endpoints, Token};
use crate::auth::Secret;
use crate::error::{fail, ExitCode};

/// Response fields whose values are secrets.
const SECRET_FIELDS: [&str; 4] = ["access_token", "refresh_token", "id_token", "device_code"];

/// A token endpoint's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply<T> {
    Granted(T),
    /// An OAuth error response: `error` and its `error_description`.
    Refused(Refusal),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub error: String,
    pub description: Option<String>,
}

impl Refusal {
    /// The one-line error for a refusal by `what` (exit 1).
    pub fn into_error(self, what: &str) -> anyhow::Error {
        let detail = match &self.description {
            Some(d) => format!(": {}", one_line(d)),
            None => String::new(),
        };
        fail(
            ExitCode::Error,
            format!("{what} refused: {}{detail}", one_line(&self.error)),
        )
    }
}

/// What a device authorization request returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCode {
    pub device_code: Secret,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    pub expires_in: Duration,
    /// Seconds between polls; 5 when the server does not say (RFC 8628 §3.2).
    pub interval: u64,
}

/// A token response with `status` and `body`, received at unix time `now`.
pub fn token(status: u16, body: &[u8], now: i64, what: &str) -> Result<Reply<Token>> {
    let fields = match object(status, body, what)? {
        Reply::Granted(fields) => fields,
        Reply::Refused(r) => return Ok(Reply::Refused(r)),
    };
    let text = |k: &str| fields.get(k).and_then(Value::as_str);
    let access = text("access_token")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            fail(
                ExitCode::Error,
                format!("{what} answered without an access_token"),
            )
        })?;
    let token_type = text("token_type").unwrap_or("Bearer");
    if !token_type.eq_ignore_ascii_case("bearer") {
        return Err(fail(
            ExitCode::Error,
            format!(
                "{what} issued a '{}' token: rq sends Bearer tokens only",
                one_line(token_type)
            ),
        ));
    }
    Ok(Reply::Granted(Token {
        access: Secret::new(access),
        refresh: text("refresh_token").map(Secret::new),
        expires_at: expiry(now, seconds(fields.get("expires_in"))),
    }))
}

/// A device authorization response.
pub fn device(status: u16, body: &[u8], what: &str) -> Result<Reply<DeviceCode>> {
    let fields = match object(status, body, what)? {
        Reply::Granted(fields) => fields,
        Reply::Refused(r) => return Ok(Reply::Refused(r)),
    };
    let text = |k: &str| fields.get(k).and_then(Value::as_str).map(str::to_string);
    let missing = |k: &str| fail(ExitCode::Error, format!("{what} answered without a {k}"));
    Ok(Reply::Granted(DeviceCode {
        device_code: Secret::new(text("device_code").ok_or_else(|| missing("device_code"))?),
        user_code: text("user_code").ok_or_else(|| missing("user_code"))?,
        // `verification_url`: the name Google's endpoint uses.
        verification_uri: text("verification_uri")
            .or_else(|| text("verification_url"))
            .ok_or_else(|| missing("verification_uri"))?,
        verification_uri_complete: text("verification_uri_complete"),
        expires_in: seconds(fields.get("expires_in")).unwrap_or(Duration::from_secs(1800)),
        interval: seconds(fields.get("interval")).map_or(5, |d| d.as_secs()),
    }))
}

/// The endpoints an OpenID discovery document names, checked against `issuer`.
pub fn discovery(status: u16, body: &[u8], issuer: &Url) -> Result<Endpoints> {
    let what = format!("the discovery document of {issuer}");
    let fields = match object(status, body, &what)? {
        Reply::Granted(fields) => fields,
        Reply::Refused(r) => return Err(r.into_error(&what)),
    };
    let named = fields.get("issuer").and_then(Value::as_str).unwrap_or("");
    if named.trim_end_matches('/') != issuer.as_str().trim_end_matches('/') {
        return Err(fail(
            ExitCode::Error,
            format!(
                "{what} names another issuer ('{}'): check --oauth2-issuer",
                one_line(named)
            ),
        ));
    }
    let url = |k: &str| -> Result<Option<Url>> {
        let Some(text) = fields.get(k).and_then(Value::as_str) else {
            return Ok(None);
        };
        let url = Url::parse(text)
            .map_err(|e| fail(ExitCode::Error, format!("{what}: {k} is not a URL: {e}")))?;
        Ok(Some(url))
    };
    Ok(Endpoints {
        token: url("token_endpoint")?,
        device: url("device_authorization_endpoint")?,
        auth: url("authorization_endpoint")?,
    })
}

/// The body `-v` shows for a token endpoint's answer: JSON with the secret fields replaced
/// by `"(redacted)"`; any other body as it came (a token endpoint answers JSON).
pub fn redacted(body: &[u8]) -> Vec<u8> {
    let Ok(Value::Object(mut fields)) = serde_json::from_slice::<Value>(body) else {
        return body.to_vec();
    };
    for name in SECRET_FIELDS {
        if let Some(v) = fields.get_mut(name) {
            *v = Value::String("(redacted)".into());
        }
    }
    serde_json::to_vec(&Value::Object(fields)).unwrap_or_default()
}

/// The JSON object of a successful answer, or the OAuth error of a refusal.
fn object(status: u16, body: &[u8], what: &str) -> Result<Reply<Map<String, Value>>> {
    let parsed = serde_json::from_slice::<Value>(body).ok();
    let fields = match parsed {
        Some(Value::Object(fields)) => Some(fields),
        _ => None,
    };
    if let Some(error) = fields.as_ref().and_then(|f| f.get("error")?.as_str()) {
        let description = fields
            .as_ref()
            .and_then(|f| f.get("error_description")?.as_str());
        return Ok(Reply::Refused(Refusal {
            error: error.to_string(),
            description: description.map(str::to_string),
        }));
    }
    match fields {
        Some(fields) if (200..300).contains(&status) => Ok(Reply::Granted(fields)),
        _ => {
            let reason = http::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("");
            let why = match (200..300).contains(&status) {
                true => "not a JSON object".to_string(),
                false => format!("HTTP {status} {reason}"),
            };
            Err(fail(ExitCode::Error, format!("{what} answered {why}")))
        }
    }
}

/// A number of seconds, as a JSON number or a string of digits (some servers quote it).
fn seconds(v: Option<&Value>) -> Option<Duration> {
    let n = match v? {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    (n >= 0.0 && n.is_finite()).then(|| Duration::from_secs(n as u64))
}

/// A server's text on one line, control characters dropped.
fn one_line(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const WHAT: &str = "the token endpoint";

    #[test]
    fn a_token_response_gives_the_token_its_expiry_and_refresh_token() {
        let body = br#"{"access_token":"a1","token_type":"bearer","expires_in":"60","refresh_token":"r1"}"#;
        let Reply::Granted(t) = token(200, body, 1000, WHAT).unwrap() else {
            panic!("refused")
        };
        assert_eq!(t.access.expose(), "a1");
        assert_eq!(t.refresh.unwrap().expose(), "r1");
        assert_eq!(t.expires_at, Some(1060));
        let body = br#"{"access_token":"a1"}"#;
        let Reply::Granted(t) = token(200, body, 1000, WHAT).unwrap() else {
            panic!("refused")
        };
        assert_eq!(t.expires_at, None);
    }

    #[test]
    fn an_error_response_is_one_line_with_the_description() {
        let body = br#"{"error":"invalid_grant","error_description":"refresh token\nexpired"}"#;
        let Reply::Refused(r) = token(400, body, 0, WHAT).unwrap() else {
            panic!("granted")
        };
        let err = r.into_error(WHAT);
        assert_eq!(crate::error::classify(&err), ExitCode::Error);
        assert_eq!(
            err.to_string(),
            "the token endpoint refused: invalid_grant: refresh tokenexpired"
        );
    }

    #[test]
    fn answers_that_are_no_token_are_errors() {
        for (status, body, why) in [
            (500, &b"oops"[..], "HTTP 500 Internal Server Error"),
            (200, b"[]", "not a JSON object"),
            (
                200,
                br#"{"token_type":"bearer"}"#,
                "without an access_token",
            ),
            (
                200,
                br#"{"access_token":"x","token_type":"mac"}"#,
                "Bearer tokens only",
            ),
        ] {
            let err = token(status, body, 0, WHAT).unwrap_err();
            assert!(err.to_string().contains(why), "{err}");
        }
    }

    #[test]
    fn a_device_response_defaults_the_interval_to_five_seconds() {
        let body = br#"{"device_code":"d","user_code":"U-1","verification_url":"https://x/d"}"#;
        let Reply::Granted(d) = device(200, body, WHAT).unwrap() else {
            panic!("refused")
        };
        assert_eq!(d.interval, 5);
        assert_eq!(d.verification_uri, "https://x/d");
        assert_eq!(d.user_code, "U-1");
    }

    #[test]
    fn discovery_checks_the_issuer() {
        let issuer = Url::parse("https://id.test/r/").unwrap();
        let body = br#"{"issuer":"https://id.test/r","token_endpoint":"https://id.test/t"}"#;
        let e = discovery(200, body, &issuer).unwrap();
        assert_eq!(e.token.unwrap().as_str(), "https://id.test/t");
        assert_eq!(e.device, None);
        let body = br#"{"issuer":"https://evil.test/","token_endpoint":"https://evil.test/t"}"#;
        assert!(discovery(200, body, &issuer).is_err());
    }

    #[test]
    fn redacted_bodies_keep_everything_but_the_tokens() {
        let body = br#"{"access_token":"a1","expires_in":60,"refresh_token":"r1","scope":"s"}"#;
        let shown = String::from_utf8(redacted(body)).unwrap();
        assert_eq!(
            shown,
            r#"{"access_token":"(redacted)","expires_in":60,"refresh_token":"(redacted)","scope":"s"}"#
        );
    }
}
