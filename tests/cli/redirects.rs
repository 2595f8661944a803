//! rq's own redirect loop: limits, method rules, and what never crosses origins.

use crate::support::{assert_code, rq_with, stderr, stdout, Response, Server};

fn chain() -> Server {
    Server::http(|r| {
        let n: u32 = r.path.trim_start_matches("/hop/").parse().unwrap_or(0);
        if n == 0 {
            Response::new(200).text("arrived")
        } else {
            Response::new(302).header("Location", &format!("/hop/{}", n - 1))
        }
    })
}

#[test]
fn redirects_are_not_followed_by_default() {
    let s = chain();
    let o = rq_with(&[&s.url("/hop/2")]);
    assert_code(&o, 3);
    assert_eq!(s.request_count(), 1);
}

#[test]
fn follow_reaches_the_end_of_the_chain() {
    let s = chain();
    let o = rq_with(&["--follow", &s.url("/hop/5")]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "arrived");
    assert_eq!(s.request_count(), 6);
}

#[test]
fn too_many_redirects_exits_6() {
    let s = chain();
    let o = rq_with(&["--follow", "--max-redirects", "2", &s.url("/hop/5")]);
    assert_code(&o, 6);
    assert!(stderr(&o).contains("--max-redirects 2"), "{}", stderr(&o));
    assert_eq!(s.request_count(), 3);
}

