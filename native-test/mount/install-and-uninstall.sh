desc="denyfs install --prefix puts the launcher, the jar, mount.fuse.denyfs, man pages and completion in place, mount -t fuse.denyfs runs the installed copy, uninstall removes every file"
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# The helper goes to /sbin: in a mount namespace of its own with an overlay there, so the machine's
# /sbin is untouched, as in mount8-and-fstab.sh.
exec unshare --mount --propagation private bash -c '
  set -eu
  . "$1/common.bash"
  sbin=$(readlink -f /sbin)
  t=$(mktemp -d /tmp/denyfs-inst-XXXXXX); mkdir "$t/up" "$t/work"
  mount -t overlay overlay -o "lowerdir=$sbin,upperdir=$t/up,workdir=$t/work" "$sbin"
  B=$t/backing M=$t/mnt P=$t/prefix; mkdir "$B" "$M"; echo data > "$B/f"
  trap "set +e; mounted $M && umount $M; umount $sbin; rm -rf $t" EXIT

  "$DENYFS" install --prefix "$P" > "$t/install.out"
  for f in bin/denyfs lib/denyfs/denyfs.jar lib/denyfs/native/libdenyfs-preload.so \
           lib/denyfs/mount.fuse.denyfs share/man/man1/denyfs.1 share/man/man1/denyfs-mount.1 \
           share/man/man1/denyfs-bench-herd.1 share/bash-completion/completions/denyfs lib/denyfs/installed-files; do
    [ -e "$P/$f" ] || { echo "missing $P/$f"; cat "$t/install.out"; exit 1; }
  done
  [ "$(readlink "$sbin/mount.fuse.denyfs")" = "$P/lib/denyfs/mount.fuse.denyfs" ]
  [ "$("$P/bin/denyfs" --version)" = "$("$DENYFS" --version)" ]
  MANPATH=$P/share/man MANWIDTH=80 man denyfs-mount | grep -q "fuse.denyfs"
  bash -c ". $P/share/bash-completion/completions/denyfs; declare -F _complete_denyfs" >/dev/null

  # mount(8) -> /sbin/mount.fuse.denyfs -> PREFIX/bin/denyfs -> PREFIX/lib/denyfs/denyfs.jar
  mount -t fuse.denyfs "$B" "$M" -o policy=plain
  [ "$(cat "$M/f")" = data ]
  pid=$("$P/bin/denyfs" ctl status "$M" | sed "s/.*pid=\([0-9]*\).*/\1/")
  grep -q -- "$P/lib/denyfs/denyfs.jar" "/proc/$pid/cmdline"
  umount "$M"

  # every file listed is removed, and nothing else of the install is left
  listed=$(wc -l < "$P/lib/denyfs/installed-files")
  [ "$listed" -gt 10 ]
  "$DENYFS" uninstall --prefix "$P" > /dev/null
  [ ! -e "$sbin/mount.fuse.denyfs" ] && [ ! -L "$sbin/mount.fuse.denyfs" ]
  left=$(find "$P" -type f -o -type l)
  [ -z "$left" ] || { echo "left after uninstall: $left"; exit 1; }
' bash "$here"
