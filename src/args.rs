//! argv into a [`Cli`]: the config file's default options, `--no-OPTION`, and the
//! invocations that end here (`--help`, `rq help`, `--version`).
//!
//! `CONFIG/config.json` may hold `{"default_options": ["--follow", "--style=monokai"]}`;
//! they are put in front of the command line. Every option then has a `--no-OPTION` form
//! that cancels the occurrences of OPTION before it, so a default can be undone
//! (`--no-follow`). This is done here, generically from the clap definition, rather than by
//! declaring a second flag per option. A broken config file is a warning, never a failure,
//! and `--help` and `--version` never read it.

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Arg, Command, CommandFactory};

use crate::cli::Cli;
use crate::error::{usage, ExitCode};
use crate::stdout::Stdout;

/// What argv asks for.
pub enum Parsed {
    /// A request (or `--offline`, `--curl`) to plan and run.
    Run(Box<Cli>),
    /// Help or version was printed: exit with this code.
    Done(ExitCode),
}

/// Parse argv, with the config file in `config_dir` (CONFIG of SPEC §7). Help and version
/// are printed here and never read the config file, so they work whatever state HOME, the
/// config file or the current directory are in.
pub fn parse(args: Vec<OsString>, config_dir: Option<&Path>) -> Result<Parsed> {
    if args.get(1..) == Some(&["--version".into()]) {
        // What clap prints, without building its command (a quarter to a third of what
        // `rq --version` cost above a process that does nothing).
        print_text(&version_line())?;
        return Ok(Parsed::Done(ExitCode::Ok));
    }
    if wants_long_help(&args) {
        print_text(&Cli::command().render_long_help().to_string())?;
        return Ok(Parsed::Done(ExitCode::Ok));
    }
    let typed = args.clone();
    let args = prepare(args, config_dir, true);
    let cli = match Cli::parse_args(args) {
        Ok(cli) => cli,
        Err(e) => return clap_error(e).map(Parsed::Done),
    };
    match &cli.from_curl {
        Some(source) => with_curl(source, typed, config_dir),
        None => Ok(Parsed::Run(Box::new(cli))),
    }
}

/// `--from-curl`: read the curl command, then parse the command line again with the rq
/// options its transport flags mean (`-L` is `--follow` …) in front of the user's own, so
/// that the user's win and `--no-follow` undoes a `-L`.
fn with_curl(source: &str, typed: Vec<OsString>, config_dir: Option<&Path>) -> Result<Parsed> {
    let text = match source {
        "-" => io::read_to_string(io::stdin().lock())
            .map_err(|e| usage(format!("can't read the curl command from stdin: {e}")))?,
        _ => source.to_string(),
    };
    let command = crate::fromcurl::parse(&text).map_err(|e| usage(format!("--from-curl: {e}")))?;
    let mut typed = typed.into_iter();
    let mut args: Vec<OsString> = typed.next().into_iter().collect();
    args.extend(command.options.iter().map(OsString::from));
    args.extend(typed);
    let mut cli = match Cli::parse_args(prepare(args, config_dir, false)) {
        Ok(cli) => cli,
        Err(e) => return clap_error(e).map(Parsed::Done),
    };
    cli.from_curl_command = Some(command);
    Ok(Parsed::Run(Box::new(cli)))
}

/// `rq --version`'s output, as clap would render it.
fn version_line() -> String {
    format!("rq {}\n", env!("CARGO_PKG_VERSION"))
}

/// `rq help`, or `--help` together with `--long`: the full text (plain `--help` is the short
/// cheat sheet).
fn wants_long_help(args: &[OsString]) -> bool {
    let rest = args.get(1..).unwrap_or_default();
    rest == ["help"] || (rest.iter().any(|a| a == "--help") && rest.iter().any(|a| a == "--long"))
}

/// Help or version text to stdout. A write that fails (`rq --help > /dev/full`) is an error
/// (exit 1); a closed pipe (`rq --help | head`) is noted by `Stdout`, and exits 0 quietly.
fn print_text(text: &str) -> Result<()> {
    let mut out = Stdout;
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| anyhow::anyhow!("couldn't write to stdout: {e}"))
}

