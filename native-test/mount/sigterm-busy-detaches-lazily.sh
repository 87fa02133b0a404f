desc="SIGTERM with a file open: the mount point is freed at once (lazy unmount, logged), the open file reads on until closed, then the daemon exits"
. "$(dirname "$0")/common.bash"
own_mount
printf 'line one\nline two\n' > "$B/f"
exec 3<"$M/f"                             # this shell holds f open on the mount
pid=$(daemon_pid)
kill -TERM "$pid"
wait_for 60 not_mounted "$M"
wait_for 60 grep -q "$M is busy (in use by .*pid $$ (bash)" "$LOG" || { cat "$LOG"; exit 1; }
grep -q 'detached it lazily; serving the open files until they are closed' "$LOG"
ls "$M" >/dev/null                        # usable: a plain directory, no "Transport endpoint is not connected"
[ -z "$(ls -A "$M")" ]
! gone "$pid"                             # still serving fd 3
read -r l1 <&3; read -r l2 <&3
[ "$l1/$l2" = "line one/line two" ]
! grep -q "unmounted $M" "$LOG"
exec 3<&-                                 # the last open file closes: the connection ends
wait_for 60 gone "$pid"
grep -q "unmounted $M\$" "$LOG" || { cat "$LOG"; exit 1; }
