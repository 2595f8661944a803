//! Terminal safety for text the server controls.
//!
//! Header values, reason phrases and bodies shown on a terminal must never
//! reach it as control sequences: an `ESC [ 2 J` in a response would clear the
//! user's screen, an OSC sequence could retitle the window or plant a
//! clipboard payload, and bidi overrides can make text read differently than
//! it is. The [`Sanitizer`] rewrites every such byte into a visible escape
//! (`\x1b`, `\u{85}`, `\u{202e}`) while copying ordinary text unchanged.

/// Bytes of safe printable ASCII are copied in whole words; these masks are
/// the usual "SIMD within a register" constants.
const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;
const L7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// Streaming sanitiser: writes bytes so that nothing reaching the terminal is a control sequence.
///
/// Chunks may split a UTF-8 sequence or a CRLF pair anywhere; the few bytes
/// that cannot be judged yet are held until the next [`Sanitizer::push`] or
/// [`Sanitizer::finish`].
#[derive(Debug, Clone, Default)]
pub struct Sanitizer {
    /// An incomplete UTF-8 sequence, or a lone `\r` waiting to see if `\n` follows.
    pend: [u8; 4],
    len: usize,
}

impl Sanitizer {
    /// A sanitiser with no pending bytes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Append the visible form of `input` to `out`.
    ///
    /// Keeps `\n`, `\t` and CRLF; any other C0 control, DEL, lone `\r` and
    /// invalid UTF-8 byte becomes `\xNN`; C1 and bidi controls become `\u{..}`.
    pub fn push(&mut self, input: &[u8], out: &mut Vec<u8>) {
        let start = self.resume(input, out);
        self.run(&input[start..], out);
    }

    /// Flush any incomplete UTF-8 sequence (or lone `\r`) left at the end, as `\xNN`.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        for &b in &self.pend[..self.len] {
            push_byte_escape(out, b);
        }
        self.len = 0;
    }

    /// Settle the bytes held from the previous chunk; returns how many bytes of
    /// `input` that consumed.
    fn resume(&mut self, input: &[u8], out: &mut Vec<u8>) -> usize {
        if self.len == 0 || input.is_empty() {
            return 0;
        }
        if self.pend[0] == b'\r' {
            self.len = 0;
            if input[0] == b'\n' {
                out.push(b'\r');
            } else {
                push_byte_escape(out, b'\r');
            }
            return 0; // the byte after `\r` is processed normally
        }
        // Feed one byte at a time: a sequence needs at most three more.
        for (t, &b) in input.iter().enumerate() {
            self.pend[self.len] = b;
            self.len += 1;
            match std::str::from_utf8(&self.pend[..self.len]) {
                Ok(_) => {
                    let seq = self.pend;
                    let n = self.len;
                    self.len = 0;
                    push_char(out, &seq[..n]);
                    return t + 1;
                }
                Err(e) if e.error_len().is_none() => {}
                Err(_) => {
                    // The held bytes are a broken sequence; the new byte
                    // starts afresh, so give it back to the normal path.
                    for &p in &self.pend[..self.len - 1] {
                        push_byte_escape(out, p);
                    }
                    self.len = 0;
                    return t;
                }
            }
        }
        input.len()
    }

    /// Sanitise `s`, holding a trailing `\r` or incomplete sequence.
    fn run(&mut self, s: &[u8], out: &mut Vec<u8>) {
        let mut i = 0;
        while i < s.len() {
            let start = i;
            i = safe_ascii_run(s, i);
            out.extend_from_slice(&s[start..i]);
            let Some(&b) = s.get(i) else { break };
            match b {
                b'\n' | b'\t' => {
                    out.push(b);
                    i += 1;
                }
                b'\r' if i + 1 == s.len() => {
                    self.hold(&s[i..]);
                    i += 1;
                }
                b'\r' if s[i + 1] == b'\n' => {
                    out.extend_from_slice(b"\r\n");
                    i += 2;
                }
                0..=0x7f => {
                    push_byte_escape(out, b);
                    i += 1;
                }
                _ => i += self.non_ascii(&s[i..], out),
            }
        }
    }

    /// Handle the sequence starting at a byte >= 0x80; returns bytes consumed.
    fn non_ascii(&mut self, s: &[u8], out: &mut Vec<u8>) -> usize {
        let width = match s[0] {
            0xc2..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf4 => 4,
            _ => 1, // continuation byte or impossible lead: invalid on its own
        };
        let avail = &s[..width.min(s.len())];
        match std::str::from_utf8(avail) {
            // A lone byte >= 0x80 is never valid, so this is a whole character.
            Ok(_) => {
                push_char(out, avail);
                width
            }
            Err(e) => match e.error_len() {
                None => {
                    self.hold(avail); // only reachable at the end of the chunk
                    avail.len()
                }
                Some(n) => {
                    for &b in &avail[..n] {
                        push_byte_escape(out, b);
                    }
                    n
                }
            },
        }
    }

    fn hold(&mut self, bytes: &[u8]) {
        self.pend[..bytes.len()].copy_from_slice(bytes);
        self.len = bytes.len();
    }
}

