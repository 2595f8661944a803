//! Planning from argv, checked from tables without spawning the binary: argv (and an
//! [`Env`] built by hand) in, the resolved [`Plan`] out.

use std::time::Duration;

use super::*;
use crate::error::classify;
use crate::error::ExitCode;
use crate::print::Sections;
use crate::upload::Body;

/// A quiet environment: nothing is a terminal except stdin (so stdin is never read), no
/// home, config or netrc.
fn env() -> Env {
    Env {
        stdin_tty: true,
        ..Env::default()
    }
}

fn plan_with(args: &[&str], env: &Env) -> Result<Plan> {
    let argv = std::iter::once("rq").chain(args.iter().copied());
    let cli = Cli::parse_args(argv).map_err(|e| crate::error::usage(e.to_string()))?;
    build(cli, env).map(|(plan, _)| plan)
}

fn plan(args: &[&str]) -> Plan {
    plan_with(args, &env()).unwrap_or_else(|e| panic!("rq {}: {e:#}", args.join(" ")))
}

/// The usage error (exit 64) planning `args` ends in.
fn plan_err(args: &[&str]) -> String {
    match plan_with(args, &env()) {
        Ok(_) => panic!("rq {}: planned", args.join(" ")),
        Err(e) => {
            assert_eq!(
                classify(&e),
                ExitCode::Usage,
                "rq {}: {e:#}",
                args.join(" ")
            );
            format!("{e:#}")
        }
    }
}

fn body_text(request: &Request) -> String {
    match &request.body {
        Some(Body::Bytes(b)) => String::from_utf8_lossy(b).into_owned(),
        Some(_) => "(streamed)".into(),
        None => "(none)".into(),
    }
}

fn header(request: &Request, name: &str) -> String {
    request
        .header(name)
        .map(|h| String::from_utf8_lossy(&h.value).into_owned())
        .unwrap_or_else(|| "(none)".into())
}

/// argv -> method, URL, body, Content-Type
const REQUESTS: &[(&[&str], &str, &str, &str, &str)] = &[
    (
        &["localhost"],
        "GET",
        "http://localhost/",
        "(none)",
        "(none)",
    ),
    (
        &["example.org/x"],
        "GET",
        "https://example.org/x",
        "(none)",
        "(none)",
    ),
    (
        &[":3000/x", "q==a b"],
        "GET",
        "http://localhost:3000/x?q=a+b",
        "(none)",
        "(none)",
    ),
    (
        &["x.org", "a=1"],
        "POST",
        "https://x.org/",
        r#"{"a": "1"}"#,
        "application/json",
    ),
    (
        &["put", "x.org", "n:=3"],
        "PUT",
        "https://x.org/",
        r#"{"n": 3}"#,
        "application/json",
    ),
    (
        &["delete", "x.org"],
        "DELETE",
        "https://x.org/",
        "(none)",
        "(none)",
    ),
    (
        &["-f", ":8080/p", "a=1", "b=x y"],
        "POST",
        "http://localhost:8080/p",
        "a=1&b=x+y",
        "application/x-www-form-urlencoded; charset=utf-8",
    ),
    (
        &["--raw", "hi", "x.org"],
        "POST",
        "https://x.org/",
        "hi",
        "application/json",
    ),
    (
        &["--http", "x.org/a"],
        "GET",
        "http://x.org/a",
        "(none)",
        "(none)",
    ),
    (
        &["--https", "localhost"],
        "GET",
        "https://localhost/",
        "(none)",
        "(none)",
    ),
    (
        &["u:p@localhost/x"],
        "GET",
        "http://localhost/x",
        "(none)",
        "(none)",
    ),
];

#[test]
fn method_url_and_body_table() {
    for (args, method, url, body, content_type) in REQUESTS {
        let p = plan(args);
        let r = &p.request;
        let got = (
            r.method.as_str(),
            r.url.as_str(),
            body_text(r),
            header(r, "content-type"),
        );
        let want = (*method, *url, body.to_string(), content_type.to_string());
        assert_eq!(got, want, "rq {}", args.join(" "));
    }
}

