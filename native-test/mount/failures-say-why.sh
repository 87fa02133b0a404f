desc="mount and umount failures name the file and the real reason: not empty (and -o nonempty), already mounted, no permission, missing, not a denyfs mount"
. "$(dirname "$0")/common.bash"
b=$(mktemp -d /tmp/denyfs-why-XXXXXX); m=$b.mnt; mkdir "$m"
trap 'set +e; mounted "$m" && "$DENYFS" umount "$m"; not_mounted "$m" && rm -rf --one-file-system "$b" "$m"' EXIT
fails() { # STATUS EXPECTED_STDERR CMD...: CMD exits STATUS and prints exactly EXPECTED_STDERR
  local want=$1 msg=$2 out s; shift 2
  set +e; out=$("$@" 2>&1 >/dev/null); s=$?; set -e
  [ "$s" = "$want" ] && [ "$out" = "$msg" ] || { printf 'status %s, wanted %s; printed:\n%s\nwanted:\n%s\n' "$s" "$want" "$out" "$msg"; return 1; }
}
touch "$m/already-here"
fails 1 "denyfs mount: mount point $m: not empty (-o nonempty mounts over its files anyway)" "$DENYFS" mount "$b" "$m"
"$DENYFS" mount -o nonempty "$b" "$m"     # libfuse's own option is accepted
[ ! -e "$m/already-here" ]                # the mount covers it
fails 1 "denyfs mount: mount point $m: already mounted (denyfs of $b); unmount it first with 'denyfs umount $m'" \
  "$DENYFS" mount -o nonempty "$b" "$m"
"$DENYFS" umount "$m"
rm "$m/already-here"
# another user: no access to /dev/fuse (0600 here) or, where it is 0666, no write access to the mount point
set +e; out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$DENYFS" mount "$b" "$m" 2>&1); s=$?; set -e
case $out in
  "denyfs mount: /dev/fuse: Permission denied"|"denyfs mount: mount point $m: Permission denied (fusermount needs write access to it)") ;;
  *) echo "as uid 65534 ($s): $out"; exit 1;;
esac
[ "$s" = 1 ]
fails 1 "denyfs mount: mount point $b/nowhere: No such file or directory" "$DENYFS" mount "$b" "$b/nowhere"
fails 1 "denyfs umount: $b/nowhere: No such file or directory" "$DENYFS" umount "$b/nowhere"
fails 1 "denyfs umount: $m: not mounted" "$DENYFS" umount "$m"
fails 1 "denyfs umount: /proc: not a denyfs mount (proc of proc)" "$DENYFS" umount /proc
! grep -q "org\.denyfs\|Exception" <<<"$out"
