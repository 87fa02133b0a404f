desc="insmod of a module whose dependency is not loaded fails with kmod's 'Unknown symbol in module'"
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"
module_mount
set +e; err=$(in_mount "$MM" insmod "$KO/crypto/crypto_simd.ko" 2>&1); status=$?; set -e
[ "$status" = 1 ] || { echo "status $status: $err"; exit 1; }
[ "$err" = "insmod: ERROR: could not insert module $KO/crypto/crypto_simd.ko: Unknown symbol in module" ] || { echo "insmod said: $err"; exit 1; }
in_mount "$MM" insmod "$KO/crypto/cryptd.ko"
in_mount "$MM" insmod "$KO/crypto/crypto_simd.ko"
[ "$(lsmod_rows)" = "cryptd 1 crypto_simd
crypto_simd 0" ] || { echo "after loading both:"; lsmod_rows; exit 1; }
