//! jq programs on JSON values for rq's `--filter`, through jaq (a Rust implementation of
//! jq's language), behind a surface with no generics: jaq's interpreter is generic over
//! its value type and is compiled wherever that type is named, so every use of it stays in
//! this crate, built at the release profile's size-optimised level for dependencies.
//! rq itself reads the body, cuts it into values and prints the results.

mod funs;

use std::io::{self, BufRead};

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{data, Compiler, Ctx, Vars};
use jaq_json::Val;

type Data = data::JustLut<Val>;

/// A compiled jq program.
pub struct Program {
    compiled: jaq_core::Filter<Data>,
}

/// One JSON value: an input of a program or one of its results.
pub struct Value(Val);

/// Why running a program on a value stopped.
#[derive(Debug)]
pub enum Failure {
    /// Writing a result failed (what `emit` returned).
    Io(io::Error),
    /// The program failed on the value: jq's error message.
    Data(String),
    /// `halt` (0) or `halt_error` (its code) stopped the program.
    Halt(i32),
}

impl Program {
    /// Parse and compile `expr` with jq's standard library (as far as rq has it: see
    /// `funs.rs`); the error is each reason it does not compile, with its column.
    pub fn compile(expr: &str) -> Result<Program, Vec<String>> {
        let defs = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs());
        let funs = jaq_core::funs()
            .chain(jaq_std::base_funs())
            .chain(jaq_json::funs())
            .chain(funs::funs());
        let arena = Arena::default();
        let program = File {
            code: expr,
            path: (),
        };
        let modules = Loader::new(defs)
            .load(&arena, program)
            .map_err(|errs| load_error(expr, errs))?;
        let compiled = Compiler::default()
            .with_funs(funs)
            .compile(modules)
            .map_err(|errs| compile_error(expr, errs))?;
        Ok(Program { compiled })
    }

    /// Run the program on one value, handing each result to `emit` as it comes.
    pub fn run(
        &self,
        input: Value,
        emit: &mut dyn FnMut(&Value) -> io::Result<()>,
    ) -> Result<(), Failure> {
        let ctx = Ctx::<Data>::new(&self.compiled.lut, Vars::new([]));
        // Not jaq's `unwrap_valr`: on `halt` it exits the process, before rq has written
        // out what it holds or saved the session.
        for result in self.compiled.id.run((ctx, input.0)) {
            let exn = match result {
                Ok(value) => {
                    let value = Value(value);
                    emit(&value).map_err(Failure::Io)?;
                    continue;
                }
                Err(exn) => exn,
            };
            return Err(match exn.get_err() {
                Ok(e) => Failure::Data(error_text(e.into_val())),
                Err(exn) => match exn.get_halt() {
                    Ok(code) => Failure::Halt(code),
                    Err(_) => Failure::Data("the filter ended unexpectedly".into()),
                },
            });
        }
        Ok(())
    }
}

impl Value {
    /// The bytes of a string value (`None` for any other kind).
    pub fn as_str(&self) -> Option<&[u8]> {
        match &self.0 {
            Val::TStr(s) => Some(s),
            _ => None,
        }
    }

    /// Append the value as compact JSON (like `jq -c`), object keys sorted with `sort_keys`.
    pub fn write_compact(&self, out: &mut Vec<u8>, sort_keys: bool) -> io::Result<()> {
        let pp = jaq_json::write::Pp {
            sort_keys,
            ..Default::default()
        };
        jaq_json::write::write(out, &pp, 0, &self.0)
    }
}

/// Every JSON value of `text`, one after another; an error says `byte offset N: what`.
pub fn parse_many(text: &[u8]) -> Box<dyn Iterator<Item = Result<Value, String>> + '_> {
    Box::new(jaq_json::read::parse_many(text).map(|v| v.map(Value).map_err(|e| e.to_string())))
}

/// Every JSON value read from `read`, parsed as its bytes arrive (for streams).
pub fn read_many<'a>(
    read: &'a mut dyn BufRead,
) -> Box<dyn Iterator<Item = io::Result<Value>> + 'a> {
    Box::new(jaq_json::read::read_many(read).map(|v| v.map(Value)))
}

/// The one JSON value `text` holds, if it is exactly one.
pub fn parse_single(text: &[u8]) -> Option<Value> {
    jaq_json::read::parse_single(text).ok().map(Value)
}

/// A jq error's message: a string as it is, any other value (`error({...})`) as JSON.
fn error_text(value: Val) -> String {
    match value {
        Val::TStr(s) => String::from_utf8_lossy(&s).into_owned(),
        other => format!("error {other}"),
    }
}

/// `column N` of a part of `expr` (a slice of it), counted in characters from 1.
fn column(expr: &str, part: &str) -> usize {
    let start = jaq_core::load::span(expr, part).start.min(expr.len());
    expr[..start].chars().count() + 1
}

fn load_error(expr: &str, errs: jaq_core::load::Errors<&str, ()>) -> Vec<String> {
    use jaq_core::load::Error;
    let mut out = Vec::new();
    for (_, err) in errs {
        match err {
            Error::Io(e) => out.extend(e.into_iter().map(|(_, msg)| msg)),
            Error::Lex(e) => out.extend(e.into_iter().map(|(expect, found)| {
                if let jaq_core::load::lex::Expect::Delim(open) = expect {
                    return format!("'{open}' at column {} is not closed", column(expr, open));
                }
                let what = match found.is_empty() {
                    true => "the end".to_string(),
                    false => format!("{:?}", found.chars().take(20).collect::<String>()),
                };
                format!(
                    "expected {} at column {} (found {what})",
                    expect.as_str(),
                    column(expr, found)
                )
            })),
            Error::Parse(e) => out.extend(e.into_iter().map(|(expect, found)| {
                let what = match found.is_empty() {
                    true => "the end".to_string(),
                    false => format!("{found:?}"),
                };
                format!(
                    "expected {} at column {} (found {what})",
                    expect.as_str(),
                    column(expr, found)
                )
            })),
        }
    }
    out
}

fn compile_error(expr: &str, errs: jaq_core::compile::Errors<&str, ()>) -> Vec<String> {
    use jaq_core::compile::Undefined;
    let mut out = Vec::new();
    for (_, errs) in errs {
        for (name, undefined) in errs {
            let what = match undefined {
                Undefined::Filter(arity) => format!("filter {name}/{arity}"),
                other => format!("{} {name}", other.as_str()),
            };
            out.push(format!("undefined {what} at column {}", column(expr, name)));
        }
    }
    out
}
