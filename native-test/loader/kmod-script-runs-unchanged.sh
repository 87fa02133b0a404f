desc="a shell script written for kmod's modprobe/lsmod/rmmod runs unchanged with the denyfs prefix (Java) and the native front end, with identical output"
set -eu
repo=$(cd "$(dirname "$DENYFS")/.." && pwd)
tree=$(ls -d "${DENYFS_MODTREE:-/var/cache/denyfs/modtree}"/root 2>/dev/null || true)
[ -n "$tree" ] || { echo "no module tree: run scripts/prepare-module-tree.sh"; exit 1; }
gcc -O2 -Wall -Wno-format-truncation -I"$repo/src/main/c/include" -o "$TOOLS/denyfs-loader" "$repo/src/main/c/loader/denyfs-loader.c" "$repo/src/main/c/lib/denyfs.c"
mm=$(mktemp -d /tmp/denyfs-loader-m.XXXXXX)
cleanup() { if grep -q " $mm fuse.denyfs " /proc/mounts; then "$DENYFS" umount "$mm" >/dev/null 2>&1 || fusermount -u -z "$mm"; fi; rmdir "$mm"; }
trap cleanup EXIT
"$DENYFS" mount -o policy=idempotent,init_ms=0 "$tree" "$mm"
export DENYFS_MOUNT=$mm DENYFS_JAR="$repo/target/denyfs.jar"
# the script, as written for kmod (only the command prefix $P differs)
script='
set -u
$P modprobe aesni_intel || echo "modprobe failed"
$P lsmod | awk "NR > 1 { print \$1, \$3, \$4 }"
$P modprobe aesni-intel && echo "second modprobe: ok"
$P modprobe --first-time aesni_intel; echo "first-time: $?"
$P rmmod cryptd; echo "rmmod used: $?"
$P modprobe -q no_such_module || echo "not found: $?"
$P modprobe -v -r aesni_intel
$P modprobe -r cryptd && echo "cryptd removed"
$P lsmod | wc -l
$P modprobe -n -v ghash-clmulni-intel
'
java_out=$(P="$DENYFS" bash -c "$script" 2>&1)
native_out=$(P="$TOOLS/denyfs-loader" bash -c "$script" 2>&1)
expected="aesni_intel 0 
crypto_simd 1 aesni_intel
cryptd 1 crypto_simd
second modprobe: ok
modprobe: ERROR: could not insert 'aesni_intel': Module already in kernel
first-time: 1
rmmod: ERROR: Module cryptd is in use by: crypto_simd
rmmod used: 1
not found: 1
rmmod aesni_intel
rmmod crypto_simd
cryptd removed
1
insmod $mm/lib/modules/$(basename "$(ls -d "$tree"/lib/modules/*/)")/kernel/arch/x86/crypto/cryptd.ko 
insmod $mm/lib/modules/$(basename "$(ls -d "$tree"/lib/modules/*/)")/kernel/arch/x86/crypto/ghash-clmulni-intel.ko "
[ "$native_out" = "$java_out" ] || { printf 'native:\n%s\njava:\n%s\n' "$native_out" "$java_out"; exit 1; }
printf '%s\n' "$java_out" | sed '$d' | sed '$d' > "$TOOLS/got"
printf '%s\n' "$expected" | sed '$d' | sed '$d' > "$TOOLS/want"
diff "$TOOLS/want" "$TOOLS/got"
printf '%s\n' "$java_out" | tail -n 1 | grep -q "kernel/arch/x86/crypto/ghash-clmulni-intel.ko $"
printf '%s\n' "$java_out" | tail -n 2 | head -n 1 | grep -q "kernel/crypto/cryptd.ko $"
