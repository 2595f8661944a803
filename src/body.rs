//! Lowering request items into headers, query and one request body.
//!
//! Input is the parsed items (`items.rs`), output is what goes on the wire. File references
//! (`=@`, `:=@`, `:@`, `==@`, `@path`, `field@path`) are read here, so a missing file is a
//! usage error before anything is sent.

use std::path::{Path, PathBuf};

use anyhow::Result;
use serde_json::Value;

use crate::error::usage;
use crate::items::{self, Item, Source};
use crate::upload::{self, Body, Content};

/// How data items are serialised (`-j`, `-f`, `--multipart`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataMode {
    Json,
    Form,
    Multipart,
}

/// The request parts built from items.
#[derive(Debug, Default)]
pub struct Lowered {
    /// Headers the user gave, in order; an empty value is sent as an empty header.
    pub headers: Vec<(String, Vec<u8>)>,
    /// Header names to remove from the defaults (`Name:`).
    pub removed: Vec<String>,
    pub query: Vec<(String, String)>,
    /// Files are described here, not read: they stream when the request is sent.
    pub body: Option<Body>,
    /// Content-Type implied by the body, if any.
    pub content_type: Option<String>,
    /// A JSON body was built from data items (Accept then prefers JSON).
    pub json_body: bool,
}

/// A multipart text field or file.
enum Part {
    Text(String, String),
    File {
        field: String,
        path: PathBuf,
        mime: Option<String>,
        filename: Option<String>,
    },
}

/// Parse and lower `args` (the items after the URL).
pub fn lower(args: &[String], mode: DataMode, boundary: Option<&str>) -> Result<Lowered> {
    let mut collected = Collected::default();
    for arg in args {
        collected.add(arg, mode)?;
    }
    collected.finish(mode, boundary)
}

/// Items sorted by what they become, as they are parsed.
#[derive(Default)]
struct Collected {
    out: Lowered,
    /// JSON data items: key path, value, and the item as typed (for errors).
    json: Vec<(String, Value, String)>,
    parts: Vec<Part>,
    /// `@path`: the whole body from a file.
    body_file: Option<PathBuf>,
}

impl Collected {
    /// Parse one item and put it where it belongs.
    fn add(&mut self, arg: &String, mode: DataMode) -> Result<()> {
        let item = items::parse_item(arg).map_err(|e| item_error(arg, &e.message, e.column))?;
        match item {
            Item::Header { name, value } => {
                let value = read_source(&value, arg, true)?;
                // Surrounding whitespace is not part of a field value (RFC 9110 §5.5).
                let value = value.trim_matches([' ', '\t']);
                self.header(name, value.as_bytes().to_vec());
            }
            Item::HeaderRemove { name } => {
                // `Name:` removes what came before it, typed or default, as in httpie.
                self.out
                    .headers
                    .retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
                self.out.removed.push(name);
            }
            Item::HeaderEmpty { name } => self.header(name, Vec::new()),
            Item::Query { name, value } => {
                let value = read_source(&value, arg, false)?;
                self.out.query.push((name, value));
            }
            Item::Data { key, value } => {
                let value = read_source(&value, arg, false)?;
                match mode {
                    DataMode::Json => self.json.push((key, Value::String(value), arg.clone())),
                    _ => self.parts.push(Part::Text(items::unescape(&key), value)),
                }
            }
            Item::Json { key, value } => {
                let text = read_source(&value, arg, false)?;
                let parsed = parse_json_value(&text, arg)?;
                match mode {
                    DataMode::Json => self.json.push((key, parsed, arg.clone())),
                    _ => {
                        let field = form_value(&parsed, &text, arg)?;
                        self.parts.push(Part::Text(items::unescape(&key), field));
                    }
                }
            }
            Item::File {
                field,
                path,
                mime,
                filename,
            } => {
                if mode == DataMode::Json {
                    return Err(usage(format!(
                        "file upload '{arg}' needs a form: add -f (or --multipart)"
                    )));
                }
                check_readable(&path, arg)?;
                self.parts.push(Part::File {
                    field,
                    path,
                    mime,
                    filename,
                });
            }
            Item::BodyFile { path } => {
                if self.body_file.is_some() {
                    return Err(usage(format!(
                        "only one @file body is allowed, and '{arg}' is a second one"
                    )));
                }
                self.body_file = Some(path);
            }
        }
        Ok(())
    }

