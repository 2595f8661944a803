//! The transport part of the plan: `Cli` → the engine's [`Settings`] (timeouts, redirects,
//! [`ConnectOptions`], [`Retry`]), and the wire framing of the request body (`--compress`,
//! `--chunked`, `--http-version`).
//!
//! What the environment says (`SSL_CERT_FILE`, `REQUESTS_CA_BUNDLE`, the proxy variables)
//! comes from the [`Env`] snapshot; the files named (CA bundle, client certificate and key)
//! are checked for being readable, so a bad value is a usage error before anything is sent.
//! The framing is applied to the one lowered request, so `--offline` shows what is sent.

use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::cli::{Cli, HttpVersion, SslVersion};
use crate::diagnostics::Diagnostics;
use crate::engine::retry::Retry;
use crate::engine::settings::{
    parse_ciphers, ConnectOptions, Family, Identity, Names, Pin, Proxies, Reroute, TlsOptions,
    TlsVersion, Verify, Versions,
};
use crate::engine::Settings;
use crate::env::Env;
use crate::error::usage;
use crate::head::{self, Limits};
use crate::request::{Header, Request};
use crate::upload::Body;

fn secs(option: &str, value: f64) -> Result<Duration> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            usage(format!(
                "invalid {option} '{value}': expected a positive number of seconds"
            ))
        })
}

/// `--max-time`, checked.
pub fn max_time(cli: &Cli) -> Result<Option<Duration>> {
    cli.max_time.map(|t| secs("--max-time", t)).transpose()
}

/// What is left of `--max-time` for the exchange once planning (which may have waited for
/// stdin) is done; none left is the timeout itself.
pub fn time_left(deadline: Instant) -> Result<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    match left.is_zero() {
        true => Err(anyhow::Error::new(crate::error::Timeout::Whole)
            .context("preparing the request failed")),
        false => Ok(left),
    }
}

/// Everything the engine needs to know.
pub fn settings(cli: &Cli, env: &Env, diag: &Diagnostics) -> Result<Settings> {
    Ok(Settings {
        // -d implies --follow (SPEC §6).
        follow: cli.follow || cli.download,
        max_redirects: cli.max_redirects,
        connect_timeout: secs("--connect-timeout", cli.connect_timeout)?,
        idle_timeout: cli.timeout.map(|t| secs("--timeout", t)).transpose()?,
        max_time: max_time(cli)?,
        connect: connect(cli, env)?,
        retry: retry(cli, diag)?,
        debug: diag.debug,
    })
}

/// TLS, proxies, name resolution, `--unix-socket` and `--http-version`.
fn connect(cli: &Cli, env: &Env) -> Result<ConnectOptions> {
    let getenv = |name: &str| env.var(name).map(str::to_string);
    let names = Names {
        pins: cli
            .resolve
            .iter()
            .map(|s| Pin::parse(s))
            .collect::<Result<_, _>>()
            .map_err(usage)?,
        reroutes: cli
            .connect_to
            .iter()
            .map(|s| Reroute::parse(s))
            .collect::<Result<_, _>>()
            .map_err(usage)?,
        family: match (cli.ipv4, cli.ipv6) {
            (true, _) => Family::V4,
            (_, true) => Family::V6,
            _ => Family::Any,
        },
    };
    Ok(ConnectOptions {
        tls: tls(cli, &getenv)?,
        proxies: Proxies::from_sources(&cli.proxy, getenv).map_err(usage)?,
        names,
        unix_socket: cli.unix_socket.clone(),
        versions: match cli.http_version {
            None => Versions::Negotiate,
            Some(HttpVersion::Http11) => Versions::Http11,
            Some(HttpVersion::Http10) => Versions::Http10,
            Some(HttpVersion::Http2) => Versions::Http2,
        },
        head: Limits {
            lines: match cli.max_headers {
                None => Some(head::DEFAULT_LINES),
                Some(0) => None,
                Some(n) => Some(n),
            },
            bytes: head::MAX_BYTES,
        },
    })
}

