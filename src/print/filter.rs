//! `--filter EXPR`: a jq expression (jaq's implementation of the language) applied to a JSON
//! response body, whose results are printed instead of the body.
//!
//! The expression is compiled when the plan is built, so one that does not parse is a usage
//! error before anything is sent. The body is read as a sequence of JSON values (one for a
//! plain JSON body, one per record for NDJSON), or one value per event for an event stream;
//! each value's results are written as they come, so a stream shows them as its records
//! arrive and memory holds one value at a time. Results are compact, one per line (like
//! `jq -c`), and go through rq's own JSON formatter when formatting or colours are on.

use std::cell::Cell;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::rc::Rc;

use rq_jq::{Program, Value};

use super::body::{self, BodyInfo, Counted};
use super::json::{xssi_prefix_len, JsonFormatter, JsonOptions};
use super::sanitize::Sanitizer;
use super::Printer;
use crate::error::{fail, ExitCode};

/// A compiled `--filter` expression.
#[derive(Clone)]
pub struct Filter {
    expr: String,
    raw: bool,
    compiled: Rc<Program>,
}

impl fmt::Debug for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Filter({:?}, raw: {})", self.expr, self.raw)
    }
}

/// Why a body could not be filtered.
#[derive(Debug)]
pub enum Failure {
    /// Reading the body failed (a network error): the caller reports it like any other.
    Io(io::Error),
    /// The body (or a record of it) is not JSON: what the JSON reader says, and where.
    NotJson(String),
    /// The expression failed on a value.
    Data(String),
    /// `halt` (0) or `halt_error` (its code) stopped the filter.
    Halt(i32),
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Io(e)
    }
}

impl Filter {
    /// Parse and compile `expr`; the error names what is wrong and where (a column).
    /// `raw`: string results are written without quotes (`--filter-raw`, like `jq -r`).
    pub fn compile(expr: &str, raw: bool) -> Result<Filter, String> {
        let compiled = Program::compile(expr).map_err(|reasons| invalid(expr, reasons))?;
        Ok(Filter {
            expr: expr.to_string(),
            raw,
            compiled: Rc::new(compiled),
        })
    }

    /// The expression as typed.
    pub fn expr(&self) -> &str {
        &self.expr
    }

    /// Whether string results are written raw.
    pub fn raw(&self) -> bool {
        self.raw
    }

    /// Run the filter on one value, handing each result to `emit`.
    fn run(
        &self,
        input: Value,
        mut emit: impl FnMut(&Value) -> io::Result<()>,
    ) -> Result<(), Failure> {
        self.compiled.run(input, &mut emit).map_err(|e| match e {
            rq_jq::Failure::Io(e) => Failure::Io(e),
            rq_jq::Failure::Data(why) => Failure::Data(why),
            rq_jq::Failure::Halt(code) => Failure::Halt(code),
        })
    }
}

fn invalid(expr: &str, reasons: Vec<String>) -> String {
    let reasons = match reasons.is_empty() {
        true => "it does not parse".to_string(),
        false => reasons.join("; "),
    };
    format!("invalid --filter '{expr}': {reasons}")
}

/// How the body is cut into the values the filter runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Records {
    /// JSON values one after another: one for a JSON body, one per line for NDJSON.
    Json,
    /// `text/event-stream`: each event's data; events whose data is not JSON are skipped.
    Events,
}

/// How the results are written.
pub struct Style {
    /// Lay out and colour each result with rq's JSON formatter; `None` writes it compact.
    pub format: Option<JsonOptions>,
    /// Sort object keys (`--sorted`).
    pub sort_keys: bool,
    /// Make control characters visible (a terminal).
    pub terminal: bool,
    /// Flush after each record's results (streams).
    pub flush: bool,
}

/// Filter every value of `reader` into `out`. `what` names the body in errors ("the
/// response body", "page 3").
pub fn apply(
    filter: &Filter,
    reader: &mut dyn Read,
    records: Records,
    style: &Style,
    out: &mut dyn Write,
    what: &str,
) -> Result<(), Failure> {
    let mut writer = Results {
        filter,
        style,
        out,
        compact: Vec::new(),
    };
    let mut source = Source::new(reader);
    let result = match records {
        Records::Json if style.flush => json_values(filter, &mut source, &mut writer),
        Records::Json => whole_values(filter, &mut source, &mut writer),
        Records::Events => event_values(filter, &mut source, &mut writer),
    };
    let expr = &filter.expr;
    match result {
        Err(Failure::Halt(0)) => Ok(()),
        Err(Failure::Halt(code)) => Err(Failure::Data(format!(
            "--filter '{expr}' halted with exit code {code} on {what}"
        ))),
        Err(Failure::NotJson(why)) => Err(Failure::NotJson(format!(
            "--filter '{expr}': {what} is not JSON ({why})"
        ))),
        Err(Failure::Data(why)) => Err(Failure::Data(format!(
            "--filter '{expr}' failed on {what}: {why}"
        ))),
        other => other,
    }
}

