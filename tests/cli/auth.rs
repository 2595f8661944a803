//! Credentials: Basic, Bearer and Digest, netrc per hop, the redirect credential matrix, and
//! `--debug` never showing a secret.

use std::collections::HashMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::support::{
    assert_code, bin, curl_of, rq, rq_with, run, stderr, stdout, Response, Server,
};

const NONCE: &str = "dcd98b7102dd2f0e8b11d0f600bfb0c093";

/// `/digest-auth/auth/USER/PASS` answers 401 with a Digest challenge (`algorithm`, qop=auth)
/// until a request carries a correct answer, checked here from RFC 7616's formulas.
pub fn digest_server(algorithm: &'static str) -> Server {
    Server::http(move |r| {
        let parts: Vec<&str> = r.path.split('/').collect();
        let (user, pass) = (parts[3], parts[4]);
        let answered = r
            .header("authorization")
            .and_then(|a| a.strip_prefix("Digest "));
        let valid = |a| digest_is_valid(a, user, pass, &r.method, &r.target, algorithm, NONCE);
        if answered.is_some_and(valid) {
            return Response::new(200)
                .json(&format!(r#"{{"authenticated": true, "user": "{user}"}}"#));
        }
        let challenge = format!(
            r#"Digest realm="rq-test", qop="auth", algorithm={algorithm}, nonce="{NONCE}", opaque="0paque""#
        );
        Response::new(401)
            .header("WWW-Authenticate", &challenge)
            .text("unauthorized")
    })
}

/// `key=value, key="value"` pairs of an Authorization header.
fn fields(header: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut rest = header.trim();
    while let Some((key, after)) = rest.split_once('=') {
        let (value, next) = match after.strip_prefix('"') {
            Some(q) => {
                let end = q.find('"').unwrap();
                (&q[..end], &q[end + 1..])
            }
            None => after.split_once(',').map_or((after, ""), |(v, n)| (v, n)),
        };
        out.insert(key.trim().to_string(), value.to_string());
        rest = next.trim_start_matches([',', ' ']);
    }
    out
}

fn digest_is_valid(
    header: &str,
    user: &str,
    pass: &str,
    method: &str,
    uri: &str,
    algorithm: &str,
    nonce: &str,
) -> bool {
    let f = fields(header);
    let h = |s: String| hash(algorithm, s.as_bytes());
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let ha1 = h(format!("{user}:rq-test:{pass}"));
    let ha2 = h(format!("{method}:{uri}"));
    let (nc, cnonce) = (get("nc"), get("cnonce"));
    let expected = h(format!("{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}"));
    get("username") == user
        && get("uri") == uri
        && get("qop") == "auth"
        && get("opaque") == "0paque"
        && get("nonce") == nonce
        && get("response") == expected
}

/// `H(data)` in lower-case hex, for the Digest algorithm named.
fn hash(algorithm: &str, data: &[u8]) -> String {
    use sha2::Digest;
    let bytes = match algorithm {
        "MD5" => md5::Md5::digest(data).to_vec(),
        "SHA-256" => sha2::Sha256::digest(data).to_vec(),
        "SHA-512-256" => sha2::Sha512_256::digest(data).to_vec(),
        "SHA-512" => sha2::Sha512::digest(data).to_vec(),
        other => panic!("no such algorithm in these tests: {other}"),
    };
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `/stale/once`: a right answer to the first nonce gets a 401 that calls it stale and gives
/// a second nonce, which is then accepted. `/stale/always`: every right answer is called
/// stale, with a new nonce each time.
fn stale_server() -> Server {
    let issued = std::sync::atomic::AtomicUsize::new(0);
    Server::http(move |r| {
        let current = format!("nonce{}", issued.load(std::sync::atomic::Ordering::SeqCst));
        let answer = r
            .header("authorization")
            .and_then(|a| a.strip_prefix("Digest "));
        let right = answer.is_some_and(|a| {
            digest_is_valid(a, "user", "pw", &r.method, &r.target, "MD5", &current)
        });
        let challenge = |stale: bool| {
            let n = issued.fetch_add(usize::from(stale), std::sync::atomic::Ordering::SeqCst);
            let nonce = format!("nonce{}", n + usize::from(stale));
            let stale = if stale { ", stale=true" } else { "" };
            format!(
                r#"Digest realm="rq-test", qop="auth", algorithm=MD5, nonce="{nonce}", opaque="0paque"{stale}"#
            )
        };
        let last = r.path == "/stale/once" && current != "nonce0";
        match (right, last) {
            (true, true) => Response::new(200).text("in"),
            (true, false) => Response::new(401).header("WWW-Authenticate", &challenge(true)),
            (false, _) => Response::new(401).header("WWW-Authenticate", &challenge(false)),
        }
    })
}

#[test]
fn auth_int_alone_is_answered_with_the_body_hashed() {
    // The server offers only qop=auth-int: H(A2) covers the body.
    let s = Server::http(|r| {
        let h = |s: &[u8]| hash("MD5", s);
        let f = fields(
            r.header("authorization")
                .unwrap_or("")
                .trim_start_matches("Digest "),
        );
        let get = |k: &str| f.get(k).cloned().unwrap_or_default();
        let ha1 = h(b"user:rq-test:pw");
        let ha2 = h(format!("{}:{}:{}", r.method, r.target, h(&r.body)).as_bytes());
        let (nc, cnonce) = (get("nc"), get("cnonce"));
        let expected = h(format!("{ha1}:{NONCE}:{nc}:{cnonce}:auth-int:{ha2}").as_bytes());
        if get("qop") == "auth-int" && get("response") == expected {
            return Response::new(200).text("in");
        }
        let challenge =
            format!(r#"Digest realm="rq-test", qop="auth-int", algorithm=MD5, nonce="{NONCE}""#);
        Response::new(401).header("WWW-Authenticate", &challenge)
    });
    for args in [&["get"][..], &["post", "a=1"][..]] {
        let (method, items) = args.split_first().unwrap();
        let url = s.url("/int");
        let mut argv = vec!["-A", "digest", "-a", "user:pw", method, &url];
        argv.extend(items);
        let o = rq_with(&argv);
        assert_code(&o, 0);
        assert_eq!(stdout(&o), "in", "{method}");
    }
}

#[test]
fn a_stale_nonce_is_answered_again_once() {
    let s = stale_server();
    let o = rq_with(&["-A", "digest", "-a", "user:pw", &s.url("/stale/once")]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "in");
    let nonces: Vec<String> = s
        .requests()
        .iter()
        .map(|r| {
            fields(r.header("authorization").unwrap_or(""))
                .remove("nonce")
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(nonces, ["", "nonce0", "nonce1"]);

    // A server that calls every nonce stale gets one more answer, then the 401 stands.
    let s = stale_server();
    let o = rq_with(&["-A", "digest", "-a", "user:pw", &s.url("/stale/always")]);
    assert_code(&o, 4);
    assert_eq!(s.request_count(), 3);
}

/// Echo server: 200 `ok` for anything.
fn ok_server() -> Server {
    Server::http(|_| Response::new(200).text("ok"))
}

/// A netrc file with mode `mode` in a fresh directory.
fn netrc(text: &str, mode: u32) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".netrc");
    fs::write(&path, text).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
    (dir, path)
}

fn rq_netrc(path: &Path, args: &[&str]) -> std::process::Output {
    run(rq().env("NETRC", path).args(args))
}

#[test]
fn digest_auth_with_md5_authenticates() {
    let s = digest_server("MD5");
    let o = rq_with(&[
        "-A",
        "digest",
        "-a",
        "user:passwd",
        &s.url("/digest-auth/auth/user/passwd"),
    ]);
    assert_code(&o, 0);
    assert!(
        stdout(&o).contains(r#""authenticated": true"#),
        "{}",
        stdout(&o)
    );
    let requests = s.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].header("authorization"),
        None,
        "digest waits for the challenge"
    );
    assert!(requests[1]
        .header("authorization")
        .unwrap()
        .starts_with("Digest "));
    s.assert_no_panics();
}

#[test]
fn the_curl_command_for_digest_auth_authenticates_too() {
    let s = digest_server("MD5");
    let url = s.url("/digest-auth/auth/user/passwd");
    let (line, curl) = curl_of(&["-A", "digest", "-a", "user:passwd", &url]);
    assert!(line.contains("--digest --user user:passwd"), "{line}");
    let body = String::from_utf8_lossy(&curl.stdout);
    assert!(body.contains(r#""authenticated": true"#), "{body}");
}

#[test]
fn digest_auth_with_sha_256_authenticates() {
    let s = digest_server("SHA-256");
    let url = s.url("/digest-auth/auth/user/passwd?q=1");
    let o = rq_with(&["-A", "digest", "-a", "user:passwd", "post", &url, "a=1"]);
    assert_code(&o, 0);
    let answer = s.requests()[1].header("authorization").unwrap().to_string();
    assert!(answer.contains("algorithm=SHA-256"), "{answer}");
    assert!(
        answer.contains(r#"uri="/digest-auth/auth/user/passwd?q=1""#),
        "{answer}"
    );
    assert_eq!(s.requests()[1].body_str(), r#"{"a": "1"}"#);
}

#[test]
fn digest_auth_with_sha_512_and_sha_512_256_authenticates() {
    for algorithm in ["SHA-512", "SHA-512-256"] {
        let s = digest_server(algorithm);
        let url = s.url("/digest-auth/auth/user/passwd");
        let o = rq_with(&["-A", "digest", "-a", "user:passwd", &url]);
        assert_code(&o, 0);
        let answer = s.requests()[1].header("authorization").unwrap().to_string();
        assert!(
            answer.contains(&format!("algorithm={algorithm},"))
                || answer.ends_with(&format!("algorithm={algorithm}")),
            "{answer}"
        );
        s.assert_no_panics();
    }
}

#[test]
fn a_digest_algorithm_rq_lacks_leaves_the_401_with_a_note() {
    let s = Server::http(|_| {
        Response::new(401)
            .header(
                "WWW-Authenticate",
                r#"Digest realm="r", qop="auth", algorithm=SHA3-256, nonce="n""#,
            )
            .text("unauthorized")
    });
    let o = rq_with(&["-A", "digest", "-a", "user:passwd", &s.url("/")]);
    assert_code(&o, 4);
    assert_eq!(stdout(&o), "unauthorized");
    let err = stderr(&o);
    assert!(
        err.contains("asks for Digest auth with SHA3-256, which rq can't compute"),
        "{err}"
    );
    assert!(!err.to_lowercase().contains("unknown algorithm"), "{err}");
    assert_eq!(s.request_count(), 1);
}

#[test]
fn a_wrong_digest_password_ends_with_the_401_after_one_answer() {
    let s = digest_server("MD5");
    let o = rq_with(&[
        "-A",
        "digest",
        "-a",
        "user:wrong",
        &s.url("/digest-auth/auth/user/passwd"),
    ]);
    assert_code(&o, 4);
    assert_eq!(s.request_count(), 2);
}

#[test]
fn the_digest_challenge_is_an_intermediary_exchange_shown_with_verbose() {
    let s = digest_server("MD5");
    let url = s.url("/digest-auth/auth/user/passwd");
    let o = rq_with(&["-v", "-A", "digest", "-a", "user:passwd", &url]);
    assert_code(&o, 0);
    let out = stdout(&o);
    assert_eq!(
        out.matches("GET /digest-auth/auth/user/passwd HTTP/1.1")
            .count(),
        2,
        "{out}"
    );
    assert!(out.contains("HTTP/1.1 401 Unauthorized"), "{out}");
    assert!(
        out.to_ascii_lowercase()
            .contains("www-authenticate: digest"),
        "{out}"
    );
    assert!(out.contains("HTTP/1.1 200 OK"), "{out}");
    let o = rq_with(&["-p", "hb", "-A", "digest", "-a", "user:passwd", &url]);
    assert!(
        !stdout(&o).contains("401"),
        "hidden without --all/-v: {}",
        stdout(&o)
    );
}

#[test]
fn digest_credentials_are_not_answered_for_another_origin() {
    let b = digest_server("MD5");
    let target = b.url("/digest-auth/auth/user/passwd");
    let a = Server::http(move |_| Response::new(302).header("Location", &target));
    let o = rq_with(&["-F", "-A", "digest", "-a", "user:passwd", &a.url("/")]);
    assert_code(&o, 4);
    assert_eq!(b.request_count(), 1);
    assert_eq!(b.requests()[0].header("authorization"), None);
}

#[test]
fn url_credentials_work_with_digest() {
    let s = digest_server("MD5");
    let url = format!(
        "http://user:passwd@127.0.0.1:{}/digest-auth/auth/user/passwd",
        s.port()
    );
    assert_code(&rq_with(&["-A", "digest", &url]), 0);
}

#[test]
fn a_missing_password_without_a_terminal_exits_64_and_says_how_to_pass_it() {
    let s = ok_server();
    let o = rq_with(&["-a", "ann", &s.url("/")]);
    assert_code(&o, 64);
    let err = stderr(&o);
    assert!(err.starts_with("rq: error: "), "{err}");
    assert!(err.contains("-a ann:PASSWORD"), "{err}");
    assert_eq!(s.request_count(), 0);
}

#[test]
fn a_missing_password_is_asked_for_on_the_terminal_naming_the_host() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let s = ok_server();
    let line = format!("{} -b -a ann {}", bin(), s.url("/"));
    let script = crate::support::need_tool("script");
    let mut child = crate::support::hermetic(&mut Command::new(script))
        .args(["-qefc", &line, "/dev/null"])
        .env("SHELL", "/bin/sh")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("script runs");
    // Typed ahead: the terminal holds the line until rq reads it.
    child.stdin.take().unwrap().write_all(b"sekret\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    let prompt = format!("password for ann@127.0.0.1:{}: ", s.port());
    assert!(shown.contains(&prompt), "{shown}");
    let got = s.requests()[0].header("authorization").map(str::to_string);
    assert_eq!(got.as_deref(), Some("Basic YW5uOnNla3JldA=="), "{shown}");
}

#[test]
fn bearer_tokens_come_from_bearer_or_auth_type_bearer() {
    let s = ok_server();
    assert_code(&rq_with(&["--bearer", "t0k", &s.url("/")]), 0);
    assert_code(&rq_with(&["-A", "bearer", "-a", "t1k", &s.url("/")]), 0);
    let got: Vec<String> = s
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap().to_string())
        .collect();
    assert_eq!(got, ["Bearer t0k", "Bearer t1k"]);
}

#[test]
fn netrc_credentials_are_used_for_their_host() {
    let s = ok_server();
    let (_dir, path) = netrc("machine 127.0.0.1 login ann password pw\n", 0o600);
    let o = rq_netrc(&path, &[&s.url("/")]);
    assert_code(&o, 0);
    assert_eq!(stderr(&o), "", "a private netrc draws no warning");
    assert_eq!(
        s.requests()[0].header("authorization"),
        Some("Basic YW5uOnB3")
    );
}

#[test]
fn netrc_is_found_in_home() {
    let s = ok_server();
    let (dir, _) = netrc("default login ann password pw\n", 0o600);
    assert_code(&run(rq().env("HOME", dir.path()).arg(s.url("/"))), 0);
    assert_eq!(
        s.requests()[0].header("authorization"),
        Some("Basic YW5uOnB3")
    );
}

#[test]
fn ignore_netrc_and_given_credentials_keep_netrc_out() {
    let s = ok_server();
    let (_dir, path) = netrc("default login ann password pw\n", 0o600);
    assert_code(&rq_netrc(&path, &["--ignore-netrc", &s.url("/")]), 0);
    assert_code(&rq_netrc(&path, &["-a", "u:p", &s.url("/")]), 0);
    assert_code(
        &rq_netrc(&path, &[&s.url("/"), "Authorization:Custom x"]),
        0,
    );
    let requests = s.requests();
    let got: Vec<Option<&str>> = requests.iter().map(|r| r.header("authorization")).collect();
    assert_eq!(got, [None, Some("Basic dTpw"), Some("Custom x")]);
}

#[test]
fn netrc_password_is_the_token_with_auth_type_bearer() {
    let s = ok_server();
    let (_dir, path) = netrc("machine 127.0.0.1 login ignored password tok3n\n", 0o600);
    assert_code(&rq_netrc(&path, &["-A", "bearer", &s.url("/")]), 0);
    assert_eq!(
        s.requests()[0].header("authorization"),
        Some("Bearer tok3n")
    );
}

#[test]
fn netrc_works_with_digest() {
    let s = digest_server("SHA-256");
    let (_dir, path) = netrc("machine 127.0.0.1 login user password passwd\n", 0o600);
    let o = rq_netrc(
        &path,
        &["-A", "digest", &s.url("/digest-auth/auth/user/passwd")],
    );
    assert_code(&o, 0);
}

#[test]
fn a_netrc_readable_by_others_draws_a_warning() {
    let s = ok_server();
    let (_dir, path) = netrc("machine 127.0.0.1 login ann password pw\n", 0o644);
    let o = rq_netrc(&path, &[&s.url("/")]);
    assert_code(&o, 0);
    let err = stderr(&o);
    assert!(err.starts_with("rq: warning: netrc file '"), "{err}");
    assert!(
        err.contains("readable by group or others") && err.contains("chmod 600"),
        "{err}"
    );
    assert_eq!(
        s.requests()[0].header("authorization"),
        Some("Basic YW5uOnB3")
    );
    assert_eq!(stderr(&rq_netrc(&path, &["-qq", &s.url("/")])), "");
}

/// netrc is looked up for each hop's host: a redirect to another host gets that host's
/// entry, never the first host's.
#[test]
fn netrc_is_looked_up_per_hop() {
    let b = ok_server();
    let landing = format!("http://localhost:{}/b", b.port());
    let a = Server::http(move |_| Response::new(302).header("Location", &landing));
    let text =
        "machine 127.0.0.1 login ann password for-a\nmachine localhost login bob password for-b\n";
    let (_dir, path) = netrc(text, 0o600);
    assert_code(&rq_netrc(&path, &["-F", &a.url("/a")]), 0);
    assert_eq!(
        a.requests()[0].header("authorization"),
        Some("Basic YW5uOmZvci1h")
    );
    assert_eq!(
        b.requests()[0].header("authorization"),
        Some("Basic Ym9iOmZvci1i")
    );
    let (_dir, only_a) = netrc("machine 127.0.0.1 login ann password for-a\n", 0o600);
    assert_code(&rq_netrc(&only_a, &["-F", &a.url("/a")]), 0);
    assert_eq!(b.requests()[1].header("authorization"), None);
}

#[test]
fn authorization_is_dropped_on_a_redirect_to_another_host() {
    // Same server and port, another host name: a different origin all the same.
    let s = Server::http(|r| match r.path.as_str() {
        "/a" => {
            let port = r
                .header("host")
                .unwrap()
                .rsplit(':')
                .next()
                .unwrap()
                .to_string();
            Response::new(302).header("Location", &format!("http://localhost:{port}/b"))
        }
        _ => Response::new(200).text("ok"),
    });
    assert_code(
        &rq_with(&["-F", "-a", "u:p", &s.url("/a"), "X-Mine:kept"]),
        0,
    );
    let landed = &s.requests()[1];
    assert_eq!(landed.path, "/b");
    assert_eq!(landed.header("authorization"), None);
    assert_eq!(landed.header("x-mine"), Some("kept"));
}

#[test]
fn proxy_authorization_never_reaches_another_origin() {
    let b = ok_server();
    let landing = b.url("/b");
    let a = Server::http(move |_| Response::new(307).header("Location", &landing));
    let o = rq_with(&["-F", &a.url("/a"), "Proxy-Authorization:Basic c2VjcmV0"]);
    assert_code(&o, 0);
    assert_eq!(b.requests()[0].header("proxy-authorization"), None);
}

#[test]
fn debug_output_never_shows_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("s.json");
    fs::write(
        &session,
        r#"{"cookies": [{"name": "sid", "value": "cookie-from-session", "domain": "127.0.0.1"}],
            "auth": {"type": "basic", "raw_auth": "ann:pw-from-session"}}"#,
    )
    .unwrap();
    let (_ndir, netrc_path) = netrc("default login ann password pw-from-netrc\n", 0o600);
    let url = "http://127.0.0.1:9/x";
    let runs: [&[&str]; 4] = [
        &["-a", "ann:pw-from-cli", url, "Cookie:typed=cookie-typed"],
        &["--bearer", "token-from-cli", url],
        &["--session", session.to_str().unwrap(), url],
        &[url],
    ];
    for args in runs {
        let o = run(rq()
            .env("NETRC", &netrc_path)
            .args(["--debug", "--offline"])
            .args(args));
        assert_code(&o, 0);
        let err = stderr(&o);
        assert!(err.contains("Plan {"), "{err}");
        for secret in [
            "pw-from-cli",
            "cookie-typed",
            "token-from-cli",
            "cookie-from-session",
            "pw-from-session",
            "pw-from-netrc",
            "YW5u", // base64 of "ann…"
        ] {
            assert!(
                !err.contains(secret),
                "--debug showed '{secret}' for {args:?}:\n{err}"
            );
        }
    }
}

#[test]
fn an_auth_type_without_credentials_is_a_usage_error() {
    let s = Server::http(|_| Response::new(200));
    for scheme in ["basic", "digest", "bearer"] {
        let o = rq_with(&["-A", scheme, &s.url("/")]);
        assert_code(&o, 64);
        let err = stderr(&o);
        assert!(
            err.contains(&format!("-A {scheme} needs credentials")),
            "{err}"
        );
    }
    assert_eq!(s.request_count(), 0);
}

#[test]
fn ignore_stdin_means_no_password_prompt_even_at_a_terminal() {
    let s = Server::http(|_| Response::new(200));
    // A prompt would wait for typing that never comes: `timeout` ends that wait (failing the
    // test) long after rq, which does not prompt, has exited.
    let line = format!("timeout 60 {} -I -a bob {}", bin(), s.url("/"));
    let (screen, code) = crate::support::in_terminal(&line, &[]);
    assert_eq!(code, 64, "{screen}");
    assert!(!screen.contains("password for"), "no prompt: {screen}");
    assert!(
        screen.contains("-a bob: password missing") && screen.contains("-I"),
        "{screen}"
    );
    assert_eq!(s.request_count(), 0);
}

#[test]
fn ctrl_c_at_the_password_prompt_exits_130_and_gives_the_terminal_its_echo_back() {
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};
    let s = ok_server();
    // The shell outlives rq's Ctrl-C (`trap :`) to report rq's exit code and the terminal's
    // settings after it.
    let line = format!(
        "sh -c 'trap : INT; {} -a ann {}; echo code=$?; stty -a'",
        bin(),
        s.url("/")
    );
    let script = crate::support::need_tool("script");
    let mut child = crate::support::hermetic(&mut Command::new(script))
        .args(["-qefc", &line, "/dev/null"])
        .env("SHELL", "/bin/sh")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("script runs");
    let mut input = child.stdin.take().unwrap();
    let mut output = child.stdout.take().unwrap();
    // Ctrl-C only once the question is on the screen.
    let mut shown = Vec::new();
    let mut byte = [0u8; 1];
    while !String::from_utf8_lossy(&shown).contains("password for ann@") {
        match output.read(&mut byte) {
            Ok(1) => shown.push(byte[0]),
            _ => panic!("no prompt: {}", String::from_utf8_lossy(&shown)),
        }
    }
    input.write_all(b"\x03").unwrap();
    output.read_to_end(&mut shown).unwrap();
    drop(input);
    child.wait().unwrap();
    let shown = String::from_utf8_lossy(&shown).replace("\r\n", "\n");
    assert!(shown.contains("code=130"), "{shown}");
    let settings: Vec<&str> = shown
        .split(|c: char| c.is_whitespace() || c == ';')
        .collect();
    assert!(settings.contains(&"echo"), "echo is back on: {shown}");
    assert!(!settings.contains(&"-echo"), "echo is back on: {shown}");
    assert!(s.requests().is_empty(), "nothing was sent");
}
