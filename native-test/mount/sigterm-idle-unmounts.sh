desc="SIGTERM or SIGINT to an idle daemon unmounts, logs it, and the daemon exits"
. "$(dirname "$0")/common.bash"
for sig in TERM INT; do
  own_mount
  pid=$(daemon_pid)
  kill "-$sig" "$pid"
  wait_for 60 gone "$pid"
  not_mounted "$M"
  ls "$M" >/dev/null
  grep -q "SIG$sig: unmounting $M" "$LOG" || { cat "$LOG"; exit 1; }
  grep -q "unmounted $M\$" "$LOG" || { cat "$LOG"; exit 1; }
  own_cleanup; set -e
done
