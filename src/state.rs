//! What one invocation carries from hop to hop: the credentials and where they may go, netrc,
//! the cookie jar, and the session file it saves to.
//!
//! The plan uses it while lowering each request (the first call opens the session, whose
//! name depends on the first host); the engine then calls it around every hop through its
//! observer (`engine::Observer::before`/`after`). Before a request leaves, its `Cookie`
//! header is chosen from the jar for that hop's URL and netrc is looked up for that hop's
//! host; after each response (redirects and challenges included) its `Set-Cookie`s go into
//! the jar, the session is saved, and a Digest challenge is answered. Credentials the user gave belong to the first request's
//! origin: `redirect.rs` drops them on the way out, and a Digest answer is only computed for
//! that origin. netrc credentials belong to the host their entry names.
//! OAuth 2 (`-A oauth2`, or a session that holds a token) is kept in `state/tokens.rs`.

mod tokens;

use std::path::PathBuf;

use anyhow::Result;
use url::Url;

use crate::auth::{self, Auth, DigestAnswer, DigestRequest, Scheme, Secret};
use crate::cookies::Jar;
use crate::error::{fail, usage, ExitCode};
use crate::netrc::{self, Netrc};
use crate::request::{Header, Request};
use crate::session::{self, SessionFile};
use crate::target::same_origin_for_credentials;
use crate::upload::Body;

/// The per-invocation state; see the module documentation.
#[derive(Debug, Clone)]
pub struct State {
    opts: Options,
    /// Set once the first request has been lowered (the session is open, credentials known).
    opened: bool,
    /// `-a`, `--bearer`, `user:pass@` or the session's auth.
    given: Option<Auth>,
    /// netrc, when nothing was given and `--ignore-netrc` was not.
    netrc: Option<Netrc>,
    jar: Jar,
    session: Option<Session>,
    /// The origin of the current run's first request: where given Digest credentials go.
    origin: Option<Url>,
    /// A `stale=true` Digest challenge was answered already (once per run: a server that
    /// calls every nonce stale would otherwise be answered for ever).
    stale_answered: bool,
    /// `-A oauth2` (or the session's OAuth 2 token): the client and the token.
    oauth: Option<crate::oauth::OAuth>,
}

/// What the command line and the environment say, secrets wrapped (built by the plan).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `-a USER[:PASS]`.
    pub auth: Option<Secret>,
    /// `-A`.
    pub scheme: Option<Scheme>,
    /// `--bearer`.
    pub bearer: Option<Secret>,
    /// `-A oauth2` and its options.
    pub oauth: Option<crate::oauth::Options>,
    pub ignore_netrc: bool,
    /// `(value, read_only, option name)`.
    pub session: Option<(String, bool, &'static str)>,
    /// Requests are really sent (not `--offline`/`--curl`): only then is a session written.
    pub sends: bool,
    /// A terminal exists to ask for a password on.
    pub terminal: bool,
    /// `-I`: never ask for a password.
    pub no_prompt: bool,
    /// Warnings on stderr (off with `-qq`).
    pub warnings: bool,
    /// Where netrc is read from (`$NETRC`, else `~/.netrc`).
    pub netrc: Option<PathBuf>,
    /// The home directory, for `~` in session paths.
    pub home: Option<PathBuf>,
    /// The config directory, where named sessions live.
    pub config_dir: Option<PathBuf>,
}

#[derive(Debug, Clone)]
struct Session {
    path: PathBuf,
    read_only: bool,
    /// As loaded; what is saved is this updated by the current invocation.
    file: SessionFile,
    /// Credentials given on the command line (saved; netrc's never are).
    auth: Option<(Scheme, Secret)>,
    /// Headers typed for the first request (saved, except per-request ones).
    typed: Option<Vec<Header>>,
    /// The OAuth 2 client given with `-a` (saved as the session's `raw_auth`).
    oauth_client: Option<Secret>,
}

impl State {
    pub fn new(opts: Options) -> State {
        State {
            opts,
            opened: false,
            given: None,
            netrc: None,
            jar: Jar::default(),
            session: None,
            origin: None,
            stale_answered: false,
            oauth: None,
        }
    }

    /// The `Authorization` value for a request to `url` (with the credentials that were in
    /// it). The first call opens the session and settles which credentials apply.
    pub fn authorization(
        &mut self,
        url: &Url,
        url_auth: Option<(String, Option<String>)>,
    ) -> Result<Option<Vec<u8>>> {
        if !self.opened {
            self.opened = true;
            self.open(url, url_auth)?;
            return Ok(self.header_for(url));
        }
        match url_auth {
            Some(creds) => Ok(self.url_auth(creds, url)?.header()),
            None => Ok(self.header_for(url)),
        }
    }

