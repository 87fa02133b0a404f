desc="denyfs hold FILE -c 'LINE' runs LINE with sh -c while the deny holds, and exits with its status"
set -eu
f=hold-c   # a name of its own: no earlier test left it in the kernel's caches
echo data > "$BACKING/$f"
set +e
out=$("$DENYFS" hold "$MNT/$f" -c 'echo "$0"; echo x >> hold-c 2>/dev/null && exit 9; [ "$(cat hold-c)" = data ] || exit 8; exit 4'); status=$?
set -e
[ "$status" = 4 ] || { echo "status $status, output $out"; exit 1; }
[ "$out" = sh ] || { echo "output: $out"; exit 1; }
# -c before FILE works too, and -c takes exactly one argument
[ "$("$DENYFS" hold -x -c 'echo two words' "$MNT/$f")" = "two words" ]
set +e
err=$("$DENYFS" hold "$MNT/$f" -c echo extra 2>&1); status=$?
set -e
[ "$status" = 2 ] || { echo "-c with two words: status $status: $err"; exit 1; }
echo more >> "$MNT/$f"
