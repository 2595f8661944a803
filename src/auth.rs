//! Credentials: the [`Secret`] type, what `-a`/`-A`/`--bearer`, `user:pass@` and a session's
//! `auth` mean, the password prompt, and answering Digest challenges.
//!
//! Basic and Bearer are sent with the first request (preemptively, like httpie and curl);
//! Digest waits for the server's `401` and its `WWW-Authenticate: Digest …` challenge
//! (RFC 7616: MD5, SHA-256, SHA-512-256, and SHA-512 beside them, each also `-sess`;
//! `qop=auth` preferred). Which origin a set
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
    /// for on the terminal, naming `host` (`host[:port]`, where the credentials go). `what`
    /// names where they came from, for the error message.
    pub fn parse(
        scheme: Scheme,
        raw: &str,
        terminal: bool,
        what: &str,
        host: &str,
    ) -> Result<Auth> {
        if scheme == Scheme::Bearer {
            return Ok(Auth::Bearer(Secret::new(raw)));
        }
        let (user, pass) = match raw.split_once(':') {
            Some((u, p)) => (u.to_string(), p.to_string()),
            None => (raw.to_string(), prompt_password(raw, terminal, what, host)?),
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

/// Ask for `user`'s password at `host` on the terminal (httpie's `user@host` wording, so
/// it is clear which server gets it); without a terminal, a usage error that says how to
/// pass it instead.
fn prompt_password(user: &str, terminal: bool, what: &str, host: &str) -> Result<String> {
    if !terminal {
        return Err(usage(format!(
            "{what} {user}: password missing and no terminal to ask on; pass it as {what} {user}:PASSWORD"
        )));
    }
    crate::prompt::secret(&format!("password for {user}@{host}: ")).map_err(|e| {
        crate::prompt::failed(e, &format!("{what} {user}: couldn't read the password"))
    })
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

/// The hash functions a Digest challenge can name: RFC 7616's registry (MD5, SHA-256,
/// SHA-512-256) and SHA-512, which some servers offer; each also in its `-sess` form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DigestHash {
    Md5,
    Sha256,
    Sha512_256,
    Sha512,
}

impl DigestHash {
    /// The algorithm a challenge names (case-insensitively), and whether it is `-sess`.
    fn parse(name: &str) -> Option<(DigestHash, bool)> {
        let lower = name.to_ascii_lowercase();
        let (base, sess) = match lower.strip_suffix("-sess") {
            Some(base) => (base, true),
            None => (lower.as_str(), false),
        };
        let hash = match base {
            "md5" => DigestHash::Md5,
            "sha-256" => DigestHash::Sha256,
            "sha-512-256" => DigestHash::Sha512_256,
            "sha-512" => DigestHash::Sha512,
            _ => return None,
        };
        Some((hash, sess))
    }

    fn name(self) -> &'static str {
        match self {
            DigestHash::Md5 => "MD5",
            DigestHash::Sha256 => "SHA-256",
            DigestHash::Sha512_256 => "SHA-512-256",
            DigestHash::Sha512 => "SHA-512",
        }
    }

    /// `H(data)` as lower-case hex.
    fn hex(self, data: &[u8]) -> String {
        use sha2::Digest as _;
        let bytes = match self {
            DigestHash::Md5 => md5::Md5::digest(data).to_vec(),
            DigestHash::Sha256 => sha2::Sha256::digest(data).to_vec(),
            DigestHash::Sha512_256 => sha2::Sha512_256::digest(data).to_vec(),
            DigestHash::Sha512 => sha2::Sha512::digest(data).to_vec(),
        };
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// One challenge of a `WWW-Authenticate` value: its scheme and its parameters (names
/// lower-cased, quoted values unescaped), in order.
#[derive(Debug, Default)]
struct Challenge {
    scheme: String,
    params: Vec<(String, String)>,
}

impl Challenge {
    fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }
}

/// The challenges in one `WWW-Authenticate` value (RFC 9110 §11.6.1): `Scheme a=b, c="d"`,
/// and more after a comma (`Basic realm="x", Digest realm="y", nonce="z"`).
fn challenges_in(value: &str) -> Vec<Challenge> {
    let mut out: Vec<Challenge> = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return out;
        }
        let end = rest
            .find(|c: char| c == '=' || c == ',' || c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let (token, after) = rest.split_at(end);
        let after = after.trim_start_matches([' ', '\t']);
        match (after.strip_prefix('='), out.last_mut()) {
            (Some(value), Some(challenge)) if !token.is_empty() => {
                let (value, next) = param_value(value.trim_start_matches([' ', '\t']));
                challenge.params.push((token.to_ascii_lowercase(), value));
                rest = next;
            }
            _ if token.is_empty() => rest = &after[1..], // a stray `=`
            _ => {
                out.push(Challenge {
                    scheme: token.to_string(),
                    params: Vec::new(),
                });
                rest = after;
            }
        }
    }
}

/// A parameter's value (a token, or a quoted string with `\` escapes) and what follows it.
fn param_value(s: &str) -> (String, &str) {
    let Some(quoted) = s.strip_prefix('"') else {
        let end = s.find([',', ' ', '\t']).unwrap_or(s.len());
        return (s[..end].to_string(), &s[end..]);
    };
    let mut value = String::new();
    let mut chars = quoted.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return (value, &quoted[i + 1..]),
            '\\' => value.extend(chars.next().map(|(_, c)| c)),
            c => value.push(c),
        }
    }
    (value, "") // unterminated: the rest of the value
}

