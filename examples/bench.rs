//! `make bench`: rq against curl (and xh or httpie when installed) on the same work, in
//! one run, against a local server this program starts itself.
//!
//! Each case runs every tool `--runs` times after a warm-up, with stdout piped and read to
//! the end, and reports the median and 90th percentile wall time, the ratio to curl, and
//! the peak RSS of the client (from `wait4`-style accounting via `/usr/bin/time` when it is
//! installed). The table is printed and written to `bench/RESULTS.md`.
//!
//! Usage: `cargo run --release --example bench -- [--runs N] [--rq PATH] [CASE ...]`
//! Cases: `small-json`, `https-json`, `download-1g`, `upload-1g` (default: all).

#[path = "../tests/support/server.rs"]
mod server;
#[path = "../tests/support/tls.rs"]
mod tls;

use std::fmt::Write as _;
use std::io::{self, BufRead, BufReader, Read, Write};
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
    let mut cases = vec![small_json(&rq, &small.url("/json"))];
    let want = |name: &str| wanted.is_empty() || wanted.iter().any(|w| w == name);
    // The 1 GiB cases write and read files here; it is removed at the end.
    let scratch = std::env::temp_dir().join(format!("rq-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("create the scratch directory");
    // https: a local rustls server with a certificate made now, trusted through a CA file.
    let ca = tls::Ca::new("rq bench CA");
    let ca_pem = ca.write_pem(&scratch, "ca.pem");
    let secure = tls::TlsServer::start(&ca.server(&["127.0.0.1"]), |_| {
        Response::new(200).json(SMALL_JSON)
    });
    if want("https-json") {
        cases.push(https_json(&rq, &secure.url("/json"), &ca_pem));
    }
    let big = Server::http(|_| {
        Response::new(200)
            .header("Content-Type", "application/octet-stream")
            .stream(GIB, write_gib)
    });
    if want("download-1g") {
        cases.push(download_1g(&rq, &big.url("/1g.bin"), &scratch));
    }
    let sink = upload_sink();
    if want("upload-1g") {
        cases.push(upload_1g(&rq, &sink.url("/upload"), &scratch));
    }
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
    let _ = std::fs::remove_dir_all(&scratch);
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

/// The same GET over TLS; every tool verifies the server against the same CA file (curl
/// `--cacert`, rq and xh `--verify`), so each does a full handshake and certificate check.
fn https_json(rq: &Path, url: &str, ca: &Path) -> Case {
    let ca = ca.display().to_string();
    let mut commands = vec![
        (
            "rq".to_string(),
            vec![rq.display().to_string(), "--verify".into(), ca.clone(), url.into()],
        ),
        (
            "curl".to_string(),
            vec!["curl".into(), "-s".into(), "--cacert".into(), ca.clone(), url.into()],
        ),
    ];
    if on_path("xh") {
        let argv = vec!["xh".into(), "--verify".into(), ca, url.into()];
        commands.push(("xh".into(), argv));
    }
    Case {
        name: "https-json",
        what: "GET of the same JSON document over TLS 1.3 from 127.0.0.1 (new connection and \
               handshake each run, certificate checked against a CA file), stdout piped",
        commands,
    }
}

const GIB: u64 = 1 << 30;

/// Cases that move 1 GiB run this many times at most, after one warm-up.
const BIG_RUNS: usize = 7;

/// (warm-ups, runs) for a case.
fn schedule(case: &str, runs: usize) -> (usize, usize) {
    match case.ends_with("-1g") {
        true => (1, runs.min(BIG_RUNS)),
        false => (5, runs),
    }
}

/// The download server's body: 1 GiB in 1 MiB writes, so the server is never what limits.
fn write_gib(w: &mut dyn Write) -> io::Result<()> {
    let chunk = vec![0x5a_u8; 1 << 20];
    for _ in 0..GIB / (1 << 20) {
        w.write_all(&chunk)?;
    }
    Ok(())
}

fn download_1g(rq: &Path, url: &str, dir: &Path) -> Case {
    let file = |tool: &str| dir.join(format!("{tool}.bin")).display().to_string();
    let mut commands = vec![
        (
            "rq".to_string(),
            vec![
                rq.display().to_string(),
                "-d".into(),
                "-o".into(),
                file("rq"),
                url.to_string(),
            ],
        ),
        (
            "curl".to_string(),
            vec![
                "curl".into(),
                "-s".into(),
                "-o".into(),
                file("curl"),
                url.to_string(),
            ],
        ),
    ];
    if on_path("xh") {
        let argv = ["xh", "-d", "-o", &file("xh"), url].map(String::from);
        commands.push(("xh".into(), argv.to_vec()));
    }
    Case {
        name: "download-1g",
        what: "1 GiB download from 127.0.0.1 to a file (`rq -d -o FILE`, `curl -s -o FILE`); \
               the file is removed before each run; at most 7 runs after 1 warm-up",
        commands,
    }
}

fn upload_1g(rq: &Path, url: &str, dir: &Path) -> Case {
    let path = dir.join("upload.bin");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create upload.bin"));
    let chunk: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
    for _ in 0..GIB / (1 << 20) {
        file.write_all(&chunk).expect("write upload.bin");
    }
    file.flush().expect("write upload.bin");
    let path = path.display().to_string();
    let commands = vec![
        (
            "rq".to_string(),
            vec![
                rq.display().to_string(),
                "-f".into(),
                "post".into(),
                url.to_string(),
                format!("file@{path}"),
            ],
        ),
        (
            "curl".to_string(),
            vec![
                "curl".into(),
                "-s".into(),
                "-F".into(),
                format!("file=@{path}"),
                url.to_string(),
            ],
        ),
    ];
    Case {
        name: "upload-1g",
        what: "1 GiB multipart upload of a file to 127.0.0.1 (`rq -f post URL file@PATH`, \
               `curl -s -F file=@PATH`); at most 7 runs after 1 warm-up",
        commands,
    }
}

/// A server that reads each upload and throws it away (the test server would keep every
/// request body in memory), answering `100 Continue` for curl.
fn upload_sink() -> Server {
    Server::raw(|stream, _| {
        let _ = drain_one(&stream);
    })
}

fn drain_one(stream: &std::net::TcpStream) -> io::Result<()> {
    let mut reader = BufReader::with_capacity(1 << 20, stream);
    let (mut len, mut expect) = (0u64, false);
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let lower = line.trim_end().to_ascii_lowercase();
        if lower.is_empty() {
            break;
        }
        if let Some(v) = lower.strip_prefix("content-length:") {
            len = v.trim().parse().unwrap_or(0);
        }
        expect |= lower.starts_with("expect:") && lower.contains("100-continue");
    }
    let mut out = stream;
    if expect {
        out.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    io::copy(&mut (&mut reader).take(len), &mut io::sink())?;
    out.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
}

/// The file a command writes with `-o`, removed before each run: every run is a fresh
/// download, and no tool pays for truncating the previous one's file.
fn fresh_output(argv: &[String]) {
    if let Some(i) = argv.iter().position(|a| a == "-o") {
        if let Some(file) = argv.get(i + 1) {
            let _ = std::fs::remove_file(file);
        }
    }
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}

/// Run `argv` `runs` times (after 5 warm-up runs) and summarise the wall times.
fn measure(case: &'static str, tool: &str, argv: &[String], runs: usize) -> Row {
    let (warmups, runs) = schedule(case, runs);
    for _ in 0..warmups {
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
    fresh_output(argv);
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
    fresh_output(argv);
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
        "# rq benchmarks\n\nMachine: {} cores. Each command ran {runs} times after 5 warm-ups \
         (cases that move 1 GiB: at most {BIG_RUNS} runs after 1); \
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
