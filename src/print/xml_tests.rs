use super::*;

/// A reader that hands out at most `step` bytes per read, so tokens are split everywhere.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.data.len().min(self.step).min(buf.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn run(input: &[u8], opts: &XmlOptions, step: usize) -> (String, Outcome) {
    let mut out = Vec::new();
    let outcome = format(Trickle { data: input, step }, &mut out, opts).unwrap();
    (String::from_utf8(out).unwrap(), outcome)
}

fn formatted(input: &str) -> String {
    let (first, _) = run(input.as_bytes(), &XmlOptions::default(), usize::MAX);
    for step in [1, 2, 3, 7] {
        let (again, _) = run(input.as_bytes(), &XmlOptions::default(), step);
        assert_eq!(again, first, "{input:?} read {step} bytes at a time");
    }
    first
}

const SAMPLES: &[&str] = &[
    "<a/>",
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<root a='1'  b = \"x y\">\n  <c>text &amp; more &#233;</c>\n  <!-- note -->\n  <d><![CDATA[<raw>]]></d>\n</root>\n",
    "<!DOCTYPE r [<!ENTITY e \"v\">]><r>&e;</r>",
    "<a><b>1</b><b>2</b></a>",
    "<a>mixed <b>bold</b> tail</a>",
    "<a></b>",
    "<a x=1/>",
    "<a><b></a>",
    "just text",
    "<a>caf\u{e9} \u{65e5}\u{672c}</a>",
    "<ns:a xmlns:ns=\"urn:x\"><ns:b ns:k=\"v\"/></ns:a>",
    "<a>\r\n<b/>\r\n</a>",
    "<a",
    "<a>&</a>",
    "",
];

#[test]
fn as_received_without_colours_is_the_input_byte_for_byte() {
    let opts = XmlOptions {
        reindent: false,
        ..XmlOptions::default()
    };
    for input in SAMPLES {
        for step in [1, 2, 5, 64, usize::MAX] {
            let (out, _) = run(input.as_bytes(), &opts, step);
            assert_eq!(out, *input, "read {step} bytes at a time");
        }
    }
}

#[test]
fn layout_table() {
    let cases = [
        (
            "<a><b>1</b><b>2</b></a>",
            "<a>\n  <b>1</b>\n  <b>2</b>\n</a>\n",
        ),
        ("<a/>", "<a/>\n"),
        ("<a></a>", "<a></a>\n"),
        (
            "<?xml version=\"1.0\"?>\n<a x=\"1\"  y='2'>\n\n  <b/>\n</a>",
            "<?xml version=\"1.0\"?>\n<a x=\"1\"  y='2'>\n  <b/>\n</a>\n",
        ),
        ("<a>  text &amp; more  </a>", "<a>text &amp; more</a>\n"),
        (
            "<a>mixed <b>bold</b> tail</a>",
            "<a>mixed\n  <b>bold</b>\n  tail\n</a>\n",
        ),
        (
            "<a><!-- c --><![CDATA[ x ]]></a>",
            "<a>\n  <!-- c -->\n  <![CDATA[ x ]]>\n</a>\n",
        ),
        ("<a> <![CDATA[ <x> ]]> </a>", "<a><![CDATA[ <x> ]]></a>\n"),
        (
            "<!DOCTYPE r [<!ENTITY e \"v\">]><r>&e;</r>",
            "<!DOCTYPE r [<!ENTITY e \"v\">]>\n<r>&e;</r>\n",
        ),
    ];
    for (input, want) in cases {
        assert_eq!(formatted(input), want, "{input:?}");
    }
    let four = XmlOptions {
        indent: 4,
        ..XmlOptions::default()
    };
    let (out, _) = run(b"<a><b><c/></b></a>", &four, usize::MAX);
    assert_eq!(out, "<a>\n    <b>\n        <c/>\n    </b>\n</a>\n");
}

#[test]
fn from_the_token_that_breaks_the_rest_is_as_received() {
    let input = "<a><b>ok</b><c>x</d>\n  <e>  after </e>";
    let (out, outcome) = run(input.as_bytes(), &XmlOptions::default(), 3);
    assert!(outcome.fell_back && !outcome.whole);
    assert_eq!(out, "<a>\n  <b>ok</b>\n  <c>x</d>\n  <e>  after </e>\n");
    for bad in ["<a x=1/>", "<a>&</a>", "<a", "<a><b></a>"] {
        let (out, outcome) = run(bad.as_bytes(), &XmlOptions::default(), usize::MAX);
        assert!(outcome.fell_back, "{bad}");
        assert!(
            out.ends_with(&format!("{}\n", &bad[bad.len() - 2..])),
            "{bad}: {out}"
        );
    }
}

