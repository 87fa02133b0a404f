desc="a second SIGTERM aborts at once: the daemon exits, open files get ENOTCONN, the mount point is free"
. "$(dirname "$0")/common.bash"
# Outside this test fusectl may or may not be mounted; the other variant mounts it in a namespace.
if mounted /sys/fs/fuse/connections; then how='through /sys/fs/fuse/connections/'; else how='by closing /dev/fuse'; fi
second_signal_aborts "$how"
