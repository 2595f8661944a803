//! Unit tests for the streaming JSON formatter: layout, colours, fallback, validation.

use super::*;

const COLORS: JsonColors = JsonColors {
    key: "<k>",
    string: "<s>",
    number: "<n>",
    literal: "<l>",
    punct: "<p>",
};

fn opts(indent: usize, colors: Option<JsonColors>, escape_controls: bool) -> JsonOptions {
    JsonOptions {
        indent,
        colors,
        escape_controls,
        reindent: true,
    }
}

/// Format `input` in chunks of `size`; returns the output and `fell_back()`.
fn run(input: &[u8], size: usize, opts: &JsonOptions) -> (String, bool) {
    let mut f = JsonFormatter::new(Vec::new(), opts.clone());
    for c in input.chunks(size.max(1)) {
        f.write_chunk(c).unwrap();
    }
    f.m.end(); // idempotent; lets the test see a fallback decided at EOF
    let fell = f.fell_back();
    (
        String::from_utf8_lossy(&f.finish().unwrap()).into_owned(),
        fell,
    )
}

/// Output (and fallback flag) must be identical for every chunking.
fn check(input: &[u8], opts: &JsonOptions) -> (String, bool) {
    let whole = run(input, input.len(), opts);
    for size in 1..=7 {
        let text = String::from_utf8_lossy(input);
        assert_eq!(run(input, size, opts), whole, "chunks of {size}: {text:?}");
    }
    whole
}

#[test]
fn formats_valid_json() {
    let cases: &[(&str, &str)] = &[
        ("{}", "{}\n"),
        (" [ ] ", "[]\n"),
        ("[1,2]", "[\n    1,\n    2\n]\n"),
        (
            r#"{"a":1,"b":[true,false,null],"c":{},"d":[]}"#,
            "{\n    \"a\": 1,\n    \"b\": [\n        true,\n        false,\n        null\n    ],\n    \"c\": {},\n    \"d\": []\n}\n",
        ),
        (
            "[[[]],{\"x\":{\"y\":[{}]}}]",
            "[\n    [\n        []\n    ],\n    {\n        \"x\": {\n            \"y\": [\n                {}\n            ]\n        }\n    }\n]\n",
        ),
        ("\"str\"", "\"str\"\n"),
        ("  123  ", "123\n"),
        ("null", "null\n"),
        (
            "[12345678901234567890123,1.0e+2,-0,1E-7,0.5]",
            "[\n    12345678901234567890123,\n    1.0e+2,\n    -0,\n    1E-7,\n    0.5\n]\n",
        ),
        (
            r#"["\u00e9\n\"\\\/\b\f\r\t","é😀",""]"#,
            "[\n    \"\\u00e9\\n\\\"\\\\\\/\\b\\f\\r\\t\",\n    \"é😀\",\n    \"\"\n]\n",
        ),
        ("{\"z\":0,\"a\":0}", "{\n    \"z\": 0,\n    \"a\": 0\n}\n"),
        ("1 2\n[3]\n{\"a\":null}\n\"s\"", "1\n2\n[\n    3\n]\n{\n    \"a\": null\n}\n\"s\"\n"),
        ("{\"a\":1}{\"b\":2}", "{\n    \"a\": 1\n}\n{\n    \"b\": 2\n}\n"),
        ("\t\r\n{ \"k\" :\n\"v\" }\r\n", "{\n    \"k\": \"v\"\n}\n"),
        ("", ""),
        ("  \n", ""),
    ];
    for (input, want) in cases {
        let got = check(input.as_bytes(), &JsonOptions::default());
        assert_eq!(got, (want.to_string(), false), "{input}");
    }
    let nested = b"{\"a\":[1]}";
    assert_eq!(
        check(nested, &opts(2, None, false)).0,
        "{\n  \"a\": [\n    1\n  ]\n}\n"
    );
    assert_eq!(
        check(nested, &opts(0, None, false)).0,
        "{\n\"a\": [\n1\n]\n}\n"
    );
}

