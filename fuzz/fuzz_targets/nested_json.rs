//! Nested JSON paths: each input line is a data or raw-JSON item; building the body never
//! panics, and errors point inside the offending item.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rq::items::{self, Item, Source};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut entries = Vec::new();
    for line in text.lines().take(64) {
        match items::parse_item(line) {
            Ok(Item::Data {
                key,
                value: Source::Literal(v),
            }) => entries.push((key, Value::String(v), line.to_string())),
            Ok(Item::Json {
                key,
                value: Source::Literal(v),
            }) => {
                if let Ok(json) = serde_json::from_str(&v) {
                    entries.push((key, json, line.to_string()));
                }
            }
            _ => {}
        }
    }
    if let Err(e) = items::build_json(&entries) {
        assert!(e.column + e.width <= e.item.chars().count() + 1, "{e:?}");
    }
});
