//! Request items: the httpie-style item grammar and HTTPie-3 nested JSON.
//!
//! This module owns two pure steps. [`parse_item`] turns one command-line request item
//! (`Name:Value`, `Name:`, `Name;`, `key==value`, `key=value`, `key:=json`, `field@file`,
//! `@file`, and the `@file` forms of each) into a typed [`Item`]. [`build_json`] turns the
//! data and JSON items of a request, in order, into one JSON body with HTTPie 3's nested-key
//! semantics (`a[b][]=x`). Nothing here reads files or prints: `@file` sources are recorded
//! as paths, and `:=` literals are parsed by the caller, which knows how to report them.

use serde_json::{Map, Value};
use std::fmt;
use std::path::PathBuf;

/// Characters a backslash escapes; a backslash before anything else is a literal backslash.
const SPECIAL: &[char] = &[':', '=', '@', ';', '[', ']', '\\'];

/// Which item a separator introduces.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Sep {
    JsonFile,
    QueryFile,
    Json,
    HeaderFile,
    Query,
    DataFile,
    Header,
    Data,
    Upload,
    Empty,
}

/// Separators, longest first: at one position the first match here is the longest one
/// (`:=@` beats `:=` beats `:`), which is HTTPie's tie rule.
const SEPARATORS: [(&str, Sep); 10] = [
    (":=@", Sep::JsonFile),
    ("==@", Sep::QueryFile),
    (":=", Sep::Json),
    (":@", Sep::HeaderFile),
    ("==", Sep::Query),
    ("=@", Sep::DataFile),
    (":", Sep::Header),
    ("=", Sep::Data),
    ("@", Sep::Upload),
    (";", Sep::Empty),
];

/// Largest array index a nested key may use. `a[999999999]=x` would otherwise allocate a
/// billion nulls from one short argument; a million is far past any hand-written request.
const MAX_INDEX: usize = 1_000_000;

/// Where an item's value comes from. `File` means the user wrote `@path` after the separator.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// The value as typed, with escapes removed.
    Literal(String),
    /// The value is the content of this file (read by the caller).
    File(PathBuf),
}

/// One parsed request item.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `Name:Value` or `Name:@file`: a request header.
    Header { name: String, value: Source },
    /// `Name:` (nothing after the colon): remove a default header.
    HeaderRemove { name: String },
    /// `Name;`: send the header with an empty value.
    HeaderEmpty { name: String },
    /// `key==value` or `key==@file`: a URL query parameter.
    Query { name: String, value: Source },
    /// `key=value` or `key=@file`. `key` is raw, escapes intact, for [`build_json`];
    /// form mode uses [`unescape`] on it.
    Data { key: String, value: Source },
    /// `key:=json` or `key:=@file`. `key` is raw like [`Item::Data`]'s; the literal is not
    /// parsed here (only `\:`, `\=`, `\@`, `\;` lose their backslash — see [`parse_item`]).
    Json { key: String, value: Source },
    /// `field@path[;type=MIME][;filename=NAME]`: a multipart file upload.
    File {
        field: String,
        path: PathBuf,
        mime: Option<String>,
        filename: Option<String>,
    },
    /// `@path`: the whole request body comes from a file.
    BodyFile { path: PathBuf },
}

/// A malformed request item. `column` is a 0-based char index into the item for a caret.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemError {
    pub message: String,
    pub column: Option<usize>,
}

impl ItemError {
    fn new(message: impl Into<String>, column: Option<usize>) -> Self {
        let message = message.into();
        ItemError { message, column }
    }
}

impl fmt::Display for ItemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ItemError {}

/// A nested-JSON key that is malformed or clashes with an earlier item.
/// The caret goes under `item[column..column + width]` (char indices, `width >= 1`).
#[derive(Debug, Clone, PartialEq)]
pub struct NestError {
    pub message: String,
    pub item: String,
    pub column: usize,
    pub width: usize,
}

impl NestError {
    /// The caret line to print under [`NestError::item`], e.g. `"  ^^^"`.
    pub fn caret(&self) -> String {
        format!("{}{}", " ".repeat(self.column), "^".repeat(self.width))
    }
}

impl fmt::Display for NestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for NestError {}

/// One character of an item after escape processing, with its column in the raw text.
#[derive(Debug, Clone, Copy)]
struct Ch {
    c: char,
    /// Written as `\c`, so never a separator or bracket.
    esc: bool,
    col: usize,
}

