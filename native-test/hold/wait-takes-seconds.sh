desc="denyfs hold -w SECONDS gives up with 75 when the deny is not granted in time; -w without SECONDS is a usage error"
set -eu
f=hold-w   # a name of its own: no earlier test left it in the kernel's caches
: > "$BACKING/$f"
exec 5>>"$MNT/$f"
set +e
err=$("$DENYFS" hold -w 0.2 "$MNT/$f" -- touch "$BACKING/ran" 2>&1); status=$?
set -e
[ "$status" = 75 ] || { echo "-w 0.2: status $status: $err"; exit 1; }
[ "$err" = "denyfs: $MNT/$f: Text file busy" ] || { echo "-w 0.2: stderr: $err"; exit 1; }
# flock's syntax: -w takes a value, so FILE after a bare -w is a bad number of seconds
set +e
err=$("$DENYFS" hold -w "$MNT/$f" -- touch "$BACKING/ran" 2>&1); status=$?
set -e
[ "$status" = 2 ] || { echo "-w FILE: status $status: $err"; exit 1; }
[ "$(printf '%s\n' "$err" | head -1)" = "denyfs hold: --wait: '$MNT/$f' is not a number of seconds (a decimal, or inf)" ] || { echo "-w FILE: $err"; exit 1; }
[ "$(printf '%s\n' "$err" | sed -n 2p)" = "Try 'denyfs hold --help' for more information." ] || { echo "-w FILE: $err"; exit 1; }
[ "$(printf '%s\n' "$err" | wc -l)" = 2 ] || { echo "-w FILE: $err"; exit 1; }
[ ! -e "$BACKING/ran" ]
