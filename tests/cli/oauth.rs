//! `-A oauth2`: every grant against the in-process authorization server
//! (`support/oauth.rs`), tokens cached in the session with their expiry, refreshed and
//! rotated, renewed once on `invalid_token`, discovery, the same-origin rule, and what
//! `-v`, `--debug`, `--offline` and `--curl` show.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::support::oauth::{AuthServer, CLIENT_ID, CLIENT_SECRET, PUBLIC_CLIENT, SEED_REFRESH};
use crate::support::{
    assert_code, bin, hermetic, need_tool, rq, run, stderr, stdout, Response, Server,
};

/// `-A oauth2` with the token endpoint and the confidential client of `auth`.
fn cc(auth: &AuthServer) -> Vec<String> {
    let client = format!("{CLIENT_ID}:{CLIENT_SECRET}");
    [
        "-A",
        "oauth2",
        "--oauth2-token-url",
        &auth.url("/token"),
        "-a",
        &client,
    ]
    .map(String::from)
    .to_vec()
}

fn rq_args(args: &[String]) -> Output {
    run(rq().args(args))
}

fn with(mut base: Vec<String>, more: &[&str]) -> Vec<String> {
    base.extend(more.iter().map(|s| s.to_string()));
    base
}

fn session(path: &Path) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

fn bearer(n: usize) -> Option<String> {
    Some(format!("Bearer at-{n}"))
}

#[test]
fn a_session_fetches_a_token_once_and_sends_it_again_while_it_lives() {
    let auth = AuthServer::start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    let args = with(
        cc(&auth),
        &["--session", path.to_str().unwrap(), &auth.url("/api")],
    );
    assert_code(&rq_args(&args), 0);
    assert_code(&rq_args(&args), 0);
    assert_eq!(auth.grants(), ["client_credentials"]);
    assert_eq!(auth.api_calls(), [bearer(1), bearer(1)]);
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let saved = session(&path);
    assert_eq!(saved["auth"]["type"], "oauth2");
    // -a was given with --session: the client is kept like any credentials.
    assert_eq!(saved["auth"]["raw_auth"], "cid:csecret");
    let oauth2 = &saved["auth"]["oauth2"];
    assert_eq!(oauth2["access_token"], "at-1");
    assert!(oauth2["expires_at"].as_i64().unwrap() > 0);
    assert_eq!(oauth2["origin"], auth.url(""));
}

#[test]
fn without_a_session_every_run_fetches_its_own_token() {
    let auth = AuthServer::start();
    let args = with(cc(&auth), &[&auth.url("/api")]);
    assert_code(&rq_args(&args), 0);
    assert_code(&rq_args(&args), 0);
    assert_eq!(auth.grants(), ["client_credentials", "client_credentials"]);
}

#[test]
fn an_expiring_token_is_refreshed_and_the_rotated_refresh_token_kept() {
    let auth = AuthServer::start();
    // Less than rq's 30 s margin: the token is stale for every later run.
    auth.state().lifetime = Some(10);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    let args = with(
        cc(&auth),
        &["--session", path.to_str().unwrap(), &auth.url("/api")],
    );
    for _ in 0..3 {
        assert_code(&rq_args(&args), 0);
    }
    assert_eq!(
        auth.grants(),
        ["client_credentials", "refresh_token", "refresh_token"]
    );
    assert_eq!(auth.api_calls(), [bearer(1), bearer(2), bearer(3)]);
    assert_eq!(session(&path)["auth"]["oauth2"]["refresh_token"], "rt-3");
}

#[test]
fn an_expiring_token_without_a_refresh_token_is_fetched_again() {
    let auth = AuthServer::start();
    auth.state().lifetime = Some(10);
    auth.state().issue_refresh = false;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    let args = with(
        cc(&auth),
        &["--session", path.to_str().unwrap(), &auth.url("/api")],
    );
    assert_code(&rq_args(&args), 0);
    assert_code(&rq_args(&args), 0);
    assert_eq!(auth.grants(), ["client_credentials", "client_credentials"]);
}

#[test]
fn a_refused_refresh_token_is_dropped_and_the_grant_runs_again() {
    let auth = AuthServer::start();
    auth.state().lifetime = Some(10);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    let args = with(
        cc(&auth),
        &["--session", path.to_str().unwrap(), &auth.url("/api")],
    );
    assert_code(&rq_args(&args), 0);
    // The server forgets its refresh tokens (revoked, or expired on its side).
    auth.state().refresh.clear();
    assert_code(&rq_args(&args), 0);
    assert_eq!(
        auth.grants(),
        ["client_credentials", "refresh_token", "client_credentials"]
    );
    assert_eq!(auth.api_calls(), [bearer(1), bearer(2)]);
    assert_eq!(session(&path)["auth"]["oauth2"]["refresh_token"], "rt-2");
}