    /// The session's headers, to go under the ones typed for this request.
    pub fn session_headers(&self) -> Vec<(String, Vec<u8>)> {
        let Some(s) = &self.session else {
            return Vec::new();
        };
        let headers = s.file.headers.iter();
        headers.map(|h| (h.name.clone(), h.value.clone())).collect()
    }

    /// Last step of lowering a request to `url`: its `Cookie` headers go into the jar and
    /// the jar's one comes back; the headers typed (`typed`) are noted for the session.
    pub fn settle(
        &mut self,
        headers: &mut Vec<Header>,
        url: &Url,
        typed: &[&[(String, Vec<u8>)]],
    ) -> Result<()> {
        let typed: Vec<Header> = typed
            .iter()
            .flat_map(|layer| layer.iter())
            .map(|(n, v)| Header::new(n.clone(), v.clone()))
            .collect();
        if typed.iter().any(|h| h.is("authorization")) {
            // An Authorization header is credentials given: netrc stays out of it.
            self.netrc = None;
        }
        if let Some(s) = &mut self.session {
            s.typed.get_or_insert(typed);
        }
        self.jar.absorb(headers, url);
        self.jar.apply(headers, url);
        Ok(())
    }

    /// Open the session and settle whose credentials apply: `--bearer`, `-a`, `user:pass@`,
    /// then the session's; netrc only when there are none.
    fn open(&mut self, url: &Url, url_auth: Option<(String, Option<String>)>) -> Result<()> {
        let stored = self.open_session(url)?;
        if self.open_oauth(url, url_auth.is_some())? {
            return Ok(());
        }
        let scheme = self.opts.scheme.unwrap_or(Scheme::Basic);
        let host = crate::target::host_header(url);
        let given = if let Some(token) = &self.opts.bearer {
            Some(Auth::Bearer(token.clone()))
        } else if let Some(raw) = &self.opts.auth {
            Some(self.credentials(scheme, raw.expose(), &host)?)
        } else if let Some(creds) = url_auth {
            Some(self.url_auth(creds, url)?)
        } else {
            None
        };
        if let (Some(s), Some(a)) = (&mut self.session, &given) {
            s.auth = Some((a.scheme(), a.raw()));
        }
        self.given = match (given, stored) {
            (Some(a), _) => Some(a),
            (None, Some((scheme, raw))) => Some(self.credentials(scheme, raw.expose(), &host)?),
            (None, None) => None,
        };
        if self.given.is_none() && !self.opts.ignore_netrc {
            self.netrc = self.load_netrc();
        }
        self.check_credentials_found(url)
    }

    /// `-A basic|digest|bearer` asks for an authentication scheme: without credentials from
    /// `-a`, `--bearer`, the URL, the session or netrc for the host it has nothing to send,
    /// which is a usage error (httpie: `--auth required`).
    fn check_credentials_found(&self, url: &Url) -> Result<()> {
        let (Some(scheme), None) = (self.opts.scheme, &self.given) else {
            return Ok(());
        };
        let host = url.host_str().unwrap_or("");
        if self
            .netrc
            .as_ref()
            .is_some_and(|n| n.lookup(host).is_some())
        {
            return Ok(());
        }
        let give = match scheme {
            Scheme::Bearer => "--bearer TOKEN (or -a TOKEN)",
            _ => "-a USER[:PASSWORD]",
        };
        Err(usage(format!(
            "-A {} needs credentials and none were given: pass {give}, or add {host} to \
             your netrc",
            scheme.name()
        )))
    }

    /// `USER[:PASS]` (or a token) for `scheme`. A missing password is asked for on the
    /// terminal, except with `-I`, which means no prompt (as in httpie).
    fn credentials(&self, scheme: Scheme, raw: &str, host: &str) -> Result<Auth> {
        if self.opts.no_prompt && scheme != Scheme::Bearer && !raw.contains(':') {
            return Err(usage(format!(
                "-a {raw}: password missing, and -I (--ignore-stdin) means rq doesn't ask for \
                 it; pass it as -a {raw}:PASSWORD"
            )));
        }
        Auth::parse(scheme, raw, self.opts.terminal, "-a", host)
    }

