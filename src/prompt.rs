//! Asking for a secret on the terminal (a password, a client secret), with echo off, and
//! giving the terminal back as it was when Ctrl-C ends rq in the middle of the question.
//!
//! The prompt turns echo off and would turn it back on when it returns; Ctrl-C exits from
//! the signal handler's thread, where the prompt never returns. So the terminal's settings
//! are kept here while a question is open, and [`restore`] (called on the way out) puts them
//! back.

use std::io;
use std::sync::Mutex;

use crate::error::{fail, usage, ExitCode};

#[cfg(target_os = "linux")]
type Saved = (std::fs::File, rustix::termios::Termios);
#[cfg(not(target_os = "linux"))]
type Saved = ();

/// The terminal's settings from before the open question, if one is open.
static SAVED: Mutex<Option<Saved>> = Mutex::new(None);

/// Ask `prompt` on the terminal and read the answer without echoing it.
pub fn secret(prompt: &str) -> io::Result<String> {
    *lock() = save();
    let answer = rpassword::prompt_password(prompt);
    *lock() = None;
    answer
}

/// The error for a question that got no answer: Ctrl-C (the read was interrupted) exits
/// 130 like Ctrl-C anywhere else; anything else is a usage error saying `what` failed.
pub fn failed(e: io::Error, what: &str) -> anyhow::Error {
    match e.kind() {
        io::ErrorKind::Interrupted => fail(ExitCode::Interrupted, "interrupted"),
        _ => usage(format!("{what}: {e}")),
    }
}

/// Ctrl-C during a question: the terminal's echo back on, and the line ended, so the shell
/// prompt that follows starts on its own line. Does nothing when no question is open.
pub fn restore() {
    if let Some(saved) = lock().take() {
        put_back(saved);
        eprintln!();
    }
}

fn lock() -> std::sync::MutexGuard<'static, Option<Saved>> {
    SAVED.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(target_os = "linux")]
fn save() -> Option<Saved> {
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .ok()?;
    let settings = rustix::termios::tcgetattr(&tty).ok()?;
    Some((tty, settings))
}

#[cfg(target_os = "linux")]
fn put_back((tty, settings): Saved) {
    let _ = rustix::termios::tcsetattr(&tty, rustix::termios::OptionalActions::Now, &settings);
}

#[cfg(not(target_os = "linux"))]
fn save() -> Option<Saved> {
    None
}

#[cfg(not(target_os = "linux"))]
fn put_back(_: Saved) {}
