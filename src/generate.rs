//! `--generate`: shell completions and the man page, from the same clap definition as
//! `--help`, so they cannot drift from the flags. The generated files are committed in
//! `completions/` and `man/`, and a test fails when they are stale (`make completions man`).

use std::io::Write;

use clap::{CommandFactory, ValueEnum};
use clap_complete::Shell;

use crate::cli::Cli;

/// What `--generate` can print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Generate {
    CompleteBash,
    CompleteZsh,
    CompleteFish,
    CompletePowershell,
    CompleteElvish,
    Man,
}

pub fn generate(kind: Generate, out: &mut dyn Write) -> std::io::Result<()> {
    let mut cmd = Cli::command();
    let shell = match kind {
        Generate::CompleteBash => Shell::Bash,
        Generate::CompleteZsh => Shell::Zsh,
        Generate::CompleteFish => Shell::Fish,
        Generate::CompletePowershell => Shell::PowerShell,
        Generate::CompleteElvish => Shell::Elvish,
        Generate::Man => return clap_mangen::Man::new(cmd).render(out),
    };
    clap_complete::generate(shell, &mut cmd, "rq", out);
    Ok(())
}
