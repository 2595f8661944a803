//! How bodies are shown: streaming as they arrive, `--sorted`, charsets and
//! `--response-mime` / `--response-charset`.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::Stdio;
use std::sync::{mpsc, Arc, Mutex};

use crate::support::server::read_request;
use crate::support::{
    assert_code, bin, in_terminal, rq, rq_with, stderr, stdout, Response, Server, LATE,
};

/// How the paced server frames its body.
#[derive(Clone, Copy)]
pub(crate) enum Framing {
    Chunked,
    /// No length: the body ends when the connection closes.
    UntilClose,
}

/// A server that sends a body in parts, each one only after the test has seen the one
/// before on rq's stdout. A rq that holds a part back until more data comes never shows
/// it; the server then sends the next part after [`LATE`] anyway, and notes the part as
/// held back, which fails the test. No clock decides the outcome for a rq that streams.
pub(crate) struct Paced {
    server: Server,
    seen: mpsc::Sender<()>,
    held_back: Arc<Mutex<Vec<usize>>>,
}

impl Paced {
    pub(crate) fn start(content_type: &'static str, framing: Framing, parts: Vec<String>) -> Paced {
        let (seen, shown) = mpsc::channel();
        let shown = Mutex::new(shown);
        let held_back = Arc::new(Mutex::new(Vec::new()));
        let log = held_back.clone();
        let server = Server::raw(move |sock: TcpStream, _| {
            let mut reader = BufReader::new(sock.try_clone().unwrap());
            read_request(&mut reader, 0).unwrap().expect("a request");
            let mut sock = sock;
            let framing_header = match framing {
                Framing::Chunked => "Transfer-Encoding: chunked",
                Framing::UntilClose => "Connection: close",
            };
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n{framing_header}\r\n\r\n"
            );
            sock.write_all(head.as_bytes()).unwrap();
            let shown = shown.lock().unwrap();
            for (n, part) in parts.iter().enumerate() {
                if n > 0 && shown.recv_timeout(LATE).is_err() {
                    log.lock().unwrap().push(n - 1);
                }
                let data = match framing {
                    Framing::Chunked => format!("{:x}\r\n{part}\r\n", part.len()),
                    Framing::UntilClose => part.clone(),
                };
                sock.write_all(data.as_bytes()).unwrap();
                sock.flush().unwrap();
            }
            if let Framing::Chunked = framing {
                sock.write_all(b"0\r\n\r\n").unwrap();
            }
        });
        Paced {
            server,
            seen,
            held_back,
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        self.server.url(path)
    }

    /// The test has seen the latest part on rq's stdout: the server may send the next.
    pub(crate) fn seen(&self) {
        let _ = self.seen.send(());
    }

    /// Fails unless every part but the last was shown before the next one was sent.
    #[track_caller]
    pub(crate) fn assert_each_shown_before_the_next_is_sent(&self, what: &str, lines: &[String]) {
        let held_back = self.held_back.lock().unwrap().clone();
        assert!(
            held_back.is_empty(),
            "{what}: parts {held_back:?} were not shown until the next part came: {lines:?}"
        );
        self.server.assert_no_panics();
    }
}

/// Run rq with stdout piped; return its non-empty lines, each handed to `on_line` as soon
/// as it is read.
pub(crate) fn lines_as_they_arrive(args: &[&str], mut on_line: impl FnMut(&str)) -> Vec<String> {
    let mut child = rq()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rq runs");
    let out = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    for line in out.lines() {
        let line = line.unwrap();
        if !line.trim().is_empty() {
            on_line(&line);
            lines.push(line);
        }
    }
    assert!(child.wait().unwrap().success(), "rq {args:?} failed");
    lines
}

fn events(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("data: event {i}\n\n")).collect()
}

#[test]
fn event_stream_events_appear_as_they_are_sent() {
    let s = Paced::start("text/event-stream", Framing::Chunked, events(4));
    let lines = lines_as_they_arrive(&[&s.url("/events")], |_| s.seen());
    s.assert_each_shown_before_the_next_is_sent("chunked event stream", &lines);
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert_eq!(lines[3], "data: event 3");
}

#[test]
fn event_stream_without_a_length_streams_until_the_connection_closes() {
    let s = Paced::start(
        "text/event-stream; charset=utf-8",
        Framing::UntilClose,
        events(3),
    );
    let lines = lines_as_they_arrive(&["--pretty=all", &s.url("/events")], |_| s.seen());
    s.assert_each_shown_before_the_next_is_sent("event stream until close", &lines);
    assert_eq!(lines.len(), 3, "{lines:?}");
}

#[test]
fn ndjson_records_are_formatted_as_they_arrive() {
    let records = vec![
        "{\"id\":1}\n".to_string(),
        "{\"id\":2}\n".to_string(),
        "{\"id\":3}\n".to_string(),
    ];
    let s = Paced::start("application/x-ndjson", Framing::Chunked, records);
    // The opening brace of each record is the line that shows it arrived.
    let lines = lines_as_they_arrive(&["--pretty=format", &s.url("/feed")], |line| {
        if line == "{" {
            s.seen();
        }
    });
    s.assert_each_shown_before_the_next_is_sent("ndjson", &lines);
    assert_eq!(
        lines,
        [
            "{",
            "    \"id\": 1",
            "}",
            "{",
            "    \"id\": 2",
            "}",
            "{",
            "    \"id\": 3",
            "}"
        ]
    );
}

