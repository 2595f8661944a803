//! Property tests for rq's parsers: no panic on any input, and round trips where they exist.
//! The fuzz targets in `fuzz/` run the same properties for much longer (`make fuzz`).

use proptest::prelude::*;
use rq::items::{self, Item, Source};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn item_parser_never_panics(text in "\\PC{0,40}") {
        if let Err(e) = items::parse_item(&text) {
            if let Some(col) = e.column {
                prop_assert!(col <= text.chars().count());
            }
        }
    }

    /// `--from-curl`: any command is a request or an error, never a panic.
    #[test]
    fn curl_command_parser_never_panics(text in "curl [-a-zA-Z0-9 '\"$\\\\@=;:/\n]{0,60}") {
        let _ = rq::fromcurl::parse(&text);
    }

    /// A header written with curl's quoting comes back as it was written.
    #[test]
    fn curl_headers_round_trip(name in "[A-Za-z][A-Za-z0-9-]{0,15}", value in "[ -~]{1,30}") {
        let value = value.trim().to_string();
        prop_assume!(!value.is_empty());
        let quoted = format!("{name}: {value}").replace('\'', "'\\''");
        let cmd = rq::fromcurl::parse(&format!("curl http://x -H '{quoted}'")).unwrap();
        prop_assert_eq!(cmd.headers, vec![(name, value)]);
    }

    #[test]
    fn item_parser_never_panics_on_separator_soup(text in "[a-z:=@;\\[\\]\\\\ ]{0,24}") {
        let _ = items::parse_item(&text);
        let _ = items::unescape(&text);
    }

    /// `key=value` with a plain key and any value: the value comes back unchanged.
    #[test]
    fn data_items_round_trip(key in "[a-zA-Z_][a-zA-Z0-9_]{0,10}", value in "([^\\\\=@][^\\\\]{0,29})?") {
        let item = items::parse_item(&format!("{key}={value}")).unwrap();
        prop_assert_eq!(item, Item::Data { key, value: Source::Literal(value) });
    }

    /// Headers: `Name:Value` with a token name and a value without line breaks or
    /// separators round-trips.
    #[test]
    fn header_items_round_trip(name in "[A-Za-z][A-Za-z0-9-]{0,15}", value in "[a-zA-Z0-9 ,./]{1,30}") {
        let item = items::parse_item(&format!("{name}:{value}")).unwrap();
        prop_assert_eq!(item, Item::Header { name, value: Source::Literal(value) });
    }

    #[test]
    fn nested_json_never_panics(keys in proptest::collection::vec("[a-z]{0,3}(\\[[a-z0-9]{0,3}\\]){0,3}", 0..8)) {
        let entries: Vec<(String, serde_json::Value, String)> = keys
            .iter()
            .map(|k| (k.clone(), serde_json::Value::from(1), format!("{k}:=1")))
            .collect();
        if let Err(e) = items::build_json(&entries) {
            prop_assert!(e.column <= e.item.chars().count());
        }
    }

    /// `a[i]=…` appended in index order builds the array of those values.
    #[test]
    fn nested_indexes_build_arrays(values in proptest::collection::vec(0i64..1000, 1..6)) {
        let entries: Vec<(String, serde_json::Value, String)> = values
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("a[{i}]"), serde_json::Value::from(*v), format!("a[{i}]:={v}")))
            .collect();
        let built = items::build_json(&entries).unwrap();
        prop_assert_eq!(built, serde_json::json!({ "a": values }));
    }

    #[test]
    fn download_names_are_always_bare(raw in proptest::collection::vec(any::<u8>(), 0..80)) {
        let url = url::Url::parse("https://example.test/d/f.bin").unwrap();
        let chosen = rq::download::filename::choose(&url, Some(&raw), None);
        prop_assert!(!chosen.is_empty() && !chosen.contains('/') && !chosen.starts_with('.'));
        let sanitized = rq::download::filename::from_disposition(&raw)
            .and_then(|n| rq::download::filename::sanitize(&n));
        if let Some(name) = sanitized {
            prop_assert!(!name.is_empty() && !name.contains('/') && !name.starts_with('.'));
        }
    }

    #[test]
    fn disposition_names_with_traversal_are_reduced(name in "(\\.\\./){0,3}[a-z]{1,8}\\.txt") {
        let header = format!("attachment; filename=\"{name}\"");
        let raw = rq::download::filename::from_disposition(header.as_bytes()).unwrap();
        let got = rq::download::filename::sanitize(&raw).unwrap();
        prop_assert!(!got.contains('/') && !got.starts_with('.'));
        prop_assert!(got.ends_with(".txt"), "{}", got);
    }

    #[test]
    fn netrc_never_panics(text in "\\PC{0,120}") {
        let netrc = rq::netrc::Netrc::parse("prop".into(), &text);
        let _ = netrc.lookup("example.test");
    }

    #[test]
    fn netrc_machine_entries_are_found(host in "[a-z]{1,8}\\.test", login in "[a-z]{1,8}", pass in "[a-z0-9]{1,8}") {
        let text = format!("machine {host} login {login} password {pass}\n");
        let netrc = rq::netrc::Netrc::parse("prop".into(), &text);
        let (found, _) = netrc.lookup(&host).unwrap();
        prop_assert_eq!(found, login.as_str());
    }

    #[test]
    fn session_loading_never_panics_and_round_trips(raw in proptest::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(session) = rq::session::parse(&raw) {
            let again = rq::session::parse(rq::session::render(&session).as_bytes()).unwrap();
            prop_assert!(again == session);
        }
    }

    #[test]
    fn session_headers_round_trip(name in "X-[A-Za-z]{1,8}", value in "[a-z0-9 ]{0,12}") {
        let text = format!(
            r#"{{"__meta__": {{"about": "x"}}, "headers": [{{"name": "{name}", "value": "{value}"}}], "cookies": [], "auth": {{}}}}"#
        );
        let session = rq::session::parse(text.as_bytes()).unwrap();
        let again = rq::session::parse(rq::session::render(&session).as_bytes()).unwrap();
        prop_assert!(again == session);
    }

    #[test]
    fn request_files_never_panic(text in "\\PC{0,200}") {
        let _ = rq::httpfile::parse(text.as_bytes());
    }

    #[test]
    fn link_headers_never_panic(value in "\\PC{0,80}") {
        let base = url::Url::parse("https://api.test/x").unwrap();
        let _ = rq::paginate::next_link([value.as_str()], &base);
    }
}
