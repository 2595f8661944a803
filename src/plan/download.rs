//! The download's part of the plan: `-o`, `-d` and `-c` resolved into the download's
//! [`Options`], and the first request prepared for them.

use std::io;
use std::path::Path;
use std::sync::Arc;

use anyhow::Result;

use crate::cli::Cli;
use crate::diagnostics::Diagnostics;
use crate::download::{Dest, Options};
use crate::env::Env;
use crate::error::usage;
use crate::request::{Header, Request, ACCEPT_ENCODING};

/// Resolve `-o`, `-d` and `-c`, and prepare the first request for them: `-c` asks for the
/// missing bytes with `Range`, and ranged or `-d` requests ask for `Accept-Encoding:
/// identity` (a range of a compressed body can't be appended to a file, and the progress
/// total is then the file's size).
pub fn options(
    cli: &Cli,
    env: &Env,
    diagnostics: Diagnostics,
    request: &mut Request,
) -> Result<Option<Options>> {
    if !cli.download && !cli.resume && cli.output.is_none() {
        return Ok(None);
    }
    let dest = match &cli.output {
        Some(path) => Dest::File(path.clone()),
        None if cli.resume => {
            return Err(usage(
                "--continue needs -o FILE: the partial file to resume",
            ))
        }
        None if env.stdout_tty => Dest::Named(request.url.clone()),
        None => Dest::Stdout,
    };
    let resume_from = match (&dest, cli.resume) {
        (Dest::File(path), true) => Some(partial_len(path)?),
        _ => None,
    };
    let ranged = resume_from.is_some_and(|n| n > 0);
    if ranged {
        let from = resume_from.unwrap_or(0);
        request.headers.retain(|h| !h.is("range"));
        request
            .headers
            .push(Header::new("Range", format!("bytes={from}-")));
    }
    for h in request
        .headers
        .iter_mut()
        .filter(|h| h.is("accept-encoding"))
    {
        if ranged || (cli.download && h.value == ACCEPT_ENCODING.as_bytes()) {
            h.value = b"identity".to_vec();
        }
    }
    if ranged && request.header("accept-encoding").is_none() {
        request
            .headers
            .push(Header::new("Accept-Encoding", "identity"));
    }
    // `-o FILE` is opened now, before anything is sent: a path rq can't write is a usage
    // error, not a response lost after the request went out.
    let opened = match (&dest, cli.resume, cli.offline || cli.curl) {
        (Dest::File(path), false, false) => Some(Arc::new(
            crate::download::OutputFile::open(path)
                .map_err(|why| usage(format!("-o: {why}; nothing was sent")))?,
        )),
        _ => None,
    };
    Ok(Some(Options {
        download: cli.download,
        dest,
        opened,
        resume_from,
        only_success: cli.download && !cli.no_check_status,
        diagnostics,
    }))
}

/// The length of the partial file for `-c`: 0 when there is none.
fn partial_len(path: &Path) -> Result<u64> {
    let shown = path.display();
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(usage(format!("--continue: can't look at '{shown}': {e}"))),
        Ok(m) if m.file_type().is_symlink() => Err(usage(format!(
            "--continue: '{shown}' is a symbolic link, and rq doesn't write through links: \
             give the real file with -o"
        ))),
        Ok(m) if m.is_file() => Ok(m.len()),
        Ok(_) => Err(usage(format!(
            "--continue: '{shown}' is not a regular file"
        ))),
    }
}
