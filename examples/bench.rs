//! `make bench`: rq against curl (and xh or httpie when installed) on the same work, in
//! one run, against a local server this program starts itself.
//!
//! Each case runs every tool `--runs` times after a warm-up, with stdout piped and read to
//! the end, and reports the median and 90th percentile wall time, the ratio to curl, and
//! the peak RSS of the client (from `wait4`-style accounting via `/usr/bin/time` when it is
//! installed). The table is printed and written to `bench/RESULTS.md`.
//!
//! Usage: `cargo run --release --example bench -- [--runs N] [--rq PATH] [CASE ...]`
//! Cases: `small-json`, `https-json`, `h2-json`, `download-1g`, `h2-download-1g`,
//! `upload-1g`, `format-json`, `format-memory`, `format-1g` (default: all). The `h2-*` cases
//! need nginx: it serves them over TLS with `http2`, and every client negotiates HTTP/2 by
//! ALPN. The `format-*` cases print a generated JSON array with `--pretty=all` to a
//! file (`> FILE` at the end of an argv means that) and report input throughput as well.
//! `download-1g` is served by nginx with sendfile when it is installed (`apt-get install
//! nginx-light`; it is started and stopped here, on a free port), so on a small machine the
//! server does not take the CPU the clients need; otherwise by the built-in server.

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
    /// The tool whose row is the floor for this case (the least any program could take for
    /// the same work), when it has one; the table then has a "vs floor" column.
    floor: Option<&'static str>,
}

struct Row {
    case: &'static str,
    tool: String,
    median: Duration,
    p90: Duration,
    /// The fastest run: the figure least moved by other load on the machine.
    best: Duration,
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
    // nginx with sendfile when installed, so the server costs next to no CPU on a small
    // machine; else the built-in server, which writes from memory in 1 MiB pieces.
    let leaf = ca.server(&["127.0.0.1"]);
    let nginx = ["download-1g", "h2-json", "h2-download-1g"]
        .into_iter()
        .any(want)
        .then(|| Nginx::start(&scratch, &leaf))
        .flatten();
    if want("download-1g") {
        let url = nginx
            .as_ref()
            .map_or_else(|| big.url("/1g.bin"), |n| n.url("/1g.bin"));
        cases.push(download_1g(&rq, &url, &scratch, nginx.is_some()));
    }
    if let Some(n) = nginx.as_ref() {
        if want("h2-json") {
            cases.push(h2_json(&rq, &n.h2_url("/small.json"), &ca_pem));
        }
        if want("h2-download-1g") {
            cases.push(h2_download_1g(&rq, &n.h2_url("/1g.bin"), &scratch, &ca_pem));
        }
    }
    let sink = upload_sink();
    if want("upload-1g") {
        cases.push(upload_1g(&rq, &sink.url("/upload"), &scratch));
    }
    // The formatter: a generated JSON array, streamed by the server as it is written (never
    // held whole), and the same bytes in a file for jq, which reads from disk.
    let doc = Server::http(|r| {
        let blocks = if r.path == "/1g.json" {
            GIB_BLOCKS
        } else {
            FORMAT_BLOCKS
        };
        Response::new(200)
            .header("Content-Type", "application/json")
            .stream(doc_len(blocks), move |w| write_doc(w, blocks))
    });
    if want("format-json") {
        cases.push(format_json(&rq, &doc.url("/60m.json"), &scratch));
    }
    if want("format-1g") {
        cases.push(format_1g(&rq, &doc.url("/1g.json"), &scratch));
    }
    let in_memory = want("format-memory").then(|| format_memory(runs));
    let mut rows = Vec::new();
    for case in cases
        .iter()
        .filter(|c| wanted.is_empty() || wanted.iter().any(|w| w == c.name))
    {
        eprintln!("== {}: {}", case.name, case.what);
        for row in measure(case, runs) {
            let tool = &row.tool;
            eprintln!(
                "   {:<6} median {:>8.2} ms   p90 {:>8.2} ms   best {:>8.2} ms",
                tool,
                ms(row.median),
                ms(row.p90),
                ms(row.best)
            );
            rows.push(row);
        }
    }
    if let Some((case, row)) = in_memory {
        rows.push(row);
        cases.push(case);
    }
    let sizes = binary_sizes(&rq, &scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    let table = render(&rows, &cases, runs, &sizes);
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
        // -I: stdin is not a terminal here, and xh would otherwise send it as a body.
        let argv = ["xh", "-I", url].map(String::from);
        commands.push(("xh".into(), argv.to_vec()));
    }
    if on_path("http") {
        commands.push(("httpie".into(), vec!["http".into(), url.to_string()]));
    }
    // Start-up alone, and the floor: a C program that does nothing (exec, dynamic loading,
    // exit), so the distance from any process to the least one can cost is visible.
    let version = vec![rq.display().to_string(), "--version".into()];
    commands.push(("rq --version".into(), version));
    if let Some(true_bin) = ["/bin/true", "/usr/bin/true"]
        .into_iter()
        .find(|p| Path::new(p).exists())
    {
        commands.push(("true".into(), vec![true_bin.to_string()]));
    }
    Case {
        name: "small-json",
        what: "GET of a 64-byte JSON document from 127.0.0.1, stdout piped; `rq --version` \
               (start-up alone) and `/bin/true` (the floor: a C process that does nothing) \
               beside them",
        commands,
        floor: Some("true"),
    }
}

