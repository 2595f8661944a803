//! The process environment, read once: terminals, environment variables and the home and
//! config directories. This is the only file that looks at them; everything else is handed
//! an [`Env`], so planning is a pure function of argv and this snapshot (and tests build
//! one by hand).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// After this long without stdin data, rq warns once that `-I` may be wanted (SPEC §1).
const STDIN_PATIENCE: Duration = Duration::from_secs(10);

/// Variables rq reads besides the ones with fields below: the proxy settings (SPEC §4; the
/// upper-case `HTTP_PROXY` is deliberately not among them) and the CA bundle paths.
const VARS: [&str; 9] = [
    "http_proxy",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
    "SSL_CERT_FILE",
    "REQUESTS_CA_BUNDLE",
];

/// Facts about the process environment that change behaviour.
#[derive(Debug, Clone)]
pub struct Env {
    pub stdin_tty: bool,
    pub stdout_tty: bool,
    pub stderr_tty: bool,
    /// `NO_COLOR` is set and non-empty.
    pub no_color: bool,
    /// `TERM=dumb`.
    pub term_dumb: bool,
    /// `CONFIG` of SPEC §7: `$RQ_CONFIG_DIR`, else the platform config directory + `/rq`.
    pub config_dir: Option<PathBuf>,
    /// `$HOME` when set and not empty, else the account's home directory.
    pub home: Option<PathBuf>,
    /// `$NETRC`, when set and not empty.
    pub netrc: Option<PathBuf>,
    /// The non-empty values of [`VARS`].
    pub vars: Vec<(&'static str, String)>,
    /// How long stdin may stay silent before the `-I` warning: 10 s, unless the hidden
    /// variable `RQ_STDIN_WARN_AFTER_MS` holds a number of milliseconds. A testing knob, not
    /// a setting: it lets the test of the warning run in milliseconds.
    pub stdin_patience: Duration,
    /// What one second of waiting between OAuth 2 device-grant polls lasts: a second,
    /// unless the hidden variable `RQ_OAUTH2_SECOND_MS` holds a number of milliseconds. A
    /// testing knob, not a setting: it lets the tests of the polling rules run in
    /// milliseconds while the server still checks the intervals it asked for.
    pub oauth2_second: Duration,
    /// When rq started: `--max-time` counts from here, so it bounds a wait for stdin too.
    pub started: Instant,
}

impl Default for Env {
    /// Nothing is a terminal, nothing is set, and the clock starts now.
    fn default() -> Env {
        Env {
            stdin_tty: false,
            stdout_tty: false,
            stderr_tty: false,
            no_color: false,
            term_dumb: false,
            config_dir: None,
            home: None,
            netrc: None,
            vars: Vec::new(),
            stdin_patience: STDIN_PATIENCE,
            oauth2_second: Duration::from_secs(1),
            started: Instant::now(),
        }
    }
}

impl Env {
    pub fn detect() -> Env {
        let path = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let started = Instant::now();
        Env {
            started,
            stdin_tty: std::io::stdin().is_terminal(),
            stdout_tty: std::io::stdout().is_terminal(),
            stderr_tty: std::io::stderr().is_terminal(),
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            term_dumb: std::env::var_os("TERM").is_some_and(|v| v == "dumb"),
            config_dir: path("RQ_CONFIG_DIR").or_else(|| dirs::config_dir().map(|d| d.join("rq"))),
            home: path("HOME").or_else(dirs::home_dir),
            netrc: path("NETRC"),
            vars: VARS
                .iter()
                .filter_map(|&name| {
                    let value = std::env::var(name).ok().filter(|v| !v.is_empty())?;
                    Some((name, value))
                })
                .collect(),
            stdin_patience: std::env::var("RQ_STDIN_WARN_AFTER_MS")
                .ok()
                .and_then(|ms| ms.parse().ok())
                .map_or(STDIN_PATIENCE, Duration::from_millis),
            oauth2_second: std::env::var("RQ_OAUTH2_SECOND_MS")
                .ok()
                .and_then(|ms| ms.parse().ok())
                .map_or(Duration::from_secs(1), Duration::from_millis),
        }
    }

    /// The value of one of the variables rq reads (proxies, CA bundles), if set and not
    /// empty.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}
