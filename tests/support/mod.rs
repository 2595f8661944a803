//! Shared helpers for the integration tests: a hermetic `rq` command and the loopback server.
#![allow(dead_code)]

pub mod oauth;
pub mod server;
pub mod tls;

use std::process::{Command, Output, Stdio};
use std::time::Duration;

pub use server::{Response, Server, Then};

/// The rq binary with a clean environment: see [`hermetic`].
pub fn rq() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rq"));
    hermetic(&mut cmd);
    cmd
}

thread_local! {
    /// The directories [`hermetic`] made on this thread; removed when the thread (the test)
    /// ends, so they outlive every rq the test started and waited for.
    static FRESH_DIRS: std::cell::RefCell<Vec<tempfile::TempDir>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Makes `cmd` (rq itself, or a shell or tool that runs it) independent of the developer's
/// environment: no colour, terminal size, proxy, CA or `RQ_*` settings leak in, stdin is
/// empty, and `HOME` and `RQ_CONFIG_DIR` are fresh empty directories of their own.
/// Removing `HOME` is not enough: the home directory would then come from the password
/// database, and with it the real `~/.config/rq/config.json` and `~/.netrc`. A test that
/// needs its own `HOME`, `RQ_CONFIG_DIR` or `NETRC` sets it afterwards, and its value wins.
pub fn hermetic(cmd: &mut Command) -> &mut Command {
    for var in [
        "HOME",
        "NO_COLOR",
        "TERM",
        "NETRC",
        "http_proxy",
        "https_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "REQUESTS_CA_BUNDLE",
        "XDG_CONFIG_HOME",
        // The width clap wraps help text to.
        "COLUMNS",
        "LINES",
        // curl's own configuration, for the tests that run the command rq prints.
        "CURL_HOME",
    ] {
        cmd.env_remove(var);
    }
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("RQ_") {
            cmd.env_remove(key);
        }
    }
    let dir = tempfile::Builder::new()
        .prefix("rq-test-home-")
        .tempdir()
        .expect("a temporary directory");
    let (home, config) = (dir.path().join("home"), dir.path().join("config"));
    for path in [&home, &config] {
        std::fs::create_dir(path).expect("a temporary directory");
    }
    cmd.env("HOME", home).env("RQ_CONFIG_DIR", config);
    cmd.stdin(Stdio::null());
    FRESH_DIRS.with(|dirs| dirs.borrow_mut().push(dir));
    cmd
}

/// Whether a test can run, given that it needs `what` (a program, or e.g. an IPv6 loopback)
/// and whether that is `available` here. On a developer's machine a missing piece skips the
/// test, saying so loudly on stderr; under CI (`CI` set) it fails the test instead, because
/// `.ci/run` installs everything and a silent skip there would hide a broken setup.
#[track_caller]
pub fn require(what: &str, available: bool) -> bool {
    if available {
        return true;
    }
    let test = std::thread::current()
        .name()
        .unwrap_or("this test")
        .to_string();
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("{test} needs {what}, which is missing here; CI must have it (.ci/run installs it)");
    }
    eprintln!(
        "\n*** SKIPPED {test}: it needs {what}, which is missing here (.ci/run installs it) ***\n"
    );
    false
}

/// The path of the program `name` (searched in `PATH`, then `/usr/sbin` and `/usr/bin`; an
/// absolute path is taken as it is), or `None` after [`require`] let the test be skipped.
#[track_caller]
pub fn require_tool(name: &str) -> Option<std::path::PathBuf> {
    let path = find_tool(name);
    require(&format!("`{name}`"), path.is_some()).then(|| path.expect("found"))
}

/// The path of the program `name`, for the programs every machine that runs these tests has
/// (util-linux's `script`, `curl`): a missing one fails the test everywhere, naming it.
#[track_caller]
pub fn need_tool(name: &str) -> std::path::PathBuf {
    find_tool(name).unwrap_or_else(|| panic!("this test needs `{name}`, which is not installed"))
}

fn find_tool(name: &str) -> Option<std::path::PathBuf> {
    let name = std::path::Path::new(name);
    if name.is_absolute() {
        return name.is_file().then(|| name.to_path_buf());
    }
    let paths = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&paths)
        .chain(["/usr/sbin".into(), "/usr/bin".into()])
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// How much later than asked a timer of rq may fire in a test and still be on time: far more
/// than a loaded machine delays a process, far less than a timer off by a unit would take.
/// Timer tests assert "not before the budget" exactly and "not long after it" with this.
pub const LATE: Duration = Duration::from_secs(10);

