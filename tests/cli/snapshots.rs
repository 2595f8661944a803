//! Printer output compared byte for byte with committed files in `tests/snapshots/`.
//!
//! Each case drives the binary against a local server whose responses are fixed (no dates,
//! no ports in what is printed). `UPDATE_SNAPSHOTS=1 cargo nextest run snapshot` rewrites
//! the files; review the diff before committing it. Escape codes are stored raw: view a
//! file with `cat` in a terminal, or `cat -v`.

use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::path::PathBuf;

use crate::support::server::read_request;
use crate::support::{assert_code, bin, in_terminal, rq_with, Response, Server};

/// Compare `actual` with `tests/snapshots/NAME`, or rewrite the file when asked.
#[track_caller]
fn assert_snapshot(name: &str, actual: &[u8]) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let want = std::fs::read(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}: run `UPDATE_SNAPSHOTS=1 cargo nextest run snapshot`",
            path.display()
        )
    });
    if want != actual {
        // Show escape codes as `\e` so the difference is visible in the test log.
        let show = |b: &[u8]| String::from_utf8_lossy(b).replace('\x1b', "\\e");
        panic!(
            "output differs from {}\n--- expected:\n{}\n--- actual:\n{}\n\
             (UPDATE_SNAPSHOTS=1 rewrites the file if the change is intended)",
            path.display(),
            show(&want),
            show(actual)
        );
    }
}

/// A document with every token kind, escapes, non-ASCII text and exact number forms.
const DOC: &str = r#"{"name":"ann","id":12345678901234567890123,"ratio":1.0e+2,"neg":-0.5,"ok":true,"gone":false,"none":null,"tags":["a","b\"q\"",[]],"nested":{"deep":{"list":[1,{"x":{}}]}},"text":"caf\u00e9 ü 日本 😀\n\t"}"#;

fn doc_server() -> Server {
    Server::http(|_| {
        Response::new(200)
            .header("Content-Type", "application/json")
            .header("X-Request-Id", "abc-123")
            .header("cache-control", "no-store")
            .body(DOC)
    })
}

/// `--pretty=all -p hb` output for a plain command line.
fn pretty(args: &[&str]) -> Vec<u8> {
    let o = rq_with(args);
    assert_code(&o, 0);
    o.stdout
}

#[test]
fn json_and_headers_in_each_theme() {
    let s = doc_server();
    for style in ["auto", "monokai", "solarized"] {
        let style_arg = format!("--style={style}");
        let out = pretty(&["--pretty=all", &style_arg, "-p", "hb", &s.url("/")]);
        assert_snapshot(&format!("json_{style}.txt"), &out);
    }
}

#[test]
fn json_formatted_without_colours_indent_two_and_sorted() {
    let s = doc_server();
    let url = s.url("/");
    let out = pretty(&["--pretty=format", "-p", "hb", &url]);
    assert_snapshot("json_format.txt", &out);
    let out = pretty(&["--pretty=format", "--format-options=json.indent:2", &url]);
    assert_snapshot("json_indent_2.txt", &out);
    let out = pretty(&["--pretty=all", "--sorted", "-p", "hb", &url]);
    assert_snapshot("json_sorted.txt", &out);
}

#[test]
fn json_coloured_as_received() {
    // `--pretty=colors` and `json.format:false` colour the tokens and keep the layout.
    let spaced = "{\"a\": [1, 2,\n  {\"b\":null}], \"c\" : \"x\"}\n";
    let s = Server::http(move |_| {
        Response::new(200)
            .header("Content-Type", "application/json")
            .body(spaced)
    });
    let url = s.url("/");
    let out = pretty(&["--pretty=colors", "--style=monokai", "-b", &url]);
    assert_snapshot("json_colors_only.txt", &out);
    let off = pretty(&[
        "--pretty=all",
        "--style=monokai",
        "--format-options=json.format:false",
        "-b",
        &url,
    ]);
    assert_eq!(off, out);
    // Without its colour codes, the output is the body as sent.
    let text = String::from_utf8(out).unwrap();
    let mut plain = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find('\x1b') {
        plain.push_str(&rest[..at]);
        rest = &rest[at + rest[at..].find('m').unwrap() + 1..];
    }
    plain.push_str(rest);
    assert_eq!(plain, spaced);
}

#[test]
fn status_line_colour_follows_the_status_class() {
    let s = Server::http(|r| {
        let code = r.path.trim_start_matches('/').parse().unwrap();
        Response::new(code).header("X-Class", &r.path)
    });
    let mut out = Vec::new();
    for style in ["auto", "monokai"] {
        for code in ["200", "201", "302", "404", "418", "500", "503"] {
            let o = rq_with(&[
                "--pretty=all",
                &format!("--style={style}"),
                "--no-check-status",
                "-p",
                "h",
                &s.url(&format!("/{code}")),
            ]);
            assert_code(&o, 0);
            out.extend_from_slice(&o.stdout);
        }
    }
    assert_snapshot("status_classes.txt", &out);
}

#[test]
fn headers_sort_orders_names_case_insensitively() {
    let s = Server::http(|_| {
        Response::new(200)
            .header("Zeta", "last")
            .header("alpha", "first")
            .header("X-Multi", "one")
            .header("X-Multi", "two")
            .header("Content-Type", "text/plain")
            .body("sorted headers\n")
    });
    let url = s.url("/");
    let out = pretty(&[
        "--pretty=all",
        "--format-options=headers.sort:true",
        "-p",
        "h",
        &url,
    ]);
    assert_snapshot("headers_sorted.txt", &out);
    let out = pretty(&["--pretty=all", "-p", "h", &url]);
    assert_snapshot("headers_as_received.txt", &out);
}