/// A GET over TLS by each tool, checking the server against the CA file `ca` (curl
/// `--cacert`, rq and xh `--verify`); `curl_extra` goes before curl's other options.
fn tls_get(rq: &Path, url: &str, ca: &Path, curl_extra: &[&str]) -> Vec<(String, Vec<String>)> {
    let ca = ca.display().to_string();
    let rq = rq.display().to_string();
    let argv = |words: &[&str]| words.iter().map(|w| w.to_string()).collect::<Vec<_>>();
    let curl = [&["curl", "-s"][..], curl_extra, &["--cacert", &ca, url]].concat();
    let mut commands = vec![
        ("rq".to_string(), argv(&[&rq, "--verify", &ca, url])),
        ("curl".to_string(), argv(&curl)),
    ];
    if on_path("xh") {
        // -I: stdin is not a terminal here, and xh would otherwise send it as a body.
        commands.push(("xh".into(), argv(&["xh", "-I", "--verify", &ca, url])));
    }
    commands
}

/// The same GET over TLS; every tool verifies the server against the same CA file (curl
/// `--cacert`, rq and xh `--verify`), so each does a full handshake and certificate check.
fn https_json(rq: &Path, url: &str, ca: &Path) -> Case {
    let commands = tls_get(rq, url, ca, &[]);
    Case {
        name: "https-json",
        what: "GET of the same JSON document over TLS 1.3 from 127.0.0.1 (new connection and \
               handshake each run, certificate checked against a CA file), stdout piped",
        commands,
        floor: None,
    }
}

const GIB: u64 = 1 << 30;

/// Cases that move 1 GiB run this many times at most, after one warm-up.
const BIG_RUNS: usize = 11;

/// (warm-ups, runs) for a case.
fn schedule(case: &str, runs: usize) -> (usize, usize) {
    match case {
        // 1 GiB in, several GB of coloured text out: a run takes seconds.
        "format-1g" => (0, runs.min(3)),
        "format-json" => (1, runs.min(FORMAT_RUNS)),
        "format-memory" => (2, runs.min(20)),
        _ if case.ends_with("-1g") => (1, runs.min(BIG_RUNS)),
        _ => (5, runs),
    }
}

/// The 60 MB formatter case runs this many times at most, after one warm-up.
const FORMAT_RUNS: usize = 5;

/// Bytes of JSON a case feeds the tools, for the throughput column.
fn input_bytes(case: &str) -> Option<u64> {
    match case {
        "format-json" | "format-memory" => Some(doc_len(FORMAT_BLOCKS)),
        "format-1g" => Some(doc_len(GIB_BLOCKS)),
        _ => None,
    }
}

/// The generated document is `[`, this many copies of [`doc_block`], one last item and `]`:
/// about 60 MB, and 1 GiB.
const FORMAT_BLOCKS: u64 = 57;
const GIB_BLOCKS: u64 = 1024;

