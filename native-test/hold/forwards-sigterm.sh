desc="a SIGTERM to denyfs hold reaches COMMAND; hold exits 143 and the deny ends"
set -eu
f=hold-term   # a name of its own: no earlier test left it in the kernel's caches
. "${0%/*}/../await.bash"
: > "$BACKING/$f"
"$DENYFS" hold "$MNT/$f" -- sleep 600 & hold=$!
await "count -1" count_is -1 "$f"
await "hold's child" pgrep -P "$hold" -x sleep >/dev/null
child=$(pgrep -P "$hold" -x sleep)
kill -TERM "$hold"
set +e; wait "$hold"; status=$?; set -e
[ "$status" = 143 ] || { echo "status $status"; kill "$child" 2>/dev/null; exit 1; }
! kill -0 "$child" 2>/dev/null || { echo "sleep $child still runs"; kill "$child"; exit 1; }
await "count 0" count_is 0 "$f"
