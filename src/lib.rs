//! rq as a library: the modules behind the `rq` binary. The command line is the supported
//! interface; the few modules public here are what the fuzz targets, property tests and
//! examples call directly (parsers and the formatter). `ARCHITECTURE.md` names the layers.
#![forbid(unsafe_code)]

mod args;
mod auth;
mod body;
mod cli;
mod cookies;
mod curl;
mod diagnostics;
pub mod download;
mod engine;
mod env;
pub mod error;
mod generate;
pub mod httpfile;
pub mod items;
pub mod netrc;
pub mod paginate;
mod plan;
pub mod print;
mod progress;
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