/// About 1 MiB of array items, each followed by a comma: objects with strings (one with
/// escapes and non-ASCII text), integers, decimals, literals and nested arrays and objects,
/// the mix of a typical API response.
fn doc_block() -> &'static [u8] {
    static BLOCK: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BLOCK.get_or_init(|| {
        let mut block = Vec::with_capacity(1 << 20);
        let mut i = 0u64;
        while block.len() < (1 << 20) - 512 {
            block.extend_from_slice(doc_item(i).as_bytes());
            block.push(b',');
            i += 1;
        }
        block
    })
}

fn doc_item(i: u64) -> String {
    format!(
        r#"{{"id":{i},"name":"user {i}","email":"user.{i}@example.org","score":{}.{:02},"active":{},"tags":["alpha","beta",{}],"nested":{{"x":[1,2,3],"y":null,"note":"caf\u00e9 ü \"q\""}}}}"#,
        i % 1000,
        i % 100,
        i % 2 == 1,
        i % 7
    )
}

fn doc_len(blocks: u64) -> u64 {
    2 + blocks * doc_block().len() as u64 + doc_item(0).len() as u64
}

fn write_doc(w: &mut dyn Write, blocks: u64) -> io::Result<()> {
    w.write_all(b"[")?;
    for _ in 0..blocks {
        w.write_all(doc_block())?;
    }
    w.write_all(doc_item(0).as_bytes())?;
    w.write_all(b"]")
}

/// `ARGV > FILE`, as a shell would run it.
fn redirected(argv: Vec<String>, file: &Path) -> Vec<String> {
    let mut argv = argv;
    argv.extend([">".to_string(), file.display().to_string()]);
    argv
}

fn format_json(rq: &Path, url: &str, dir: &Path) -> Case {
    let input = dir.join("format.json");
    let mut file = io::BufWriter::new(std::fs::File::create(&input).expect("create format.json"));
    write_doc(&mut file, FORMAT_BLOCKS).expect("write format.json");
    file.flush().expect("write format.json");
    let out = |tool: &str| dir.join(format!("format-{tool}.out"));
    let rq_argv = [&rq.display().to_string(), "--pretty=all", url].map(String::from);
    let mut commands = vec![
        ("rq".to_string(), redirected(rq_argv.to_vec(), &out("rq"))),
        (
            "curl".to_string(),
            redirected(["curl", "-s", url].map(String::from).to_vec(), &out("curl")),
        ),
    ];
    if on_path("jq") {
        let argv = ["jq", "-C", ".", &input.display().to_string()].map(String::from);
        commands.push(("jq -C".into(), redirected(argv.to_vec(), &out("jq"))));
    }
    if on_path("xh") {
        let argv = ["xh", "-I", "--pretty=all", url].map(String::from);
        commands.push(("xh".into(), redirected(argv.to_vec(), &out("xh"))));
    }
    Case {
        name: "format-json",
        what: "a generated 60 MB JSON array printed with colours and indentation to a file \
               (`rq --pretty=all URL > FILE`; curl only transfers it; jq -C reads the same \
               bytes from a file); at most 5 runs after 1 warm-up",
        commands,
        floor: None,
    }
}

fn format_1g(rq: &Path, url: &str, dir: &Path) -> Case {
    let out = dir.join("format-1g.out");
    let argv = [&rq.display().to_string(), "--pretty=all", url].map(String::from);
    Case {
        name: "format-1g",
        what: "a generated 1 GiB JSON array through `rq --pretty=all URL > FILE`: memory must \
               stay bounded whatever the size; at most 3 runs",
        commands: vec![("rq".to_string(), redirected(argv.to_vec(), &out))],
        floor: None,
    }
}

