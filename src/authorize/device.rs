//! The device authorization grant (RFC 8628): ask for a user code, show where to enter it
//! (stderr, whatever `-q` says: the run can't go on without it), then poll the token
//! endpoint at the server's interval until the sign-in is approved, denied or expired.
//! `slow_down` adds 5 seconds to the interval for good (§3.5); a server that names no
//! interval gets one poll every 5 seconds.

use std::io::Write;
use std::time::Instant;

use anyhow::Result;

use super::{shown, Tokens};
use crate::error::{fail, ExitCode};
use crate::oauth::form;
use crate::oauth::reply::{self, Reply};
use crate::oauth::{OAuth, Token};

/// Run the grant; `what` names the token endpoint in messages.
pub fn run<W: Write>(tokens: &mut Tokens<'_, W>, oauth: &OAuth, what: &str) -> Result<Token> {
    let (status, body) = tokens.send(form::device_authorization(oauth)?)?;
    let asked = "the device authorization endpoint";
    let code = match reply::device(status, &body, asked)? {
        Reply::Granted(code) => code,
        Reply::Refused(r) => return Err(r.into_error(asked)),
    };
    let uri = shown(&code.verification_uri);
    eprintln!(
        "rq: to sign in, open {uri} and enter the code {}",
        shown(&code.user_code)
    );
    if let Some(complete) = &code.verification_uri_complete {
        eprintln!("rq: (or open {}, which carries the code)", shown(complete));
    }
    eprintln!("rq: waiting for the sign-in to be approved…");
    let lifetime = tokens.second * u32::try_from(code.expires_in.as_secs()).unwrap_or(u32::MAX);
    let started = Instant::now();
    let mut interval = code.interval;
    loop {
        std::thread::sleep(tokens.second * u32::try_from(interval).unwrap_or(u32::MAX));
        if started.elapsed() >= lifetime {
            return Err(expired());
        }
        let refusal = match tokens.token(form::device_poll(oauth, &code.device_code)?, what)? {
            Reply::Granted(token) => return Ok(token),
            Reply::Refused(r) => r,
        };
        match refusal.error.as_str() {
            "authorization_pending" => {}
            "slow_down" => interval += 5,
            "expired_token" => return Err(expired()),
            "access_denied" => {
                return Err(fail(
                    ExitCode::Error,
                    format!("the sign-in at {uri} was denied: no token was issued"),
                ))
            }
            _ => return Err(refusal.into_error(what)),
        }
    }
}

fn expired() -> anyhow::Error {
    fail(
        ExitCode::Error,
        "the device code expired before the sign-in was approved: run rq again for a new code",
    )
}