/// Each JSON value of the body in turn, the first after an XSSI prefix if there is one.
fn json_values(filter: &Filter, source: &mut Source, out: &mut Results) -> Result<(), Failure> {
    let head = source.fill_buf()?;
    let skip = xssi_prefix_len(head);
    source.consume(skip);
    let mut record = 0u64;
    // The reader borrows the source while it runs; the line count is shared with it.
    let line = source.line.clone();
    let mut values = rq_jq::read_many(&mut *source);
    loop {
        let value = match values.next() {
            None => return Ok(()),
            Some(Ok(v)) => v,
            Some(Err(e)) => {
                drop(values);
                return Err(source.error(e));
            }
        };
        record += 1;
        filter
            .run(value, |v| out.write(v))
            .map_err(|e| at_record(e, record, line.get()))?;
        out.end_record()?;
    }
}

/// A body that is not streamed, read whole and then parsed from memory (several times
/// faster than the byte-by-byte reader a stream needs); its values are still filtered
/// one at a time.
fn whole_values(filter: &Filter, source: &mut Source, out: &mut Results) -> Result<(), Failure> {
    let mut body = Vec::new();
    source.read_to_end(&mut body)?;
    let text = &body[xssi_prefix_len(&body)..];
    for (index, value) in rq_jq::parse_many(text).enumerate() {
        let value = value.map_err(|e| not_json(text, &e))?;
        filter
            .run(value, |v| out.write(v))
            .map_err(|e| at_record(e, index as u64 + 1, 0))?;
    }
    Ok(())
}

/// What the JSON reader said (`byte offset N: what`), with the line of byte N.
fn not_json(text: &[u8], said: &str) -> Failure {
    let parsed = said
        .strip_prefix("byte offset ")
        .and_then(|rest| rest.split_once(": "))
        .and_then(|(n, what)| Some((n.parse::<usize>().ok()?, what)));
    Failure::NotJson(match parsed {
        Some((offset, what)) => {
            let line = text[..offset.min(text.len())]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            format!("{what} at line {line}, byte {offset}")
        }
        None => said.to_string(),
    })
}

/// `line` is where the value ended, when known (0 when not).
fn at_record(e: Failure, record: u64, line: u64) -> Failure {
    match e {
        Failure::Data(why) if line > 0 && (record > 1 || line > 1) => {
            Failure::Data(format!("{why} (value {record}, ending on line {line})"))
        }
        Failure::Data(why) if record > 1 => Failure::Data(format!("{why} (value {record})")),
        other => other,
    }
}

/// Each event's data, when it is JSON: the `data:` lines of an event joined by newlines,
/// dispatched at the blank line that ends the event (as browsers do).
fn event_values(filter: &Filter, source: &mut Source, out: &mut Results) -> Result<(), Failure> {
    let mut data: Option<Vec<u8>> = None;
    let mut line = Vec::new();
    let mut record = 0u64;
    loop {
        line.clear();
        let n = source.read_until(b'\n', &mut line)?;
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if n == 0 || text.is_empty() {
            if let Some(event) = data.take() {
                if let Some(value) = rq_jq::parse_single(&event) {
                    record += 1;
                    filter
                        .run(value, |v| out.write(v))
                        .map_err(|e| at_record(e, record, source.line.get()))?;
                    out.end_record()?;
                }
            }
            if n == 0 {
                return Ok(());
            }
            continue;
        }
        let Some(value) = text.strip_prefix(b"data") else {
            continue; // `event:`, `id:`, `retry:` and `:` comments
        };
        let value = match value {
            [b':', b' ', rest @ ..] | [b':', rest @ ..] => rest,
            [] => &[][..],
            _ => continue, // a field whose name only starts with "data"
        };
        let buf = data.get_or_insert_with(Vec::new);
        if !buf.is_empty() {
            buf.push(b'\n');
        }
        buf.extend_from_slice(value);
    }
}

