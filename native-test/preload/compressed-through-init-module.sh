desc="insmod of .ko.xz and .ko.zst on a mount: kmod decompresses and init_module sends the image to the daemon, which loads it"
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"
module_mount
xz -k "$MB/lib/modules/$RELEASE/kernel/crypto/cryptd.ko"
zstd -q -k "$MB/lib/modules/$RELEASE/kernel/crypto/cryptd.ko"
for ext in xz zst; do
  in_mount "$MM" insmod "$KO/crypto/cryptd.ko.$ext" cryptd_max_cpu_qlen=100
  [ "$(lsmod_rows)" = "cryptd 0" ] || { echo "after insmod cryptd.ko.$ext:"; lsmod_rows; exit 1; }
  set +e; err=$(in_mount "$MM" insmod "$KO/crypto/cryptd.ko.$ext" 2>&1); set -e
  [ "$err" = "insmod: ERROR: could not insert module $KO/crypto/cryptd.ko.$ext: File exists" ] || { echo "second insmod said: $err"; exit 1; }
  in_mount "$MM" rmmod cryptd
  [ -z "$(lsmod_rows)" ]
done
