//! The `m` section: where the time of each exchange went.
//!
//! Three forms. Redirected, the plain text rq has always printed, for the final exchange.
//! At a terminal (with formatting on), a waterfall like a browser's developer tools draw:
//! for one exchange a row per phase (DNS, connect, TLS, waiting for the first byte, body),
//! for a redirect chain a row per hop on one time axis, each bar as long as its share of
//! the time and the time beside it. `--meta-format json` prints every hop's timings as one
//! JSON object for scripts.

use std::io::{self, Write};
use std::time::{Duration, Instant};

use crate::engine::Meta;

use super::theme::RESET;

/// One exchange of a run, for the `m` section.
#[derive(Debug, Clone)]
pub struct Hop {
    pub method: String,
    pub url: String,
    pub status: u16,
    pub meta: Meta,
}

/// Columns of a waterfall bar.
const BAR: usize = 40;
/// Columns of a hop's label in a chain.
const LABEL: usize = 34;

/// The phases in order: label, glyph (distinct, for a screen without colours) and colour.
const PHASES: [(&str, char, &str); 5] = [
    ("DNS", '░', "\x1b[36m"),
    ("Connect", '▒', "\x1b[33m"),
    ("TLS", '▓', "\x1b[35m"),
    ("Time to first byte", '█', "\x1b[32m"),
    ("Body", '▆', "\x1b[34m"),
];

/// The phases of `meta` as (start, end) offsets from the hop's start.
fn spans(meta: &Meta) -> [(Duration, Duration); 5] {
    let mut at = Duration::ZERO;
    meta.phases.named().map(|(_, took)| {
        let span = (at, at + took);
        at += took;
        span
    })
}

/// `12.3 ms`, `1.25 s`.
fn short(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    match ms < 1000.0 {
        true => format!("{ms:.1} ms"),
        false => format!("{:.2} s", ms / 1000.0),
    }
}

/// The column of `at` on a bar where `total` is the full width.
fn column(at: Duration, total: Duration) -> usize {
    if total.is_zero() {
        return 0;
    }
    ((at.as_secs_f64() / total.as_secs_f64()) * BAR as f64).round() as usize
}

/// Draws bars: segments on a row of [`BAR`] cells.
struct Bar {
    cells: Vec<Option<usize>>,
}

impl Bar {
    fn new() -> Bar {
        Bar {
            cells: vec![None; BAR],
        }
    }

    /// Phase `phase` from `start` to `end` of `total`; a phase that took any time gets a
    /// cell, however short.
    fn fill(&mut self, phase: usize, start: Duration, end: Duration, total: Duration) {
        let from = column(start, total).min(BAR - 1);
        let mut to = column(end, total).min(BAR);
        if end > start && to <= from {
            to = from + 1;
        }
        for cell in &mut self.cells[from..to] {
            *cell = Some(phase);
        }
    }

    fn write(&self, out: &mut dyn Write, colors: bool) -> io::Result<()> {
        let mut line = String::new();
        let mut painted = None;
        for cell in &self.cells {
            // One colour code per run of a phase's cells.
            if colors && *cell != painted {
                if painted.is_some() {
                    line.push_str(RESET);
                }
                if let Some(p) = cell {
                    line.push_str(PHASES[*p].2);
                }
                painted = *cell;
            }
            line.push(cell.map_or(' ', |p| PHASES[p].1));
        }
        if painted.is_some() {
            line.push_str(RESET);
        }
        write!(out, "│{line}│")
    }
}

/// The waterfall for `hops` (the last one is the final exchange).
pub fn waterfall(out: &mut dyn Write, hops: &[Hop], colors: bool) -> io::Result<()> {
    let Some(last) = hops.last() else {
        return Ok(());
    };
    let first = hops[0].meta.started;
    let end = |h: &Hop| h.meta.started.saturating_duration_since(first) + h.meta.total;
    let total = hops.iter().map(end).max().unwrap_or_default();
    match hops.len() {
        1 => writeln!(out, "Elapsed time: {}", exact(total))?,
        n => writeln!(out, "Elapsed time: {} ({n} exchanges)", exact(total))?,
    }
    if hops.len() == 1 {
        for (phase, (start, end)) in spans(&last.meta).into_iter().enumerate() {
            let mut bar = Bar::new();
            bar.fill(phase, start, end, total);
            write!(out, "  {:<20}", PHASES[phase].0)?;
            bar.write(out, colors)?;
            writeln!(out, " {:>9}", short(end - start))?;
        }
    } else {
        for hop in hops {
            chain_row(out, hop, first, total, colors)?;
        }
        legend(out, colors)?;
    }
    details(out, &last.meta)
}

