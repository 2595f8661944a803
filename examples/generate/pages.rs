//! Shell completions and the man page, from the same clap definition as `--help`, so they
//! cannot drift from the flags. The generated files are committed in `completions/` and
//! `man/` (`make completions man` writes them through `examples/generate`), and a test
//! fails when they are stale. They are not part of the rq binary: the generators would add
//! 0.16 MB to it for files every installation already has.

use std::io::Write;

use clap_complete::Shell;

/// What can be generated, and the committed file each one is.
pub const KINDS: &[(&str, &str)] = &[
    ("complete-bash", "completions/rq.bash"),
    ("complete-zsh", "completions/_rq"),
    ("complete-fish", "completions/rq.fish"),
    ("complete-powershell", "completions/_rq.ps1"),
    ("complete-elvish", "completions/rq.elv"),
    ("man", "man/rq.1"),
];

/// Write `kind` (one of [`KINDS`]) for `cmd` (rq's clap command) to `out`; `false` for a
/// kind that is not one of them.
pub fn generate(kind: &str, mut cmd: clap::Command, out: &mut dyn Write) -> std::io::Result<bool> {
    let shell = match kind {
        "complete-bash" => Shell::Bash,
        "complete-zsh" => Shell::Zsh,
        "complete-fish" => Shell::Fish,
        "complete-powershell" => Shell::PowerShell,
        "complete-elvish" => Shell::Elvish,
        "man" => {
            let mut page = Vec::new();
            man_page(cmd, &mut page)?;
            out.write_all(ascii_roff(&String::from_utf8_lossy(&page)).as_bytes())?;
            return Ok(true);
        }
        _ => return Ok(false),
    };
    clap_complete::generate(shell, &mut cmd, "rq", out);
    Ok(true)
}

/// groff reads its input as Latin-1 unless preprocessed: write every non-ASCII character as
/// a `\[uXXXX]` escape so `groff -man` and `man -l` agree and neither warns.
fn ascii_roff(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    for c in page.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&format!("\\[u{:04X}]", c as u32));
        }
    }
    out
}

/// The man page: clap's title, synopsis, description and options, then rq's own sections.
fn man_page(cmd: clap::Command, out: &mut dyn Write) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(cmd).date("");
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    let mut roff = roff::Roff::new();
    for (title, entries) in MAN_SECTIONS {
        roff.control("SH", [*title]);
        for (term, text) in *entries {
            if term.is_empty() {
                roff.control("PP", []).text([roff::roman(*text)]);
            } else {
                roff.control("TP", [])
                    .text([roff::bold(*term)])
                    .text([roff::roman(*text)]);
            }
        }
    }
    roff.to_writer(out)?;
    man.render_version_section(out)
}

/// Man page sections beyond the options: (title, [(term, text)]); an empty term is a
/// plain paragraph.
type Section = (&'static str, &'static [(&'static str, &'static str)]);

