//! `-A oauth2` against a real OpenID provider: oidc-provider-mock (PyPI), a test provider
//! built on Authlib, started by the test on a free port. It brings the discovery document,
//! the sign-in form, the authorization code and refresh-token grants and a userinfo
//! endpoint that takes the token. It has no device grant and does not check PKCE, so those
//! are checked against `support/oauth.rs` only. Debian's packages have OAuth 2 libraries
//! (python3-oauthlib, a Mojolicious plugin, an Erlang one) and an Apache resource-server
//! module, but no provider that runs as it is.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::support::{assert_code, require, rq, run, stdout};

/// The provider, stopped when dropped.
struct Provider {
    child: Child,
    base: String,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start oidc-provider-mock with tokens living `lifetime` seconds; `None` when it is not
/// installed here (`pip install oidc-provider-mock`; .ci/run installs it).
fn provider(lifetime: u32) -> Option<Provider> {
    let installed = Command::new("python3")
        .args(["-c", "import oidc_provider_mock"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !require("the oidc-provider-mock Python package", installed) {
        return None;
    }
    let mut child = Command::new("python3")
        .args(["-m", "oidc_provider_mock", "--port", "0", "--token-max-age"])
        .arg(lifetime.to_string())
        .env("PYTHONWARNINGS", "ignore")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("the provider says where it runs")
            .unwrap();
        if let Some(at) = line.find("running on http://") {
            let url = &line[at + "running on ".len()..];
            break url.split_whitespace().next().unwrap().to_string();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    Some(Provider { child, base })
}

/// One HTTP/1.1 exchange as a browser would have it; returns the status and `Location`.
fn browser(method: &str, url: &str, form: &str) -> (u16, Option<String>) {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut sock = TcpStream::connect(host).unwrap();
    write!(
        sock,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    )
    .unwrap();
    let mut text = String::new();
    sock.read_to_string(&mut text).unwrap();
    let status = text.split(' ').nth(1).unwrap().parse().unwrap();
    let location = text.lines().find_map(|l| {
        let (name, value) = l.split_once(": ")?;
        name.eq_ignore_ascii_case("location")
            .then(|| value.to_string())
    });
    (status, location)
}

fn saved(path: &Path) -> Value {
    let session: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    session["auth"]["oauth2"].clone()
}

#[test]
fn a_real_provider_signs_in_through_the_browser_and_refreshes_the_token() {
    // Tokens shorter than rq's 30 s margin: the second run has to refresh.
    let Some(provider) = provider(10) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    let args = [
        "-A",
        "oauth2",
        "--oauth2-grant",
        "authorization-code",
        "--oauth2-issuer",
        &provider.base,
        "--oauth2-scope",
        "openid",
        "-a",
        "rq-test:s3cret",
        "--session",
        path.to_str().unwrap(),
        &format!("{}/userinfo", provider.base),
    ];
    let mut child = rq()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rq runs");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let prefix = "rq: to sign in, open this URL in a browser: ";
    let url = loop {
        let line = lines.next().expect("rq printed the URL to open").unwrap();
        if let Some(url) = line.strip_prefix(prefix) {
            break url.to_string();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    // The provider's sign-in form: any subject will do.
    let (status, location) = browser("POST", &url, "sub=alice");
    assert_eq!(status, 302);
    let (status, _) = browser("GET", &location.unwrap(), "");
    assert_eq!(status, 200);
    let o = child.wait_with_output().unwrap();
    assert_code(&o, 0);
    let claims: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(claims["sub"], "alice");
    let first = saved(&path);
    // The second run: the token is stale, the refresh token gets a new one, no browser.
    let o = run(rq().args(args));
    assert_code(&o, 0);
    let claims: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(claims["sub"], "alice");
    let second = saved(&path);
    assert_ne!(second["access_token"], first["access_token"]);
    // This provider issues no new refresh token on a refresh: the old one stays good
    // (RFC 6749 §6), and rq keeps it.
    assert_eq!(second["refresh_token"], first["refresh_token"]);
}
