//! Streaming JSON pretty-printer and colouriser.
//!
//! A byte-level state machine formats JSON as it arrives, in chunks of any
//! size, without ever holding the whole body: memory is the output buffer,
//! the nesting stack and at most one partial number. Key order, number text
//! and string escapes are copied exactly as received, so the output is the
//! same JSON value, only re-indented. At the first byte that is not valid JSON
//! the printer gives up formatting and passes the rest through unchanged.
//!
//! With `reindent` off (`--pretty=colors`, `json.format:false` with colours), the same
//! machine colours the tokens and copies the whitespace between them as received: the
//! output is the input byte for byte once the colour codes are taken out.

use std::io::{self, Write};

use super::sanitize::{invisible_control, Sanitizer};

#[path = "json_bytes.rs"]
mod bytes;
use bytes::{
    escape_len, scan_number, scan_string, short_integer, space_end, u_escape, valid_number, Out,
    Piece, Pieces, BLOCK,
};

/// SGR sequence written after every coloured token.
pub const RESET: &str = "\x1b[0m";
/// Deeper nesting is treated as invalid, which bounds the stack's memory.
pub const MAX_DEPTH: usize = 10_000;
/// Output is handed to the writer in pieces of about this size.
const FLUSH_AT: usize = 64 * 1024;
/// Whitespace is taken in runs of at most this many bytes, so that copying one as received
/// keeps the output buffer near its flush mark.
const SPACE_RUN: usize = 16 * 1024;
/// A longer number is treated as invalid, so a partial number held between
/// chunks cannot grow without limit.
const MAX_NUMBER: usize = 64 * 1024;

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
    /// Lay the value out anew (`indent`); when false, keep the whitespace as received and
    /// only colour the tokens.
    pub reindent: bool,
}

impl Default for JsonOptions {
    fn default() -> Self {
        Self {
            indent: 4,
            colors: None,
            escape_controls: false,
            reindent: true,
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
    /// See [`JsonOptions::reindent`].
    reindent: bool,
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
            reindent: opts.reindent,
            nl: [c.punct, ",", reset, "\n"].concat().into_bytes(),
            comma_len: c.punct.len() + 1 + reset.len(),
            pieces: Pieces::new(c, opts.reindent),
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
                // A whole run at once: indented input is mostly runs of spaces.
                self.top_scalar = false;
                let j = space_end(input, i + 1, i + SPACE_RUN);
                if EMIT && !self.reindent {
                    self.out.put_at(input, i, j - i);
                }
                i = j;
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
        if let Some(j) = short_integer(input, i) {
            self.emit_number(input, i, j - i);
            return Ok(j);
        }
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

    /// Inlined so that `lit` is a constant: the common whole-literal case is then a word
    /// compare, not a `memcmp` call.
    #[inline(always)]
    fn literal(&mut self, input: &[u8], i: usize, lit: &'static [u8]) -> Result<usize, usize> {
        self.begin_value();
        let rest = &input[i..];
        if rest.starts_with(lit) {
            self.emit_literal(lit);
            return Ok(i + lit.len());
        }
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
            if EMIT && self.reindent {
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
        if !self.reindent {
            // As received: only the comma itself; the input's own whitespace follows.
            if comma {
                self.out.put_at(&self.nl, 0, self.comma_len);
            }
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
        // As received, the body ends as it ends (a terminal gets its newline from the printer).
        if self.m.reindent && last.is_some_and(|b| b != b'\n') {
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

/// How much of a JSON text a buffer holds; see [`completeness`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completeness {
    /// One or more whole values (and whitespace).
    Whole,
    /// Valid so far, but a value (or the first one) is still to come or to end.
    Partial,
    /// Not JSON, whatever follows.
    Invalid,
}

/// Whether `body` is whole JSON values, the start of some, or not JSON: lets `--sorted
/// --stream` format each run of lines as soon as it completes a value.
pub fn completeness(body: &[u8]) -> Completeness {
    let mut m = Machine::<false>::new(&JsonOptions::default());
    if m.run(body).is_err() {
        return Completeness::Invalid;
    }
    if m.lex == Lex::Between && m.stack.is_empty() && m.seen_value {
        Completeness::Whole
    } else {
        Completeness::Partial
    }
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

#[cfg(test)]
#[path = "json_tests.rs"]
mod tests;