const MAN_SECTIONS: &[Section] = &[
    (
        "REQUEST ITEMS",
        &[
            ("", "Items follow the URL. The separator found earliest in the item decides its kind; a backslash escapes : = @ ; [ ] and itself."),
            ("Name:Value", "A request header. Repeated names send repeated header lines."),
            ("Name:", "Remove a default header such as User-Agent or Accept-Encoding."),
            ("Name;", "Send the header with an empty value."),
            ("Name:@file", "A header value read from a file (the trailing newline is trimmed)."),
            ("key==value, key==@file", "A URL query parameter, appended in order."),
            ("key=value, key=@file", "A data field: a JSON string (the default) or a form field with --form."),
            ("key:=json, key:=@file", "A raw JSON value: number, true, false, null, array or object."),
            ("field@path[;type=MIME][;filename=NAME]", "A file upload; needs --form or --multipart."),
            ("@path", "The whole request body from a file; only one, and not mixed with data items."),
            ("", "Nested JSON keys: a[b]=1 makes an object, a[]=x appends, a[2]=x sets an index (filling with null), [0]=x and []:=1 make a top-level array, [\\1] is the string key 1. A type clash such as a[b]=1 a[0]=2 is an error that points at the item."),
        ],
    ),
    (
        "WHAT IS SHOWN",
        &[
            ("", "Sections: H request headers, B request body, h response headers, b response body, m metadata. At a terminal the default is hb, coloured, with indented JSON; with stdout redirected it is b, the exact bytes received (decoded from Content-Encoding); --offline prints HB."),
            ("", "At a terminal, control characters and escape sequences sent by the server are shown escaped (\\x1b) and binary bodies are replaced by a one-line note. NO_COLOR or TERM=dumb turn the default colours off and keep the formatting; an explicit --pretty=all or --pretty=colors still colours."),
        ],
    ),
    (
        "EXIT STATUS",
        &[
            ("0", "Success."),
            ("1", "Network, TLS, protocol or I/O error: connection refused, DNS failure, truncated body."),
            ("2", "Timeout; the message names --connect-timeout, --timeout or --max-time."),
            ("3, 4, 5", "A 3xx (not followed), 4xx or 5xx response. Off with --no-check-status. When stdout is not a terminal a warning such as \"rq: warning: HTTP 404 Not Found\" goes to stderr."),
            ("6", "Too many redirects (--max-redirects)."),
            ("64", "Usage error: bad option, bad request item, unreadable input file. Nothing was sent."),
            ("130", "Interrupted (Ctrl-C)."),
            ("", "A closed pipe on stdout (rq ... | head) exits 0 quietly."),
        ],
    ),
    (
        "ENVIRONMENT",
        &[
            ("RQ_CONFIG_DIR", "The configuration directory (default: the platform config directory + /rq, e.g. ~/.config/rq)."),
            ("NO_COLOR", "When set and not empty, no colours unless --pretty=all or --pretty=colors asks for them."),
            ("TERM", "TERM=dumb turns the default colours off."),
            ("NETRC", "The netrc file to read instead of ~/.netrc."),
            ("http_proxy, HTTPS_PROXY, ALL_PROXY, NO_PROXY", "Proxies per target scheme; http_proxy is read in lower case only."),
            ("SSL_CERT_FILE, REQUESTS_CA_BUNDLE", "A CA bundle to verify servers with, instead of the platform trust store."),
        ],
    ),
    (
        "FILES",
        &[
            ("CONFIG/config.json", "{\"default_options\": [\"--follow\", \"--style=monokai\"]} puts options in front of every command line; any option's --no-OPTION form undoes one. A broken file is a warning, not a failure."),
            ("CONFIG/sessions/HOST[_PORT]/NAME.json", "Named sessions (--session NAME), in httpie's 3.x session format, written atomically with mode 0600."),
            ("~/.netrc", "Credentials per host, used when none are given (--ignore-netrc turns it off)."),
        ],
    ),
    (
        "EXAMPLES",
        &[
            ("At a terminal", "rq :8080/users; rq post api.example.org/users name=ann age:=31 X-Trace:1; rq -v -F example.org/old-path"),
            ("In scripts", "rq -b example.org/api | jq .; echo '{\"a\":1}' | rq :8080/post; rq -f post :8080/upload doc@report.pdf"),
            ("In CI", "rq --timeout 5 --max-time 30 get https://svc/health || echo \"health check failed: $?\""),
            ("OAuth 2", "rq --session api -A oauth2 --oauth2-token-url https://id.example/token -a CLIENT:SECRET https://api.example/me (a token is fetched, kept in the session with its expiry and refreshed; --oauth2-grant device-code or authorization-code sign a person in)"),
            ("With a filter", "rq --filter '.items[].id' api.example.org/items; rq --paginate -W '.[].name' --filter-raw api.example.org/users"),
            ("From a browser", "rq --from-curl \"$(xclip -o)\" (a command copied with \"Copy as cURL\"); rq --offline --from-curl - < cmd.txt > req.http"),
            ("Timings", "rq -m example.org (a waterfall at a terminal); rq -F -m --meta-format json example.org/old | jq .total"),
        ],
    ),
    (
        "SECURITY",
        &[
            ("", "Authorization, Proxy-Authorization and Cookie headers are never sent to another scheme, host or port when following a redirect (the same-host upgrade from http:80 to https:443 keeps them). Redirects are followed only to http and https URLs."),
            ("", "Session files are written atomically (a temporary file in the same directory, then a rename) with mode 0600. --debug never prints credentials."),
            ("", "OAuth 2 tokens go only to the origin of the first request; token requests never follow redirects, and -v shows them with secrets and tokens redacted."),
            ("", "At a terminal, nothing the server sends reaches the terminal as an escape sequence."),
        ],
    ),
];
