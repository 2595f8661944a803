//! rq: a command-line HTTP client. This file only dispatches: parse and run, map the outcome
//! to an exit code (SPEC §3), and turn a broken pipe on stdout into a quiet exit 0.
#![forbid(unsafe_code)]

use rq::error::{self, ExitCode};
use rq::run;

fn main() {
    // Ctrl-C: exit 130 (SPEC §3) rather than dying by the signal; a download first keeps
    // what arrived (it exits 130 itself).
    let _ = ctrlc::set_handler(|| {
        if run::interrupt() {
            std::process::exit(ExitCode::Interrupted as i32)
        }
    });
    let code = match run::main(std::env::args_os().collect()) {
        Ok(code) => code,
        Err(_) if run::stdout_closed() => ExitCode::Ok,
        Err(err) => {
            let code = error::classify(&err);
            eprintln!("rq: error: {}", run::error_message(&err));
            code
        }
    };
    std::process::exit(code as i32);
}
