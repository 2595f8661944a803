//! What rq prints: sections, pipes vs terminals, offline and curl forms.

use crate::support::{
    assert_code, bin, curl_of, in_terminal, rq_with, stderr, stdout, Response, Server,
};

fn json_server() -> Server {
    Server::http(|_| {
        Response::new(200)
            .header("X-Served", "yes")
            .json(r#"{"name":"ann","n":[1,2]}"#)
    })
}

#[test]
fn piped_output_is_the_body_only_byte_exact() {
    let s = json_server();
    let o = rq_with(&[&s.url("/")]);
    assert_code(&o, 0);
    assert_eq!(o.stdout, br#"{"name":"ann","n":[1,2]}"#);
    assert_eq!(stderr(&o), "");
}

#[test]
fn headers_flag_prints_status_and_headers_only() {
    let s = json_server();
    let out = stdout(&rq_with(&["-h", &s.url("/")]));
    assert!(out.starts_with("HTTP/1.1 200 OK\r\n"), "{out}");
    assert!(out.contains("X-Served: yes\r\n"), "{out}");
    assert!(!out.contains("ann"), "{out}");
}

#[test]
fn verbose_prints_request_and_response() {
    let s = json_server();
    let out = stdout(&rq_with(&["-v", &s.url("/p"), "a=1"]));
    assert!(out.starts_with("POST /p HTTP/1.1\r\n"), "{out}");
    assert!(out.contains("{\"a\": \"1\"}"), "{out}");
    assert!(out.contains("HTTP/1.1 200 OK"), "{out}");
    assert!(out.ends_with(r#"{"name":"ann","n":[1,2]}"#), "{out}");
}

#[test]
fn a_later_output_option_narrows_an_earlier_verbose() {
    let s = json_server();
    let body = r#"{"name":"ann","n":[1,2]}"#;
    // (argv before the URL, what stdout must be, or must start with)
    let cases: &[(&[&str], &str)] = &[
        (&["-v", "-b"], body),
        (&["-vv", "-h"], "HTTP/1.1 200 OK\r\n"),
        (&["-v", "-p", "b"], body),
        (&["-p", "Hh", "-b"], body),
        // Later wins the other way round too.
        (&["-b", "-v"], "GET / HTTP/1.1\r\n"),
        // -h, -b and -m next to each other add up.
        (&["-v", "-h", "-b"], "HTTP/1.1 200 OK\r\n"),
    ];
    for (opts, want) in cases {
        let url = s.url("/");
        let o = rq_with(&[opts, &[url.as_str()][..]].concat());
        assert_code(&o, 0);
        let out = stdout(&o);
        assert!(out.starts_with(want), "rq {opts:?}: {out}");
        let request_shown = out.contains("GET / HTTP/1.1");
        assert_eq!(request_shown, want.starts_with("GET"), "rq {opts:?}: {out}");
        if opts.ends_with(&["-h", "-b"]) {
            assert!(out.ends_with(body), "rq {opts:?}: {out}");
        }
        if *want == body {
            assert_eq!(out, body, "rq {opts:?}");
        }
    }
}

#[test]
fn a_command_line_output_option_narrows_verbose_from_the_config_file() {
    let cfg = tempfile::tempdir().unwrap();
    std::fs::write(
        cfg.path().join("config.json"),
        r#"{"default_options": ["-v"]}"#,
    )
    .unwrap();
    let s = json_server();
    let o = crate::support::run(
        crate::support::rq()
            .env("RQ_CONFIG_DIR", cfg.path())
            .args(["-b", &s.url("/")]),
    );
    assert_code(&o, 0);
    assert_eq!(stdout(&o), r#"{"name":"ann","n":[1,2]}"#);
}

#[test]
fn meta_section_reports_time_and_size() {
    let s = json_server();
    let out = stdout(&rq_with(&["-m", &s.url("/")]));
    assert!(out.contains("Elapsed time: "), "{out}");
    assert!(out.contains("Bytes received: 24"), "{out}");
}

#[test]
fn curl_command_sends_a_binary_body_byte_for_byte() {
    let s = Server::http(|_| Response::new(200).text("ok"));
    // From stdin: a NUL and a byte that is not UTF-8 can't be a shell argument.
    let o = crate::support::rq_with_stdin(&["--curl", &s.url("/up")], b"ab\0\xff%'\\".to_vec());
    assert_code(&o, 0);
    let line = stdout(&o).trim().to_string();
    let curl = crate::support::hermetic(&mut std::process::Command::new("sh"))
        .args(["-c", &format!("{line} --fail --silent")])
        .output()
        .unwrap();
    assert!(curl.status.success(), "{line}");
    assert_eq!(s.requests()[0].body, b"ab\0\xff%'\\", "{line}");
    // -xx deflates the body: curl must send the same compressed bytes rq sends.
    let args = ["-xx", "post", &s.url("/x"), "a=1"];
    let (line, _) = curl_of(&args);
    assert_code(&rq_with(&args), 0);
    let got = s.requests();
    assert_eq!(got[1].header("content-encoding"), Some("deflate"), "{line}");
    assert_eq!(got[1].body, got[2].body, "{line}");
}

#[test]
fn quiet_prints_nothing() {
    let s = json_server();
    let o = rq_with(&["-q", &s.url("/")]);
    assert_code(&o, 0);
    assert!(o.stdout.is_empty());
}

#[test]
fn pretty_format_indents_json_when_asked() {
    let s = json_server();
    let out = stdout(&rq_with(&["--pretty=format", &s.url("/")]));
    assert_eq!(
        out,
        "{\n    \"name\": \"ann\",\n    \"n\": [\n        1,\n        2\n    ]\n}\n"
    );
}

#[test]
fn offline_prints_the_request_wire_exact() {
    let o = rq_with(&[
        "--offline",
        "post",
        "example.org/api",
        "name=ann",
        "age:=31",
        "tags[]=a",
        "X-Trace:1",
    ]);
    assert_code(&o, 0);
    let body = r#"{"name": "ann", "age": 31, "tags": ["a"]}"#;
    let want = format!(
        "POST /api HTTP/1.1\r\nHost: example.org\r\nUser-Agent: rq/{}\r\n\
         Accept-Encoding: gzip, deflate, br, zstd\r\nAccept: application/json, */*;q=0.5\r\n\
         Content-Type: application/json\r\nX-Trace: 1\r\nContent-Length: {}\r\n\r\n{body}",
        env!("CARGO_PKG_VERSION"),
        body.len()
    );
    assert_eq!(stdout(&o), want);
}

#[test]
fn offline_output_is_what_the_server_receives() {
    let s = json_server();
    let url = s.url("/same");
    let offline = rq_with(&["--offline", "post", &url, "a=1", "X-T:1"]);
    assert_code(&rq_with(&["post", &url, "a=1", "X-T:1"]), 0);
    assert_eq!(s.requests()[0].raw, offline.stdout);
}

#[test]
fn curl_uses_the_resolved_url() {
    let out = stdout(&rq_with(&["--curl", "example.org/x"]));
    assert!(out.starts_with("curl https://example.org/x "), "{out}");
    let out = stdout(&rq_with(&["--curl", ":8080/x"]));
    assert!(out.starts_with("curl http://localhost:8080/x "), "{out}");
    let out = stdout(&rq_with(&["--curl", "post", "x.org", "a=it's"]));
    assert!(out.contains(r#"--data-binary '{"a": "it'\''s"}'"#), "{out}");
}

#[test]
fn curl_command_runs_and_sends_the_same_request() {
    let s = json_server();
    curl_of(&["put", &s.url("/c"), "a=1", "X-T:2"]);
    let r = &s.requests()[0];
    assert_eq!((r.method.as_str(), r.body_str()), ("PUT", r#"{"a": "1"}"#));
    assert_eq!(r.header("x-t"), Some("2"));
}

#[test]
fn curl_command_leaves_out_the_default_headers_rq_leaves_out() {
    let s = json_server();
    let (line, _) = curl_of(&[&s.url("/c"), "User-Agent:", "Accept:"]);
    let r = &s.requests()[0];
    assert_eq!(r.header("user-agent"), None, "{line}");
    assert_eq!(r.header("accept"), None, "{line}");
}

#[test]
fn output_file_gets_the_decoded_body() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.json");
    let s = json_server();
    let o = rq_with(&["-o", file.to_str().unwrap(), &s.url("/")]);
    assert_code(&o, 0);
    assert_eq!(
        std::fs::read(&file).unwrap(),
        br#"{"name":"ann","n":[1,2]}"#
    );
    assert!(o.stdout.is_empty());
}

#[test]
fn gzip_bodies_are_decoded_and_headers_shown_as_received() {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"squeezed text").unwrap();
    let packed = gz.finish().unwrap();
    let s = Server::http(move |r| {
        assert_eq!(r.header("accept-encoding"), Some("gzip, deflate, br, zstd"));
        Response::new(200)
            .header("Content-Encoding", "gzip")
            .header("Content-Type", "text/plain")
            .body(packed.clone())
    });
    let o = rq_with(&["-p", "hb", &s.url("/")]);
    let out = stdout(&o);
    assert!(out.contains("Content-Encoding: gzip"), "{out}");
    assert!(out.ends_with("squeezed text"), "{out}");
    s.assert_no_panics();
}

/// `hello from rq, hello from rq, hello from rq\n` compressed by the reference encoders
/// (brotli quality 11, `zstd -19`), so the decoders meet real streams.
const BROTLI: &[u8] = &[
    0x1b, 0x2b, 0x00, 0xf8, 0x8d, 0x94, 0x6e, 0xe6, 0xa2, 0x56, 0x00, 0x61, 0x91, 0x13, 0x71, 0x39,
    0x88, 0x22, 0xe4, 0x94, 0x00, 0x2f, 0xe9, 0xac, 0x7d, 0x0a,
];
const ZSTD: &[u8] = &[
    0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x68, 0xb5, 0x00, 0x00, 0x80, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x20,
    0x66, 0x72, 0x6f, 0x6d, 0x20, 0x72, 0x71, 0x2c, 0x20, 0x0a, 0x01, 0x00, 0xc2, 0xcc, 0x3a, 0x27,
    0xf9, 0xd9, 0xe1,
];

#[test]
fn brotli_and_zstd_bodies_are_decoded() {
    let s = Server::http(|r| {
        let (coding, body) = match r.path.as_str() {
            "/br" => ("br", BROTLI),
            _ => ("zstd", ZSTD),
        };
        Response::new(200)
            .header("Content-Encoding", coding)
            .header("Content-Type", "text/plain")
            .body(body.to_vec())
    });
    for path in ["/br", "/zstd"] {
        let o = rq_with(&[&s.url(path)]);
        assert_code(&o, 0);
        assert_eq!(
            stdout(&o),
            "hello from rq, hello from rq, hello from rq\n",
            "{path}"
        );
    }
}

#[test]
fn terminal_gets_colours_and_indented_json() {
    let s = json_server();
    let (screen, code) = in_terminal(&format!("{} {}", bin(), s.url("/")), &[]);
    assert_eq!(code, 0);
    assert!(screen.contains("\x1b["), "colours expected: {screen:?}");
    assert!(screen.contains("HTTP/1.1"), "{screen:?}");
    assert!(screen.contains("\n    \x1b[34;1m\"name\""), "{screen:?}");
}

#[test]
fn no_color_keeps_formatting_without_escapes() {
    let s = json_server();
    for env in [("NO_COLOR", "1"), ("TERM", "dumb")] {
        let (screen, _) = in_terminal(&format!("{} {}", bin(), s.url("/")), &[env]);
        assert!(!screen.contains("\x1b["), "{env:?}: {screen:?}");
        assert!(
            screen.contains("    \"name\": \"ann\""),
            "{env:?}: {screen:?}"
        );
    }
}

#[test]
fn an_explicit_pretty_colours_despite_no_color() {
    let s = json_server();
    for env in [("NO_COLOR", "1"), ("TERM", "dumb")] {
        for pretty in ["all", "colors"] {
            let line = format!("{} --pretty={pretty} {}", bin(), s.url("/"));
            let (screen, code) = in_terminal(&line, &[env]);
            assert_eq!(code, 0, "{screen}");
            assert!(
                screen.contains("\x1b[34;1m\"name\""),
                "{env:?} {pretty}: {screen:?}"
            );
        }
    }
}

#[test]
fn json_without_a_charset_is_shown_as_utf8_with_the_bad_byte_escaped() {
    let s = Server::http(|_| {
        Response::new(200)
            .header("Content-Type", "application/json")
            .body(&b"{\"name\":\"caf\xc3\xa9 na\xc3\xafve \xe2\x82\xac\",\"bad\":\"\xff\"}"[..])
    });
    let (screen, code) = in_terminal(&format!("{} -b {}", bin(), s.url("/")), &[]);
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains("caf\u{e9} na\u{ef}ve \u{20ac}"),
        "{screen:?}"
    );
    assert!(screen.contains("\"bad\":\"\\xff\""), "{screen:?}");
}

#[test]
fn terminal_shows_a_note_instead_of_binary() {
    let s = Server::http(|_| {
        Response::new(200)
            .header("Content-Type", "image/png")
            .body(vec![0x89, b'P', b'N', b'G', 0, 0, 1, 2])
    });
    let (screen, _) = in_terminal(&format!("{} -b {}", bin(), s.url("/")), &[]);
    assert!(
        screen.contains("binary body not shown (8 B, image/png): use -o FILE or -d to save it"),
        "{screen:?}"
    );
}

#[test]
fn terminal_escapes_control_sequences_but_pipes_stay_exact() {
    let body = b"title\x1b]0;pwned\x07 clear\x1b[2J end".to_vec();
    let served = body.clone();
    let s = Server::http(move |_| {
        Response::new(200)
            .header("Content-Type", "text/plain")
            .body(served.clone())
    });
    let (screen, _) = in_terminal(&format!("{} -b {}", bin(), s.url("/")), &[]);
    assert!(
        screen.contains(r"title\x1b]0;pwned\x07 clear\x1b[2J end"),
        "{screen:?}"
    );
    assert!(!screen.contains('\x1b'), "{screen:?}");
    assert_eq!(rq_with(&[&s.url("/")]).stdout, body);
}

#[test]
fn broken_pipe_exits_zero_quietly() {
    let s = Server::http(|_| Response::new(200).text(&"x".repeat(4 * 1024 * 1024)));
    let o = crate::support::hermetic(&mut std::process::Command::new("sh"))
        .args([
            "-c",
            &format!(
                "{} {} | head -c 10; exit ${{PIPESTATUS[0]}}",
                bin(),
                s.url("/big")
            ),
        ])
        .output()
        .unwrap();
    // sh may not have PIPESTATUS; use bash explicitly.
    let o = if o.status.code() == Some(2) {
        crate::support::hermetic(&mut std::process::Command::new("bash"))
            .args([
                "-c",
                &format!(
                    "{} {} | head -c 10; exit ${{PIPESTATUS[0]}}",
                    bin(),
                    s.url("/big")
                ),
            ])
            .output()
            .unwrap()
    } else {
        o
    };
    assert_eq!(o.stdout, b"xxxxxxxxxx");
    assert_eq!(String::from_utf8_lossy(&o.stderr), "");
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn all_and_history_print_show_intermediary_responses() {
    let s = Server::http(|r| match r.path.as_str() {
        "/from" => Response::new(301).header("Location", "/to").text("moved"),
        _ => Response::new(200).text("final"),
    });
    let out = stdout(&rq_with(&["--all", "-F", "-p", "hb", &s.url("/from")]));
    assert!(out.contains("HTTP/1.1 301 Moved Permanently"), "{out}");
    assert!(out.contains("moved") && out.ends_with("final"), "{out}");
    let out = stdout(&rq_with(&["-F", "-P", "h", "-p", "b", &s.url("/from")]));
    assert!(out.contains("HTTP/1.1 301"), "{out}");
    assert!(!out.contains("moved"), "{out}");
    assert!(out.ends_with("final"), "{out}");
    let out = stdout(&rq_with(&["-F", "-p", "hb", &s.url("/from")]));
    assert!(
        !out.contains("301"),
        "without --all only the final response: {out}"
    );
}

#[test]
fn large_numbers_and_exponents_print_exactly() {
    let s = Server::http(|_| {
        Response::new(200).json(r#"{"big": 12345678901234567890123, "f": 1.0e+2}"#)
    });
    let out = stdout(&rq_with(&["--pretty=format", &s.url("/")]));
    assert_eq!(
        out,
        "{\n    \"big\": 12345678901234567890123,\n    \"f\": 1.0e+2\n}\n"
    );
}

#[test]
fn large_numbers_print_exactly_in_colour_and_sorted() {
    let s = Server::http(|_| {
        Response::new(200).json(r#"{"big": 12345678901234567890123, "f": 1.0e+2}"#)
    });
    let out = stdout(&rq_with(&["--pretty=all", "--sorted", &s.url("/")]));
    assert!(
        out.contains("\x1b[36m12345678901234567890123\x1b[0m"),
        "{out:?}"
    );
    assert!(out.contains("\x1b[36m1.0e+2\x1b[0m"), "{out:?}");
}

/// C1 controls (U+009B is an 8-bit CSI) and bidi overrides (U+202E) are what ESC-only
/// filters miss; header values may carry them too (ESC itself the HTTP parser refuses).
#[test]
fn terminal_escapes_c1_and_bidi_controls_in_headers_and_bodies() {
    let text = "osc\x1b]0;title\x07 csi\x1b[2J c1\u{9b}31m bidi\u{202e}evil";
    let s = Server::http(move |r| {
        let resp = Response::new(200)
            .header("X-C1", "a\u{9b}31mb")
            .header("X-Bidi", "abc\u{202e}def");
        match r.path.as_str() {
            "/json" => resp.json("{\"k\":\"\u{9b}2J \u{202e}x \\u001b]0;t\\u0007\"}"),
            _ => resp.text(text),
        }
    });
    for pretty in ["all", "format"] {
        for path in ["/text", "/json"] {
            let cmd = format!("{} --pretty={pretty} -p hb {}", bin(), s.url(path));
            let (screen, code) = in_terminal(&cmd, &[]);
            assert_eq!(code, 0, "{screen:?}");
            let plain = strip_sgr(&screen);
            assert!(plain.contains(r"X-C1: a\u{9b}31mb"), "{screen:?}");
            assert!(plain.contains(r"X-Bidi: abc\u{202e}def"), "{screen:?}");
            for raw in ['\u{9b}', '\u{202e}', '\x07'] {
                assert!(
                    !screen.contains(raw),
                    "{raw:?} reached the terminal: {screen:?}"
                );
            }
            if pretty == "format" {
                assert!(!screen.contains('\x1b'), "{screen:?}");
            }
            let body = match path {
                "/json" => r#""k": "\u009b2J \u202ex \u001b]0;t\u0007""#,
                _ => r"osc\x1b]0;title\x07 csi\x1b[2J c1\u{9b}31m bidi\u{202e}evil",
            };
            assert!(plain.contains(body), "{pretty} {path}: {screen:?}");
        }
    }
    // Redirected, the body bytes are exact.
    assert_eq!(stdout(&rq_with(&[&s.url("/text")])), text);
}

/// `screen` without colour codes (`ESC [ digits/; m`), to check the text around them.
fn strip_sgr(screen: &str) -> String {
    let mut out = String::new();
    let mut rest = screen;
    while let Some(at) = rest.find("\x1b[") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let len = after.find(|c: char| !c.is_ascii_digit() && c != ';');
        match len {
            Some(n) if after[n..].starts_with('m') => rest = &after[n + 1..],
            _ => {
                out.push('\x1b');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn sorted_headers_apply_to_the_request_head_too() {
    let s = json_server();
    for option in ["--sorted", "--format-options=headers.sort:true"] {
        let o = rq_with(&[
            "-p",
            "H",
            option,
            &s.url("/"),
            "X-B:1",
            "X-A:2",
            "b-lower:3",
        ]);
        assert_code(&o, 0);
        let names: Vec<String> = stdout(&o)
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(':').map(|(n, _)| n.to_string()))
            .collect();
        let mut sorted = names.clone();
        sorted.sort_by_key(|n| n.to_ascii_lowercase());
        assert_eq!(names, sorted, "{option}");
        assert_eq!(names.len(), 7, "{option}: {names:?}");
    }
}

/// A JSON array of `n` records, about 90 bytes each: several MiB is enough to move stdout's
/// writing to its own thread (past 32 KiB at a time) many times over.
fn long_json(n: usize) -> String {
    let records: Vec<String> = (0..n)
        .map(|i| {
            format!(r#"{{"id":{i},"name":"user {i}","tags":["a","b"],"note":"caf\u00e9 \"q\""}}"#)
        })
        .collect();
    format!("[{}]", records.join(",\n"))
}

fn long_json_server(body: String) -> Server {
    Server::http(move |_| Response::new(200).json(&body))
}

#[test]
fn long_bodies_reach_a_pipe_whole_and_in_order() {
    let body = long_json(60_000);
    assert!(body.len() > 4 << 20);
    let s = long_json_server(body.clone());
    // As received: byte for byte.
    let o = rq_with(&["--pretty=none", &s.url("/")]);
    assert_code(&o, 0);
    assert!(o.stdout == body.as_bytes(), "{} bytes", o.stdout.len());
    // Coloured in place: the body once the colour codes are taken out.
    let o = rq_with(&["--pretty=colors", &s.url("/")]);
    assert_code(&o, 0);
    let plain = String::from_utf8(o.stdout).unwrap();
    let mut uncoloured = String::new();
    let mut rest = plain.as_str();
    while let Some(at) = rest.find('\x1b') {
        uncoloured.push_str(&rest[..at]);
        let end = rest[at..].find('m').expect("an SGR sequence ends in m");
        rest = &rest[at + end + 1..];
    }
    uncoloured.push_str(rest);
    assert!(uncoloured == body, "{} bytes", uncoloured.len());
    // Re-indented: the same value, every record in its place.
    let o = rq_with(&["--pretty=format", &s.url("/")]);
    assert_code(&o, 0);
    let got: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let sent: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(got == sent);
    assert_eq!(stderr(&o), "");
}

/// `rq --pretty=format URL` running, and the pipe its stdout goes to.
fn formatting(url: &str) -> (std::process::Child, std::process::ChildStdout) {
    use std::process::Stdio;
    let mut child = crate::support::rq()
        .args(["--pretty=format", url])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    (child, out)
}

#[test]
fn a_pipe_closed_in_the_middle_of_a_long_body_ends_rq_quietly() {
    use std::io::Read;
    let s = long_json_server(long_json(200_000));
    let (child, mut out) = formatting(&s.url("/"));
    let mut first = [0u8; 4096];
    out.read_exact(&mut first).unwrap();
    drop(out);
    let o = child.wait_with_output().unwrap();
    assert_code(&o, 0);
    assert_eq!(stderr(&o), "");
}

#[test]
fn a_long_body_of_known_length_is_formatted_as_it_arrives() {
    let json = long_json(120_000);
    let got = printed_as_it_arrives("application/json", &json);
    let got: serde_json::Value = serde_json::from_slice(&got).unwrap();
    assert!(got == serde_json::from_str::<serde_json::Value>(&json).unwrap());
    let items: Vec<String> = (0..400_000)
        .map(|i| format!("<item id=\"{i}\">user {i}</item>"))
        .collect();
    let xml = format!("<items>{}</items>", items.join(""));
    let got = String::from_utf8(printed_as_it_arrives("application/xml", &xml)).unwrap();
    let squeezed: String = got.lines().map(str::trim).collect();
    assert_eq!(squeezed, xml);
}

/// `--pretty=format` of `body` (over 8 MiB), served as `mime` with its Content-Length: the
/// server sends the first 300 kB and then waits until rq has printed some of it. A body
/// held to be checked first would only be printed once 8 MiB had arrived, so the server
/// would give up waiting and the test fail.
fn printed_as_it_arrives(mime: &str, body: &str) -> Vec<u8> {
    use std::io::Read;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{mpsc, Arc, Mutex};
    assert!(body.len() > 8 << 20);
    let cut = 300_000;
    let (printed, seen) = mpsc::channel::<()>();
    let seen = Arc::new(Mutex::new(seen));
    let gave_up = Arc::new(AtomicBool::new(false));
    let gave_up_in_server = gave_up.clone();
    let bytes = body.as_bytes().to_vec();
    let served = mime.to_string();
    let s = Server::http(move |_| {
        let (bytes, seen, gave_up) = (bytes.clone(), seen.clone(), gave_up_in_server.clone());
        Response::new(200)
            .header("Content-Type", &served)
            .stream(bytes.len() as u64, move |w| {
                w.write_all(&bytes[..cut])?;
                w.flush()?;
                let waited = seen
                    .lock()
                    .unwrap()
                    .recv_timeout(std::time::Duration::from_secs(30));
                gave_up.store(waited.is_err(), Ordering::SeqCst);
                w.write_all(&bytes[cut..])
            })
    });
    let (child, mut out) = formatting(&s.url("/"));
    let mut got = vec![0u8; 1024];
    out.read_exact(&mut got).unwrap();
    let _ = printed.send(());
    out.read_to_end(&mut got).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_code(&o, 0);
    assert_eq!(stderr(&o), "");
    assert!(
        !gave_up.load(Ordering::SeqCst),
        "{mime}: nothing printed before 8 MiB"
    );
    got
}
