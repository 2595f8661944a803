//! `Cli` → `Plan`: everything the rest of rq reads, fully resolved.
//!
//! This folder is the only code that reads [`Cli`] and the [`Env`] snapshot. The plan is
//! built once: method, URL, headers and body are lowered into one [`Request`] that
//! `--offline`, `--curl`, the engine and the printer all read (`request.rs`); the engine's
//! settings (`net.rs`), the printer's (`output.rs`), the download's (`download.rs`) and the
//! credentials' (`auth.rs`) are resolved beside it. A [`Plan`] is plain data; the mutable
//! per-run [`State`] (cookie jar, credentials, session) is returned next to it, for `run` to
//! own and lend to the engine's observers.

mod auth;
mod base;
mod download;
mod fromcurl;
mod net;
mod output;
mod request;
#[cfg(test)]
mod tests;

use anyhow::Result;

use crate::cli::Cli;
use crate::diagnostics::Diagnostics;
use crate::env::Env;
use crate::request::Request;
use crate::state::State;

/// The resolved invocation.
#[derive(Debug)]
pub struct Plan {
    pub request: Request,
    /// Further requests from a request file, sent in order after `request`.
    pub more: Vec<Request>,
    /// `--paginate`: follow `Link: rel="next"` headers.
    pub paginate: Option<Paginate>,
    pub mode: Mode,
    pub net: crate::engine::Settings,
    pub output: crate::print::Output,
    /// Map 3xx/4xx/5xx to exit codes 3/4/5 (default on).
    pub check_status: bool,
    /// Warnings, progress bars, summaries and `--debug` on stderr (`-q`, `-qq`).
    pub diagnostics: Diagnostics,
    /// `-o`, `-d`, `-c`: the response body is saved, not printed (`download.rs`).
    pub download: Option<crate::download::Options>,
    /// How long one second of an OAuth 2 device-grant wait lasts (`Env::oauth2_second`).
    pub oauth2_second: std::time::Duration,
}

/// Pagination settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paginate {
    /// Stop after this many pages (default: until the last).
    pub max_pages: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Send,
    /// `--offline`: print the request, send nothing.
    Offline,
    /// `--curl`: print an equivalent curl command.
    Curl,
}

/// Resolve the command line. May read files named by items, standard input and the
/// session file (which the returned [`State`] holds open).
pub fn build(cli: Cli, env: &Env) -> Result<(Plan, State)> {
    let diagnostics = diagnostics(&cli, env);
    let mut state = State::new(auth::options(&cli, env, &diagnostics)?);
    // `--max-time` counts from rq's start, so a wait for stdin spends it too.
    let deadline = net::max_time(&cli)?.map(|t| env.started + t);
    let mut requests = request::all(&cli, env, &diagnostics, deadline, &mut state)?;
    let mut request = requests.remove(0);
    let download = download::options(&cli, env, diagnostics, &mut request)?;
    let mut net = net::settings(&cli, env, &diagnostics)?;
    net.max_time = deadline.map(net::time_left).transpose()?;
    let plan = Plan {
        mode: if cli.curl {
            Mode::Curl
        } else if cli.offline {
            Mode::Offline
        } else {
            Mode::Send
        },
        net,
        output: output::output(&cli, env)?,
        check_status: !cli.no_check_status,
        diagnostics,
        download,
        oauth2_second: env.oauth2_second,
        request,
        more: requests,
        paginate: cli.paginate.then_some(Paginate {
            max_pages: cli.max_pages,
        }),
    };
    Ok((plan, state))
}

/// The `-q`/`-qq` policy, decided once.
fn diagnostics(cli: &Cli, env: &Env) -> Diagnostics {
    let saves = cli.download || cli.resume;
    let terminal = output::screen_tty(cli, env);
    Diagnostics::new(cli.quiet, env.stderr_tty, terminal, saves, cli.debug)
}