/// One-shot convenience for short strings (header values, reason phrases).
pub fn sanitize_str(s: &[u8]) -> String {
    let mut out = Vec::with_capacity(s.len());
    let mut san = Sanitizer::new();
    san.push(s, &mut out);
    san.finish(&mut out);
    // Every invalid byte was escaped above, so this is always valid UTF-8.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// If `s` (valid UTF-8) starts with a C1 control (U+0080–U+009F) or a bidi
/// control (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), return its
/// code point and encoded length. Shared with the JSON printer, which writes
/// these as `\uXXXX` escapes instead.
pub fn invisible_control(s: &[u8]) -> Option<(u32, usize)> {
    match *s {
        [0xc2, b @ 0x80..=0x9f, ..] => Some((u32::from(b), 2)),
        [0xd8, 0x9c, ..] => Some((0x061c, 2)),
        [0xe2, 0x80, b @ (0x8e | 0x8f | 0xaa..=0xae), ..] => {
            Some((0x2000 + u32::from(b - 0x80), 3))
        }
        [0xe2, 0x81, b @ 0xa6..=0xa9, ..] => Some((0x2040 + u32::from(b - 0x80), 3)),
        _ => None,
    }
}

/// Copy one valid UTF-8 character, escaping it if it is an invisible control.
fn push_char(out: &mut Vec<u8>, c: &[u8]) {
    match invisible_control(c) {
        Some((cp, _)) => {
            out.extend_from_slice(b"\\u{");
            push_hex(out, cp, 1);
            out.push(b'}');
        }
        None => out.extend_from_slice(c),
    }
}

/// `\xNN` with lowercase hex, e.g. ESC → `\x1b`.
fn push_byte_escape(out: &mut Vec<u8>, b: u8) {
    out.extend_from_slice(b"\\x");
    push_hex(out, u32::from(b), 2);
}

/// Lowercase hex of `v`, zero-padded to at least `min_digits`.
fn push_hex(out: &mut Vec<u8>, v: u32, min_digits: u32) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let digits = (8 - v.leading_zeros() / 4).max(min_digits);
    for k in (0..digits).rev() {
        out.push(DIGITS[((v >> (4 * k)) & 0xf) as usize]);
    }
}

