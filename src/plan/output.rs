//! The printer's part of the plan: which sections to show, colours and layout, format
//! options, and what the screen is (stdout, or stderr under `-d`).

use anyhow::Result;

use crate::cli::{Cli, Pretty, Style};
use crate::env::Env;
use crate::error::usage;
use crate::print::filter::Filter;
use crate::print::{charset, Output, Sections, ThemeName};

fn theme_name(style: Style) -> ThemeName {
    match style {
        Style::Auto => ThemeName::Auto,
        Style::Monokai => ThemeName::Monokai,
        Style::Solarized => ThemeName::Solarized,
    }
}

/// `-d` prints headers on stderr, so stderr's terminal decides colours and sanitising then.
pub fn screen_tty(cli: &Cli, env: &Env) -> bool {
    match cli.download && !cli.offline && !cli.curl {
        true => env.stderr_tty,
        false => env.stdout_tty,
    }
}

pub fn output(cli: &Cli, env: &Env) -> Result<Output> {
    let pretty = cli.pretty.unwrap_or(if screen_tty(cli, env) {
        Pretty::All
    } else {
        Pretty::None
    });
    // NO_COLOR and TERM=dumb change the default only: an explicit --pretty=all or
    // --pretty=colors asks for colours, and flags win (no-color.org).
    let colors_allowed = cli.pretty.is_some() || (!env.no_color && !env.term_dumb);
    let colors = (matches!(pretty, Pretty::All | Pretty::Colors) && colors_allowed)
        .then_some(theme_name(cli.style));
    let mut out = Output {
        sections: sections(cli, env)?,
        history: None,
        colors,
        format: matches!(pretty, Pretty::All | Pretty::Format),
        json_sort_keys: cli.sorted,
        headers_sort: cli.sorted,
        response_mime: response_mime(cli)?,
        response_charset: response_charset(cli)?,
        stream: cli.stream,
        terminal: screen_tty(cli, env),
        warnings: cli.quiet < 2,
        request_version: match cli.http_version {
            Some(crate::cli::HttpVersion::Http10) => "HTTP/1.0",
            _ => "HTTP/1.1",
        },
        filter: filter(cli)?,
        meta_json: cli.meta_format == Some(crate::cli::MetaFormat::Json),
        // The indents (4 for JSON, 2 for XML, as httpie) and xml.format on.
        ..Output::default()
    };
    for opts in &cli.format_options {
        apply_format_options(&mut out, opts)?;
    }
    if cli.verbose > 0 || cli.all || cli.history_print.is_some() {
        out.history = Some(match &cli.history_print {
            Some(p) => Sections::parse(p, "--history-print")?,
            None => out.sections,
        });
    }
    Ok(out)
}

/// `--filter`, compiled now so that an expression that does not parse stops rq before
/// anything is sent. Its results are printed, so it has no use where nothing is.
fn filter(cli: &Cli) -> Result<Option<Filter>> {
    let Some(expr) = &cli.filter else {
        return Ok(None);
    };
    if cli.offline {
        return Err(usage(
            "--filter can't be used with --offline: nothing is received to filter",
        ));
    }
    let saved = [
        (cli.download, "--download"),
        (cli.resume, "--continue"),
        (cli.output.is_some(), "--output"),
    ];
    if let Some((_, option)) = saved.iter().find(|(set, _)| *set) {
        return Err(usage(format!(
            "--filter can't be used with {option}, which saves the body as received: \
             redirect stdout to keep the filter's results"
        )));
    }
    Filter::compile(expr, cli.filter_raw)
        .map(Some)
        .map_err(usage)
}

fn sections(cli: &Cli, env: &Env) -> Result<Sections> {
    if cli.quiet > 0 {
        return Ok(Sections::default());
    }
    if let Some(chosen) = chosen_sections(cli)? {
        return Ok(chosen);
    }
    if cli.offline {
        return Sections::parse("HB", "--offline");
    }
    if cli.download {
        // The body is the download; the headers go to stderr when someone is watching.
        return Ok(Sections {
            response_headers: env.stderr_tty,
            ..Sections::default()
        });
    }
    Sections::parse(if env.stdout_tty { "hb" } else { "b" }, "--print")
}

