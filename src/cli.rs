//! The command line as clap sees it: a mirror of argv, with no I/O and no resolution.
//!
//! Doc comments here are the `--help` text, the man page and the completions, so they state
//! defaults. The plan resolves everything in it before anything else runs; nothing else reads it.

use clap::parser::ValueSource;
use clap::{ArgAction, ArgMatches, CommandFactory, FromArgMatches, Parser, ValueEnum};

/// rq: a command-line HTTP client with httpie-style requests and exact exit codes.
#[derive(Debug, Parser)]
#[command(
    name = "rq",
    version,
    disable_help_flag = true,
    disable_version_flag = true,
    override_usage = "rq [OPTIONS] [METHOD] URL [REQUEST_ITEM ...]",
    after_help = AFTER_HELP,
    // Unambiguous prefixes of long options, as httpie (argparse) accepts: --verb, --default.
    infer_long_args = true
)]
pub struct Cli {
    /// [METHOD] URL [REQUEST_ITEM ...]
    ///
    /// METHOD is optional (GET, or POST when there is a body). URL defaults to https://,
    /// or http:// for localhost, 127.0.0.0/8 and [::1]; `:3000/x` means http://localhost:3000/x.
    /// Items: `Name:Value` header, `Name:` remove header, `Name;` empty header,
    /// `key==value` query, `key=value` data, `key:=json` raw JSON, `field@file` upload,
    /// `@file` body. `@file` after a separator reads the value from a file.
    #[arg(value_name = "ARGS", num_args = 0..)]
    pub args: Vec<String>,

    // ---- body ----
    /// Serialize data items as a JSON object (the default).
    #[arg(short = 'j', long, help_heading = "Body")]
    pub json: bool,

    /// Serialize data items as form fields (multipart when a file item is present).
    #[arg(short = 'f', long, help_heading = "Body", overrides_with = "json")]
    pub form: bool,

    /// Always send a multipart/form-data body.
    #[arg(long, help_heading = "Body")]
    pub multipart: bool,

    /// The multipart boundary to use (default: random).
    #[arg(long, value_name = "BOUNDARY", help_heading = "Body")]
    pub boundary: Option<String>,

    /// Send TEXT as the request body, as is.
    #[arg(long, value_name = "TEXT", help_heading = "Body")]
    pub raw: Option<String>,

    /// Never read the request body from standard input.
    #[arg(short = 'I', long, help_heading = "Body")]
    pub ignore_stdin: bool,