/// `--help` and `--version` print and succeed; any other clap error is a one-line usage error
/// that keeps clap's hints (`a similar argument exists: '--follow'`, the possible values).
fn clap_error(e: clap::Error) -> Result<ExitCode> {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            print_text(&e.to_string())?;
            Ok(ExitCode::Ok)
        }
        ErrorKind::UnknownArgument => {
            let typed = match e.get(clap::error::ContextKind::InvalidArg) {
                Some(clap::error::ContextValue::String(s)) => s.clone(),
                _ => String::new(),
            };
            match ambiguous(&Cli::command(), &typed) {
                Some(names) => Err(usage(format!(
                    "ambiguous option: {typed} could be {} (see rq --help)",
                    names.join(", ")
                ))),
                None => Err(usage(one_line(&e.render().to_string()))),
            }
        }
        _ => Err(usage(one_line(&e.render().to_string()))),
    }
}

/// The long options `--prefix` could abbreviate, when there are several (argparse's
/// "ambiguous option" in httpie).
fn ambiguous(cmd: &Command, typed: &str) -> Option<Vec<String>> {
    let prefix = typed.strip_prefix("--")?.split('=').next()?;
    let names: Vec<String> = cmd
        .get_arguments()
        .filter_map(Arg::get_long)
        .filter(|long| !prefix.is_empty() && long.starts_with(prefix))
        .map(|long| format!("--{long}"))
        .collect();
    (names.len() > 1).then_some(names)
}

/// clap's error text as one line: the error, then its tips and possible values, without the
/// usage lines.
fn one_line(text: &str) -> String {
    let mut lines = text.lines().map(str::trim);
    let first = lines.next().unwrap_or("invalid arguments");
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let hints: Vec<&str> = lines
        .take_while(|l| !l.starts_with("Usage:"))
        .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
        .map(|l| l.strip_prefix("tip: ").unwrap_or(l))
        .collect();
    match hints.is_empty() {
        true => format!("{first} (see rq --help)"),
        false => format!("{first}; {} (see rq --help)", hints.join("; ")),
    }
}

/// The arguments clap should see: default options from the config file (unless this is a
/// help or version invocation), then argv, with `--no-OPTION` applied.
pub fn prepare(argv: Vec<OsString>, config_dir: Option<&Path>, warn: bool) -> Vec<OsString> {
    let mut iter = argv.into_iter();
    let program = iter.next().unwrap_or_else(|| "rq".into());
    let user: Vec<OsString> = iter.collect();
    let command = Cli::command();
    let plain = || {
        let all = std::iter::once(program.clone()).chain(user.iter().cloned());
        apply_negations(all.collect(), &command)
    };
    if skips_config(&user) {
        return plain();
    }
    let (defaults, path) = default_options(config_dir, warn);
    if defaults.is_empty() {
        return plain();
    }
    let mut all = vec![program.clone()];
    all.extend(defaults.into_iter().map(OsString::from));
    all.extend(user.iter().cloned());
    let with_defaults = apply_negations(all, &command);
    // Options the config file adds must not break every invocation: when the command line
    // parses without them but not with them, they are dropped with a warning.
    if let Err(e) = command.clone().try_get_matches_from(&with_defaults) {
        let without = plain();
        if command.clone().try_get_matches_from(&without).is_ok() {
            let why = e.to_string();
            let why = why
                .lines()
                .next()
                .unwrap_or("")
                .trim_start_matches("error: ");
            if let Some(path) = path {
                warn_config(
                    warn,
                    &path,
                    &format!("its default_options don't parse: {why}"),
                );
            }
            return without;
        }
    }
    with_defaults
}

/// True for invocations that must work even with a broken config, HOME or cwd.
fn skips_config(args: &[OsString]) -> bool {
    args.iter().any(|a| a == "--help" || a == "--version") || args == ["help"]
}

/// `default_options` from `CONFIG/config.json`, and the file's path; a missing file is
/// silent, a broken one warns.
fn default_options(config_dir: Option<&Path>, warn: bool) -> (Vec<String>, Option<PathBuf>) {
    let Some(path) = config_dir.map(|d| d.join("config.json")) else {
        return (Vec::new(), None);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Vec::new(), None),
        Err(e) => {
            warn_config(warn, &path, &e.to_string());
            return (Vec::new(), None);
        }
    };
    match parse_default_options(&text) {
        Ok(opts) => (opts, Some(path)),
        Err(e) => {
            warn_config(warn, &path, &e);
            (Vec::new(), None)
        }
    }
}

