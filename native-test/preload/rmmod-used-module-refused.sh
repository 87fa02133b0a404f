desc="rmmod of a module another one uses fails with kmod's 'Module cryptd is in use by: crypto_simd' and leaves it loaded"
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"
module_mount
kmodprobe aesni_intel
set +e; err=$(in_mount "$MM" rmmod cryptd 2>&1); status=$?; set -e
[ "$status" = 1 ] || { echo "rmmod status $status: $err"; exit 1; }
[ "$err" = "rmmod: ERROR: Module cryptd is in use by: crypto_simd" ] || { echo "rmmod said: $err"; exit 1; }
lsmod_rows | grep -qx "cryptd 1 crypto_simd" || { echo "cryptd is gone:"; lsmod_rows; exit 1; }
# forcing skips kmod's own check; the emulated kernel still refuses: delete_module gives EWOULDBLOCK
set +e; err=$(in_mount "$MM" rmmod -f cryptd 2>&1); status=$?; set -e
[ "$status" = 1 ] || { echo "rmmod -f status $status: $err"; exit 1; }
case $err in *"could not remove module cryptd: Resource temporarily unavailable"*) ;; *) echo "rmmod -f said: $err"; exit 1;; esac
lsmod_rows | grep -qx "cryptd 1 crypto_simd"
