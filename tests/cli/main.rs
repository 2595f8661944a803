//! rq's integration tests: the binary against loopback servers whose handlers assert on the
//! requests they receive. One test binary, one module per feature.

#[path = "../support/mod.rs"]
mod support;

mod auth;
mod config;
mod connection;
mod download;
mod exit_codes;
mod filter;
mod fromcurl;
mod generated;
mod hardening;
mod http2;
mod httpfile;
mod input;
mod layout;
mod oauth;
mod oauth_provider;
mod output;
mod paginate;
mod printing;
mod proxy;
mod redirects;
mod retry;
mod sessions;
mod snapshots;
mod timeouts;
mod timing;
mod tls;
mod upload;
mod wire;
mod xml;
