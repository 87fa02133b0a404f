desc="insmod of a loaded module fails with kmod's 'File exists'"
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"
module_mount
in_mount "$MM" insmod "$KO/crypto/cryptd.ko"
set +e; err=$(in_mount "$MM" insmod "$KO/crypto/cryptd.ko" 2>&1); status=$?; set -e
[ "$status" = 1 ] || { echo "status $status: $err"; exit 1; }
[ "$err" = "insmod: ERROR: could not insert module $KO/crypto/cryptd.ko: File exists" ] || { echo "insmod said: $err"; exit 1; }