/// End of the run of printable ASCII (0x20..=0x7e) starting at `i`.
fn safe_ascii_run(s: &[u8], mut i: usize) -> usize {
    while let Some(w) = s.get(i..i + 8) {
        let w = u64::from_le_bytes(w.try_into().unwrap_or([0; 8]));
        // High bit of each byte set when the byte is < 0x20 or >= 0x7f; the
        // additions cannot carry between bytes because the top bits are masked.
        let low = !(((w & L7) + LO * 0x60) | w) & HI;
        let high = (((w & L7) + LO) | w) & HI;
        let bad = low | high;
        if bad != 0 {
            return i + (bad.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < s.len() && (0x20..0x7f).contains(&s[i]) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunked(input: &[u8], size: usize) -> String {
        let mut out = Vec::new();
        let mut san = Sanitizer::new();
        for c in input.chunks(size.max(1)) {
            san.push(c, &mut out);
        }
        san.finish(&mut out);
        String::from_utf8(out).expect("sanitiser output is UTF-8")
    }

    #[test]
    fn table_in_every_chunking() {
        let cases: &[(&[u8], &str)] = &[
            (b"plain text, 123 ~!", "plain text, 123 ~!"),
            (b"a\nb\tc", "a\nb\tc"),
            (b"line\r\nnext\r\n", "line\r\nnext\r\n"),
            (b"a\rb", "a\\x0db"),
            (b"end\r", "end\\x0d"),
            (b"\r\r\n", "\\x0d\r\n"),
            (b"\x1b[2J\x1b[31mred", "\\x1b[2J\\x1b[31mred"),
            (b"\x1b]0;title\x07", "\\x1b]0;title\\x07"),
            (b"\x1b]52;c;Zm9v\x1b\\", "\\x1b]52;c;Zm9v\\x1b\\"),
            (b"nul\0del\x7f", "nul\\x00del\\x7f"),
            (
                "caf\u{e9} \u{1f600} \u{4e2d}".as_bytes(),
                "caf\u{e9} \u{1f600} \u{4e2d}",
            ),
            ("c1:\u{85}\u{9b}".as_bytes(), "c1:\\u{85}\\u{9b}"),
            (
                "\u{202e}evil\u{2066}\u{200f}\u{61c}".as_bytes(),
                "\\u{202e}evil\\u{2066}\\u{200f}\\u{61c}",
            ),
            (
                "\u{a0}\u{2010}\u{2070}".as_bytes(),
                "\u{a0}\u{2010}\u{2070}",
            ),
            (b"bad\xff\xfe", "bad\\xff\\xfe"),
            (b"\x9b31m", "\\x9b31m"),
            (b"trunc\xe2\x82", "trunc\\xe2\\x82"),
            (b"\xe2\x82x", "\\xe2\\x82x"),
            (b"\xed\xa0\x80", "\\xed\\xa0\\x80"),
            (b"\xc0\xaf", "\\xc0\\xaf"),
            (b"\xf0\x9f\x98", "\\xf0\\x9f\\x98"),
            (b"\xf0\x9f\x98\x80\xe2\x80\xae", "\u{1f600}\\u{202e}"),
            (b"0123456789abcdef\x1bghij", "0123456789abcdef\\x1bghij"),
        ];
        for (input, want) in cases {
            for size in 1..=9 {
                assert_eq!(chunked(input, size), *want, "{input:?} in chunks of {size}");
            }
            assert_eq!(chunked(input, input.len()), *want, "{input:?} whole");
            assert_eq!(sanitize_str(input), *want);
        }
    }

    #[test]
    fn split_sequences_across_pushes() {
        let mut out = Vec::new();
        let mut san = Sanitizer::new();
        for part in [
            &b"x\xe2"[..],
            b"\x80",
            b"\xae",
            b"y\r",
            b"\n",
            b"\r",
            b"z",
            b"\xc2",
        ] {
            san.push(part, &mut out);
        }
        san.push(b"", &mut out);
        san.finish(&mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "x\\u{202e}y\r\n\\x0dz\\xc2"
        );
    }

    #[test]
    fn hex_and_controls() {
        let mut v = Vec::new();
        push_hex(&mut v, 0x85, 4);
        push_hex(&mut v, 0x61c, 1);
        assert_eq!(v, b"008561c");
        assert_eq!(invisible_control("\u{2069}".as_bytes()), Some((0x2069, 3)));
        assert_eq!(invisible_control("\u{200d}".as_bytes()), None);
    }
}
