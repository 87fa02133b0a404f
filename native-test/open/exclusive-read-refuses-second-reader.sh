desc="-o exclusive_read=GLOB: while a shell holds FILE open for reading, cat of FILE and a writer get 'Text file busy'"
set -eu
. "${0%/*}/../await.bash"
# run.sh's mount has no exclusive_read: this script makes its own, and unmounts it on any exit
work=$(mktemp -d /tmp/denyfs-xread-XXXXXX)
mkdir "$work/b" "$work/m"
trap '"$DENYFS" umount "$work/m" >/dev/null 2>&1 || fusermount -u -z "$work/m" 2>/dev/null; rm -rf "$work"' EXIT
printf 'module\n' > "$work/b/x.ko"
"$DENYFS" mount -o exclusive_read='*.ko' "$work/b" "$work/m"
exec 3<"$work/m/x.ko"
if err=$(cat "$work/m/x.ko" 2>&1); then echo "a second reader got in: $err"; exit 1; fi
case $err in *"Text file busy"*) ;; *) echo "cat: $err"; exit 1 ;; esac
if err=$( { echo x >> "$work/m/x.ko"; } 2>&1 ); then echo "a writer got in"; exit 1; fi
case $err in *"Text file busy"*) ;; *) echo "writer: $err"; exit 1 ;; esac
exec 3<&-
reads() { [ "$(cat "$work/m/x.ko" 2>/dev/null)" = module ]; }
await "a reader after the first one's release" reads   # its RELEASE reaches the daemon asynchronously