/// The formatter alone: the 60 MB document, already in memory, fed to rq's JSON formatter
/// in 64 KiB chunks (the size the printer reads) with the default theme's colours, into a
/// writer that discards it. No process, socket or file: the formatter's own throughput.
fn format_memory(runs: usize) -> (Case, Row) {
    use rq::print::json::{JsonFormatter, JsonOptions};
    use rq::print::theme::{Theme, ThemeName};
    let mut doc = Vec::with_capacity(doc_len(FORMAT_BLOCKS) as usize);
    write_doc(&mut doc, FORMAT_BLOCKS).expect("generate the document");
    let opts = JsonOptions {
        colors: Some(Theme::of(ThemeName::Auto).json),
        ..JsonOptions::default()
    };
    let once = || {
        let (started, cpu) = (Instant::now(), thread_cpu());
        let mut f = JsonFormatter::new(io::sink(), opts.clone());
        for chunk in doc.chunks(64 * 1024) {
            f.write_chunk(chunk).expect("format");
        }
        f.finish().expect("format");
        match (cpu, thread_cpu()) {
            (Some(a), Some(b)) => b - a,
            _ => started.elapsed(),
        }
    };
    eprintln!("== format-memory: the formatter alone, from memory");
    let (warmups, runs) = schedule("format-memory", runs);
    for _ in 0..warmups {
        once();
    }
    let mut times: Vec<Duration> = (0..runs).map(|_| once()).collect();
    times.sort();
    let row = Row {
        case: "format-memory",
        tool: "rq".into(),
        median: times[times.len() / 2],
        best: times[0],
        p90: times[times.len() * 9 / 10],
        rss_kib: None,
    };
    eprintln!(
        "   rq     median {:>8.2} ms   p90 {:>8.2} ms   best {:>8.2} ms",
        ms(row.median),
        ms(row.p90),
        ms(row.best)
    );
    let case = Case {
        name: "format-memory",
        what: "the formatter alone: the same 60 MB document fed from memory to rq's JSON \
               formatter in 64 KiB chunks, colours and indentation, output discarded (no \
               process, network or file); CPU time of the formatting thread, so other load \
               on the machine does not stretch it; 20 runs after 2 warm-ups",
        commands: Vec::new(),
        floor: None,
    };
    (case, row)
}

/// CPU time this thread has run (Linux's schedstat): unlike wall time, not stretched when
/// other processes share the cores.
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// The download server's body: 1 GiB in 1 MiB writes, so the server is never what limits.
fn write_gib(w: &mut dyn Write) -> io::Result<()> {
    let chunk = vec![0x5a_u8; 1 << 20];
    for _ in 0..GIB / (1 << 20) {
        w.write_all(&chunk)?;
    }
    Ok(())
}

/// `DIR/1g.bin`: 1 GiB to upload, and for nginx to serve; written once per bench run.
fn gib_file(dir: &Path) -> PathBuf {
    let path = dir.join("1g.bin");
    if std::fs::metadata(&path).is_ok_and(|m| m.len() == GIB) {
        return path;
    }
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create 1g.bin"));
    let chunk: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
    for _ in 0..GIB / (1 << 20) {
        file.write_all(&chunk).expect("write 1g.bin");
    }
    file.flush().expect("write 1g.bin");
    // On disk before anything is timed: otherwise the kernel writes it back in the middle of
    // the runs, competing with the tools for CPU and I/O.
    let _ = file.get_ref().sync_all();
    path
}

/// nginx serving `DIR/1g.bin` and `DIR/small.json` on free ports: plain HTTP with
/// sendfile, and TLS with `http2` (certificate `leaf`); stopped when dropped.
struct Nginx {
    child: std::process::Child,
    port: u16,
    h2_port: u16,
}

fn free_port() -> Option<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").ok()?;
    Some(listener.local_addr().ok()?.port())
}

