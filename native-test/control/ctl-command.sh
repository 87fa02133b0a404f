desc="denyfs ctl prints the reply and exits 1 with 'denyfs: FILE: Text file busy' on ETXTBSY"
set -eu
: > "$BACKING/f"
[ "$("$DENYFS" ctl query "$MNT/f")" = "ok 0" ]
exec 4>>"$MNT/f"
set +e; out=$("$DENYFS" ctl deny "$MNT/f" 2>/tmp/ctl-err.$$); status=$?; set -e
err=$(cat /tmp/ctl-err.$$); rm -f /tmp/ctl-err.$$
[ "$status" = 1 ] || { echo "status $status"; exit 1; }
[ "$out" = "err ETXTBSY deny_write_access: 1 writer" ] || { echo "out: $out"; exit 1; }
[ "$err" = "denyfs: $MNT/f: Text file busy" ] || { echo "err: $err"; exit 1; }
