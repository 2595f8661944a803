//! One invocation, dispatched: argv → [`Cli`](crate::cli::Cli) (help, version and
//! `--generate` end in `args.rs`), → [`Plan`] and the per-run [`State`], → the mode:
//! print the request (`--offline`), print a curl command (`--curl`), or send it
//! (`respond.rs`).

use std::ffi::OsString;
use std::io::{self, Write};

use anyhow::Result;

use crate::args::{self, Parsed};
use crate::engine::Client;
use crate::env::Env;
use crate::error::ExitCode;
use crate::plan::{Mode, Plan};
use crate::print::Printer;
use crate::respond;
use crate::state::State;
use crate::stdout::{Overlapped, Stdout};

/// Parse argv and run. `Ok` carries the exit code for a completed exchange.
pub fn main(args: Vec<OsString>) -> Result<ExitCode> {
    let env = Env::detect();
    let cli = match args::parse(args, env.config_dir.as_deref())? {
        Parsed::Done(code) => return Ok(code),
        Parsed::Run(cli) => *cli,
    };
    let (plan, mut state) = crate::plan::build(cli, &env)?;
    if plan.diagnostics.debug {
        debug_plan(&plan, &env);
    }
    match plan.mode {
        Mode::Offline => offline(&plan),
        Mode::Curl => curl(&plan, &state),
        Mode::Send if plan.download.as_ref().is_some_and(|d| d.download) => {
            // `-d`: what is printed goes to stderr; the body goes to its file (or stdout).
            let mut printer = Printer::new(io::stderr(), plan.output.clone());
            let client = Client::new(plan.net.clone());
            let code = respond::send(&plan, &client, &plan.request, &mut printer, &mut state)?;
            printer.finish()?;
            Ok(code)
        }
        Mode::Send => send(&plan, &mut state),
    }
}

/// The one-line message for a failure, as `rq: error:` shows it. Errors quote what servers
/// sent (a redirect's `Location`, a header), so they go through the same sanitiser as
/// printed responses: a control sequence or bidi override shows as an escape, never acts.
pub fn error_message(err: &anyhow::Error) -> String {
    crate::print::sanitize::sanitize_str(crate::error::describe(err).as_bytes())
}

/// `--debug`: the version, the config directory and the resolved plan (secrets redacted).
fn debug_plan(plan: &Plan, env: &Env) {
    eprintln!("rq {}", env!("CARGO_PKG_VERSION"));
    match &env.config_dir {
        Some(dir) => eprintln!("config dir: {}", dir.display()),
        None => eprintln!("config dir: none (no home directory)"),
    }
    eprintln!("{plan:#?}");
}

/// stdout, buffered, and written from a second thread once a body is long (not on a
/// terminal); a closed pipe is noted for the exit path.
fn stdout_printer(plan: &Plan) -> Printer<io::BufWriter<Overlapped>> {
    let out = io::BufWriter::with_capacity(64 * 1024, Overlapped::new(plan.output.terminal));
    Printer::new(out, plan.output.clone())
}

/// `--offline`: every request, printed, nothing sent. Always in the HTTP/1.1 form, which
/// `--http-file` reads back: no connection chose a version.
fn offline(plan: &Plan) -> Result<ExitCode> {
    if plan.net.connect.versions == crate::engine::settings::Versions::Http2 {
        plan.diagnostics.warn(
            "--offline shows the request in its HTTP/1.1 form; over HTTP/2 it goes as :method, \
             :scheme, :authority and :path with lower-case names, and without Host or \
             connection headers (-v shows it so)",
        );
    }
    let mut printer = stdout_printer(plan);
    for request in std::iter::once(&plan.request).chain(&plan.more) {
        printer.request(request, plan.output.sections)?;
    }
    printer.finish()?;
    Ok(ExitCode::Ok)
}

/// `--curl`: the equivalent curl command (piped into jq with `--filter`); with `-A oauth2`,
/// the first request the grant sends comes first, as its own command (the real request
/// carries a placeholder token).
fn curl(plan: &Plan, state: &State) -> Result<ExitCode> {
    if let Some(oauth) = state.oauth() {
        let first = crate::oauth::form::first_request(oauth)?;
        let net = crate::engine::Settings {
            follow: false,
            ..plan.net.clone()
        };
        writeln!(Stdout, "{}", crate::curl::command(&first, &net, None))?;
    }
    let digest = state.digest_for_curl(&plan.request.url);
    let mut line = crate::curl::command(&plan.request, &plan.net, digest);
    if let Some(filter) = &plan.output.filter {
        line.push_str(&crate::curl::jq_pipe(filter.expr(), filter.raw()));
    }
    writeln!(Stdout, "{line}")?;
    Ok(ExitCode::Ok)
}

/// Send the request, its pages with `--paginate`, or a request file's requests in order,
/// stopping at the first that fails.
fn send(plan: &Plan, state: &mut State) -> Result<ExitCode> {
    let mut printer = stdout_printer(plan);
    let client = Client::new(plan.net.clone());
    let code = match plan.paginate {
        Some(_) => respond::paginate(plan, &client, &mut printer, state)?,
        None => {
            let mut code = ExitCode::Ok;
            for request in std::iter::once(&plan.request).chain(&plan.more) {
                code = respond::send(plan, &client, request, &mut printer, state)?;
                if code != ExitCode::Ok {
                    break;
                }
            }
            code
        }
    };
    printer.finish()?;
    Ok(code)
}

/// Ctrl-C: true when the process should exit (130) at once. While a download is saving a
/// body, its connections are shut instead, and the download keeps what arrived and ends
/// the run with exit 130 itself.
pub fn interrupt() -> bool {
    if !crate::download::interrupt() {
        // A password question cut short gets the terminal's echo back.
        crate::prompt::restore();
        return true;
    }
    crate::engine::interrupt();
    false
}

/// True when stdout was closed under rq (`rq … | head`): the exit is then a quiet 0.
pub fn stdout_closed() -> bool {
    crate::stdout::closed()
}
