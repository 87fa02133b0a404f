desc="finit_module of a file that is not on the DENYFS_MOUNT mount fails with EBADF and a stderr line; no ioctl reaches another file system"
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"
work=$(mktemp -d); trap 'rm -rf --one-file-system "$work"' EXIT
fake_views "$work/fake"
printf 'not a module\n' > "$work/m.ko"
# a plain directory as the mount: same st_dev as the file, but no FUSE file system
set +e; out=$(in_mount "$work/fake" "$TOOLS/modcall" finit "$work/m.ko" 0 "" 2>"$work/err"); set -e
[ "$out" = EBADF ] || { echo "plain dir: $out"; exit 1; }
grep -q "is not a file on the denyfs mount $work/fake" "$work/err" || { cat "$work/err"; exit 1; }
# the real mount of this test run, and a file outside it
set +e; out=$(in_mount "$MNT" "$TOOLS/modcall" finit "$work/m.ko" 0 "" 2>/dev/null); set -e
[ "$out" = EBADF ] || { echo "off the mount: $out"; exit 1; }
set +e; err=$(in_mount "$MNT" insmod "$work/m.ko" 2>&1); set -e
case $err in *"could not insert module $work/m.ko: Bad file descriptor") ;; *) echo "insmod said: $err"; exit 1;; esac
# argument checks come before anything is sent
printf 'x' > "$BACKING/m.ko"
[ "$(in_mount "$MNT" "$TOOLS/modcall" finit "$MNT/m.ko" 0 - || true)" = E2BIG ]
[ "$(in_mount "$MNT" "$TOOLS/modcall" finit-null "$MNT/m.ko" || true)" = EFAULT ]