fn warn_config(warn: bool, path: &std::path::Path, why: &str) {
    if warn {
        eprintln!(
            "rq: warning: ignoring config file {}: {why}",
            path.display()
        );
    }
}

/// Parse the config document; only `default_options` (a list of strings) is read.
pub fn parse_default_options(text: &str) -> Result<Vec<String>, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    match value.get("default_options") {
        None => Ok(Vec::new()),
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("default_options must hold strings, found {v}"))
            })
            .collect(),
        Some(other) => Err(format!("default_options must be a list, found {other}")),
    }
}

/// Remove earlier occurrences of OPTION (and its value) for every `--no-OPTION`, unless
/// clap itself defines `--no-OPTION` (such as `--no-check-status`).
pub fn apply_negations(args: Vec<OsString>, cmd: &Command) -> Vec<OsString> {
    let mut out: Vec<OsString> = Vec::with_capacity(args.len());
    // Indices into `out` of each option occurrence: (arg id, first index, count of slots).
    let mut seen: Vec<(String, usize, usize)> = Vec::new();
    let mut iter = args.into_iter().peekable();
    if let Some(program) = iter.next() {
        out.push(program);
    }
    while let Some(arg) = iter.next() {
        let text = arg.to_string_lossy().into_owned();
        if text == "--" {
            out.push(arg);
            out.extend(iter);
            break;
        }
        if let Some(name) = text.strip_prefix("--no-") {
            if find_long(cmd, &text[2..]).is_none() {
                if let Some(target) = find_long(cmd, name) {
                    let id = target.get_id().to_string();
                    cancel(&mut out, &mut seen, &id);
                    continue;
                }
            }
        }
        if let Some(flags) = split_cluster(cmd, &text) {
            // `-vF` is `-v -F`, so that `--no-follow` can take the F alone back.
            let mut rest: Vec<OsString> = flags.into_iter().map(OsString::from).collect();
            rest.extend(iter);
            iter = rest.into_iter().peekable();
            continue;
        }
        let Some((arg_def, inline)) = lookup(cmd, &text) else {
            out.push(arg);
            continue;
        };
        let start = out.len();
        out.push(arg);
        if !inline && arg_def.get_action().takes_values() {
            if let Some(value) = iter.next() {
                out.push(value);
            }
        }
        seen.push((arg_def.get_id().to_string(), start, out.len() - start));
    }
    out
}

/// Remove every recorded occurrence of `id` from `out`.
fn cancel(out: &mut Vec<OsString>, seen: &mut Vec<(String, usize, usize)>, id: &str) {
    let mut drop = vec![false; out.len()];
    for (_, start, len) in seen.iter().filter(|(i, _, _)| i == id) {
        drop[*start..start + len].iter_mut().for_each(|d| *d = true);
    }
    let mut index = 0;
    out.retain(|_| {
        let keep = !drop[index];
        index += 1;
        keep
    });
    // Re-number the remaining occurrences after removal.
    let removed_before = |pos: usize| drop[..pos].iter().filter(|d| **d).count();
    seen.retain(|(i, _, _)| i != id);
    for entry in seen.iter_mut() {
        entry.1 -= removed_before(entry.1);
    }
}

/// The option `--name` names: its long name or an alias, else (as clap's `infer_long_args`
/// reads it) the one option that `name` is a prefix of.
fn find_long<'a>(cmd: &'a Command, name: &str) -> Option<&'a Arg> {
    let names = |a: &'a Arg| {
        a.get_long()
            .into_iter()
            .chain(a.get_all_aliases().unwrap_or_default())
    };
    if let Some(exact) = cmd.get_arguments().find(|a| names(a).any(|n| n == name)) {
        return Some(exact);
    }
    if name.is_empty() {
        return None;
    }
    let mut prefixed = cmd
        .get_arguments()
        .filter(|a| names(a).any(|n| n.starts_with(name)));
    let first = prefixed.next()?;
    prefixed.next().is_none().then_some(first)
}

