//! The credentials' part of the plan: `-a`, `-A`, `--bearer`, netrc and the session, as
//! the per-run [`State`](crate::state::State) needs them.

use crate::auth::{Scheme, Secret};
use crate::cli::{AuthType, Cli};
use crate::diagnostics::Diagnostics;
use crate::env::Env;
use crate::state::Options;

pub fn options(cli: &Cli, env: &Env, diagnostics: &Diagnostics) -> Options {
    let session = match (&cli.session, &cli.session_read_only) {
        (Some(s), _) => Some((s.clone(), false, "--session")),
        (None, Some(s)) => Some((s.clone(), true, "--session-read-only")),
        (None, None) => None,
    };
    Options {
        auth: cli.auth.clone().map(Secret::new),
        scheme: cli.auth_type.map(|t| match t {
            AuthType::Basic => Scheme::Basic,
            AuthType::Digest => Scheme::Digest,
            AuthType::Bearer => Scheme::Bearer,
        }),
        bearer: cli.bearer.clone().map(Secret::new),
        ignore_netrc: cli.ignore_netrc,
        session,
        sends: !(cli.offline || cli.curl),
        terminal: env.stdin_tty || env.stderr_tty,
        no_prompt: cli.ignore_stdin,
        warnings: diagnostics.warnings,
        netrc: env.netrc.clone(),
        home: env.home.clone(),
        config_dir: env.config_dir.clone(),
    }
}
