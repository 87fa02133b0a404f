desc="modprobe -r unloads aesni_intel and, in one pass over its dependencies, each whose refcount is 0 when it is looked at, as kmod 30 does (cryptd, still used by crypto_simd then, stays); rmmod goes top down"
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"
module_mount
kmodprobe aesni_intel
# kmod 30 removes aesni_intel, then walks its dependencies in the order [cryptd, crypto_simd] and
# removes those whose refcnt is 0 at that moment: cryptd is still used by crypto_simd when it is
# looked at, so it stays (with refcnt 0 now), exactly as on a real kernel
out=$(kmodprobe -v -r aesni_intel 2>&1)
[ "$out" = "rmmod aesni_intel
rmmod crypto_simd" ] || { printf 'modprobe -r -v said:\n%s\n' "$out"; exit 1; }
[ "$(lsmod_rows)" = "cryptd 0" ] || { echo "after modprobe -r aesni_intel:"; lsmod_rows; exit 1; }
kmodprobe -r cryptd
rows=$(lsmod_rows)
[ -z "$rows" ] || { printf 'still loaded:\n%s\n' "$rows"; exit 1; }
[ ! -s "$MM/.denyfs/proc/modules" ]
[ ! -e "$MM/.denyfs/sys/module/cryptd" ]
# modprobe -r of the whole chain at once, in one call
kmodprobe aesni_intel
kmodprobe -r -a aesni_intel crypto_simd cryptd
[ -z "$(lsmod_rows)" ] || { echo "after modprobe -r -a:"; lsmod_rows; exit 1; }
# rmmod one at a time, top down
kmodprobe aesni_intel
in_mount "$MM" rmmod aesni_intel
[ "$(lsmod_rows)" = "cryptd 1 crypto_simd
crypto_simd 0" ] || { echo "after rmmod aesni_intel:"; lsmod_rows; exit 1; }
in_mount "$MM" rmmod crypto_simd cryptd
[ -z "$(lsmod_rows)" ]
set +e; err=$(in_mount "$MM" rmmod aesni_intel 2>&1); set -e
[ "$err" = "rmmod: ERROR: Module aesni_intel is not currently loaded" ] || { echo "second rmmod said: $err"; exit 1; }
