desc="denyfs ctl prints the reply, exits 1 with 'denyfs: FILE: Text file busy' on ETXTBSY and 2 for a bad verb"
set -eu
: > "$BACKING/f"
[ "$("$DENYFS" ctl query "$MNT/f")" = "ok 0" ]
exec 4>>"$MNT/f"
set +e; out=$("$DENYFS" ctl deny "$MNT/f" 2>/tmp/ctl-err.$$); status=$?; set -e
err=$(cat /tmp/ctl-err.$$); rm -f /tmp/ctl-err.$$
[ "$status" = 1 ] || { echo "status $status"; exit 1; }
[ "$out" = "err ETXTBSY deny_write_access: 1 writer" ] || { echo "out: $out"; exit 1; }
[ "$err" = "denyfs: $MNT/f: Text file busy" ] || { echo "err: $err"; exit 1; }
# a bad verb is a usage error (exit 2, one line and a hint), before FILE is looked at
set +e; err=$("$DENYFS" ctl frob "$MNT/f" 2>&1); status=$?; set -e
[ "$status" = 2 ] || { echo "frob: status $status: $err"; exit 1; }
[ "$err" = "denyfs ctl: unknown verb 'frob' (expected query, deny, xdeny, allow, holders, status or firmware)
Try 'denyfs ctl --help' for more information." ] || { echo "frob: $err"; exit 1; }
# a file off every denyfs mount is named with the cause
set +e; err=$("$DENYFS" ctl query /proc/self/status 2>&1); status=$?; set -e
[ "$status" = 1 ] && [ "$err" = "denyfs: /proc/self/status: not on a denyfs mount" ] || { echo "off mount: $status $err"; exit 1; }
