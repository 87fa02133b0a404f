desc="denyfs hold -w SECONDS retries until the writer closes, then runs COMMAND"
set -eu
: > "$BACKING/f"
fifo=$(mktemp -u); mkfifo "$fifo"; trap 'rm -f "$fifo"' EXIT
# a writer that holds f open until it reads a line from the fifo
sh -c 'exec 5>>"$1"; read line < "$2"' sh "$MNT/f" "$fifo" & writer=$!
until [ "$("$TOOLS/ctlreq" "$MNT" query f)" = "ok 1" ]; do :; done
"$DENYFS" hold -w 60 "$MNT/f" -- sh -c 'echo granted' > "$BACKING/../hold.out" & hold=$!
# the hold is retrying now (it started while the writer held f); let the writer go
echo go > "$fifo"
wait "$writer"
wait "$hold"
[ "$(cat "$BACKING/../hold.out")" = granted ]
