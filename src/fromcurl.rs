//! `--from-curl`: a curl command line, as browsers' "Copy as cURL" and `rq --curl` write it,
//! read into what it asks for: the request (method, URL, headers, data, form fields) and
//! the rq options its transport flags mean (`-k` is `--verify no`, `-L` is `--follow` …).
//!
//! Words are split the way a POSIX shell would (the `shell-words` crate), after two things
//! it does not know: line continuations, and bash's `$'…'` quoting, which Chrome and Safari
//! use for values with quotes, line breaks or control characters. Every option is either
//! understood or reported: an option rq does not know is an error that lists it, never
//! dropped. Files named by `@file` are read later, when the request is planned.

/// What a curl command asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CurlCommand {
    /// `-X`.
    pub method: Option<String>,
    pub url: String,
    /// `-H`, `-A`, `-e`, `-b` (as `Cookie`), in order; `Name;` gives an empty value.
    pub headers: Vec<(String, String)>,
    /// `-H 'Name:'`: a header curl would add by itself, left out.
    pub removed: Vec<String>,
    /// `-d` and its kin, in order: joined with `&` into one body.
    pub data: Vec<Data>,
    /// `-F` and `--form-string`, in order.
    pub form: Vec<Field>,
    /// `-G`: the data goes into the URL's query, and the method is GET.
    pub get: bool,
    /// `-I`: a HEAD request.
    pub head: bool,
    /// `--compressed`: ask for compressed responses (`Accept-Encoding`).
    pub compressed: bool,
    /// `--json`: the data is JSON, with the JSON `Content-Type` and `Accept`.
    pub json: bool,
    /// rq options for the transport flags, to go before the user's own.
    pub options: Vec<String>,
}

/// One `-d`-like argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Data {
    pub kind: DataKind,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataKind {
    /// `-d`, `--data`, `--data-ascii`: `@file` is read without its CR and LF bytes.
    Ascii,
    /// `--data-raw`: as written, `@` included.
    Raw,
    /// `--data-binary`, `--json`: `@file` is read as it is.
    Binary,
    /// `--data-urlencode`: `content`, `=content`, `name=content`, `@file` or `name@file`.
    UrlEncode,
}

/// One multipart field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Text {
        name: String,
        value: String,
    },
    /// `name=<file`: a text field whose value is the file's contents.
    TextFile {
        name: String,
        path: String,
    },
    /// `name=@file;type=…;filename=…`.
    File {
        name: String,
        path: String,
        mime: Option<String>,
        filename: Option<String>,
    },
}

/// Options that take a value, long and short.
const WITH_VALUE: &[(&str, char)] = &[
    ("request", 'X'),
    ("header", 'H'),
    ("user-agent", 'A'),
    ("referer", 'e'),
    ("cookie", 'b'),
    ("data", 'd'),
    ("form", 'F'),
    ("user", 'u'),
    ("url", '\0'),
    ("data-ascii", '\0'),
    ("data-raw", '\0'),
    ("data-binary", '\0'),
    ("data-urlencode", '\0'),
    ("json", '\0'),
    ("form-string", '\0'),
    ("oauth2-bearer", '\0'),
    ("max-redirs", '\0'),
    ("connect-timeout", '\0'),
    ("max-time", 'm'),
    ("speed-limit", 'Y'),
    ("speed-time", 'y'),
    ("proxy", 'x'),
    ("proxy-user", 'U'),
    ("noproxy", '\0'),
    ("cacert", '\0'),
    ("cert", 'E'),
    ("key", '\0'),
    ("pass", '\0'),
    ("tls-max", '\0'),
    ("resolve", '\0'),
    ("connect-to", '\0'),
    ("unix-socket", '\0'),
    ("retry", '\0'),
    ("retry-delay", '\0'),
    ("retry-max-time", '\0'),
];

