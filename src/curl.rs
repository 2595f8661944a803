//! `--curl`: the same request as a curl command line, quoted for a POSIX shell.
//!
//! It reads the one lowered [`Request`], so it cannot disagree with what rq would send.
//! Headers curl sets by itself the same way (Host, Content-Length) are left out, and rq's
//! `Accept-Encoding` becomes `--compressed`, which also makes curl decode the body. A body
//! an argument can't carry (a NUL, bytes that are not UTF-8) is piped in by `printf`.

use crate::auth::Secret;
use crate::engine::retry::Retry;
use crate::engine::settings::{
    ConnectOptions, Family, Proxies, TlsOptions, TlsVersion, Verify, Versions,
};
use crate::engine::Settings;
use crate::request::{Request, ACCEPT_ENCODING, USER_AGENT};
use crate::upload::{Body, Content, Multipart};

/// `digest`: Digest credentials, which curl is given as `--digest --user USER:PASS`.
pub fn command(req: &Request, net: &Settings, digest: Option<(String, Secret)>) -> String {
    let mut args: Vec<String> = vec!["curl".into()];
    let has_body = req.body.is_some();
    let implied = if has_body { "POST" } else { "GET" };
    if req.method == "HEAD" && !has_body {
        args.push("--head".into());
    } else if req.method != implied {
        args.extend(["--request".into(), req.method.clone()]);
    }
    args.push(req.uri());
    if req.raw_path.is_some() {
        args.push("--path-as-is".into());
    }
    header_args(req, &mut args);
    if let Some((user, pass)) = digest {
        args.extend([
            "--digest".into(),
            "--user".into(),
            format!("{user}:{}", pass.expose()),
        ]);
    }
    // Headers curl adds by itself that the request goes without (`User-Agent:` typed as an
    // item): `Name:` makes curl leave them out too.
    for name in ["User-Agent", "Accept"] {
        if req.header(name).is_none() {
            args.extend(["--header".into(), format!("{name}:")]);
        }
    }
    let feed = body_args(&req.body, &mut args);
    timing_args(net, &mut args);
    let https = req.url.scheme() == "https";
    args.extend(transport_args(&net.connect, &net.retry, https));
    let line = args.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" ");
    match feed {
        Some(feed) => format!("{feed} | {line}"),
        None => line,
    }
}

/// The request's headers, less those curl writes the same way by itself.
fn header_args(req: &Request, args: &mut Vec<String>) {
    for h in &req.headers {
        let value = String::from_utf8_lossy(&h.value);
        if h.is("host") && h.auto_host || h.is("content-length") {
            continue;
        }
        if h.is("content-type") && matches!(req.body, Some(Body::Multipart(_))) {
            // curl's --form writes its own boundary, and this header with it.
            continue;
        }
        if h.is("accept-encoding") && value == ACCEPT_ENCODING {
            args.push("--compressed".into());
            continue;
        }
        if h.is("user-agent") && value == USER_AGENT {
            args.extend(["--user-agent".into(), value.into_owned()]);
            continue;
        }
        let line = if value.is_empty() {
            // curl sends an empty header for `Name;`.
            format!("{};", h.name)
        } else {
            format!("{}: {value}", h.name)
        };
        args.extend(["--header".into(), line]);
    }
}

/// The body options; returns the command that feeds the body to curl's stdin when it can't
/// be an argument.
fn body_args(body: &Option<Body>, args: &mut Vec<String>) -> Option<String> {
    match body {
        None => {}
        Some(Body::Bytes(body)) if needs_feed(body) => {
            args.extend(["--data-binary".into(), "@-".into()]);
            return Some(printf_feed(body));
        }
        Some(Body::Bytes(body)) => args.extend([
            "--data-binary".into(),
            String::from_utf8_lossy(body).into_owned(),
        ]),
        Some(Body::File { path, .. }) => {
            args.extend(["--data-binary".into(), format!("@{}", path.display())])
        }
        Some(Body::Stdin { .. }) => args.extend(["--data-binary".into(), "@-".into()]),
        Some(Body::Multipart(form)) => form_args(form, args),
    }
    None
}

/// A body that an argument can't carry: a NUL ends a C string, and bytes that are not
/// UTF-8 would be changed on the way (`-xx`, a binary file on stdin).
fn needs_feed(body: &[u8]) -> bool {
    body.contains(&0) || std::str::from_utf8(body).is_err()
}

