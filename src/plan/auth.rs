//! The credentials' part of the plan: `-a`, `-A`, `--bearer`, the OAuth 2 options, netrc and
//! the session, as the per-run [`State`](crate::state::State) needs them.

use anyhow::Result;

use crate::auth::{Scheme, Secret};
use crate::cli::{AuthType, Cli, OAuth2ClientAuth, OAuth2Grant};
use crate::diagnostics::Diagnostics;
use crate::env::Env;
use crate::error::usage;
use crate::oauth::{self, ClientAuth, Grant};
use crate::state::Options;
use crate::target::{self, SchemeDefault};

pub fn options(cli: &Cli, env: &Env, diagnostics: &Diagnostics) -> Result<Options> {
    let session = match (&cli.session, &cli.session_read_only) {
        (Some(s), _) => Some((s.clone(), false, "--session")),
        (None, Some(s)) => Some((s.clone(), true, "--session-read-only")),
        (None, None) => None,
    };
    Ok(Options {
        auth: cli.auth.clone().map(Secret::new),
        scheme: cli.auth_type.and_then(|t| match t {
            AuthType::Basic => Some(Scheme::Basic),
            AuthType::Digest => Some(Scheme::Digest),
            AuthType::Bearer => Some(Scheme::Bearer),
            AuthType::OAuth2 => None,
        }),
        bearer: cli.bearer.clone().map(Secret::new),
        oauth: oauth(cli)?,
        ignore_netrc: cli.ignore_netrc,
        session,
        sends: !(cli.offline || cli.curl),
        terminal: env.stdin_tty || env.stderr_tty,
        no_prompt: cli.ignore_stdin,
        warnings: diagnostics.warnings,
        netrc: env.netrc.clone(),
        home: env.home.clone(),
        config_dir: env.config_dir.clone(),
    })
}

/// The OAuth 2 options, with `-A oauth2`; without it they are a usage error.
fn oauth(cli: &Cli) -> Result<Option<oauth::Options>> {
    let url = |value: &Option<String>, option: &str| {
        let resolve = |v: &String| {
            target::resolve(v, SchemeDefault::Auto, &[])
                .map_err(|e| usage(format!("{option}: {e}")))
        };
        value.as_ref().map(resolve).transpose()
    };
    let options = oauth::Options {
        grant: cli.oauth2_grant.map(|g| match g {
            OAuth2Grant::ClientCredentials => Grant::ClientCredentials,
            OAuth2Grant::RefreshToken => Grant::RefreshToken,
            OAuth2Grant::DeviceCode => Grant::DeviceCode,
            OAuth2Grant::AuthorizationCode => Grant::AuthorizationCode,
        }),
        token_url: url(&cli.oauth2_token_url, "--oauth2-token-url")?,
        issuer: url(&cli.oauth2_issuer, "--oauth2-issuer")?,
        device_url: url(&cli.oauth2_device_url, "--oauth2-device-url")?,
        auth_url: url(&cli.oauth2_auth_url, "--oauth2-auth-url")?,
        scope: cli.oauth2_scope.clone(),
        audience: cli.oauth2_audience.clone(),
        client_auth: cli.oauth2_client_auth.map(|a| match a {
            OAuth2ClientAuth::Basic => ClientAuth::Basic,
            OAuth2ClientAuth::Post => ClientAuth::Post,
        }),
        refresh_token: cli.oauth2_refresh_token.clone().map(Secret::new),
        redirect_port: cli.oauth2_redirect_port.unwrap_or(0),
    };
    if cli.auth_type != Some(AuthType::OAuth2) {
        if options != oauth::Options::default() {
            return Err(usage(
                "the --oauth2-* options need -A oauth2 (add it, or drop them)",
            ));
        }
        return Ok(None);
    }
    if cli.bearer.is_some() {
        return Err(usage(
            "-A oauth2 fetches the bearer token itself: drop --bearer, or -A oauth2",
        ));
    }
    Ok(Some(options))
}