impl Nginx {
    /// `None` when nginx is not installed or does not come up within two seconds.
    fn start(dir: &Path, leaf: &tls::Leaf) -> Option<Nginx> {
        let bin = ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]
            .into_iter()
            .find(|p| Path::new(p).exists())?;
        gib_file(dir);
        std::fs::write(dir.join("small.json"), SMALL_JSON).ok()?;
        std::fs::write(dir.join("cert.pem"), &leaf.cert_pem).ok()?;
        std::fs::write(dir.join("key.pem"), &leaf.key_pem).ok()?;
        let (port, h2_port) = (free_port()?, free_port()?);
        let d = dir.display();
        let conf = format!(
            "daemon off; master_process off; worker_processes 1; pid {d}/nginx.pid;\n\
             error_log {d}/nginx-error.log;\n\
             events {{ worker_connections 64; }}\n\
             http {{ access_log off; sendfile on; tcp_nopush on;\n\
             client_body_temp_path {d}/nginx-tmp; proxy_temp_path {d}/nginx-tmp;\n\
             fastcgi_temp_path {d}/nginx-tmp; uwsgi_temp_path {d}/nginx-tmp;\n\
             scgi_temp_path {d}/nginx-tmp;\n\
             types {{ application/octet-stream bin; application/json json; }}\n\
             server {{ listen 127.0.0.1:{port}; root {d}; }}\n\
             server {{ listen 127.0.0.1:{h2_port} ssl http2; root {d};\n\
             ssl_certificate {d}/cert.pem; ssl_certificate_key {d}/key.pem; }} }}\n"
        );
        std::fs::write(dir.join("nginx.conf"), conf).ok()?;
        let child = Command::new(bin)
            .arg("-e")
            .arg(dir.join("nginx-error.log"))
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let nginx = Nginx {
            child,
            port,
            h2_port,
        };
        for _ in 0..200 {
            let up = |p| std::net::TcpStream::connect(("127.0.0.1", p)).is_ok();
            if up(port) && up(h2_port) {
                return Some(nginx);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        eprintln!("bench: nginx did not start; using the built-in server");
        None
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn h2_url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.h2_port)
    }
}

/// A small GET over HTTP/2 with TLS: a new connection, handshake and ALPN each run.
fn h2_json(rq: &Path, url: &str, ca: &Path) -> Case {
    let commands = tls_get(rq, url, ca, &["--http2"]);
    Case {
        name: "h2-json",
        what: "GET of the same JSON document from nginx over HTTP/2 and TLS on 127.0.0.1 (new \
               connection, handshake and ALPN each run, certificate checked against a CA file), \
               stdout piped",
        commands,
        floor: None,
    }
}

