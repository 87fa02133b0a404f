desc="a handle can never allow a deny that another handle holds"
set -eu
: > "$BACKING/f"
exec 3<>"$MNT/.denyfs/control"
echo "deny f" >&3; read -r r <&3; [ "$r" = "ok -1" ]
[ "$("$TOOLS/ctlreq" "$MNT" allow f)" = "err EINVAL allow: this handle holds no deny on f" ] || exit 1
[ "$("$TOOLS/ctlreq" "$MNT" query f)" = "ok -1" ]
