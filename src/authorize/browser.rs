//! The authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636, RFC 8252 §7.3): rq
//! listens on `http://127.0.0.1:PORT/callback`, prints the URL to open in a browser, and
//! takes the code from the redirect that comes back, after checking its `state`. The
//! listener reads one request line per connection and answers with a short page; it is
//! not an HTTP stack of its own, and it stops once the code has arrived.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use anyhow::Result;

use super::{shown, Tokens};
use crate::auth::Secret;
use crate::error::{fail, ExitCode};
use crate::oauth::{form, pkce, OAuth, Token};

/// How long rq waits for the browser to come back.
const WAIT: Duration = Duration::from_secs(600);

/// Run the grant; `what` names the token endpoint in messages.
pub fn run<W: Write>(tokens: &mut Tokens<'_, W>, oauth: &OAuth, what: &str) -> Result<Token> {
    let port = oauth.options.redirect_port;
    let listener = TcpListener::bind(("127.0.0.1", port)).map_err(|e| {
        fail(
            ExitCode::Error,
            format!("couldn't listen on 127.0.0.1:{port} for the sign-in redirect: {e}"),
        )
    })?;
    let port = listener.local_addr()?.port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let verifier = Secret::new(pkce::random(32));
    let state = pkce::random(16);
    let challenge = pkce::challenge(verifier.expose());
    let url = form::authorization_url(oauth, &redirect, &state, &challenge)?;
    eprintln!("rq: to sign in, open this URL in a browser: {url}");
    eprintln!("rq: waiting for the browser to come back to {redirect}…");
    let code = wait_for_code(&listener, &state)?;
    tokens.granted(
        form::code_exchange(oauth, &code, &redirect, &verifier)?,
        what,
    )
}

/// Accept connections until one brings the code (or an error) back.
fn wait_for_code(listener: &TcpListener, state: &str) -> Result<Secret> {
    listener.set_nonblocking(true)?;
    let deadline = Instant::now() + WAIT;
    loop {
        match listener.accept() {
            Ok((sock, _)) => {
                if let Some(code) = callback(sock, state)? {
                    return Ok(code);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if Instant::now() > deadline {
                    return Err(fail(
                        ExitCode::Error,
                        "no browser came back with a sign-in within 10 minutes: run rq again",
                    ));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => {
                return Err(fail(
                    ExitCode::Error,
                    format!("the redirect listener failed: {e}"),
                ))
            }
        }
    }
}

/// One connection: the code from `GET /callback?code=…&state=…`, `None` for any other
/// request (a browser also asks for `/favicon.ico`), an error for an OAuth error or a
/// `state` rq did not send.
fn callback(sock: TcpStream, state: &str) -> Result<Option<Secret>> {
    sock.set_nonblocking(false)?;
    sock.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut line = String::new();
    // A request head of at most 16 KiB, whatever the other end sends.
    let mut reader = BufReader::new(std::io::Read::take(&sock, 16 * 1024));
    if reader.read_line(&mut line).is_err() {
        return Ok(None);
    }
    // The rest of the head is read (and dropped) so the browser sees a clean answer.
    let mut rest = String::new();
    while reader.read_line(&mut rest).is_ok_and(|n| n > 2) {
        rest.clear();
    }
    let target = line.split(' ').nth(1).unwrap_or("");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != "/callback" {
        answer(&sock, "404 Not Found", "Not found.");
        return Ok(None);
    }
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if get("state") != Some(state) {
        answer(
            &sock,
            "400 Bad Request",
            "This sign-in is not the one rq started.",
        );
        return Err(fail(
            ExitCode::Error,
            "the sign-in redirect came back with a state rq did not send (a forged or stale \
             sign-in): no token was requested",
        ));
    }
    if let Some(error) = get("error") {
        answer(&sock, "200 OK", "The sign-in failed: see the terminal.");
        let detail = get("error_description").map_or(String::new(), |d| format!(": {}", shown(d)));
        return Err(fail(
            ExitCode::Error,
            format!("the sign-in failed: {}{detail}", shown(error)),
        ));
    }
    let Some(code) = get("code").filter(|c| !c.is_empty()) else {
        answer(&sock, "400 Bad Request", "No code came with this redirect.");
        return Err(fail(
            ExitCode::Error,
            "the sign-in redirect came back without a code",
        ));
    };
    answer(
        &sock,
        "200 OK",
        "Signed in: you can close this tab and go back to rq.",
    );
    Ok(Some(Secret::new(code)))
}

/// A short plain-text page that closes the connection.
fn answer(mut sock: &TcpStream, status: &str, text: &str) {
    let page = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{text}\n",
        text.len() + 1
    );
    let _ = sock.write_all(page.as_bytes());
    let _ = sock.flush();
}