    // ---- output ----
    /// What to print: H request headers, B request body, h response headers,
    /// b response body, m metadata. Default: hb on a terminal, b when redirected.
    #[arg(
        short = 'p',
        long = "print",
        value_name = "WHAT",
        help_heading = "Output"
    )]
    pub print: Option<String>,

    /// Print only the response headers (-p h).
    #[arg(short = 'h', long, help_heading = "Output")]
    pub headers: bool,

    /// Print only the response body (-p b).
    #[arg(short = 'b', long, help_heading = "Output")]
    pub body: bool,

    /// Print only the response metadata (-p m).
    #[arg(short = 'm', long, help_heading = "Output")]
    pub meta: bool,

    /// How to print the metadata (m): text (the default: at a terminal, a waterfall of
    /// the phases with a row per redirect hop) or json (every exchange's timings, in
    /// seconds, for scripts).
    #[arg(long, value_enum, value_name = "FORMAT", help_heading = "Output")]
    pub meta_format: Option<MetaFormat>,

    /// Print the whole exchange (-p HBhb) and any redirects; twice adds metadata (-p HBhbm).
    /// Of -p, -h, -b, -m and -v, the later one wins: -v -b prints the body (of every hop).
    #[arg(short = 'v', long, action = ArgAction::Count, help_heading = "Output")]
    pub verbose: u8,

    /// Also print intermediary exchanges (redirects), with the same sections.
    #[arg(long, help_heading = "Output")]
    pub all: bool,

    /// What to print for intermediary exchanges (default: the same as --print).
    #[arg(short = 'P', long, value_name = "WHAT", help_heading = "Output")]
    pub history_print: Option<String>,

    /// The output options (-p, -h, -b, -m, -v) in the order given, for "the later one
    /// wins"; filled by [`Cli::parse_args`] from where clap found them, not an option.
    #[arg(skip)]
    pub output_order: Vec<OutputFlag>,

    /// Print nothing on stdout; twice (-qq) also silences warnings.
    #[arg(short = 'q', long, action = ArgAction::Count, help_heading = "Output")]
    pub quiet: u8,

    /// Formatting and colours: all, colors, format or none.
    /// Default: all on a terminal (no colours with NO_COLOR or TERM=dumb), none when
    /// redirected. An explicit all or colors colours whatever NO_COLOR says.
    #[arg(long, value_enum, value_name = "STYLE", help_heading = "Output")]
    pub pretty: Option<Pretty>,

    /// Colour theme: auto (the terminal's 16 colours), monokai or solarized (256 colours).
    #[arg(short = 's', long, value_enum, default_value_t = Style::Auto, help_heading = "Output")]
    pub style: Style,

    /// Sort JSON object keys (at every depth) and headers when formatting. Sorting holds
    /// each JSON body in memory until it is complete (each line with --stream), where
    /// unsorted output streams.
    #[arg(long, help_heading = "Output", overrides_with = "unsorted")]
    pub sorted: bool,

    /// Keep JSON keys and headers in the order received (the default).
    #[arg(long, help_heading = "Output", overrides_with = "sorted")]
    pub unsorted: bool,

    /// Formatting options: json.indent:N, json.sort_keys:B, json.format:B, xml.indent:N,
    /// xml.format:B, headers.sort:B.
    #[arg(long, value_name = "OPTS", help_heading = "Output")]
    pub format_options: Vec<String>,

    /// Treat the response as this media type (e.g. application/json) when deciding how to
    /// show it, whatever its Content-Type says.
    #[arg(long, value_name = "MIME", help_heading = "Output")]
    pub response_mime: Option<String>,

    /// Decode text responses from this charset (e.g. latin1, shift_jis, utf-16) on a
    /// terminal. Default: the Content-Type's charset, else a byte-order mark, else a guess
    /// from the first bytes. Redirected output is never decoded.
    #[arg(long, value_name = "CHARSET", help_heading = "Output")]
    pub response_charset: Option<String>,

    /// Write the response body to FILE instead of stdout (decoded, otherwise as received).
    /// An existing file is replaced, but never written through a symbolic link.
    #[arg(short = 'o', long, value_name = "FILE", help_heading = "Output")]
    pub output: Option<std::path::PathBuf>,

    /// Apply a jq expression (jaq's dialect) to the JSON response body and print its
    /// results instead: formatted at a terminal, one compact value per line when
    /// redirected. Runs on each page with --paginate and on each record of NDJSON and
    /// event streams. A response that fails the status check is shown unfiltered.
    #[arg(short = 'W', long, value_name = "EXPR", help_heading = "Output")]
    pub filter: Option<String>,

    /// With --filter: print string results without quotes or escapes (like jq -r).
    #[arg(long, help_heading = "Output", requires = "filter")]
    pub filter_raw: bool,

    /// Flush output line by line (automatic for text/event-stream and application/x-ndjson).
    #[arg(short = 'S', long, help_heading = "Output")]
    pub stream: bool,

    /// Follow `Link: <URL>; rel="next"` headers page after page, over one connection:
    /// JSON array pages print as one array, other pages one after another.
    #[arg(long, help_heading = "Pagination")]
    pub paginate: bool,

    /// With --paginate: stop after N pages (default: all; a warning at 1000).
    #[arg(long, value_name = "N", help_heading = "Pagination")]
    pub max_pages: Option<u32>,

    /// Send the request(s) written in FILE (`-` for stdin): the wire form `rq --offline`
    /// prints, or editor-style `METHOD URL` blocks separated by `###`. The command line's
    /// method, URL, headers and items override the file's.
    #[arg(long, value_name = "FILE", help_heading = "Request files")]
    pub http_file: Option<std::path::PathBuf>,

    /// Send the request a curl command describes (`-` reads it from stdin), as browsers'
    /// "Copy as cURL" writes it: -X, -H, -b, -d and its kin, -F, -u, -G, -I, -L, -k,
    /// --compressed, --url and more. A curl option rq does not know is an error. Options,
    /// METHOD, URL and items on rq's command line override the command's.
    #[arg(long, value_name = "COMMAND", help_heading = "Request files")]
    pub from_curl: Option<String>,

    /// The curl command of --from-curl, read (set by `args.rs`, not by clap).
    #[arg(skip)]
    pub from_curl_command: Option<crate::fromcurl::CurlCommand>,

    /// Build and print the request without sending it.
    #[arg(long, help_heading = "Output")]
    pub offline: bool,

    /// Print an equivalent curl command and exit.
    #[arg(long, help_heading = "Output")]
    pub curl: bool,

    // ---- downloads ----
    /// Save the body to a file: -o FILE, else the name the server suggests
    /// (Content-Disposition), else the URL's last segment; an existing file is never
    /// overwritten (NAME-1.EXT, NAME-2.EXT …). Headers and progress go to stderr, redirects
    /// are followed. Without -o and with stdout not a terminal, the body goes to stdout.
    #[arg(short = 'd', long, help_heading = "Downloads")]
    pub download: bool,

    /// Resume an interrupted download into -o FILE: ask only for the missing bytes (a Range
    /// request), and start the file over if the server ignores the range.
    #[arg(short = 'c', long = "continue", help_heading = "Downloads")]
    pub resume: bool,

    // ---- exit status ----
    /// Exit 3/4/5 for 3xx/4xx/5xx responses (the default).
    #[arg(
        long,
        help_heading = "Status checks",
        overrides_with = "no_check_status"
    )]
    pub check_status: bool,

    /// Exit 0 whatever the response status.
    #[arg(long, help_heading = "Status checks", overrides_with = "check_status")]
    pub no_check_status: bool,

    // ---- network ----
    /// Follow redirects (301/302/303 switch to GET without a body; 307/308 keep both).
    #[arg(short = 'F', long, help_heading = "Network")]
    pub follow: bool,

    /// The most redirects to follow before giving up with exit code 6.
    #[arg(long, value_name = "N", default_value_t = 30, help_heading = "Network")]
    pub max_redirects: u32,

    /// The most header lines a response head may have, as httpie's option counts them
    /// (default: 10000; 0: no line limit). A head over 1 MiB is refused whatever N.
    #[arg(long, value_name = "N", help_heading = "Network")]
    pub max_headers: Option<usize>,

    /// Give up when no data arrives for SECONDS (idle timeout; default: none).
    #[arg(long, value_name = "SECONDS", help_heading = "Network")]
    pub timeout: Option<f64>,

    /// Give up when the connection is not established within SECONDS.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 30.0,
        help_heading = "Network"
    )]
    pub connect_timeout: f64,

    /// Give up when the whole run takes longer than SECONDS, counted from rq's start (a wait
    /// for a body on stdin included; default: none).
    #[arg(long, value_name = "SECONDS", help_heading = "Network")]
    pub max_time: Option<f64>,

    /// Scheme for URLs without one (default: https, or http for loopback hosts).
    #[arg(long, value_name = "SCHEME", help_heading = "Network")]
    pub default_scheme: Option<String>,

    /// Use https:// for URLs without a scheme, loopback hosts included.
    #[arg(long, help_heading = "Network", overrides_with = "http")]
    pub https: bool,

    /// Use http:// for URLs without a scheme.
    #[arg(long, help_heading = "Network", overrides_with = "https")]
    pub http: bool,

    /// Send the path as typed, keeping `/../` and `/./`.
    #[arg(long, help_heading = "Network")]
    pub path_as_is: bool,

    /// Proxy for one target scheme: http:URL, https:URL or all:URL (repeatable; an empty
    /// URL means no proxy). URL is http://, https://, socks5:// or socks5h://, with
    /// user:pass@ for proxy auth. Default: $http_proxy (lower case only), $HTTPS_PROXY,
    /// $ALL_PROXY, except the hosts in $NO_PROXY.
    #[arg(long, value_name = "PROTO:URL", help_heading = "Network")]
    pub proxy: Vec<String>,

    /// Connect to ADDR (comma-separated list) for HOST:PORT instead of looking it up.
    #[arg(long, value_name = "HOST:PORT:ADDR", help_heading = "Network")]
    pub resolve: Vec<String>,

    /// Connect to HOST2:PORT2 for requests to HOST:PORT (an empty field matches any host
    /// or port, or keeps it). TLS names and the Host header stay the URL's.
    #[arg(long, value_name = "HOST:PORT:HOST2:PORT2", help_heading = "Network")]
    pub connect_to: Vec<String>,

    /// Connect over IPv4 only.
    #[arg(short = '4', long, help_heading = "Network", overrides_with = "ipv6")]
    pub ipv4: bool,

    /// Connect over IPv6 only.
    #[arg(short = '6', long, help_heading = "Network", overrides_with = "ipv4")]
    pub ipv6: bool,

    /// Connect to this Unix domain socket instead of the URL's host (no proxy is used).
    #[arg(long, value_name = "PATH", help_heading = "Network")]
    pub unix_socket: Option<std::path::PathBuf>,

    /// The HTTP version to speak. By default https offers HTTP/2 and HTTP/1.1 (ALPN) and
    /// speaks what the server picks, and http speaks HTTP/1.1. 1.1 and 1.0 speak HTTP/1.x
    /// only; 2 requires HTTP/2 over https, and over http speaks it at once (h2c with prior
    /// knowledge).
    #[arg(long, value_enum, value_name = "VERSION", help_heading = "Network")]
    pub http_version: Option<HttpVersion>,

    /// Send the request body with Transfer-Encoding: chunked instead of Content-Length.
    #[arg(long, help_heading = "Network")]
    pub chunked: bool,

    /// Deflate the request body (Content-Encoding: deflate) when that makes it smaller;
    /// twice (-xx) compresses it even when it does not.
    #[arg(short = 'x', long, action = ArgAction::Count, help_heading = "Network")]
    pub compress: u8,

    // ---- TLS ----
    /// Check server certificates: yes (the default: against the system's trusted CAs, or
    /// $SSL_CERT_FILE / $REQUESTS_CA_BUNDLE when set), no, or a CA bundle FILE (PEM) to
    /// trust instead.
    #[arg(long, value_name = "yes|no|FILE", help_heading = "TLS")]
    pub verify: Option<String>,

    /// Client certificate (PEM) for servers that ask for one; the file may hold the key too.
    #[arg(long, value_name = "FILE", help_heading = "TLS")]
    pub cert: Option<std::path::PathBuf>,

    /// The client certificate's private key (PEM), when it is not in the --cert file.
    #[arg(long, value_name = "FILE", help_heading = "TLS", requires = "cert")]
    pub cert_key: Option<std::path::PathBuf>,

    /// Password of an encrypted (PKCS#8) client key.
    #[arg(long, value_name = "PASS", help_heading = "TLS", requires = "cert")]
    pub cert_key_pass: Option<String>,

    /// Use only this TLS version: tls1.2 or tls1.3 (default: either).
    #[arg(long, value_enum, value_name = "VERSION", help_heading = "TLS")]
    pub ssl: Option<SslVersion>,

    /// Offer only these TLS cipher suites, in this order of preference: names as rustls
    /// spells them, separated by commas or colons (TLS13_AES_256_GCM_SHA384,
    /// TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, ...). Default: all of rustls' suites.
    #[arg(long, value_name = "LIST", help_heading = "TLS")]
    pub ciphers: Option<String>,

    // ---- retries ----
    /// Retry up to N times after a connection error, a timeout or a 408, 429, 500, 502,
    /// 503 or 504 response, for idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS, TRACE).
    #[arg(long, value_name = "N", default_value_t = 0, help_heading = "Retries")]
    pub retry: u32,

    /// Seconds to wait between retries (default: 1 s, doubling up to 30 s). A server's
    /// Retry-After wins.
    #[arg(long, value_name = "SECONDS", help_heading = "Retries")]
    pub retry_delay: Option<f64>,

    /// Start no retry later than SECONDS after the first attempt (default: no limit).
    #[arg(long, value_name = "SECONDS", help_heading = "Retries")]
    pub retry_max_time: Option<f64>,

    /// Retry methods that are not idempotent too (POST, PATCH, …).
    #[arg(long, help_heading = "Retries")]
    pub retry_all_methods: bool,

    // ---- auth ----
    /// Credentials: USER[:PASS] (the password is asked for when missing), or a token with
    /// -A bearer. They go to the URL's origin only, never across a redirect to another one.
    #[arg(
        short = 'a',
        long,
        value_name = "USER[:PASS]",
        help_heading = "Authentication"
    )]
    pub auth: Option<String>,

    /// Authentication scheme: basic (default), digest (answers the server's 401 challenge),
    /// bearer, or oauth2 (tokens fetched, cached in the session and refreshed: see the
    /// OAuth 2 options). Also applies to user:pass@ in the URL and to netrc entries.
    #[arg(
        short = 'A',
        long,
        value_enum,
        value_name = "TYPE",
        help_heading = "Authentication"
    )]
    pub auth_type: Option<AuthType>,

    /// Send `Authorization: Bearer TOKEN`.
    #[arg(long, value_name = "TOKEN", help_heading = "Authentication")]
    pub bearer: Option<String>,

    // ---- OAuth 2 (-A oauth2) ----
    /// With -A oauth2: how to get a token. client-credentials (the default; -a ID:SECRET),
    /// refresh-token (--oauth2-refresh-token, implied by it), device-code (RFC 8628: a code
    /// to enter on another device) or authorization-code (a browser sign-in through a
    /// loopback redirect to rq, with PKCE).
    #[arg(
        long,
        value_enum,
        value_name = "GRANT",
        help_heading = "OAuth 2 (-A oauth2)"
    )]
    pub oauth2_grant: Option<OAuth2Grant>,

    /// The token endpoint. Tokens are asked for with -a CLIENT_ID[:SECRET] as the client.
    #[arg(long, value_name = "URL", help_heading = "OAuth 2 (-A oauth2)")]
    pub oauth2_token_url: Option<String>,

    /// An OpenID Connect issuer: the endpoints not given are read from
    /// URL/.well-known/openid-configuration.
    #[arg(long, value_name = "URL", help_heading = "OAuth 2 (-A oauth2)")]
    pub oauth2_issuer: Option<String>,

    /// The device authorization endpoint (device-code grant).
    #[arg(long, value_name = "URL", help_heading = "OAuth 2 (-A oauth2)")]
    pub oauth2_device_url: Option<String>,

    /// The authorization endpoint a browser is sent to (authorization-code grant).
    #[arg(long, value_name = "URL", help_heading = "OAuth 2 (-A oauth2)")]
    pub oauth2_auth_url: Option<String>,

    /// The scope to ask for (space-separated, as the server spells it).
    #[arg(long, value_name = "SCOPE", help_heading = "OAuth 2 (-A oauth2)")]
    pub oauth2_scope: Option<String>,

    /// The audience to ask for (Auth0 and others: the API the token is for).
    #[arg(long, value_name = "AUDIENCE", help_heading = "OAuth 2 (-A oauth2)")]
    pub oauth2_audience: Option<String>,

    /// How the client secret goes to the token endpoint: basic (HTTP Basic auth, the
    /// default) or post (client_id and client_secret in the form body).
    #[arg(
        long,
        value_enum,
        value_name = "HOW",
        help_heading = "OAuth 2 (-A oauth2)"
    )]
    pub oauth2_client_auth: Option<OAuth2ClientAuth>,

    /// A refresh token to get access tokens with (refresh-token grant). With --session it
    /// is needed once: the tokens the server rotates it into are kept in the session.
    #[arg(long, value_name = "TOKEN", help_heading = "OAuth 2 (-A oauth2)")]
    pub oauth2_refresh_token: Option<String>,

    /// The port of rq's loopback redirect listener for the authorization-code grant, for
    /// servers that want the exact redirect URI registered (default: any free port).
    /// The redirect URI is http://127.0.0.1:PORT/callback.
    #[arg(long, value_name = "PORT", help_heading = "OAuth 2 (-A oauth2)")]
    pub oauth2_redirect_port: Option<u16>,

    /// Don't read credentials from ~/.netrc (or $NETRC). By default its entry for each
    /// host is used when no other credentials are given.
    #[arg(long, help_heading = "Authentication")]
    pub ignore_netrc: bool,

    // ---- sessions ----
    /// Keep headers, auth and cookies in a session, read before and saved after every
    /// exchange. A NAME lives in CONFIG/sessions/HOST[_PORT]/NAME.json; a value with a '/'
    /// or ending in .json is a path. HTTPie and xh session files can be read.
    #[arg(
        long,
        value_name = "NAME|PATH",
        help_heading = "Sessions",
        conflicts_with = "session_read_only"
    )]
    pub session: Option<String>,

    /// Use a session like --session, but never write it.
    #[arg(long, value_name = "NAME|PATH", help_heading = "Sessions")]
    pub session_read_only: Option<String>,

    // ---- misc ----
    /// Print the version, the resolved plan (secrets redacted) and the engine's decisions on stderr.
    #[arg(long, help_heading = "Other")]
    pub debug: bool,

    /// Print a short help; with --long (or `rq help`), the full text.
    #[arg(long, action = ArgAction::HelpShort, help_heading = "Other")]
    pub help: Option<bool>,

    /// With --help: print the full help text.
    #[arg(long, help_heading = "Other")]
    pub long: bool,

    /// Print the version.
    #[arg(long, action = ArgAction::Version, help_heading = "Other")]
    pub version: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Pretty {
    /// Colours and layout (the default on a terminal).
    All,
    /// Colours only: JSON keeps its whitespace as received.
    Colors,
    /// Layout only: JSON re-indented, no colours.
    Format,
    /// Neither: the body as received (the default when redirected).
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MetaFormat {
    /// Plain text; a waterfall at a terminal.
    Text,
    /// One JSON object with every exchange's timings.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Style {
    /// The terminal's own 16 colours.
    Auto,
    /// 256-colour theme on a dark background.
    Monokai,
    /// 256-colour theme after the Solarized palette.
    Solarized,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthType {
    Basic,
    Digest,
    Bearer,
    #[value(name = "oauth2")]
    OAuth2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OAuth2Grant {
    /// The client's own credentials (RFC 6749 §4.4).
    ClientCredentials,
    /// A refresh token given with --oauth2-refresh-token (RFC 6749 §6).
    RefreshToken,
    /// A code to enter on another device (RFC 8628).
    DeviceCode,
    /// A browser sign-in with PKCE (RFC 6749 §4.1, RFC 7636).
    AuthorizationCode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OAuth2ClientAuth {
    /// HTTP Basic authentication (client_secret_basic).
    Basic,
    /// In the form body (client_secret_post).
    Post,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SslVersion {
    #[value(name = "tls1.2")]
    Tls12,
    #[value(name = "tls1.3")]
    Tls13,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HttpVersion {
    #[value(name = "1.0")]
    Http10,
    #[value(name = "1.1")]
    Http11,
    #[value(name = "2")]
    Http2,
}

const AFTER_HELP: &str = "\
Examples:
  rq :8080/users                       GET http://localhost:8080/users
  rq post api.example.org/users name=ann age:=31 X-Trace:1
  rq -b example.org/api | jq .         body only, byte-exact
  rq --timeout 5 get https://svc/health

Exit codes: 0 ok, 1 network/I/O error, 2 timeout, 3/4/5 a 3xx/4xx/5xx response,
6 too many redirects, 64 usage error (nothing sent), 130 interrupted.

Defaults: options listed in CONFIG/config.json as {\"default_options\": [...]} come first;
every option has a --no-OPTION form that cancels it (--no-follow, --no-style ...).";

/// One of the options that choose what is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFlag {
    Print,
    Headers,
    Body,
    Meta,
    Verbose,
}

impl Cli {
    /// Parse argv like `Cli::try_parse_from`, also noting the order of the output options.
    pub fn parse_args<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let matches = Cli::command().try_get_matches_from(args)?;
        let mut cli = Cli::from_arg_matches(&matches)?;
        cli.output_order = output_order(&matches);
        Ok(cli)
    }
}

/// The output options as they appear in argv, first to last.
fn output_order(matches: &ArgMatches) -> Vec<OutputFlag> {
    let ids = [
        ("print", OutputFlag::Print),
        ("headers", OutputFlag::Headers),
        ("body", OutputFlag::Body),
        ("meta", OutputFlag::Meta),
        ("verbose", OutputFlag::Verbose),
    ];
    let mut found: Vec<(usize, OutputFlag)> = ids
        .iter()
        // Flags have default values, with indices of their own: only typed ones count.
        .filter(|&&(id, _)| matches.value_source(id) == Some(ValueSource::CommandLine))
        .flat_map(|&(id, flag)| {
            let at = matches.indices_of(id).into_iter().flatten();
            at.map(move |i| (i, flag))
        })
        .collect();
    found.sort_by_key(|&(i, _)| i);
    found.into_iter().map(|(_, flag)| flag).collect()
}