#[test]
fn see_other_turns_post_into_get_and_307_keeps_it() {
    let s = Server::http(|r| match r.path.as_str() {
        "/303" => Response::new(303).header("Location", "/end"),
        "/307" => Response::new(307).header("Location", "/end"),
        _ => Response::new(200).text(&format!("{} {}", r.method, r.body_str())),
    });
    let o = rq_with(&["-F", "post", &s.url("/303"), "a=1"]);
    assert_eq!(stdout(&o), "GET ");
    let o = rq_with(&["-F", "post", &s.url("/307"), "a=1"]);
    assert_eq!(stdout(&o), r#"POST {"a": "1"}"#);
    let last = s.requests().pop().unwrap();
    assert_eq!(last.header("content-type"), Some("application/json"));
}

#[test]
fn credentials_and_cookies_do_not_follow_to_another_port() {
    let other = Server::http(|_| Response::new(200).text("other"));
    let target = other.url("/landing");
    let first = Server::http(move |_| Response::new(302).header("Location", &target));
    let o = rq_with(&[
        "-F",
        "-a",
        "u:p",
        &first.url("/start"),
        "Cookie:k=v",
        "X-Mine:kept",
    ]);
    assert_code(&o, 0);
    let start = &first.requests()[0];
    assert!(start.header("authorization").is_some());
    assert_eq!(start.header("cookie"), Some("k=v"));
    let landed = &other.requests()[0];
    assert_eq!(landed.header("authorization"), None);
    assert_eq!(landed.header("cookie"), None);
    assert_eq!(landed.header("x-mine"), Some("kept"));
    assert_eq!(
        landed.header("host"),
        Some(format!("127.0.0.1:{}", other.port()).as_str())
    );
}

#[test]
fn same_origin_redirect_keeps_credentials() {
    let s = Server::http(|r| match r.path.as_str() {
        "/a" => Response::new(302).header("Location", "/b"),
        _ => Response::new(200).text("ok"),
    });
    assert_code(&rq_with(&["-F", "-a", "u:p", &s.url("/a")]), 0);
    assert_eq!(s.requests()[1].header("authorization"), Some("Basic dTpw"));
}

#[test]
fn redirects_to_other_schemes_are_refused() {
    let s = Server::http(|_| Response::new(302).header("Location", "file:///etc/passwd"));
    let o = rq_with(&["-F", &s.url("/")]);
    assert_code(&o, 1);
    assert!(stderr(&o).contains("refusing"), "{}", stderr(&o));
}

#[test]
fn verbose_shows_every_hop() {
    let s = chain();
    let out = stdout(&rq_with(&["-v", "-F", &s.url("/hop/1")]));
    assert_eq!(out.matches("GET /hop/").count(), 2, "{out}");
    assert!(out.contains("HTTP/1.1 302 Found"), "{out}");
    assert!(out.contains("HTTP/1.1 200 OK"), "{out}");
}

#[test]
fn debug_tells_the_redirect_decisions_without_secrets() {
    let other = Server::http(|_| Response::new(200).text("other"));
    let target = other.url("/landing");
    let first = Server::http(move |_| Response::new(303).header("Location", &target));
    let o = rq_with(&[
        "--debug",
        "-F",
        "-a",
        "u:s3cret",
        "post",
        &first.url("/start"),
        "a=1",
    ]);
    assert_code(&o, 0);
    let err = stderr(&o);
    assert!(err.contains("rq: debug: sending POST"), "{err}");
    assert!(
        err.contains("following 303 to") && err.contains("as GET without the body"),
        "{err}"
    );
    assert!(
        err.contains("dropping") && err.contains("Authorization"),
        "{err}"
    );
    assert!(
        !err.contains("s3cret") && !err.contains("dTpzM2NyZXQ"),
        "{err}"
    );
}

#[test]
fn a_location_in_an_error_message_is_sanitised() {
    // C1 controls (CSI as U+009B) and bidi overrides, as UTF-8 in the header.
    let s = Server::http(|r| match r.path.as_str() {
        "/loop" => Response::new(302).header("Location", "/x\u{9b}2J\u{202e}gnp.exe"),
        _ => Response::new(302).header("Location", "http://a\u{9b}2J\u{202e}b:99999/"),
    });
    let o = rq_with(&["-F", "--max-redirects", "0", &s.url("/loop")]);
    assert_code(&o, 6);
    let too_many = stderr(&o);
    assert!(
        too_many.contains("pointed to /x\\u{9b}2J\\u{202e}gnp.exe"),
        "{too_many}"
    );
    let o = rq_with(&["-F", &s.url("/bad")]);
    assert_code(&o, 1);
    let invalid = stderr(&o);
    assert!(invalid.contains("invalid redirect location"), "{invalid}");
    assert!(invalid.contains("a\\u{9b}2J\\u{202e}b"), "{invalid}");
    for err in [too_many, invalid] {
        assert!(!err.contains(['\u{9b}', '\u{202e}']), "{err:?}");
    }
}

#[test]
fn each_exchange_prints_its_own_request_above_its_response() {
    let s = chain();
    // Without intermediaries shown, the request printed is the final one.
    let out = stdout(&rq_with(&["-F", "-p", "Hh", &s.url("/hop/1")]));
    assert!(!out.contains("GET /hop/1 "), "{out}");
    let request = out.find("GET /hop/0 HTTP/1.1").expect(&out);
    let response = out.find("HTTP/1.1 200 OK").expect(&out);
    assert!(request < response, "{out}");
    assert!(!out.contains("302"), "{out}");
    // History sections for the redirect, the main ones for the final exchange.
    let out = stdout(&rq_with(&[
        "-F",
        "--all",
        "-P",
        "H",
        "-p",
        "h",
        &s.url("/hop/1"),
    ]));
    assert!(out.starts_with("GET /hop/1 HTTP/1.1\r\n"), "{out}");
    assert!(
        !out.contains("GET /hop/0"),
        "the final request is not history: {out}"
    );
    assert!(!out.contains("302"), "{out}");
    assert!(out.contains("HTTP/1.1 200 OK"), "{out}");
    // And with the same sections for both, every request above its own response.
    let out = stdout(&rq_with(&["-F", "--all", "-p", "Hh", &s.url("/hop/1")]));
    let order: Vec<usize> = ["GET /hop/1 ", "HTTP/1.1 302", "GET /hop/0 ", "HTTP/1.1 200"]
        .iter()
        .map(|line| out.find(line).expect(&out))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{out}");
}
