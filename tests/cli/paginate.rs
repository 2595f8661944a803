//! SPEC §8: `--paginate` follows `Link: rel="next"` and joins the pages.

use crate::support::{assert_code, rq_with, stderr, stdout, Response, Server};

/// `/items?page=N` for N in 1..=pages, each `[2N-1,2N]`, linking to the next.
fn api(pages: u32) -> Server {
    Server::http(move |r| {
        let n: u32 = r
            .query_pairs()
            .iter()
            .find(|(k, _)| k == "page")
            .map_or(1, |(_, v)| v.parse().unwrap());
        let mut resp = Response::new(200).json(&format!("[{},{}]", 2 * n - 1, 2 * n));
        if n < pages {
            resp = resp.header(
                "Link",
                &format!(
                    r#"</items?page={}>; rel="next", </items?page=1>; rel="first""#,
                    n + 1
                ),
            );
        }
        resp
    })
}

#[test]
fn array_pages_join_into_one_array_over_one_connection() {
    let s = api(3);
    let o = rq_with(&["--paginate", &s.url("/items?page=1")]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "[1,2,3,4,5,6]");
    assert_eq!(s.request_count(), 3);
    assert_eq!(s.connection_count(), 1, "pages must reuse the connection");
}

#[test]
fn max_pages_stops_early() {
    let s = api(10);
    let o = rq_with(&["--paginate", "--max-pages", "2", &s.url("/items?page=1")]);
    assert_eq!(stdout(&o), "[1,2,3,4]");
    assert_eq!(s.request_count(), 2);
}

#[test]
fn formatted_output_is_one_array() {
    let s = api(2);
    let o = rq_with(&["--pretty=format", "--paginate", &s.url("/items?page=1")]);
    assert_eq!(stdout(&o), "[\n    1,\n    2,\n    3,\n    4\n]\n");
}