#[test]
fn a_refresh_token_is_given_once_and_its_rotations_are_saved() {
    let auth = AuthServer::start();
    auth.state().lifetime = Some(10);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    let first = with(
        cc(&auth),
        &[
            "--oauth2-refresh-token",
            SEED_REFRESH,
            "--session",
            path.to_str().unwrap(),
            &auth.url("/api"),
        ],
    );
    assert_code(&rq_args(&first), 0);
    // The seed is spent (the server rotated it): the session's rt-1 is used, even with
    // the seed on the command line again, and without it.
    assert_code(&rq_args(&first), 0);
    let later = with(
        cc(&auth),
        &["--session", path.to_str().unwrap(), &auth.url("/api")],
    );
    assert_code(&rq_args(&later), 0);
    assert_eq!(auth.grants(), ["refresh_token"; 3]);
    assert_eq!(auth.api_calls(), [bearer(1), bearer(2), bearer(3)]);
    assert!(!auth.state().refresh.contains(SEED_REFRESH));
}

#[test]
fn a_refused_refresh_token_is_one_line_with_the_servers_description() {
    let auth = AuthServer::start();
    let args = with(
        cc(&auth),
        &["--oauth2-refresh-token", "rt-unknown", &auth.url("/api")],
    );
    let o = rq_args(&args);
    assert_code(&o, 1);
    let port = auth.server.port();
    assert_eq!(
        stderr(&o),
        format!(
            "rq: error: the token endpoint 127.0.0.1:{port} refused: invalid_grant: unknown refresh token\n"
        )
    );
    assert!(auth.api_calls().is_empty());
}

#[test]
fn a_wrong_client_secret_is_invalid_client_and_exit_1() {
    let auth = AuthServer::start();
    let args = [
        "-A",
        "oauth2",
        "--oauth2-token-url",
        &auth.url("/token"),
        "-a",
        "cid:wrong",
        &auth.url("/api"),
    ]
    .map(String::from);
    let o = rq_args(&args);
    assert_code(&o, 1);
    assert!(
        stderr(&o).contains("refused: invalid_client: client authentication failed"),
        "{}",
        stderr(&o)
    );
    assert!(auth.api_calls().is_empty());
}

#[test]
fn client_auth_post_sends_the_secret_in_the_form() {
    let auth = AuthServer::start();
    let args = with(
        cc(&auth),
        &[
            "--oauth2-client-auth",
            "post",
            "--oauth2-scope",
            "read write",
            &auth.url("/api"),
        ],
    );
    assert_code(&rq_args(&args), 0);
    let token_request = &auth.server.requests()[0];
    assert_eq!(token_request.header("authorization"), None);
    assert_eq!(
        token_request.body_str(),
        "grant_type=client_credentials&scope=read+write&client_id=cid&client_secret=csecret"
    );
    let args = with(
        cc(&auth),
        &["--oauth2-audience", "https://api", &auth.url("/api")],
    );
    assert_code(&rq_args(&args), 0);
    let token_request = &auth.server.requests()[2];
    assert!(token_request
        .header("authorization")
        .unwrap()
        .starts_with("Basic "));
    assert!(token_request
        .body_str()
        .ends_with("&audience=https%3A%2F%2Fapi"));
}

#[test]
fn missing_options_are_usage_errors_and_nothing_is_sent() {
    let auth = AuthServer::start();
    let api = auth.url("/api");
    let token = auth.url("/token");
    let cases: &[(&[&str], &str)] = &[
        (&["-A", "oauth2", "-a", "cid:csecret"], "--oauth2-token-url"),
        (
            &["-A", "oauth2", "--oauth2-token-url", &token],
            "-a CLIENT_ID",
        ),
        (
            &["-A", "oauth2", "--oauth2-token-url", &token, "-a", "cid"],
            "-a cid:SECRET",
        ),
        (
            &[
                "-A",
                "oauth2",
                "--oauth2-token-url",
                &token,
                "-a",
                "pub",
                "--oauth2-grant",
                "device-code",
            ],
            "--oauth2-device-url",
        ),
        (
            &[
                "-A",
                "oauth2",
                "--oauth2-token-url",
                &token,
                "-a",
                "pub",
                "--oauth2-grant",
                "authorization-code",
            ],
            "--oauth2-auth-url",
        ),
        (
            &[
                "-A",
                "oauth2",
                "--oauth2-token-url",
                &token,
                "-a",
                "pub",
                "--oauth2-grant",
                "refresh-token",
            ],
            "--oauth2-refresh-token",
        ),
        (
            &["--oauth2-token-url", &token, "-a", "cid:csecret"],
            "need -A oauth2",
        ),
        (
            &[
                "-A",
                "oauth2",
                "--oauth2-token-url",
                "ftp://x/t",
                "-a",
                "c:s",
            ],
            "--oauth2-token-url",
        ),
    ];
    for (args, want) in cases {
        let o = run(rq().args(*args).arg(&api));
        assert_code(&o, 64);
        assert!(stderr(&o).contains(want), "{args:?}: {}", stderr(&o));
    }
    assert_eq!(auth.server.request_count(), 0);
}

