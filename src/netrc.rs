//! `~/.netrc` (or the file `$NETRC` names): `machine`, `default`, `login`, `password`.
//!
//! The file is read once, when no other credentials were given and `--ignore-netrc` was not;
//! the engine then looks up each hop's host in it (`state.rs`), so a redirect to another host
//! gets that host's entry or none. Like curl, the first matching `machine` wins and `default`
//! applies only when none matches; `macdef` bodies are skipped; `"quoted tokens"` and `#`
//! comments are understood. A file others can read draws a warning (rq still uses it).

use std::fmt;
use std::path::{Path, PathBuf};

use crate::auth::Secret;

/// The parsed file.
#[derive(Clone, Default)]
pub struct Netrc {
    pub path: PathBuf,
    entries: Vec<Entry>,
}

#[derive(Clone)]
struct Entry {
    /// `None` for the `default` entry.
    machine: Option<String>,
    login: String,
    password: Option<Secret>,
}

impl Netrc {
    /// Parse netrc text (the fuzz targets and tests use this; `load` reads the file).
    pub fn parse(path: PathBuf, text: &str) -> Netrc {
        Netrc {
            path,
            entries: parse(text),
        }
    }
}

impl fmt::Debug for Netrc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let machines: Vec<&str> = self
            .entries
            .iter()
            .map(|e| e.machine.as_deref().unwrap_or("default"))
            .collect();
        f.debug_struct("Netrc")
            .field("path", &self.path)
            .field("machines", &machines)
            .finish_non_exhaustive()
    }
}

impl Netrc {
    /// `(login, password)` for `host`: its first `machine` entry, else `default`. An entry
    /// without a password gives nothing.
    pub fn lookup(&self, host: &str) -> Option<(&str, &Secret)> {
        let machine = self.entries.iter().find(|e| {
            e.machine
                .as_deref()
                .is_some_and(|m| m.eq_ignore_ascii_case(host))
        });
        let entry = machine.or_else(|| self.entries.iter().find(|e| e.machine.is_none()))?;
        Some((entry.login.as_str(), entry.password.as_ref()?))
    }
}

/// Where the netrc file is: `$NETRC`, else `.netrc` in the home directory.
pub fn location(netrc_var: Option<PathBuf>, home: Option<PathBuf>) -> Option<PathBuf> {
    if let Some(p) = netrc_var.filter(|p| !p.as_os_str().is_empty()) {
        return Some(p);
    }
    Some(home?.join(".netrc"))
}

/// Read and parse `path`. A missing or unreadable file is simply no netrc. `warn` receives
/// the warning about a file that others can read.
pub fn load(path: &Path, warn: &mut dyn FnMut(String)) -> Option<Netrc> {
    let text = std::fs::read_to_string(path).ok()?;
    if let Some(mode) = readable_by_others(path) {
        warn(format!(
            "netrc file '{}' is readable by group or others (mode {mode:04o}): run chmod 600 '{}'",
            path.display(),
            path.display()
        ));
    }
    Some(Netrc {
        path: path.to_path_buf(),
        entries: parse(&text),
    })
}

#[cfg(unix)]
fn readable_by_others(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o7777;
    (mode & 0o044 != 0).then_some(mode)
}

#[cfg(not(unix))]
fn readable_by_others(_: &Path) -> Option<u32> {
    None
}

fn parse(text: &str) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut tokens = Tokens { rest: text };
    while let Some(token) = tokens.next() {
        match token.as_str() {
            "machine" => entries.push(Entry {
                machine: Some(tokens.next().unwrap_or_default()),
                login: String::new(),
                password: None,
            }),
            "default" => entries.push(Entry {
                machine: None,
                login: String::new(),
                password: None,
            }),
            "login" | "password" | "account" => {
                let value = tokens.next().unwrap_or_default();
                match (entries.last_mut(), token.as_str()) {
                    (Some(e), "login") => e.login = value,
                    (Some(e), "password") => e.password = Some(Secret::new(value)),
                    _ => {}
                }
            }
            "macdef" => tokens.skip_macro(),
            _ => {}
        }
    }
    entries
}

