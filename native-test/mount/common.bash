# Sourced by native-test/mount/*.sh (it is no test itself: run.sh runs */*.sh only). Provides:
#   own_mount [OPTS]    a mount of its own, made by the launcher in the background with -o log=LOG
#                       (and OPTS): sets B (backing), M (mount point), LOG; on exit it is unmounted
#                       (lazily, if a test left it busy) and everything is removed
#   daemon_pid          the daemon's pid, from the control file's status reply
#   wait_for SECS CMD.. polls CMD until it succeeds; fails naming CMD after SECS seconds
#   gone PID            PID has exited (a zombie counts: this machine's init may reap it late)
#   mounted DIR         a mount sits exactly at DIR (/proc/mounts)
set -eu
B= M= LOG=
own_mount() {
  B=$(mktemp -d /tmp/denyfs-mt-XXXXXX); M=$B.mnt; LOG=$B.log
  mkdir "$M"
  trap 'own_cleanup' EXIT
  "$DENYFS" mount -o "log=$LOG${1:+,$1}" "$B" "$M"
}
own_cleanup() {
  set +e
  if mounted "$M"; then "$DENYFS" umount "$M" 2>/dev/null || fusermount -u -z "$M"; fi
  not_mounted "$M" && rm -rf --one-file-system "$B" "$M" "$LOG"
}
daemon_pid() { "$DENYFS" ctl status "$M" | sed 's/.*pid=\([0-9]*\).*/\1/'; }
wait_for() {
  local secs=$1; shift
  local deadline=$((SECONDS + secs))
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then echo "still not true after ${secs}s: $*" >&2; return 1; fi
    sleep 0.02
  done
}
gone() { [ ! -e "/proc/$1" ] || grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
mounted() { awk -v m="$1" '$2 == m { found = 1 } END { exit !found }' /proc/mounts; }
not_mounted() { ! mounted "$1"; }

# The second-signal case, shared by the plain and the fusectl variant. HOW: the abort's log words.
second_signal_aborts() { # HOW
  # passthrough=off: a file opened with kernel passthrough keeps reading and writing BACKING after
  # the connection ends (the kernel hands its I/O to the backing file without asking the daemon);
  # ENOTCONN on an open file's read is the rule of the daemon's own I/O path.
  own_mount passthrough=off
  echo data > "$B/f"
  exec 3<"$M/f"
  local pid; pid=$(daemon_pid)
  kill -TERM "$pid"
  wait_for 60 grep -q 'detached it lazily' "$LOG"
  kill -TERM "$pid"
  wait_for 60 gone "$pid"
  grep -q "SIGTERM again: aborting the FUSE connection of $M" "$LOG" || { cat "$LOG"; return 1; }
  grep -q "aborting $M $1" "$LOG" || { cat "$LOG"; return 1; }
  not_mounted "$M"
  ls "$M" >/dev/null                     # the mount point is a plain directory again, no ENOTCONN
  local out
  if out=$(cat <&3 2>&1); then echo "the open file still read after the abort: $out"; return 1; fi
  case $out in *"Transport endpoint is not connected"*) ;; *) echo "read after abort: $out"; return 1;; esac
  exec 3<&-
}