#[test]
fn a_missing_client_secret_is_asked_for_on_the_terminal() {
    let auth = AuthServer::start();
    let line = format!(
        "{} -b -A oauth2 --oauth2-token-url {} -a {CLIENT_ID} {}",
        bin(),
        auth.url("/token"),
        auth.url("/api")
    );
    let mut child = hermetic(&mut Command::new(need_tool("script")))
        .args(["-qefc", &line, "/dev/null"])
        .env("SHELL", "/bin/sh")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("script runs");
    // Typed ahead: the terminal holds the line until rq reads it.
    let typed = format!("{CLIENT_SECRET}\n");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(typed.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("client secret for cid:"), "{shown}");
    assert_eq!(auth.grants(), ["client_credentials"], "{shown}");
    assert_eq!(auth.api_calls(), [bearer(1)]);
}

#[test]
fn an_invalid_token_401_renews_the_token_once_and_sends_again() {
    let auth = AuthServer::start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    let args = with(
        cc(&auth),
        &["--session", path.to_str().unwrap(), &auth.url("/api")],
    );
    assert_code(&rq_args(&args), 0);
    // The server forgets the token long before it expires.
    auth.state().revoke_access_tokens();
    let o = rq_args(&args);
    assert_code(&o, 0);
    assert_eq!(auth.grants(), ["client_credentials", "refresh_token"]);
    assert_eq!(auth.api_calls(), [bearer(1), bearer(1), bearer(2)]);
    assert_eq!(session(&path)["auth"]["oauth2"]["access_token"], "at-2");
}

