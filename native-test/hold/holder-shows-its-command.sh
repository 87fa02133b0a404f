desc="ctl holders shows a denyfs hold as its own process and command line, not a JVM"
set -eu
f=hold-shown   # a name of its own: no earlier test left it in the kernel's caches
. "${0%/*}/../await.bash"
: > "$BACKING/$f"
"$DENYFS" hold "$MNT/$f" -- sleep 600 & hold=$!
trap 'kill "$hold" 2>/dev/null || true; wait "$hold" 2>/dev/null || true' EXIT
await "count -1" count_is -1 "$f"
table=$("$DENYFS" ctl holders "$MNT/$f")
printf '%s\n' "$table" | grep -Eq "^deny +$hold +0 +[0-9T:.-]+Z +denyfs hold $MNT/$f -- sleep 600$" || { echo "$table"; exit 1; }