/// 1 GiB over HTTP/2 and TLS from nginx to a file.
fn h2_download_1g(rq: &Path, url: &str, dir: &Path, ca: &Path) -> Case {
    let file = |tool: &str| dir.join(format!("{tool}.bin")).display().to_string();
    let ca = ca.display().to_string();
    let rq = rq.display().to_string();
    let mut commands = vec![
        (
            "rq".to_string(),
            [rq.as_str(), "--verify", &ca, "-d", "-o", &file("rq"), url]
                .map(String::from)
                .to_vec(),
        ),
        (
            "curl".to_string(),
            [
                "curl",
                "-s",
                "--http2",
                "--cacert",
                &ca,
                "-o",
                &file("curl"),
                url,
            ]
            .map(String::from)
            .to_vec(),
        ),
    ];
    if on_path("xh") {
        let argv = ["xh", "-I", "--verify", &ca, "-d", "-o", &file("xh"), url];
        commands.push(("xh".into(), argv.map(String::from).to_vec()));
    }
    Case {
        name: "h2-download-1g",
        what: "1 GiB download from nginx over HTTP/2 and TLS on 127.0.0.1 to a file (`rq -d -o \
               FILE`, `curl -s --http2 -o FILE`); the file is removed before each run; at most 11 \
               runs after 1 warm-up",
        commands,
        floor: None,
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn download_1g(rq: &Path, url: &str, dir: &Path, nginx: bool) -> Case {
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
        // -I: stdin is not a terminal here, and xh would otherwise send it as a body.
        let argv = ["xh", "-I", "-d", "-o", &file("xh"), url].map(String::from);
        commands.push(("xh".into(), argv.to_vec()));
    }
    // The floor: 1 GiB written into the same directory with no network at all, so what is
    // left above it is the client's own cost.
    let of = format!("of={}", file("dd"));
    let dd = ["dd", "if=/dev/zero", &of, "bs=1M", "count=1024"].map(String::from);
    commands.push(("dd".into(), dd.to_vec()));
    let what = match nginx {
        true => {
            "1 GiB download from nginx (sendfile) on 127.0.0.1 to a file (`rq -d -o FILE`, \
             `curl -s -o FILE`), beside the floor: `dd if=/dev/zero of=FILE bs=1M count=1024` \
             into the same directory; each run starts with the file removed and the page \
             cache's dirty pages written back (`sync`, not timed), so no run pays for the last \
             one's writeback; at most 11 runs after 1 warm-up"
        }
        false => {
            "1 GiB download from the built-in server on 127.0.0.1 (nginx is not installed) to \
             a file (`rq -d -o FILE`, `curl -s -o FILE`), beside the floor: `dd \
             if=/dev/zero of=FILE bs=1M count=1024` into the same directory; each run starts \
             with the file removed and dirty pages written back (`sync`, not timed); at most \
             11 runs after 1 warm-up"
        }
    };
    Case {
        name: "download-1g",
        what,
        commands,
        floor: Some("dd"),
    }
}

fn upload_1g(rq: &Path, url: &str, dir: &Path) -> Case {
    let path = gib_file(dir).display().to_string();
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
               `curl -s -F file=@PATH`); at most 11 runs after 1 warm-up",
        commands,
        floor: None,
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

/// The file a command writes with `-o` (or dd's `of=`), removed before each run: every run
/// is a fresh download, and no tool pays for truncating the previous one's file. Then the
/// dirty pages of the page cache are written back (`sync`, before the clock starts): a
/// gigabyte left dirty by the previous run would otherwise be written back during this one,
/// or throttle it.
fn fresh_output(argv: &[String]) {
    let named = argv
        .iter()
        .position(|a| a == "-o")
        .and_then(|i| argv.get(i + 1));
    let file = named.or_else(|| argv.iter().find(|a| a.starts_with("of=")));
    if let Some(file) = file {
        let _ = std::fs::remove_file(file.strip_prefix("of=").unwrap_or(file));
        let _ = Command::new("sync").status();
    }
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}

/// Run every tool of `case` `runs` times after the warm-ups and summarise the wall times.
/// The tools take turns, round by round (starting with a different one each round), so a
/// busy moment on the machine slows them alike and the ratios stay fair.
fn measure(case: &Case, runs: usize) -> Vec<Row> {
    let (warmups, runs) = schedule(case.name, runs);
    let tools = &case.commands;
    for (_, argv) in tools {
        for _ in 0..warmups {
            run_once(argv);
        }
    }
    let mut times = vec![Vec::with_capacity(runs); tools.len()];
    for round in 0..runs {
        for k in 0..tools.len() {
            let i = (round + k) % tools.len();
            times[i].push(run_once(&tools[i].1));
        }
    }
    let rows = tools.iter().zip(times).map(|((tool, argv), mut times)| {
        times.sort();
        Row {
            case: case.name,
            tool: tool.to_string(),
            median: times[times.len() / 2],
            best: times[0],
            p90: times[times.len() * 9 / 10],
            rss_kib: peak_rss(argv),
        }
    });
    rows.collect()
}

/// Split `ARGV > FILE` into the command and a fresh (removed, then created) FILE.
fn stdout_file(argv: &[String]) -> (&[String], Option<std::fs::File>) {
    match argv {
        [cmd @ .., redirect, file] if redirect == ">" => {
            let _ = std::fs::remove_file(file);
            // As for downloads: no run pays for the previous one's writeback.
            let _ = Command::new("sync").status();
            let f = std::fs::File::create(file).expect("create the output file");
            (cmd, Some(f))
        }
        _ => (argv, None),
    }
}

fn run_once(argv: &[String]) -> Duration {
    fresh_output(argv);
    let (argv, file) = stdout_file(argv);
    let started = Instant::now();
    let mut child = Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(Stdio::null())
        .stdout(file.map_or_else(Stdio::piped, Stdio::from))
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("bench: can't run {}: {e}", argv[0]));
    let mut sink = [0u8; 64 * 1024];
    if let Some(mut out) = child.stdout.take() {
        while out.read(&mut sink).map(|n| n > 0).unwrap_or(false) {}
    }
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
    let (argv, file) = stdout_file(argv);
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .args(argv)
        .stdin(Stdio::null())
        .stdout(file.map_or_else(Stdio::null, Stdio::from))
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

fn render(rows: &[Row], cases: &[Case], runs: usize, sizes: &[(String, u64)]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# rq benchmarks\n\nMachine: {} cores. Each command ran {runs} times after 5 warm-ups \
         (cases that move 1 GiB: at most {BIG_RUNS} runs after 1), the tools of a case taking \
         turns run by run; wall time from spawn to exit with stdout piped and drained. Ratio = \
         tool median / curl median, or / the floor's median (lower is faster); best = the \
         fastest run. Regenerate with `make bench`.\n",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    if !sizes.is_empty() {
        let _ = writeln!(s, "## binary size\n\nThe executable, stripped (`strip`)\n");
        let _ = writeln!(s, "| tool | bytes | MB |\n|---|---:|---:|");
        for (tool, bytes) in sizes {
            let _ = writeln!(s, "| {tool} | {bytes} | {:.2} |", *bytes as f64 / 1e6);
        }
        let _ = writeln!(s);
    }
    for case in cases {
        let mine: Vec<&Row> = rows.iter().filter(|r| r.case == case.name).collect();
        if !mine.is_empty() {
            render_case(&mut s, case, &mine);
        }
    }
    s
}

