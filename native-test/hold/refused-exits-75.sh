desc="denyfs hold on a file open for write exits 75 with 'denyfs: FILE: Text file busy' and never runs COMMAND"
set -eu
: > "$BACKING/f"
exec 5>>"$MNT/f"
set +e
err=$("$DENYFS" hold "$MNT/f" -- touch "$BACKING/ran" 2>&1); status=$?
set -e
[ "$status" = 75 ] || { echo "status $status: $err"; exit 1; }
[ "$err" = "denyfs: $MNT/f: Text file busy" ] || { echo "stderr: $err"; exit 1; }
[ ! -e "$BACKING/ran" ]
