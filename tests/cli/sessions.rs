//! Sessions and cookies: what is saved and sent again, the files httpie and xh write, atomic
//! private files, and cookies that never reach a host they were not set for.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::support::{assert_code, rq, run, stderr, Response, Server};

/// A server with `/cookies/set?k=v` (sets each pair as a cookie), `/redirect-to?url=U`
/// and `/status/N`; anything else is 200 `ok`.
fn server() -> Server {
    Server::http(|r| {
        let pairs = r.query_pairs();
        match r.path.as_str() {
            "/cookies/set" => pairs
                .iter()
                .fold(Response::new(200), |resp, (k, v)| {
                    resp.header("Set-Cookie", &format!("{k}={v}; Path=/"))
                })
                .text("set"),
            "/redirect-to" => {
                let to = pairs.iter().find(|(k, _)| k == "url").unwrap().1.clone();
                Response::new(302).header("Location", &to)
            }
            p if p.starts_with("/status/") => {
                let code = p["/status/".len()..].parse().unwrap();
                Response::new(code)
                    .header("Set-Cookie", "st=1; Path=/")
                    .text("status")
            }
            _ => Response::new(200).text("ok"),
        }
    })
}

fn rq_in(config: &Path, args: &[&str]) -> Output {
    run(rq().env("RQ_CONFIG_DIR", config).args(args))
}