/// `printf 'FORMAT'` writing exactly `body`: printable ASCII as itself, every other byte as
/// a POSIX octal escape, so any `sh` reproduces the bytes.
fn printf_feed(body: &[u8]) -> String {
    let mut format = String::with_capacity(body.len() * 2);
    for &b in body {
        match b {
            b'%' => format.push_str("%%"),
            b'\\' => format.push_str("\\\\"),
            0x20..=0x7e => format.push(b as char),
            _ => format.push_str(&format!("\\{b:03o}")),
        }
    }
    format!("printf {}", quote(&format))
}

/// Redirects and timeouts.
fn timing_args(net: &Settings, args: &mut Vec<String>) {
    if net.follow {
        args.extend([
            "--location".into(),
            "--max-redirs".into(),
            net.max_redirects.to_string(),
        ]);
    }
    args.extend([
        "--connect-timeout".into(),
        net.connect_timeout.as_secs_f64().to_string(),
    ]);
    if let Some(t) = net.max_time {
        args.extend(["--max-time".into(), t.as_secs_f64().to_string()]);
    }
    if let Some(t) = net.idle_timeout {
        // curl has no idle timeout; its low-speed limit of 1 byte/s over T is the nearest.
        args.extend([
            "--speed-limit".into(),
            "1".into(),
            "--speed-time".into(),
            t.as_secs().max(1).to_string(),
        ]);
    }
}

/// The curl options for the transport settings (`--curl`), for a request to an http or
/// https URL. Proxies from the environment are spelled out, so the command does not depend
/// on curl reading the same variables the same way.
fn transport_args(connect: &ConnectOptions, retry: &Retry, https: bool) -> Vec<String> {
    let mut args: Vec<String> = Vec::new();
    proxy_args(&connect.proxies, https, &mut args);
    tls_args(&connect.tls, &mut args);
    let mut add = |items: &[&str]| args.extend(items.iter().map(|s| s.to_string()));
    for pin in &connect.names.pins {
        add(&["--resolve", &pin.spec]);
    }
    for reroute in &connect.names.reroutes {
        add(&["--connect-to", &reroute.spec]);
    }
    match connect.names.family {
        Family::V4 => add(&["-4"]),
        Family::V6 => add(&["-6"]),
        Family::Any => {}
    }
    if let Some(path) = &connect.unix_socket {
        add(&["--unix-socket", &path.to_string_lossy()]);
    }
    // Only where curl would otherwise speak another version: it negotiates HTTP/2 over
    // https and speaks HTTP/1.1 over http by itself, as rq does.
    match (connect.versions, https) {
        (Versions::Http10, _) => add(&["--http1.0"]),
        (Versions::Http11, true) => add(&["--http1.1"]),
        (Versions::Http2, true) => add(&["--http2"]),
        (Versions::Http2, false) => add(&["--http2-prior-knowledge"]),
        _ => {}
    }
    if retry.retries > 0 {
        // curl counts a refused connection as transient only when told to.
        add(&["--retry", &retry.retries.to_string(), "--retry-connrefused"]);
        if let Some(d) = retry.delay {
            add(&["--retry-delay", &d.as_secs_f64().ceil().to_string()]);
        }
        if let Some(d) = retry.max_time {
            add(&["--retry-max-time", &d.as_secs_f64().ceil().to_string()]);
        }
    }
    args
}

/// The proxy for the request's scheme, or `--noproxy '*'` when only the other one is set.
fn proxy_args(proxies: &Proxies, https: bool, args: &mut Vec<String>) {
    let mut add = |items: &[&str]| args.extend(items.iter().map(|s| s.to_string()));
    let proxy = if https { &proxies.https } else { &proxies.http };
    match proxy {
        Some(p) => {
            add(&["--proxy", &p.to_string()]);
            if let Some((user, pass)) = p.credentials() {
                add(&["--proxy-user", &format!("{user}:{pass}")]);
            }
        }
        None if proxies.http.is_some() || proxies.https.is_some() => add(&["--noproxy", "*"]),
        None => {}
    }
}

/// The TLS options: trust, client certificate, version and cipher suites.
fn tls_args(tls: &TlsOptions, args: &mut Vec<String>) {
    let mut add = |items: &[&str]| args.extend(items.iter().map(|s| s.to_string()));
    match &tls.verify {
        Verify::Off => add(&["--insecure"]),
        // curl (OpenSSL) reads $SSL_CERT_FILE itself.
        Verify::Roots { from, .. } if from == "$SSL_CERT_FILE" => {}
        Verify::Roots { file, .. } => add(&["--cacert", &file.to_string_lossy()]),
        Verify::Platform => {}
    }
    if let Some(id) = &tls.identity {
        add(&["--cert", &id.cert.to_string_lossy()]);
        if let Some(key) = &id.key {
            add(&["--key", &key.to_string_lossy()]);
        }
        if let Some(pass) = &id.password {
            add(&["--pass", pass]);
        }
    }
    match tls.version {
        Some(TlsVersion::Tls12) => add(&["--tlsv1.2", "--tls-max", "1.2"]),
        Some(TlsVersion::Tls13) => add(&["--tlsv1.3"]),
        None => {}
    }
    let (tls12, tls13) = curl_ciphers(&tls.ciphers);
    if !tls12.is_empty() {
        add(&["--ciphers", &tls12.join(":")]);
    }
    if !tls13.is_empty() {
        add(&["--tls13-ciphers", &tls13.join(":")]);
    }
}

