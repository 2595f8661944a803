//! Byte-level parts of the JSON formatter: the output buffer, pre-rendered
//! token pieces, and the scanners for numbers, escapes and string content.
//! Kept apart from the state machine in `json.rs`, which only decides what
//! comes next; everything here is about moving bytes quickly.

use super::{JsonColors, RESET};

pub(super) const LO: u64 = 0x0101_0101_0101_0101;
pub(super) const HI: u64 = 0x8080_8080_8080_8080;
pub(super) const L7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// Short output is copied in blocks of this many bytes (see [`Out`]).
pub(super) const BLOCK: usize = 32;

/// A pre-rendered output fragment (colour prefix, token, reset), kept in a
/// zero-padded block so that it can be copied as one fixed-size block.
pub(super) struct Piece {
    pub(super) block: [u8; BLOCK],
    pub(super) len: usize,
    /// The fragment, when it is too long for `block` (very long colour codes).
    pub(super) long: Vec<u8>,
}

impl Piece {
    pub(super) fn new(parts: &[&[u8]]) -> Self {
        let long = parts.concat();
        let mut block = [0; BLOCK];
        if let Some(dst) = block.get_mut(..long.len()) {
            dst.copy_from_slice(&long);
            return Self {
                block,
                len: long.len(),
                long: Vec::new(),
            };
        }
        Self {
            block,
            len: long.len(),
            long,
        }
    }
}

/// Everything the printer writes apart from copied input and indentation.
pub(super) struct Pieces {
    pub(super) key_open: Piece,
    pub(super) key_close: Piece,
    pub(super) key_close_colon: Piece,
    pub(super) str_open: Piece,
    pub(super) str_close: Piece,
    pub(super) num_open: Piece,
    pub(super) num_close: Piece,
    pub(super) colon: Piece,
    /// `{`, `[`, `}`, `]`.
    pub(super) brackets: [Piece; 4],
    /// `true`, `false`, `null`.
    pub(super) literals: [Piece; 3],
}

impl Pieces {
    /// `spaced`: a space after each `:` (when re-indenting; as received, none is added).
    pub(super) fn new(c: JsonColors, spaced: bool) -> Self {
        let reset = |pre: &str| {
            if pre.is_empty() {
                &b""[..]
            } else {
                RESET.as_bytes()
            }
        };
        let paint = |pre: &str, tok: &[u8]| Piece::new(&[pre.as_bytes(), tok, reset(pre)]);
        let space: &[u8] = if spaced { b" " } else { b"" };
        let colon = [c.punct.as_bytes(), b":", reset(c.punct), space].concat();
        Self {
            key_open: Piece::new(&[c.key.as_bytes(), b"\""]),
            key_close: Piece::new(&[b"\"", reset(c.key)]),
            key_close_colon: Piece::new(&[b"\"", reset(c.key), &colon]),
            str_open: Piece::new(&[c.string.as_bytes(), b"\""]),
            str_close: Piece::new(&[b"\"", reset(c.string)]),
            num_open: Piece::new(&[c.number.as_bytes()]),
            num_close: Piece::new(&[reset(c.number)]),
            colon: Piece::new(&[&colon]),
            brackets: [b"{", b"[", b"}", b"]"].map(|b| paint(c.punct, b)),
            literals: [&b"true"[..], b"false", b"null"].map(|l| paint(c.literal, l)),
        }
    }
}

/// Output buffer. Tokens are mostly tiny, and a `memcpy` call plus a capacity
/// check per piece dominated the profile, so `buf` is kept longer than the
/// output (`len`): a short piece is written as one [`BLOCK`]-sized copy (a few
/// vector moves) whose tail the next piece overwrites.
pub(super) struct Out {
    pub(super) buf: Vec<u8>,
    pub(super) len: usize,
}

impl Out {
    pub(super) fn new(size: usize) -> Self {
        Self {
            buf: vec![0; size + BLOCK],
            len: 0,
        }
    }

    /// Append the first `n` bytes of `block`.
    #[inline(always)]
    pub(super) fn put_block(&mut self, block: &[u8; BLOCK], n: usize) {
        match self.buf[self.len..].first_chunk_mut::<BLOCK>() {
            Some(dst) => {
                *dst = *block;
                self.len += n;
            }
            None => self.put(&block[..n]),
        }
    }

    /// Append `src[start..start + n]`.
    #[inline(always)]
    pub(super) fn put_at(&mut self, src: &[u8], start: usize, n: usize) {
        if n <= BLOCK {
            let dst = self.buf[self.len..].first_chunk_mut::<BLOCK>();
            if let (Some(dst), Some(block)) = (dst, src[start..].first_chunk::<BLOCK>()) {
                *dst = *block;
                self.len += n;
                return;
            }
        }
        self.put(&src[start..start + n]);
    }

    #[inline(never)]
    pub(super) fn put(&mut self, s: &[u8]) {
        let end = self.len + s.len();
        if end + BLOCK > self.buf.len() {
            self.buf.resize(end + BLOCK, 0);
        }
        self.buf[self.len..end].copy_from_slice(s);
        self.len = end;
    }

