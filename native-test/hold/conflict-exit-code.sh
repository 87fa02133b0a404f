desc="denyfs hold -E N exits N when the deny is refused, -n fails at once with 75, and COMMAND never runs"
set -eu
f=hold-E   # a name of its own: no earlier test left it in the kernel's caches
. "${0%/*}/../await.bash"
: > "$BACKING/$f"
exec 5>>"$MNT/$f"
set +e
"$DENYFS" hold -E 42 "$MNT/$f" -- touch "$BACKING/ran" 2>/dev/null; e=$?
"$DENYFS" hold --conflict-exit-code=0 -x "$MNT/$f" -- touch "$BACKING/ran" 2>/dev/null; zero=$?
"$DENYFS" hold -w 60 -n "$MNT/$f" -- touch "$BACKING/ran" 2>/dev/null; n=$?
"$DENYFS" hold -E 256 "$MNT/$f" -- touch "$BACKING/ran" 2>/dev/null; bad=$?
set -e
[ "$e" = 42 ] || { echo "-E 42: status $e"; exit 1; }
[ "$zero" = 0 ] || { echo "-E 0: status $zero"; exit 1; }
[ "$n" = 75 ] || { echo "-n after -w: status $n"; exit 1; }
[ "$bad" = 2 ] || { echo "-E 256: status $bad"; exit 1; }
[ ! -e "$BACKING/ran" ]
# once the writer is gone, the same command runs and its status comes through
exec 5>&-
await "count 0" count_is 0 "$f"
set +e; "$DENYFS" hold -E 42 "$MNT/$f" -- sh -c 'exit 7'; ran=$?; set -e
[ "$ran" = 7 ] || { echo "granted: status $ran"; exit 1; }