/// A multipart body with files as curl `--form` options (curl picks its own boundary).
fn form_args(form: &Multipart, args: &mut Vec<String>) {
    for part in &form.parts {
        match &part.content {
            Content::Text(value) => args.extend([
                "--form-string".into(),
                format!("{}={}", part.name, String::from_utf8_lossy(value)),
            ]),
            Content::File { path, .. } => {
                let mut spec = format!("{}=@{}", part.name, form_quote(&path.to_string_lossy()));
                if let Some(mime) = &part.mime {
                    spec.push_str(&format!(";type={mime}"));
                }
                if let Some(name) = &part.filename {
                    spec.push_str(&format!(";filename={}", form_quote(name)));
                }
                args.extend(["--form".into(), spec]);
            }
        }
    }
}

/// curl's `--form` reads `;` and `,` as separators unless the value is double-quoted.
fn form_quote(s: &str) -> String {
    if s.contains([';', ',', '"', '\\']) {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        s.to_string()
    }
}

/// `--filter EXPR` as a pipe into jq after the command: ` | jq 'EXPR'` (`-r` for
/// `--filter-raw`). jaq and jq agree on nearly everything (the README lists the gaps).
pub fn jq_pipe(expr: &str, raw: bool) -> String {
    let flag = if raw { "-r " } else { "" };
    format!(" | jq {flag}{}", quote(expr))
}

/// Quote for a POSIX shell: bare when only safe characters, else single quotes with `'\''`.
pub fn quote(s: &str) -> String {
    let safe = !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'-' | b'_' | b'.' | b'/' | b':' | b'=' | b',' | b'@' | b'+' | b'%'
                )
        });
    if safe {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// `--ciphers` in curl's terms (OpenSSL's names): TLS 1.2 suites for `--ciphers`, TLS 1.3
/// ones (by their IANA names) for `--tls13-ciphers`, each in rq's order.
fn curl_ciphers(rustls_names: &[&str]) -> (Vec<&'static str>, Vec<&'static str>) {
    const NAMES: &[(&str, &str, bool)] = &[
        ("TLS13_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", true),
        ("TLS13_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", true),
        (
            "TLS13_CHACHA20_POLY1305_SHA256",
            "TLS_CHACHA20_POLY1305_SHA256",
            true,
        ),
        (
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "ECDHE-ECDSA-AES256-GCM-SHA384",
            false,
        ),
        (
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            false,
        ),
        (
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "ECDHE-ECDSA-CHACHA20-POLY1305",
            false,
        ),
        (
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "ECDHE-RSA-AES256-GCM-SHA384",
            false,
        ),
        (
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "ECDHE-RSA-AES128-GCM-SHA256",
            false,
        ),
        (
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "ECDHE-RSA-CHACHA20-POLY1305",
            false,
        ),
    ];
    let (mut tls12, mut tls13) = (Vec::new(), Vec::new());
    for name in rustls_names {
        if let Some((_, curl, v13)) = NAMES.iter().find(|(n, _, _)| n == name) {
            if *v13 {
                tls13.push(*curl)
            } else {
                tls12.push(*curl)
            }
        }
    }
    (tls12, tls13)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_table() {
        for (input, want) in [
            ("abc", "abc"),
            ("https://x.org/a?b=c", "'https://x.org/a?b=c'"),
            ("a b", "'a b'"),
            ("it's", r"'it'\''s'"),
            ("", "''"),
            ("$HOME", "'$HOME'"),
        ] {
            assert_eq!(quote(input), want);
        }
    }

    #[test]
    fn binary_bodies_are_fed_by_printf_with_octal_escapes() {
        assert!(!needs_feed("plain text, é".as_bytes()));
        assert!(needs_feed(b"a\0b") && needs_feed(b"\xff"));
        assert_eq!(printf_feed(b"ab\0\xff"), r"printf 'ab\000\377'");
        assert_eq!(printf_feed(b"%s\\'\n"), r"printf '%%s\\'\''\012'");
    }
}
