desc="denyfs modinfo of a module that decompresses to 200 MB (under the 256 MiB cap) answers as kmod does, not with OutOfMemoryError: the daemon's small heap is the daemon's only"
set -eu
dir=$(mktemp -d /tmp/denyfs-large-module.XXXXXX)
trap 'rm -rf "$dir"' EXIT
# 200 MB of zeros: no ELF, so modinfo must read and decompress all of it before it can say so
head -c 200000000 /dev/zero | xz -1 -C crc32 > "$dir/big.ko.xz"
out=$("$DENYFS" modinfo "$dir/big.ko.xz" 2>&1 || true)
case $out in
  *OutOfMemoryError*) echo "modinfo ran out of heap: $out" | head -3; exit 1 ;;
  *"Exec format error"*) echo "modinfo: Exec format error, as kmod's" ;;
  *) echo "unexpected: $out"; exit 1 ;;
esac
