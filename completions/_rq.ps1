
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
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'What to print for intermediary exchanges (default: the same as --print)')
            [CompletionResult]::new('--history-print', '--history-print', [CompletionResultType]::ParameterName, 'What to print for intermediary exchanges (default: the same as --print)')
            [CompletionResult]::new('--pretty', '--pretty', [CompletionResultType]::ParameterName, 'Formatting and colours: all, colors, format or none. Default: all on a terminal, none when redirected')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Colour theme: auto (the terminal''s 16 colours), monokai or solarized (256 colours)')
            [CompletionResult]::new('--style', '--style', [CompletionResultType]::ParameterName, 'Colour theme: auto (the terminal''s 16 colours), monokai or solarized (256 colours)')
            [CompletionResult]::new('--format-options', '--format-options', [CompletionResultType]::ParameterName, 'Formatting options: json.indent:N, json.sort_keys:B, json.format:B, headers.sort:B')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the response body to FILE instead of stdout (decoded, otherwise as received)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the response body to FILE instead of stdout (decoded, otherwise as received)')
            [CompletionResult]::new('--max-pages', '--max-pages', [CompletionResultType]::ParameterName, 'With --paginate: stop after N pages (default: all; a warning at 1000)')
            [CompletionResult]::new('--http-file', '--http-file', [CompletionResultType]::ParameterName, 'Send the request(s) written in FILE (`-` for stdin): the wire form `rq --offline` prints, or editor-style `METHOD URL` blocks separated by `###`. The command line''s method, URL, headers and items override the file''s')
            [CompletionResult]::new('--max-redirects', '--max-redirects', [CompletionResultType]::ParameterName, 'The most redirects to follow before giving up with exit code 6')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up when no data arrives for SECONDS (idle timeout; default: none)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up when the connection is not established within SECONDS')
            [CompletionResult]::new('--max-time', '--max-time', [CompletionResultType]::ParameterName, 'Give up when the whole exchange takes longer than SECONDS (default: none)')
            [CompletionResult]::new('--default-scheme', '--default-scheme', [CompletionResultType]::ParameterName, 'Scheme for URLs without one (default: https, or http for loopback hosts)')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Credentials: USER[:PASS], or a token with -A bearer')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Credentials: USER[:PASS], or a token with -A bearer')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Authentication scheme: basic (default) or bearer')
            [CompletionResult]::new('--auth-type', '--auth-type', [CompletionResultType]::ParameterName, 'Authentication scheme: basic (default) or bearer')
            [CompletionResult]::new('--bearer', '--bearer', [CompletionResultType]::ParameterName, 'Send `Authorization: Bearer TOKEN`')
            [CompletionResult]::new('--generate', '--generate', [CompletionResultType]::ParameterName, 'Print shell completions or the man page, then exit')
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
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the whole exchange (-p HBhb) and any redirects; twice adds metadata (-p HBhbm)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the whole exchange (-p HBhb) and any redirects; twice adds metadata (-p HBhbm)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Also print intermediary exchanges (redirects), with the same sections')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stdout; twice (-qq) also silences warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stdout; twice (-qq) also silences warnings')
            [CompletionResult]::new('--sorted', '--sorted', [CompletionResultType]::ParameterName, 'Sort JSON object keys and headers when formatting')
            [CompletionResult]::new('--unsorted', '--unsorted', [CompletionResultType]::ParameterName, 'Keep JSON keys and headers in the order received (the default)')
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
