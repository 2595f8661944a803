//! Property tests of the JSON formatter: it never panics, whatever bytes arrive in whatever
//! chunks, and for generated documents its `--pretty=format` output (no colours) parses back
//! to the same value. Case counts are kept modest so the suite stays fast.

use proptest::prelude::*;
use serde_json::{Map, Number, Value};

use super::json::{is_json, JsonFormatter, JsonOptions};
use super::sort;

/// Format `input` split at `cuts` (positions, any order, any range).
fn format_in_chunks(input: &[u8], cuts: &[usize], opts: JsonOptions) -> Vec<u8> {
    let mut at: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    at.push(0);
    at.push(input.len());
    at.sort_unstable();
    let mut f = JsonFormatter::new(Vec::new(), opts);
    for w in at.windows(2) {
        f.write_chunk(&input[w[0]..w[1]]).unwrap();
    }
    f.finish().unwrap()
}

fn plain(indent: usize) -> JsonOptions {
    JsonOptions {
        indent,
        colors: None,
        escape_controls: false,
        reindent: true,
    }
}

/// `--pretty=colors` with a 256-colour theme.
fn colours_as_received() -> JsonOptions {
    JsonOptions {
        indent: 4,
        colors: Some(super::theme::Theme::of(super::theme::ThemeName::Monokai).json),
        escape_controls: false,
        reindent: false,
    }
}

/// `out` without its SGR colour sequences (`ESC [ … m`).
fn uncoloured(out: &[u8]) -> Vec<u8> {
    let mut plain = Vec::with_capacity(out.len());
    let mut i = 0;
    while i < out.len() {
        if out[i] == 0x1b && out.get(i + 1) == Some(&b'[') {
            let end = out[i..]
                .iter()
                .position(|&b| b == b'm')
                .expect("an SGR ends with m");
            i += end + 1;
        } else {
            plain.push(out[i]);
            i += 1;
        }
    }
    plain
}

/// Strings with the characters that matter: escapes, controls, quotes, non-BMP, bidi.
fn text() -> impl Strategy<Value = String> {
    let chars = prop_oneof![
        any::<char>(),
        prop::sample::select(vec![
            '"', '\\', '/', '\n', '\t', '\u{0}', '\u{1f}', '\u{7f}', '\u{85}', '\u{202e}', 'é',
            '😀', ' ', ',', ':', '{', ']',
        ]),
    ];
    prop::collection::vec(chars, 0..12).prop_map(|v| v.into_iter().collect())
}

/// Number text as a server might send it: big integers, fractions, exponents.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| format!("{n}{n}")),
        (any::<i32>(), 0u32..1_000_000).prop_map(|(a, b)| format!("{a}.{b}")),
        (any::<i16>(), 0u16..100, -300i32..300, any::<bool>())
            .prop_map(|(a, b, e, big)| format!("{a}.{b}{}{e:+}", if big { 'E' } else { 'e' })),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| f.to_string()),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number().prop_map(|n| Value::Number(n.parse::<Number>().expect("valid number"))),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((text(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Serialise with random insignificant whitespace, as servers do in many styles.
fn with_spacing(v: &Value, spaced: bool) -> String {
    if spaced {
        serde_json::to_string_pretty(v).unwrap()
    } else {
        serde_json::to_string(v).unwrap()
    }
}

fn parse(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or_else(|e| {
        panic!(
            "output does not parse ({e}): {}",
            String::from_utf8_lossy(bytes)
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_arbitrary_bytes(
        input in prop::collection::vec(any::<u8>(), 0..300),
        cuts in prop::collection::vec(any::<usize>(), 0..8),
        colored in any::<bool>(),
        escape in any::<bool>(),
    ) {
        let opts = JsonOptions {
            indent: 2,
            colors: colored.then(|| super::theme::Theme::of(super::theme::ThemeName::Monokai).json),
            escape_controls: escape,
            reindent: true,
        };
        let whole = format_in_chunks(&input, &[], opts.clone());
        prop_assert_eq!(format_in_chunks(&input, &cuts, opts), whole);
    }

    #[test]
    fn never_panics_on_mangled_json(
        v in json_value(),
        edits in prop::collection::vec((any::<usize>(), any::<u8>()), 1..4),
        cuts in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        // Nearly-JSON is where a tokenizer's edge cases are.
        let mut input = serde_json::to_vec(&v).unwrap();
        for (at, b) in edits {
            let at = at % (input.len() + 1);
            input.insert(at, b);
        }
        let whole = format_in_chunks(&input, &[], plain(4));
        prop_assert_eq!(format_in_chunks(&input, &cuts, plain(4)), whole);
        let _ = is_json(&input);
    }

    #[test]
    fn formatted_output_reparses_to_the_same_value(
        v in json_value(),
        spaced in any::<bool>(),
        indent in 0usize..5,
        cuts in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        let input = with_spacing(&v, spaced);
        prop_assert!(is_json(input.as_bytes()));
        let out = format_in_chunks(input.as_bytes(), &cuts, plain(indent));
        // Compared with the input's own parse: serde_json's float parsing is not exact, but
        // the same text must give the same value.
        prop_assert_eq!(parse(&out), parse(input.as_bytes()));
    }

    #[test]
    fn colours_alone_add_nothing_but_colour_codes(
        v in json_value(),
        spaced in any::<bool>(),
        junk in prop::collection::vec(any::<u8>().prop_filter("no ESC", |b| *b != 0x1b), 0..40),
        cuts in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        // Valid JSON in any layout, then possibly bytes that are not JSON at all.
        let mut input = with_spacing(&v, spaced).into_bytes();
        input.extend_from_slice(&junk);
        let out = format_in_chunks(&input, &cuts, colours_as_received());
        prop_assert_eq!(uncoloured(&out), input);
    }

    #[test]
    fn sorted_output_reparses_to_the_same_value_with_keys_in_order(v in json_value()) {
        let input = serde_json::to_vec(&v).unwrap();
        let mut sorted = Vec::new();
        sort::sorted(&input, &mut sorted);
        let out = format_in_chunks(&sorted, &[], plain(4));
        let back = parse(&out);
        prop_assert_eq!(&back, &parse(&input)); // object equality ignores order
        prop_assert!(keys_in_order(&back));
    }
}

fn keys_in_order(v: &Value) -> bool {
    match v {
        Value::Object(m) => {
            m.keys().zip(m.keys().skip(1)).all(|(a, b)| a <= b) && m.values().all(keys_in_order)
        }
        Value::Array(a) => a.iter().all(keys_in_order),
        _ => true,
    }
}