/// The files are only checked for being readable here: they are parsed (and a key
/// decrypted) by the first https connection, so plain-http requests do no TLS work.
fn tls(cli: &Cli, getenv: &dyn Fn(&str) -> Option<String>) -> Result<TlsOptions> {
    let from_env = || {
        let found = ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"]
            .iter()
            .find_map(|var| getenv(var).map(|path| (var, path)));
        match found {
            Some((var, path)) => Verify::Roots {
                file: path.into(),
                from: format!("${var}"),
            },
            None => Verify::Platform,
        }
    };
    let verify = match cli.verify.as_deref() {
        None => from_env(),
        Some(v) => match v.to_ascii_lowercase().as_str() {
            "yes" | "true" => from_env(),
            "no" | "false" => Verify::Off,
            _ => {
                readable(Path::new(v), "--verify CA file")?;
                Verify::Roots {
                    file: v.into(),
                    from: "--verify".into(),
                }
            }
        },
    };
    let identity = match &cli.cert {
        Some(cert) => {
            readable(cert, "--cert file")?;
            if let Some(key) = &cli.cert_key {
                readable(key, "--cert-key file")?;
            }
            Some(Identity {
                cert: cert.clone(),
                key: cli.cert_key.clone(),
                password: cli.cert_key_pass.clone(),
            })
        }
        None => None,
    };
    let version = cli.ssl.map(|v| match v {
        SslVersion::Tls12 => TlsVersion::Tls12,
        SslVersion::Tls13 => TlsVersion::Tls13,
    });
    let ciphers = match &cli.ciphers {
        Some(list) => parse_ciphers(list, version).map_err(usage)?,
        None => Vec::new(),
    };
    Ok(TlsOptions {
        verify,
        identity,
        version,
        ciphers,
    })
}

fn readable(path: &Path, what: &str) -> Result<()> {
    std::fs::File::open(path)
        .map(drop)
        .map_err(|e| usage(format!("can't read {what} '{}': {e}", path.display())))
}

/// `--retry`, `--retry-delay`, `--retry-max-time`, `--retry-all-methods`.
fn retry(cli: &Cli, diag: &Diagnostics) -> Result<Retry> {
    let seconds = |option: &str, value: f64, zero_ok: bool| {
        Duration::try_from_secs_f64(value)
            .ok()
            .filter(|d| zero_ok || !d.is_zero())
            .ok_or_else(|| {
                usage(format!(
                    "invalid {option} '{value}': expected a number of seconds"
                ))
            })
    };
    Ok(Retry {
        retries: cli.retry,
        delay: cli
            .retry_delay
            .map(|v| seconds("--retry-delay", v, true))
            .transpose()?,
        max_time: cli
            .retry_max_time
            .map(|v| seconds("--retry-max-time", v, false))
            .transpose()?,
        all_methods: cli.retry_all_methods,
        announce: diag.warnings,
    })
}

/// Apply `--compress`, `--chunked` and `--http-version 1.0` to the request's body framing.
pub fn frame(req: &mut Request, cli: &Cli) -> Result<()> {
    if cli.compress > 0 && req.body.is_some() {
        compress(req, cli.compress > 1)?;
    }
    if cli.chunked && req.body.is_some() {
        req.headers.retain(|h| !h.is("content-length"));
        if req.header("transfer-encoding").is_none() {
            req.headers
                .push(Header::new("Transfer-Encoding", "chunked"));
        }
    }
    if cli.http_version == Some(HttpVersion::Http10) && req.header("transfer-encoding").is_some() {
        return Err(usage(
            "HTTP/1.0 can't send a chunked body: drop --chunked (a body from a stdin pipe needs \
             --http-version 1.1, or save it to a file and use @FILE)",
        ));
    }
    Ok(())
}

/// Deflate (zlib, as RFC 9110's `deflate` coding means) the body. Like httpie, rq reads the
/// body into memory to compress it; without `force` it is sent as is when that is smaller.
fn compress(req: &mut Request, force: bool) -> Result<()> {
    if req.header("content-encoding").is_some() {
        return Err(usage(
            "--compress can't be used with a Content-Encoding header: the body is already encoded",
        ));
    }
    let Some(body) = req.body.take() else {
        return Ok(());
    };
    let mut raw = Vec::new();
    body.reader()
        .read_to_end(&mut raw)
        .map_err(|e| usage(format!("--compress: couldn't read the request body: {e}")))?;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&raw)?;
    let packed = z.finish()?;
    if !force && packed.len() >= raw.len() {
        // Streamed stdin has been read now; anything else can stay as it was.
        req.body = Some(if body.replayable() {
            body
        } else {
            Body::Bytes(raw)
        });
        return Ok(());
    }
    req.headers
        .retain(|h| !h.is("content-length") && !h.is("transfer-encoding"));
    req.headers
        .push(Header::new("Content-Length", packed.len().to_string()));
    req.headers.push(Header::new("Content-Encoding", "deflate"));
    req.body = Some(Body::Bytes(packed));
    Ok(())
}