#[test]
fn default_headers_come_first_in_order_and_typed_ones_replace_them_in_place() {
    let names = |args: &[&str]| -> Vec<String> {
        let p = plan(args);
        p.request.headers.iter().map(|h| h.name.clone()).collect()
    };
    assert_eq!(
        names(&["x.org"]),
        ["Host", "User-Agent", "Accept-Encoding", "Accept"]
    );
    assert_eq!(
        names(&["x.org", "accept:text/html", "X-A:1"]),
        ["Host", "User-Agent", "Accept-Encoding", "accept", "X-A"]
    );
    assert_eq!(
        names(&["x.org", "User-Agent:"]),
        ["Host", "Accept-Encoding", "Accept"]
    );
    assert_eq!(
        names(&["x.org", "a=1"]),
        [
            "Host",
            "User-Agent",
            "Accept-Encoding",
            "Accept",
            "Content-Type",
            "Content-Length"
        ]
    );
}

#[test]
fn accept_and_credentials_table() {
    // argv -> Accept, Authorization
    let cases: &[(&[&str], &str, &str)] = &[
        (&["x.org"], "*/*", "(none)"),
        (&["x.org", "a=1"], "application/json, */*;q=0.5", "(none)"),
        (&["-j", "x.org"], "application/json, */*;q=0.5", "(none)"),
        (&["-f", "x.org", "a=1"], "*/*", "(none)"),
        (&["-a", "u:p", "x.org"], "*/*", "Basic dTpw"),
        (&["u:p@x.org"], "*/*", "Basic dTpw"),
        (&["--bearer", "t0k", "x.org"], "*/*", "Bearer t0k"),
        (&["-A", "digest", "-a", "u:p", "x.org"], "*/*", "(none)"),
    ];
    for (args, accept, authorization) in cases {
        let p = plan(args);
        let got = (
            header(&p.request, "accept"),
            header(&p.request, "authorization"),
        );
        assert_eq!(
            got,
            (accept.to_string(), authorization.to_string()),
            "rq {}",
            args.join(" ")
        );
    }
}

#[test]
fn framing_table() {
    // argv -> Content-Length, Transfer-Encoding
    let cases: &[(&[&str], &str, &str)] = &[
        (&["x.org"], "(none)", "(none)"),
        (&["x.org", "a=1"], "10", "(none)"),
        (&["--chunked", "x.org", "a=1"], "(none)", "chunked"),
        (&["--raw", "abc", "x.org"], "3", "(none)"),
        (&["post", "x.org"], "0", "(none)"),
        (&["PATCH", "x.org"], "0", "(none)"),
        (&["delete", "x.org"], "(none)", "(none)"),
        (&["post", "x.org", "Content-Length:0"], "0", "(none)"),
        (
            &["post", "x.org", "Transfer-Encoding:chunked"],
            "(none)",
            "chunked",
        ),
        (
            &["--raw", "abc", "x.org", "Content-Length:3"],
            "3",
            "(none)",
        ),
    ];
    for (args, length, chunked) in cases {
        let p = plan(args);
        let got = (
            header(&p.request, "content-length"),
            header(&p.request, "transfer-encoding"),
        );
        assert_eq!(
            got,
            (length.to_string(), chunked.to_string()),
            "rq {}",
            args.join(" ")
        );
    }
}

#[test]
fn max_time_counts_from_rqs_start() {
    // rq started 5 s before planning (as if it had waited for stdin that long).
    let started = std::time::Instant::now() - Duration::from_secs(5);
    let env = Env { started, ..env() };
    let p = plan_with(&["--max-time", "8", "x.org"], &env).unwrap();
    let left = p.net.max_time.expect("--max-time");
    assert!(left <= Duration::from_secs(3), "{left:?}");
    let err = plan_with(&["--max-time", "4", "x.org"], &env).unwrap_err();
    assert_eq!(classify(&err), ExitCode::Timeout, "{err:#}");
}

#[test]
fn a_content_length_that_disagrees_with_the_body_is_refused() {
    for (args, says) in [
        (
            &["--raw", "foo", "x.org", "Content-Length:0"][..],
            "doesn't match the body, which is 3 bytes",
        ),
        (
            &["x.org", "Content-Length:5"],
            "doesn't match the body, which is 0 bytes",
        ),
        (
            &["x.org", "a=1", "Content-Length:x"],
            "invalid Content-Length 'x'",
        ),
        (
            &[
                "x.org",
                "a=1",
                "Transfer-Encoding:chunked",
                "Content-Length:7",
            ],
            "can't both be sent",
        ),
        (
            &["x.org", "a=1", "Transfer-Encoding:gzip"],
            "doesn't end in chunked",
        ),
    ] {
        let err = plan_err(args);
        assert!(err.contains(says), "rq {}: {err}", args.join(" "));
    }
}

