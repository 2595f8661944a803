//! rq's integration tests: the binary against loopback servers whose handlers assert on the
//! requests they receive. One test binary, one module per feature.

#[path = "../support/mod.rs"]
mod support;

mod config;
mod exit_codes;
mod generated;
mod httpfile;
mod input;
mod output;
mod paginate;
mod redirects;
mod timeouts;