/// The body, buffered, counting lines and noting whether an error came from reading it
/// (a network error) rather than from its contents.
struct Source<'a> {
    inner: BufReader<&'a mut dyn Read>,
    read_failed: bool,
    offset: u64,
    /// The line reached, from 1.
    line: Rc<Cell<u64>>,
}

impl<'a> Source<'a> {
    fn new(reader: &'a mut dyn Read) -> Self {
        Source {
            inner: BufReader::with_capacity(64 * 1024, reader),
            read_failed: false,
            offset: 0,
            line: Rc::new(Cell::new(1)),
        }
    }

    /// An error from the JSON reader: the body's own failure, or what is wrong with it.
    fn error(&self, e: io::Error) -> Failure {
        if self.read_failed {
            return Failure::Io(e);
        }
        let line = self.line.get();
        Failure::NotJson(format!(
            "{e} at line {line}, byte {}",
            self.offset.saturating_sub(1)
        ))
    }

    fn count(&mut self, bytes: &[u8]) {
        let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        self.line.set(self.line.get() + lines);
        self.offset += bytes.len() as u64;
    }
}

impl Read for Source<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self
            .inner
            .read(buf)
            .inspect_err(|_| self.read_failed = true)?;
        self.count(&buf[..n]);
        Ok(n)
    }
}

impl BufRead for Source<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match self.inner.fill_buf() {
            Ok(buf) => Ok(buf),
            Err(e) => {
                self.read_failed = true;
                Err(e)
            }
        }
    }

    fn consume(&mut self, amount: usize) {
        let buf = self.inner.buffer();
        let amount = amount.min(buf.len());
        let lines = buf[..amount].iter().filter(|&&b| b == b'\n').count() as u64;
        self.line.set(self.line.get() + lines);
        self.offset += amount as u64;
        self.inner.consume(amount);
    }
}

/// Writes results: compact, one per line, or through the formatter.
struct Results<'a> {
    filter: &'a Filter,
    style: &'a Style,
    out: &'a mut dyn Write,
    compact: Vec<u8>,
}

impl Results<'_> {
    fn write(&mut self, value: &Value) -> io::Result<()> {
        self.compact.clear();
        match value.as_str() {
            Some(s) if self.filter.raw => self.compact.extend_from_slice(s),
            _ => {
                value.write_compact(&mut self.compact, self.style.sort_keys)?;
                if let Some(opts) = &self.style.format {
                    let mut fmt = JsonFormatter::new(&mut *self.out, opts.clone());
                    fmt.write_chunk(&self.compact)?;
                    fmt.finish()?;
                    // Coloured only, the value ends where it ends.
                    return match opts.reindent {
                        true => Ok(()),
                        false => self.out.write_all(b"\n"),
                    };
                }
            }
        }
        self.compact.push(b'\n');
        if self.style.terminal {
            let mut clean = Vec::with_capacity(self.compact.len() + 16);
            let mut sanitizer = Sanitizer::new();
            sanitizer.push(&self.compact, &mut clean);
            sanitizer.finish(&mut clean);
            return self.out.write_all(&clean);
        }
        self.out.write_all(&self.compact)
    }

    fn end_record(&mut self) -> io::Result<()> {
        match self.style.flush {
            true => self.out.flush(),
            false => Ok(()),
        }
    }
}