#[test]
fn engine_settings_table() {
    let p = plan(&["x.org"]);
    assert!(!p.net.follow);
    assert_eq!(p.net.max_redirects, 30);
    assert_eq!(p.net.connect_timeout, Duration::from_secs(30));
    assert_eq!((p.net.idle_timeout, p.net.max_time), (None, None));
    let p = plan(&[
        "--timeout",
        "2.5",
        "--max-time",
        "9",
        "-F",
        "--max-redirects",
        "3",
        "x.org",
    ]);
    assert!(p.net.follow);
    assert_eq!(p.net.max_redirects, 3);
    assert_eq!(p.net.idle_timeout, Some(Duration::from_millis(2500)));
    // What is left of it once planned: --max-time counts from rq's start.
    let left = p.net.max_time.expect("--max-time");
    assert!(
        left <= Duration::from_secs(9) && left > Duration::from_secs(8),
        "{left:?}"
    );
    // -d implies --follow.
    assert!(plan(&["-d", "x.org"]).net.follow);
    let p = plan(&["--retry", "3", "--retry-delay", "0", "x.org"]);
    assert_eq!(
        (p.net.retry.retries, p.net.retry.delay),
        (3, Some(Duration::ZERO))
    );
}

#[test]
fn proxies_and_ca_come_from_the_env_snapshot() {
    let env = Env {
        vars: vec![
            ("http_proxy", "http://127.0.0.1:3128".into()),
            ("SSL_CERT_FILE", "/nonexistent/ca.pem".into()),
        ],
        ..env()
    };
    let p = plan_with(&["x.org"], &env).unwrap();
    let proxy = p.net.connect.proxies.http.as_ref().map(|u| u.to_string());
    assert_eq!(proxy.as_deref(), Some("http://127.0.0.1:3128"));
    assert!(p.net.connect.proxies.https.is_none());
    let verify = format!("{:?}", p.net.connect.tls.verify);
    assert!(verify.contains("SSL_CERT_FILE"), "{verify}");
}

#[test]
fn sections_table() {
    let s = |spec: &str| Sections::parse(spec, "test").unwrap();
    let terminal = Env {
        stdout_tty: true,
        stderr_tty: true,
        ..env()
    };
    // argv, stdout a terminal -> sections, history
    let cases: &[(&[&str], bool, Sections, Option<Sections>)] = &[
        (&["x.org"], false, s("b"), None),
        (&["x.org"], true, s("hb"), None),
        (&["-h", "x.org"], false, s("h"), None),
        (&["-v", "x.org"], false, s("HBhb"), Some(s("HBhb"))),
        (&["-vv", "x.org"], false, s("HBhbm"), Some(s("HBhbm"))),
        (&["--offline", "x.org"], false, s("HB"), None),
        (&["-q", "x.org"], true, s(""), None),
        (
            &["-p", "Hh", "-P", "H", "x.org"],
            false,
            s("Hh"),
            Some(s("H")),
        ),
        (&["--all", "x.org"], false, s("b"), Some(s("b"))),
        // The later output option wins; -h, -b, -m next to each other add up.
        (&["-v", "-b", "x.org"], false, s("b"), Some(s("b"))),
        (&["-b", "-v", "x.org"], false, s("HBhb"), Some(s("HBhb"))),
        (&["-p", "H", "-h", "-m", "x.org"], false, s("hm"), None),
        (&["-h", "-p", "B", "x.org"], false, s("B"), None),
    ];
    let plain = env();
    for (args, tty, sections, history) in cases {
        let p = plan_with(args, if *tty { &terminal } else { &plain }).unwrap();
        assert_eq!(
            (p.output.sections, p.output.history),
            (*sections, *history),
            "rq {} (terminal: {tty})",
            args.join(" ")
        );
    }
}

