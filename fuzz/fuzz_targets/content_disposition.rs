//! Content-Disposition and download names: whatever the server sends, the chosen name is
//! a bare file name: no separators, no leading dot, not empty.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rq::download::filename;

fuzz_target!(|data: &[u8]| {
    let url = url::Url::parse("https://example.test/dir/file.bin").unwrap();
    for name in [
        filename::from_disposition(data).and_then(|n| filename::sanitize(&n)),
        Some(filename::choose(&url, Some(data), Some("text/plain"))),
    ]
    .into_iter()
    .flatten()
    {
        assert!(!name.is_empty(), "empty name");
        assert!(
            !name.contains('/') && !name.contains('\\'),
            "separator in {name:?}"
        );
        assert!(!name.starts_with('.'), "leading dot in {name:?}");
        assert!(!name.contains('\0'), "NUL in {name:?}");
    }
});
