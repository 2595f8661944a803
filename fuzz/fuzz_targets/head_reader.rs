//! The response-head reader on arbitrary bytes in arbitrary pieces: no panic; where the head
//! ends, and whether and how it parses, are the same whatever the pieces; memory stays
//! within the limits; a head that parses prints every field, with no control characters but
//! line ends and tabs on a terminal.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rq::head::{self, Limits, Parsed, Reader, Received};
use rq::print::{Output, Printer};

/// Push `data` in pieces of `step`: the end of the head (counted from the start) and the
/// parse, or the error.
fn pieces(
    data: &[u8],
    step: usize,
    limits: Limits,
) -> Result<Option<(Parsed, usize)>, head::Error> {
    let mut reader = Reader::new(limits);
    let mut taken = 0;
    for piece in data.chunks(step) {
        let ended = reader.push(piece)?;
        assert!(reader.len() <= limits.bytes, "the head outgrew its limit");
        if let Some(n) = ended {
            assert!(n <= piece.len());
            return Ok(Some((reader.finish()?, taken + n)));
        }
        taken += piece.len();
    }
    Ok(None)
}

fn printed(parsed: &Parsed, terminal: bool, sort: bool) -> Vec<u8> {
    let opts = Output {
        format: terminal,
        xml_format: terminal,
        headers_sort: sort,
        terminal,
        ..Output::default()
    };
    let mut printer = Printer::new(Vec::new(), opts);
    printer.response_head(&parsed.parts).unwrap();
    printer.finish().unwrap()
}

fuzz_target!(|input: &[u8]| {
    let Some((&first, data)) = input.split_first() else {
        return;
    };
    let step = usize::from(first & 0x1f) + 1;
    let (terminal, sort) = (first & 0x20 != 0, first & 0x40 != 0);
    let limits = match first & 0x80 {
        0 => Limits::default(),
        _ => Limits {
            lines: Some(16),
            bytes: 512,
        },
    };
    let whole = head::read(data, limits);
    let split = pieces(data, step, limits);
    match (&whole, &split) {
        (Ok(Some((a, n))), Ok(Some((b, m)))) => {
            assert_eq!(n, m, "the end of the head depends on the pieces");
            assert_eq!(a.framing, b.framing);
            assert_eq!(
                a.parts.extensions.get::<Received>(),
                b.parts.extensions.get::<Received>()
            );
        }
        (Ok(None), Ok(None)) => {}
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("the pieces changed the outcome: {whole:?} / {split:?}"),
    }
    let Ok(Some((parsed, _))) = whole else {
        return;
    };
    let received = parsed.parts.extensions.get::<Received>().unwrap();
    assert!(parsed.parts.headers.len() <= received.field_count());
    assert!(!(parsed.framing.chunked && parsed.framing.length.is_some()));
    let out = printed(&parsed, terminal, sort);
    let lines = out.split(|&b| b == b'\n').count();
    let eol_lines = received.field_count() + 3;
    if terminal {
        assert_eq!(lines, eol_lines, "a field was lost or split");
        // Tabs are kept, as the body's sanitiser keeps them.
        let bad = |b: &u8| b.is_ascii_control() && !matches!(b, b'\n' | b'\t');
        assert!(
            !out.iter().any(bad),
            "a control character reached the terminal"
        );
    }
});