#[test]
fn colours() {
    let (out, _) = check(br#"{"a":[1,"x",true,{}]}"#, &opts(4, Some(COLORS), false));
    let want = "<p>{\x1b[0m\n    <k>\"a\"\x1b[0m<p>:\x1b[0m <p>[\x1b[0m\n        <n>1\x1b[0m<p>,\x1b[0m\n        <s>\"x\"\x1b[0m<p>,\x1b[0m\n        <l>true\x1b[0m<p>,\x1b[0m\n        <p>{\x1b[0m<p>}\x1b[0m\n    <p>]\x1b[0m\n<p>}\x1b[0m\n";
    assert_eq!(out, want);
    // An empty colour string leaves that kind uncoloured.
    let no_punct = opts(
        4,
        Some(JsonColors {
            punct: "",
            ..COLORS
        }),
        false,
    );
    assert_eq!(check(b"[null]", &no_punct).0, "[\n    <l>null\x1b[0m\n]\n");
    // A string cut short by a fallback or by EOF still gets its reset.
    let o = opts(4, Some(COLORS), false);
    let want = "<p>[\x1b[0m\n    <s>\"ab\x1b[0m\x01\"]\n";
    assert_eq!(check(b"[\"ab\x01\"]", &o), (want.into(), true));
    assert_eq!(check(b"\"abc", &o), ("<s>\"abc\x1b[0m\n".into(), false));
}

#[test]
fn invalid_input_falls_back_to_raw() {
    let cases: &[(&[u8], &str)] = &[
        (b"hello", "hello\n"),
        (b"<html>\n", "<html>\n"),
        (b"{\"a\":1 2}", "{\n    \"a\": 12}\n"),
        (b"[1,]", "[\n    1,\n    ]\n"),
        (b"{\"a\" 1}", "{\n    \"a\"1}\n"),
        (b"{1:2}", "{1:2}\n"),
        (b"[1}", "[\n    1}\n"),
        (b"tru", "tru\n"),
        (b"[trux]", "[\n    trux]\n"),
        (b"[1.]", "[\n    1.]\n"),
        (b"[01]", "[\n    01]\n"),
        (b"-", "-\n"),
        (b"1true", "1\ntrue\n"),
        (b"[\"a\\qb\"]", "[\n    \"a\\qb\"]\n"),
        (b"\"\\u12g4\"", "\"\\u12g4\"\n"),
        (b"\"ctrl\x01\"", "\"ctrl\x01\"\n"),
        (b"\"a\xffb\"", "\"a\u{fffd}b\"\n"),
        (b"\"a\xe2\x82\"", "\"a\u{fffd}\"\n"),
        (b"{\"a\":1}}\n", "{\n    \"a\": 1\n}\n}\n"),
        (b"\"\\u00", "\"\\u00\n"),
    ];
    for (input, want) in cases {
        let got = check(input, &JsonOptions::default());
        assert_eq!(got, (want.to_string(), true), "{input:?}");
    }
    // Indent 0 keeps the output of deep nesting linear in size.
    let deep = "[".repeat(MAX_DEPTH + 1);
    let (out, fell) = check(deep.as_bytes(), &opts(0, None, false));
    assert!(fell && out.ends_with("\n[[\n"));
}

#[test]
fn escape_controls_on_terminal() {
    let o = opts(4, None, true);
    let input = "[\"\u{85}x\u{202e}y\u{2069}\u{61c}\u{9f}\", \"\\u001b ok \u{a0}\u{2010}\"]";
    let want =
        "[\n    \"\\u0085x\\u202ey\\u2069\\u061c\\u009f\",\n    \"\\u001b ok \u{a0}\u{2010}\"\n]\n";
    assert_eq!(check(input.as_bytes(), &o), (want.into(), false));
    // Raw fallback goes through the sanitiser.
    let got = check(b"{\"a\":\"b\x1b[31m\xc2\x9b\"}", &o);
    assert_eq!(got, ("{\n    \"a\": \"b\\x1b[31m\\u{9b}\"}\n".into(), true));
}

#[test]
fn is_json_table() {
    let cases: &[(&str, bool)] = &[
        ("{}", true),
        (" [1, 2.5e3] ", true),
        ("\"x\"", true),
        ("0", true),
        ("{\"a\":{\"b\":[null]}}\n{}", true),
        ("1 2", true),
        ("true\nfalse", true),
        ("", false),
        ("  ", false),
        ("{", false),
        ("[1,]", false),
        ("{\"a\"}", false),
        ("01", false),
        ("1.", false),
        ("tru", false),
        ("\"abc", false),
        ("\"\x01\"", false),
        ("<!doctype html>", false),
        ("1true", false),
        ("1 \"abc", false),
        ("1\"a\"[2]", true),
        ("}", false),
    ];
    for (input, want) in cases {
        assert_eq!(is_json(input.as_bytes()), *want, "{input:?}");
    }
    assert!(!is_json(b"\"\xff\""));
    assert!(!is_json("[".repeat(MAX_DEPTH + 1).as_bytes()));
}

#[test]
fn xssi_prefixes() {
    let cases: &[(&str, usize)] = &[
        (")]}'\n{}", 5),
        (")]}',\n[]", 6),
        (")]}',[]", 5),
        (")]}'\r\n[]", 6),
        (")]}'", 4),
        ("while(1);[1]", 9),
        ("for(;;);\n{}", 9),
        ("{}", 0),
        (")]}", 0),
        ("", 0),
    ];
    for (input, want) in cases {
        assert_eq!(xssi_prefix_len(input.as_bytes()), *want, "{input:?}");
    }
}

#[test]
fn reparses_to_the_same_value() {
    let docs = [
        r#"{"a":1}"#,
        r#"[]"#,
        r#"{"nested":{"deeper":{"deepest":[1,[2,[3,[4]]]]}}}"#,
        r#"[1,-2,3.25,-4.5e-3,6E+2,0,-0.0,1e300]"#,
        r#"{"s":"quote \" backslash \\ slash \/ tab \t nl \n uni \u00e9 \ud83d\ude00"}"#,
        r#"{"ünïcödé":"日本語","emoji":"😀🎉"}"#,
        r#"[true,false,null,{"t":true,"f":false,"n":null}]"#,
        r#"{"empty_obj":{},"empty_arr":[],"empty_str":""}"#,
        r#"[[],[[]],[{}],{"a":[]}]"#,
        r#""just a string""#,
        r#"42"#,
        r#"{"users":[{"id":1,"name":"Ann","tags":["a","b"]},{"id":2,"name":"Bob","tags":[]}]}"#,
        r#"{"a":{"b":{"c":{"d":{"e":{"f":"g"}}}}}}"#,
        r#"  { "spaced" : [ 1 , 2 ] , "x" : { } }  "#,
        r#"{"big":123456789012345678901234567890,"small":1e-300}"#,
        r#"["a,b",":","{","}","[","]"]"#,
        r#"{"ctrl":"\u0000\u001f\u007f"}"#,
        r#"[{"k":[{"k":[{"k":null}]}]}]"#,
        r#"{"dup":1,"dup":2}"#,
        r#"[0.1,0.2,0.30000000000000004]"#,
    ];
    let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap();
    for doc in docs {
        let want = parse(doc);
        assert!(is_json(doc.as_bytes()), "{doc}");
        for indent in [0, 2, 4] {
            let (out, fell) = check(doc.as_bytes(), &opts(indent, None, false));
            assert!(!fell, "{doc}");
            assert_eq!(parse(&out), want, "{doc}");
        }
        // Where the input is already canonical, the layout matches serde_json's exactly.
        if serde_json::to_string(&want).unwrap() == doc {
            let pretty = serde_json::to_string_pretty(&want).unwrap() + "\n";
            assert_eq!(run(doc.as_bytes(), 3, &opts(2, None, false)).0, pretty);
        }
    }
}

#[test]
fn large_input_flushes_in_pieces() {
    let item = r#"{"id":12345,"name":"some name \u00e9 ü","vals":[1.5,true,null,"x"]}"#;
    let doc = format!("[{}]", vec![item; 5000].join(","));
    let o = opts(4, Some(COLORS), true);
    let whole = run(doc.as_bytes(), doc.len(), &o);
    assert_eq!(run(doc.as_bytes(), 4099, &o), whole);
    assert_eq!(run(doc.as_bytes(), 1, &o), whole);
    let plain = run(doc.as_bytes(), 65_537, &JsonOptions::default()).0;
    let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap();
    assert_eq!(parse(&plain), parse(&doc));
}

#[test]
fn completeness_says_when_lines_hold_whole_values() {
    let cases: &[(&str, Completeness)] = &[
        ("{\"a\":1}\n", Completeness::Whole),
        ("{\"a\":1}\n{\"b\":2}\n", Completeness::Whole),
        ("1 2\n", Completeness::Whole),
        ("{\"a\":\n", Completeness::Partial),
        ("[1,\n", Completeness::Partial),
        ("\"open str", Completeness::Partial),
        // A raw newline can't be inside a string, so a line break there is an error.
        ("\"open string\n", Completeness::Invalid),
        ("  \n", Completeness::Partial),
        ("", Completeness::Partial),
        ("{\"a\" 1}\n", Completeness::Invalid),
        ("data: x\n", Completeness::Invalid),
        ("{\"a\":1}}\n", Completeness::Invalid),
    ];
    for (input, want) in cases {
        assert_eq!(completeness(input.as_bytes()), *want, "{input:?}");
    }
}

/// `--pretty=colors`: tokens coloured, whitespace and everything else as received.
/// (In the expected output `x` stands for the reset code.)
#[test]
fn colours_without_reindenting_keep_the_input_byte_for_byte() {
    let as_received = JsonOptions {
        reindent: false,
        ..opts(4, Some(COLORS), false)
    };
    let table: &[(&str, &str)] = &[
        (
            "{\"a\": [1, 2,\n  {\"b\":null}], \"c\" : \"x\"}\n",
            "<p>{x<k>\"a\"x<p>:x <p>[x<n>1x<p>,x <n>2x<p>,x\n  <p>{x<k>\"b\"x<p>:x<l>nullx\
             <p>}x<p>]x<p>,x <k>\"c\"x <p>:x <s>\"x\"x<p>}x\n",
        ),
        ("[]", "<p>[x<p>]x"),
        ("{ }\r\n", "<p>{x <p>}x\r\n"),
        ("1\n2\n", "<n>1x\n<n>2x\n"),
        // Invalid from `x` on: the rest as received.
        ("[1, x]", "<p>[x<n>1x<p>,x x]"),
        // A number at the very end, with no newline after it.
        ("12.5e3", "<n>12.5e3x"),
    ];
    for (input, want) in table {
        let (got, _) = check(input.as_bytes(), &as_received);
        assert_eq!(got.replace(RESET, "x"), *want, "{input:?}");
    }
}
