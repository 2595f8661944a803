//! The cookie jar of one invocation: what a `Cookie:` item, the session file and every
//! `Set-Cookie` put in, and the `Cookie` header each hop takes out.
//!
//! Storage and matching are RFC 6265 (`cookie_store`: domain, path, `Secure`, expiry), with
//! two rules on top:
//! - a `Domain` attribute that is a public suffix (`co.uk`, `github.io`) is rejected unless it
//!   is the request host itself (RFC 6265 §5.3 step 5). The list (`suffix.rs`) ships
//!   compressed and is unpacked only when a cookie first names a `Domain`; only suffixes the
//!   list names count, so a bare `localhost` or an internal TLD stays usable.
//! - cookies are kept per port. RFC 6265 ignores ports, but SPEC §4 says `Cookie` does not
//!   cross to another port, so what a port set (or what was typed for it) goes back to that
//!   port only; https:443 also gets http:80's, the one upgrade that keeps credentials.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use cookie_store::{Cookie, CookieDomain, CookieExpiration, CookieStore, RawCookie};
use url::Url;

use crate::auth::Secret;
use crate::request::Header;
use crate::suffix::is_public_suffix;

/// One cookie as a session file holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieRecord {
    pub name: String,
    pub value: Secret,
    /// The host for a host-only cookie, `.example.org` for a `Domain=example.org` one;
    /// empty in old files (the cookie is then bound to the host of the first request).
    pub domain: String,
    pub path: String,
    pub secure: bool,
    /// Unix time; `None` for a cookie that lasts as long as the session.
    pub expires: Option<i64>,
    /// The port the cookie goes back to; `None` in files that don't say (httpie's and xh's
    /// own, older rq's): such a cookie is bound to the port of the first request.
    pub port: Option<u16>,
}

/// Cookies by the port they belong to, in the order the ports were first seen.
#[derive(Clone, Default)]
pub struct Jar {
    stores: Vec<(u16, CookieStore)>,
}

impl fmt::Debug for Jar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for (port, store) in &self.stores {
            for c in store.iter_unexpired() {
                list.entry(&format_args!(
                    "{}=(redacted) for {}{} port {port}",
                    c.name(),
                    String::from(&c.domain),
                    c.path.as_ref() as &str
                ));
            }
        }
        list.finish()
    }
}