    /// Read the session file, if there is one, and put its cookies in the jar; returns the
    /// credentials it holds.
    fn open_session(&mut self, url: &Url) -> Result<Option<(Scheme, Secret)>> {
        let Some((value, read_only, option)) = self.opts.session.clone() else {
            return Ok(None);
        };
        let config = || {
            self.opts.config_dir.clone().ok_or_else(|| {
                fail(
                    ExitCode::Error,
                    "no config directory for named sessions: set RQ_CONFIG_DIR, or give --session a path",
                )
            })
        };
        let home = self.opts.home.clone();
        let path = session::location(&value, option, url, config, home)?;
        let file = session::read(&path)?.unwrap_or_default();
        if self.opts.sends && !read_only {
            // Now, so a directory rq can't create stops it before anything is sent.
            session::ensure_dir(&path)?;
        }
        self.jar.load(&file.cookies, url);
        let stored = file.auth.clone();
        self.session = Some(Session {
            path,
            read_only,
            file,
            auth: None,
            typed: None,
            oauth_client: None,
        });
        Ok(stored)
    }

    /// `user:pass@` in a URL, with `-A`'s scheme (a token makes no sense there: Basic).
    fn url_auth(&self, (user, pass): (String, Option<String>), url: &Url) -> Result<Auth> {
        let scheme = match self.opts.scheme {
            Some(Scheme::Digest) => Scheme::Digest,
            _ => Scheme::Basic,
        };
        let raw = match pass {
            Some(p) => format!("{user}:{p}"),
            None => user,
        };
        let host = crate::target::host_header(url);
        self.credentials(scheme, &raw, &host)
    }

    fn load_netrc(&self) -> Option<Netrc> {
        let path = netrc::location(self.opts.netrc.clone(), self.opts.home.clone())?;
        let warnings = self.opts.warnings;
        netrc::load(&path, &mut |message| {
            if warnings {
                eprintln!("rq: warning: {message}");
            }
        })
    }

    /// The preemptive header for `url`: given Basic/Bearer, else netrc's entry for its host.
    fn header_for(&self, url: &Url) -> Option<Vec<u8>> {
        if let Some(oauth) = &self.oauth {
            return self.oauth_placeholder(oauth, url);
        }
        match &self.given {
            Some(auth) => auth.header(),
            None => self.netrc_header(url),
        }
    }

    fn netrc_header(&self, url: &Url) -> Option<Vec<u8>> {
        let (login, pass) = self.netrc.as_ref()?.lookup(url.host_str()?)?;
        match self.opts.scheme.unwrap_or(Scheme::Basic) {
            Scheme::Basic => Some(auth::basic(login, pass.expose())),
            Scheme::Bearer => Some(format!("Bearer {}", pass.expose()).into_bytes()),
            Scheme::Digest => None,
        }
    }

    /// `--curl`: the Digest credentials curl needs for `url` (`--digest --user`), since a
    /// Digest answer is not part of the request until the server challenges.
    pub fn digest_for_curl(&self, url: &Url) -> Option<(String, Secret)> {
        match &self.given {
            Some(Auth::Password {
                scheme: Scheme::Digest,
                user,
                pass,
            }) => Some((user.clone(), pass.clone())),
            Some(_) => None,
            None => self.digest_credentials(url),
        }
    }

    /// Digest credentials for a request to `url`: given ones on their origin only, else
    /// netrc's for its host (with `-A digest`).
    fn digest_credentials(&self, url: &Url) -> Option<(String, Secret)> {
        if let Some(Auth::Password {
            scheme: Scheme::Digest,
            user,
            pass,
        }) = &self.given
        {
            let origin = self.origin.as_ref()?;
            return same_origin_for_credentials(origin, url).then(|| (user.clone(), pass.clone()));
        }
        if self.opts.scheme != Some(Scheme::Digest) {
            return None;
        }
        let (login, pass) = self.netrc.as_ref()?.lookup(url.host_str()?)?;
        Some((login.to_string(), pass.clone()))
    }

    /// Write the session file, unless there is none, it is read-only, or nothing is sent.
    fn save(&mut self) -> Result<()> {
        let Some(s) = &mut self.session else {
            return Ok(());
        };
        if s.read_only || !self.opts.sends {
            return Ok(());
        }
        let typed: Vec<Header> = s.typed.iter().flatten().cloned().collect();
        let mut headers: Vec<Header> = s
            .file
            .headers
            .iter()
            .filter(|old| !typed.iter().any(|t| t.is(&old.name)))
            .cloned()
            .collect();
        headers.extend(typed);
        headers.retain(|h| session::is_kept_header(&h.name));
        let (auth, oauth2) = match &self.oauth {
            Some(oauth) => (None, Some(tokens::entry(oauth, s))),
            None if s.auth.is_some() => (s.auth.clone(), None),
            None => (s.file.auth.clone(), s.file.oauth2.clone()),
        };
        s.file = SessionFile {
            headers,
            auth,
            cookies: self.jar.records(),
            oauth2,
        };
        session::write_atomic(&s.path, session::render(&s.file).as_bytes()).map_err(|e| {
            fail(
                ExitCode::Error,
                format!("couldn't save session file '{}': {e}", s.path.display()),
            )
        })
    }

