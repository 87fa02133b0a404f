desc="denyfs status shows each mount's source, daemon, policy, counts and modules; the log has one line per mount and unmount; --log-level chooses how much"
. "$(dirname "$0")/common.bash"
own_mount policy=exclusive,passthrough=auto
echo data > "$B/f"
out=$("$DENYFS" status "$M")
for want in "$M: denyfs of $B" "  policy       exclusive" "0 control handles holding 0 denies" \
            "  modules      0 loaded, 0 bytes in flight (peak 0)" "  data         "; do
  case $out in *"$want"*) ;; *) printf 'status lacks "%s":\n%s\n' "$want" "$out"; exit 1;; esac
done
# kernel passthrough: on, or off only because the kernel lacks it (a root daemon has the capability)
case $out in *"  passthrough  on, "*" opens passed through, "*|*"  passthrough  off (kernel)"*) ;;
  *) printf 'status has no passthrough line:\n%s\n' "$out"; exit 1;; esac
exec 3<>"$M/.denyfs/control"; echo "deny f" >&3; read -r r <&3; [ "$r" = "ok -1" ]
case $("$DENYFS" status "$M") in *"1 with a count, 1 open handles, 1 control handles holding 1 denies"*) ;;
  *) "$DENYFS" status "$M"; exit 1;; esac
exec 3>&-
case $("$DENYFS" status) in *"$M: denyfs of $B"*) ;; *) echo "status without MOUNTPOINT misses $M"; exit 1;; esac
set +e; out=$("$DENYFS" status "$B" 2>&1); s=$?; set -e
[ "$s" = 1 ] && [ "$out" = "denyfs status: $B: not a denyfs mount" ] || { echo "$s: $out"; exit 1; }
pid=$(daemon_pid)
"$DENYFS" umount "$M"
# the log: one line for the mount, one for the unmount, nothing else at the default level
[ "$(grep -c . "$LOG")" = 2 ] || { cat "$LOG"; exit 1; }
grep -q "INFO  mounted $B on $M (policy=exclusive, kernel .*, passthrough " "$LOG"
grep -q "INFO  unmounted $M\$" "$LOG"

# a daemon that died: status says so and fails
: > "$LOG"; "$DENYFS" mount -o "log=$LOG" --log-level debug "$B" "$M"
grep -q " DEBUG " "$LOG" || { cat "$LOG"; exit 1; }
pid=$(daemon_pid); kill -9 "$pid"; wait_for 60 gone "$pid"
set +e; out=$("$DENYFS" status "$M"); s=$?; set -e
[ "$s" = 1 ] && case $out in *"daemon       not answering: "*"'denyfs umount $M' recovers it"*) ;; *) false;; esac \
  || { echo "$s: $out"; exit 1; }
"$DENYFS" umount "$M"
: > "$LOG"; "$DENYFS" mount -o "log=$LOG,log_level=warn" "$B" "$M"
"$DENYFS" umount "$M"
[ ! -s "$LOG" ] || { echo "log_level=warn logged:"; cat "$LOG"; exit 1; }
set +e; out=$("$DENYFS" mount --log-level loud "$B" "$M" 2>&1); s=$?; set -e
[ "$s" = 2 ] && [ "$(printf '%s\n' "$out" | head -n 1)" = "denyfs mount: log level 'loud': expected one of error, warn, info, debug, trace" ] \
  || { echo "$s: $out"; exit 1; }
