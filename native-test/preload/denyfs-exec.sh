desc="denyfs exec runs unmodified modprobe, lsmod and rmmod against a mount, with the library the build made"
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"
module_mount
"$DENYFS" exec --mount "$MM" -- modprobe -C /dev/null -d "$MM" -S "$RELEASE" aesni_intel
rows=$(DENYFS_MOUNT="$MM" "$DENYFS" exec -- lsmod | awk 'NR > 1 { print $1, $3 }' | LC_ALL=C sort)
[ "$rows" = "aesni_intel 0
cryptd 1
crypto_simd 1" ] || { printf 'lsmod rows:\n%s\n' "$rows"; exit 1; }
set +e
err=$("$DENYFS" exec --mount "$MM" -- rmmod cryptd 2>&1); status=$?
set -e
[ "$status" = 1 ] && [ "$err" = "rmmod: ERROR: Module cryptd is in use by: crypto_simd" ] || { echo "$status: $err"; exit 1; }
set +e
err=$("$DENYFS" exec --mount /nonexistent -- true 2>&1); status=$?
set -e
[ "$status" = 1 ] && [ "$err" = "denyfs exec: /nonexistent: not a denyfs mount" ] || { echo "$status: $err"; exit 1; }