/// What `-p`, `-h`, `-b`, `-m` and `-v` ask for: the later option wins, so `-v -b` (or `-v`
/// in the config's default options, then `-b`) prints the body only, as in httpie; `-h`,
/// `-b` and `-m` given one after another add up (`-h -b` is `-p hb`).
fn chosen_sections(cli: &Cli) -> Result<Option<Sections>> {
    use crate::cli::OutputFlag;
    let order = match cli.output_order.is_empty() {
        false => cli.output_order.clone(),
        // A `Cli` not from `Cli::parse_args`: -p over -v over -h/-b/-m.
        true => [
            (cli.headers, OutputFlag::Headers),
            (cli.body, OutputFlag::Body),
            (cli.meta, OutputFlag::Meta),
            (cli.verbose > 0, OutputFlag::Verbose),
            (cli.print.is_some(), OutputFlag::Print),
        ]
        .into_iter()
        .filter_map(|(given, flag)| given.then_some(flag))
        .collect(),
    };
    let mut chosen: Option<Sections> = None;
    let mut adding = false;
    for flag in order {
        let mut s = match (adding, chosen) {
            (true, Some(s)) => s,
            _ => Sections::default(),
        };
        adding = matches!(
            flag,
            OutputFlag::Headers | OutputFlag::Body | OutputFlag::Meta
        );
        match flag {
            OutputFlag::Print => {
                s = Sections::parse(cli.print.as_deref().unwrap_or(""), "--print")?
            }
            OutputFlag::Verbose => {
                s = Sections::parse("HBhb", "-v")?;
                s.meta = cli.verbose > 1;
            }
            OutputFlag::Headers => s.response_headers = true,
            OutputFlag::Body => s.response_body = true,
            OutputFlag::Meta => s.meta = true,
        }
        chosen = Some(s);
    }
    Ok(chosen)
}

fn response_mime(cli: &Cli) -> Result<Option<String>> {
    let Some(mime) = &cli.response_mime else {
        return Ok(None);
    };
    let (kind, sub) = mime
        .split(';')
        .next()
        .unwrap_or("")
        .split_once('/')
        .unwrap_or(("", ""));
    if kind.trim().is_empty() || sub.trim().is_empty() {
        return Err(usage(format!(
            "invalid --response-mime '{mime}' (expected TYPE/SUBTYPE, e.g. application/json)"
        )));
    }
    Ok(Some(mime.trim().to_string()))
}

fn response_charset(cli: &Cli) -> Result<Option<&'static encoding_rs::Encoding>> {
    let Some(label) = &cli.response_charset else {
        return Ok(None);
    };
    charset::for_label(label).map(Some).ok_or_else(|| {
        usage(format!(
            "unknown charset '{label}' in --response-charset (e.g. utf-8, latin1, shift_jis, utf-16)"
        ))
    })
}

fn apply_format_options(out: &mut Output, spec: &str) -> Result<()> {
    for opt in spec.split(',').filter(|s| !s.is_empty()) {
        let bad = || {
            usage(format!(
                "invalid --format-options '{opt}' (expected json.indent:N, json.sort_keys:B, json.format:B, xml.indent:N, xml.format:B or headers.sort:B)"
            ))
        };
        let (key, value) = opt.split_once(':').ok_or_else(bad)?;
        let flag = || match value {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(bad()),
        };
        match key {
            "json.indent" => {
                out.json_indent = value.parse().ok().filter(|n| *n <= 16).ok_or_else(bad)?
            }
            "json.sort_keys" => out.json_sort_keys = flag()?,
            "json.format" => out.format = flag()?,
            "xml.indent" => {
                out.xml_indent = value.parse().ok().filter(|n| *n <= 16).ok_or_else(bad)?
            }
            "xml.format" => out.xml_format = flag()?,
            "headers.sort" => out.headers_sort = flag()?,
            _ => return Err(bad()),
        }
    }
    Ok(())
}
