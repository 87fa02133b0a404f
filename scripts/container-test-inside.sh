# Run by scripts/container-test inside the denyfs image (bash -s, as root, with /dev/fuse and
# CAP_SYS_ADMIN). Prints "inside: ..." lines the host checks; exits non-zero at the first failure.
set -euo pipefail
say() { printf 'inside: %s\n' "$*"; }
fail() { printf 'inside: FAILED: %s\n' "$*"; exit 1; }
await() { # DESCRIPTION COMMAND...: until COMMAND succeeds, for at most 60 s
  local what=$1 deadline=$((SECONDS + 60)); shift
  until "$@"; do [ "$SECONDS" -lt "$deadline" ] || fail "timed out waiting for $what"; done
}
count_is() { [ "$(denyfs ctl query "$2")" = "ok $1" ]; }

say "$(denyfs hold --version), $(java -version 2>&1 | head -1), $(fusermount -V)"
mkdir -p /srv/files /mnt/denyfs
cp /bin/sleep /srv/files/prog
ln /srv/files/prog /srv/files/link
denyfs mount /srv/files /mnt/denyfs
trap 'denyfs umount /mnt/denyfs 2>/dev/null || true' EXIT
grep -q ' /mnt/denyfs fuse.denyfs ' /proc/mounts || fail "no fuse.denyfs mount in /proc/mounts"
say "mounted: $(grep ' /mnt/denyfs ' /proc/mounts)"

# a running program denies writes through every hard link, from a plain shell
/mnt/denyfs/prog 600 & prog=$!
await "the exec deny" count_is -1 /mnt/denyfs/link
if (echo x > /mnt/denyfs/link) 2>/tmp/err; then fail "a write through the hard link of a running program succeeded"; fi
say "ETXTBSY through a hard link: $(cat /tmp/err)"
kill "$prog"; wait "$prog" 2>/dev/null || true
await "the exec's release" count_is 0 /mnt/denyfs/link

# denyfs hold, and ctl's JSON (checked by the host, which has jq)
out=$(denyfs hold /mnt/denyfs/link -c '{ echo x >> /mnt/denyfs/prog; } 2>&1 || true; denyfs ctl --json holders /mnt/denyfs/prog')
printf '%s\n' "$out" | grep -q 'Text file busy$' || fail "a writer was not refused under denyfs hold: $out"
say "hold refused a writer: $(printf '%s\n' "$out" | head -1)"
say "holders json: $(printf '%s\n' "$out" | tail -1)"
say "status json: $(denyfs ctl --json status /mnt/denyfs)"
denyfs umount /mnt/denyfs
trap - EXIT

# a small herd on the generated tree (built into the image): all eleven modules by modalias
denyfs bench herd --generated-tree --workers 8 --denyfs denyfs --out /tmp/herd \
  --modalias 'cpu:type:x86,ven0000fam0006mod0000:feature:,0081,0089,0094,0099' >/tmp/herd.out 2>/tmp/herd.err \
  || { cat /tmp/herd.err /tmp/herd.out; fail "denyfs bench herd exited with $?"; }
cat /tmp/herd.out
# the figure of one policy: its column, counted from the end of the row
figure() { # ROW POLICY
  awk -v row="$1" -v policy="$2" '
    !cols && / plain / && / idempotent/ { n = NF; for (i = 1; i <= NF; i++) col[$i] = i; cols = 1; next }
    cols && index($0, row) == 1 { print $(NF - n + col[policy]); exit }' /tmp/herd.out
}
loaded=$(figure "Modules loaded" idempotent) failed=$(figure "Workers failed" idempotent)
[ "$loaded" = 11 ] && [ "$failed" = 0 ] || fail "idempotent: $loaded modules loaded, $failed workers failed"
say "herd ok: idempotent loaded $loaded modules, $failed workers failed"
if grep ' fuse\.' /proc/mounts; then fail "a FUSE mount is left"; fi
say "unmounted, nothing left in /proc/mounts"
