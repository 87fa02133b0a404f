desc="policy=exclusive-read: a real insmod while another reader holds the file exclusively prints 'Text file busy'; one that starts after the first load's read reads again and prints 'File exists'"
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"
module_mount "policy=exclusive-read,init_ms=1500"
# another exclusive reader of cryptd.ko (as a concurrent finit's kernel_read_file holds it): denyfs hold -x
set +e
err=$("$DENYFS" hold -x "$KO/crypto/cryptd.ko" -- env LD_PRELOAD="$PRELOAD" DENYFS_MOUNT="$MM" insmod "$KO/crypto/cryptd.ko" 2>&1)
status=$?
set -e
[ "$status" = 1 ] && [ "$err" = "insmod: ERROR: could not insert module $KO/crypto/cryptd.ko: Text file busy" ] \
  || { echo "status $status: $err"; exit 1; }
grep -q '^ *Virtual mem wasted bytes	0$' "$MM/.denyfs/stats" || { cat "$MM/.denyfs/stats"; exit 1; }
# the second of two loads starts once the first is COMING: its read is over, nothing is held
tally=$(race_insmod 2)
[ "$tally" = "ok=1 File exists=1 Text file busy=0 other=0" ] || { echo "$tally"; exit 1; }
grep -q '^ *Mods failed on becoming	1$' "$MM/.denyfs/stats" || { cat "$MM/.denyfs/stats"; exit 1; }