/// Split text into characters, folding `\x` (x special) into one escaped character.
fn lex(text: &str) -> Vec<Ch> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    let mut col = 0;
    while let Some(&c) = chars.get(col) {
        let esc = c == '\\' && chars.get(col + 1).is_some_and(|n| SPECIAL.contains(n));
        let c = if esc { chars[col + 1] } else { c };
        out.push(Ch { c, esc, col });
        col += if esc { 2 } else { 1 };
    }
    out
}

/// The text with escapes removed.
fn plain(chs: &[Ch]) -> String {
    chs.iter().map(|ch| ch.c).collect()
}

/// Text for a `:=` literal. Only the separator escapes lose their backslash: `\:` is never
/// a valid JSON escape, but `\\` is, so `"C:\\dir"` must reach the JSON parser intact.
fn json_text(chs: &[Ch]) -> String {
    let mut out = String::new();
    for ch in chs {
        if ch.esc && matches!(ch.c, '\\' | '[' | ']') {
            out.push('\\');
        }
        out.push(ch.c);
    }
    out
}

/// Control characters shown as escapes, so messages never pass them to a terminal.
fn visible(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            c if c.is_control() => c.escape_default().to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// Unescape a raw key for non-JSON uses (form fields): removes the backslash of `\x` escapes
/// where `x` is one of `: = @ ; [ ] \`; other backslashes stay.
pub fn unescape(raw: &str) -> String {
    plain(&lex(raw))
}

/// The earliest unescaped separator: (index into `chs`, its text, its kind).
fn find_separator(chs: &[Ch]) -> Option<(usize, &'static str, Sep)> {
    (0..chs.len()).find_map(|i| {
        SEPARATORS.iter().find_map(|&(text, sep)| {
            let window = chs.get(i..i + text.len())?;
            let hit = window
                .iter()
                .zip(text.chars())
                .all(|(ch, s)| !ch.esc && ch.c == s);
            hit.then_some((i, text, sep))
        })
    })
}

/// Parse one request item, e.g. `X-Foo:bar`, `q==1`, `a[b]=c`, `n:=5`, `f@x.png;type=image/png`.
pub fn parse_item(arg: &str) -> Result<Item, ItemError> {
    let chs = lex(arg);
    let Some((pos, text, sep)) = find_separator(&chs) else {
        let message = format!(
            "'{}' is not a request item (expected Name:Value, key=value, key:=json, \
             key==value, field@file or @file)",
            visible(arg)
        );
        return Err(ItemError::new(message, None));
    };
    let head = &chs[..pos];
    let rest = &chs[pos + text.len()..];
    // Separators are unescaped ASCII, so the raw columns they cover are contiguous.
    let sep_col = chs[pos].col;
    let val_col = sep_col + text.len();
    let key: String = arg.chars().take(sep_col).collect();
    // Header names are checked first: they are what the user most likely mistyped.
    let name = match sep {
        Sep::Header | Sep::HeaderFile | Sep::Empty => item_header_name(head, text)?,
        _ => plain(head),
    };
    let value = match sep {
        Sep::HeaderFile | Sep::QueryFile | Sep::DataFile | Sep::JsonFile => {
            Source::File(file_path(rest, text, val_col)?)
        }
        Sep::Header => Source::Literal(checked_value(rest)?),
        Sep::Json => Source::Literal(json_text(rest)),
        _ => Source::Literal(plain(rest)),
    };
    Ok(match sep {
        Sep::Header if rest.is_empty() => Item::HeaderRemove { name },
        Sep::Header | Sep::HeaderFile => Item::Header { name, value },
        Sep::Empty => match rest.first() {
            None => Item::HeaderEmpty { name },
            Some(extra) => {
                let message = "unexpected text after ';' (use Name; for an empty header \
                               or Name:Value for a header with a value)";
                return Err(ItemError::new(message, Some(extra.col)));
            }
        },
        Sep::Query | Sep::QueryFile => Item::Query { name, value },
        Sep::Data | Sep::DataFile => Item::Data { key, value },
        Sep::Json | Sep::JsonFile => Item::Json { key, value },
        Sep::Upload if head.is_empty() => Item::BodyFile {
            path: file_path(rest, text, val_col)?,
        },
        Sep::Upload => upload(name, rest, val_col)?,
    })
}

/// The path after an `@`-style separator; `col` is where it starts, for the caret.
fn file_path(chs: &[Ch], sep: &str, col: usize) -> Result<PathBuf, ItemError> {
    if chs.is_empty() {
        let message = format!("missing file path after '{sep}'");
        return Err(ItemError::new(message, Some(col)));
    }
    Ok(PathBuf::from(plain(chs)))
}

/// `field@path;type=MIME;filename=NAME`: split on unescaped `;`, path first, then params.
fn upload(field: String, rest: &[Ch], col: usize) -> Result<Item, ItemError> {
    let mut parts = split_params(rest, col).into_iter();
    let (_, path_part) = parts.next().unwrap_or((col, &[]));
    let path = file_path(path_part, "@", col)?;
    let (mut mime, mut filename) = (None, None);
    for (pcol, part) in parts {
        let text = plain(part);
        let (name, value) = text.split_once('=').unwrap_or((text.as_str(), ""));
        let slot = match name {
            "type" => &mut mime,
            "filename" => &mut filename,
            _ => {
                let message = format!(
                    "unknown file parameter '{}' (expected type=MIME or filename=NAME)",
                    visible(name)
                );
                return Err(ItemError::new(message, Some(pcol)));
            }
        };
        if value.is_empty() {
            let message = format!("empty {name}= in file item");
            return Err(ItemError::new(message, Some(pcol)));
        }
        if slot.is_some() {
            let message = format!("{name}= is given twice in file item");
            return Err(ItemError::new(message, Some(pcol)));
        }
        *slot = Some(value.to_string());
    }
    Ok(Item::File {
        field,
        path,
        mime,
        filename,
    })
}

/// Split on unescaped `;`, pairing each part with its starting column (`col` for the first).
fn split_params(chs: &[Ch], col: usize) -> Vec<(usize, &[Ch])> {
    let mut parts = Vec::new();
    let (mut start, mut start_col) = (0, col);
    for (i, ch) in chs.iter().enumerate() {
        if ch.c == ';' && !ch.esc {
            parts.push((start_col, &chs[start..i]));
            start = i + 1;
            start_col = ch.col + 1;
        }
    }
    parts.push((start_col, &chs[start..]));
    parts
}

/// RFC 7230 `tchar`: the only characters allowed in a header name.
fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// A header name in an item; an empty one gets a message naming the separator.
fn item_header_name(chs: &[Ch], sep: &str) -> Result<String, ItemError> {
    if chs.is_empty() {
        let message = format!("missing header name before '{sep}'");
        return Err(ItemError::new(message, Some(0)));
    }
    check_name(chs)
}

/// An RFC 7230 token without line breaks (named separately: they get a clearer message).
fn check_name(chs: &[Ch]) -> Result<String, ItemError> {
    let name = plain(chs);
    if chs.is_empty() {
        return Err(ItemError::new("header name is empty", Some(0)));
    }
    for ch in chs {
        if ch.c == '\r' || ch.c == '\n' {
            let message = "header name contains a line break (CR or LF)";
            return Err(ItemError::new(message, Some(ch.col)));
        }
        if !is_tchar(ch.c) {
            let message = format!(
                "invalid header name '{}': {:?} is not allowed in a header name",
                visible(&name),
                ch.c
            );
            return Err(ItemError::new(message, Some(ch.col)));
        }
    }
    Ok(name)
}

/// A header value; CR or LF would let it smuggle extra header lines onto the wire.
fn checked_value(chs: &[Ch]) -> Result<String, ItemError> {
    match chs.iter().find(|ch| ch.c == '\r' || ch.c == '\n') {
        Some(ch) => {
            let message = "header value contains a line break (CR or LF)";
            Err(ItemError::new(message, Some(ch.col)))
        }
        None => Ok(plain(chs)),
    }
}

/// Characters of already-unescaped text, columns = char indices.
fn unescaped_chs(text: &str) -> Vec<Ch> {
    let to_ch = |(col, c)| Ch { c, esc: false, col };
    text.chars().enumerate().map(to_ch).collect()
}

/// Check a header value from elsewhere (e.g. `Name:@file` content): no CR or LF.
pub fn validate_header_value(value: &str) -> Result<(), ItemError> {
    checked_value(&unescaped_chs(value)).map(drop)
}

// ---------------------------------------------------------------------------------------
// Nested JSON (HTTPie 3's interpret_nested_json)
// ---------------------------------------------------------------------------------------

/// A lexical piece of a nested key; columns are char indices into the raw key.
enum Tok {
    /// Text between brackets; the flag says whether it contained a `\x` escape, which
    /// makes digits a string key rather than an index.
    Text(String, bool),
    Open,
    Close,
}

struct Token {
    tok: Tok,
    start: usize,
    end: usize,
}

/// What one key segment does to the cursor.
enum Step {
    Key(String),
    Index(usize),
    Append,
}

/// A key segment with its span in the raw key (for carets).
struct Seg {
    step: Step,
    start: usize,
    end: usize,
}

impl Seg {
    fn new(step: Step, start: usize, end: usize) -> Self {
        Seg { step, start, end }
    }
}

/// A positioned message, turned into a [`NestError`] once the item text is known.
struct Caret {
    message: String,
    start: usize,
    end: usize,
}

impl Caret {
    fn at(token: &Token, message: impl Into<String>) -> Self {
        let (message, start, end) = (message.into(), token.start, token.end);
        Caret {
            message,
            start,
            end,
        }
    }

    fn into_error(self, item: &str) -> NestError {
        NestError {
            message: self.message,
            item: item.to_string(),
            column: self.start,
            width: self.end.saturating_sub(self.start).max(1),
        }
    }
}

/// Split a raw key into text runs and unescaped brackets, keeping columns for carets.
fn tokenize_key(raw: &str) -> Vec<Token> {
    let mut toks = Vec::new();
    let mut text: Option<Token> = None;
    for ch in lex(raw) {
        let (start, end) = (ch.col, ch.col + if ch.esc { 2 } else { 1 });
        if !ch.esc && (ch.c == '[' || ch.c == ']') {
            toks.extend(text.take());
            let tok = if ch.c == '[' { Tok::Open } else { Tok::Close };
            toks.push(Token { tok, start, end });
            continue;
        }
        let tok = Tok::Text(String::new(), false);
        let token = text.get_or_insert(Token { tok, start, end });
        if let Tok::Text(buf, escaped) = &mut token.tok {
            buf.push(ch.c);
            *escaped |= ch.esc;
        }
        token.end = end;
    }
    toks.extend(text);
    toks
}

/// How bracket text reads: digits are an index, `-digits` a (rejected) negative index, and
/// anything else a string key. Like HTTPie, `\1` (backslash, digits) is the string key "1".
enum Name {
    Index(String),
    Negative,
    Str(String),
}

fn classify(text: &str, escaped: bool) -> Name {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let signed = |s: &str| digits(s.strip_prefix('-').unwrap_or(s));
    if escaped {
        Name::Str(text.to_string())
    } else if digits(text) {
        Name::Index(text.to_string())
    } else if text.strip_prefix('-').is_some_and(digits) {
        Name::Negative
    } else if let Some(num) = text.strip_prefix('\\').filter(|s| signed(s)) {
        Name::Str(num.to_string())
    } else {
        Name::Str(text.to_string())
    }
}

/// Parse a raw key into segments: an optional bare root key, then `[...]` segments.
fn parse_key(raw: &str) -> Result<Vec<Seg>, Caret> {
    let toks = tokenize_key(raw);
    let mut segs = Vec::new();
    let mut i = 0;
    match toks.first() {
        // An empty key is the key "" (HTTPie: `=x` gives {"": "x"}).
        None => segs.push(Seg::new(Step::Key(String::new()), 0, 0)),
        Some(Token {
            tok: Tok::Text(text, escaped),
            start,
            end,
        }) => {
            // A bare root key is always an object key, even when it is all digits.
            let name = match classify(text, *escaped) {
                Name::Index(s) | Name::Str(s) => s,
                Name::Negative => text.clone(),
            };
            segs.push(Seg::new(Step::Key(name), *start, *end));
            i = 1;
        }
        Some(_) => {}
    }
    while i < toks.len() {
        let (seg, next) = bracket(&toks, i, segs.is_empty())?;
        segs.push(seg);
        i = next;
    }
    Ok(segs)
}

const UNCLOSED: &str = "unclosed '[' in the key (write \\[ for a literal bracket)";
const NESTED: &str = "unexpected '[' inside brackets (write \\[ for a literal bracket)";

/// Parse the `[...]` segment starting at `toks[i]`; returns it and the next token index.
fn bracket(toks: &[Token], i: usize, at_root: bool) -> Result<(Seg, usize), Caret> {
    let open = &toks[i];
    match &open.tok {
        Tok::Open => {}
        Tok::Close => {
            let message = "unmatched ']' in the key (write \\] for a literal bracket)";
            return Err(Caret::at(open, message));
        }
        Tok::Text(text, _) => {
            let message = format!(
                "unexpected '{}' after ']': each level of a nested key goes in [brackets]",
                visible(text)
            );
            return Err(Caret::at(open, message));
        }
    }
    let unclosed = || Caret::at(open, UNCLOSED);
    let nested = |t: &Token| Caret::at(t, NESTED);
    let inner = toks.get(i + 1).ok_or_else(unclosed)?;
    let step = match &inner.tok {
        Tok::Close => return Ok((Seg::new(Step::Append, open.start, inner.end), i + 2)),
        Tok::Open => return Err(nested(inner)),
        Tok::Text(text, escaped) => step_for(inner, text, *escaped, at_root)?,
    };
    let close = toks.get(i + 2).ok_or_else(unclosed)?;
    match close.tok {
        Tok::Close => Ok((Seg::new(step, open.start, close.end), i + 3)),
        // Text never follows text, so this is a `[`.
        _ => Err(nested(close)),
    }
}

/// The step for bracket text `[text]`; `at_root` means no bare key came before it.
fn step_for(token: &Token, text: &str, escaped: bool, at_root: bool) -> Result<Step, Caret> {
    match classify(text, escaped) {
        Name::Index(digits) => match digits.parse::<usize>() {
            Ok(n) if n <= MAX_INDEX => Ok(Step::Index(n)),
            _ => {
                let message =
                    format!("array index {digits} is too large (the limit is {MAX_INDEX})");
                Err(Caret::at(token, message))
            }
        },
        Name::Negative => {
            let message = format!("negative array index {text} is not supported");
            Err(Caret::at(token, message))
        }
        // HTTPie's grammar: only `[N]` or `[]` may start a key (making a top-level array).
        Name::Str(_) if at_root => {
            let message = format!(
                "a key can't start with [{}]: only [] or [N] (a top-level array) may come first",
                visible(text)
            );
            Err(Caret::at(token, message))
        }
        Name::Str(name) => Ok(Step::Key(name)),
    }
}

/// Build the JSON body from data/json items, in order. `entries` are
/// (raw_key, value, original_item_text). Errors carry the offending item text and a caret
/// column into it (the raw key is the item's prefix, so key columns are item columns).
///
/// HTTPie 3 semantics: each key is walked from the top, creating objects/arrays on demand;
/// later values at the same path overwrite, `[]` appends, `[N]` pads with nulls. A top-level
/// array is returned as the array itself; no entries give `{}`. One deliberate difference:
/// an existing `null` is replaced by the container a key needs (HTTPie does this for indexes,
/// but for object keys it discards the whole document, which is a bug).
pub fn build_json(entries: &[(String, Value, String)]) -> Result<Value, NestError> {
    let mut root = Value::Null;
    for (key, value, item) in entries {
        let segs = parse_key(key).map_err(|c| c.into_error(item))?;
        insert(&mut root, &segs, key, value.clone()).map_err(|c| c.into_error(item))?;
    }
    Ok(match root {
        Value::Null => Value::Object(Map::new()),
        root => root,
    })
}

/// Walk `segs` from `root`, creating containers on demand, and store `value` at the end.
fn insert(root: &mut Value, segs: &[Seg], key: &str, value: Value) -> Result<(), Caret> {
    let mut cursor = root;
    for seg in segs {
        if cursor.is_null() {
            *cursor = match seg.step {
                Step::Key(_) => Value::Object(Map::new()),
                Step::Index(_) | Step::Append => Value::Array(Vec::new()),
            };
        }
        cursor = match (&seg.step, cursor) {
            (Step::Key(name), Value::Object(map)) => map.entry(name.clone()).or_insert(Value::Null),
            (Step::Index(n), Value::Array(items)) => {
                if items.len() <= *n {
                    items.resize(n + 1, Value::Null);
                }
                &mut items[*n]
            }
            (Step::Append, Value::Array(items)) => {
                items.push(Value::Null);
                let last = items.len() - 1;
                &mut items[last]
            }
            (_, existing) => return Err(clash(key, seg, existing)),
        };
    }
    *cursor = value;
    Ok(())
}

/// The type-clash error: what the existing value is, and what the segment tried to do.
fn clash(key: &str, seg: &Seg, existing: &Value) -> Caret {
    let prefix: String = key.chars().take(seg.start).collect();
    let span: String = key.chars().take(seg.end).skip(seg.start).collect();
    let subject = match prefix.as_str() {
        "" => "the top-level value".to_string(),
        p => format!("'{}'", visible(p)),
    };
    let kind = match existing {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    let what = match &seg.step {
        Step::Key(name) if !span.starts_with('[') => format!("key '{}'", visible(name)),
        Step::Key(_) => format!("key {}", visible(&span)),
        Step::Index(_) => format!("index {span}"),
        Step::Append => "append []".to_string(),
    };
    let message = format!("{subject} is {kind}, so the {what} can't apply to it");
    let (start, end) = (seg.start, seg.end);
    Caret {
        message,
        start,
        end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lit(s: &str) -> Source {
        Source::Literal(s.into())
    }
    fn at(s: &str) -> Source {
        Source::File(s.into())
    }
    fn header(name: &str, value: Source) -> Item {
        let name = name.into();
        Item::Header { name, value }
    }
    fn query(name: &str, value: Source) -> Item {
        let name = name.into();
        Item::Query { name, value }
    }
    fn data(key: &str, value: Source) -> Item {
        let key = key.into();
        Item::Data { key, value }
    }
    fn json_item(key: &str, value: Source) -> Item {
        let key = key.into();
        Item::Json { key, value }
    }
    fn upload(field: &str, path: &str, mime: Option<&str>, filename: Option<&str>) -> Item {
        let (field, path) = (field.into(), path.into());
        let (mime, filename) = (mime.map(Into::into), filename.map(Into::into));
        Item::File {
            field,
            path,
            mime,
            filename,
        }
    }

    #[test]
    fn grammar() {
        let name = |n: &str| n.to_string();
        #[rustfmt::skip]
        let cases = [
            ("X-Foo:bar", header("X-Foo", lit("bar"))),
            ("X-Foo:", Item::HeaderRemove { name: name("X-Foo") }),
            ("User-Agent;", Item::HeaderEmpty { name: name("User-Agent") }),
            ("X-Foo:@h.txt", header("X-Foo", at("h.txt"))),
            ("X:a=b", header("X", lit("a=b"))),
            ("X:a;b", header("X", lit("a;b"))),
            ("X:  spaced ", header("X", lit("  spaced "))),
            ("X:\\@x", header("X", lit("@x"))),
            ("X-A:b\\=c\\;", header("X-A", lit("b=c;"))),
            ("q==1", query("q", lit("1"))),
            ("q==", query("q", lit(""))),
            ("q==@f.txt", query("q", at("f.txt"))),
            ("url==http://x", query("url", lit("http://x"))),
            ("a==b=c", query("a", lit("b=c"))),
            ("a=b", data("a", lit("b"))),
            ("a=", data("a", lit(""))),
            ("=v", data("", lit("v"))),
            ("a=b:c", data("a", lit("b:c"))),
            ("a=b==c", data("a", lit("b==c"))),
            ("a=@f.txt", data("a", at("f.txt"))),
            ("a=\\@f", data("a", lit("@f"))),
            ("k=v\\=w", data("k", lit("v=w"))),
            ("k=a\\b", data("k", lit("a\\b"))),
            ("k=a\\\\b", data("k", lit("a\\b"))),
            ("k=b\\", data("k", lit("b\\"))),
            ("k=two\nlines", data("k", lit("two\nlines"))),
            ("a\\=b=c", data("a\\=b", lit("c"))),
            ("a\\==b", data("a\\=", lit("b"))),
            ("a[b]=c", data("a[b]", lit("c"))),
            ("a\\[b\\]=c", data("a\\[b\\]", lit("c"))),
            ("a:=1", json_item("a", lit("1"))),
            ("a:==b", json_item("a", lit("=b"))),
            ("a:={\"x\":\"y\"}", json_item("a", lit("{\"x\":\"y\"}"))),
            ("a:=\"x\\\\y\"", json_item("a", lit("\"x\\\\y\""))),
            ("a:=\"\\:\"", json_item("a", lit("\":\""))),
            ("a:=@f.json", json_item("a", at("f.json"))),
            ("a[]:=1", json_item("a[]", lit("1"))),
            ("f@photo.jpg", upload("f", "photo.jpg", None, None)),
            ("f@p.jpg;type=image/jpeg", upload("f", "p.jpg", Some("image/jpeg"), None)),
            ("f@p;filename=x.jpg;type=a/b", upload("f", "p", Some("a/b"), Some("x.jpg"))),
            ("f@my\\;file;type=x", upload("f", "my;file", Some("x"), None)),
            ("f@path@x", upload("f", "path@x", None, None)),
            ("a\\@b@f", upload("a@b", "f", None, None)),
            ("@body.json", Item::BodyFile { path: "body.json".into() }),
            ("@a=b", Item::BodyFile { path: "a=b".into() }),
        ];
        for (input, want) in cases {
            assert_eq!(parse_item(input), Ok(want), "input {input:?}");
        }
    }

    #[test]
    fn grammar_errors() {
        #[rustfmt::skip]
        let cases: &[(&str, &str, Option<usize>)] = &[
            ("foo", "'foo' is not a request item (expected Name:Value", None),
            ("a\\=b", "is not a request item", None),
            (":x", "missing header name before ':'", Some(0)),
            (":", "missing header name before ':'", Some(0)),
            (":@f", "missing header name before ':@'", Some(0)),
            (";", "missing header name before ';'", Some(0)),
            ("X Y:z", "invalid header name 'X Y': ' ' is not allowed", Some(1)),
            ("X\\:Y:z", "':' is not allowed", Some(1)),
            ("X:a\rb", "header value contains a line break (CR or LF)", Some(3)),
            ("X:a\nb", "header value contains a line break", Some(3)),
            ("X\n:a", "header name contains a line break", Some(1)),
            ("X;y", "unexpected text after ';'", Some(2)),
            ("@", "missing file path after '@'", Some(1)),
            ("f@", "missing file path after '@'", Some(2)),
            ("f@;type=x", "missing file path after '@'", Some(2)),
            ("a=@", "missing file path after '=@'", Some(3)),
            ("a:=@", "missing file path after ':=@'", Some(4)),
            ("X:@", "missing file path after ':@'", Some(3)),
            ("q==@", "missing file path after '==@'", Some(4)),
            ("f@x;foo=1", "unknown file parameter 'foo' (expected type=MIME", Some(4)),
            ("f@x;type=a;bar", "unknown file parameter 'bar'", Some(11)),
            ("f@x;type=", "empty type= in file item", Some(4)),
            ("f@x;", "unknown file parameter ''", Some(4)),
            ("f@x;type=a;type=b", "type= is given twice", Some(11)),
        ];
        for &(input, want, column) in cases {
            let err = parse_item(input).expect_err(input);
            assert!(err.message.contains(want), "{input:?}: {}", err.message);
            assert_eq!(err.column, column, "{input:?}: {}", err.message);
            assert_eq!(err.to_string(), err.message);
        }
    }

    #[test]
    fn unescape_and_validators() {
        #[rustfmt::skip]
        let cases = [
            ("a\\[b\\]", "a[b]"), ("a\\=\\:\\@\\;", "a=:@;"), ("a\\\\b", "a\\b"), ("a\\b", "a\\b"),
        ];
        for (raw, want) in cases {
            assert_eq!(unescape(raw), want, "raw {raw:?}");
        }
        let value_err = |v| validate_header_value(v).unwrap_err();
        assert!(validate_header_value("fine: value").is_ok());
        assert_eq!(value_err("a\r\nb").column, Some(1));
    }

    /// Parse items like the caller does: data → JSON string, `:=` literal → parsed JSON.
    fn build(items: &[&str]) -> Result<Value, NestError> {
        let entry = |text: &&str| {
            let (key, value) = match parse_item(text).unwrap() {
                Item::Data {
                    key,
                    value: Source::Literal(v),
                } => (key, Value::String(v)),
                Item::Json {
                    key,
                    value: Source::Literal(v),
                } => (key, serde_json::from_str(&v).unwrap()),
                other => panic!("{text}: not a data item: {other:?}"),
            };
            (key, value, text.to_string())
        };
        build_json(&items.iter().map(entry).collect::<Vec<_>>())
    }

    #[test]
    fn nested_json() {
        #[rustfmt::skip]
        let cases: &[(&[&str], Value)] = &[
            (&[], json!({})),
            (&["a=1"], json!({"a": "1"})),
            (&["a:=1", "b:=true", "c:=null"], json!({"a": 1, "b": true, "c": null})),
            (&["a=1", "a=2"], json!({"a": "2"})),
            (&["b=1", "a=2", "b=3"], json!({"b": "3", "a": "2"})),
            (&["a[b]=1"], json!({"a": {"b": "1"}})),
            (&["a[]=x", "a[]=y"], json!({"a": ["x", "y"]})),
            (&["a[2]=x"], json!({"a": [null, null, "x"]})),
            (&["a[1]=x", "a[0]=y"], json!({"a": ["y", "x"]})),
            (&["a[0]=1", "a[0]=2"], json!({"a": ["2"]})),
            (&["[0]=x"], json!(["x"])),
            (&["[]:=1", "[]:=2"], json!([1, 2])),
            (&["[1][0]=x"], json!([null, ["x"]])),
            (&["[0][a]=x"], json!([{"a": "x"}])),
            (&["a[\\1]=x"], json!({"a": {"1": "x"}})),
            (&["a[\\\\1]=x"], json!({"a": {"\\1": "x"}})),
            (&["a\\[b\\]=1"], json!({"a[b]": "1"})),
            (&["a[b\\[c]=1"], json!({"a": {"b[c": "1"}})),
            (&["a\\=b=1"], json!({"a=b": "1"})),
            (&["a[x\\y]=1"], json!({"a": {"x\\y": "1"}})),
            (&["\\\\[x]=1"], json!({"\\": {"x": "1"}})),
            (&["a b[c d]=1"], json!({"a b": {"c d": "1"}})),
            (&["1=x", "01=y"], json!({"1": "x", "01": "y"})),
            (&["=x"], json!({"": "x"})),
            (&["a[b][c][]:=1", "a[b][c][]:=2"], json!({"a": {"b": {"c": [1, 2]}}})),
            (&["a[0][b]=1", "a[0][c]=2"], json!({"a": [{"b": "1", "c": "2"}]})),
            (&["a[]=1", "a[][b]=2"], json!({"a": ["1", {"b": "2"}]})),
            (&["a:={\"x\":1}", "a[y]=2"], json!({"a": {"x": 1, "y": "2"}})),
            (&["a:=null", "a[b]=1"], json!({"a": {"b": "1"}})),
            (&["a[b]=1", "a=2"], json!({"a": "2"})),
            (&["a:=[1]", "a[]:=2"], json!({"a": [1, 2]})),
            (&["p[name]=HTTPie", "p[about][mission]=Make APIs simple", "p[about][stars]:=54000",
               "p[apps][]=Terminal", "p[apps][]=Desktop"],
             json!({"p": {"name": "HTTPie", "about": {"mission": "Make APIs simple", "stars": 54000},
                          "apps": ["Terminal", "Desktop"]}})),
        ];
        for (items, want) in cases {
            let got = build(items).unwrap_or_else(|e| panic!("{items:?}: {}", e.message));
            // Compare the text too: it checks key order, which Value equality ignores.
            assert_eq!(got.to_string(), want.to_string(), "items {items:?}");
        }
    }

    #[test]
    fn nested_json_errors() {
        #[rustfmt::skip]
        let cases: &[(&[&str], &str, usize, usize)] = &[
            (&["a[b]=1", "a[0]=2"], "'a' is an object, so the index [0] can't apply to it", 1, 3),
            (&["a[0]=1", "a[b]=2"], "'a' is an array, so the key [b] can't apply to it", 1, 3),
            (&["a=1", "a[b]=2"], "'a' is a string, so the key [b]", 1, 3),
            (&["a:=1", "a[]=2"], "'a' is a number, so the append []", 1, 2),
            (&["a[b]:=true", "a[b][c]=1"], "'a[b]' is a boolean, so the key [c]", 4, 3),
            (&["a[0]=1", "a[0][x]=2"], "'a[0]' is a string", 4, 3),
            (&["[0]=1", "a=2"], "the top-level value is an array, so the key 'a'", 0, 1),
            (&["[0]=1", "=2"], "the top-level value is an array, so the key ''", 0, 1),
            (&["a=1", "[]=2"], "the top-level value is an object, so the append []", 0, 2),
            (&["a=1", "[3]=2"], "the top-level value is an object, so the index [3]", 0, 3),
            (&["a[b]c=1"], "unexpected 'c' after ']'", 4, 1),
            (&["a[b][c]d[e]=1"], "unexpected 'd' after ']'", 7, 1),
            (&["a[b=1"], "unclosed '['", 1, 1),
            (&["a[=1"], "unclosed '['", 1, 1),
            (&["a]=1"], "unmatched ']'", 1, 1),
            (&["a[[b]]=1"], "unexpected '[' inside brackets", 2, 1),
            (&["a[b[c]]=1"], "unexpected '[' inside brackets", 3, 1),
            (&["a[-1]=1"], "negative array index -1", 2, 2),
            (&["a[1000001]=1"], "array index 1000001 is too large", 2, 7),
            (&["a[99999999999999999999999]=1"], "is too large", 2, 23),
            (&["[a]=1"], "a key can't start with [a]", 1, 1),
        ];
        for &(items, want, column, width) in cases {
            let err = build(items).expect_err(items[0]);
            assert!(err.message.contains(want), "{items:?}: {}", err.message);
            assert_eq!(
                (err.column, err.width),
                (column, width),
                "{items:?}: {}",
                err.message
            );
            assert_eq!(&err.item, items.last().unwrap());
            assert_eq!(
                err.caret(),
                format!("{}{}", " ".repeat(column), "^".repeat(width))
            );
        }
    }
}
