desc="a shell script written for kmod's modprobe/lsmod/rmmod prints the same with Debian's kmod (through the preload library) and with denyfs's tools, on one mount each"
set -eu
repo=$(cd "$(dirname "$DENYFS")/.." && pwd)
tree=$(ls -d "${DENYFS_MODTREE:-/var/cache/denyfs/modtree}"/root 2>/dev/null || true)
[ -n "$tree" ] || { echo "no module tree: run scripts/prepare-module-tree.sh"; exit 1; }
release=$(basename "$(ls -d "$tree"/lib/modules/*/)")
preload="$repo/target/native/libdenyfs-preload.so"
for tool in modprobe lsmod rmmod; do
  kmod_tool=$(PATH=/usr/sbin:/sbin:/usr/bin:/bin command -v "$tool") || { echo "kmod's $tool is missing: apt-get install kmod"; exit 1; }
  eval "kmod_$tool=\$kmod_tool"
done
# one mount per side, each starting empty; the same path for both, so that the printed paths match
mm=$(mktemp -d /tmp/denyfs-kmod-script.XXXXXX)
cleanup() { if grep -q " $mm fuse.denyfs " /proc/mounts; then "$DENYFS" umount "$mm" >/dev/null 2>&1 || fusermount -u -z "$mm"; fi; rmdir "$mm"; }
trap cleanup EXIT
export DENYFS_MOUNT=$mm
# the script, as written for kmod: only what "modprobe", "lsmod" and "rmmod" are differs
script='
set -u
modprobe aesni_intel || echo "modprobe failed"
lsmod | awk "NR > 1 { print \$1, \$3, \$4 }"
modprobe aesni-intel && echo "second modprobe: ok"
modprobe --first-time aesni_intel; echo "first-time: $?"
rmmod cryptd; echo "rmmod used: $?"
modprobe -q no_such_module || echo "not found: $?"
modprobe -v -r aesni_intel
modprobe -r cryptd && echo "cryptd removed"
lsmod | wc -l
modprobe -n -v ghash-clmulni-intel
'
run_side() { # kmod|denyfs
  "$DENYFS" mount -o policy=idempotent,init_ms=0 "$tree" "$mm" >/dev/null
  if [ "$1" = kmod ]; then
    # Debian's kmod 30, unmodified: -C /dev/null keeps this machine's modprobe.d out, -d and -S name the mount's tree
    modprobe() { LD_PRELOAD=$preload "$kmod_modprobe" -C /dev/null -d "$mm" -S "$release" "$@"; }
    lsmod() { LD_PRELOAD=$preload "$kmod_lsmod" "$@"; }
    rmmod() { LD_PRELOAD=$preload "$kmod_rmmod" "$@"; }
  else
    modprobe() { "$DENYFS" modprobe "$@"; }
    lsmod() { "$DENYFS" lsmod "$@"; }
    rmmod() { "$DENYFS" rmmod "$@"; }
  fi
  export -f modprobe lsmod rmmod
  export kmod_modprobe kmod_lsmod kmod_rmmod preload mm release DENYFS
  bash -c "$script" 2>&1
  "$DENYFS" umount "$mm" >/dev/null
}
kmod_out=$(run_side kmod)
denyfs_out=$(run_side denyfs)
[ "$kmod_out" = "$denyfs_out" ] || { printf 'kmod:\n%s\ndenyfs:\n%s\n' "$kmod_out" "$denyfs_out"; diff <(printf '%s\n' "$kmod_out") <(printf '%s\n' "$denyfs_out"); exit 1; }
# and what both printed is what the script's author expected of kmod
ko="$mm/lib/modules/$release/kernel"
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
insmod $ko/crypto/cryptd.ko 
insmod $ko/arch/x86/crypto/ghash-clmulni-intel.ko "
diff <(printf '%s\n' "$expected") <(printf '%s\n' "$kmod_out")
