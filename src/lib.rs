//! rq as a library: the modules behind the `rq` binary. They are public so the fuzz
//! targets and benchmarks can call the parsers and the formatter directly; the command
//! line is the supported interface.
#![forbid(unsafe_code)]

pub mod args;
pub mod auth;
pub mod body;
pub mod cli;
pub mod cookies;
pub mod curl;
pub mod download;
pub mod engine;
pub mod error;
pub mod generate;
pub mod httpfile;
pub mod items;
pub mod netplan;
pub mod netrc;
pub mod paginate;
pub mod plan;
pub mod print;
pub mod progress;
pub mod run;
pub mod session;
pub mod state;
pub mod stdin;
pub mod target;
pub mod upload;
