//! Credentials: the [`Secret`] type, what `-a`/`-A`/`--bearer`, `user:pass@` and a session's
//! `auth` mean, the password prompt, and answering Digest challenges.
//!
//! Basic and Bearer are sent with the first request (preemptively, like httpie and curl);
//! Digest waits for the server's `401` and its `WWW-Authenticate: Digest …` challenge
//! (RFC 7616: MD5, SHA-256 and their `-sess` forms, `qop=auth` preferred). Which origin a set
//! of credentials may go to is decided per hop in `state.rs`.

use std::fmt;

use anyhow::Result;

use crate::error::{fail, usage, ExitCode};

/// A password, token or cookie value. `Debug` never shows it, so `--debug` cannot leak it.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, for the wire or the session file.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(redacted)")
    }
}

/// The authentication schemes of `-A` and of a session file's `auth.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Basic,
    Digest,
    Bearer,
}

impl Scheme {
    /// The name a session file uses.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Basic => "basic",
            Scheme::Digest => "digest",
            Scheme::Bearer => "bearer",
        }
    }

    pub fn from_name(name: &str) -> Option<Scheme> {
        match name.to_ascii_lowercase().as_str() {
            "basic" => Some(Scheme::Basic),
            "digest" => Some(Scheme::Digest),
            "bearer" => Some(Scheme::Bearer),
            _ => None,
        }
    }
}

/// One set of credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// Basic or Digest.
    Password {
        scheme: Scheme,
        user: String,
        pass: Secret,
    },
    Bearer(Secret),
}

impl Auth {
    /// Credentials from `USER[:PASS]` (or a token for Bearer); a missing password is asked
    /// for on the terminal. `what` names where they came from, for the error message.
    pub fn parse(scheme: Scheme, raw: &str, terminal: bool, what: &str) -> Result<Auth> {
        if scheme == Scheme::Bearer {
            return Ok(Auth::Bearer(Secret::new(raw)));
        }
        let (user, pass) = match raw.split_once(':') {
            Some((u, p)) => (u.to_string(), p.to_string()),
            None => (raw.to_string(), prompt_password(raw, terminal, what)?),
        };
        Ok(Auth::Password {
            scheme,
            user,
            pass: Secret::new(pass),
        })
    }

    pub fn scheme(&self) -> Scheme {
        match self {
            Auth::Password { scheme, .. } => *scheme,
            Auth::Bearer(_) => Scheme::Bearer,
        }
    }

    /// The `Authorization` value sent up front: Basic and Bearer. Digest has none until the
    /// server has challenged.
    pub fn header(&self) -> Option<Vec<u8>> {
        match self {
            Auth::Password {
                scheme: Scheme::Digest,
                ..
            } => None,
            Auth::Password { user, pass, .. } => Some(basic(user, pass.expose())),
            Auth::Bearer(token) => Some(format!("Bearer {}", token.expose()).into_bytes()),
        }
    }

    /// `raw_auth` as a session file stores it: `user:pass`, or the token.
    pub fn raw(&self) -> Secret {
        match self {
            Auth::Password { user, pass, .. } => Secret::new(format!("{user}:{}", pass.expose())),
            Auth::Bearer(token) => token.clone(),
        }
    }
}

/// `Basic base64(user:pass)`.
pub fn basic(user: &str, pass: &str) -> Vec<u8> {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
    format!("Basic {encoded}").into_bytes()
}

/// Ask for `user`'s password on the terminal; without one, a usage error that says how to
/// pass it instead.
fn prompt_password(user: &str, terminal: bool, what: &str) -> Result<String> {
    if !terminal {
        return Err(usage(format!(
            "{what} {user}: password missing and no terminal to ask on; pass it as {what} {user}:PASSWORD"
        )));
    }
    rpassword::prompt_password(format!("password for {user}: "))
        .map_err(|e| usage(format!("{what} {user}: couldn't read the password: {e}")))
}

/// What a Digest answer is computed over.
pub struct DigestRequest<'a> {
    pub method: &'a str,
    /// The request-target exactly as sent (`/path?query`).
    pub uri: &'a str,
    pub body: Option<&'a [u8]>,
    /// Fixed client nonce, for tests; random otherwise.
    pub cnonce: Option<&'a str>,
}

/// The parameters of the first Digest challenge among `WWW-Authenticate` values.
fn digest_challenge<'a>(challenges: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    challenges.into_iter().find_map(|v| {
        let v = v.trim_start();
        let scheme = v.get(..6)?;
        scheme.eq_ignore_ascii_case("digest").then(|| &v[6..])
    })
}

/// The Digest challenge says `stale=true`: the nonce had expired, the credentials were right.
pub fn digest_is_stale<'a>(challenges: impl IntoIterator<Item = &'a str>) -> bool {
    digest_challenge(challenges)
        .and_then(|c| digest_auth::WwwAuthenticateHeader::parse(c).ok())
        .is_some_and(|prompt| prompt.stale)
}

