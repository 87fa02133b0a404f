desc="a denyfs hold killed with SIGKILL gives its deny back; a writer succeeds afterwards"
set -eu
: > "$BACKING/f"
"$DENYFS" hold "$MNT/f" -- sleep 600 & hold=$!
until [ "$("$TOOLS/ctlreq" "$MNT" query f)" = "ok -1" ]; do :; done
kill -9 "$hold"; wait "$hold" 2>/dev/null || true
pkill -f "sleep 600" || true
until [ "$("$TOOLS/ctlreq" "$MNT" query f)" = "ok 0" ]; do :; done
echo x >> "$MNT/f"
