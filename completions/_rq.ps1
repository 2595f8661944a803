
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'rq' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'rq'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'rq' {
            [CompletionResult]::new('--boundary', '--boundary', [CompletionResultType]::ParameterName, 'The multipart boundary to use (default: random)')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Send TEXT as the request body, as is')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'What to print: H request headers, B request body, h response headers, b response body, m metadata. Default: hb on a terminal, b when redirected')
            [CompletionResult]::new('--print', '--print', [CompletionResultType]::ParameterName, 'What to print: H request headers, B request body, h response headers, b response body, m metadata. Default: hb on a terminal, b when redirected')
            [CompletionResult]::new('--meta-format', '--meta-format', [CompletionResultType]::ParameterName, 'How to print the metadata (m): text (the default: at a terminal, a waterfall of the phases with a row per redirect hop) or json (every exchange''s timings, in seconds, for scripts)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'What to print for intermediary exchanges (default: the same as --print)')
            [CompletionResult]::new('--history-print', '--history-print', [CompletionResultType]::ParameterName, 'What to print for intermediary exchanges (default: the same as --print)')
            [CompletionResult]::new('--pretty', '--pretty', [CompletionResultType]::ParameterName, 'Formatting and colours: all, colors, format or none. Default: all on a terminal (no colours with NO_COLOR or TERM=dumb), none when redirected. An explicit all or colors colours whatever NO_COLOR says')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Colour theme: auto (the terminal''s 16 colours), monokai or solarized (256 colours)')
            [CompletionResult]::new('--style', '--style', [CompletionResultType]::ParameterName, 'Colour theme: auto (the terminal''s 16 colours), monokai or solarized (256 colours)')
            [CompletionResult]::new('--format-options', '--format-options', [CompletionResultType]::ParameterName, 'Formatting options: json.indent:N, json.sort_keys:B, json.format:B, xml.indent:N, xml.format:B, headers.sort:B')
            [CompletionResult]::new('--response-mime', '--response-mime', [CompletionResultType]::ParameterName, 'Treat the response as this media type (e.g. application/json) when deciding how to show it, whatever its Content-Type says')
            [CompletionResult]::new('--response-charset', '--response-charset', [CompletionResultType]::ParameterName, 'Decode text responses from this charset (e.g. latin1, shift_jis, utf-16) on a terminal. Default: the Content-Type''s charset, else a byte-order mark, else a guess from the first bytes. Redirected output is never decoded')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the response body to FILE instead of stdout (decoded, otherwise as received). An existing file is replaced, but never written through a symbolic link')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the response body to FILE instead of stdout (decoded, otherwise as received). An existing file is replaced, but never written through a symbolic link')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Apply a jq expression (jaq''s dialect) to the JSON response body and print its results instead: formatted at a terminal, one compact value per line when redirected. Runs on each page with --paginate and on each record of NDJSON and event streams. A response that fails the status check is shown unfiltered')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'Apply a jq expression (jaq''s dialect) to the JSON response body and print its results instead: formatted at a terminal, one compact value per line when redirected. Runs on each page with --paginate and on each record of NDJSON and event streams. A response that fails the status check is shown unfiltered')
            [CompletionResult]::new('--max-pages', '--max-pages', [CompletionResultType]::ParameterName, 'With --paginate: stop after N pages (default: all; a warning at 1000)')
            [CompletionResult]::new('--http-file', '--http-file', [CompletionResultType]::ParameterName, 'Send the request(s) written in FILE (`-` for stdin): the wire form `rq --offline` prints, or editor-style `METHOD URL` blocks separated by `###`. The command line''s method, URL, headers and items override the file''s')
            [CompletionResult]::new('--from-curl', '--from-curl', [CompletionResultType]::ParameterName, 'Send the request a curl command describes (`-` reads it from stdin), as browsers'' "Copy as cURL" writes it: -X, -H, -b, -d and its kin, -F, -u, -G, -I, -L, -k, --compressed, --url and more. A curl option rq does not know is an error. Options, METHOD, URL and items on rq''s command line override the command''s')
            [CompletionResult]::new('--max-redirects', '--max-redirects', [CompletionResultType]::ParameterName, 'The most redirects to follow before giving up with exit code 6')
            [CompletionResult]::new('--max-headers', '--max-headers', [CompletionResultType]::ParameterName, 'The most header lines a response head may have, as httpie''s option counts them (default: 10000; 0: no line limit). A head over 1 MiB is refused whatever N')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up when no data arrives for SECONDS (idle timeout; default: none)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up when the connection is not established within SECONDS')
            [CompletionResult]::new('--max-time', '--max-time', [CompletionResultType]::ParameterName, 'Give up when the whole run takes longer than SECONDS, counted from rq''s start (a wait for a body on stdin included; default: none)')
            [CompletionResult]::new('--default-scheme', '--default-scheme', [CompletionResultType]::ParameterName, 'Scheme for URLs without one (default: https, or http for loopback hosts)')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Proxy for one target scheme: http:URL, https:URL or all:URL (repeatable; an empty URL means no proxy). URL is http://, https://, socks5:// or socks5h://, with user:pass@ for proxy auth. Default: $http_proxy (lower case only), $HTTPS_PROXY, $ALL_PROXY, except the hosts in $NO_PROXY')
            [CompletionResult]::new('--resolve', '--resolve', [CompletionResultType]::ParameterName, 'Connect to ADDR (comma-separated list) for HOST:PORT instead of looking it up')
            [CompletionResult]::new('--connect-to', '--connect-to', [CompletionResultType]::ParameterName, 'Connect to HOST2:PORT2 for requests to HOST:PORT (an empty field matches any host or port, or keeps it). TLS names and the Host header stay the URL''s')
            [CompletionResult]::new('--unix-socket', '--unix-socket', [CompletionResultType]::ParameterName, 'Connect to this Unix domain socket instead of the URL''s host (no proxy is used)')
            [CompletionResult]::new('--http-version', '--http-version', [CompletionResultType]::ParameterName, 'The HTTP version to speak. By default https offers HTTP/2 and HTTP/1.1 (ALPN) and speaks what the server picks, and http speaks HTTP/1.1. 1.1 and 1.0 speak HTTP/1.x only; 2 requires HTTP/2 over https, and over http speaks it at once (h2c with prior knowledge)')
            [CompletionResult]::new('--verify', '--verify', [CompletionResultType]::ParameterName, 'Check server certificates: yes (the default: against the system''s trusted CAs, or $SSL_CERT_FILE / $REQUESTS_CA_BUNDLE when set), no, or a CA bundle FILE (PEM) to trust instead')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for servers that ask for one; the file may hold the key too')
            [CompletionResult]::new('--cert-key', '--cert-key', [CompletionResultType]::ParameterName, 'The client certificate''s private key (PEM), when it is not in the --cert file')
            [CompletionResult]::new('--cert-key-pass', '--cert-key-pass', [CompletionResultType]::ParameterName, 'Password of an encrypted (PKCS#8) client key')
            [CompletionResult]::new('--ssl', '--ssl', [CompletionResultType]::ParameterName, 'Use only this TLS version: tls1.2 or tls1.3 (default: either)')
            [CompletionResult]::new('--ciphers', '--ciphers', [CompletionResultType]::ParameterName, 'Offer only these TLS cipher suites, in this order of preference: names as rustls spells them, separated by commas or colons (TLS13_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, ...). Default: all of rustls'' suites')
            [CompletionResult]::new('--retry', '--retry', [CompletionResultType]::ParameterName, 'Retry up to N times after a connection error, a timeout or a 408, 429, 500, 502, 503 or 504 response, for idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS, TRACE)')
            [CompletionResult]::new('--retry-delay', '--retry-delay', [CompletionResultType]::ParameterName, 'Seconds to wait between retries (default: 1 s, doubling up to 30 s). A server''s Retry-After wins')
            [CompletionResult]::new('--retry-max-time', '--retry-max-time', [CompletionResultType]::ParameterName, 'Start no retry later than SECONDS after the first attempt (default: no limit)')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Credentials: USER[:PASS] (the password is asked for when missing), or a token with -A bearer. They go to the URL''s origin only, never across a redirect to another one')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Credentials: USER[:PASS] (the password is asked for when missing), or a token with -A bearer. They go to the URL''s origin only, never across a redirect to another one')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Authentication scheme: basic (default), digest (answers the server''s 401 challenge), bearer, or oauth2 (tokens fetched, cached in the session and refreshed: see the OAuth 2 options). Also applies to user:pass@ in the URL and to netrc entries')
            [CompletionResult]::new('--auth-type', '--auth-type', [CompletionResultType]::ParameterName, 'Authentication scheme: basic (default), digest (answers the server''s 401 challenge), bearer, or oauth2 (tokens fetched, cached in the session and refreshed: see the OAuth 2 options). Also applies to user:pass@ in the URL and to netrc entries')
            [CompletionResult]::new('--bearer', '--bearer', [CompletionResultType]::ParameterName, 'Send `Authorization: Bearer TOKEN`')
            [CompletionResult]::new('--oauth2-grant', '--oauth2-grant', [CompletionResultType]::ParameterName, 'With -A oauth2: how to get a token. client-credentials (the default; -a ID:SECRET), refresh-token (--oauth2-refresh-token, implied by it), device-code (RFC 8628: a code to enter on another device) or authorization-code (a browser sign-in through a loopback redirect to rq, with PKCE)')
            [CompletionResult]::new('--oauth2-token-url', '--oauth2-token-url', [CompletionResultType]::ParameterName, 'The token endpoint. Tokens are asked for with -a CLIENT_ID[:SECRET] as the client')
            [CompletionResult]::new('--oauth2-issuer', '--oauth2-issuer', [CompletionResultType]::ParameterName, 'An OpenID Connect issuer: the endpoints not given are read from URL/.well-known/openid-configuration')
            [CompletionResult]::new('--oauth2-device-url', '--oauth2-device-url', [CompletionResultType]::ParameterName, 'The device authorization endpoint (device-code grant)')
            [CompletionResult]::new('--oauth2-auth-url', '--oauth2-auth-url', [CompletionResultType]::ParameterName, 'The authorization endpoint a browser is sent to (authorization-code grant)')
            [CompletionResult]::new('--oauth2-scope', '--oauth2-scope', [CompletionResultType]::ParameterName, 'The scope to ask for (space-separated, as the server spells it)')
            [CompletionResult]::new('--oauth2-audience', '--oauth2-audience', [CompletionResultType]::ParameterName, 'The audience to ask for (Auth0 and others: the API the token is for)')
            [CompletionResult]::new('--oauth2-client-auth', '--oauth2-client-auth', [CompletionResultType]::ParameterName, 'How the client secret goes to the token endpoint: basic (HTTP Basic auth, the default) or post (client_id and client_secret in the form body)')
            [CompletionResult]::new('--oauth2-refresh-token', '--oauth2-refresh-token', [CompletionResultType]::ParameterName, 'A refresh token to get access tokens with (refresh-token grant). With --session it is needed once: the tokens the server rotates it into are kept in the session')
            [CompletionResult]::new('--oauth2-redirect-port', '--oauth2-redirect-port', [CompletionResultType]::ParameterName, 'The port of rq''s loopback redirect listener for the authorization-code grant, for servers that want the exact redirect URI registered (default: any free port). The redirect URI is http://127.0.0.1:PORT/callback')
            [CompletionResult]::new('--session', '--session', [CompletionResultType]::ParameterName, 'Keep headers, auth and cookies in a session, read before and saved after every exchange. A NAME lives in CONFIG/sessions/HOST[_PORT]/NAME.json; a value with a ''/'' or ending in .json is a path. HTTPie and xh session files can be read')
            [CompletionResult]::new('--session-read-only', '--session-read-only', [CompletionResultType]::ParameterName, 'Use a session like --session, but never write it')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Serialize data items as a JSON object (the default)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Serialize data items as a JSON object (the default)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Serialize data items as form fields (multipart when a file item is present)')
            [CompletionResult]::new('--form', '--form', [CompletionResultType]::ParameterName, 'Serialize data items as form fields (multipart when a file item is present)')
            [CompletionResult]::new('--multipart', '--multipart', [CompletionResultType]::ParameterName, 'Always send a multipart/form-data body')
            [CompletionResult]::new('-I', '-I ', [CompletionResultType]::ParameterName, 'Never read the request body from standard input')
            [CompletionResult]::new('--ignore-stdin', '--ignore-stdin', [CompletionResultType]::ParameterName, 'Never read the request body from standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print only the response headers (-p h)')
            [CompletionResult]::new('--headers', '--headers', [CompletionResultType]::ParameterName, 'Print only the response headers (-p h)')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Print only the response body (-p b)')
            [CompletionResult]::new('--body', '--body', [CompletionResultType]::ParameterName, 'Print only the response body (-p b)')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Print only the response metadata (-p m)')
            [CompletionResult]::new('--meta', '--meta', [CompletionResultType]::ParameterName, 'Print only the response metadata (-p m)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the whole exchange (-p HBhb) and any redirects; twice adds metadata (-p HBhbm). Of -p, -h, -b, -m and -v, the later one wins: -v -b prints the body (of every hop)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the whole exchange (-p HBhb) and any redirects; twice adds metadata (-p HBhbm). Of -p, -h, -b, -m and -v, the later one wins: -v -b prints the body (of every hop)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Also print intermediary exchanges (redirects), with the same sections')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stdout; twice (-qq) also silences warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stdout; twice (-qq) also silences warnings')
            [CompletionResult]::new('--sorted', '--sorted', [CompletionResultType]::ParameterName, 'Sort JSON object keys (at every depth) and headers when formatting. Sorting holds each JSON body in memory until it is complete (each line with --stream), where unsorted output streams')
            [CompletionResult]::new('--unsorted', '--unsorted', [CompletionResultType]::ParameterName, 'Keep JSON keys and headers in the order received (the default)')
            [CompletionResult]::new('--filter-raw', '--filter-raw', [CompletionResultType]::ParameterName, 'With --filter: print string results without quotes or escapes (like jq -r)')
            [CompletionResult]::new('-S', '-S ', [CompletionResultType]::ParameterName, 'Flush output line by line (automatic for text/event-stream and application/x-ndjson)')
            [CompletionResult]::new('--stream', '--stream', [CompletionResultType]::ParameterName, 'Flush output line by line (automatic for text/event-stream and application/x-ndjson)')
            [CompletionResult]::new('--paginate', '--paginate', [CompletionResultType]::ParameterName, 'Follow `Link: <URL>; rel="next"` headers page after page, over one connection: JSON array pages print as one array, other pages one after another')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Build and print the request without sending it')
            [CompletionResult]::new('--curl', '--curl', [CompletionResultType]::ParameterName, 'Print an equivalent curl command and exit')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Save the body to a file: -o FILE, else the name the server suggests (Content-Disposition), else the URL''s last segment; an existing file is never overwritten (NAME-1.EXT, NAME-2.EXT …). Headers and progress go to stderr, redirects are followed. Without -o and with stdout not a terminal, the body goes to stdout')
            [CompletionResult]::new('--download', '--download', [CompletionResultType]::ParameterName, 'Save the body to a file: -o FILE, else the name the server suggests (Content-Disposition), else the URL''s last segment; an existing file is never overwritten (NAME-1.EXT, NAME-2.EXT …). Headers and progress go to stderr, redirects are followed. Without -o and with stdout not a terminal, the body goes to stdout')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Resume an interrupted download into -o FILE: ask only for the missing bytes (a Range request), and start the file over if the server ignores the range')
            [CompletionResult]::new('--continue', '--continue', [CompletionResultType]::ParameterName, 'Resume an interrupted download into -o FILE: ask only for the missing bytes (a Range request), and start the file over if the server ignores the range')
            [CompletionResult]::new('--check-status', '--check-status', [CompletionResultType]::ParameterName, 'Exit 3/4/5 for 3xx/4xx/5xx responses (the default)')
            [CompletionResult]::new('--no-check-status', '--no-check-status', [CompletionResultType]::ParameterName, 'Exit 0 whatever the response status')
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Follow redirects (301/302/303 switch to GET without a body; 307/308 keep both)')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Follow redirects (301/302/303 switch to GET without a body; 307/308 keep both)')
            [CompletionResult]::new('--https', '--https', [CompletionResultType]::ParameterName, 'Use https:// for URLs without a scheme, loopback hosts included')
            [CompletionResult]::new('--http', '--http', [CompletionResultType]::ParameterName, 'Use http:// for URLs without a scheme')
            [CompletionResult]::new('--path-as-is', '--path-as-is', [CompletionResultType]::ParameterName, 'Send the path as typed, keeping `/../` and `/./`')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Connect over IPv4 only')
            [CompletionResult]::new('--ipv4', '--ipv4', [CompletionResultType]::ParameterName, 'Connect over IPv4 only')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Connect over IPv6 only')
            [CompletionResult]::new('--ipv6', '--ipv6', [CompletionResultType]::ParameterName, 'Connect over IPv6 only')
            [CompletionResult]::new('--chunked', '--chunked', [CompletionResultType]::ParameterName, 'Send the request body with Transfer-Encoding: chunked instead of Content-Length')
            [CompletionResult]::new('-x', '-x', [CompletionResultType]::ParameterName, 'Deflate the request body (Content-Encoding: deflate) when that makes it smaller; twice (-xx) compresses it even when it does not')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Deflate the request body (Content-Encoding: deflate) when that makes it smaller; twice (-xx) compresses it even when it does not')
            [CompletionResult]::new('--retry-all-methods', '--retry-all-methods', [CompletionResultType]::ParameterName, 'Retry methods that are not idempotent too (POST, PATCH, …)')
            [CompletionResult]::new('--ignore-netrc', '--ignore-netrc', [CompletionResultType]::ParameterName, 'Don''t read credentials from ~/.netrc (or $NETRC). By default its entry for each host is used when no other credentials are given')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Print the version, the resolved plan (secrets redacted) and the engine''s decisions on stderr')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print a short help; with --long (or `rq help`), the full text')
            [CompletionResult]::new('--long', '--long', [CompletionResultType]::ParameterName, 'With --help: print the full help text')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print the version')
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