/// Whitespace-separated tokens; `"…"` quotes with `\` escapes; `#` starts a comment.
struct Tokens<'a> {
    rest: &'a str,
}

impl Tokens<'_> {
    fn next(&mut self) -> Option<String> {
        loop {
            self.rest = self.rest.trim_start();
            if self.rest.starts_with('#') {
                let end = self.rest.find('\n').unwrap_or(self.rest.len());
                self.rest = &self.rest[end..];
                continue;
            }
            break;
        }
        if self.rest.is_empty() {
            return None;
        }
        if let Some(quoted) = self.rest.strip_prefix('"') {
            let mut out = String::new();
            let mut chars = quoted.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '"' => {
                        self.rest = &quoted[i + 1..];
                        return Some(out);
                    }
                    '\\' => out.extend(chars.next().map(|(_, c)| c)),
                    c => out.push(c),
                }
            }
            self.rest = "";
            return Some(out);
        }
        let end = self
            .rest
            .find(char::is_whitespace)
            .unwrap_or(self.rest.len());
        let token = self.rest[..end].to_string();
        self.rest = &self.rest[end..];
        Some(token)
    }

    /// A `macdef NAME` body runs to the next empty line.
    fn skip_macro(&mut self) {
        let _name = self.next();
        match self.rest.find("\n\n") {
            Some(i) => self.rest = &self.rest[i + 2..],
            None => self.rest = "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn netrc(text: &str) -> Netrc {
        Netrc {
            path: PathBuf::from("test"),
            entries: parse(text),
        }
    }

    fn found(n: &Netrc, host: &str) -> Option<(String, String)> {
        n.lookup(host)
            .map(|(l, p)| (l.to_string(), p.expose().to_string()))
    }

    #[test]
    fn machine_entries_match_their_host_only() {
        let n =
            netrc("machine a.test login ann password pw1\nmachine b.test login bob password pw2\n");
        assert_eq!(found(&n, "a.test"), Some(("ann".into(), "pw1".into())));
        assert_eq!(found(&n, "B.TEST"), Some(("bob".into(), "pw2".into())));
        assert_eq!(found(&n, "c.test"), None);
    }

    #[test]
    fn default_applies_when_no_machine_matches() {
        let n = netrc("default login any password pw0 machine a.test login ann password pw1");
        assert_eq!(found(&n, "a.test"), Some(("ann".into(), "pw1".into())));
        assert_eq!(found(&n, "z.test"), Some(("any".into(), "pw0".into())));
    }

    #[test]
    fn first_matching_machine_wins() {
        let n = netrc("machine a.test login one password 1\nmachine a.test login two password 2");
        assert_eq!(found(&n, "a.test"), Some(("one".into(), "1".into())));
    }

    #[test]
    fn quotes_comments_and_macros_are_understood() {
        let text = "# my hosts\nmacdef init\ncd /pub\nls\n\nmachine a.test login \"ann smith\" password \"p\\\"w d\" # trailing\n";
        let n = netrc(text);
        assert_eq!(
            found(&n, "a.test"),
            Some(("ann smith".into(), "p\"w d".into()))
        );
        assert_eq!(found(&n, "init"), None);
        assert_eq!(found(&n, "cd"), None);
    }

    #[test]
    fn an_entry_without_password_gives_nothing() {
        let n = netrc("machine a.test login ann");
        assert_eq!(found(&n, "a.test"), None);
    }

    #[test]
    fn location_prefers_netrc_then_home() {
        let p = |s: &str| Some(PathBuf::from(s));
        assert_eq!(location(p("/x/n"), p("/h")), p("/x/n"));
        assert_eq!(location(None, p("/h")), p("/h/.netrc"));
        assert_eq!(location(p(""), p("/h")), p("/h/.netrc"));
    }

    #[test]
    fn debug_shows_machines_but_no_passwords() {
        let n = netrc("machine a.test login ann password hunter2");
        let shown = format!("{n:#?}");
        assert!(
            shown.contains("a.test") && !shown.contains("hunter2"),
            "{shown}"
        );
    }
}
