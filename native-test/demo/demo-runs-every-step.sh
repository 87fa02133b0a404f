desc="denyfs demo runs every step it promises (ETXTBSY through a hard link, an exclusive deny, a finit race per policy) and leaves no mount behind"
set -eu
out=$("$DENYFS" demo 2>&1) || { echo "$out"; exit 1; }
for want in "== 1. A temporary denyfs mount" "== 2. A running program denies writes" "-> Text file busy" \
            "== 3. An exclusive deny" "-> ok -1" "err ETXTBSY exclusive_deny_write_access" \
            "== 4. A finit_module race under each policy" "Virtual mem wasted bytes" "== 5. A clean unmount" \
            "denyfs demo: done"; do
  case $out in *"$want"*) ;; *) printf 'demo output lacks "%s":\n%s\n' "$want" "$out"; exit 1;; esac
done
! grep -q "/tmp/denyfs-demo-" /proc/mounts