/// Flags, long and short.
const FLAGS: &[(&str, char)] = &[
    ("get", 'G'),
    ("head", 'I'),
    ("location", 'L'),
    ("insecure", 'k'),
    ("compressed", '\0'),
    ("digest", '\0'),
    ("basic", '\0'),
    ("path-as-is", '\0'),
    ("globoff", 'g'),
    ("ipv4", '4'),
    ("ipv6", '6'),
    ("http1.0", '0'),
    ("http1.1", '\0'),
    ("http2", '\0'),
    ("http2-prior-knowledge", '\0'),
    ("tlsv1.2", '\0'),
    ("tlsv1.3", '\0'),
    ("retry-connrefused", '\0'),
    ("fail", 'f'),
    ("include", 'i'),
    ("verbose", 'v'),
    // curl's own progress and error output; rq's output is its own.
    ("silent", 's'),
    ("show-error", 'S'),
    ("no-progress-meter", '\0'),
    ("progress-bar", '#'),
];

/// Read a curl command line (`curl` first, then its arguments).
pub fn parse(text: &str) -> Result<CurlCommand, String> {
    let words = split(text)?;
    let mut words = words.into_iter();
    match words.next() {
        Some(first) if first == "curl" || first.ends_with("/curl") => {}
        Some(first) => return Err(format!("a curl command starts with 'curl', not '{first}'")),
        None => return Err("the curl command is empty".into()),
    }
    let mut parser = Parser::default();
    let args: Vec<String> = words.collect();
    parser.run(&args)?;
    parser.finish()
}

/// The words of a shell command line, with `$'…'` and line continuations handled first.
fn split(text: &str) -> Result<Vec<String>, String> {
    let text = text.replace("\r\n", "\n");
    let text = ansi_c_to_single_quotes(&text)?;
    let words = shell_words::split(&text)
        .map_err(|e| format!("the curl command doesn't split into words: {e}"))?;
    for word in &words {
        // Words a shell would have treated as operators: only one command can be run.
        if matches!(
            word.as_str(),
            "|" | "||" | "&&" | ";" | "&" | ">" | "<" | ">>"
        ) {
            return Err(format!(
                "the curl command goes on past '{word}': give only the curl command \
                 (one request, without pipes or redirections)"
            ));
        }
    }
    Ok(words)
}

/// Rewrite every `$'…'` outside other quotes as a plain `'…'` holding the decoded text
/// (a `'` in it becomes `'\''`), and drop backslash-newline continuations.
fn ansi_c_to_single_quotes(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('\n') => {} // a continuation: the line goes on
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                }
                None => out.push('\\'),
            },
            '\'' => {
                out.push('\'');
                for c in chars.by_ref() {
                    out.push(c);
                    if c == '\'' {
                        break;
                    }
                }
            }
            '"' => {
                out.push('"');
                while let Some(c) = chars.next() {
                    out.push(c);
                    match c {
                        '\\' => out.extend(chars.next()),
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '$' if chars.peek() == Some(&'\'') => {
                chars.next();
                let decoded = ansi_c(&mut chars)?;
                out.push('\'');
                out.push_str(&decoded.replace('\'', r"'\''"));
                out.push('\'');
            }
            _ => out.push(c),
        }
    }
    Ok(out)
}

