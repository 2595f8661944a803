//! Turning what the user typed as a URL into the absolute URL rq requests.
//!
//! Rules (SPEC §1): `https://` when no scheme is given, except loopback hosts (`localhost`,
//! `127.0.0.0/8`, `[::1]`, and `0.0.0.0`, see [`is_loopback`]), which get `http://` (rq
//! deliberately differs from httpie, whose default is http everywhere); `:3000/x` and `:/x`
//! are localhost shorthands, while `://host/x` is a URL with its scheme left out (as in
//! httpie); host names are
//! IDNA-encoded and spaces or non-ASCII in the path and query are percent-encoded (the `url`
//! crate does both). `--path-as-is` keeps `/../` and `/./`, which `url` would otherwise resolve,
//! so the typed path travels beside the `Url` (see [`path_as_typed`]).

use url::Url;

/// How to pick a scheme for a URL typed without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemeDefault<'a> {
    /// https, or http for loopback hosts.
    Auto,
    /// The scheme the user asked for with `--default-scheme`, `--http` or `--https`.
    Fixed(&'a str),
}

/// Resolve `input` into an absolute URL. `query` items are appended in order.
pub fn resolve(
    input: &str,
    scheme: SchemeDefault<'_>,
    query: &[(String, String)],
) -> Result<Url, String> {
    if input.is_empty() {
        return Err("the URL is empty".into());
    }
    if input.contains(['\r', '\n']) {
        return Err(format!(
            "URL '{}' contains a line break (CR or LF)",
            input.escape_debug()
        ));
    }
    let full = with_scheme(input, scheme);
    let mut url = Url::parse(&full).map_err(|e| format!("invalid URL '{input}': {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "unsupported URL scheme '{}' in '{input}' (rq speaks http and https)",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("URL '{input}' has no host"));
    }
    if !query.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (k, v) in query {
            pairs.append_pair(k, v);
        }
    }
    Ok(url)
}

/// Prefix a scheme when the input has none, expanding the `:port` shorthand.
fn with_scheme(input: &str, scheme: SchemeDefault<'_>) -> String {
    if has_scheme(input) {
        return input.to_string();
    }
    let rest = if let Some(after) = input.strip_prefix("://") {
        // `://host/path`: a URL with its scheme left out, as in httpie (not a localhost path).
        after.to_string()
    } else if let Some(after) = input.strip_prefix(':') {
        // `:3000/x`, `:/x`, `:` → localhost
        if after.starts_with('/') || after.is_empty() {
            format!("localhost{after}")
        } else {
            format!("localhost:{after}")
        }
    } else {
        input.to_string()
    };
    let chosen = match scheme {
        SchemeDefault::Fixed(s) => s,
        SchemeDefault::Auto if is_loopback(host_of(&rest)) => "http",
        SchemeDefault::Auto => "https",
    };
    format!("{chosen}://{rest}")
}

fn has_scheme(input: &str) -> bool {
    match input.find("://") {
        Some(i) => {
            let s = &input[..i];
            !s.is_empty()
                && s.starts_with(|c: char| c.is_ascii_alphabetic())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// The host part of a scheme-less `host[:port][/path]`, without userinfo.
fn host_of(rest: &str) -> &str {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    if let Some(v6) = host_port.strip_prefix('[') {
        return v6.split(']').next().unwrap_or("");
    }
    host_port.split(':').next().unwrap_or("")
}

/// Targets on this machine, which default to http: `localhost` (and `*.localhost`),
/// 127.0.0.0/8 in any spelling the URL parser accepts (`127.1`, `0x7f.1`), `::1` however
/// written (`0:0:0:0:0:0:0:1`), IPv4-mapped loopback (`::ffff:127.0.0.1`), and the
/// unspecified addresses `0.0.0.0` and `::`, which dev servers bind and which connect to
/// this machine (curl sends to them too; httpie uses http for every host anyway).
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    let ip: std::net::IpAddr = match url::Host::parse(&host) {
        Ok(url::Host::Ipv4(ip)) => ip.into(),
        Ok(url::Host::Ipv6(ip)) => ip.into(),
        _ => match url::Host::parse(&format!("[{host}]")) {
            Ok(url::Host::Ipv6(ip)) => ip.into(),
            _ => return false,
        },
    };
    let ip = ip.to_canonical();
    ip.is_loopback() || ip.is_unspecified()
}

/// For `--path-as-is`: the path exactly as typed (dot segments kept), percent-encoded the
/// way `url` encodes paths. `None` when the typed path has no dot segments to keep.
pub fn path_as_typed(input: &str) -> Option<String> {
    const PATH: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'<')
        .add(b'>')
        .add(b'?')
        .add(b'`')
        .add(b'{')
        .add(b'}');
    let after_scheme = match input.find("://") {
        Some(i) if has_scheme(input) || i == 0 => &input[i + 3..],
        _ => input.trim_start_matches(':'),
    };
    let path = &after_scheme[after_scheme.find('/')?..];
    let path = &path[..path.find(['?', '#']).unwrap_or(path.len())];
    if !path.split('/').any(|seg| seg == "." || seg == "..") {
        return None;
    }
    Some(percent_encoding::utf8_percent_encode(path, PATH).to_string())
}

/// `host[:port]` as sent in the Host header: the port only when it is not the scheme's default.
pub fn host_header(url: &Url) -> String {
    let host = match url.host() {
        Some(url::Host::Ipv6(ip)) => format!("[{ip}]"),
        Some(h) => h.to_string(),
        None => String::new(),
    };
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    }
}

