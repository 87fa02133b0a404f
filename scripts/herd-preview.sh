#!/bin/bash
# herd-preview.sh [N]: a first look at issue 7 (not the benchmark): N real kmod modprobe workers of this
# machine's CPU modalias through the preload library, per policy, on the cached Debian tree; prints
# failures, wasted bytes, peak bytes in flight and the errors user space saw.
N=${1:-32}; cd "$(dirname "$0")/.."; R=${DENYFS_MODTREE:-/var/cache/denyfs/modtree}/root; REL=$(basename "$(ls -d "$R"/lib/modules/*/ | head -n1)")
ALIAS=$(cat /sys/devices/system/cpu/modalias)
for p in plain exclusive idempotent; do
  M=$(mktemp -d); scripts/denyfs mount -o policy=$p $R $M || exit 1
  out=$(mktemp -d); start=$(date +%s.%N)
  for i in $(seq $N); do
    env LD_PRELOAD=$PWD/target/native/libdenyfs-preload.so DENYFS_MOUNT=$M modprobe -C /dev/null -d $M -S $REL -a "$ALIAS" > $out/$i 2>&1 &
  done
  fails=0; for j in $(jobs -p); do wait $j || fails=$((fails+1)); done
  end=$(date +%s.%N)
  loaded=$(wc -l < $M/.denyfs/proc/modules)
  wasted=$(grep "Virtual mem wasted" $M/.denyfs/stats | awk -F'\t' '{print $2}')
  peak=$(grep "Peak bytes in flight" $M/.denyfs/stats | awk -F'\t' '{print $2}')
  msgs=$(cat $out/* | sed 's/.*: //' | sort | uniq -c | tr '\n' ';')
  printf '%-10s workers=%d failed=%d loaded=%d wasted=%s peak_in_flight=%s wall=%.1fs errors=%s\n' $p $N $fails $loaded "$wasted" "$peak" $(echo "$end - $start" | bc) "$msgs"
  scripts/denyfs umount $M; rm -rf $out; rmdir $M
done
