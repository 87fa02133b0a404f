desc="truncate(2) by path of a denied file fails with ETXTBSY and leaves it alone"
set -eu
printf 12345 > "$BACKING/f"
exec 3<>"$MNT/.denyfs/control"
echo "xdeny f" >&3; read -r reply <&3
[ "$reply" = "ok -1" ] || { echo "xdeny: $reply"; exit 1; }
if err=$(truncate -s 0 "$MNT/f" 2>&1); then echo "truncate succeeded while denied"; exit 1; fi
case $err in *"Text file busy"*) ;; *) echo "unexpected: $err"; exit 1;; esac
[ "$(cat "$BACKING/f")" = 12345 ]
