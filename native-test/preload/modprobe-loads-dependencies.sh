desc="modprobe through the preload library loads aesni_intel after crypto_simd and cryptd; lsmod shows them with Used by"
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"
module_mount
kmodprobe aesni_intel
rows=$(lsmod_rows)
expected="aesni_intel 0
cryptd 1 crypto_simd
crypto_simd 1 aesni_intel"
[ "$rows" = "$expected" ] || { printf 'lsmod rows:\n%s\nexpected:\n%s\n' "$rows" "$expected"; exit 1; }
# the views behind it, as the kernel's own files read
[ "$(cat "$MM/.denyfs/sys/module/cryptd/initstate")" = live ]
[ "$(cat "$MM/.denyfs/sys/module/cryptd/refcnt")" = 1 ]
[ "$(ls "$MM/.denyfs/sys/module/cryptd/holders")" = crypto_simd ]
# a second modprobe of a loaded module is a quiet success, as on a real kernel
kmodprobe aesni_intel
[ "$(lsmod_rows)" = "$expected" ]