fn port(url: &Url) -> u16 {
    url.port_or_known_default().unwrap_or(0)
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl Jar {
    fn store_mut(&mut self, port: u16) -> &mut CookieStore {
        let i = match self.stores.iter().position(|(p, _)| *p == port) {
            Some(i) => i,
            None => {
                self.stores.push((port, CookieStore::default()));
                self.stores.len() - 1
            }
        };
        &mut self.stores[i].1
    }

    fn store(&self, port: u16) -> Option<&CookieStore> {
        self.stores.iter().find(|(p, _)| *p == port).map(|(_, s)| s)
    }

    /// Store a cookie received from `url` (into `port`'s store); `false` when it is refused.
    fn insert(
        &mut self,
        port: u16,
        mut raw: RawCookie<'static>,
        url: &Url,
        expires: Option<CookieExpiration>,
    ) -> bool {
        if let Some(domain) = raw.domain() {
            let domain = domain.trim_start_matches('.').to_ascii_lowercase();
            if is_public_suffix(&domain) {
                if url.host_str() != Some(domain.as_str()) {
                    return false;
                }
                raw.unset_domain();
            }
        }
        let Ok(mut cookie) = Cookie::try_from_raw_cookie(&raw, url) else {
            return false;
        };
        if let Some(expires) = expires {
            cookie.expires = expires;
        }
        self.store_mut(port).insert(cookie, url).is_ok()
    }

    /// The `Set-Cookie` values of a response to `url`.
    pub fn receive<'a>(&mut self, values: impl IntoIterator<Item = &'a [u8]>, url: &Url) {
        for value in values {
            let Ok(text) = std::str::from_utf8(value) else {
                continue;
            };
            if let Ok(raw) = RawCookie::parse(text.to_string()) {
                self.insert(port(url), raw, url, None);
            }
        }
    }

    /// The `Cookie` value for `url`: its port's matching cookies, longer paths first
    /// (RFC 6265 §5.4), then in the order they were stored.
    pub fn header_for(&self, url: &Url) -> Option<String> {
        let mut cookies: Vec<&Cookie<'static>> = self
            .store(port(url))
            .map(|s| s.matches(url))
            .unwrap_or_default();
        if url.scheme() == "https" && port(url) == 443 {
            if let Some(plain) = self.store(80) {
                for c in plain.matches(url) {
                    if !cookies.iter().any(|k| k.name() == c.name()) {
                        cookies.push(c);
                    }
                }
            }
        }
        cookies.sort_by_key(|c| std::cmp::Reverse(c.path.len()));
        let pairs: Vec<String> = cookies
            .iter()
            .map(|c| format!("{}={}", c.name(), c.value()))
            .collect();
        (!pairs.is_empty()).then(|| pairs.join("; "))
    }

    /// Set the `Cookie` header of a request to `url` from the jar: in place of the first
    /// `Cookie` header of pairs (keeping the name as typed), or last; none when nothing
    /// matches. A `Cookie` header that is not `name=value` pairs stays as it was typed.
    pub fn apply(&self, headers: &mut Vec<Header>, url: &Url) {
        let jarred = |h: &Header| h.is("cookie") && pairs(&h.value).is_some();
        let at = headers.iter().position(jarred);
        let name = at.map_or("Cookie".to_string(), |i| headers[i].name.clone());
        headers.retain(|h| !jarred(h));
        if let Some(value) = self.header_for(url) {
            let at = at.unwrap_or(headers.len()).min(headers.len());
            headers.insert(at, Header::new(name, value));
        }
    }

    /// Move the cookies of `Cookie` headers the user gave into the jar, bound to `url`'s
    /// host and port, path `/`, for as long as the session lasts (httpie does the same).
    /// A value that is not `name=value` pairs is not a jar's business: it is sent as typed.
    pub fn absorb(&mut self, headers: &[Header], url: &Url) {
        for h in headers.iter().filter(|h| h.is("cookie")) {
            for (name, value) in pairs(&h.value).unwrap_or_default() {
                let mut raw = RawCookie::new(name, value);
                raw.set_path("/");
                self.insert(port(url), raw, url, None);
            }
        }
    }

    /// Cookies from a session file, each for its own port, or the port of `url` (the first
    /// request) when the file doesn't say. Expired ones are dropped; ones without a domain
    /// are bound to `url`'s host.
    pub fn load(&mut self, records: &[CookieRecord], url: &Url) {
        let now = now();
        for r in records {
            let expires = match r.expires {
                Some(t) if t <= now => continue,
                Some(t) => Some(CookieExpiration::from((t - now) as u64)),
                None => None,
            };
            let mut raw = RawCookie::new(r.name.clone(), r.value.expose().to_string());
            raw.set_path(if r.path.is_empty() { "/" } else { &r.path }.to_string());
            if r.secure {
                raw.set_secure(true);
            }
            let origin = match r.domain.strip_prefix('.') {
                // No request host to compare with: a public suffix is simply refused.
                Some(domain) if is_public_suffix(&domain.to_ascii_lowercase()) => continue,
                Some(domain) => {
                    raw.set_domain(domain.to_string());
                    Url::parse(&format!("https://{domain}/"))
                }
                None if r.domain.is_empty() => Ok(url.clone()),
                None => Url::parse(&format!("https://{}/", r.domain)),
            };
            if let Ok(origin) = origin {
                self.insert(r.port.unwrap_or(port(url)), raw, &origin, expires);
            }
        }
    }

    /// Every unexpired cookie, for the session file, each with the port it belongs to (a
    /// cookie that several ports hold is written once for each).
    pub fn records(&self) -> Vec<CookieRecord> {
        let mut out: Vec<CookieRecord> = Vec::new();
        for (port, store) in &self.stores {
            for c in store.iter_unexpired() {
                let domain = match &c.domain {
                    CookieDomain::HostOnly(h) => h.clone(),
                    CookieDomain::Suffix(d) => format!(".{d}"),
                    _ => continue,
                };
                let path: &str = c.path.as_ref();
                out.push(CookieRecord {
                    name: c.name().to_string(),
                    value: Secret::new(c.value()),
                    domain,
                    path: path.to_string(),
                    secure: c.secure().unwrap_or(false),
                    expires: match c.expires {
                        CookieExpiration::AtUtc(t) => Some(t.unix_timestamp()),
                        CookieExpiration::SessionEnd => None,
                    },
                    port: Some(*port),
                });
            }
        }
        out
    }
}