#[test]
fn whole_documents_are_told_from_fragments_and_text() {
    for (body, whole) in [
        ("<a/>", true),
        ("<?xml version=\"1.0\"?><a><b/></a>\n", true),
        ("<a><b/>", false),
        ("just text", false),
        ("<a/>trailing", false),
        ("", false),
        ("<a></b>", false),
    ] {
        assert_eq!(is_xml(body.as_bytes()), whole, "{body:?}");
    }
}

#[test]
fn entities_are_never_expanded_and_dtds_never_read() {
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
    let out = formatted(&laughs);
    assert!(out.ends_with("<lolz>&lol9;</lolz>\n"), "{out}");
    assert!(out.len() < laughs.len() + 16, "{} bytes", out.len());
    let xxe = "<!DOCTYPE f [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><f>&x;</f>";
    let out = formatted(xxe);
    assert!(
        out.contains("<f>&x;</f>") && !out.contains("root:"),
        "{out}"
    );
}

#[test]
fn colours_mark_tags_attributes_values_and_references() {
    let colors = XmlColors {
        tag: "<T>",
        attr: "<A>",
        value: "<V>",
        entity: "<E>",
        comment: "<C>",
    };
    let opts = XmlOptions {
        colors: Some(colors),
        reindent: false,
        ..XmlOptions::default()
    };
    let (out, _) = run(b"<a k=\"v\" j='w'>t&amp;<!--c--></a>", &opts, usize::MAX);
    let r = RESET;
    assert_eq!(
        out,
        format!(
            "<T><a{r} <A>k{r}=<V>\"v\"{r} <A>j{r}=<V>'w'{r}<T>>{r}t<E>&amp;{r}<C><!--c-->{r}<T></a>{r}"
        )
    );
}

#[test]
fn too_deep_or_too_long_falls_back_with_the_bytes_as_received() {
    let deep = "<a>".repeat(MAX_DEPTH + 5);
    let (out, outcome) = run(deep.as_bytes(), &XmlOptions::default(), usize::MAX);
    assert!(outcome.fell_back);
    assert!(
        out.ends_with(&format!("{}\n", "<a>".repeat(5))),
        "the rest as received"
    );
    let long = format!("<a>{}</a>", "x".repeat(MAX_TOKEN));
    let (out, outcome) = run(long.as_bytes(), &XmlOptions::default(), usize::MAX);
    assert!(outcome.fell_back);
    assert_eq!(out, format!("{long}\n"));
}

#[test]
fn a_terminal_gets_control_characters_escaped() {
    let opts = XmlOptions {
        escape_controls: true,
        ..XmlOptions::default()
    };
    let (out, _) = run(b"<a t=\"\x1b[2J\">x\x1b]0;t\x07</a>", &opts, 2);
    assert_eq!(out, "<a t=\"\\x1b[2J\">x\\x1b]0;t\\x07</a>\n");
}

#[test]
fn a_read_error_is_returned_not_taken_for_bad_xml() {
    struct Broken;
    impl Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::new(io::ErrorKind::ConnectionReset, "reset"))
        }
    }
    let err = format(Broken, &mut Vec::new(), &XmlOptions::default()).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::ConnectionReset);
}

mod props {
    use super::*;
    use proptest::prelude::*;

    /// Bytes mostly from XML's own alphabet, so that tags, references and breakage all
    /// come up often.
    fn xmlish() -> impl Strategy<Value = Vec<u8>> {
        let pieces = prop_oneof![
            Just(b"<a>".to_vec()),
            Just(b"</a>".to_vec()),
            Just(b"<b x=\"1\" y='2'/>".to_vec()),
            Just(b"<!--c-->".to_vec()),
            Just(b"<![CDATA[ <z> ]]>".to_vec()),
            Just(b"&amp;".to_vec()),
            Just(b"<?p q?>".to_vec()),
            Just(b" \n\t".to_vec()),
            Just("caf\u{e9}".as_bytes().to_vec()),
            proptest::collection::vec(any::<u8>(), 0..4),
        ];
        proptest::collection::vec(pieces, 0..24).prop_map(|p| p.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn output_does_not_depend_on_how_the_body_arrives(
            input in xmlish(),
            step in 1usize..9,
            reindent in any::<bool>(),
            terminal in any::<bool>(),
        ) {
            let opts = XmlOptions {
                colors: terminal.then_some(XmlColors { tag: "<T>", attr: "<A>", value: "<V>", entity: "<E>", comment: "<C>" }),
                escape_controls: terminal,
                reindent,
                ..XmlOptions::default()
            };
            let mut whole = Vec::new();
            let a = format(&input[..], &mut whole, &opts).unwrap();
            let mut pieces = Vec::new();
            let b = format(Trickle { data: &input, step }, &mut pieces, &opts).unwrap();
            prop_assert_eq!(&whole, &pieces);
            prop_assert_eq!(a, b);
            if !reindent && !terminal {
                prop_assert_eq!(&whole, &input);
            }
            if is_xml(&input) {
                prop_assert!(!a.fell_back);
            }
        }
    }
}
