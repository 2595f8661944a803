//! HTTP/1.1 on the wire: the response head printed as the server sent it, and the limits on
//! it. The servers here write exact bytes ([`Server::scripted`]) and assert on the requests
//! they read.

use crate::support::{assert_code, in_terminal, rq_with, stderr, stdout, Server, Then};

/// A server answering every GET with `head` (and `body`), keeping the connection open.
fn answering(head: &[u8], body: &'static [u8]) -> Server {
    let mut bytes = head.to_vec();
    bytes.extend_from_slice(body);
    Server::scripted(true, move |req| {
        assert_eq!(req.method, "GET");
        (bytes.clone(), Then::KeepOpen)
    })
}

/// `-p h` of the response, redirected (so wire-exact: CRLF line ends, bytes as sent).
fn head_printed(s: &Server, extra: &[&str]) -> std::process::Output {
    let url = s.url("/");
    rq_with(&[&["-p", "h"], extra, &[url.as_str()]].concat())
}

#[test]
fn the_servers_reason_phrase_is_printed() {
    let s = answering(
        b"HTTP/1.1 299 Custom Thing\r\nContent-Length: 0\r\n\r\n",
        b"",
    );
    let o = head_printed(&s, &[]);
    assert_code(&o, 0);
    assert_eq!(
        stdout(&o),
        "HTTP/1.1 299 Custom Thing\r\nContent-Length: 0\r\n\r\n"
    );
    let s = answering(
        b"HTTP/1.1 302 FOUND\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n",
        b"",
    );
    let o = head_printed(&s, &["--no-check-status"]);
    assert!(
        stdout(&o).starts_with("HTTP/1.1 302 FOUND\r\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn headers_print_in_received_order_with_their_casing() {
    let head = b"HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nX-A: x\r\nSet-Cookie: b=2\r\n\
                 ETag: \"v1\"\r\nWWW-Authenticate: Basic realm=\"r\"\r\ncontent-length: 0\r\n\r\n";
    let s = answering(head, b"");
    let o = head_printed(&s, &[]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o).as_bytes(), head);
}

#[test]
fn fifteen_hundred_header_lines_print_in_full() {
    let mut head = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..1500 {
        head.extend_from_slice(format!("X-Line-{i}: value {i}\r\n").as_bytes());
    }
    head.extend_from_slice(b"Content-Length: 2\r\n\r\n");
    let s = answering(&head, b"ok");
    let o = head_printed(&s, &[]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o).as_bytes(), &head[..]);
}

const ODD_HEAD: &[u8] = b"HTTP/1.1 200 OK\r\nX-Fold: first\r\n  second\r\nX-Del: a\x7fb\r\n\
                          X-Space : v\r\nContent-Length: 2\r\n\r\n";

#[test]
fn an_obs_fold_a_space_before_the_colon_and_a_del_are_shown() {
    let s = answering(ODD_HEAD, b"ok");
    let o = head_printed(&s, &[]);
    assert_code(&o, 0);
    assert_eq!(
        stdout(&o).as_bytes(),
        b"HTTP/1.1 200 OK\r\nX-Fold: first second\r\nX-Del: a\x7fb\r\nX-Space: v\r\n\
          Content-Length: 2\r\n\r\n"
    );
    let command = format!(
        "{} --pretty=format -p hb {}",
        crate::support::bin(),
        s.url("/")
    );
    let (screen, code) = in_terminal(&command, &[]);
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains(r"X-Del: a\x7fb"), "{screen}");
    assert!(!screen.contains('\x7f'), "{screen:?}");
    assert!(screen.contains("X-Fold: first second"), "{screen}");
}

#[test]
fn the_parsed_head_still_drives_redirects_and_cookies() {
    let s = Server::scripted(true, |req| match req.path.as_str() {
        "/" => (
            b"HTTP/1.1 302 Over There\r\nset-COOKIE: k=v; Path=/\r\nX-Fold: a\r\n b\r\n\
              location: /next\r\nContent-Length: 0\r\n\r\n"
                .to_vec(),
            Then::KeepOpen,
        ),
        _ => {
            assert_eq!(req.header("cookie"), Some("k=v"));
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone".to_vec(),
                Then::KeepOpen,
            )
        }
    });
    let o = rq_with(&["-F", &s.url("/")]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "done");
    assert_eq!(s.request_count(), 2);
    s.assert_no_panics();
}

/// A head of `lines` header lines.
fn head_of(lines: usize) -> Vec<u8> {
    let mut head = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..lines - 1 {
        head.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
    }
    head.extend_from_slice(b"Content-Length: 2\r\n\r\n");
    head
}

#[test]
fn max_headers_counts_header_lines_and_the_message_names_rqs_limit() {
    let s = answering(&head_of(150), b"ok");
    let o = rq_with(&["--max-headers", "100", &s.url("/")]);
    assert_code(&o, 1);
    let err = stderr(&o);
    assert!(
        err.contains("has more than 100 header lines (rq's limit)"),
        "{err}"
    );
    assert!(err.contains("--max-headers"), "{err}");
    assert_code(&rq_with(&["--max-headers", "150", &s.url("/")]), 0);
    // Past the default of 10 000 lines, and no line limit at all with 0.
    let s = answering(&head_of(12_000), b"ok");
    assert_code(&rq_with(&[&s.url("/")]), 1);
    let o = rq_with(&["--max-headers", "0", &s.url("/")]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "ok");
}

#[test]
fn a_head_over_a_mebibyte_is_refused_naming_rqs_limit() {
    let mut head = b"HTTP/1.1 200 OK\r\n".to_vec();
    let value = "v".repeat(64 * 1024);
    for i in 0..20 {
        head.extend_from_slice(format!("X-Big-{i}: {value}\r\n").as_bytes());
    }
    head.extend_from_slice(b"Content-Length: 0\r\n\r\n");
    let s = answering(&head, b"");
    let o = rq_with(&["--max-headers", "0", &s.url("/")]);
    assert_code(&o, 1);
    assert!(
        stderr(&o).contains("is larger than 1 MiB (rq's limit)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_content_length_that_disagrees_with_itself_or_a_bare_cr_is_refused() {
    for (head, why) in [
        (
            &b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"[..],
            "conflicting Content-Length values (3 and 4)",
        ),
        (
            b"HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 0\r\n\r\n",
            "a bare CR",
        ),
    ] {
        let s = answering(head, b"");
        let o = rq_with(&[&s.url("/")]);
        assert_code(&o, 1);
        assert!(stderr(&o).contains(why), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("invalid response from 127.0.0.1:"),
            "{}",
            stderr(&o)
        );
    }
}