/// The `Authorization` value answering the first `Digest` challenge among `challenges`
/// (the `WWW-Authenticate` values of a 401), or `None` when there is no Digest challenge.
pub fn digest_answer<'a>(
    challenges: impl IntoIterator<Item = &'a str>,
    user: &str,
    pass: &Secret,
    req: &DigestRequest<'_>,
    host: &str,
) -> Result<Option<String>> {
    use digest_auth::{AuthContext, HttpMethod, Qop, WwwAuthenticateHeader};
    let Some(challenge) = digest_challenge(challenges) else {
        return Ok(None);
    };
    let mut prompt = WwwAuthenticateHeader::parse(challenge).map_err(|e| {
        fail(
            ExitCode::Error,
            format!("couldn't answer the Digest challenge from {host}: {e}"),
        )
    })?;
    // qop=auth when offered: the body is not hashed (auth-int), as httpie and curl do.
    if let Some(qops) = &prompt.qop {
        if qops.contains(&Qop::AUTH) {
            prompt.qop = Some(vec![Qop::AUTH]);
        }
    }
    let method = HttpMethod(req.method.to_string().into());
    let mut context = AuthContext::new_with_method(user, pass.expose(), req.uri, req.body, method);
    if let Some(cnonce) = req.cnonce {
        context.set_custom_cnonce(cnonce);
    }
    let answer = prompt.respond(&context).map_err(|e| {
        fail(
            ExitCode::Error,
            format!("couldn't answer the Digest challenge from {host}: {e}"),
        )
    })?;
    Ok(Some(answer.to_header_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_debug_is_redacted() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "(redacted)");
        let a = Auth::parse(Scheme::Basic, "ann:hunter2", false, "-a").unwrap();
        assert!(!format!("{a:?}").contains("hunter2"));
        let b = Auth::parse(Scheme::Bearer, "tok-123", false, "-a").unwrap();
        assert!(!format!("{b:#?}").contains("tok-123"));
    }

    #[test]
    fn basic_and_bearer_are_preemptive_digest_is_not() {
        let a = Auth::parse(Scheme::Basic, "u:p", false, "-a").unwrap();
        assert_eq!(a.header().unwrap(), b"Basic dTpw");
        let b = Auth::parse(Scheme::Bearer, "t0k", false, "-a").unwrap();
        assert_eq!(b.header().unwrap(), b"Bearer t0k");
        let d = Auth::parse(Scheme::Digest, "u:p", false, "-a").unwrap();
        assert_eq!(d.header(), None);
        assert_eq!(d.raw().expose(), "u:p");
    }

    #[test]
    fn empty_password_after_colon_is_not_prompted() {
        let a = Auth::parse(Scheme::Basic, "u:", false, "-a").unwrap();
        assert_eq!(a.header().unwrap(), b"Basic dTo=");
    }

    #[test]
    fn missing_password_without_terminal_says_how_to_pass_it() {
        let err = Auth::parse(Scheme::Basic, "ann", false, "-a").unwrap_err();
        assert_eq!(crate::error::classify(&err), ExitCode::Usage);
        assert!(err.to_string().contains("-a ann:PASSWORD"), "{err}");
    }

    /// RFC 7616 §3.9.1: the same request answered with MD5 and with SHA-256.
    #[test]
    fn digest_answers_match_the_rfc_7616_examples() {
        let req = DigestRequest {
            method: "GET",
            uri: "/dir/index.html",
            body: None,
            cnonce: Some("f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"),
        };
        let pass = Secret::new("Circle of Life");
        for (algorithm, response) in [
            ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
            (
                "SHA-256",
                "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
            ),
        ] {
            let challenge = format!(
                r#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm={algorithm}, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#
            );
            let answer = digest_answer([challenge.as_str()], "Mufasa", &pass, &req, "x")
                .unwrap()
                .unwrap();
            assert!(
                answer.contains(&format!("response=\"{response}\"")),
                "{algorithm}: {answer}"
            );
            assert!(answer.contains("qop=auth,") || answer.contains("qop=auth"));
            assert!(!answer.contains("auth-int"), "{answer}");
            assert!(answer.contains("nc=00000001"), "{answer}");
        }
    }

    #[test]
    fn no_digest_challenge_means_no_answer() {
        let req = DigestRequest {
            method: "GET",
            uri: "/",
            body: None,
            cnonce: None,
        };
        let pass = Secret::new("p");
        let got = digest_answer([r#"Basic realm="x""#], "u", &pass, &req, "h").unwrap();
        assert_eq!(got, None);
    }

    #[test]
    fn a_broken_digest_challenge_is_an_error_naming_the_host() {
        let req = DigestRequest {
            method: "GET",
            uri: "/",
            body: None,
            cnonce: None,
        };
        let pass = Secret::new("p");
        let err = digest_answer([r#"Digest qop="auth""#], "u", &pass, &req, "a.test").unwrap_err();
        assert!(err.to_string().contains("a.test"), "{err}");
    }
}
