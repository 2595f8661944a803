//! Exit codes as a type, and the one classifier that maps any failure to them.
//!
//! SPEC §3 is the table. Every error in rq ends up as an `anyhow::Error`; the few whose
//! exit code matters carry a [`Failure`] somewhere in their chain, everything else that comes
//! from the network is classified by [`classify`] by looking for a [`Timeout`] inside (the
//! engine turns its library's timeouts into that type at its boundary).

use std::fmt;
use std::io;

/// The process exit codes of SPEC §3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    Ok = 0,
    /// Network, TLS, protocol or I/O error.
    Error = 1,
    Timeout = 2,
    Status3xx = 3,
    Status4xx = 4,
    Status5xx = 5,
    TooManyRedirects = 6,
    /// Bad option, bad request item, unreadable input: nothing was sent.
    Usage = 64,
    Interrupted = 130,
}

impl ExitCode {
    /// The exit code for a final response status when status checking is on.
    pub fn for_status(status: u16) -> ExitCode {
        match status {
            300..=399 => ExitCode::Status3xx,
            400..=499 => ExitCode::Status4xx,
            500..=599 => ExitCode::Status5xx,
            _ => ExitCode::Ok,
        }
    }
}

/// A failure whose exit code is known where it is raised.
#[derive(Debug)]
pub struct Failure {
    pub code: ExitCode,
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// A usage error (exit 64): nothing has been sent.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    Failure {
        code: ExitCode::Usage,
        message: message.into(),
    }
    .into()
}

/// A failure with an explicit exit code.
pub fn fail(code: ExitCode, message: impl Into<String>) -> anyhow::Error {
    Failure {
        code,
        message: message.into(),
    }
    .into()
}

/// Which exit code an error maps to. Typed [`Failure`]s win; then timeouts found anywhere
/// in the chain (alone, or wrapped in an `io::Error` by body readers);
/// everything else is a network/I/O error.
pub fn classify(err: &anyhow::Error) -> ExitCode {
    for cause in err.chain() {
        if let Some(f) = cause.downcast_ref::<Failure>() {
            return f.code;
        }
        if timeout_of(cause).is_some() {
            return ExitCode::Timeout;
        }
    }
    ExitCode::Error
}

/// Which timeout fired. The engine reports its timeouts as this type (alone or inside an
/// `io::Error`), so nothing above it needs to know the HTTP library's error types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeout {
    /// `--connect-timeout`: name resolution or connecting took too long.
    Connect,
    /// `--timeout`: no bytes for that long.
    Idle,
    /// `--max-time`: the whole exchange took too long.
    Whole,
}

impl Timeout {
    /// The timeout in the words of rq's options.
    pub fn describe(self) -> &'static str {
        match self {
            Timeout::Connect => "--connect-timeout (connection not established in time)",
            Timeout::Idle => "--timeout (no data received for that long)",
            Timeout::Whole => "--max-time (the whole exchange took too long)",
        }
    }

    /// As an `io::Error` of kind `TimedOut`, for readers and writers.
    pub fn into_io(self) -> io::Error {
        io::Error::new(io::ErrorKind::TimedOut, self)
    }
}

impl fmt::Display for Timeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

impl std::error::Error for Timeout {}

/// If `cause` is a timeout, say which one fired, in the words of rq's options.
pub fn timeout_of(cause: &(dyn std::error::Error + 'static)) -> Option<&'static str> {
    if let Some(t) = cause.downcast_ref::<Timeout>() {
        return Some(t.describe());
    }
    if let Some(io) = cause.downcast_ref::<io::Error>() {
        if let Some(inner) = io.get_ref() {
            return timeout_of(inner);
        }
        if matches!(
            io.kind(),
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
        ) {
            return Some(Timeout::Idle.describe());
        }
    }
    None
}

/// A one-line description of a network error, without the HTTP library's wording where a
/// plainer one exists.
pub fn describe(err: &anyhow::Error) -> String {
    for cause in err.chain() {
        if let Some(f) = cause.downcast_ref::<Failure>() {
            return f.message.clone();
        }
        if let Some(which) = timeout_of(cause) {
            // The outermost context names what was being done ("request to HOST failed",
            // "reading the body failed after N bytes"); the lower layers only repeat it.
            let what = err.to_string().replacen(" failed", "", 1);
            return format!("{what} timed out: {which}");
        }
    }
    let mut text = format!("{err:#}");
    // Keep it to one line whatever the lower layers said.
    text.retain(|c| c != '\n' && c != '\r');
    text
}
