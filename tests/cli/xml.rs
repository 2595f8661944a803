//! XML bodies: recognised by type, indented and coloured as they stream, shown as received
//! from where they stop being XML, and never a way to read files or expand entities.

use crate::support::{assert_code, rq_with, stderr, stdout, Response, Server};

/// Serves `body` as `content_type` on every path but `/secret`, which notes that it was
/// asked for (an XML reader that fetched external entities would ask).
fn serve(content_type: &'static str, body: &'static str) -> Server {
    Server::http(move |r| match r.path.as_str() {
        "/secret" => Response::new(200).text("root:x:0:0:secret"),
        _ => Response::new(200)
            .header("Content-Type", content_type)
            .body(body),
    })
}

const DOC: &str = "<?xml version=\"1.0\"?><list><item id=\"1\">one</item><item id=\"2\"/></list>";
const LAID_OUT: &str =
    "<?xml version=\"1.0\"?>\n<list>\n  <item id=\"1\">one</item>\n  <item id=\"2\"/>\n</list>\n";

#[test]
fn xml_types_are_indented_and_html_is_not() {
    for content_type in [
        "application/xml",
        "text/xml; charset=utf-8",
        "application/atom+xml",
        "image/svg+xml",
    ] {
        let s = serve(content_type, DOC);
        let o = rq_with(&["--pretty=format", &s.url("/")]);
        assert_code(&o, 0);
        assert_eq!(stdout(&o), LAID_OUT, "{content_type}");
    }
    let s = serve("text/html", DOC);
    let o = rq_with(&["--pretty=format", &s.url("/")]);
    assert_eq!(stdout(&o), DOC);
}

#[test]
fn xml_format_options_set_the_indent_or_keep_the_layout() {
    let s = serve("application/xml", DOC);
    let o = rq_with(&[
        "--pretty=format",
        "--format-options=xml.indent:2",
        &s.url("/"),
    ]);
    assert_eq!(stdout(&o), LAID_OUT.replace("    <", "  <"));
    let o = rq_with(&[
        "--pretty=format",
        "--format-options=xml.format:false",
        &s.url("/"),
    ]);
    assert_eq!(stdout(&o), DOC);
    // Colours without a new layout: the codes taken out, the body as sent.
    let o = rq_with(&[
        "--pretty=all",
        "--format-options=xml.format:false",
        &s.url("/"),
    ]);
    let out = stdout(&o);
    assert!(out.contains("\x1b["), "{out:?}");
    assert_eq!(strip_colours(&out), DOC);
    let o = rq_with(&[
        "--pretty=format",
        "--format-options=xml.indent:17",
        &s.url("/"),
    ]);
    assert_code(&o, 64);
    assert!(stderr(&o).contains("xml.indent:N"), "{}", stderr(&o));
}

fn strip_colours(text: &str) -> String {
    let mut plain = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('\x1b') {
        plain.push_str(&rest[..at]);
        rest = &rest[at + rest[at..].find('m').unwrap() + 1..];
    }
    plain + rest
}

#[test]
fn xml_that_is_not_well_formed_is_printed_as_received() {
    for body in [
        "<list><item>one</list>",
        "<a x=1>text</a>",
        "<a>AT&T</a>",
        "<p>unclosed",
        "<a/> trailing text",
    ] {
        let s = Server::http(move |_| {
            Response::new(200)
                .header("Content-Type", "application/xml")
                .body(body)
        });
        let o = rq_with(&["--pretty=all", &s.url("/")]);
        assert_code(&o, 0);
        assert_eq!(stdout(&o), body);
        assert_eq!(stderr(&o), "");
    }
}

#[test]
fn a_large_body_is_formatted_up_to_where_it_breaks_and_then_shown_exactly() {
    // More than the 8 MiB checked ahead, so formatting starts before the break is seen.
    let items = "<item>x</item>".repeat(700_000);
    let tail = "</wrong>\n  <item>  as   sent </item>\x00 \u{e9}\n";
    let body = format!("<list>{items}{tail}");
    let body: &'static str = Box::leak(body.into_boxed_str());
    let s = serve("application/xml", body);
    let o = rq_with(&["--pretty=format", &s.url("/")]);
    assert_code(&o, 0);
    let out = stdout(&o);
    assert!(out.starts_with("<list>\n  <item>x</item>\n  <item>x</item>\n"));
    // The last line laid out, then from the token that breaks, every byte as sent.
    let end = format!("\n  <item>x</item>\n{tail}");
    assert!(out.ends_with(&end), "{}", &out[out.len() - 200..]);
    assert!(stderr(&o).contains("not well-formed XML"), "{}", stderr(&o));
}

#[test]
fn entities_are_never_expanded_nor_external_ones_fetched() {
    let mut laughs =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        laughs += &format!("<!ENTITY lol{i} \"{}\">\n", format!("&{prev};").repeat(10));
    }
    laughs += "]>\n<lolz>&lol9;</lolz>\n";
    let laughs: &'static str = Box::leak(laughs.into_boxed_str());
    let s = serve("application/xml", laughs);
    let o = rq_with(&["--pretty=format", &s.url("/")]);
    assert_code(&o, 0);
    let out = stdout(&o);
    assert!(out.ends_with("]>\n<lolz>&lol9;</lolz>\n"), "{out}");
    assert!(out.len() < laughs.len() + 16, "{} bytes", out.len());

    // XXE: a file and a URL of this machine as external entities; neither is read.
    let holder = Server::http(|_| Response::new(200));
    let port = holder.port();
    let xxe = format!(
        "<!DOCTYPE r [<!ENTITY file SYSTEM \"file:///etc/passwd\"><!ENTITY web SYSTEM \"http://127.0.0.1:{port}/secret\">]><r><a>&file;</a><b>&web;</b></r>"
    );
    let xxe: &'static str = Box::leak(xxe.into_boxed_str());
    let s = serve("text/xml", xxe);
    let o = rq_with(&["--pretty=all", &s.url("/")]);
    assert_code(&o, 0);
    let out = strip_colours(&stdout(&o));
    assert!(
        out.contains("<a>&file;</a>") && out.contains("<b>&web;</b>"),
        "{out}"
    );
    assert!(!out.contains("root:"), "{out}");
    assert_eq!(holder.request_count(), 0, "an external entity was fetched");
}

#[test]
fn redirected_xml_stays_byte_exact() {
    let s = serve("application/xml", DOC);
    let o = rq_with(&[&s.url("/")]);
    assert_eq!(o.stdout, DOC.as_bytes());
}