/// `-vF` as `["-v", "-F"]`, and `-vofile` as `["-v", "-ofile"]` (the first letter that
/// takes a value gets the rest); `None` for anything else, or a letter rq doesn't know
/// (clap then reports it).
fn split_cluster(cmd: &Command, text: &str) -> Option<Vec<String>> {
    let rest = text.strip_prefix('-')?;
    if rest.starts_with('-') || rest.chars().count() < 2 {
        return None;
    }
    let mut flags = Vec::new();
    for (i, c) in rest.char_indices() {
        let arg = cmd.get_arguments().find(|a| a.get_short() == Some(c))?;
        if arg.get_action().takes_values() {
            if i == 0 {
                return None; // `-ofile`: one option with its value already
            }
            flags.push(format!("-{}", &rest[i..]));
            return Some(flags);
        }
        flags.push(format!("-{c}"));
    }
    Some(flags)
}

/// The option an argument names (`--long`, `--long=v`, `-s`, `-svalue`), and whether its
/// value is inline.
fn lookup<'a>(cmd: &'a Command, text: &str) -> Option<(&'a Arg, bool)> {
    if let Some(long) = text.strip_prefix("--") {
        let (name, inline) = match long.split_once('=') {
            Some((n, _)) => (n, true),
            None => (long, false),
        };
        return find_long(cmd, name).map(|a| (a, inline));
    }
    let mut chars = text.strip_prefix('-')?.chars();
    let c = chars.next()?;
    let arg = cmd.get_arguments().find(|a| a.get_short() == Some(c))?;
    Some((arg, chars.next().is_some()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_shortcut_prints_what_clap_prints() {
        assert_eq!(version_line(), Cli::command().render_version());
    }

    fn apply(args: &[&str]) -> Vec<String> {
        let mut all = vec!["rq".to_string()];
        all.extend(args.iter().map(|s| s.to_string()));
        apply_negations(
            all.into_iter().map(OsString::from).collect(),
            &Cli::command(),
        )
        .into_iter()
        .skip(1)
        .map(|s| s.to_string_lossy().into_owned())
        .collect()
    }

    #[test]
    fn negation_table() {
        let cases: &[(&[&str], &[&str])] = &[
            (&["--form", "x.org", "--no-form"], &["x.org"]),
            (&["-f", "x.org", "--no-form"], &["x.org"]),
            (&["--style", "monokai", "--no-style", "x"], &["x"]),
            (&["--style=monokai", "--no-style", "x"], &["x"]),
            (&["-vF", "x", "--no-follow"], &["-v", "x"]),
            (&["-vFo", "f", "x", "--no-follow"], &["-v", "-o", "f", "x"]),
            (&["-vofile", "x", "--no-output"], &["-v", "x"]),
            (&["-ofile", "x"], &["-ofile", "x"]),
            (&["-v", "-v", "--no-verbose", "-v", "x"], &["-v", "x"]),
            (
                &["--follow", "--no-follow", "--follow", "x"],
                &["--follow", "x"],
            ),
            // clap's own --no-check-status is left alone.
            (&["--no-check-status", "x"], &["--no-check-status", "x"]),
            // Unambiguous prefixes count as the option, as clap reads them.
            (
                &["--verb", "--time", "3", "x", "--no-verbose", "--no-timeout"],
                &["x"],
            ),
            (&["--follow", "x", "--no-fol"], &["x"]),
            // unknown --no-* passes through for clap to reject.
            (&["--no-such", "x"], &["--no-such", "x"]),
            // after `--` nothing is an option.
            (&["-f", "--", "--no-form"], &["-f", "--", "--no-form"]),
            (
                &["-o", "out", "--timeout", "3", "--no-output", "x"],
                &["--timeout", "3", "x"],
            ),
        ];
        for (input, want) in cases {
            assert_eq!(apply(input), *want, "input {input:?}");
        }
    }

    #[test]
    fn config_document_table() {
        assert_eq!(
            parse_default_options(r#"{"default_options": ["--form", "-F"]}"#).unwrap(),
            ["--form", "-F"]
        );
        assert_eq!(parse_default_options("{}").unwrap(), Vec::<String>::new());
        assert!(parse_default_options("{oops").is_err());
        assert!(parse_default_options(r#"{"default_options": "--form"}"#).is_err());
        assert!(parse_default_options(r#"{"default_options": [1]}"#).is_err());
    }
}
