//! Streaming JSON pretty-printer and colouriser.
//!
//! A byte-level state machine formats JSON as it arrives, in chunks of any
//! size, without ever holding the whole body: memory is the output buffer,
//! the nesting stack and at most one partial number. Key order, number text
//! and string escapes are copied exactly as received, so the output is the
//! same JSON value, only re-indented. At the first byte that is not valid JSON
//! the printer gives up formatting and passes the rest through unchanged.

use std::io::{self, Write};

use super::sanitize::{invisible_control, Sanitizer};

/// SGR sequence written after every coloured token.
pub const RESET: &str = "\x1b[0m";
/// Deeper nesting is treated as invalid, which bounds the stack's memory.
pub const MAX_DEPTH: usize = 10_000;
/// Output is handed to the writer in pieces of about this size.
const FLUSH_AT: usize = 64 * 1024;
/// A longer number is treated as invalid, so a partial number held between
/// chunks cannot grow without limit.
const MAX_NUMBER: usize = 64 * 1024;

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;
const L7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// ANSI SGR prefix per token kind; an empty string means "no colour" for that kind.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct JsonColors {
    /// Object keys, quotes included.
    pub key: &'static str,
    /// String values, quotes included.
    pub string: &'static str,
    /// Numbers.
    pub number: &'static str,
    /// `true`, `false` and `null`.
    pub literal: &'static str,
    /// `{ } [ ] : ,`.
    pub punct: &'static str,
}

/// How [`JsonFormatter`] lays out its output.
#[derive(Debug, Clone)]
pub struct JsonOptions {
    /// Spaces per nesting level.
    pub indent: usize,
    /// Token colours; `None` writes no escape codes at all.
    pub colors: Option<JsonColors>,
    /// For a terminal: write C1 and bidi controls inside strings as `\uXXXX`
    /// escapes, and sanitise the raw fallback output.
    pub escape_controls: bool,
}

impl Default for JsonOptions {
    fn default() -> Self {
        Self {
            indent: 4,
            colors: None,
            escape_controls: false,
        }
    }
}

/// What the grammar allows at the next token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// A value (top level, after `:`, after `,` in an array).
    Value,
    /// A value or `]` right after `[`.
    FirstValue,
    /// A key or `}` right after `{`.
    FirstKey,
    /// A key after `,` in an object.
    Key,
    Colon,
    CommaOrClose,
}

/// Where the tokenizer stands when a chunk ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lex {
    Between,
    /// Inside a string whose opening quote has been written.
    Str,
    /// Inside a string, `pend` holds an incomplete backslash escape.
    StrEsc,
    /// Inside a string, `pend` holds an incomplete UTF-8 sequence.
    StrUtf8,
    /// `pend` holds the number so far.
    Num,
    /// `pend` holds a prefix of this literal.
    Lit(&'static [u8]),
    /// Invalid input seen: everything else passes through unchanged.
    Raw,
}

/// Short output is copied in blocks of this many bytes (see [`Out`]).
const BLOCK: usize = 32;

/// A pre-rendered output fragment (colour prefix, token, reset), kept in a
/// zero-padded block so that it can be copied as one fixed-size block.
struct Piece {
    block: [u8; BLOCK],
    len: usize,
    /// The fragment, when it is too long for `block` (very long colour codes).
    long: Vec<u8>,
}