/// The `name=value` pairs of a `Cookie` value, or `None` when it is something else.
fn pairs(value: &[u8]) -> Option<Vec<(String, String)>> {
    let text = std::str::from_utf8(value).ok()?;
    let pairs = text.split(';').map(str::trim).filter(|p| !p.is_empty());
    pairs
        .map(|pair| match pair.split_once('=') {
            Some((n, v)) if !n.trim().is_empty() => Some((n.trim().into(), v.trim().into())),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn set(jar: &mut Jar, at: &str, cookie: &str) {
        jar.receive([cookie.as_bytes()], &url(at));
    }

    #[test]
    fn public_suffix_domains_are_rejected() {
        let mut jar = Jar::default();
        set(
            &mut jar,
            "https://www.example.co.uk/",
            "super=1; Domain=co.uk",
        );
        set(&mut jar, "https://a.github.io/", "gh=1; Domain=github.io");
        assert_eq!(jar.header_for(&url("https://other.co.uk/")), None);
        assert_eq!(jar.header_for(&url("https://www.example.co.uk/")), None);
        assert_eq!(jar.header_for(&url("https://b.github.io/")), None);
    }

    #[test]
    fn a_registrable_domain_cookie_reaches_its_subdomains() {
        let mut jar = Jar::default();
        set(
            &mut jar,
            "https://www.example.co.uk/",
            "ok=1; Domain=example.co.uk",
        );
        assert_eq!(
            jar.header_for(&url("https://api.example.co.uk/")),
            Some("ok=1".into())
        );
    }

    #[test]
    fn a_public_suffix_that_is_the_host_becomes_host_only() {
        let mut jar = Jar::default();
        set(&mut jar, "https://github.io/", "x=1; Domain=github.io");
        assert_eq!(
            jar.header_for(&url("https://github.io/")),
            Some("x=1".into())
        );
        assert_eq!(jar.header_for(&url("https://a.github.io/")), None);
    }

    #[test]
    fn cookies_stay_with_their_host_and_port() {
        let mut jar = Jar::default();
        set(&mut jar, "http://a.test:8080/", "k=v");
        assert_eq!(
            jar.header_for(&url("http://a.test:8080/x")),
            Some("k=v".into())
        );
        assert_eq!(jar.header_for(&url("http://a.test:8081/x")), None);
        assert_eq!(jar.header_for(&url("http://b.test:8080/x")), None);
    }

    #[test]
    fn the_https_upgrade_keeps_plain_http_cookies() {
        let mut jar = Jar::default();
        set(&mut jar, "http://a.test/", "k=v");
        assert_eq!(jar.header_for(&url("https://a.test/")), Some("k=v".into()));
        set(&mut jar, "https://b.test/", "s=1; Secure");
        set(&mut jar, "https://b.test/", "plain=1");
        assert_eq!(jar.header_for(&url("http://b.test/")), None, "no downgrade");
    }

    #[test]
    fn expired_cookies_are_dropped_and_session_cookies_kept() {
        let mut jar = Jar::default();
        set(&mut jar, "http://a.test/", "gone=1; Max-Age=0");
        set(
            &mut jar,
            "http://a.test/",
            "old=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT",
        );
        set(&mut jar, "http://a.test/", "sess=1");
        set(&mut jar, "http://a.test/", "long=1; Max-Age=3600");
        let names: Vec<String> = jar.records().into_iter().map(|r| r.name).collect();
        assert_eq!(names, ["sess", "long"]);
        let long = jar.records().pop().unwrap();
        assert!(long.expires.unwrap() > now() + 3000);
    }

    #[test]
    fn a_server_can_delete_a_cookie() {
        let mut jar = Jar::default();
        set(&mut jar, "http://a.test/", "k=v");
        set(&mut jar, "http://a.test/", "k=; Max-Age=0");
        assert_eq!(jar.header_for(&url("http://a.test/")), None);
    }

    #[test]
    fn longer_paths_come_first() {
        let mut jar = Jar::default();
        set(&mut jar, "http://a.test/", "root=1; Path=/");
        set(&mut jar, "http://a.test/", "deep=1; Path=/api");
        assert_eq!(
            jar.header_for(&url("http://a.test/api/x")),
            Some("deep=1; root=1".into())
        );
        assert_eq!(
            jar.header_for(&url("http://a.test/other")),
            Some("root=1".into())
        );
    }

    #[test]
    fn a_cookie_header_is_split_into_the_jar_for_its_host() {
        let mut jar = Jar::default();
        let typed = [Header::new("cookie", "a=1; b=2")];
        jar.absorb(&typed, &url("http://a.test/x/y"));
        assert_eq!(
            jar.header_for(&url("http://a.test/")),
            Some("a=1; b=2".into())
        );
        assert_eq!(jar.header_for(&url("http://b.test/")), None);
        let mut headers = vec![Header::new("X", "1"), Header::new("cookie", "a=1; b=2")];
        jar.apply(&mut headers, &url("http://a.test/"));
        assert_eq!(headers[1], Header::new("cookie", "a=1; b=2"));
        jar.apply(&mut headers, &url("http://b.test/"));
        assert_eq!(headers.len(), 1);
    }

    #[test]
    fn a_cookie_header_that_is_not_pairs_is_sent_as_typed() {
        let mut jar = Jar::default();
        let typed = [
            Header::new("Cookie", "novalue"),
            Header::new("cookie", "a=1"),
        ];
        jar.absorb(&typed, &url("http://a.test/"));
        let mut headers = typed.to_vec();
        jar.apply(&mut headers, &url("http://a.test/"));
        assert_eq!(
            headers, typed,
            "the opaque value stays, the pair comes from the jar"
        );
    }

    #[test]
    fn records_round_trip_and_bind_domainless_cookies_to_the_first_host() {
        let rec = |name: &str, domain: &str, expires: Option<i64>| CookieRecord {
            name: name.into(),
            value: Secret::new("v"),
            domain: domain.into(),
            path: "/".into(),
            secure: false,
            expires,
            port: None,
        };
        let mut jar = Jar::default();
        let first = url("http://a.test:8080/");
        jar.load(
            &[
                rec("host", "a.test", None),
                rec("dom", ".a.test", Some(now() + 100)),
                rec("legacy", "", None),
                rec("stale", "a.test", Some(now() - 100)),
                rec("super", ".co.uk", None),
            ],
            &first,
        );
        assert_eq!(
            jar.header_for(&url("http://a.test:8080/")),
            Some("host=v; dom=v; legacy=v".into())
        );
        assert_eq!(
            jar.header_for(&url("http://sub.a.test:8080/")),
            Some("dom=v".into())
        );
        let domains: Vec<String> = jar.records().into_iter().map(|r| r.domain).collect();
        assert_eq!(domains, ["a.test", ".a.test", "a.test"]);
        assert!(jar.records().iter().all(|r| r.port == Some(8080)));
    }

    #[test]
    fn cookies_keep_their_port_through_records() {
        let mut jar = Jar::default();
        set(&mut jar, "http://a.test:8080/", "eight=1");
        set(&mut jar, "http://a.test:9090/", "nine=1");
        set(&mut jar, "http://a.test:9090/", "both=9");
        set(&mut jar, "http://a.test:8080/", "both=8");
        let records = jar.records();
        let mut again = Jar::default();
        // The first request of the next run goes to a third port.
        again.load(&records, &url("http://a.test:7070/"));
        assert_eq!(
            again.header_for(&url("http://a.test:8080/")),
            Some("eight=1; both=8".into())
        );
        assert_eq!(
            again.header_for(&url("http://a.test:9090/")),
            Some("nine=1; both=9".into())
        );
        assert_eq!(again.header_for(&url("http://a.test:7070/")), None);
    }

    #[test]
    fn debug_hides_cookie_values() {
        let mut jar = Jar::default();
        set(&mut jar, "http://a.test/", "sid=s3cr3t");
        let shown = format!("{jar:?}");
        assert!(
            shown.contains("sid") && !shown.contains("s3cr3t"),
            "{shown}"
        );
    }
}