    /// Let `f` append to a plain `Vec` (for the sanitiser).
    pub(super) fn with_vec(&mut self, f: impl FnOnce(&mut Vec<u8>)) {
        self.buf.truncate(self.len);
        f(&mut self.buf);
        self.len = self.buf.len();
        self.buf.resize(self.len + BLOCK, 0);
    }

    pub(super) fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// The JSON escape `\uXXXX` (lowercase hex) for a BMP code point.
pub(super) fn u_escape(cp: u32) -> [u8; 6] {
    let hex = |shift: u32| b"0123456789abcdef"[((cp >> shift) & 0xf) as usize];
    [b'\\', b'u', hex(12), hex(8), hex(4), hex(0)]
}

/// JSON number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
pub(super) fn valid_number(s: &[u8]) -> bool {
    let digits = |mut i: usize| {
        while s.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let mut i = usize::from(s.first() == Some(&b'-'));
    match s.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = digits(i + 1),
        _ => return false,
    }
    if s.get(i) == Some(&b'.') {
        let d = digits(i + 1);
        if d == i + 1 {
            return false;
        }
        i = d;
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        i += 1 + usize::from(matches!(s.get(i + 1), Some(b'+' | b'-')));
        let d = digits(i);
        if d == i {
            return false;
        }
        i = d;
    }
    i == s.len()
}

/// The end of an integer of one to seven digits at `s[i]` (after an optional `-`) that is
/// complete within `s`, found in one 8-byte word: ids and counts, the most common numbers.
/// `None` sends anything else (longer, fractions, exponents, invalid, cut off by the
/// chunk's end) through the general scan.
#[inline(always)]
pub(super) fn short_integer(s: &[u8], i: usize) -> Option<usize> {
    let start = i + usize::from(s.get(i) == Some(&b'-'));
    let word: &[u8; 8] = s.get(start..)?.first_chunk()?;
    // `b ^ '0'` is below 10 only for a digit; adding 0x76 to the low seven bits carries
    // into the top bit for anything else.
    let x = u64::from_le_bytes(*word) ^ (LO * u64::from(b'0'));
    let other = (((x & L7) + LO * 0x76) | x) & HI;
    let k = (other.trailing_zeros() / 8) as usize;
    let ok = (1..8).contains(&k) && (k == 1 || word[0] != b'0');
    (ok && !matches!(word[k], b'.' | b'e' | b'E' | b'+' | b'-')).then_some(start + k)
}

/// The end of the whitespace run from `s[i]`, looking no further than `limit`.
#[inline(always)]
pub(super) fn space_end(s: &[u8], mut i: usize, limit: usize) -> usize {
    let limit = limit.min(s.len());
    // Indentation: eight spaces at a time.
    while i + 8 <= limit && s[i..i + 8] == [b' '; 8] {
        i += 8;
    }
    while i < limit && matches!(s[i], b' ' | b'\n' | b'\r' | b'\t') {
        i += 1;
    }
    i
}

/// End of the run of bytes that can belong to a number.
pub(super) fn scan_number(s: &[u8], mut i: usize) -> usize {
    while s
        .get(i)
        .is_some_and(|b| matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
    {
        i += 1;
    }
    i
}

/// Length of the escape at the start of `s` (which begins with `\`):
/// `None` if `s` ends before the escape does, `Some(Err)` if it is invalid.
#[inline]
pub(super) fn escape_len(s: &[u8]) -> Option<Result<usize, ()>> {
    match s.get(1)? {
        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Some(Ok(2)),
        b'u' => {
            for k in 2..6 {
                if !s.get(k)?.is_ascii_hexdigit() {
                    return Some(Err(()));
                }
            }
            Some(Ok(6))
        }
        _ => Some(Err(())),
    }
}

/// Find the next `"`, `\` or control byte in string content from `i`,
/// eight bytes at a time. Also reports whether any byte >= 0x80 may have been
/// passed over (those runs need a UTF-8 check).
#[inline(always)]
pub(super) fn scan_string(s: &[u8], mut i: usize) -> (usize, bool) {
    let mut high = 0;
    while let Some(w) = s.get(i..i + 8) {
        let w = u64::from_le_bytes(w.try_into().unwrap_or([0; 8]));
        high |= w;
        // Per-byte tests whose additions cannot carry into the next byte.
        let zero = |x: u64| !(((x & L7) + L7) | x | L7);
        let ctrl = !(((w & L7) + LO * 0x60) | w) & HI;
        let hit = zero(w ^ (LO * u64::from(b'"'))) | zero(w ^ (LO * u64::from(b'\\'))) | ctrl;
        if hit != 0 {
            return (i + (hit.trailing_zeros() / 8) as usize, high & HI != 0);
        }
        i += 8;
    }
    let mut high = high & HI != 0;
    while let Some(&b) = s.get(i) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            break;
        }
        high |= b >= 0x80;
        i += 1;
    }
    (i, high)
}
