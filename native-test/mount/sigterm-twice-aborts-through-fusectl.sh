desc="a second SIGTERM aborts through /sys/fs/fuse/connections/N/abort when fusectl is mounted (in a private mount namespace)"
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# A mount namespace of its own, so that fusectl is mounted for this test only (systemd mounts it at
# boot on most machines); the daemon is started inside it and dies with it.
exec unshare --mount --propagation private bash -c '
  set -eu
  mountpoint -q /sys/fs/fuse/connections || mount -t fusectl fusectl /sys/fs/fuse/connections
  . "$1/common.bash"
  second_signal_aborts "through /sys/fs/fuse/connections/[0-9]*/abort"
' bash "$here"