/// Run rq with `args` against a server that never finishes, and check that it timed out
/// (exit 2) no sooner than `budget` and not [`LATE`] after it.
#[track_caller]
pub fn rq_times_out(args: &[&str], budget: Duration) -> Output {
    let started = std::time::Instant::now();
    let o = rq_with(args);
    let took = started.elapsed();
    assert_code(&o, 2);
    assert!(took >= budget, "fired early, after {took:?}");
    assert!(took < budget + LATE, "fired late, after {took:?}");
    o
}

/// How long a test server that stalls or drips keeps the connection at most, waiting for
/// rq to hang up. Far beyond every budget plus [`LATE`]: only rq's own timer can end such an
/// exchange in time, and a timer that never fires fails the test instead of hanging it.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// Reads from `sock` until rq hangs up (or [`PATIENCE`] runs out), discarding what arrives:
/// for servers that go silent.
pub fn hold_until_hangup(sock: &std::net::TcpStream) {
    let _ = sock.set_read_timeout(Some(PATIENCE));
    let _ = std::io::copy(&mut &*sock, &mut std::io::sink());
}

/// Calls `drip` every `gap` until it fails (rq has hung up) or [`PATIENCE`] runs out: for
/// servers that keep a connection busy without ever finishing.
pub fn drip_until_hangup(gap: Duration, mut drip: impl FnMut() -> std::io::Result<()>) {
    let started = std::time::Instant::now();
    while started.elapsed() < PATIENCE && drip().is_ok() {
        std::thread::sleep(gap);
    }
}

/// A pipe already holding `data`, its writing end closed, to give rq as stdin: rq finds the
/// data there from its first look, however late a writer thread would have got to run.
pub fn filled_pipe(data: &str) -> Stdio {
    let mut writer = Command::new("printf")
        .args(["%s", data])
        .stdout(Stdio::piped())
        .spawn()
        .expect("printf runs");
    let pipe = writer.stdout.take().expect("a stdout pipe");
    assert!(writer.wait().expect("printf runs").success());
    Stdio::from(pipe)
}

/// A port on 127.0.0.1 where connections are refused for as long as this value lives.
///
/// A port found free and released could be bound by another test before rq connects. This
/// one is the local end of a connection of our own: bound, never listening, and not
/// shareable, so nobody can listen there in the meantime.
pub struct RefusedPort {
    pub port: u16,
    _ends: (std::net::TcpStream, std::net::TcpStream),
}

/// See [`RefusedPort`].
pub fn refused_port() -> RefusedPort {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let ours = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let theirs = listener.accept().unwrap().0;
    RefusedPort {
        port: ours.local_addr().unwrap().port(),
        _ends: (ours, theirs),
    }
}

impl RefusedPort {
    /// `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }
}

/// Run `cmd` and return its output.
pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("rq runs")
}

/// Run rq with `args` (stdin empty) and return its output.
pub fn rq_with(args: &[&str]) -> Output {
    run(rq().args(args))
}

/// Run rq with `args` and `input` written to its stdin (from another thread, so a large
/// input can't block against rq's output).
pub fn rq_with_stdin(args: &[&str], input: Vec<u8>) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = rq()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rq runs");
    let mut stdin = child.stdin.take().expect("a stdin pipe");
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let o = child.wait_with_output().expect("rq runs");
    writer.join().expect("the stdin writer");
    o
}

/// `rq --curl ARGS`, then the printed command run by `sh` with `--fail --silent` added;
/// returns the command line and curl's output, after checking both succeeded.
pub fn curl_of(args: &[&str]) -> (String, Output) {
    let o = rq_with(&[&["--curl"], args].concat());
    assert_code(&o, 0);
    let line = stdout(&o).trim().to_string();
    need_tool("curl");
    let curl = hermetic(&mut Command::new("sh"))
        .args(["-c", &format!("{line} --fail --silent")])
        .output()
        .expect("sh runs");
    assert!(curl.status.success(), "{line}");
    (line, curl)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Assert the exit code, showing stdout and stderr when it differs.
#[track_caller]
pub fn assert_code(o: &Output, code: i32) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "exit code\n--- stdout:\n{}\n--- stderr:\n{}",
        stdout(o),
        stderr(o)
    );
}

/// Run a shell command line under a pseudo-terminal (util-linux `script`), returning what
/// the terminal showed. Used for the behaviour rq has only on terminals.
pub fn in_terminal(command_line: &str, env: &[(&str, &str)]) -> (String, i32) {
    let mut cmd = Command::new(need_tool("script"));
    cmd.args(["-qefc", command_line, "/dev/null"]);
    // `script` runs the line with $SHELL: a plain POSIX shell, whatever the developer uses.
    hermetic(&mut cmd).env("SHELL", "/bin/sh");
    cmd.env("TERM", "xterm-256color");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("script runs");
    (
        String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n"),
        out.status.code().unwrap_or(-1),
    )
}

/// The rq binary path, for shell command lines (run them through [`in_terminal`], or a
/// command made [`hermetic`]).
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_rq")
}
