desc="holders lists a writer with its pid and command line, and ctl holders prints it as a table"
set -eu
: > "$BACKING/f"
exec 5>>"$MNT/f"
reply=$("$TOOLS/ctlreq" "$MNT" holders f)
case $reply in "ok write pid=$$ uid=0 since="*Z) ;; *) echo "reply: $reply"; exit 1;; esac
table=$("$DENYFS" ctl holders "$MNT/f")
printf '%s\n' "$table" | head -1 | grep -q '^KIND *PID *UID *SINCE *COMMAND$'
# the COMMAND column is the holder's command line: this script's shell
printf '%s\n' "$table" | grep -Eq "^write +$$ +0 +[0-9T:.-]+Z +bash .*holders-lists-each-hold\.sh$" || { echo "$table"; exit 1; }