    /// A typed header; it undoes an earlier `Name:` (`User-Agent: User-Agent:mine` sends
    /// `mine`), as in httpie, where the later item wins.
    fn header(&mut self, name: String, value: Vec<u8>) {
        self.out.removed.retain(|r| !r.eq_ignore_ascii_case(&name));
        self.out.headers.push((name, value));
    }

    /// The body the items make: a file, JSON, a urlencoded form or a multipart form.
    fn finish(self, mode: DataMode, boundary: Option<&str>) -> Result<Lowered> {
        let Collected {
            mut out,
            json,
            parts,
            body_file,
        } = self;
        if let Some(path) = body_file {
            if !json.is_empty() || !parts.is_empty() {
                return Err(usage(
                    "a @file body can't be mixed with data items (key=value, key:=json, field@file)",
                ));
            }
            let body = Body::from_path(&path).map_err(|e| {
                usage(format!(
                    "can't read '{}' in item '@{}': {e}",
                    path.display(),
                    path.display()
                ))
            })?;
            out.body = Some(body);
            out.content_type = mime_guess::from_path(&path)
                .first()
                .map(|m| m.essence_str().to_string());
            return Ok(out);
        }
        match mode {
            DataMode::Json if !json.is_empty() => {
                let value = items::build_json(&json).map_err(|e| {
                    usage(format!(
                        "{} in item '{}'\n    {}\n    {}",
                        e.message,
                        e.item,
                        e.item,
                        e.caret()
                    ))
                })?;
                out.body = Some(Body::Bytes(to_json_bytes(&value)));
                out.content_type = Some("application/json".into());
                out.json_body = true;
            }
            DataMode::Json => {}
            DataMode::Form if parts.iter().all(|p| matches!(p, Part::Text(..))) => {
                if !parts.is_empty() {
                    out.body = Some(Body::Bytes(form_urlencode(&parts).into_bytes()));
                    out.content_type =
                        Some("application/x-www-form-urlencoded; charset=utf-8".into());
                }
            }
            DataMode::Form | DataMode::Multipart => {
                let boundary = boundary.map_or_else(random_boundary, str::to_string);
                out.body = Some(multipart(parts, &boundary)?);
                out.content_type = Some(format!("multipart/form-data; boundary={boundary}"));
            }
        }
        Ok(out)
    }
}

/// A one-line usage error for an item, quoted as typed; only control characters in it are
/// shown escaped (so a backslash stays one backslash and the column still matches).
fn item_error(arg: &str, message: &str, column: Option<usize>) -> anyhow::Error {
    let shown: String = arg
        .chars()
        .map(|c| match c.is_control() {
            true => c.escape_debug().to_string(),
            false => c.to_string(),
        })
        .collect();
    match column {
        Some(col) => usage(format!(
            "bad request item '{shown}': {message} (at character {})",
            col + 1
        )),
        None => usage(format!("bad request item '{shown}': {message}")),
    }
}

fn read_source(source: &Source, arg: &str, header: bool) -> Result<String> {
    match source {
        Source::Literal(s) => Ok(s.clone()),
        Source::File(path) => {
            let bytes = read_file(path, arg)?;
            let mut text = String::from_utf8(bytes).map_err(|_| {
                usage(format!(
                    "file '{}' in item '{arg}' is not UTF-8 text",
                    path.display()
                ))
            })?;
            if header {
                // A header value from a file drops its trailing newline, like `$(cat file)`.
                while text.ends_with(['\n', '\r']) {
                    text.pop();
                }
                items::validate_header_value(&text).map_err(|e| {
                    usage(format!("file '{}' in item '{arg}': {e}", path.display()))
                })?;
            }
            Ok(text)
        }
    }
}

