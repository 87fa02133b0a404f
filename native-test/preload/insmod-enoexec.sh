desc="insmod of a file that is no module fails with kmod's 'Invalid module format'"
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"
module_mount
printf 'this is not an ELF object\n' > "$MB/lib/modules/$RELEASE/kernel/crypto/bogus.ko"
set +e; err=$(in_mount "$MM" insmod "$KO/crypto/bogus.ko" 2>&1); status=$?; set -e
[ "$status" = 1 ] || { echo "status $status: $err"; exit 1; }
[ "$err" = "insmod: ERROR: could not insert module $KO/crypto/bogus.ko: Invalid module format" ] || { echo "insmod said: $err"; exit 1; }
[ -z "$(lsmod_rows)" ]