fn render_case(s: &mut String, case: &Case, rows: &[&Row]) {
    let median_of = |tool: &str| rows.iter().find(|r| r.tool == tool).map(|r| r.median);
    let curl = median_of("curl");
    let floor = case.floor.and_then(median_of);
    let _ = writeln!(s, "## {}\n\n{}\n", case.name, case.what);
    let input = input_bytes(case.name);
    let mut head = "| tool | median | p90 | best | vs curl |".to_string();
    let mut line = "|---|---:|---:|---:|---:|".to_string();
    if floor.is_some() {
        head += " vs floor |";
        line += "---:|";
    }
    head += " peak RSS |";
    line += "---:|";
    if input.is_some() {
        head += " input MB/s | best MB/s |";
        line += "---:|---:|";
    }
    let _ = writeln!(s, "{head}\n{line}");
    let ratio = |r: &Row, to: Option<Duration>| {
        to.map_or("-".into(), |c| {
            format!("{:.2}×", r.median.as_secs_f64() / c.as_secs_f64())
        })
    };
    for r in rows {
        let mut cells = format!(
            "| {} | {:.2} ms | {:.2} ms | {:.2} ms | {} |",
            r.tool,
            ms(r.median),
            ms(r.p90),
            ms(r.best),
            ratio(r, curl)
        );
        if floor.is_some() {
            cells += &format!(" {} |", ratio(r, floor));
        }
        let rss = r
            .rss_kib
            .map_or("-".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0));
        cells += &format!(" {rss} |");
        if let Some(n) = input {
            let rate = |d: Duration| n as f64 / 1e6 / d.as_secs_f64();
            cells += &format!(" {:.0} | {:.0} |", rate(r.median), rate(r.best));
        }
        let _ = writeln!(s, "{cells}");
    }
    let _ = writeln!(s);
}

/// The size of each binary stripped (a stripped copy, when `strip` is installed; else the
/// file as it is): rq's, and xh's when it is on PATH.
fn binary_sizes(rq: &Path, dir: &Path) -> Vec<(String, u64)> {
    let mut bins = vec![("rq".to_string(), rq.to_path_buf())];
    let xh = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("xh"))
            .find(|p| p.is_file())
    });
    bins.extend(xh.map(|p| ("xh".to_string(), p)));
    let stripped = |name: &str, path: &Path| {
        let copy = dir.join(format!("{name}.stripped"));
        let ok = Command::new("strip")
            .arg("-o")
            .arg(&copy)
            .arg(path)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        let size = std::fs::metadata(if ok { &copy } else { path }).ok()?.len();
        Some((name.to_string(), size))
    };
    bins.iter().filter_map(|(n, p)| stripped(n, p)).collect()
}
