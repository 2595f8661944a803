//! The streaming JSON formatter on arbitrary bytes in arbitrary chunks: no panic; output is
//! the same whatever the chunking; input `is_json` accepts never falls back to raw.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rq::print::json::{is_json, JsonColors, JsonFormatter, JsonOptions};

fn format(data: &[u8], chunk: usize, colors: bool, reindent: bool) -> (Vec<u8>, bool) {
    let opts = JsonOptions {
        indent: 2,
        colors: colors.then_some(JsonColors {
            key: "\x1b[1m",
            string: "\x1b[2m",
            number: "\x1b[3m",
            literal: "\x1b[4m",
            punct: "\x1b[5m",
        }),
        escape_controls: colors,
        reindent,
    };
    let mut f = JsonFormatter::new(Vec::new(), opts);
    for piece in data.chunks(chunk.max(1)) {
        f.write_chunk(piece).unwrap();
    }
    let fell_back = f.fell_back();
    (f.finish().unwrap(), fell_back)
}

fuzz_target!(|input: &[u8]| {
    let Some((&first, data)) = input.split_first() else {
        return;
    };
    let chunk = usize::from(first & 0x3f) % 17 + 1;
    let (colors, reindent) = (first & 0x80 != 0, first & 0x40 == 0);
    let (whole, whole_fell) = format(data, data.len().max(1), colors, reindent);
    let (pieces, pieces_fell) = format(data, chunk, colors, reindent);
    assert_eq!(whole, pieces, "output depends on chunking");
    assert_eq!(whole_fell, pieces_fell);
    if is_json(data) {
        assert!(!whole_fell, "valid JSON fell back to raw");
    }
});
