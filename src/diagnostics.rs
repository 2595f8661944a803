//! What rq says on stderr besides the printed exchange: warnings, progress bars, the
//! download summary, the failed-status warning and `--debug` lines. The `-q`/`-qq` policy
//! is decided once, by the plan, into one [`Diagnostics`] value that every layer asks.

use std::fmt::Display;

/// Which kinds of stderr output are on for this invocation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Diagnostics {
    /// `rq: warning: …` lines (off with `-qq`).
    pub warnings: bool,
    /// Progress bars for downloads and large uploads (stderr is a terminal, no `-q`).
    pub progress: bool,
    /// The one-line summary after `-d` or `-c` (no `-q`).
    pub summary: bool,
    /// `rq: warning: HTTP 404 Not Found` for a failed status when the exchange is not shown
    /// on a terminal, or `-q` hides it there (off with `-qq`).
    pub status: bool,
    /// `--debug`: what rq decides, on stderr.
    pub debug: bool,
}

impl Diagnostics {
    /// The policy: `quiet` counts `-q`; `stderr_tty` says whether bars can be drawn;
    /// `terminal` whether the exchange is shown on a terminal; `saves` whether the
    /// invocation is a download (`-d`) or a resume (`-c`).
    pub fn new(quiet: u8, stderr_tty: bool, terminal: bool, saves: bool, debug: bool) -> Self {
        Diagnostics {
            warnings: quiet < 2,
            progress: stderr_tty && quiet == 0,
            summary: saves && quiet == 0,
            // At a terminal the status line shows the failure, unless -q hid it.
            status: (!terminal || quiet > 0) && quiet < 2,
            debug,
        }
    }

    /// `rq: warning: MESSAGE`, unless warnings are off.
    pub fn warn(&self, message: impl Display) {
        if self.warnings {
            eprintln!("rq: warning: {message}");
        }
    }

    /// `rq: debug: MESSAGE` with `--debug`.
    pub fn debug(&self, message: impl Display) {
        if self.debug {
            eprintln!("rq: debug: {message}");
        }
    }

    /// The warning for a failed status (`--check-status`), when it is due.
    pub fn failed_status(&self, status: u16) {
        if self.status {
            let reason = http::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("");
            eprintln!("rq: warning: HTTP {status} {reason}");
        }
    }

    /// The warning for a body whose `Content-Encoding` rq can't undo; `what` says what
    /// happens to it ("shown", "saved").
    pub fn unknown_encoding(&self, unknown: &[String], what: &str) {
        if !unknown.is_empty() {
            self.warn(format_args!(
                "unknown Content-Encoding '{}': the body is {what} as received",
                unknown.join(", ")
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_levels_table() {
        // (quiet, stderr_tty, terminal, saves) -> (warnings, progress, summary, status)
        let cases = [
            ((0, true, true, true), (true, true, true, false)),
            ((0, false, false, false), (true, false, false, true)),
            ((1, true, false, true), (true, false, false, true)),
            ((1, true, true, false), (true, false, false, true)),
            ((2, true, true, false), (false, false, false, false)),
            ((2, true, false, true), (false, false, false, false)),
        ];
        for ((q, tty, term, saves), want) in cases {
            let d = Diagnostics::new(q, tty, term, saves, false);
            assert_eq!(
                (d.warnings, d.progress, d.summary, d.status),
                want,
                "-q x{q}, stderr tty {tty}, terminal {term}, saves {saves}"
            );
        }
    }
}
