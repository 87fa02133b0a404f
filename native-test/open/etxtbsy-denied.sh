desc="open(O_WRONLY) on a file denied through the control file fails with ETXTBSY"
set -eu
echo data > "$BACKING/f"
exec 3<>"$MNT/.denyfs/control"
echo "deny f" >&3; read -r reply <&3
[ "$reply" = "ok -1" ] || { echo "deny: $reply"; exit 1; }
if err=$(echo more 2>&1 >> "$MNT/f"); then echo "write succeeded while denied"; exit 1; fi
case $err in *"Text file busy"*) ;; *) echo "unexpected: $err"; exit 1;; esac
exec 3>&-
echo more >> "$MNT/f"   # the deny ended with its handle
