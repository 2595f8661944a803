
use builtin;
use str;

set edit:completion:arg-completer[rq] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'rq'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'rq'= {
            cand --boundary 'The multipart boundary to use (default: random)'
            cand --raw 'Send TEXT as the request body, as is'
            cand -p 'What to print: H request headers, B request body, h response headers, b response body, m metadata. Default: hb on a terminal, b when redirected'
            cand --print 'What to print: H request headers, B request body, h response headers, b response body, m metadata. Default: hb on a terminal, b when redirected'
            cand -P 'What to print for intermediary exchanges (default: the same as --print)'
            cand --history-print 'What to print for intermediary exchanges (default: the same as --print)'
            cand --pretty 'Formatting and colours: all, colors, format or none. Default: all on a terminal, none when redirected'
            cand -s 'Colour theme: auto (the terminal''s 16 colours), monokai or solarized (256 colours)'
            cand --style 'Colour theme: auto (the terminal''s 16 colours), monokai or solarized (256 colours)'
            cand --format-options 'Formatting options: json.indent:N, json.sort_keys:B, json.format:B, headers.sort:B'
            cand -o 'Write the response body to FILE instead of stdout (decoded, otherwise as received)'
            cand --output 'Write the response body to FILE instead of stdout (decoded, otherwise as received)'
            cand --max-pages 'With --paginate: stop after N pages (default: all; a warning at 1000)'
            cand --http-file 'Send the request(s) written in FILE (`-` for stdin): the wire form `rq --offline` prints, or editor-style `METHOD URL` blocks separated by `###`. The command line''s method, URL, headers and items override the file''s'
            cand --max-redirects 'The most redirects to follow before giving up with exit code 6'
            cand --timeout 'Give up when no data arrives for SECONDS (idle timeout; default: none)'
            cand --connect-timeout 'Give up when the connection is not established within SECONDS'
            cand --max-time 'Give up when the whole exchange takes longer than SECONDS (default: none)'
            cand --default-scheme 'Scheme for URLs without one (default: https, or http for loopback hosts)'
            cand -a 'Credentials: USER[:PASS], or a token with -A bearer'
            cand --auth 'Credentials: USER[:PASS], or a token with -A bearer'
            cand -A 'Authentication scheme: basic (default) or bearer'
            cand --auth-type 'Authentication scheme: basic (default) or bearer'
            cand --bearer 'Send `Authorization: Bearer TOKEN`'
            cand --generate 'Print shell completions or the man page, then exit'
            cand -j 'Serialize data items as a JSON object (the default)'
            cand --json 'Serialize data items as a JSON object (the default)'
            cand -f 'Serialize data items as form fields (multipart when a file item is present)'
            cand --form 'Serialize data items as form fields (multipart when a file item is present)'
            cand --multipart 'Always send a multipart/form-data body'
            cand -I 'Never read the request body from standard input'
            cand --ignore-stdin 'Never read the request body from standard input'
            cand -h 'Print only the response headers (-p h)'
            cand --headers 'Print only the response headers (-p h)'
            cand -b 'Print only the response body (-p b)'
            cand --body 'Print only the response body (-p b)'
            cand -m 'Print only the response metadata (-p m)'
            cand --meta 'Print only the response metadata (-p m)'
            cand -v 'Print the whole exchange (-p HBhb) and any redirects; twice adds metadata (-p HBhbm)'
            cand --verbose 'Print the whole exchange (-p HBhb) and any redirects; twice adds metadata (-p HBhbm)'
            cand --all 'Also print intermediary exchanges (redirects), with the same sections'
            cand -q 'Print nothing on stdout; twice (-qq) also silences warnings'
            cand --quiet 'Print nothing on stdout; twice (-qq) also silences warnings'
            cand --sorted 'Sort JSON object keys and headers when formatting'
            cand --unsorted 'Keep JSON keys and headers in the order received (the default)'
            cand -S 'Flush output line by line (automatic for text/event-stream and application/x-ndjson)'
            cand --stream 'Flush output line by line (automatic for text/event-stream and application/x-ndjson)'
            cand --paginate 'Follow `Link: <URL>; rel="next"` headers page after page, over one connection: JSON array pages print as one array, other pages one after another'
            cand --offline 'Build and print the request without sending it'
            cand --curl 'Print an equivalent curl command and exit'
            cand -d 'Save the body to a file: -o FILE, else the name the server suggests (Content-Disposition), else the URL''s last segment; an existing file is never overwritten (NAME-1.EXT, NAME-2.EXT …). Headers and progress go to stderr, redirects are followed. Without -o and with stdout not a terminal, the body goes to stdout'
            cand --download 'Save the body to a file: -o FILE, else the name the server suggests (Content-Disposition), else the URL''s last segment; an existing file is never overwritten (NAME-1.EXT, NAME-2.EXT …). Headers and progress go to stderr, redirects are followed. Without -o and with stdout not a terminal, the body goes to stdout'
            cand -c 'Resume an interrupted download into -o FILE: ask only for the missing bytes (a Range request), and start the file over if the server ignores the range'
            cand --continue 'Resume an interrupted download into -o FILE: ask only for the missing bytes (a Range request), and start the file over if the server ignores the range'
            cand --check-status 'Exit 3/4/5 for 3xx/4xx/5xx responses (the default)'
            cand --no-check-status 'Exit 0 whatever the response status'
            cand -F 'Follow redirects (301/302/303 switch to GET without a body; 307/308 keep both)'
            cand --follow 'Follow redirects (301/302/303 switch to GET without a body; 307/308 keep both)'
            cand --https 'Use https:// for URLs without a scheme, loopback hosts included'
            cand --http 'Use http:// for URLs without a scheme'
            cand --path-as-is 'Send the path as typed, keeping `/../` and `/./`'
            cand --debug 'Print the version, the resolved plan (secrets redacted) and the engine''s decisions on stderr'
            cand --help 'Print a short help; with --long (or `rq help`), the full text'
            cand --long 'With --help: print the full help text'
            cand --version 'Print the version'
        }
    ]
    $completions[$command]
}