#[test]
fn piped_plain_output_shows_each_part_as_it_arrives_without_stream() {
    // Redirected and unformatted (the default for `rq URL | tool`): no --stream needed.
    for content_type in ["text/plain", "application/octet-stream", "application/json"] {
        let parts = vec!["first line\n".to_string(), "second line\n".to_string()];
        let s = Paced::start(content_type, Framing::Chunked, parts);
        let lines = lines_as_they_arrive(&[&s.url("/slow")], |_| s.seen());
        s.assert_each_shown_before_the_next_is_sent(content_type, &lines);
        assert_eq!(lines, ["first line", "second line"], "{content_type}");
    }
}

#[test]
fn stream_flag_shows_a_slow_json_body_before_it_ends() {
    let parts = vec!["[{\"a\":1},\n".to_string(), "{\"b\":2}]\n".to_string()];
    let s = Paced::start("application/json", Framing::Chunked, parts);
    // The first element is printed from the first part alone.
    let args = ["--stream", "--pretty=format", &s.url("/slow")];
    let lines = lines_as_they_arrive(&args, |line| {
        if line == "        \"a\": 1" {
            s.seen();
        }
    });
    s.assert_each_shown_before_the_next_is_sent("--stream", &lines);
    assert_eq!(lines.last().unwrap(), "]");
}

#[test]
fn a_slow_xml_body_is_formatted_as_it_arrives() {
    // With --stream each part shows at once; without, once the 8 MiB checked ahead are in.
    let small = vec![
        "<feed><entry>1</entry>\n".to_string(),
        "<entry>2</entry></feed>\n".to_string(),
    ];
    let big = vec![
        format!(
            "<feed><entry>1</entry>{}",
            "<entry>x</entry>".repeat(600_000)
        ),
        "<entry>2</entry></feed>\n".to_string(),
    ];
    for (parts, stream) in [(small, true), (big, false)] {
        let s = Paced::start("application/atom+xml", Framing::Chunked, parts);
        let url = s.url("/feed");
        let mut args = vec!["--pretty=format", url.as_str()];
        if stream {
            args.insert(0, "--stream");
        }
        let lines = lines_as_they_arrive(&args, |line| {
            if line == "  <entry>1</entry>" {
                s.seen();
            }
        });
        s.assert_each_shown_before_the_next_is_sent("xml", &lines);
        assert_eq!(lines[0], "<feed>");
        assert_eq!(lines[lines.len() - 2..], ["  <entry>2</entry>", "</feed>"]);
    }
}

