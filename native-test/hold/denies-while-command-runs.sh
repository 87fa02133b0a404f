desc="denyfs hold denies writes while COMMAND runs, exits with COMMAND's status, and lets go after"
set -eu
echo data > "$BACKING/f"
set +e
"$DENYFS" hold "$MNT/f" -- sh -c 'echo x >> f 2>/dev/null && exit 9; [ "$(cat f)" = data ] || exit 8; exit 3'
status=$?
set -e
[ "$status" = 3 ] || { echo "status $status"; exit 1; }
echo more >> "$MNT/f"