fn read_file(path: &Path, arg: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        usage(format!(
            "can't read '{}' in item '{arg}': {e}",
            path.display()
        ))
    })
}

fn check_readable(path: &Path, arg: &str) -> Result<()> {
    std::fs::File::open(path).map(drop).map_err(|e| {
        usage(format!(
            "can't read '{}' in item '{arg}': {e}",
            path.display()
        ))
    })
}

fn parse_json_value(text: &str, arg: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| {
        let msg = e.to_string();
        // serde_json appends " at line L column C"; say where in the item instead.
        let msg = msg.split(" at line ").next().unwrap_or(&msg);
        let column = if e.line() == 1 && arg.ends_with(text) {
            arg.len() - text.len() + e.column()
        } else {
            arg.len() - text.len().min(arg.len())
        };
        usage(format!(
            "invalid JSON in item '{}': {msg} (at character {column})",
            arg.escape_debug()
        ))
    })
}

/// A `key:=json` item in a form: a string is its text, a number its text as typed, `true`
/// and `false` themselves (httpie writes Python's `True`); `null`, arrays and objects have
/// no form value and are refused, saying so.
fn form_value(value: &Value, text: &str, arg: &str) -> Result<String> {
    let kind = match value {
        Value::String(s) => return Ok(s.clone()),
        Value::Number(_) | Value::Bool(_) => return Ok(text.trim().to_string()),
        Value::Null => "null",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    Err(usage(format!(
        "raw JSON item '{arg}' is {kind}, which a form field can't hold (only strings, \
         numbers, true and false): drop --form/--multipart for a JSON body"
    )))
}

/// Serialise like httpie (Python's `json.dumps`): `", "` and `": "` separators, key order kept.
pub fn to_json_bytes(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, SpacedFormatter);
    serde::Serialize::serialize(value, &mut ser).expect("serialising a JSON value can't fail");
    out
}

struct SpacedFormatter;

fn comma_space<W: ?Sized + std::io::Write>(w: &mut W, first: bool) -> std::io::Result<()> {
    if first {
        Ok(())
    } else {
        w.write_all(b", ")
    }
}

impl serde_json::ser::Formatter for SpacedFormatter {
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        comma_space(w, first)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        comma_space(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }
}

fn form_urlencode(parts: &[Part]) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for part in parts {
        if let Part::Text(k, v) = part {
            ser.append_pair(k, v);
        }
    }
    ser.finish()
}

/// Describe the multipart body; file parts stay on disk until the request is sent. A form
/// without files is built in memory (the same bytes, and an exact `--offline` print).
fn multipart(parts: Vec<Part>, boundary: &str) -> Result<Body> {
    let mut described = Vec::with_capacity(parts.len());
    for part in parts {
        described.push(match part {
            Part::Text(name, value) => upload::Part {
                name,
                filename: None,
                mime: None,
                content: Content::Text(value.into_bytes()),
            },
            Part::File {
                field,
                path,
                mime,
                filename,
            } => {
                let filename = filename.unwrap_or_else(|| {
                    path.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default()
                });
                let mime = mime.unwrap_or_else(|| {
                    mime_guess::from_path(&path)
                        .first_or_octet_stream()
                        .essence_str()
                        .to_string()
                });
                let content = Content::from_path(&path).map_err(|e| {
                    usage(format!(
                        "can't read '{}' in item '{field}@{}': {e}",
                        path.display(),
                        path.display()
                    ))
                })?;
                upload::Part {
                    name: field,
                    filename: Some(filename),
                    mime: Some(mime),
                    content,
                }
            }
        });
    }
    let form = upload::Multipart {
        boundary: boundary.to_string(),
        parts: described,
    };
    Ok(if form.has_files() {
        Body::Multipart(form)
    } else {
        Body::Bytes(form.to_bytes())
    })
}

