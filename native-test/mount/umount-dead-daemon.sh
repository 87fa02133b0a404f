desc="denyfs umount recovers a mount whose daemon was killed"
set -eu
b=$(mktemp -d); m=$(mktemp -d)
trap 'set +e; grep -q " $m " /proc/mounts && fusermount -u -z "$m"; grep -q " $m " /proc/mounts || rm -rf --one-file-system "$b" "$m"' EXIT
"$DENYFS" mount "$b" "$m"
pid=$("$DENYFS" ctl status "$m" | sed 's/.*pid=\([0-9]*\).*/\1/')
kill -9 "$pid"
while kill -0 "$pid" 2>/dev/null; do :; done
if ls "$m" 2>/dev/null; then echo "dead mount still answers"; exit 1; fi
"$DENYFS" umount "$m"
! grep -q " $m " /proc/mounts
