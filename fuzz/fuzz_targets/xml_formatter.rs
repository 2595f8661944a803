//! The streaming XML formatter on arbitrary bytes read in arbitrary pieces: no panic; the
//! output is the same whatever the pieces; without colours or a new layout it is the input
//! byte for byte; a body `is_xml` accepts never falls back to raw.
#![no_main]

use std::io::{self, Read};

use libfuzzer_sys::fuzz_target;
use rq::print::xml::{format, is_xml, XmlColors, XmlOptions};

/// Hands out at most `step` bytes per read.
struct Pieces<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Pieces<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.data.len().min(self.step).min(buf.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn run(data: &[u8], step: usize, colors: bool, reindent: bool) -> (Vec<u8>, bool) {
    let opts = XmlOptions {
        indent: 2,
        colors: colors.then_some(XmlColors {
            tag: "\x1b[1m",
            attr: "\x1b[2m",
            value: "\x1b[3m",
            entity: "\x1b[4m",
            comment: "\x1b[5m",
        }),
        escape_controls: colors,
        reindent,
        flush_each: false,
    };
    let mut out = Vec::new();
    let outcome = format(Pieces { data, step }, &mut out, &opts).unwrap();
    (out, outcome.fell_back)
}

fuzz_target!(|input: &[u8]| {
    let Some((&first, data)) = input.split_first() else {
        return;
    };
    let step = usize::from(first & 0x3f) % 17 + 1;
    let (colors, reindent) = (first & 0x80 != 0, first & 0x40 == 0);
    let (whole, whole_fell) = run(data, data.len().max(1), colors, reindent);
    let (pieces, pieces_fell) = run(data, step, colors, reindent);
    assert_eq!(whole, pieces, "output depends on how the body was read");
    assert_eq!(whole_fell, pieces_fell);
    if !colors && !reindent {
        assert_eq!(whole, data, "as received must be the input");
    }
    if is_xml(data) {
        assert!(!whole_fell, "well-formed XML fell back to raw");
    }
});