/// An XML document with every kind of token: declaration, DOCTYPE, comment, processing
/// instruction, namespaces, both quote styles, references, CDATA, empty and mixed content.
const XML_DOC: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE catalog [<!ENTITY pub \"rq press\">]>\n<!-- a catalog -->\n<catalog xmlns:dc=\"http://purl.org/dc/elements/1.1/\" version='2'><?render mode=\"list\"?><book id=\"b1\" lang=\"fr\"><dc:title>Caf\u{e9} &amp; cr\u{e8}me &#8364;</dc:title><publisher>&pub;</publisher><notes><![CDATA[<b>raw</b> & more]]></notes><available/></book><book id=\"b2\"><dc:title>\u{65e5}\u{672c}</dc:title>Mixed <em>inline</em> text</book></catalog>\n";

fn xml_server() -> Server {
    Server::http(|_| {
        Response::new(200)
            .header("Content-Type", "application/xml; charset=utf-8")
            .body(XML_DOC)
    })
}

#[test]
fn xml_in_each_theme() {
    let s = xml_server();
    for style in ["auto", "monokai", "solarized"] {
        let style_arg = format!("--style={style}");
        let out = pretty(&["--pretty=all", &style_arg, "-b", &s.url("/")]);
        assert_snapshot(&format!("xml_{style}.txt"), &out);
    }
}

#[test]
fn xml_formatted_without_colours_and_indent_four() {
    let s = xml_server();
    let url = s.url("/");
    let out = pretty(&["--pretty=format", "-p", "hb", &url]);
    assert_snapshot("xml_format.txt", &out);
    let out = pretty(&["--pretty=format", "--format-options=xml.indent:4", &url]);
    assert_snapshot("xml_indent_4.txt", &out);
}

#[test]
fn xml_coloured_as_received() {
    let s = xml_server();
    let out = pretty(&["--pretty=colors", "--style=monokai", "-b", &s.url("/")]);
    assert_snapshot("xml_colors_only.txt", &out);
    let text = String::from_utf8(out).unwrap();
    let mut plain = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find('\x1b') {
        plain.push_str(&rest[..at]);
        rest = &rest[at + rest[at..].find('m').unwrap() + 1..];
    }
    plain.push_str(rest);
    assert_eq!(plain, XML_DOC);
}

/// Serve a response made of `head` (status line and headers, any bytes), a Content-Length
/// and `body`, verbatim, to every request.
fn raw_server(head: &'static [u8], body: &'static [u8]) -> Server {
    let mut response = head.to_vec();
    response.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    response.extend_from_slice(body);
    Server::raw(move |sock: TcpStream, _| {
        let mut reader = BufReader::new(sock.try_clone().unwrap());
        if read_request(&mut reader, 0).ok().flatten().is_some() {
            let mut sock = sock;
            let _ = sock.write_all(&response);
        }
    })
}

/// What a terminal shows for `rq ARGS URL`.
fn screen(args: &str, url: &str) -> Vec<u8> {
    let (screen, code) = in_terminal(&format!("{} {args} {url}", bin()), &[]);
    assert_eq!(code, 0, "{screen}");
    screen.into_bytes()
}

#[test]
fn binary_note_on_a_terminal() {
    let s = Server::http(|r| {
        let (ct, len) = match r.path.as_str() {
            "/png" => ("image/png", 8_100),
            _ => ("application/octet-stream", 3_400_000),
        };
        let mut body = vec![0x89, b'P', b'N', b'G', 0, 0];
        body.resize(len, 7);
        Response::new(200).header("Content-Type", ct).body(body)
    });
    let mut out = screen("-p hb", &s.url("/png"));
    out.extend(screen("--pretty=format -b", &s.url("/bin")));
    assert_snapshot("binary_note.txt", &out);
}

/// Header values may carry C1 and bidi controls (as UTF-8, or a raw 8-bit CSI byte); ESC
/// itself is refused by the HTTP parser, so it is tested in bodies.
const ESCAPES_HEAD: &[u8] = b"HTTP/1.1 200 OK\r\n\
Content-Type: text/plain\r\n\
X-C1: a\xc2\x9b31mred\r\n\
X-Bidi: abc\xe2\x80\xaedef\r\n\
X-Raw-C1: \x9b2J\r\n";
const ESCAPES_BODY: &[u8] =
    b"osc\x1b]0;title\x07 csi\x1b[2J c1\xc2\x9b31m bidi\xe2\x80\xaeevil bs\x08 del\x7f\n";

const JSON_HEAD: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n";
const JSON_BODY: &[u8] =
    b"{\"osc\":\"\\u001b]0;t\\u0007\",\"c1\":\"\xc2\x9b\",\"bidi\":\"a\xe2\x80\xaeb\"}\n";

#[test]
fn control_sequences_are_shown_escaped_on_a_terminal() {
    let text = raw_server(ESCAPES_HEAD, ESCAPES_BODY);
    let mut out = screen("--pretty=format -p hb", &text.url("/"));
    let json = raw_server(JSON_HEAD, JSON_BODY);
    out.extend(screen("--pretty=format -p hb", &json.url("/")));
    assert!(!out.contains(&0x1b), "{}", String::from_utf8_lossy(&out));
    assert_snapshot("escapes_terminal.txt", &out);
}
