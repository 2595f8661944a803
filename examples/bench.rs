//! `make bench`: rq against curl (and xh or httpie when installed) on the same work, in
//! one run, against a local server this program starts itself.
//!
//! Each case runs every tool `--runs` times after a warm-up, with stdout piped and read to
//! the end, and reports the median and 90th percentile wall time, the ratio to curl, and
//! the peak RSS of the client (from `wait4`-style accounting via `/usr/bin/time` when it is
//! installed). The table is printed and written to `bench/RESULTS.md`.
//!
//! Usage: `cargo run --release --example bench -- [--runs N] [--rq PATH] [CASE ...]`
//! Cases: `small-json` (default: all).

#[path = "../tests/support/server.rs"]
mod server;

use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use server::{Response, Server};

/// One benchmark: a name, what it measures, and how each tool does it.
struct Case {
    name: &'static str,
    what: &'static str,
    /// (tool, argv) for every tool that is installed.
    commands: Vec<(String, Vec<String>)>,
}

struct Row {
    case: &'static str,
    tool: String,
    median: Duration,
    p90: Duration,
    rss_kib: Option<u64>,
}

fn main() {
    let mut runs = 200usize;
    let mut rq = PathBuf::from("target/release/rq");
    let mut wanted = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).expect("--runs N"),
            "--rq" => rq = PathBuf::from(args.next().expect("--rq PATH")),
            _ => wanted.push(arg),
        }
    }
    let rq = std::fs::canonicalize(&rq).unwrap_or_else(|_| {
        eprintln!(
            "bench: {} not found; run `cargo build --release` first",
            rq.display()
        );
        std::process::exit(1);
    });
    let small = Server::http(|_| Response::new(200).json(SMALL_JSON));
    let cases = [small_json(&rq, &small.url("/json"))];
    let mut rows = Vec::new();
    for case in cases
        .iter()
        .filter(|c| wanted.is_empty() || wanted.iter().any(|w| w == c.name))
    {
        eprintln!("== {}: {}", case.name, case.what);
        for (tool, argv) in &case.commands {
            let row = measure(case.name, tool, argv, runs);
            eprintln!(
                "   {:<6} median {:>8.2} ms   p90 {:>8.2} ms",
                tool,
                ms(row.median),
                ms(row.p90)
            );
            rows.push(row);
        }
    }
    let table = render(&rows, &cases, runs);
    println!("{table}");
    std::fs::create_dir_all("bench").ok();
    std::fs::write("bench/RESULTS.md", &table).expect("write bench/RESULTS.md");
    eprintln!("written to bench/RESULTS.md");
}

const SMALL_JSON: &str = r#"{"id": 1, "name": "ann", "tags": ["a", "b"], "active": true}"#;

fn small_json(rq: &Path, url: &str) -> Case {
    let mut commands = vec![
        (
            "rq".to_string(),
            vec![rq.display().to_string(), url.to_string()],
        ),
        (
            "curl".to_string(),
            vec!["curl".into(), "-s".into(), url.to_string()],
        ),
    ];
    if on_path("xh") {
        commands.push(("xh".into(), vec!["xh".into(), url.to_string()]));
    }
    if on_path("http") {
        commands.push(("httpie".into(), vec!["http".into(), url.to_string()]));
    }
    Case {
        name: "small-json",
        what: "GET of a 64-byte JSON document from 127.0.0.1, stdout piped",
        commands,
    }
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}

/// Run `argv` `runs` times (after 5 warm-up runs) and summarise the wall times.
fn measure(case: &'static str, tool: &str, argv: &[String], runs: usize) -> Row {
    for _ in 0..5 {
        run_once(argv);
    }
    let mut times: Vec<Duration> = (0..runs).map(|_| run_once(argv)).collect();
    times.sort();
    Row {
        case,
        tool: tool.to_string(),
        median: times[times.len() / 2],
        p90: times[times.len() * 9 / 10],
        rss_kib: peak_rss(argv),
    }
}

fn run_once(argv: &[String]) -> Duration {
    let started = Instant::now();
    let mut child = Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("bench: can't run {}: {e}", argv[0]));
    let mut sink = [0u8; 64 * 1024];
    let mut out = child.stdout.take().expect("piped stdout");
    while out.read(&mut sink).map(|n| n > 0).unwrap_or(false) {}
    let status = child.wait().expect("wait for child");
    let elapsed = started.elapsed();
    assert!(status.success(), "bench: {argv:?} failed: {status}");
    elapsed
}

/// Peak RSS of one run, from GNU time's `%M` (KiB), when /usr/bin/time is installed.
fn peak_rss(argv: &[String]) -> Option<u64> {
    if !Path::new("/usr/bin/time").exists() {
        return None;
    }
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .args(argv)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .last()?
        .trim()
        .parse()
        .ok()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn render(rows: &[Row], cases: &[Case], runs: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# rq benchmarks\n\nMachine: {} cores. Each command ran {runs} times after 5 warm-ups; \
         wall time from spawn to exit with stdout piped and drained. Ratio = tool median / curl median \
         (lower is faster). Regenerate with `make bench`.\n",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for case in cases {
        let mine: Vec<&Row> = rows.iter().filter(|r| r.case == case.name).collect();
        if mine.is_empty() {
            continue;
        }
        let curl = mine.iter().find(|r| r.tool == "curl").map(|r| r.median);
        let _ = writeln!(s, "## {}\n\n{}\n", case.name, case.what);
        let _ = writeln!(s, "| tool | median | p90 | vs curl | peak RSS |");
        let _ = writeln!(s, "|---|---:|---:|---:|---:|");
        for r in mine {
            let ratio = curl.map_or("-".into(), |c| {
                format!("{:.2}×", r.median.as_secs_f64() / c.as_secs_f64())
            });
            let rss = r
                .rss_kib
                .map_or("-".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0));
            let _ = writeln!(
                s,
                "| {} | {:.2} ms | {:.2} ms | {ratio} | {rss} |",
                r.tool,
                ms(r.median),
                ms(r.p90)
            );
        }
        let _ = writeln!(s);
    }
    s
}