/// The origin-form request target: path plus query.
pub fn request_target(url: &Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

/// Scheme, host and port: what "same origin" compares (SPEC §4).
pub fn origin(url: &Url) -> (String, String, u16) {
    (
        url.scheme().to_string(),
        url.host_str().unwrap_or("").to_ascii_lowercase(),
        url.port_or_known_default().unwrap_or(0),
    )
}

/// Same scheme, host and port; or the same host upgraded from http:80 to https:443.
pub fn same_origin_for_credentials(from: &Url, to: &Url) -> bool {
    let (fs, fh, fp) = origin(from);
    let (ts, th, tp) = origin(to);
    if fh != th {
        return false;
    }
    (fs == ts && fp == tp) || (fs == "http" && fp == 80 && ts == "https" && tp == 443)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auto(input: &str) -> String {
        resolve(input, SchemeDefault::Auto, &[])
            .map(|u| u.to_string())
            .unwrap_or_else(|e| format!("ERR {e}"))
    }

    #[test]
    fn url_defaults_table() {
        let cases = [
            ("example.org/x", "https://example.org/x"),
            ("example.org", "https://example.org/"),
            ("localhost", "http://localhost/"),
            ("localhost:8080/a", "http://localhost:8080/a"),
            (":3000/x", "http://localhost:3000/x"),
            (":/x", "http://localhost/x"),
            (":", "http://localhost/"),
            ("127.0.0.1:9/x", "http://127.0.0.1:9/x"),
            ("127.5.6.7/x", "http://127.5.6.7/x"),
            ("[::1]:8000/", "http://[::1]:8000/"),
            ("[0:0:0:0:0:0:0:1]:8000/", "http://[::1]:8000/"),
            ("[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/"),
            ("127.1/x", "http://127.0.0.1/x"),
            ("127.255.255.254", "http://127.255.255.254/"),
            ("0.0.0.0:8000", "http://0.0.0.0:8000/"),
            ("[::]:8000", "http://[::]:8000/"),
            ("[::ffff:10.0.0.1]/", "https://[::ffff:a00:1]/"),
            ("128.0.0.1", "https://128.0.0.1/"),
            ("localhost.example", "https://localhost.example/"),
            ("http://example.org", "http://example.org/"),
            ("HTTPS://Example.ORG/A", "https://example.org/A"),
            ("user:pw@localhost/x", "http://user:pw@localhost/x"),
            ("bücher.example/ä b", "https://xn--bcher-kva.example/%C3%A4%20b"),
            ("example.org/a b?q=ü", "https://example.org/a%20b?q=%C3%BC"),
            ("example.org/a/../b", "https://example.org/b"),
            ("://example.org/x", "https://example.org/x"),
            ("://localhost:8080/x", "http://localhost:8080/x"),
            ("ftp://example.org", "ERR unsupported URL scheme 'ftp' in 'ftp://example.org' (rq speaks http and https)"),
            ("", "ERR the URL is empty"),
        ];
        for (input, want) in cases {
            assert_eq!(auto(input), want, "input {input:?}");
        }
    }

    #[test]
    fn fixed_scheme_applies_to_loopback_too() {
        let u = resolve("localhost/x", SchemeDefault::Fixed("https"), &[]).unwrap();
        assert_eq!(u.as_str(), "https://localhost/x");
    }

    #[test]
    fn path_as_is_keeps_dot_segments() {
        assert_eq!(
            path_as_typed("example.org/a/../b/./c d?q").as_deref(),
            Some("/a/../b/./c%20d")
        );
        assert_eq!(path_as_typed("http://x/a/b"), None);
        assert_eq!(path_as_typed(":8080/../x").as_deref(), Some("/../x"));
    }

    #[test]
    fn query_items_are_appended_in_order() {
        let q = [
            ("a".to_string(), "1 2".to_string()),
            ("b".to_string(), "&".to_string()),
        ];
        let u = resolve("example.org/?x=0", SchemeDefault::Auto, &q).unwrap();
        assert_eq!(u.query(), Some("x=0&a=1+2&b=%26"));
    }

    #[test]
    fn line_breaks_in_url_are_rejected() {
        assert!(auto("example.org/a\r\nX: y").starts_with("ERR URL"));
    }

    #[test]
    fn host_header_has_port_only_when_not_default() {
        let u = Url::parse("http://a.b:80/").unwrap();
        assert_eq!(host_header(&u), "a.b");
        let u = Url::parse("http://a.b:8080/").unwrap();
        assert_eq!(host_header(&u), "a.b:8080");
        let u = Url::parse("http://[::1]:81/").unwrap();
        assert_eq!(host_header(&u), "[::1]:81");
    }
}
