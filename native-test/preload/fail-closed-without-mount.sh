desc="without DENYFS_MOUNT (or with a relative one) finit/init/delete_module fail with EPERM and one stderr line naming DENYFS_MOUNT; they never reach the kernel"
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"
work=$(mktemp -d); trap 'rm -rf --one-file-system "$work"' EXIT
printf 'not a module\n' > "$work/m.ko"
for mount in "" "relative/mnt"; do
  for call in "finit $work/m.ko 0 x=1" "finit-sym $work/m.ko 0 x=1" "init $work/m.ko x=1" "init-syscall $work/m.ko x=1" "delete m 2048" "delete-syscall m 2048"; do
    set +e; out=$(in_mount "$mount" "$TOOLS/modcall" $call 2>"$work/err"); set -e
    # EPERM, not ENOSYS or ENOEXEC: the real syscall would have answered those
    [ "$out" = EPERM ] || { echo "DENYFS_MOUNT='$mount' modcall $call: $out"; exit 1; }
    [ "$(wc -l < "$work/err")" = 1 ] && grep -q "DENYFS_MOUNT" "$work/err" || { echo "stderr:"; cat "$work/err"; exit 1; }
  done
done
# the same through kmod's own tools
set +e; err=$(in_mount "" insmod "$work/m.ko" 2>&1); set -e
case $err in *"DENYFS_MOUNT is not set"*"could not insert module $work/m.ko: Operation not permitted") ;; *) echo "insmod said: $err"; exit 1;; esac
set +e; err=$(in_mount "" rmmod -f m 2>&1); set -e
case $err in *"DENYFS_MOUNT is not set"*"could not remove module m: Operation not permitted") ;; *) echo "rmmod -f said: $err"; exit 1;; esac