/// Print the results of the printer's `--filter` on a response body; returns the bytes
/// read from it.
pub fn print<W: Write>(
    p: &mut Printer<W>,
    reader: &mut dyn Read,
    info: &BodyInfo,
    what: &str,
) -> anyhow::Result<u64> {
    let Some(filter) = p.opts.filter.clone() else {
        return body::print(p, reader, info);
    };
    let records = match info.mime().as_str() {
        "text/event-stream" => Records::Events,
        _ => Records::Json,
    };
    let opts = body::json_options(p);
    let format = (opts.reindent || opts.colors.is_some()).then_some(opts);
    let style = Style {
        format,
        sort_keys: p.opts.json_sort_keys,
        terminal: p.opts.terminal,
        flush: info.stream,
    };
    let mut counted = Counted {
        inner: reader,
        n: 0,
    };
    match apply(&filter, &mut counted, records, &style, &mut p.out, what) {
        Ok(()) => Ok(counted.n),
        Err(Failure::Io(e)) => Err(e.into()),
        Err(Failure::NotJson(why)) => {
            let mime = info.mime();
            let why = match mime.is_empty() {
                true => why,
                false => format!("{why}; its Content-Type is {mime}"),
            };
            Err(fail(ExitCode::Error, why))
        }
        Err(Failure::Data(why)) => Err(fail(ExitCode::Error, why)),
        Err(Failure::Halt(_)) => Ok(counted.n), // handled by `apply`
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(expr: &str, raw: bool, body: &str, records: Records) -> Result<String, String> {
        run_as(expr, raw, body, records, false)
    }

    /// `stream`: as a stream is read (byte by byte, flushing per record).
    fn run_as(
        expr: &str,
        raw: bool,
        body: &str,
        records: Records,
        stream: bool,
    ) -> Result<String, String> {
        let filter = Filter::compile(expr, raw)?;
        let style = Style {
            format: None,
            sort_keys: false,
            terminal: false,
            flush: stream,
        };
        let mut out = Vec::new();
        match apply(
            &filter,
            &mut body.as_bytes(),
            records,
            &style,
            &mut out,
            "the body",
        ) {
            Ok(()) => Ok(String::from_utf8(out).unwrap()),
            Err(Failure::Data(why) | Failure::NotJson(why)) => Err(why),
            Err(Failure::Halt(code)) => Err(format!("halt {code}")),
            Err(Failure::Io(e)) => Err(e.to_string()),
        }
    }

    #[test]
    fn results_are_compact_one_per_line() {
        let body = r#"{"args": {"a": "1"}, "list": [1, 2.50, "x"]}"#;
        assert_eq!(
            run(".args", false, body, Records::Json).unwrap(),
            "{\"a\":\"1\"}\n"
        );
        // Numbers keep the text they were received with.
        assert_eq!(
            run(".list[]", false, body, Records::Json).unwrap(),
            "1\n2.50\n\"x\"\n"
        );
        assert_eq!(run(".list[2]", true, body, Records::Json).unwrap(), "x\n");
        assert_eq!(run("empty", false, body, Records::Json).unwrap(), "");
    }

    #[test]
    fn each_record_of_a_value_stream_is_filtered() {
        let body = "{\"id\":1}\n{\"id\":2}\n\n{\"id\":3}";
        for stream in [false, true] {
            let out = run_as(".id", false, body, Records::Json, stream).unwrap();
            assert_eq!(out, "1\n2\n3\n");
        }
        assert_eq!(
            run(".", false, ")]}',\n[1]", Records::Json).unwrap(),
            "[1]\n"
        );
    }

    #[test]
    fn halt_stops_the_filter_and_halt_error_fails() {
        let body = "{\"id\":1}\n{\"id\":2}";
        assert_eq!(run(".id, halt", false, body, Records::Json).unwrap(), "1\n");
        let e = run("\"x\" | halt_error(3)", false, body, Records::Json).unwrap_err();
        assert!(e.contains("halted with exit code 3"), "{e}");
    }

    #[test]
    fn event_data_is_filtered_per_event_and_other_data_skipped() {
        let body = "event: a\ndata: {\"n\":1}\n\n: keep-alive\n\ndata: {\"n\":\ndata: 2}\n\ndata: [DONE]\n\n";
        assert_eq!(run(".n", false, body, Records::Events).unwrap(), "1\n2\n");
    }

    #[test]
    fn expressions_that_do_not_parse_name_the_column() {
        let e = Filter::compile(".a | .[", false).unwrap_err();
        assert!(
            e.contains("'.a | .['") && e.contains("'[' at column 7"),
            "{e}"
        );
        let e = Filter::compile(".a | nosuchfilter(1)", false).unwrap_err();
        assert!(
            e.contains("nosuchfilter/1") && e.contains("column 6"),
            "{e}"
        );
    }

    #[test]
    fn a_body_that_is_not_json_names_the_line() {
        for stream in [false, true] {
            let e = run_as(".", false, "{\"a\":1}\n<html>", Records::Json, stream).unwrap_err();
            assert!(e.contains("not JSON") && e.contains("line 2"), "{e}");
        }
    }

    #[test]
    fn runtime_errors_name_the_expression_and_the_record() {
        let body = "{\"a\":1}\n{\"a\":\"x\"}\n";
        let e = run(".a + 1", false, body, Records::Json).unwrap_err();
        assert!(
            e.starts_with("--filter '.a + 1' failed on the body: "),
            "{e}"
        );
        assert!(e.ends_with("(value 2)"), "{e}");
        // A stream is read as it comes, and the line is known too.
        let e = run_as(".a + 1", false, body, Records::Json, true).unwrap_err();
        assert!(e.contains("value 2") && e.contains("line 2"), "{e}");
    }
}
