//! Shared helpers for the integration tests: a hermetic `rq` command and the loopback server.
#![allow(dead_code)]

pub mod server;
pub mod tls;

use std::process::{Command, Output, Stdio};

pub use server::{Response, Server, Then};

/// The rq binary with a clean environment: no HOME, config, colour or proxy settings leak in.
pub fn rq() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rq"));
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
        "REQUESTS_CA_BUNDLE",
        "XDG_CONFIG_HOME",
    ] {
        cmd.env_remove(var);
    }
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("RQ_") {
            cmd.env_remove(key);
        }
    }
    cmd.stdin(Stdio::null());
    cmd
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
    let curl = Command::new("sh")
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
    let mut cmd = Command::new("script");
    cmd.args(["-qefc", command_line, "/dev/null"]);
    for var in ["NO_COLOR", "HOME", "http_proxy", "HTTP_PROXY"] {
        cmd.env_remove(var);
    }
    cmd.env("TERM", "xterm-256color");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::null());
    let out = cmd.output().expect("script runs");
    (
        String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n"),
        out.status.code().unwrap_or(-1),
    )
}

/// The rq binary path, for shell command lines.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_rq")
}
