//! Print rq's shell completions or man page from its clap definition:
//! `cargo run --example generate -- KIND`, KIND one of complete-bash, complete-zsh,
//! complete-fish, complete-powershell, complete-elvish or man (`make completions man`).

mod pages;

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let kind = std::env::args().nth(1).unwrap_or_default();
    let mut out = std::io::stdout().lock();
    match pages::generate(&kind, rq::command(), &mut out).and_then(|ok| out.flush().map(|_| ok)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            let kinds: Vec<&str> = pages::KINDS.iter().map(|(k, _)| *k).collect();
            eprintln!("generate: '{kind}' is not one of {}", kinds.join(", "));
            ExitCode::from(64)
        }
        Err(e) => {
            eprintln!("generate: {e}");
            ExitCode::FAILURE
        }
    }
}