#[test]
fn sorted_orders_keys_at_every_depth_and_keeps_numbers_exact() {
    let s = Server::http(|_| {
        Response::new(200)
            .json(r#"{"z":{"y":1.0e+2,"b":[{"d":0,"c":12345678901234567890123}]},"a":"x"}"#)
    });
    let want = "{\n    \"a\": \"x\",\n    \"z\": {\n        \"b\": [\n            {\n                \
                \"c\": 12345678901234567890123,\n                \"d\": 0\n            }\n        ],\n        \
                \"y\": 1.0e+2\n    }\n}\n";
    for flags in [
        &["--sorted"][..],
        &["--format-options", "json.sort_keys:true"],
    ] {
        let mut args = vec!["--pretty=format"];
        args.extend_from_slice(flags);
        let url = s.url("/");
        args.push(&url);
        let o = rq_with(&args);
        assert_code(&o, 0);
        assert_eq!(stdout(&o), want, "{flags:?}");
    }
    // --unsorted after --sorted restores the order received.
    let o = rq_with(&["--pretty=format", "--sorted", "--unsorted", &s.url("/")]);
    assert!(stdout(&o).starts_with("{\n    \"z\""), "{}", stdout(&o));
}

#[test]
fn sorted_stream_sorts_each_record_as_it_arrives() {
    let records = vec![
        "{\"b\":1,\"a\":2}\n".to_string(),
        "{\"d\":1,\"c\":2}\n".to_string(),
    ];
    let s = Paced::start("application/x-ndjson", Framing::Chunked, records);
    let args = ["--pretty=format", "--sorted", &s.url("/feed")];
    let lines = lines_as_they_arrive(&args, |line| {
        if line == "{" {
            s.seen();
        }
    });
    s.assert_each_shown_before_the_next_is_sent("sorted ndjson", &lines);
    assert_eq!(
        lines,
        [
            "{",
            "    \"a\": 2,",
            "    \"b\": 1",
            "}",
            "{",
            "    \"c\": 2,",
            "    \"d\": 1",
            "}"
        ]
    );
}

#[test]
fn sorted_invalid_json_is_shown_as_received() {
    let s = Server::http(|_| Response::new(200).json("{\"b\":1,\"a\":}"));
    let o = rq_with(&["--pretty=format", "--sorted", &s.url("/")]);
    assert_eq!(stdout(&o), "{\"b\":1,\"a\":}");
}

#[test]
fn response_mime_decides_how_a_body_is_shown() {
    let s = Server::http(|_| {
        Response::new(200)
            .header("Content-Type", "application/octet-stream")
            .body(r#"{"a":[1]}"#)
    });
    let url = s.url("/");
    let plain = stdout(&rq_with(&["--pretty=format", &url]));
    assert_eq!(plain, r#"{"a":[1]}"#, "octet-stream is not formatted");
    let o = rq_with(&[
        "--pretty=format",
        "--response-mime",
        "application/json",
        &url,
    ]);
    assert_eq!(stdout(&o), "{\n    \"a\": [\n        1\n    ]\n}\n");
    // And the other way: JSON treated as plain text is left alone.
    let s = Server::http(|_| Response::new(200).json(r#"{"a":1}"#));
    let o = rq_with(&["--pretty=format", "--response-mime=image/png", &s.url("/")]);
    assert_eq!(stdout(&o), r#"{"a":1}"#);
}

#[test]
fn bad_response_mime_or_charset_is_a_usage_error() {
    for args in [
        &["--response-charset", "klingon", "example.org"][..],
        &["--response-mime", "json", "example.org"],
    ] {
        let o = rq_with(args);
        assert_code(&o, 64);
        assert!(stderr(&o).starts_with("rq: error: "), "{}", stderr(&o));
    }
}

fn latin1_server() -> Server {
    // "café crème" in ISO-8859-1, with no charset declared.
    Server::http(|r| {
        let ct = match r.path.as_str() {
            "/declared" => "text/plain; charset=iso-8859-1",
            _ => "text/plain",
        };
        Response::new(200)
            .header("Content-Type", ct)
            .body(b"caf\xe9 cr\xe8me br\xfbl\xe9e, d\xe9j\xe0 vu".to_vec())
    })
}

#[test]
fn terminal_shows_text_in_its_declared_charset_as_utf8() {
    let s = latin1_server();
    let (screen, code) = in_terminal(&format!("{} -b {}", bin(), s.url("/declared")), &[]);
    assert_eq!(code, 0);
    assert!(screen.contains("café crème brûlée, déjà vu"), "{screen:?}");
}

#[test]
fn terminal_guesses_the_charset_of_undeclared_text() {
    let s = latin1_server();
    let (screen, _) = in_terminal(&format!("{} -b {}", bin(), s.url("/undeclared")), &[]);
    assert!(screen.contains("café crème brûlée, déjà vu"), "{screen:?}");
}

#[test]
fn response_charset_overrides_what_the_response_says() {
    let s = Server::http(|_| {
        // Shift_JIS bytes for 日本語, mislabelled as UTF-8.
        Response::new(200)
            .header("Content-Type", "text/plain; charset=utf-8")
            .body(b"\x93\xfa\x96\x7b\x8c\xea".to_vec())
    });
    let cmd = format!("{} -b --response-charset=shift_jis {}", bin(), s.url("/"));
    let (screen, _) = in_terminal(&cmd, &[]);
    assert!(screen.contains("日本語"), "{screen:?}");
    // Without the override, the invalid UTF-8 is shown escaped, not decoded.
    let (screen, _) = in_terminal(&format!("{} -b {}", bin(), s.url("/")), &[]);
    assert!(screen.contains(r"\x93\xfa"), "{screen:?}");
}

#[test]
fn utf16_text_with_a_bom_is_decoded_not_called_binary() {
    let s = Server::http(|_| {
        let mut body = vec![0xff, 0xfe];
        body.extend("hi ✓".encode_utf16().flat_map(u16::to_le_bytes));
        Response::new(200)
            .header("Content-Type", "text/plain")
            .body(body)
    });
    let (screen, _) = in_terminal(&format!("{} -b {}", bin(), s.url("/")), &[]);
    assert!(screen.contains("hi ✓"), "{screen:?}");
    assert!(!screen.contains("binary"), "{screen:?}");
}

#[test]
fn redirected_text_is_never_decoded() {
    let s = latin1_server();
    for path in ["/declared", "/undeclared"] {
        let o = rq_with(&["--response-charset=utf-16", &s.url(path)]);
        assert_eq!(
            o.stdout, b"caf\xe9 cr\xe8me br\xfbl\xe9e, d\xe9j\xe0 vu",
            "{path}"
        );
    }
}

#[test]
fn utf16_json_is_formatted_on_a_terminal() {
    let s = Server::http(|_| {
        let body: Vec<u8> = r#"{"k":"ü"}"#.encode_utf16().flat_map(u16::to_be_bytes).collect();
        Response::new(200)
            .header("Content-Type", "application/json; charset=utf-16be")
            .body(body)
    });
    let (screen, _) = in_terminal(&format!("{} -b --pretty=format {}", bin(), s.url("/")), &[]);
    assert!(screen.contains("{\n    \"k\": \"ü\"\n}"), "{screen:?}");
}