/// A multipart boundary no body is likely to contain.
pub fn random_boundary() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    let a = h.finish();
    h.write_u32(std::process::id());
    format!("{a:016x}{:016x}", h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(body: Option<Body>) -> Vec<u8> {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut body.unwrap().reader(), &mut out).unwrap();
        out
    }

    fn lower_json(args: &[&str]) -> Lowered {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        lower(&args, DataMode::Json, None).unwrap()
    }

    #[test]
    fn json_body_uses_spaced_separators_and_keeps_order() {
        let l = lower_json(&["name=ann", "age:=31", "tags[]=a"]);
        assert_eq!(
            String::from_utf8(bytes(l.body)).unwrap(),
            r#"{"name": "ann", "age": 31, "tags": ["a"]}"#
        );
        assert_eq!(l.content_type.as_deref(), Some("application/json"));
    }

    #[test]
    fn form_body_is_urlencoded() {
        let args = vec!["a=1 2".to_string(), "b=&".to_string()];
        let l = lower(&args, DataMode::Form, None).unwrap();
        assert_eq!(bytes(l.body), b"a=1+2&b=%26");
    }

    #[test]
    fn multipart_with_fixed_boundary() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.txt");
        std::fs::write(&f, "hi").unwrap();
        let args = vec!["x=1".to_string(), format!("up@{};type=text/x", f.display())];
        let l = lower(&args, DataMode::Form, Some("B")).unwrap();
        let body = String::from_utf8(bytes(l.body)).unwrap();
        assert_eq!(
            body,
            "--B\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n\
             --B\r\nContent-Disposition: form-data; name=\"up\"; filename=\"a.txt\"\r\n\
             Content-Type: text/x\r\n\r\nhi\r\n--B--\r\n"
        );
        assert_eq!(
            l.content_type.as_deref(),
            Some("multipart/form-data; boundary=B")
        );
    }

    #[test]
    fn raw_json_scalars_are_form_fields_and_containers_are_refused() {
        let args: Vec<String> = ["count:=1", "ok:=true", "f:=1.0e+2", r#"s:="x y""#]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let l = lower(&args, DataMode::Form, None).unwrap();
        assert_eq!(bytes(l.body), b"count=1&ok=true&f=1.0e%2B2&s=x+y");
        for (item, kind) in [
            ("a:=[1]", "an array"),
            ("o:={}", "an object"),
            ("n:=null", "null"),
        ] {
            let err = lower(&[item.to_string()], DataMode::Form, None).unwrap_err();
            let text = err.to_string();
            assert!(text.contains(item) && text.contains(kind), "{text}");
        }
    }

    #[test]
    fn big_and_exponent_numbers_are_sent_as_typed() {
        let l = lower_json(&[
            "n:=12345678901234567890123",
            "f:=1.0e+2",
            "x:=[0.10, -1e-7]",
        ]);
        assert_eq!(
            String::from_utf8(bytes(l.body)).unwrap(),
            r#"{"n": 12345678901234567890123, "f": 1.0e+2, "x": [0.10, -1e-7]}"#
        );
    }

    #[test]
    fn raw_json_errors_point_at_the_item() {
        let err = lower(&["a:={bad".to_string()], DataMode::Json, None).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("invalid JSON in item 'a:={bad'"), "{text}");
    }

    #[test]
    fn file_item_in_json_mode_suggests_form() {
        let err = lower(&["f@/etc/hostname".to_string()], DataMode::Json, None).unwrap_err();
        assert!(err.to_string().contains("add -f"), "{err}");
    }

    #[test]
    fn missing_file_is_a_usage_error_naming_it() {
        let err = lower(&["a=@/missing/file".to_string()], DataMode::Json, None).unwrap_err();
        assert!(err.to_string().contains("/missing/file"), "{err}");
        assert_eq!(crate::error::classify(&err), crate::error::ExitCode::Usage);
    }
}