#[test]
fn colours_and_layout_follow_the_terminal_and_no_color() {
    let terminal = Env {
        stdout_tty: true,
        ..env()
    };
    let p = plan_with(&["x.org"], &terminal).unwrap();
    assert!(p.output.colors.is_some() && p.output.format && p.output.terminal);
    let p = plan_with(&["x.org"], &env()).unwrap();
    assert!(p.output.colors.is_none() && !p.output.format && !p.output.terminal);
    let no_color = Env {
        no_color: true,
        ..terminal.clone()
    };
    let p = plan_with(&["x.org"], &no_color).unwrap();
    assert!(p.output.colors.is_none() && p.output.format);
    for pretty in ["all", "colors"] {
        let p = plan_with(&["--pretty", pretty, "x.org"], &no_color).unwrap();
        assert!(
            p.output.colors.is_some(),
            "--pretty={pretty} wins over NO_COLOR"
        );
    }
    let p = plan_with(
        &["--pretty", "colors", "--style", "monokai", "x.org"],
        &env(),
    )
    .unwrap();
    assert_eq!(p.output.colors, Some(crate::print::ThemeName::Monokai));
    assert!(!p.output.format);
}

#[test]
fn modes_and_quiet_levels() {
    assert_eq!(plan(&["x.org"]).mode, Mode::Send);
    assert_eq!(plan(&["--offline", "x.org"]).mode, Mode::Offline);
    assert_eq!(plan(&["--curl", "x.org"]).mode, Mode::Curl);
    assert!(plan(&["x.org"]).diagnostics.warnings);
    assert!(plan(&["-q", "x.org"]).diagnostics.warnings);
    assert!(!plan(&["-qq", "x.org"]).diagnostics.warnings);
    assert!(plan(&["--debug", "x.org"]).diagnostics.debug);
    assert!(plan(&["x.org"]).check_status);
    assert!(!plan(&["--no-check-status", "x.org"]).check_status);
}

#[test]
fn downloads_table() {
    // -o opens its file while planning: one in a directory of the test's own.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.bin");
    let p = plan(&["-o", out.to_str().unwrap(), "x.org/f"]);
    let d = p.download.expect("-o saves the body");
    assert!(!d.download && matches!(d.dest, crate::download::Dest::File(_)));
    // -d to a pipe: the body goes to stdout, and asks for the body as stored.
    let p = plan(&["-d", "x.org/f"]);
    assert!(matches!(
        p.download.unwrap().dest,
        crate::download::Dest::Stdout
    ));
    assert_eq!(header(&p.request, "accept-encoding"), "identity");
    let terminal = Env {
        stdout_tty: true,
        ..env()
    };
    let p = plan_with(&["-d", "x.org/f"], &terminal).unwrap();
    assert!(matches!(
        p.download.unwrap().dest,
        crate::download::Dest::Named(_)
    ));
}

#[test]
fn usage_errors_are_found_while_planning() {
    let cases: &[(&[&str], &str)] = &[
        (&[], "missing URL"),
        (&["--timeout", "0", "x.org"], "--timeout"),
        (&["--connect-timeout", "0", "x.org"], "--connect-timeout"),
        (&["--default-scheme", "ftp", "x.org"], "--default-scheme"),
        (&["--raw", "a", "x.org", "b=1"], "--raw"),
        (
            &["--boundary", "bad\u{7f}", "-f", "x.org", "a@Cargo.toml"],
            "--boundary",
        ),
        (&["-c", "x.org"], "--continue"),
        (&["-p", "Hz", "x.org"], "--print"),
        (
            &["--format-options", "json.indent:x", "x.org"],
            "--format-options",
        ),
        (&["--proxy", "gopher:http://p", "x.org"], "--proxy"),
        (
            &["--response-charset", "nope", "x.org"],
            "--response-charset",
        ),
        (&["x.org", "a:=[1"], "a:=[1"),
    ];
    for (args, named) in cases {
        let err = plan_with(args, &env()).expect_err(&args.join(" "));
        assert_eq!(
            classify(&err),
            ExitCode::Usage,
            "rq {}: {err:#}",
            args.join(" ")
        );
        let text = format!("{err:#}");
        assert!(text.contains(named), "rq {}: {text}", args.join(" "));
    }
}

#[test]
fn sections_parse_rejects_unknown_letters() {
    assert!(Sections::parse("Hx", "--print").is_err());
    let s = Sections::parse("hb", "--print").unwrap();
    assert!(s.response_headers && s.response_body && !s.request_headers);
}
