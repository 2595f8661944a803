//! The request-item grammar: any text parses to an item or a clean error, never a panic;
//! an error's caret column lies inside the item.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = rq::items::parse_item(text) {
        if let Some(col) = e.column {
            assert!(col <= text.chars().count(), "caret past the end: {e:?}");
        }
    }
    let _ = rq::items::unescape(text);
});