#[test]
fn a_token_refused_twice_is_not_renewed_again() {
    let api = Server::http(|_| {
        Response::new(401).header("WWW-Authenticate", r#"Bearer error="invalid_token""#)
    });
    let auth = AuthServer::start();
    let o = rq_args(&with(cc(&auth), &[&api.url("/x")]));
    assert_code(&o, 4);
    assert_eq!(api.request_count(), 2);
    assert_eq!(auth.grants(), ["client_credentials", "refresh_token"]);
}

#[test]
fn the_token_goes_only_to_the_origin_it_was_fetched_for() {
    let auth = AuthServer::start();
    let other = Server::http(|_| Response::new(200).text("other"));
    let redirect = {
        let to = other.url("/landed");
        Server::http(move |r| match r.path.as_str() {
            "/go" => Response::new(302).header("Location", &to),
            _ => Response::new(200).text("api"),
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    let s = path.to_str().unwrap();
    let o = rq_args(&with(
        cc(&auth),
        &["--session", s, "--follow", &redirect.url("/go")],
    ));
    assert_code(&o, 0);
    assert_eq!(
        redirect.requests()[0].header("authorization"),
        Some("Bearer at-1")
    );
    assert_eq!(other.requests()[0].header("authorization"), None);
    // The same session file used for another origin: its token is not sent there; that
    // origin gets a token of its own.
    let o = rq_args(&with(cc(&auth), &["--session", s, &other.url("/direct")]));
    assert_code(&o, 0);
    assert_eq!(
        other.requests()[1].header("authorization"),
        Some("Bearer at-2")
    );
}

#[test]
fn the_session_alone_keeps_sending_and_refreshing_its_token() {
    let auth = AuthServer::start();
    auth.state().lifetime = Some(10);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    let s = path.to_str().unwrap();
    assert_code(
        &rq_args(&with(cc(&auth), &["--session", s, &auth.url("/api")])),
        0,
    );
    let o = run(rq().args(["--session", s, &auth.url("/api")]));
    assert_code(&o, 0);
    assert_eq!(auth.grants(), ["client_credentials", "refresh_token"]);
    assert_eq!(auth.api_calls(), [bearer(1), bearer(2)]);
}

/// `RQ_OAUTH2_SECOND_MS`: one second of polling wait lasts this many milliseconds.
const SECOND_MS: u64 = 25;

fn device_args(auth: &AuthServer) -> Vec<String> {
    [
        "-A",
        "oauth2",
        "--oauth2-grant",
        "device-code",
        "--oauth2-token-url",
        &auth.url("/token"),
        "--oauth2-device-url",
        &auth.url("/device"),
        "-a",
        PUBLIC_CLIENT,
        &auth.url("/api"),
    ]
    .map(String::from)
    .to_vec()
}

fn rq_device(args: &[String]) -> Output {
    run(rq()
        .env("RQ_OAUTH2_SECOND_MS", SECOND_MS.to_string())
        .args(args))
}

/// The gaps between the polls the server received.
fn gaps(auth: &AuthServer) -> Vec<Duration> {
    let polls = auth.state().polls.clone();
    polls.windows(2).map(|w| w[1] - w[0]).collect()
}

#[test]
fn the_device_grant_completes_after_three_pending_answers_at_the_interval() {
    let auth = AuthServer::start();
    auth.state().pending = 3;
    auth.state().interval = 2;
    let o = rq_device(&device_args(&auth));
    assert_code(&o, 0);
    let err = stderr(&o);
    let activate = auth.url("/activate");
    assert!(
        err.contains(&format!("open {activate} and enter the code WDJB-MJHT")),
        "{err}"
    );
    assert!(err.contains("user_code=WDJB-MJHT"), "{err}");
    assert_eq!(auth.state().polls.len(), 4);
    let grant = "urn:ietf:params:oauth:grant-type:device_code";
    assert_eq!(auth.grants(), [grant; 4]);
    // Never faster than the interval the server asked for (2 "seconds").
    for gap in gaps(&auth) {
        assert!(gap >= Duration::from_millis(2 * SECOND_MS), "{gap:?}");
    }
    assert_eq!(auth.api_calls(), [bearer(1)]);
}

#[test]
fn slow_down_adds_five_seconds_to_the_interval() {
    let auth = AuthServer::start();
    auth.state().slow_down_at = Some(1);
    auth.state().pending = 1;
    let o = rq_device(&device_args(&auth));
    assert_code(&o, 0);
    let gaps = gaps(&auth);
    assert_eq!(gaps.len(), 2, "three polls: slow_down, pending, approved");
    for gap in gaps {
        assert!(gap >= Duration::from_millis(6 * SECOND_MS), "{gap:?}");
    }
}

#[test]
fn an_expired_device_code_ends_the_run_with_exit_1() {
    let auth = AuthServer::start();
    auth.state().expire_device = true;
    let o = rq_device(&device_args(&auth));
    assert_code(&o, 1);
    assert!(
        stderr(&o).contains("rq: error: the device code expired before the sign-in was approved"),
        "{}",
        stderr(&o)
    );
    assert!(auth.api_calls().is_empty());
}

/// Start rq for the authorization-code grant; returns it and the URL it asks to open.
fn start_browser_grant(auth: &AuthServer, extra: &[&str]) -> (Child, String) {
    let mut child = rq()
        .args([
            "-A",
            "oauth2",
            "--oauth2-grant",
            "authorization-code",
            "--oauth2-issuer",
            &auth.url(""),
            "-a",
            PUBLIC_CLIENT,
        ])
        .args(extra)
        .arg(auth.url("/api"))
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
    // The rest of stderr is drained, so rq never blocks on it.
    std::thread::spawn(move || lines.for_each(drop));
    (child, url)
}

/// A GET as a browser sends it; returns the status and the `Location` header.
fn browser_get(url: &str) -> (u16, Option<String>) {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut sock = TcpStream::connect(host).unwrap();
    write!(
        sock,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    sock.read_to_string(&mut text).unwrap();
    let status = text.split(' ').nth(1).unwrap().parse().unwrap();
    let location = text
        .lines()
        .find_map(|l| l.strip_prefix("Location: "))
        .map(str::to_string);
    (status, location)
}

#[test]
fn the_authorization_code_grant_signs_in_through_the_loopback_redirect_with_pkce() {
    let auth = AuthServer::start();
    let (child, url) = start_browser_grant(&auth, &[]);
    assert!(url.starts_with(&auth.url("/authorize?")), "{url}");
    // The test is the browser: the server signs the user in and redirects back to rq.
    let (status, location) = browser_get(&url);
    assert_eq!(status, 302);
    let callback = location.unwrap();
    assert!(callback.starts_with("http://127.0.0.1:"), "{callback}");
    assert!(
        callback.contains("/callback?code=code-1&state="),
        "{callback}"
    );
    assert_eq!(browser_get(&callback).0, 200);
    let o = child.wait_with_output().unwrap();
    assert_code(&o, 0);
    // The server checked the verifier against the challenge before it issued at-1.
    assert_eq!(auth.grants(), ["authorization_code"]);
    assert_eq!(auth.api_calls(), [bearer(1)]);
}

#[test]
fn a_redirect_with_another_state_is_refused() {
    let auth = AuthServer::start();
    let (child, url) = start_browser_grant(&auth, &[]);
    let (_, location) = browser_get(&url);
    let callback = location.unwrap();
    let forged = format!("{}&state=forged", callback.split("&state=").next().unwrap());
    assert_eq!(browser_get(&forged).0, 400);
    let o = child.wait_with_output().unwrap();
    assert_code(&o, 1);
    assert!(auth.grants().is_empty(), "no token was asked for");
}

#[test]
fn discovery_reads_the_endpoints_from_the_issuer() {
    let auth = AuthServer::start();
    let args = [
        "-v",
        "-A",
        "oauth2",
        "--oauth2-issuer",
        &auth.url(""),
        "-a",
        "cid:csecret",
        &auth.url("/api"),
    ]
    .map(String::from);
    let o = rq_args(&args);
    assert_code(&o, 0);
    let out = stdout(&o);
    assert!(
        out.contains("GET /.well-known/openid-configuration HTTP/1.1"),
        "{out}"
    );
    assert!(out.contains("POST /token HTTP/1.1"), "{out}");
    assert_eq!(auth.grants(), ["client_credentials"]);
}

#[test]
fn verbose_shows_token_exchanges_with_secrets_redacted() {
    let auth = AuthServer::start();
    let o = rq_args(&with(
        cc(&auth),
        &["-v", "--oauth2-client-auth", "post", &auth.url("/api")],
    ));
    assert_code(&o, 0);
    let out = stdout(&o);
    let (token_exchange, rest) = out.split_at(out.find("GET /api").expect("the API request"));
    assert!(token_exchange.contains("POST /token HTTP/1.1"), "{out}");
    assert!(
        token_exchange.contains("client_id=cid&client_secret=(redacted)"),
        "{token_exchange}"
    );
    assert!(
        token_exchange.contains(r#""access_token":"(redacted)""#),
        "{out}"
    );
    assert!(
        token_exchange.contains(r#""refresh_token":"(redacted)""#),
        "{out}"
    );
    for secret in [CLIENT_SECRET, "at-1", "rt-1"] {
        assert!(
            !token_exchange.contains(secret),
            "{secret} in {token_exchange}"
        );
    }
    assert!(rest.contains("Authorization: Bearer at-1"), "{rest}");
    // Basic client authentication is redacted too.
    let o = rq_args(&with(cc(&auth), &["-v", &auth.url("/api")]));
    assert!(
        stdout(&o).contains("Authorization: Basic (redacted)"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn debug_never_prints_a_token_or_the_secret() {
    let auth = AuthServer::start();
    let o = rq_args(&with(cc(&auth), &["--debug", &auth.url("/api")]));
    assert_code(&o, 0);
    let err = stderr(&o);
    assert!(err.contains("rq: debug: sending POST"), "{err}");
    for secret in [CLIENT_SECRET, "at-1", "rt-1"] {
        assert!(!err.contains(secret), "{secret} in {err}");
    }
}

#[test]
fn offline_shows_a_placeholder_and_asks_for_no_token() {
    let auth = AuthServer::start();
    let o = rq_args(&with(cc(&auth), &["--offline", &auth.url("/api")]));
    assert_code(&o, 0);
    assert!(
        stdout(&o).contains("Authorization: Bearer (token)"),
        "{}",
        stdout(&o)
    );
    assert_eq!(auth.server.request_count(), 0);
}

#[test]
fn curl_prints_the_token_request_then_the_real_one() {
    let auth = AuthServer::start();
    let o = rq_args(&with(cc(&auth), &["--curl", &auth.url("/api")]));
    assert_code(&o, 0);
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].contains(&auth.url("/token")), "{out}");
    assert!(lines[0].contains("grant_type=client_credentials"), "{out}");
    assert!(lines[1].contains(&auth.url("/api")), "{out}");
    assert!(
        lines[1].contains("'Authorization: Bearer (token)'"),
        "{out}"
    );
    assert_eq!(auth.server.request_count(), 0);
    // The first command really gets a token.
    need_tool("curl");
    let curl = hermetic(&mut Command::new("sh"))
        .args(["-c", lines[0]])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&curl.stdout).contains(r#""access_token":"at-1""#));
}
