#!/usr/bin/env bash
# `make demo`: start the local demo server, run a short tour of rq against it, stop it.
set -euo pipefail
rq=$1 serve=$2
log=$(mktemp)
"$serve" > "$log" &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 50); do grep -q listening "$log" && break; sleep 0.1; done
port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -1)

show() {
    printf '\n\033[1m$ %s\033[0m\n' "$*"
    "$@" || printf '(exit code %s)\n' "$?"
}
show "$rq" --pretty=all -p hb ":$port/json"
show "$rq" --pretty=all -v post ":$port/post" name=ann age:=31 'tags[]=cli' X-Trace:1
show "$rq" -b ":$port/get" q==search
show "$rq" --pretty=all -p hb -F ":$port/redirect/2"
show "$rq" --pretty=all -p hb ":$port/status/404"
show "$rq" --curl post ":$port/post" name=ann