    /// A retry of `request` answering the Digest challenge in `response`, if rq holds
    /// Digest credentials for its origin and has not answered already.
    fn answer(
        &mut self,
        request: &Request,
        head: &http::response::Parts,
    ) -> Result<Option<Request>> {
        if head.status != http::StatusCode::UNAUTHORIZED {
            return Ok(None);
        }
        let challenges = || {
            head.headers
                .get_all(http::header::WWW_AUTHENTICATE)
                .iter()
                .filter_map(|v| v.to_str().ok())
        };
        let answered = request.header("authorization").is_some_and(|h| {
            h.value
                .get(..7)
                .is_some_and(|s| s.eq_ignore_ascii_case(b"digest "))
        });
        if answered {
            // A 401 to an answer means wrong credentials, unless the challenge says the
            // nonce was stale (RFC 7616 §3.3): then the new nonce is answered, once.
            if self.stale_answered || !auth::digest_is_stale(challenges()) {
                return Ok(None);
            }
            self.stale_answered = true;
        }
        let Some((user, pass)) = self.digest_credentials(&request.url) else {
            return Ok(None);
        };
        let target = request.target();
        let digest = DigestRequest {
            method: &request.method,
            uri: &target,
            // For qop=auth-int, when that is all the server offers: a body in memory is
            // hashed; one streamed from a file or stdin is not at hand, and the answer
            // falls back to qop=auth (which such a server refuses).
            body: match &request.body {
                None => Some(&[][..]),
                Some(Body::Bytes(bytes)) => Some(&bytes[..]),
                Some(_) => None,
            },
            cnonce: None,
        };
        let host = crate::target::host_header(&request.url);
        let value = match auth::digest_answer(challenges(), &user, &pass, &digest, &host)? {
            DigestAnswer::Answer(value) => value,
            DigestAnswer::NoChallenge => return Ok(None),
            DigestAnswer::Unsupported(names) => {
                if self.opts.warnings {
                    eprintln!(
                        "rq: warning: {host} asks for Digest auth with {}, which rq can't \
                         compute (it answers MD5, SHA-256, SHA-512-256 and SHA-512, also \
                         -sess); the 401 is shown as received",
                        names.join(", ")
                    );
                }
                return Ok(None);
            }
        };
        let mut retry = request.clone();
        set_header(&mut retry.headers, "Authorization", value.into_bytes());
        Ok(Some(retry))
    }
}

/// Replace the first header named `name` (dropping any others), or add it last.
fn set_header(headers: &mut Vec<Header>, name: &str, value: Vec<u8>) {
    match headers.iter().position(|h| h.is(name)) {
        Some(i) => {
            headers[i].value = value;
            let mut seen = 0;
            headers.retain(|h| {
                seen += usize::from(h.is(name));
                !h.is(name) || seen == 1
            });
        }
        None => headers.push(Header::new(name, value)),
    }
}

/// The engine's per-hop calls, through the observer (`engine::Observer::before`/`after`).
impl State {
    pub fn before(&mut self, request: &mut Request, sent: u32) -> Result<()> {
        if sent == 0 {
            self.origin = Some(request.url.clone());
        }
        self.jar.apply(&mut request.headers, &request.url);
        if request.header("authorization").is_none() && self.given.is_none() {
            if let Some(value) = self.netrc_header(&request.url) {
                request.headers.push(Header::new("Authorization", value));
            }
        }
        Ok(())
    }

    pub fn after(
        &mut self,
        request: &Request,
        head: &http::response::Parts,
    ) -> Result<Option<Request>> {
        let set_cookies = head.headers.get_all(http::header::SET_COOKIE);
        self.jar
            .receive(set_cookies.iter().map(|v| v.as_bytes()), &request.url);
        self.save()?;
        self.answer(request, head)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_header_replaces_the_first_and_drops_the_rest() {
        let mut h = vec![
            Header::new("authorization", "a"),
            Header::new("X", "1"),
            Header::new("Authorization", "b"),
        ];
        set_header(&mut h, "Authorization", b"c".to_vec());
        assert_eq!(
            h,
            [Header::new("authorization", "c"), Header::new("X", "1")]
        );
        set_header(&mut h, "Y", b"2".to_vec());
        assert_eq!(h.last(), Some(&Header::new("Y", "2")));
    }
}