/// The text of a `$'…'` word up to its closing quote, escapes decoded as bash does.
fn ansi_c(chars: &mut std::iter::Peekable<std::str::Chars>) -> Result<String, String> {
    let mut bytes = Vec::new();
    loop {
        let c = chars
            .next()
            .ok_or("a $'…' string is not closed in the curl command")?;
        match c {
            '\'' => break,
            '\\' => escape(chars, &mut bytes)?,
            c => bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    String::from_utf8(bytes).map_err(|_| {
        "a $'…' string in the curl command holds bytes that are not UTF-8 text \
         (use --data-binary @FILE for binary data)"
            .to_string()
    })
}

/// One backslash escape of `$'…'` (after the backslash), appended to `out` as bytes.
fn escape(
    chars: &mut std::iter::Peekable<std::str::Chars>,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let simple = |c: char| -> Option<u8> {
        Some(match c {
            'n' => b'\n',
            'r' => b'\r',
            't' => b'\t',
            'a' => 0x07,
            'b' => 0x08,
            'e' | 'E' => 0x1b,
            'f' => 0x0c,
            'v' => 0x0b,
            '\\' => b'\\',
            '\'' => b'\'',
            '"' => b'"',
            '?' => b'?',
            _ => return None,
        })
    };
    let c = chars.next().ok_or("a $'…' string ends in a backslash")?;
    if let Some(byte) = simple(c) {
        out.push(byte);
        return Ok(());
    }
    match c {
        'x' => match digits(chars, 16, 2) {
            (_, 0) => out.extend_from_slice(b"\\x"),
            (v, _) => out.push(v as u8),
        },
        'u' | 'U' => {
            let max = if c == 'u' { 4 } else { 8 };
            match digits(chars, 16, max) {
                (_, 0) => out.extend_from_slice(format!("\\{c}").as_bytes()),
                (v, _) => {
                    let ch = char::from_u32(v)
                        .ok_or_else(|| format!("\\{c}{v:x} in a $'…' string is not a character"))?;
                    out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
                }
            }
        }
        '0'..='7' => {
            let first = c.to_digit(8).unwrap_or(0);
            let (rest, n) = digits(chars, 8, 2);
            let value = first * 8u32.pow(n as u32) + rest;
            out.push(value as u8);
        }
        other => {
            out.push(b'\\');
            out.extend_from_slice(other.encode_utf8(&mut [0; 4]).as_bytes());
        }
    }
    Ok(())
}

/// Up to `max` digits in `radix`: their value and how many there were.
fn digits(
    chars: &mut std::iter::Peekable<std::str::Chars>,
    radix: u32,
    max: usize,
) -> (u32, usize) {
    let mut value = 0u32;
    let mut n = 0;
    while n < max {
        match chars.peek().and_then(|c| c.to_digit(radix)) {
            Some(d) => {
                value = value * radix + d;
                chars.next();
                n += 1;
            }
            None => break,
        }
    }
    (value, n)
}

#[derive(Default)]
struct Parser {
    cmd: CurlCommand,
    urls: Vec<String>,
    unknown: Vec<String>,
    user: Option<String>,
    digest: bool,
    proxy: Option<String>,
    proxy_user: Option<String>,
    speed_time: Option<String>,
    cookies: Vec<String>,
    tls_max: Option<String>,
    tls13: bool,
}

impl Parser {
    fn run(&mut self, args: &[String]) -> Result<(), String> {
        let mut i = 0;
        let mut options_end = false;
        while i < args.len() {
            let arg = &args[i];
            i += 1;
            if options_end || !arg.starts_with('-') || arg == "-" {
                self.urls.push(arg.clone());
                continue;
            }
            if arg == "--" {
                options_end = true;
                continue;
            }
            let mut value = |name: &str| -> Result<String, String> {
                let v = args
                    .get(i)
                    .cloned()
                    .ok_or_else(|| format!("curl option {name} needs a value"))?;
                i += 1;
                Ok(v)
            };
            if let Some(long) = arg.strip_prefix("--") {
                if WITH_VALUE.iter().any(|(l, _)| *l == long) {
                    let v = value(arg)?;
                    self.option(long, v);
                } else if FLAGS.iter().any(|(l, _)| *l == long) {
                    self.flag(long);
                } else {
                    self.unknown.push(arg.clone());
                }
                continue;
            }
            // A cluster of short options (`-sSL`); one that takes a value takes the rest
            // of the cluster (`-XPOST`), or else the next word.
            let cluster: Vec<char> = arg[1..].chars().collect();
            for (at, c) in cluster.iter().enumerate() {
                if let Some((long, _)) = WITH_VALUE.iter().find(|(_, s)| s == c) {
                    let rest: String = cluster[at + 1..].iter().collect();
                    let v = match rest.is_empty() {
                        true => value(&format!("-{c}"))?,
                        false => rest,
                    };
                    self.option(long, v);
                    break;
                }
                match FLAGS.iter().find(|(_, s)| s == c) {
                    Some((long, _)) => self.flag(long),
                    None => self.unknown.push(format!("-{c}")),
                }
            }
        }
        Ok(())
    }

    fn rq(&mut self, options: &[&str]) {
        self.cmd
            .options
            .extend(options.iter().map(|s| s.to_string()));
    }

    fn option(&mut self, long: &str, v: String) {
        let data = |kind| Data {
            kind,
            value: v.clone(),
        };
        match long {
            "request" => self.cmd.method = Some(v),
            "header" => self.header(&v),
            "user-agent" => self.cmd.headers.push(("User-Agent".into(), v)),
            "referer" => self.cmd.headers.push(("Referer".into(), v)),
            "cookie" => self.cookies.push(v),
            "data" | "data-ascii" => self.cmd.data.push(data(DataKind::Ascii)),
            "data-raw" => self.cmd.data.push(data(DataKind::Raw)),
            "data-binary" => self.cmd.data.push(data(DataKind::Binary)),
            "data-urlencode" => self.cmd.data.push(data(DataKind::UrlEncode)),
            "json" => {
                self.cmd.json = true;
                self.cmd.data.push(data(DataKind::Binary));
            }
            "form" => self.cmd.form.push(form_field(&v)),
            "form-string" => {
                let (name, value) = v.split_once('=').unwrap_or((&v, ""));
                self.cmd.form.push(Field::Text {
                    name: name.into(),
                    value: value.into(),
                });
            }
            "user" => self.user = Some(v),
            "oauth2-bearer" => self.rq(&["--bearer", &v]),
            "url" => self.urls.push(v),
            "max-redirs" => self.rq(&["--max-redirects", &v]),
            "connect-timeout" => self.rq(&["--connect-timeout", &v]),
            "max-time" => self.rq(&["--max-time", &v]),
            // curl's low-speed limit over a time is the nearest it has to an idle timeout.
            "speed-limit" => {}
            "speed-time" => self.speed_time = Some(v),
            "proxy" => self.proxy = Some(v),
            "proxy-user" => self.proxy_user = Some(v),
            "noproxy" if v == "*" => self.rq(&["--proxy", "all:"]),
            "noproxy" => self.unknown.push(format!("--noproxy {v}")),
            "cacert" => self.rq(&["--verify", &v]),
            "cert" => self.rq(&["--cert", &v]),
            "key" => self.rq(&["--cert-key", &v]),
            "pass" => self.rq(&["--cert-key-pass", &v]),
            "tls-max" => self.tls_max = Some(v),
            "resolve" => self.rq(&["--resolve", &v]),
            "connect-to" => self.rq(&["--connect-to", &v]),
            "unix-socket" => self.rq(&["--unix-socket", &v]),
            "retry" => self.rq(&["--retry", &v]),
            "retry-delay" => self.rq(&["--retry-delay", &v]),
            "retry-max-time" => self.rq(&["--retry-max-time", &v]),
            _ => self.unknown.push(format!("--{long}")),
        }
    }

    fn flag(&mut self, long: &str) {
        match long {
            "get" => self.cmd.get = true,
            "head" => self.cmd.head = true,
            "compressed" => self.cmd.compressed = true,
            "location" => self.rq(&["--follow"]),
            "insecure" => self.rq(&["--verify", "no"]),
            "digest" => self.digest = true,
            "path-as-is" => self.rq(&["--path-as-is"]),
            "ipv4" => self.rq(&["--ipv4"]),
            "ipv6" => self.rq(&["--ipv6"]),
            "http1.0" => self.rq(&["--http-version", "1.0"]),
            "http1.1" => self.rq(&["--http-version", "1.1"]),
            // curl's `--http2` offers h2 and takes HTTP/1.1 if the server declines: rq's
            // default. (Over plain http curl would also ask to upgrade to h2c; rq sends
            // HTTP/1.1 there unless told `--http-version 2`.)
            "http2" => {}
            "http2-prior-knowledge" => self.rq(&["--http-version", "2"]),
            "tlsv1.3" => self.tls13 = true,
            "fail" => self.rq(&["--check-status"]),
            "include" => self.rq(&["--print", "hb"]),
            "verbose" => self.rq(&["--verbose"]),
            // Basic is rq's default; rustls speaks TLS 1.2 at least; rq retries refused
            // connections anyway; there is no globbing to turn off; and curl's own progress
            // and error output has no part in rq's.
            _ => {}
        }
    }

    /// `-H 'Name: value'`, `-H 'Name;'` (empty value), `-H 'Name:'` (left out).
    fn header(&mut self, line: &str) {
        if let Some((name, value)) = line.split_once(':') {
            let value = value.trim_start_matches([' ', '\t']);
            match value.is_empty() {
                true => self.cmd.removed.push(name.trim().into()),
                false => self.cmd.headers.push((name.trim().into(), value.into())),
            }
        } else if let Some(name) = line.strip_suffix(';') {
            self.cmd.headers.push((name.trim().into(), String::new()));
        } else {
            self.unknown
                .push(format!("-H '{line}' (a header needs 'Name: value')"));
        }
    }

    fn finish(mut self) -> Result<CurlCommand, String> {
        if !self.unknown.is_empty() {
            return Err(format!(
                "curl options rq does not know: {} (see --from-curl in rq's README for \
                 the ones it does)",
                self.unknown.join(", ")
            ));
        }
        self.cmd.url = match self.urls.len() {
            0 => return Err("the curl command has no URL".into()),
            1 => curl_unglob(&self.urls[0]),
            _ => {
                return Err(format!(
                    "the curl command has {} URLs ({}): rq sends one request",
                    self.urls.len(),
                    self.urls.join(", ")
                ))
            }
        };
        if !self.cookies.is_empty() {
            if let Some(file) = self.cookies.iter().find(|c| !c.contains('=')) {
                return Err(format!(
                    "-b '{file}' reads cookies from a file, which rq doesn't do: give the \
                     cookies as 'name=value', or keep them in a session (--session)"
                ));
            }
            let cookies = self.cookies.join("; ");
            self.cmd.headers.push(("Cookie".into(), cookies));
        }
        if let Some(user) = self.user.take() {
            self.rq(&["--auth", &user]);
            if self.digest {
                self.rq(&["--auth-type", "digest"]);
            }
        }
        self.transport_options()?;
        Ok(self.cmd)
    }

    /// The options that need more than one curl flag: the proxy and its user, the idle
    /// timeout, the TLS version.
    fn transport_options(&mut self) -> Result<(), String> {
        if let Some(proxy) = self.proxy.take() {
            let proxy = match self.proxy_user.take() {
                Some(user) => with_user(&proxy, &user)?,
                None => proxy,
            };
            self.rq(&["--proxy", &format!("all:{proxy}")]);
        }
        if let Some(t) = self.speed_time.take() {
            self.rq(&["--timeout", &t]);
        }
        match (self.tls_max.take().as_deref(), self.tls13) {
            (Some("1.2"), false) => self.rq(&["--ssl", "tls1.2"]),
            (_, true) => self.rq(&["--ssl", "tls1.3"]),
            (None | Some("1.3"), false) => {}
            (Some(other), _) => {
                return Err(format!(
                    "curl option --tls-max {other}: rq speaks TLS 1.2 and 1.3 only"
                ))
            }
        }
        Ok(())
    }
}

/// `scheme://user:pass@host…` from a proxy URL and `--proxy-user user:pass`.
fn with_user(proxy: &str, user: &str) -> Result<String, String> {
    let (scheme, rest) = proxy.split_once("://").unwrap_or(("http", proxy));
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let (name, pass) = user.split_once(':').unwrap_or((user, ""));
    Ok(format!("{scheme}://{}:{}@{rest}", enc(name), enc(pass)))
}

/// curl reads `[`, `]`, `{` and `}` in a URL as a glob unless escaped; browsers escape
/// them with a backslash, which curl then drops.
fn curl_unglob(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let mut chars = url.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\\', Some('[' | ']' | '{' | '}')) => {}
            _ => out.push(c),
        }
    }
    out
}

