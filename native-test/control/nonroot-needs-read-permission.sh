desc="a user may deny only files they may read; the check uses the caller's uid, not the daemon's"
set -eu
echo s > "$BACKING/secret"; chmod 0600 "$BACKING/secret"
echo p > "$BACKING/public"; chmod 0644 "$BACKING/public"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
set +e
reply=$(as_nobody "$TOOLS/ctlreq" "$MNT" deny secret); status=$?
set -e
[ "$status" = 1 ] || { echo "status $status"; exit 1; }
[ "$reply" = "err EACCES secret: uid 65534 may not read it, so may not deny it" ] || { echo "$reply"; exit 1; }
[ "$(as_nobody "$TOOLS/ctlreq" "$MNT" deny public)" = "ok -1" ]
[ "$(as_nobody "$TOOLS/ctlreq" "$MNT" query secret)" = "ok 0" ]