fn fixture(name: &str, dir: &Path) -> PathBuf {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sessions")
        .join(name);
    let to = dir.join(name);
    fs::copy(from, &to).unwrap();
    to
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The cookie names a saved session holds.
fn cookie_names(session: &Value) -> Vec<String> {
    let cookies = session["cookies"].as_array().unwrap();
    cookies
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_named_session_sends_back_cookies_headers_and_auth() {
    let s = server();
    let config = tempfile::tempdir().unwrap();
    let port = s.port().to_string();
    let first = format!(":{port}/cookies/set");
    let o = rq_in(
        config.path(),
        &["--session=s1", &first, "k==v", "X-S:1", "-a", "u:p"],
    );
    assert_code(&o, 0);
    let o = rq_in(
        config.path(),
        &["--session=s1", &format!(":{port}/anything")],
    );
    assert_code(&o, 0);
    let second = &s.requests()[1];
    assert_eq!(second.header("cookie"), Some("k=v"));
    assert_eq!(second.header("x-s"), Some("1"));
    assert_eq!(second.header("authorization"), Some("Basic dTpw"));
    let file = config
        .path()
        .join(format!("sessions/localhost_{port}/s1.json"));
    assert_eq!(mode(&file), 0o600);
}

#[test]
fn the_saved_file_is_httpie_3_format_without_per_request_headers() {
    let s = server();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    let o = rq_in(
        dir.path(),
        &[
            "--session",
            path.to_str().unwrap(),
            "-a",
            "u:p",
            &s.url("/cookies/set?srv=1"),
            "X-Keep:1",
            "If-None-Match:x",
            "Content-Language:en",
            "Cookie:typed=2",
        ],
    );
    assert_code(&o, 0);
    let saved = json(&path);
    assert!(saved["__meta__"].is_object());
    assert_eq!(saved["auth"]["type"], "basic");
    assert_eq!(saved["auth"]["raw_auth"], "u:p");
    let headers: Vec<&str> = saved["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    assert_eq!(headers, ["X-Keep"]);
    assert_eq!(cookie_names(&saved), ["typed", "srv"]);
    let typed = &saved["cookies"][0];
    assert_eq!(typed["domain"], "127.0.0.1");
    assert_eq!(typed["path"], "/");
    assert_eq!(typed["value"], "2");
    assert_eq!(typed["expires"], Value::Null);
}

#[test]
fn an_httpie_3_session_file_loads_and_is_rewritten() {
    let s = server();
    let dir = tempfile::tempdir().unwrap();
    let path = fixture("httpie-3.2.json", dir.path());
    let o = rq_in(
        dir.path(),
        &["--session", path.to_str().unwrap(), &s.url("/x")],
    );
    assert_code(&o, 0);
    let r = &s.requests()[0];
    assert_eq!(r.header("cookie"), Some("sid=httpie3-cookie"));
    assert_eq!(r.header("x-from"), Some("httpie3"));
    assert_eq!(r.header_all("x-multi"), ["a", "b"]);
    let basic = format!("Basic {}", b64("ann:pw-from-httpie3"));
    assert_eq!(r.header("authorization"), Some(basic.as_str()));
    let saved = json(&path);
    assert_eq!(
        cookie_names(&saved),
        ["sid"],
        "expired and public-suffix cookies are dropped"
    );
    assert_eq!(saved["headers"].as_array().unwrap().len(), 3);
}

#[test]
fn an_httpie_legacy_dict_session_loads_and_is_rewritten_as_lists() {
    let s = server();
    let dir = tempfile::tempdir().unwrap();
    let path = fixture("httpie-2.json", dir.path());
    let o = rq_in(
        dir.path(),
        &["--session", path.to_str().unwrap(), &s.url("/x")],
    );
    assert_code(&o, 0);
    let r = &s.requests()[0];
    assert_eq!(r.header("cookie"), Some("legacy=httpie2-cookie"));
    assert_eq!(r.header("x-from"), Some("httpie2"));
    let basic = format!("Basic {}", b64("bob:pw-from-httpie2"));
    assert_eq!(r.header("authorization"), Some(basic.as_str()));
    let saved = json(&path);
    assert_eq!(saved["headers"][0]["name"], "X-From");
    assert_eq!(saved["cookies"][0]["name"], "legacy");
    assert_eq!(
        saved["cookies"][0]["domain"], "127.0.0.1",
        "bound to the host"
    );
    assert_eq!(saved["auth"]["raw_auth"], "bob:pw-from-httpie2");
}

#[test]
fn xh_session_files_load() {
    for (name, cookie, header, auth) in [
        (
            "xh.json",
            "xsid=xh-cookie",
            "xh",
            "Bearer xh-token".to_string(),
        ),
        (
            "xh-legacy.json",
            "old=xh-legacy-cookie",
            "xh-legacy",
            format!("Basic {}", b64("carol:pw-from-xh")),
        ),
    ] {
        let s = server();
        let dir = tempfile::tempdir().unwrap();
        let path = fixture(name, dir.path());
        let o = rq_in(
            dir.path(),
            &["--session-read-only", path.to_str().unwrap(), &s.url("/")],
        );
        assert_code(&o, 0);
        let r = &s.requests()[0];
        assert_eq!(r.header("cookie"), Some(cookie), "{name}");
        assert_eq!(r.header("x-from"), Some(header), "{name}");
        assert_eq!(r.header("authorization"), Some(auth.as_str()), "{name}");
    }
}

#[test]
fn cookies_keep_their_port_when_saved_and_reloaded() {
    let a = server();
    let b = server();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    let session = ["--session", path.to_str().unwrap()];
    let set = a.url("/cookies/set?from=a");
    assert_code(
        &rq_in(dir.path(), &[&session[..], &[set.as_str()]].concat()),
        0,
    );
    let port = a.port().to_string();
    assert_eq!(json(&path)["cookies"][0]["port"], port.as_str());
    // The next run starts on the other port: the cookie is not theirs.
    let other = b.url("/x");
    assert_code(
        &rq_in(dir.path(), &[&session[..], &[other.as_str()]].concat()),
        0,
    );
    assert_eq!(b.requests()[0].header("cookie"), None);
    let back = a.url("/y");
    assert_code(
        &rq_in(dir.path(), &[&session[..], &[back.as_str()]].concat()),
        0,
    );
    assert_eq!(a.requests()[1].header("cookie"), Some("from=a"));
}

#[test]
fn localhost_cookies_are_read_and_written_the_way_httpie_keeps_them() {
    let s = server();
    let dir = tempfile::tempdir().unwrap();
    let path = fixture("httpie-localhost.json", dir.path());
    let url = format!("http://localhost:{}/cookies/set?mine=1", s.port());
    let o = rq_in(dir.path(), &["--session", path.to_str().unwrap(), &url]);
    assert_code(&o, 0);
    assert_eq!(s.requests()[0].header("cookie"), Some("dev=from-httpie"));
    // Python's cookie jar matches localhost as localhost.local: rq writes that domain.
    let saved = json(&path);
    let domains: Vec<&str> = saved["cookies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["domain"].as_str().unwrap())
        .collect();
    assert_eq!(domains, ["localhost.local", "localhost.local"]);
    assert_eq!(cookie_names(&saved), ["dev", "mine"]);
}

#[test]
fn a_session_path_that_is_a_symlink_is_written_through() {
    let s = server();
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("sessions").join("real.json");
    fs::create_dir(real.parent().unwrap()).unwrap();
    fs::write(&real, "{}").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink("sessions/real.json", &link).unwrap();
    let o = rq_in(
        dir.path(),
        &[
            "--session",
            link.to_str().unwrap(),
            &s.url("/cookies/set?k=v"),
        ],
    );
    assert_code(&o, 0);
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        fs::read_link(&link).unwrap(),
        Path::new("sessions/real.json")
    );
    assert_eq!(cookie_names(&json(&real)), ["k"]);
    assert_eq!(mode(&real), 0o600);
    let left: Vec<_> = fs::read_dir(real.parent().unwrap()).unwrap().collect();
    assert_eq!(left.len(), 1, "no temporary file is left behind");
    // A dangling link is written through as well, creating its target.
    let later = dir.path().join("later.json");
    let dangling = dir.path().join("dangling.json");
    std::os::unix::fs::symlink(&later, &dangling).unwrap();
    let o = rq_in(
        dir.path(),
        &["--session", dangling.to_str().unwrap(), &s.url("/")],
    );
    assert_code(&o, 0);
    assert!(fs::symlink_metadata(&dangling)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(json(&later)["cookies"].is_array());
}

#[test]
fn a_read_only_session_is_never_written() {
    let s = server();
    let dir = tempfile::tempdir().unwrap();
    let path = fixture("httpie-3.2.json", dir.path());
    let before = fs::read(&path).unwrap();
    let o = rq_in(
        dir.path(),
        &[
            "--session-read-only",
            path.to_str().unwrap(),
            &s.url("/cookies/set?n=1"),
            "X-New:1",
        ],
    );
    assert_code(&o, 0);
    assert_eq!(fs::read(&path).unwrap(), before);
    let missing = dir.path().join("new.json");
    let o = rq_in(
        dir.path(),
        &[
            "--session-read-only",
            missing.to_str().unwrap(),
            &s.url("/"),
        ],
    );
    assert_code(&o, 0);
    assert!(!missing.exists());
}

#[test]
fn a_corrupt_session_file_is_an_error_that_leaves_it_untouched() {
    let s = server();
    let dir = tempfile::tempdir().unwrap();
    let path = fixture("corrupt.json", dir.path());
    let before = fs::read(&path).unwrap();
    let o = rq_in(
        dir.path(),
        &["--session", path.to_str().unwrap(), &s.url("/")],
    );
    assert_code(&o, 1);
    let err = stderr(&o);
    assert!(err.starts_with("rq: error: session file '"), "{err}");
    assert!(err.contains("corrupt.json"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(fs::read(&path).unwrap(), before);
    assert_eq!(s.request_count(), 0, "nothing is sent");
}

#[test]
fn the_session_is_saved_whatever_the_status() {
    let s = server();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    let o = rq_in(
        dir.path(),
        &["--session", path.to_str().unwrap(), &s.url("/status/500")],
    );
    assert_code(&o, 5);
    assert_eq!(cookie_names(&json(&path)), ["st"]);
}

#[test]
fn cookies_set_by_a_redirect_are_sent_on_and_saved() {
    let s = Server::http(|r| match r.path.as_str() {
        "/login" => Response::new(302)
            .header("Set-Cookie", "auth=yes; Path=/")
            .header("Location", "/home"),
        _ => Response::new(200).text(r.header("cookie").unwrap_or("none")),
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    let o = rq_in(
        dir.path(),
        &["-F", "--session", path.to_str().unwrap(), &s.url("/login")],
    );
    assert_code(&o, 0);
    assert_eq!(String::from_utf8_lossy(&o.stdout), "auth=yes");
    assert_eq!(cookie_names(&json(&path)), ["auth"]);
}

#[test]
fn expired_cookies_are_dropped_and_session_cookies_kept() {
    let s = Server::http(|_| {
        Response::new(200)
            .header("Set-Cookie", "sess=1; Path=/")
            .header("Set-Cookie", "gone=1; Path=/; Max-Age=0")
            .header(
                "Set-Cookie",
                "old=1; Path=/; Expires=Wed, 21 Oct 2015 07:28:00 GMT",
            )
            .header("Set-Cookie", "kept=1; Path=/; Max-Age=86400")
            .text("ok")
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    assert_code(
        &rq_in(
            dir.path(),
            &["--session", path.to_str().unwrap(), &s.url("/")],
        ),
        0,
    );
    let saved = json(&path);
    assert_eq!(cookie_names(&saved), ["sess", "kept"]);
    assert_eq!(saved["cookies"][0]["expires"], Value::Null);
    assert!(saved["cookies"][1]["expires"].as_i64().unwrap() > 1_700_000_000);
}

/// Must hold: a session on host A plus --follow to host B: B sees neither A's cookies nor
/// A's credentials, but the headers the user typed.
#[test]
fn session_cookies_and_auth_for_one_host_never_reach_another_by_redirect() {
    let b = server();
    let a = server();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    let session = path.to_str().unwrap();
    let set = a.url("/cookies/set?a_cookie=secret");
    assert_code(
        &rq_in(dir.path(), &["--session", session, "-a", "u:p", &set]),
        0,
    );
    // Another host (localhost is not 127.0.0.1) on another port.
    let elsewhere = format!("http://localhost:{}/landed", b.port());
    let start = a.url(&format!("/redirect-to?url={elsewhere}"));
    let o = rq_in(
        dir.path(),
        &["-F", "--session", session, &start, "X-Mine:kept"],
    );
    assert_code(&o, 0);
    let at_a = a.requests().pop().unwrap();
    assert_eq!(at_a.header("cookie"), Some("a_cookie=secret"));
    assert!(at_a.header("authorization").is_some());
    let at_b = &b.requests()[0];
    assert_eq!(at_b.path, "/landed");
    assert_eq!(at_b.header("cookie"), None);
    assert_eq!(at_b.header("authorization"), None);
    assert_eq!(at_b.header("x-mine"), Some("kept"));
}

#[test]
fn a_redirect_to_another_host_on_the_same_port_gets_no_cookies() {
    let s = server();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    let session = path.to_str().unwrap();
    let set = s.url("/cookies/set?k=v");
    assert_code(&rq_in(dir.path(), &["--session", session, &set]), 0);
    let other = format!("http://localhost:{}/landed", s.port());
    let start = s.url(&format!("/redirect-to?url={other}"));
    assert_code(&rq_in(dir.path(), &["-F", "--session", session, &start]), 0);
    let requests = s.requests();
    let landed = requests.iter().find(|r| r.path == "/landed").unwrap();
    assert_eq!(landed.header("cookie"), None);
    assert_eq!(requests[1].header("cookie"), Some("k=v"));
}

#[test]
fn a_digest_session_authenticates_without_a_password_on_the_command_line() {
    let s = crate::auth::digest_server("MD5");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    let session = path.to_str().unwrap();
    let url = s.url("/digest-auth/auth/user/passwd");
    assert_code(
        &rq_in(
            dir.path(),
            &[
                "--session",
                session,
                "-A",
                "digest",
                "-a",
                "user:passwd",
                &url,
            ],
        ),
        0,
    );
    assert_eq!(json(&path)["auth"]["type"], "digest");
    assert_code(&rq_in(dir.path(), &["--session", session, &url]), 0);
    assert_eq!(s.request_count(), 4);
}

#[test]
fn session_and_session_read_only_together_are_a_usage_error() {
    let o = rq_in(
        Path::new("/nonexistent"),
        &["--session", "a", "--session-read-only", "b", ":1/"],
    );
    assert_code(&o, 64);
}

#[test]
fn an_odd_session_name_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = rq_in(dir.path(), &["--session", "a b", "--offline", ":1/"]);
    assert_code(&o, 64);
    assert!(
        stderr(&o).contains("invalid session name 'a b'"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn offline_uses_the_session_but_does_not_write_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture("httpie-3.2.json", dir.path());
    let before = fs::read(&path).unwrap();
    let o = rq_in(
        dir.path(),
        &[
            "--offline",
            "--session",
            path.to_str().unwrap(),
            "http://127.0.0.1:9/",
            "X-New:1",
        ],
    );
    assert_code(&o, 0);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("Cookie: sid=httpie3-cookie"), "{out}");
    assert!(out.contains("X-From: httpie3"), "{out}");
    assert_eq!(fs::read(&path).unwrap(), before);
}

fn b64(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[test]
fn a_cookie_header_that_is_not_name_value_pairs_is_sent_as_typed() {
    let s = server();
    let o = run(rq().args([&s.url("/a"), "Cookie:opaque-token", "X:1"]));
    assert_code(&o, 0);
    assert_eq!(s.requests()[0].header_all("cookie"), ["opaque-token"]);
    // A session file holding such a header (hand-written, or another client's) loads.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    fs::write(
        &path,
        r#"{"headers": [{"name": "Cookie", "value": "opaque-token"}], "cookies": []}"#,
    )
    .unwrap();
    let o = run(rq().args(["--session", path.to_str().unwrap(), &s.url("/b")]));
    assert_code(&o, 0);
    assert_eq!(s.requests()[1].header_all("cookie"), ["opaque-token"]);
}
