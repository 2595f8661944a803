//! `--from-curl` parsing: any text is a command or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(cmd) = rq::fromcurl::parse(&text) {
        let _ = format!("{cmd:?}");
    }
    let _ = rq::fromcurl::parse(&format!("curl {text}"));
});