impl Piece {
    fn new(parts: &[&[u8]]) -> Self {
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
struct Pieces {
    key_open: Piece,
    key_close: Piece,
    key_close_colon: Piece,
    str_open: Piece,
    str_close: Piece,
    num_open: Piece,
    num_close: Piece,
    colon: Piece,
    /// `{`, `[`, `}`, `]`.
    brackets: [Piece; 4],
    /// `true`, `false`, `null`.
    literals: [Piece; 3],
}

impl Pieces {
    fn new(c: JsonColors) -> Self {
        let reset = |pre: &str| {
            if pre.is_empty() {
                &b""[..]
            } else {
                RESET.as_bytes()
            }
        };
        let paint = |pre: &str, tok: &[u8]| Piece::new(&[pre.as_bytes(), tok, reset(pre)]);
        let colon = [c.punct.as_bytes(), b":", reset(c.punct), b" "].concat();
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
struct Out {
    buf: Vec<u8>,
    len: usize,
}

impl Out {
    fn new(size: usize) -> Self {
        Self {
            buf: vec![0; size + BLOCK],
            len: 0,
        }
    }

    /// Append the first `n` bytes of `block`.
    #[inline(always)]
    fn put_block(&mut self, block: &[u8; BLOCK], n: usize) {
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
    fn put_at(&mut self, src: &[u8], start: usize, n: usize) {
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
    fn put(&mut self, s: &[u8]) {
        let end = self.len + s.len();
        if end + BLOCK > self.buf.len() {
            self.buf.resize(end + BLOCK, 0);
        }
        self.buf[self.len..end].copy_from_slice(s);
        self.len = end;
    }

    /// Let `f` append to a plain `Vec` (for the sanitiser).
    fn with_vec(&mut self, f: impl FnOnce(&mut Vec<u8>)) {
        self.buf.truncate(self.len);
        f(&mut self.buf);
        self.len = self.buf.len();
        self.buf.resize(self.len + BLOCK, 0);
    }

    fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// The tokenizer and layout engine. With `EMIT = false` every write compiles
/// away, which turns it into the validator behind [`is_json`].
struct Machine<const EMIT: bool> {
    out: Out,
    /// Bytes of the current token not yet written (see [`Lex`]).
    pend: Vec<u8>,
    /// Open containers, `{` or `[`.
    stack: Vec<u8>,
    expect: Expect,
    lex: Lex,
    /// The current string is an object key.
    key: bool,
    /// A top-level number or literal just ended, so another one may not
    /// follow without whitespace (`1true` is not two values).
    top_scalar: bool,
    /// At least one complete top-level value was seen.
    seen_value: bool,
    indent: usize,
    /// A (painted) comma, `\n`, then spaces, grown on demand: sliced to give
    /// the line break and indentation, with or without the comma before it.
    nl: Vec<u8>,
    /// Where the `\n` is in `nl`.
    comma_len: usize,
    pieces: Pieces,
    /// Whether keys / string values are coloured (a cut-off one needs a reset).
    key_colored: bool,
    str_colored: bool,
    escape_controls: bool,
    sanitizer: Sanitizer,
}

impl<const EMIT: bool> Machine<EMIT> {
    fn new(opts: &JsonOptions) -> Self {
        let c = opts.colors.unwrap_or_default();
        let reset = if c.punct.is_empty() { "" } else { RESET };
        Self {
            out: Out::new(if EMIT { FLUSH_AT + FLUSH_AT / 2 } else { 0 }),
            pend: Vec::new(),
            stack: Vec::new(),
            expect: Expect::Value,
            lex: Lex::Between,
            key: false,
            top_scalar: false,
            seen_value: false,
            indent: opts.indent,
            nl: [c.punct, ",", reset, "\n"].concat().into_bytes(),
            comma_len: c.punct.len() + 1 + reset.len(),
            pieces: Pieces::new(c),
            key_colored: !c.key.is_empty(),
            str_colored: !c.string.is_empty(),
            escape_controls: opts.escape_controls,
            sanitizer: Sanitizer::new(),
        }
    }

    /// Process a prefix of `input`; returns how much was consumed. Stops early
    /// (between tokens) when the output buffer is due to be flushed.
    fn feed(&mut self, input: &[u8]) -> usize {
        if self.lex == Lex::Raw {
            self.raw(input);
            return input.len();
        }
        match self.run(input) {
            Ok(n) => n,
            Err(at) => {
                self.fail(input, at);
                input.len()
            }
        }
    }

    /// The token loop. `Err(at)` means the input is invalid and raw
    /// passthrough starts with `pend` followed by `input[at..]`.
    fn run(&mut self, input: &[u8]) -> Result<usize, usize> {
        let mut i = if self.lex == Lex::Between {
            0
        } else {
            self.resume(input)?
        };
        while i < input.len() {
            if EMIT && self.out.len >= FLUSH_AT {
                return Ok(i);
            }
            let b = input[i];
            if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                self.top_scalar = false;
                i += 1;
            } else {
                if self.top_scalar {
                    // Like serde_json's stream reader: `1"a"` is two values,
                    // but `1true` is not.
                    if !matches!(b, b'"' | b'[' | b'{') {
                        return Err(i);
                    }
                    self.top_scalar = false;
                }
                i = self.token(input, i, b)?;
            }
        }
        Ok(i)
    }

    /// Handle the token starting at `input[i] == b`; returns the index after
    /// it, or the end of input if it continues in the next chunk.
    fn token(&mut self, input: &[u8], i: usize, b: u8) -> Result<usize, usize> {
        use Expect::*;
        match (b, self.expect) {
            (b'"', FirstKey | Key) => self.string(input, i, true),
            (b'"', Value | FirstValue) => self.string(input, i, false),
            (b':', Colon) => {
                self.emit(|p| &p.colon);
                self.expect = Value;
                Ok(i + 1)
            }
            (b',', CommaOrClose) => {
                self.line_break(true);
                self.expect = if self.stack.last() == Some(&b'{') {
                    Key
                } else {
                    Value
                };
                Ok(i + 1)
            }
            (b'}', FirstKey) | (b']', FirstValue) => Ok(self.close(b, false, i)),
            (b'}', CommaOrClose) if self.stack.last() == Some(&b'{') => Ok(self.close(b, true, i)),
            (b']', CommaOrClose) if self.stack.last() == Some(&b'[') => Ok(self.close(b, true, i)),
            (b'{' | b'[', Value | FirstValue) if self.stack.len() < MAX_DEPTH => {
                self.begin_value();
                self.emit(|p| &p.brackets[usize::from(b == b'[')]);
                self.stack.push(b);
                self.expect = if b == b'{' { FirstKey } else { FirstValue };
                Ok(i + 1)
            }
            (b'-' | b'0'..=b'9', Value | FirstValue) => {
                self.begin_value();
                self.number(input, i)
            }
            (b't', Value | FirstValue) => self.literal(input, i, b"true"),
            (b'f', Value | FirstValue) => self.literal(input, i, b"false"),
            (b'n', Value | FirstValue) => self.literal(input, i, b"null"),
            _ => Err(i),
        }
    }

    /// Continue a token left incomplete by the previous chunk.
    fn resume(&mut self, input: &[u8]) -> Result<usize, usize> {
        match self.lex {
            Lex::Str => self.string_body(input, 0),
            Lex::StrEsc | Lex::StrUtf8 => self.resume_sequence(input),
            Lex::Num => {
                let j = scan_number(input, 0);
                self.pend.extend_from_slice(&input[..j]);
                if self.pend.len() > MAX_NUMBER {
                    return Err(j);
                }
                if j < input.len() {
                    self.end_number(j)?;
                }
                Ok(j)
            }
            Lex::Lit(lit) => {
                let have = self.pend.len();
                let n = (lit.len() - have).min(input.len());
                if input[..n] != lit[have..have + n] {
                    return Err(0);
                }
                self.pend.extend_from_slice(&input[..n]);
                if self.pend.len() == lit.len() {
                    self.pend.clear();
                    self.emit_literal(lit);
                }
                Ok(n)
            }
            Lex::Between | Lex::Raw => Ok(0),
        }
    }

    /// Write the complete number held in `pend`, or fail at `at` if it is not one.
    fn end_number(&mut self, at: usize) -> Result<(), usize> {
        if !valid_number(&self.pend) {
            return Err(at);
        }
        let num = std::mem::take(&mut self.pend);
        self.emit_number(&num, 0, num.len());
        self.pend = num;
        self.pend.clear();
        Ok(())
    }

    fn number(&mut self, input: &[u8], i: usize) -> Result<usize, usize> {
        let j = scan_number(input, i);
        if j - i > MAX_NUMBER {
            return Err(i);
        }
        if j == input.len() {
            // The number may go on in the next chunk.
            self.pend.extend_from_slice(&input[i..]);
            self.lex = Lex::Num;
            return Ok(j);
        }
        if !valid_number(&input[i..j]) {
            return Err(i);
        }
        self.emit_number(input, i, j - i);
        Ok(j)
    }

    fn literal(&mut self, input: &[u8], i: usize, lit: &'static [u8]) -> Result<usize, usize> {
        self.begin_value();
        let rest = &input[i..];
        let n = lit.len().min(rest.len());
        if rest[..n] != lit[..n] {
            return Err(i);
        }
        if n < lit.len() {
            self.pend.extend_from_slice(rest);
            self.lex = Lex::Lit(lit);
        } else {
            self.emit_literal(lit);
        }
        Ok(i + n)
    }

    #[inline(always)]
    fn open_string(&mut self, key: bool) {
        self.begin_value();
        self.key = key;
        self.lex = Lex::Str;
        self.emit(|p| if key { &p.key_open } else { &p.str_open });
    }

    #[inline(always)]
    fn emit_number(&mut self, src: &[u8], start: usize, n: usize) {
        self.emit(|p| &p.num_open);
        if EMIT {
            self.out.put_at(src, start, n);
        }
        self.emit(|p| &p.num_close);
        self.scalar_done();
    }

    #[inline(always)]
    fn emit_literal(&mut self, lit: &[u8]) {
        let k = match lit[0] {
            b't' => 0,
            b'f' => 1,
            _ => 2,
        };
        self.emit(|p| &p.literals[k]);
        self.scalar_done();
    }

    /// The string starting at `input[i]`. The common case, plain ASCII ending
    /// in this chunk, is handled inline; the general loop is out of line.
    #[inline(always)]
    fn string(&mut self, input: &[u8], i: usize, key: bool) -> Result<usize, usize> {
        self.open_string(key);
        let (j, high) = scan_string(input, i + 1);
        if high || input.get(j) != Some(&b'"') {
            return self.string_body(input, i + 1);
        }
        if EMIT {
            self.out.put_at(input, i + 1, j - i - 1);
        }
        Ok(self.close_string(input, j))
    }

    /// Write the closing quote at `input[i]` and move on; returns the index
    /// after it (after the colon too, if one follows a key directly).
    #[inline(always)]
    fn close_string(&mut self, input: &[u8], i: usize) -> usize {
        self.lex = Lex::Between;
        if !self.key {
            self.emit(|p| &p.str_close);
            self.after_value();
        } else if input.get(i + 1) == Some(&b':') {
            // Compact input: take the colon with the key.
            self.emit(|p| &p.key_close_colon);
            self.expect = Expect::Value;
            return i + 2;
        } else {
            self.emit(|p| &p.key_close);
            self.expect = Expect::Colon;
        }
        i + 1
    }

    /// Copy string content from `input[i..]` up to and including the closing
    /// quote, validating escapes and UTF-8 on the way.
    fn string_body(&mut self, input: &[u8], mut i: usize) -> Result<usize, usize> {
        loop {
            let (j, high) = scan_string(input, i);
            if high {
                self.checked_text(input, i, j)?;
            } else if EMIT {
                self.out.put_at(input, i, j - i);
            }
            i = j;
            let Some(&b) = input.get(i) else { return Ok(i) };
            match b {
                b'"' => return Ok(self.close_string(input, i)),
                b'\\' => match escape_len(&input[i..]) {
                    Some(Ok(n)) => {
                        if EMIT {
                            self.out.put_at(input, i, n);
                        }
                        i += n;
                    }
                    Some(Err(())) => return Err(i),
                    None => {
                        self.pend.extend_from_slice(&input[i..]);
                        self.lex = Lex::StrEsc;
                        return Ok(input.len());
                    }
                },
                _ => return Err(i), // a raw control character
            }
        }
    }

    /// Write `input[i..j]`, which contains non-ASCII bytes, after checking it
    /// is UTF-8; an incomplete sequence at the end of the chunk is held.
    fn checked_text(&mut self, input: &[u8], i: usize, j: usize) -> Result<(), usize> {
        match std::str::from_utf8(&input[i..j]) {
            Ok(_) => self.text(input, i, j),
            Err(e) => {
                let v = i + e.valid_up_to();
                self.text(input, i, v);
                if e.error_len().is_some() || j < input.len() {
                    return Err(v);
                }
                self.pend.extend_from_slice(&input[v..j]);
                self.lex = Lex::StrUtf8;
            }
        }
        Ok(())
    }

    /// Complete an escape or UTF-8 sequence split by a chunk boundary, then
    /// carry on with the string. Bytes are taken one at a time because the
    /// sequence ends at most a few bytes in.
    fn resume_sequence(&mut self, input: &[u8]) -> Result<usize, usize> {
        for (t, &b) in input.iter().enumerate() {
            self.pend.push(b);
            let done = if self.lex == Lex::StrEsc {
                match escape_len(&self.pend) {
                    Some(Ok(_)) => true,
                    Some(Err(())) => return Err(t + 1),
                    None => false,
                }
            } else {
                match std::str::from_utf8(&self.pend) {
                    Ok(_) => true,
                    Err(e) if e.error_len().is_none() => false,
                    Err(_) => return Err(t + 1),
                }
            };
            if done {
                let seq = std::mem::take(&mut self.pend);
                self.text(&seq, 0, seq.len());
                self.pend = seq;
                self.pend.clear();
                self.lex = Lex::Str;
                return self.string_body(input, t + 1);
            }
        }
        Ok(input.len())
    }

    /// Write `src[from..to]`, valid UTF-8 string content, escaping invisible
    /// controls if asked.
    fn text(&mut self, src: &[u8], from: usize, to: usize) {
        if !EMIT {
            return;
        }
        if !self.escape_controls {
            self.out.put_at(src, from, to - from);
            return;
        }
        let s = &src[from..to];
        let (mut start, mut k) = (0, 0);
        while let Some(off) = s[k..].iter().position(|&b| matches!(b, 0xc2 | 0xd8 | 0xe2)) {
            let p = k + off;
            match invisible_control(&s[p..]) {
                Some((cp, n)) => {
                    self.out.put(&s[start..p]);
                    self.out.put(&u_escape(cp));
                    start = p + n;
                    k = start;
                }
                None => k = p + 1,
            }
        }
        self.out.put(&s[start..]);
    }

    #[inline(always)]
    fn close(&mut self, b: u8, nonempty: bool, i: usize) -> usize {
        self.stack.pop();
        if nonempty {
            self.line_break(false);
        }
        self.emit(|p| &p.brackets[2 + usize::from(b == b']')]);
        self.after_value();
        i + 1
    }

    /// Start a new line before the first element of a container.
    #[inline(always)]
    fn begin_value(&mut self) {
        if matches!(self.expect, Expect::FirstKey | Expect::FirstValue) {
            self.line_break(false);
        }
    }

    #[inline(always)]
    fn scalar_done(&mut self) {
        self.lex = Lex::Between;
        self.top_scalar = self.stack.is_empty();
        self.after_value();
    }

    #[inline(always)]
    fn after_value(&mut self) {
        if self.stack.is_empty() {
            if EMIT {
                self.out.put(b"\n");
            }
            self.seen_value = true;
            self.expect = Expect::Value;
        } else {
            self.expect = Expect::CommaOrClose;
        }
    }

    #[cold]
    #[inline(never)]
    fn grow_indent(&mut self, len: usize) {
        self.nl.resize(len, b' ');
    }

    /// Start a new line at the current depth, after a comma if `comma`.
    #[inline(always)]
    fn line_break(&mut self, comma: bool) {
        if !EMIT {
            return;
        }
        let start = if comma { 0 } else { self.comma_len };
        let end = self.comma_len + 1 + self.stack.len() * self.indent;
        if self.nl.len() < end + BLOCK {
            self.grow_indent(end + BLOCK);
        }
        self.out.put_at(&self.nl, start, end - start);
    }

    #[inline(always)]
    fn emit(&mut self, pick: impl Fn(&Pieces) -> &Piece) {
        if EMIT {
            let piece = pick(&self.pieces);
            if piece.len <= BLOCK {
                self.out.put_block(&piece.block, piece.len);
            } else {
                self.out.put(&piece.long);
            }
        }
    }

    /// Whether the string being read is coloured, so cutting it short needs a reset.
    fn string_colored(&self) -> bool {
        if self.key {
            self.key_colored
        } else {
            self.str_colored
        }
    }

    /// Switch to raw passthrough: the held bytes of the offending token, then
    /// the rest of the input, exactly as received.
    fn fail(&mut self, input: &[u8], at: usize) {
        let in_string = matches!(self.lex, Lex::Str | Lex::StrEsc | Lex::StrUtf8);
        if EMIT && in_string && self.string_colored() {
            self.out.put(RESET.as_bytes());
        }
        self.lex = Lex::Raw;
        let held = std::mem::take(&mut self.pend);
        self.raw(&held);
        self.raw(&input[at..]);
    }

    fn raw(&mut self, bytes: &[u8]) {
        if !EMIT {
            return;
        }
        if self.escape_controls {
            self.out.with_vec(|v| self.sanitizer.push(bytes, v));
        } else {
            self.out.put(bytes);
        }
    }

    /// End of input: complete a trailing number, give up on other partial
    /// tokens, and close a colour left open by a truncated string.
    fn end(&mut self) {
        match self.lex {
            Lex::Num => {
                if self.end_number(0).is_err() {
                    self.fail(&[], 0);
                }
            }
            Lex::Lit(_) | Lex::StrEsc | Lex::StrUtf8 => self.fail(&[], 0),
            Lex::Str => {
                // Truncated string: do not leave the terminal coloured.
                if EMIT && self.string_colored() {
                    self.out.put(RESET.as_bytes());
                }
                self.lex = Lex::Between; // makes `end` idempotent
            }
            Lex::Between | Lex::Raw => {}
        }
        if EMIT && self.lex == Lex::Raw && self.escape_controls {
            self.out.with_vec(|v| self.sanitizer.finish(v));
        }
    }
}

/// Streaming JSON pretty-printer: feed chunks with [`JsonFormatter::write_chunk`],
/// then call [`JsonFormatter::finish`]. Output does not depend on how the input
/// was split into chunks.
pub struct JsonFormatter<W: Write> {
    m: Machine<true>,
    out: W,
    /// Last byte handed to `out`, to know whether output ends with a newline.
    last: Option<u8>,
}

impl<W: Write> JsonFormatter<W> {
    /// Format into `out`, buffering internally (no `BufWriter` needed).
    pub fn new(out: W, opts: JsonOptions) -> Self {
        Self {
            m: Machine::new(&opts),
            out,
            last: None,
        }
    }

    /// Format the next piece of the body.
    pub fn write_chunk(&mut self, mut chunk: &[u8]) -> io::Result<()> {
        while !chunk.is_empty() {
            let n = self.m.feed(chunk);
            chunk = &chunk[n..];
            if self.m.out.len >= FLUSH_AT {
                self.drain()?;
            }
        }
        Ok(())
    }

    /// Write out everything formatted so far and flush the writer.
    pub fn flush(&mut self) -> io::Result<()> {
        self.drain()?;
        self.out.flush()
    }

    /// True once invalid input switched the formatter to raw passthrough.
    pub fn fell_back(&self) -> bool {
        self.m.lex == Lex::Raw
    }

    /// End of input: flush, making the output end with a newline (if there
    /// was any output), and return the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.m.end();
        let last = self.m.out.bytes().last().copied().or(self.last);
        if last.is_some_and(|b| b != b'\n') {
            self.m.out.put(b"\n");
        }
        self.flush()?;
        Ok(self.out)
    }

    fn drain(&mut self) -> io::Result<()> {
        if let Some(&b) = self.m.out.bytes().last() {
            self.out.write_all(self.m.out.bytes())?;
            self.last = Some(b);
            self.m.out.len = 0;
        }
        Ok(())
    }
}

/// Fast whole-buffer check: true if `body` is one or more JSON values
/// separated by whitespace (covers NDJSON / concatenated JSON).
///
/// Uses the same grammar as [`JsonFormatter`], so a body that passes formats
/// without falling back.
pub fn is_json(body: &[u8]) -> bool {
    let mut m = Machine::<false>::new(&JsonOptions::default());
    if m.run(body).is_err() || m.lex == Lex::Str {
        return false;
    }
    m.end();
    m.lex == Lex::Between && m.stack.is_empty() && m.seen_value
}

/// If `body` starts with an XSSI prefix (`)]}'` optionally followed by `,`
/// and/or newline; also `while(1);` and `for(;;);`), return its length.
pub fn xssi_prefix_len(body: &[u8]) -> usize {
    let mut n = if body.starts_with(b")]}'") {
        4 + usize::from(body.get(4) == Some(&b','))
    } else if body.starts_with(b"while(1);") {
        9
    } else if body.starts_with(b"for(;;);") {
        8
    } else {
        return 0;
    };
    if body[n..].starts_with(b"\r\n") {
        n += 2;
    } else if body.get(n) == Some(&b'\n') {
        n += 1;
    }
    n
}

/// The JSON escape `\uXXXX` (lowercase hex) for a BMP code point.
fn u_escape(cp: u32) -> [u8; 6] {
    let hex = |shift: u32| b"0123456789abcdef"[((cp >> shift) & 0xf) as usize];
    [b'\\', b'u', hex(12), hex(8), hex(4), hex(0)]
}

/// JSON number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn valid_number(s: &[u8]) -> bool {
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

/// End of the run of bytes that can belong to a number.
fn scan_number(s: &[u8], mut i: usize) -> usize {
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
fn escape_len(s: &[u8]) -> Option<Result<usize, ()>> {
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
fn scan_string(s: &[u8], mut i: usize) -> (usize, bool) {
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

#[cfg(test)]
mod tests {
    use super::*;

    const COLORS: JsonColors = JsonColors {
        key: "<k>",
        string: "<s>",
        number: "<n>",
        literal: "<l>",
        punct: "<p>",
    };

    fn opts(indent: usize, colors: Option<JsonColors>, escape_controls: bool) -> JsonOptions {
        JsonOptions {
            indent,
            colors,
            escape_controls,
        }
    }

    /// Format `input` in chunks of `size`; returns the output and `fell_back()`.
    fn run(input: &[u8], size: usize, opts: &JsonOptions) -> (String, bool) {
        let mut f = JsonFormatter::new(Vec::new(), opts.clone());
        for c in input.chunks(size.max(1)) {
            f.write_chunk(c).unwrap();
        }
        f.m.end(); // idempotent; lets the test see a fallback decided at EOF
        let fell = f.fell_back();
        (
            String::from_utf8_lossy(&f.finish().unwrap()).into_owned(),
            fell,
        )
    }

    /// Output (and fallback flag) must be identical for every chunking.
    fn check(input: &[u8], opts: &JsonOptions) -> (String, bool) {
        let whole = run(input, input.len(), opts);
        for size in 1..=7 {
            let text = String::from_utf8_lossy(input);
            assert_eq!(run(input, size, opts), whole, "chunks of {size}: {text:?}");
        }
        whole
    }

    #[test]
    fn formats_valid_json() {
        let cases: &[(&str, &str)] = &[
            ("{}", "{}\n"),
            (" [ ] ", "[]\n"),
            ("[1,2]", "[\n    1,\n    2\n]\n"),
            (
                r#"{"a":1,"b":[true,false,null],"c":{},"d":[]}"#,
                "{\n    \"a\": 1,\n    \"b\": [\n        true,\n        false,\n        null\n    ],\n    \"c\": {},\n    \"d\": []\n}\n",
            ),
            (
                "[[[]],{\"x\":{\"y\":[{}]}}]",
                "[\n    [\n        []\n    ],\n    {\n        \"x\": {\n            \"y\": [\n                {}\n            ]\n        }\n    }\n]\n",
            ),
            ("\"str\"", "\"str\"\n"),
            ("  123  ", "123\n"),
            ("null", "null\n"),
            (
                "[12345678901234567890123,1.0e+2,-0,1E-7,0.5]",
                "[\n    12345678901234567890123,\n    1.0e+2,\n    -0,\n    1E-7,\n    0.5\n]\n",
            ),
            (
                r#"["\u00e9\n\"\\\/\b\f\r\t","é😀",""]"#,
                "[\n    \"\\u00e9\\n\\\"\\\\\\/\\b\\f\\r\\t\",\n    \"é😀\",\n    \"\"\n]\n",
            ),
            ("{\"z\":0,\"a\":0}", "{\n    \"z\": 0,\n    \"a\": 0\n}\n"),
            ("1 2\n[3]\n{\"a\":null}\n\"s\"", "1\n2\n[\n    3\n]\n{\n    \"a\": null\n}\n\"s\"\n"),
            ("{\"a\":1}{\"b\":2}", "{\n    \"a\": 1\n}\n{\n    \"b\": 2\n}\n"),
            ("\t\r\n{ \"k\" :\n\"v\" }\r\n", "{\n    \"k\": \"v\"\n}\n"),
            ("", ""),
            ("  \n", ""),
        ];
        for (input, want) in cases {
            let got = check(input.as_bytes(), &JsonOptions::default());
            assert_eq!(got, (want.to_string(), false), "{input}");
        }
        let nested = b"{\"a\":[1]}";
        assert_eq!(
            check(nested, &opts(2, None, false)).0,
            "{\n  \"a\": [\n    1\n  ]\n}\n"
        );
        assert_eq!(
            check(nested, &opts(0, None, false)).0,
            "{\n\"a\": [\n1\n]\n}\n"
        );
    }

    #[test]
    fn colours() {
        let (out, _) = check(br#"{"a":[1,"x",true,{}]}"#, &opts(4, Some(COLORS), false));
        let want = "<p>{\x1b[0m\n    <k>\"a\"\x1b[0m<p>:\x1b[0m <p>[\x1b[0m\n        <n>1\x1b[0m<p>,\x1b[0m\n        <s>\"x\"\x1b[0m<p>,\x1b[0m\n        <l>true\x1b[0m<p>,\x1b[0m\n        <p>{\x1b[0m<p>}\x1b[0m\n    <p>]\x1b[0m\n<p>}\x1b[0m\n";
        assert_eq!(out, want);
        // An empty colour string leaves that kind uncoloured.
        let no_punct = opts(
            4,
            Some(JsonColors {
                punct: "",
                ..COLORS
            }),
            false,
        );
        assert_eq!(check(b"[null]", &no_punct).0, "[\n    <l>null\x1b[0m\n]\n");
        // A string cut short by a fallback or by EOF still gets its reset.
        let o = opts(4, Some(COLORS), false);
        let want = "<p>[\x1b[0m\n    <s>\"ab\x1b[0m\x01\"]\n";
        assert_eq!(check(b"[\"ab\x01\"]", &o), (want.into(), true));
        assert_eq!(check(b"\"abc", &o), ("<s>\"abc\x1b[0m\n".into(), false));
    }

    #[test]
    fn invalid_input_falls_back_to_raw() {
        let cases: &[(&[u8], &str)] = &[
            (b"hello", "hello\n"),
            (b"<html>\n", "<html>\n"),
            (b"{\"a\":1 2}", "{\n    \"a\": 12}\n"),
            (b"[1,]", "[\n    1,\n    ]\n"),
            (b"{\"a\" 1}", "{\n    \"a\"1}\n"),
            (b"{1:2}", "{1:2}\n"),
            (b"[1}", "[\n    1}\n"),
            (b"tru", "tru\n"),
            (b"[trux]", "[\n    trux]\n"),
            (b"[1.]", "[\n    1.]\n"),
            (b"[01]", "[\n    01]\n"),
            (b"-", "-\n"),
            (b"1true", "1\ntrue\n"),
            (b"[\"a\\qb\"]", "[\n    \"a\\qb\"]\n"),
            (b"\"\\u12g4\"", "\"\\u12g4\"\n"),
            (b"\"ctrl\x01\"", "\"ctrl\x01\"\n"),
            (b"\"a\xffb\"", "\"a\u{fffd}b\"\n"),
            (b"\"a\xe2\x82\"", "\"a\u{fffd}\"\n"),
            (b"{\"a\":1}}\n", "{\n    \"a\": 1\n}\n}\n"),
            (b"\"\\u00", "\"\\u00\n"),
        ];
        for (input, want) in cases {
            let got = check(input, &JsonOptions::default());
            assert_eq!(got, (want.to_string(), true), "{input:?}");
        }
        // Indent 0 keeps the output of deep nesting linear in size.
        let deep = "[".repeat(MAX_DEPTH + 1);
        let (out, fell) = check(deep.as_bytes(), &opts(0, None, false));
        assert!(fell && out.ends_with("\n[[\n"));
    }

    #[test]
    fn escape_controls_on_terminal() {
        let o = opts(4, None, true);
        let input = "[\"\u{85}x\u{202e}y\u{2069}\u{61c}\u{9f}\", \"\\u001b ok \u{a0}\u{2010}\"]";
        let want = "[\n    \"\\u0085x\\u202ey\\u2069\\u061c\\u009f\",\n    \"\\u001b ok \u{a0}\u{2010}\"\n]\n";
        assert_eq!(check(input.as_bytes(), &o), (want.into(), false));
        // Raw fallback goes through the sanitiser.
        let got = check(b"{\"a\":\"b\x1b[31m\xc2\x9b\"}", &o);
        assert_eq!(got, ("{\n    \"a\": \"b\\x1b[31m\\u{9b}\"}\n".into(), true));
    }

    #[test]
    fn is_json_table() {
        let cases: &[(&str, bool)] = &[
            ("{}", true),
            (" [1, 2.5e3] ", true),
            ("\"x\"", true),
            ("0", true),
            ("{\"a\":{\"b\":[null]}}\n{}", true),
            ("1 2", true),
            ("true\nfalse", true),
            ("", false),
            ("  ", false),
            ("{", false),
            ("[1,]", false),
            ("{\"a\"}", false),
            ("01", false),
            ("1.", false),
            ("tru", false),
            ("\"abc", false),
            ("\"\x01\"", false),
            ("<!doctype html>", false),
            ("1true", false),
            ("1 \"abc", false),
            ("1\"a\"[2]", true),
            ("}", false),
        ];
        for (input, want) in cases {
            assert_eq!(is_json(input.as_bytes()), *want, "{input:?}");
        }
        assert!(!is_json(b"\"\xff\""));
        assert!(!is_json("[".repeat(MAX_DEPTH + 1).as_bytes()));
    }

    #[test]
    fn xssi_prefixes() {
        let cases: &[(&str, usize)] = &[
            (")]}'\n{}", 5),
            (")]}',\n[]", 6),
            (")]}',[]", 5),
            (")]}'\r\n[]", 6),
            (")]}'", 4),
            ("while(1);[1]", 9),
            ("for(;;);\n{}", 9),
            ("{}", 0),
            (")]}", 0),
            ("", 0),
        ];
        for (input, want) in cases {
            assert_eq!(xssi_prefix_len(input.as_bytes()), *want, "{input:?}");
        }
    }

    #[test]
    fn reparses_to_the_same_value() {
        let docs = [
            r#"{"a":1}"#,
            r#"[]"#,
            r#"{"nested":{"deeper":{"deepest":[1,[2,[3,[4]]]]}}}"#,
            r#"[1,-2,3.25,-4.5e-3,6E+2,0,-0.0,1e300]"#,
            r#"{"s":"quote \" backslash \\ slash \/ tab \t nl \n uni \u00e9 \ud83d\ude00"}"#,
            r#"{"ünïcödé":"日本語","emoji":"😀🎉"}"#,
            r#"[true,false,null,{"t":true,"f":false,"n":null}]"#,
            r#"{"empty_obj":{},"empty_arr":[],"empty_str":""}"#,
            r#"[[],[[]],[{}],{"a":[]}]"#,
            r#""just a string""#,
            r#"42"#,
            r#"{"users":[{"id":1,"name":"Ann","tags":["a","b"]},{"id":2,"name":"Bob","tags":[]}]}"#,
            r#"{"a":{"b":{"c":{"d":{"e":{"f":"g"}}}}}}"#,
            r#"  { "spaced" : [ 1 , 2 ] , "x" : { } }  "#,
            r#"{"big":123456789012345678901234567890,"small":1e-300}"#,
            r#"["a,b",":","{","}","[","]"]"#,
            r#"{"ctrl":"\u0000\u001f\u007f"}"#,
            r#"[{"k":[{"k":[{"k":null}]}]}]"#,
            r#"{"dup":1,"dup":2}"#,
            r#"[0.1,0.2,0.30000000000000004]"#,
        ];
        let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap();
        for doc in docs {
            let want = parse(doc);
            assert!(is_json(doc.as_bytes()), "{doc}");
            for indent in [0, 2, 4] {
                let (out, fell) = check(doc.as_bytes(), &opts(indent, None, false));
                assert!(!fell, "{doc}");
                assert_eq!(parse(&out), want, "{doc}");
            }
            // Where the input is already canonical, the layout matches serde_json's exactly.
            if serde_json::to_string(&want).unwrap() == doc {
                let pretty = serde_json::to_string_pretty(&want).unwrap() + "\n";
                assert_eq!(run(doc.as_bytes(), 3, &opts(2, None, false)).0, pretty);
            }
        }
    }

    #[test]
    fn large_input_flushes_in_pieces() {
        let item = r#"{"id":12345,"name":"some name \u00e9 ü","vals":[1.5,true,null,"x"]}"#;
        let doc = format!("[{}]", vec![item; 5000].join(","));
        let o = opts(4, Some(COLORS), true);
        let whole = run(doc.as_bytes(), doc.len(), &o);
        assert_eq!(run(doc.as_bytes(), 4099, &o), whole);
        assert_eq!(run(doc.as_bytes(), 1, &o), whole);
        let plain = run(doc.as_bytes(), 65_537, &JsonOptions::default()).0;
        let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap();
        assert_eq!(parse(&plain), parse(&doc));
    }
}
