//! rq as a library: the modules behind the `rq` binary. The command line is the supported
//! interface; the few modules public here are what the fuzz targets, property tests and
//! examples call directly (parsers and the formatter). `ARCHITECTURE.md` names the layers.
#![forbid(unsafe_code)]

mod args;
mod auth;
mod authorize;
mod body;
mod cli;
mod cookies;
mod curl;
mod diagnostics;
pub mod download;
mod engine;
mod env;
pub mod error;
pub mod fromcurl;
pub mod head;
pub mod httpfile;
pub mod items;
pub mod netrc;
mod oauth;
pub mod paginate;
mod plan;
pub mod print;
mod progress;
mod prompt;
mod request;
mod respond;
pub mod run;
pub mod session;
mod state;
mod stdin;
mod stdout;
mod suffix;
mod target;
mod upload;

/// rq's command line as clap defines it, for the generator of the completions and the man
/// page (`examples/generate`), which are not built into the binary.
pub fn command() -> clap::Command {
    <cli::Cli as clap::CommandFactory>::command()
}