/// The Digest challenges among `WWW-Authenticate` values, in the order the server sent them.
fn digest_challenges<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<Challenge> {
    values
        .into_iter()
        .flat_map(challenges_in)
        .filter(|c| c.scheme.eq_ignore_ascii_case("digest"))
        .collect()
}

/// The Digest challenge says `stale=true`: the nonce had expired, the credentials were right.
pub fn digest_is_stale<'a>(challenges: impl IntoIterator<Item = &'a str>) -> bool {
    digest_challenges(challenges)
        .iter()
        .any(|c| c.flag("stale"))
}

/// What to do about a 401's Digest challenges.
#[derive(Debug, PartialEq, Eq)]
pub enum DigestAnswer {
    /// No Digest challenge: nothing to answer.
    NoChallenge,
    /// The `Authorization` value that answers it.
    Answer(String),
    /// Every Digest challenge names a hash rq doesn't have (the names, as the server wrote
    /// them but with control characters escaped, for a warning): the 401 stands.
    Unsupported(Vec<String>),
}

/// Answer the first Digest challenge among `challenges` (the `WWW-Authenticate` values of a
/// 401) whose algorithm rq can compute: a server lists them in its order of preference
/// (RFC 7616 §3.7). A challenge without `realm` or `nonce` is an error naming `host`.
pub fn digest_answer<'a>(
    challenges: impl IntoIterator<Item = &'a str>,
    user: &str,
    pass: &Secret,
    req: &DigestRequest<'_>,
    host: &str,
) -> Result<DigestAnswer> {
    let all = digest_challenges(challenges);
    if all.is_empty() {
        return Ok(DigestAnswer::NoChallenge);
    }
    let named = |c: &Challenge| c.get("algorithm").unwrap_or("MD5").to_string();
    let Some((challenge, (hash, sess))) = all
        .iter()
        .find_map(|c| Some((c, DigestHash::parse(&named(c))?)))
    else {
        let shown = all.iter().map(|c| named(c).escape_debug().to_string());
        return Ok(DigestAnswer::Unsupported(shown.collect()));
    };
    let param = |name: &'static str| {
        challenge.get(name).ok_or_else(|| {
            fail(
                ExitCode::Error,
                format!("couldn't answer the Digest challenge from {host}: it has no {name}"),
            )
        })
    };
    let (realm, nonce) = (param("realm")?, param("nonce")?);
    let cnonce = match req.cnonce {
        Some(c) => c.to_string(),
        None => random_cnonce()?,
    };
    let qop = choose_qop(challenge.get("qop"), req.body.is_some());
    let mut a1 = format!("{user}:{realm}:{}", pass.expose());
    if sess {
        a1 = format!("{}:{nonce}:{cnonce}", hash.hex(a1.as_bytes()));
    }
    let mut a2 = format!("{}:{}", req.method, req.uri);
    if qop == Some("auth-int") {
        a2 = format!("{a2}:{}", hash.hex(req.body.unwrap_or_default()));
    }
    let (ha1, ha2) = (hash.hex(a1.as_bytes()), hash.hex(a2.as_bytes()));
    let response = match qop {
        Some(q) => hash.hex(format!("{ha1}:{nonce}:00000001:{cnonce}:{q}:{ha2}").as_bytes()),
        None => hash.hex(format!("{ha1}:{nonce}:{ha2}").as_bytes()),
    };
    let userhash = challenge.flag("userhash");
    let username = match userhash {
        true => hash.hex(format!("{user}:{realm}").as_bytes()),
        false => user.to_string(),
    };
    let mut out = format!(
        "Digest username={}, realm={}, nonce={}, uri={}",
        quote(&username),
        quote(realm),
        quote(nonce),
        quote(req.uri)
    );
    if let Some(q) = qop {
        out += &format!(", qop={q}, nc=00000001, cnonce={}", quote(&cnonce));
    }
    out += &format!(", response=\"{response}\"");
    if let Some(opaque) = challenge.get("opaque") {
        out += &format!(", opaque={}", quote(opaque));
    }
    let algorithm = format!("{}{}", hash.name(), if sess { "-sess" } else { "" });
    out += &format!(", algorithm={algorithm}");
    if userhash {
        out += ", userhash=true";
    }
    Ok(DigestAnswer::Answer(out))
}

