complete -c rq -l boundary -d 'The multipart boundary to use (default: random)' -r
complete -c rq -l raw -d 'Send TEXT as the request body, as is' -r
complete -c rq -s p -l print -d 'What to print: H request headers, B request body, h response headers, b response body, m metadata. Default: hb on a terminal, b when redirected' -r
complete -c rq -l meta-format -d 'How to print the metadata (m): text (the default: at a terminal, a waterfall of the phases with a row per redirect hop) or json (every exchange\'s timings, in seconds, for scripts)' -r -f -a "text\t'Plain text; a waterfall at a terminal'
json\t'One JSON object with every exchange\'s timings'"
complete -c rq -s P -l history-print -d 'What to print for intermediary exchanges (default: the same as --print)' -r
complete -c rq -l pretty -d 'Formatting and colours: all, colors, format or none. Default: all on a terminal (no colours with NO_COLOR or TERM=dumb), none when redirected. An explicit all or colors colours whatever NO_COLOR says' -r -f -a "all\t'Colours and layout (the default on a terminal)'
colors\t'Colours only: JSON keeps its whitespace as received'
format\t'Layout only: JSON re-indented, no colours'
none\t'Neither: the body as received (the default when redirected)'"
complete -c rq -s s -l style -d 'Colour theme: auto (the terminal\'s 16 colours), monokai or solarized (256 colours)' -r -f -a "auto\t'The terminal\'s own 16 colours'
monokai\t'256-colour theme on a dark background'
solarized\t'256-colour theme after the Solarized palette'"
complete -c rq -l format-options -d 'Formatting options: json.indent:N, json.sort_keys:B, json.format:B, xml.indent:N, xml.format:B, headers.sort:B' -r
complete -c rq -l response-mime -d 'Treat the response as this media type (e.g. application/json) when deciding how to show it, whatever its Content-Type says' -r
complete -c rq -l response-charset -d 'Decode text responses from this charset (e.g. latin1, shift_jis, utf-16) on a terminal. Default: the Content-Type\'s charset, else a byte-order mark, else a guess from the first bytes. Redirected output is never decoded' -r
complete -c rq -s o -l output -d 'Write the response body to FILE instead of stdout (decoded, otherwise as received). An existing file is replaced, but never written through a symbolic link' -r -F
complete -c rq -s W -l filter -d 'Apply a jq expression (jaq\'s dialect) to the JSON response body and print its results instead: formatted at a terminal, one compact value per line when redirected. Runs on each page with --paginate and on each record of NDJSON and event streams. A response that fails the status check is shown unfiltered' -r
complete -c rq -l max-pages -d 'With --paginate: stop after N pages (default: all; a warning at 1000)' -r
complete -c rq -l http-file -d 'Send the request(s) written in FILE (`-` for stdin): the wire form `rq --offline` prints, or editor-style `METHOD URL` blocks separated by `###`. The command line\'s method, URL, headers and items override the file\'s' -r -F
complete -c rq -l from-curl -d 'Send the request a curl command describes (`-` reads it from stdin), as browsers\' "Copy as cURL" writes it: -X, -H, -b, -d and its kin, -F, -u, -G, -I, -L, -k, --compressed, --url and more. A curl option rq does not know is an error. Options, METHOD, URL and items on rq\'s command line override the command\'s' -r
complete -c rq -l max-redirects -d 'The most redirects to follow before giving up with exit code 6' -r
complete -c rq -l max-headers -d 'The most header lines a response head may have, as httpie\'s option counts them (default: 10000; 0: no line limit). A head over 1 MiB is refused whatever N' -r
complete -c rq -l timeout -d 'Give up when no data arrives for SECONDS (idle timeout; default: none)' -r
complete -c rq -l connect-timeout -d 'Give up when the connection is not established within SECONDS' -r
complete -c rq -l max-time -d 'Give up when the whole run takes longer than SECONDS, counted from rq\'s start (a wait for a body on stdin included; default: none)' -r
complete -c rq -l default-scheme -d 'Scheme for URLs without one (default: https, or http for loopback hosts)' -r
complete -c rq -l proxy -d 'Proxy for one target scheme: http:URL, https:URL or all:URL (repeatable; an empty URL means no proxy). URL is http://, https://, socks5:// or socks5h://, with user:pass@ for proxy auth. Default: $http_proxy (lower case only), $HTTPS_PROXY, $ALL_PROXY, except the hosts in $NO_PROXY' -r
complete -c rq -l resolve -d 'Connect to ADDR (comma-separated list) for HOST:PORT instead of looking it up' -r
complete -c rq -l connect-to -d 'Connect to HOST2:PORT2 for requests to HOST:PORT (an empty field matches any host or port, or keeps it). TLS names and the Host header stay the URL\'s' -r
complete -c rq -l unix-socket -d 'Connect to this Unix domain socket instead of the URL\'s host (no proxy is used)' -r -F
complete -c rq -l http-version -d 'The HTTP version to speak. By default https offers HTTP/2 and HTTP/1.1 (ALPN) and speaks what the server picks, and http speaks HTTP/1.1. 1.1 and 1.0 speak HTTP/1.x only; 2 requires HTTP/2 over https, and over http speaks it at once (h2c with prior knowledge)' -r -f -a "1.0\t''
1.1\t''
2\t''"
complete -c rq -l verify -d 'Check server certificates: yes (the default: against the system\'s trusted CAs, or $SSL_CERT_FILE / $REQUESTS_CA_BUNDLE when set), no, or a CA bundle FILE (PEM) to trust instead' -r
complete -c rq -l cert -d 'Client certificate (PEM) for servers that ask for one; the file may hold the key too' -r -F
complete -c rq -l cert-key -d 'The client certificate\'s private key (PEM), when it is not in the --cert file' -r -F
complete -c rq -l cert-key-pass -d 'Password of an encrypted (PKCS#8) client key' -r
complete -c rq -l ssl -d 'Use only this TLS version: tls1.2 or tls1.3 (default: either)' -r -f -a "tls1.2\t''
tls1.3\t''"
complete -c rq -l ciphers -d 'Offer only these TLS cipher suites, in this order of preference: names as rustls spells them, separated by commas or colons (TLS13_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, ...). Default: all of rustls\' suites' -r
complete -c rq -l retry -d 'Retry up to N times after a connection error, a timeout or a 408, 429, 500, 502, 503 or 504 response, for idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS, TRACE)' -r
complete -c rq -l retry-delay -d 'Seconds to wait between retries (default: 1 s, doubling up to 30 s). A server\'s Retry-After wins' -r
complete -c rq -l retry-max-time -d 'Start no retry later than SECONDS after the first attempt (default: no limit)' -r
complete -c rq -s a -l auth -d 'Credentials: USER[:PASS] (the password is asked for when missing), or a token with -A bearer. They go to the URL\'s origin only, never across a redirect to another one' -r
complete -c rq -s A -l auth-type -d 'Authentication scheme: basic (default), digest (answers the server\'s 401 challenge), bearer, or oauth2 (tokens fetched, cached in the session and refreshed: see the OAuth 2 options). Also applies to user:pass@ in the URL and to netrc entries' -r -f -a "basic\t''
digest\t''
bearer\t''
oauth2\t''"
complete -c rq -l bearer -d 'Send `Authorization: Bearer TOKEN`' -r
complete -c rq -l oauth2-grant -d 'With -A oauth2: how to get a token. client-credentials (the default; -a ID:SECRET), refresh-token (--oauth2-refresh-token, implied by it), device-code (RFC 8628: a code to enter on another device) or authorization-code (a browser sign-in through a loopback redirect to rq, with PKCE)' -r -f -a "client-credentials\t'The client\'s own credentials (RFC 6749 §4.4)'
refresh-token\t'A refresh token given with --oauth2-refresh-token (RFC 6749 §6)'
device-code\t'A code to enter on another device (RFC 8628)'
authorization-code\t'A browser sign-in with PKCE (RFC 6749 §4.1, RFC 7636)'"
complete -c rq -l oauth2-token-url -d 'The token endpoint. Tokens are asked for with -a CLIENT_ID[:SECRET] as the client' -r
complete -c rq -l oauth2-issuer -d 'An OpenID Connect issuer: the endpoints not given are read from URL/.well-known/openid-configuration' -r
complete -c rq -l oauth2-device-url -d 'The device authorization endpoint (device-code grant)' -r
complete -c rq -l oauth2-auth-url -d 'The authorization endpoint a browser is sent to (authorization-code grant)' -r
complete -c rq -l oauth2-scope -d 'The scope to ask for (space-separated, as the server spells it)' -r
complete -c rq -l oauth2-audience -d 'The audience to ask for (Auth0 and others: the API the token is for)' -r
complete -c rq -l oauth2-client-auth -d 'How the client secret goes to the token endpoint: basic (HTTP Basic auth, the default) or post (client_id and client_secret in the form body)' -r -f -a "basic\t'HTTP Basic authentication (client_secret_basic)'
post\t'In the form body (client_secret_post)'"
complete -c rq -l oauth2-refresh-token -d 'A refresh token to get access tokens with (refresh-token grant). With --session it is needed once: the tokens the server rotates it into are kept in the session' -r
complete -c rq -l oauth2-redirect-port -d 'The port of rq\'s loopback redirect listener for the authorization-code grant, for servers that want the exact redirect URI registered (default: any free port). The redirect URI is http://127.0.0.1:PORT/callback' -r
complete -c rq -l session -d 'Keep headers, auth and cookies in a session, read before and saved after every exchange. A NAME lives in CONFIG/sessions/HOST[_PORT]/NAME.json; a value with a \'/\' or ending in .json is a path. HTTPie and xh session files can be read' -r
complete -c rq -l session-read-only -d 'Use a session like --session, but never write it' -r
complete -c rq -s j -l json -d 'Serialize data items as a JSON object (the default)'
complete -c rq -s f -l form -d 'Serialize data items as form fields (multipart when a file item is present)'
complete -c rq -l multipart -d 'Always send a multipart/form-data body'
complete -c rq -s I -l ignore-stdin -d 'Never read the request body from standard input'
complete -c rq -s h -l headers -d 'Print only the response headers (-p h)'
complete -c rq -s b -l body -d 'Print only the response body (-p b)'
complete -c rq -s m -l meta -d 'Print only the response metadata (-p m)'
complete -c rq -s v -l verbose -d 'Print the whole exchange (-p HBhb) and any redirects; twice adds metadata (-p HBhbm). Of -p, -h, -b, -m and -v, the later one wins: -v -b prints the body (of every hop)'
complete -c rq -l all -d 'Also print intermediary exchanges (redirects), with the same sections'
complete -c rq -s q -l quiet -d 'Print nothing on stdout; twice (-qq) also silences warnings'
complete -c rq -l sorted -d 'Sort JSON object keys (at every depth) and headers when formatting. Sorting holds each JSON body in memory until it is complete (each line with --stream), where unsorted output streams'
complete -c rq -l unsorted -d 'Keep JSON keys and headers in the order received (the default)'
complete -c rq -l filter-raw -d 'With --filter: print string results without quotes or escapes (like jq -r)'
complete -c rq -s S -l stream -d 'Flush output line by line (automatic for text/event-stream and application/x-ndjson)'
complete -c rq -l paginate -d 'Follow `Link: <URL>; rel="next"` headers page after page, over one connection: JSON array pages print as one array, other pages one after another'
complete -c rq -l offline -d 'Build and print the request without sending it'
complete -c rq -l curl -d 'Print an equivalent curl command and exit'
complete -c rq -s d -l download -d 'Save the body to a file: -o FILE, else the name the server suggests (Content-Disposition), else the URL\'s last segment; an existing file is never overwritten (NAME-1.EXT, NAME-2.EXT …). Headers and progress go to stderr, redirects are followed. Without -o and with stdout not a terminal, the body goes to stdout'
complete -c rq -s c -l continue -d 'Resume an interrupted download into -o FILE: ask only for the missing bytes (a Range request), and start the file over if the server ignores the range'
complete -c rq -l check-status -d 'Exit 3/4/5 for 3xx/4xx/5xx responses (the default)'
complete -c rq -l no-check-status -d 'Exit 0 whatever the response status'
complete -c rq -s F -l follow -d 'Follow redirects (301/302/303 switch to GET without a body; 307/308 keep both)'
complete -c rq -l https -d 'Use https:// for URLs without a scheme, loopback hosts included'
complete -c rq -l http -d 'Use http:// for URLs without a scheme'
complete -c rq -l path-as-is -d 'Send the path as typed, keeping `/../` and `/./`'
complete -c rq -s 4 -l ipv4 -d 'Connect over IPv4 only'
complete -c rq -s 6 -l ipv6 -d 'Connect over IPv6 only'
complete -c rq -l chunked -d 'Send the request body with Transfer-Encoding: chunked instead of Content-Length'
complete -c rq -s x -l compress -d 'Deflate the request body (Content-Encoding: deflate) when that makes it smaller; twice (-xx) compresses it even when it does not'
complete -c rq -l retry-all-methods -d 'Retry methods that are not idempotent too (POST, PATCH, …)'
complete -c rq -l ignore-netrc -d 'Don\'t read credentials from ~/.netrc (or $NETRC). By default its entry for each host is used when no other credentials are given'
complete -c rq -l debug -d 'Print the version, the resolved plan (secrets redacted) and the engine\'s decisions on stderr'
complete -c rq -l help -d 'Print a short help; with --long (or `rq help`), the full text'
complete -c rq -l long -d 'With --help: print the full help text'
complete -c rq -l version -d 'Print the version'
