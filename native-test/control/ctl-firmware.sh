desc="denyfs ctl firmware FILE: request_firmware's read, ETXTBSY while a writer holds FILE, bytes in --json"
set -eu
f=ctl-firmware
. "${0%/*}/../await.bash"
printf 'firmware image\n' > "$BACKING/$f"
out=$("$DENYFS" ctl firmware "$MNT/$f")
[ "$out" = "ok 15" ] || { echo "firmware: $out"; exit 1; }
json=$("$DENYFS" ctl --json firmware "$MNT/$f")
[ "$json" = "{\"mount\":\"$MNT\",\"path\":\"/$f\",\"bytes\":15}" ] || { echo "json: $json"; exit 1; }
exec 5>>"$MNT/$f"
set +e; err=$("$DENYFS" ctl firmware "$MNT/$f" 2>&1 >/dev/null); status=$?; set -e
[ "$status" = 1 ] || { echo "status $status while written"; exit 1; }
[ "$err" = "denyfs: $MNT/$f: Text file busy" ] || { echo "stderr: $err"; exit 1; }
exec 5>&-
await "count 0" count_is 0 "$f"
[ "$("$DENYFS" ctl firmware "$MNT/$f")" = "ok 15" ]