/// One hop of a chain: its phases on the chain's time axis.
fn chain_row(
    out: &mut dyn Write,
    hop: &Hop,
    first: Instant,
    total: Duration,
    colors: bool,
) -> io::Result<()> {
    let offset = hop.meta.started.saturating_duration_since(first);
    let mut bar = Bar::new();
    for (phase, (start, end)) in spans(&hop.meta).into_iter().enumerate() {
        bar.fill(phase, offset + start, offset + end, total);
    }
    let label = format!("{} {} {}", hop.status, hop.method, hop.url);
    let label: String = match label.chars().count() > LABEL {
        true => label.chars().take(LABEL - 1).chain(['…']).collect(),
        false => label,
    };
    write!(out, "  {label:<LABEL$} ")?;
    bar.write(out, colors)?;
    writeln!(out, " {:>9}", short(hop.meta.total))
}

fn legend(out: &mut dyn Write, colors: bool) -> io::Result<()> {
    write!(out, "  {:<LABEL$}  ", "")?;
    for (i, (name, glyph, colour)) in PHASES.iter().enumerate() {
        let sep = if i == 0 { "" } else { "  " };
        match colors {
            true => write!(out, "{sep}{colour}{glyph}{RESET} {name}")?,
            false => write!(out, "{sep}{glyph} {name}")?,
        }
    }
    writeln!(out)
}

/// The lines after the timings: remote address, HTTP version, bytes.
fn details(out: &mut dyn Write, meta: &Meta) -> io::Result<()> {
    if let Some(remote) = &meta.remote {
        writeln!(out, "Remote address: {remote}")?;
    }
    writeln!(out, "HTTP version: {:?}", meta.version)?;
    if let Some(alpn) = &meta.alpn {
        writeln!(out, "ALPN: {alpn}")?;
    }
    writeln!(out, "Bytes received: {}", meta.bytes)
}

/// The phases to the microsecond, so that they visibly add up to the total.
fn exact(d: Duration) -> String {
    format!("{}.{:06}s", d.as_secs(), d.subsec_micros())
}

/// The plain text form, for the final exchange: what rq prints when redirected.
pub fn text(out: &mut dyn Write, meta: &Meta) -> io::Result<()> {
    writeln!(out, "Elapsed time: {}", exact(meta.total))?;
    for (name, took) in meta.phases.named() {
        writeln!(out, "  {name}: {}", exact(took))?;
    }
    details(out, meta)
}

/// `--meta-format json`: every hop, times in seconds, as one compact JSON object.
pub fn json(hops: &[Hop]) -> Vec<u8> {
    let secs = |d: Duration| serde_json::Value::from(d.as_micros() as f64 / 1e6);
    let first = hops.first().map(|h| h.meta.started);
    let exchanges: Vec<serde_json::Value> = hops
        .iter()
        .map(|h| {
            let m = &h.meta;
            let start = first.map_or(Duration::ZERO, |f| m.started.saturating_duration_since(f));
            let p = &m.phases;
            serde_json::json!({
                "method": h.method,
                "url": h.url,
                "status": h.status,
                "start": secs(start),
                "total": secs(m.total),
                "dns": secs(p.dns),
                "connect": secs(p.connect),
                "tls": secs(p.tls),
                "first_byte": secs(p.first_byte),
                "body": secs(p.body),
                "remote": m.remote,
                "http_version": format!("{:?}", m.version),
                "alpn": m.alpn,
                "bytes": m.bytes,
            })
        })
        .collect();
    let total = hops
        .iter()
        .map(|h| {
            first.map_or(Duration::ZERO, |f| {
                h.meta.started.saturating_duration_since(f)
            }) + h.meta.total
        })
        .max()
        .unwrap_or_default();
    let value = serde_json::json!({ "total": secs(total), "exchanges": exchanges });
    let mut bytes = serde_json::to_vec(&value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}