/// `qop=auth` whenever offered (the body is not hashed, as httpie and curl do); `auth-int`
/// when it is all there is and the body is at hand; none for an RFC 2069 challenge.
fn choose_qop(offered: Option<&str>, body_at_hand: bool) -> Option<&'static str> {
    let offered: Vec<String> = offered?
        .split(',')
        .map(|q| q.trim().to_ascii_lowercase())
        .collect();
    if offered.iter().any(|q| q == "auth") || !body_at_hand {
        Some("auth")
    } else if offered.iter().any(|q| q == "auth-int") {
        Some("auth-int")
    } else {
        Some("auth")
    }
}

/// A quoted-string, with `"` and `\` escaped.
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// 16 random bytes in hex, for the client nonce.
fn random_cnonce() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).map_err(|e| {
        fail(
            ExitCode::Error,
            format!("no random numbers for Digest auth: {e}"),
        )
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_debug_is_redacted() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "(redacted)");
        let a = Auth::parse(Scheme::Basic, "ann:hunter2", false, "-a", "h").unwrap();
        assert!(!format!("{a:?}").contains("hunter2"));
        let b = Auth::parse(Scheme::Bearer, "tok-123", false, "-a", "h").unwrap();
        assert!(!format!("{b:#?}").contains("tok-123"));
    }

    #[test]
    fn basic_and_bearer_are_preemptive_digest_is_not() {
        let a = Auth::parse(Scheme::Basic, "u:p", false, "-a", "h").unwrap();
        assert_eq!(a.header().unwrap(), b"Basic dTpw");
        let b = Auth::parse(Scheme::Bearer, "t0k", false, "-a", "h").unwrap();
        assert_eq!(b.header().unwrap(), b"Bearer t0k");
        let d = Auth::parse(Scheme::Digest, "u:p", false, "-a", "h").unwrap();
        assert_eq!(d.header(), None);
        assert_eq!(d.raw().expose(), "u:p");
    }

    #[test]
    fn empty_password_after_colon_is_not_prompted() {
        let a = Auth::parse(Scheme::Basic, "u:", false, "-a", "h").unwrap();
        assert_eq!(a.header().unwrap(), b"Basic dTo=");
    }

    #[test]
    fn missing_password_without_terminal_says_how_to_pass_it() {
        let err = Auth::parse(Scheme::Basic, "ann", false, "-a", "h").unwrap_err();
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
            let answer = match digest_answer([challenge.as_str()], "Mufasa", &pass, &req, "x") {
                Ok(DigestAnswer::Answer(a)) => a,
                other => panic!("{algorithm}: {other:?}"),
            };
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
        assert_eq!(got, DigestAnswer::NoChallenge);
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

    /// RFC 7616 §3.9.2: SHA-512-256 with a hashed user name; and SHA-512, which is not in
    /// the RFC, by the same formulas.
    #[test]
    fn digest_answers_sha_512_256_with_userhash_and_sha_512() {
        let req = DigestRequest {
            method: "GET",
            uri: "/doe.json",
            body: None,
            cnonce: Some("NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v"),
        };
        let pass = Secret::new("Secret, or not?");
        let challenge = r#"Digest realm="api@example.org", qop="auth", algorithm=SHA-512-256, nonce="5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK", opaque="HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS", charset=UTF-8, userhash=true"#;
        let user = "J\u{e4}s\u{f8}n Doe";
        let answer = match digest_answer([challenge], user, &pass, &req, "x").unwrap() {
            DigestAnswer::Answer(a) => a,
            other => panic!("{other:?}"),
        };
        assert!(
            answer.contains(
                r#"username="793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b""#
            ),
            "{answer}"
        );
        assert!(
            answer.contains(
                r#"response="3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5""#
            ),
            "{answer}"
        );
        assert!(answer.contains("userhash=true"), "{answer}");
        assert!(answer.contains("algorithm=SHA-512-256"), "{answer}");
        // SHA-512 (lower-case in the challenge, as some servers write it), checked against
        // the formulas computed here.
        let challenge = r#"Digest realm="r", qop="auth", algorithm=sha-512, nonce="n""#;
        let answer = match digest_answer([challenge], "u", &pass, &req, "x").unwrap() {
            DigestAnswer::Answer(a) => a,
            other => panic!("{other:?}"),
        };
        let h = DigestHash::Sha512;
        let ha1 = h.hex(b"u:r:Secret, or not?");
        let ha2 = h.hex(b"GET:/doe.json");
        let want = h.hex(format!("{ha1}:n:00000001:{}:auth:{ha2}", req.cnonce.unwrap()).as_bytes());
        assert_eq!(want.len(), 128);
        assert!(
            answer.contains(&format!(r#"response="{want}""#)),
            "{answer}"
        );
        assert!(answer.contains("algorithm=SHA-512"), "{answer}");
    }

    #[test]
    fn the_first_challenge_rq_can_compute_is_answered() {
        let req = DigestRequest {
            method: "GET",
            uri: "/",
            body: None,
            cnonce: Some("c"),
        };
        let pass = Secret::new("p");
        let answer = |values: &[&str]| digest_answer(values.iter().copied(), "u", &pass, &req, "h");
        let got = answer(&[
            r#"Digest realm="r", nonce="n", algorithm=SHA3-256"#,
            r#"Basic realm="r", Digest realm="r", nonce="n", algorithm=SHA-256-sess, qop=auth"#,
        ])
        .unwrap();
        assert!(
            matches!(&got, DigestAnswer::Answer(a) if a.contains("algorithm=SHA-256-sess")),
            "{got:?}"
        );
        let got = answer(&[r#"Digest realm="r", nonce="n", algorithm=SHA3-256"#]).unwrap();
        assert_eq!(got, DigestAnswer::Unsupported(vec!["SHA3-256".into()]));
    }

    #[test]
    fn challenge_parameters_table() {
        let parsed = challenges_in(
            r#"Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple",Digest nonce=abc"#,
        );
        let shown: Vec<(String, Vec<(String, String)>)> =
            parsed.into_iter().map(|c| (c.scheme, c.params)).collect();
        let p = |n: &str, v: &str| (n.to_string(), v.to_string());
        assert_eq!(
            shown,
            [
                (
                    "Newauth".to_string(),
                    vec![
                        p("realm", "apps"),
                        p("type", "1"),
                        p("title", "Login to \"apps\"")
                    ]
                ),
                ("Basic".to_string(), vec![p("realm", "simple")]),
                ("Digest".to_string(), vec![p("nonce", "abc")]),
            ]
        );
        for odd in [
            "",
            "=",
            "Digest",
            "Digest realm=\"open",
            "x=y",
            "Negotiate abc==",
            ",,",
        ] {
            let _ = challenges_in(odd);
        }
    }
}
