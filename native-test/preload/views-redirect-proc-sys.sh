desc="/proc/modules, /sys/module/NAME/{initstate,refcnt,coresize,holders} and /proc/cmdline are read from the mount's views by lsmod, rmmod and coreutils"
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"
work=$(mktemp -d); trap 'rm -rf --one-file-system "$work"' EXIT
f="$work/fake"
fake_views "$f"
fake_module "$f" cryptd 1
fake_module "$f" crypto_simd 1
fake_module "$f" aesni_intel 0
mkdir "$f/.denyfs/sys/module/cryptd/holders/crypto_simd" "$f/.denyfs/sys/module/crypto_simd/holders/aesni_intel"
out=$(in_mount "$f" lsmod)
expected="Module                  Size  Used by
aesni_intel            16384  0
crypto_simd            16384  1 aesni_intel
cryptd                 16384  1 crypto_simd"
[ "$out" = "$expected" ] || { printf 'lsmod:\n%s\n' "$out"; exit 1; }
set +e; err=$(in_mount "$f" rmmod crypto_simd 2>&1); set -e
[ "$err" = "rmmod: ERROR: Module crypto_simd is in use by: aesni_intel" ] || { echo "rmmod said: $err"; exit 1; }
# refcnt without holders: lsmod's Used by count and rmmod's "in use" come from refcnt alone
echo 2 > "$f/.denyfs/sys/module/aesni_intel/refcnt"
in_mount "$f" lsmod | grep -q '^aesni_intel  *16384  2$'
set +e; err=$(in_mount "$f" rmmod aesni_intel 2>&1); set -e
[ "$err" = "rmmod: ERROR: Module aesni_intel is in use" ] || { echo "rmmod said: $err"; exit 1; }
# coming and going modules: modprobe -r and rmmod read initstate
echo going > "$f/.denyfs/sys/module/aesni_intel/initstate"
[ "$(in_mount "$f" cat /sys/module/aesni_intel/initstate)" = going ]
# the whole family: open (cat), stat, opendir (ls), fopen (grep), access (test -r)
[ "$(in_mount "$f" cat /proc/modules)" = "$(cat "$f/.denyfs/proc/modules")" ]
[ "$(in_mount "$f" stat -c %F /sys/module/cryptd)" = directory ]
[ "$(in_mount "$f" env LC_ALL=C ls /sys/module)" = "$(printf 'aesni_intel\ncryptd\ncrypto_simd')" ]
[ "$(in_mount "$f" ls /sys/module/cryptd/holders)" = crypto_simd ]
in_mount "$f" sh -c 'test -r /sys/module/cryptd/coresize'
! in_mount "$f" sh -c 'test -e /sys/module/nosuch'
# the host's kernel command line adds no module options
[ -z "$(in_mount "$f" cat /proc/cmdline)" ]
# other paths, relative paths and unset DENYFS_MOUNT are left alone
[ "$(in_mount "$f" cat /proc/self/comm)" = cat ]
[ "$(in_mount "" cat /proc/cmdline)" = "$(cat /proc/cmdline)" ]
