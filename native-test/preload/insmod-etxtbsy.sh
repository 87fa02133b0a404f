desc="insmod of a module file open for writing fails with kmod's 'Text file busy' (finit_module's deny_write_access on kmod's own fd)"
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"
module_mount
exec 3>>"$KO/crypto/cryptd.ko"
set +e; err=$(in_mount "$MM" insmod "$KO/crypto/cryptd.ko" 2>&1); status=$?; set -e
[ "$status" = 1 ] || { echo "status $status: $err"; exit 1; }
[ "$err" = "insmod: ERROR: could not insert module $KO/crypto/cryptd.ko: Text file busy" ] || { echo "insmod said: $err"; exit 1; }
exec 3>&-
in_mount "$MM" insmod "$KO/crypto/cryptd.ko"   # the writer is gone
lsmod_rows | grep -qx "cryptd 0"
