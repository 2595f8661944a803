//! SPEC §7: the config file's default options, `--no-OPTION`, and robustness of
//! `--help`/`--version`.

use crate::support::{assert_code, rq, run, stderr, stdout, Response, Server};

fn config_dir(json: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.json"), json).unwrap();
    dir
}

fn echo() -> Server {
    Server::http(|_| Response::new(200).text("ok"))
}

#[test]
fn default_options_are_prepended() {
    let cfg = config_dir(r#"{"default_options": ["--form"]}"#);
    let s = echo();
    let o = run(rq()
        .env("RQ_CONFIG_DIR", cfg.path())
        .args([&s.url("/"), "a=1"]));
    assert_code(&o, 0);
    let r = &s.requests()[0];
    assert_eq!(r.body_str(), "a=1");
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("application/x-www-form-urlencoded"));
}

#[test]
fn no_option_on_the_command_line_undoes_a_default() {
    let cfg = config_dir(r#"{"default_options": ["--form"]}"#);
    let s = echo();
    let o = run(rq()
        .env("RQ_CONFIG_DIR", cfg.path())
        .args(["--no-form", &s.url("/"), "a=1"]));
    assert_code(&o, 0);
    assert_eq!(s.requests()[0].body_str(), r#"{"a": "1"}"#);
}

#[test]
fn broken_config_warns_once_and_the_request_still_goes_out() {
    let cfg = config_dir("{oops");
    let s = echo();
    let o = run(rq().env("RQ_CONFIG_DIR", cfg.path()).arg(s.url("/")));
    assert_code(&o, 0);
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("rq: warning: ignoring config file ") && err.contains("config.json"),
        "{err}"
    );
    assert_eq!(s.request_count(), 1);
}

#[test]
fn default_options_that_do_not_parse_are_dropped_with_a_warning() {
    let s = echo();
    for options in [
        r#"["--bogus"]"#,
        r#"["--style=nope"]"#,
        r#"["--form", "--timeout"]"#,
    ] {
        let cfg = config_dir(&format!(r#"{{"default_options": {options}}}"#));
        let o = run(rq().env("RQ_CONFIG_DIR", cfg.path()).arg(s.url("/")));
        assert_code(&o, 0);
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{options}: {err}");
        assert!(err.contains("its default_options don't parse"), "{err}");
    }
    assert_eq!(s.request_count(), 3);
    // The user's own mistake is still the user's error, with the defaults kept out of it.
    let cfg = config_dir(r#"{"default_options": ["--follow"]}"#);
    let o = run(rq()
        .env("RQ_CONFIG_DIR", cfg.path())
        .args(["--bogus", &s.url("/")]));
    assert_code(&o, 64);
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
}

#[test]
fn help_and_version_work_with_broken_config_home_and_cwd() {
    let cfg = config_dir("{oops");
    let gone = tempfile::tempdir().unwrap();
    for args in ["--help", "--version", "help"] {
        let cwd = gone.path().join("cwd");
        std::fs::create_dir(&cwd).unwrap();
        // Start rq in a directory that no longer exists, with HOME pointing nowhere.
        let line = format!(
            "cd '{}' && rmdir '{}' && exec '{}' {args}",
            cwd.display(),
            cwd.display(),
            crate::support::bin()
        );
        let o = run(rq_shell(&line)
            .env("RQ_CONFIG_DIR", cfg.path())
            .env("HOME", gone.path().join("missing")));
        assert_code(&o, 0);
        assert!(!o.stdout.is_empty(), "{args}");
        assert_eq!(stderr(&o), "", "{args}");
    }
}

fn rq_shell(line: &str) -> std::process::Command {
    let mut cmd = std::process::Command::new("sh");
    crate::support::hermetic(&mut cmd).args(["-c", line]);
    cmd
}

#[test]
fn short_help_is_a_cheat_sheet_and_long_help_is_complete() {
    let short = stdout(&run(rq().arg("--help")));
    let long = stdout(&run(rq().args(["--help", "--long"])));
    assert!(short.lines().count() < long.lines().count());
    assert!(long.contains("METHOD is optional"), "{long}");
    assert_eq!(long, stdout(&run(rq().arg("help"))));
}

#[test]
fn help_and_version_to_a_full_disk_exit_1() {
    for args in [&["--help"][..], &["--help", "--long"], &["--version"]] {
        let full = std::fs::File::create("/dev/full").unwrap();
        let o = run(rq().args(args).stdout(full));
        assert_code(&o, 1);
        assert!(
            stderr(&o).contains("No space left on device"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn an_unknown_option_keeps_the_did_you_mean_hint() {
    let o = run(rq().args(["--folow", "example.org"]));
    assert_code(&o, 64);
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("'--folow'") && err.contains("'--follow'"),
        "{err}"
    );
    let o = run(rq().args(["--pretty", "loud", "example.org"]));
    assert_code(&o, 64);
    assert!(
        stderr(&o).contains("all, colors, format, none"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn unambiguous_long_option_prefixes_work_as_in_httpie() {
    let s = echo();
    let o = run(rq().args(["--verb", "--pre=none", &s.url("/x")]));
    assert_code(&o, 0);
    assert!(stdout(&o).contains("GET /x HTTP/1.1"), "{}", stdout(&o));
    let o = run(rq().args(["--curl", "--default", "http", "example.org/x"]));
    assert_code(&o, 0);
    assert!(
        stdout(&o).contains("http://example.org/x"),
        "{}",
        stdout(&o)
    );
    // A default option cancelled by an abbreviated --no- form.
    let o = run(rq().args(["--verbose", "--no-verb", &s.url("/y")]));
    assert_eq!(stdout(&o), "ok");
    // An ambiguous prefix names the candidates and sends nothing.
    let o = run(rq().args(["--pr=none", &s.url("/z")]));
    assert_code(&o, 64);
    let err = stderr(&o);
    assert!(err.contains("ambiguous option: --pr could be"), "{err}");
    assert!(err.contains("--pretty") && err.contains("--print"), "{err}");
    assert_eq!(s.request_count(), 2);
}