/// `-F` as curl reads it: `name=value`, `name=@file;type=…;filename=…`, `name=<file`.
fn form_field(spec: &str) -> Field {
    let (name, value) = spec.split_once('=').unwrap_or((spec, ""));
    let name = name.to_string();
    if let Some(rest) = value.strip_prefix('@') {
        let (path, params) = form_value(rest);
        let mut mime = None;
        let mut filename = None;
        for param in params {
            match param.split_once('=') {
                Some(("type", v)) => mime = Some(v.to_string()),
                Some(("filename", v)) => filename = Some(v.to_string()),
                _ => {}
            }
        }
        return Field::File {
            name,
            path,
            mime,
            filename,
        };
    }
    if let Some(rest) = value.strip_prefix('<') {
        let (path, _) = form_value(rest);
        return Field::TextFile { name, path };
    }
    let (value, _) = form_value(value);
    Field::Text { name, value }
}

/// A `-F` value and its `;key=value` parameters; a value in double quotes may hold `;`
/// (`\"` and `\\` escape within it).
fn form_value(text: &str) -> (String, Vec<String>) {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '\\' if quoted => current.extend(chars.next()),
            ';' if !quoted => parts.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    parts.push(current);
    let value = parts.remove(0);
    (value, parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_follow_shell_quoting_with_continuations_and_ansi_c_strings() {
        let cmd = "curl 'https://x.test/a?b=1' \\\n  -H 'accept: */*' \\\r\n  --data-raw $'{\"it\\'s\":\"a\\nb\\u00e9\\x21\\041\"}'";
        let words = split(cmd).unwrap();
        assert_eq!(
            words,
            [
                "curl",
                "https://x.test/a?b=1",
                "-H",
                "accept: */*",
                "--data-raw",
                "{\"it's\":\"a\nbé!!\"}"
            ]
        );
        assert_eq!(
            split("curl \"a\\\"b\" c'd'").unwrap(),
            ["curl", "a\"b", "cd"]
        );
    }

    #[test]
    fn options_become_the_request_and_rq_options() {
        let c = parse(
            "curl -sSL -XPUT --url http://x.test/\\[1\\] -H 'X-A: 1' -H 'Accept:' -H 'X-E;' \
             -b 'a=1' -b 'b=2' -u ann:pw --digest -k --compressed -d a=1 --data-raw @x",
        )
        .unwrap();
        assert_eq!(c.method.as_deref(), Some("PUT"));
        assert_eq!(c.url, "http://x.test/[1]");
        assert_eq!(
            c.headers,
            [
                ("X-A".to_string(), "1".to_string()),
                ("X-E".into(), "".into()),
                ("Cookie".into(), "a=1; b=2".into())
            ]
        );
        assert_eq!(c.removed, ["Accept"]);
        assert!(c.compressed);
        assert_eq!(c.data.len(), 2);
        assert_eq!(c.data[1].kind, DataKind::Raw);
        assert_eq!(
            c.options,
            [
                "--follow",
                "--verify",
                "no",
                "--auth",
                "ann:pw",
                "--auth-type",
                "digest"
            ]
        );
    }

    #[test]
    fn unknown_options_are_listed_never_dropped() {
        let e = parse("curl --frobnicate -Z -O http://x.test").unwrap_err();
        assert!(e.contains("--frobnicate, -Z, -O"), "{e}");
    }

    #[test]
    fn commands_that_are_not_one_curl_request_are_refused() {
        for (cmd, says) in [
            ("wget http://x", "starts with 'curl'"),
            ("curl http://x | jq .", "past '|'"),
            ("curl http://x http://y", "2 URLs"),
            ("curl -H", "needs a value"),
            ("curl -b cookies.txt http://x", "reads cookies from a file"),
            ("curl $'abc", "not closed"),
        ] {
            let e = parse(cmd).unwrap_err();
            assert!(e.contains(says), "{cmd}: {e}");
        }
    }

    #[test]
    fn form_fields_follow_curl() {
        assert_eq!(
            form_field("f=@\"a;b.txt\";type=text/plain;filename=x.txt"),
            Field::File {
                name: "f".into(),
                path: "a;b.txt".into(),
                mime: Some("text/plain".into()),
                filename: Some("x.txt".into()),
            }
        );
        assert_eq!(
            form_field("t=<notes.txt"),
            Field::TextFile {
                name: "t".into(),
                path: "notes.txt".into()
            }
        );
        assert_eq!(
            form_field("n=v"),
            Field::Text {
                name: "n".into(),
                value: "v".into()
            }
        );
    }

    #[test]
    fn transport_flags_map_to_rq_options() {
        let c = parse(
            "curl http://x --proxy http://p:3128 --proxy-user 'u:p w' --speed-limit 1 \
             --speed-time 7 --tlsv1.2 --tls-max 1.2 --max-redirs 3 --http1.0 --noproxy '*'",
        )
        .unwrap();
        assert_eq!(
            c.options,
            [
                "--max-redirects",
                "3",
                "--http-version",
                "1.0",
                "--proxy",
                "all:",
                "--proxy",
                "all:http://u:p%20w@p:3128",
                "--timeout",
                "7",
                "--ssl",
                "tls1.2"
            ]
        );
    }

    #[test]
    fn http2_flags_keep_the_default_or_ask_for_prior_knowledge() {
        let c = parse("curl --http2 https://x").unwrap();
        assert_eq!(c.options, Vec::<String>::new());
        let c = parse("curl --http2-prior-knowledge http://x").unwrap();
        assert_eq!(c.options, ["--http-version", "2"]);
    }
}
