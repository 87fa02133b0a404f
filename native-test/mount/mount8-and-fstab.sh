desc="mount -t fuse.denyfs and an /etc/fstab line mount through mount.fuse.denyfs, with generic options; /proc/mounts shows BACKING; umount(8) unmounts"
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# mount(8) looks for helpers in /sbin only. To put one there for this test alone, it runs in a mount
# namespace of its own with an overlay on /sbin; the daemons it starts live and die in it too.
exec unshare --mount --propagation private bash -c '
  set -eu
  . "$1/common.bash"
  sbin=$(readlink -f /sbin)
  ov=$(mktemp -d /tmp/denyfs-sbin-XXXXXX); mkdir "$ov/up" "$ov/work"
  mount -t overlay overlay -o "lowerdir=$sbin,upperdir=$ov/up,workdir=$ov/work" "$sbin"
  ln -s "$(cd "$1/../../scripts" && pwd)/mount.fuse.denyfs" "$sbin/mount.fuse.denyfs"
  B=$(mktemp -d /tmp/denyfs-m8-XXXXXX); M=$B.mnt; mkdir "$M"; echo data > "$B/f"
  trap "set +e; mounted $M && umount $M; umount $sbin; not_mounted $M && rm -rf --one-file-system $ov $B $M $B.fstab" EXIT

  policy_of() { exec 4<>"$1/.denyfs/control"; echo policy >&4; read -r r <&4; exec 4>&-; echo "$r"; }
  line_of() { awk -v m="$1" "\$2 == m" /proc/mounts; }

  # mount(8) on the command line
  mount -t fuse.denyfs "$B" "$M" -o policy=exclusive,rw,allow_other,default_permissions
  set -- $(line_of "$M")
  [ "$1 $3" = "$B fuse.denyfs" ] || { echo "/proc/mounts: $*"; exit 1; }
  [ "$(policy_of "$M")" = "ok exclusive" ]
  [ "$(cat "$M/f")" = data ]
  pid=$("$DENYFS" ctl status "$M" | sed "s/.*pid=\([0-9]*\).*/\1/")
  umount "$M"
  not_mounted "$M"
  wait_for 60 gone "$pid"

  # an fstab line with what fstab lines carry: noauto, _netdev, x-systemd.*, user (noexec,nosuid,nodev), nofail
  printf "%s %s fuse.denyfs noauto,_netdev,x-systemd.automount,x-systemd.idle-timeout=60,user,nofail,policy=plain,nonempty,fsname=modules 0 0\n" \
    "$B" "$M" > "$B.fstab"
  mount -T "$B.fstab" "$M"
  set -- $(line_of "$M")
  [ "$1 $3" = "modules fuse.denyfs" ] || { echo "/proc/mounts: $*"; exit 1; }
  case ",$4," in *,noexec,*) ;; *) echo "user implies noexec: $4"; exit 1;; esac
  [ "$(policy_of "$M")" = "ok plain" ]
  umount "$M"
  not_mounted "$M"

  # a typo in fstab: refused with one line naming it, nothing mounted
  printf "%s %s fuse.denyfs noauto,polcy=plain 0 0\n" "$B" "$M" > "$B.fstab"
  if out=$(mount -T "$B.fstab" "$M" 2>&1); then echo "mounted despite a typo"; exit 1; fi
  [ "$(printf "%s\n" "$out" | head -n 1)" = "denyfs mount: unknown mount option '"'"'polcy=plain'"'"' (see denyfs mount --help)" ] \
    || { echo "$out"; exit 1; }
  not_mounted "$M"

  # mount.fuse(8)s own form, type fuse and SOURCE denyfs#BACKING: it runs "denyfs BACKING MOUNTPOINT
  # -o OPTIONS" from the default PATH, so the launcher goes into /usr/local/bin (an overlay again)
  mkdir "$ov/up2" "$ov/work2"
  mount -t overlay overlay -o "lowerdir=/usr/local/bin,upperdir=$ov/up2,workdir=$ov/work2" /usr/local/bin
  trap "set +e; mounted $M && umount $M; umount /usr/local/bin; umount $sbin; not_mounted $M && rm -rf --one-file-system $ov $B $M $B.fstab" EXIT
  ln -s "$DENYFS" /usr/local/bin/denyfs
  mount -t fuse "denyfs#$B" "$M" -o policy=idempotent
  set -- $(line_of "$M")
  [ "$1 $3" = "$B fuse.denyfs" ] || { echo "/proc/mounts: $*"; exit 1; }
  [ "$(policy_of "$M")" = "ok idempotent" ]
  umount "$M"
  not_mounted "$M"
' bash "$here"