#[test]
fn non_array_pages_print_one_value_each_and_text_concatenates() {
    let s = Server::http(|r| match r.path.as_str() {
        "/a" => Response::new(200)
            .json(r#"{"p":1}"#)
            .header("Link", "</b>; rel=next"),
        "/b" => Response::new(200)
            .json(r#"{"p":2}"#)
            .header("Link", "</c>; rel=next"),
        "/c" => Response::new(200)
            .text("tail")
            .header("Link", "<d>; rel=\"prev\""),
        _ => Response::new(404),
    });
    let o = rq_with(&["--paginate", &s.url("/a")]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "{\"p\":1}\n{\"p\":2}\ntail");
}

#[test]
fn a_failing_page_stops_with_its_exit_code_after_the_pages_before() {
    let s = Server::http(|r| match r.path.as_str() {
        "/1" => Response::new(200)
            .json("[1]")
            .header("Link", "</2>; rel=next"),
        "/2" => Response::new(200)
            .json("[2]")
            .header("Link", "</3>; rel=next"),
        "/3" => Response::new(503).json(r#"{"error":"busy"}"#),
        _ => Response::new(404),
    });
    let o = rq_with(&["--paginate", &s.url("/1")]);
    assert_code(&o, 5);
    assert_eq!(stdout(&o), "[1,2]");
    assert!(stderr(&o).contains("HTTP 503"), "{}", stderr(&o));
}

#[test]
fn credentials_do_not_follow_a_page_link_to_another_origin() {
    let other = Server::http(|_| Response::new(200).json("[2]"));
    let next = other.url("/p2");
    let first = Server::http(move |_| {
        Response::new(200)
            .json("[1]")
            .header("Link", &format!("<{next}>; rel=\"next\""))
    });
    let o = rq_with(&["--paginate", "-a", "u:p", &first.url("/p1")]);
    assert_eq!(stdout(&o), "[1,2]");
    assert!(first.requests()[0].header("authorization").is_some());
    assert_eq!(other.requests()[0].header("authorization"), None);
}

#[test]
fn verbose_shows_each_page_exchange() {
    let s = api(2);
    let out = stdout(&rq_with(&["-v", "--paginate", &s.url("/items?page=1")]));
    assert_eq!(out.matches("GET /items?page=").count(), 2, "{out}");
    assert_eq!(out.matches("HTTP/1.1 200 OK").count(), 2, "{out}");
}

#[test]
fn thousands_of_pages_keep_memory_bounded() {
    let Some(time) = crate::support::require_tool("/usr/bin/time") else {
        return;
    };
    let filler = "x".repeat(1000);
    let s = Server::http(move |r| {
        let n: u32 = r.path.trim_start_matches('/').parse().unwrap_or(0);
        let mut resp = Response::new(200).json(&format!("[\"{filler}\"]"));
        if n < 5000 {
            resp = resp.header("Link", &format!("</{}>; rel=next", n + 1));
        }
        resp
    });
    let o = crate::support::hermetic(&mut std::process::Command::new(time))
        .args([
            "-f",
            "%M",
            crate::support::bin(),
            "--paginate",
            &s.url("/1"),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(o.stdout.len(), 5000 * 1003 + 1);
    let rss_kib: u64 = String::from_utf8_lossy(&o.stderr)
        .trim()
        .lines()
        .last()
        .unwrap()
        .parse()
        .unwrap();
    assert!(rss_kib < 32 * 1024, "peak RSS {rss_kib} KiB");
    assert_eq!(s.connection_count(), 1);
}

#[test]
fn cookies_set_by_one_page_are_sent_to_the_next_and_saved() {
    let s = Server::http(|r| match r.path.as_str() {
        "/p1" => Response::new(200)
            .json("[1]")
            .header("Set-Cookie", "token=abc; Path=/")
            .header("Link", "</p2>; rel=next"),
        _ => {
            assert_eq!(r.header("cookie"), Some("token=abc"));
            Response::new(200)
                .json("[2]")
                .header("Set-Cookie", "last=z; Path=/")
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("s.json");
    let o = rq_with(&[
        "--paginate",
        "--session",
        session.to_str().unwrap(),
        &s.url("/p1"),
    ]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "[1,2]");
    s.assert_no_panics();
    let saved = std::fs::read_to_string(&session).unwrap();
    assert!(
        saved.contains("\"last\"") && saved.contains("\"token\""),
        "{saved}"
    );
}

/// Pages `/1` … `/3`; the last one's `next` link goes back to `back_to`.
fn looping(back_to: &'static str) -> Server {
    Server::http(move |r| {
        let n: u32 = r.path.trim_start_matches('/').parse().unwrap();
        let next = if n < 3 {
            format!("/{}", n + 1)
        } else {
            back_to.to_string()
        };
        Response::new(200)
            .json(&format!("[{n}]"))
            .header("Link", &format!("<{next}>; rel=next"))
    })
}

#[test]
fn a_next_link_back_to_a_fetched_page_stops_with_an_error_naming_it() {
    for (back_to, verbose) in [("/3", false), ("/1", false), ("/2", true)] {
        let s = looping(back_to);
        let url = s.url("/1");
        // --max-pages only ends a loop that was not caught.
        let mut args = vec!["--paginate", "--max-pages", "50", &url];
        if verbose {
            args.push("-v");
        }
        let o = rq_with(&args);
        assert_code(&o, 1);
        let err = stderr(&o);
        assert!(err.contains(&s.url(back_to)), "names the page: {err}");
        assert!(err.contains("already fetched"), "{err}");
        assert_eq!(s.request_count(), 3, "back to {back_to}: each page once");
        if !verbose {
            assert_eq!(stdout(&o), "[1,2,3]", "what came is well-formed");
        }
    }
}

#[test]
fn an_array_page_then_an_object_page_print_on_their_own_lines() {
    let s = Server::http(|r| match r.path.as_str() {
        "/a" => Response::new(200)
            .json("[1]")
            .header("Link", "</b>; rel=next"),
        "/b" => Response::new(200)
            .json(r#"{"x": 2}"#)
            .header("Link", "</c>; rel=next"),
        _ => Response::new(200).json("[3]"),
    });
    let o = rq_with(&["--paginate", &s.url("/a")]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "[1]\n{\"x\": 2}\n[3]");
    let o = rq_with(&["--pretty=format", "--paginate", &s.url("/a")]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "[\n    1\n]\n{\n    \"x\": 2\n}\n[\n    3\n]\n");
}
