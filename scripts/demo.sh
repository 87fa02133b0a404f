#!/usr/bin/env bash
# 'denyfs demo': what denyfs does, in a few minutes, on a temporary mount over a tree it makes itself.
# Each step says what it shows, runs real processes and checks what it claims (exit 1 if a claim is
# false); everything is unmounted and removed at the end, also on Ctrl-C.
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
denyfs=$repo/scripts/denyfs
work=$(mktemp -d /tmp/denyfs-demo-XXXXXX)
B=$work/backing M=$work/mnt
prog_pid=
cleanup() {
  set +e
  [ -z "$prog_pid" ] || kill "$prog_pid" 2>/dev/null
  exec 3>&- 2>/dev/null
  if awk -v m="$M" '$2 == m { f = 1 } END { exit !f }' /proc/mounts; then "$denyfs" umount "$M" || fusermount -u -z "$M"; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n== %s\n' "$*"; }
say() { printf '   %s\n' "$*"; }
run() { printf '   $ %s\n' "$*"; }
fail() { printf 'denyfs demo: FAILED: %s\n' "$*" >&2; exit 1; }
count() { "$denyfs" ctl query "$1" | sed 's/^ok //'; }
wait_count() { # FILE N: the daemon's count reaches N (a release is asynchronous), within 10 s
  local i
  for i in $(seq 500); do [ "$(count "$1")" = "$2" ] && return 0; sleep 0.02; done
  fail "$1: count $(count "$1"), expected $2"
}

step "1. A temporary denyfs mount over a small tree"
mkdir -p "$B" "$M"
cp "$(command -v sleep)" "$B/prog"; ln "$B/prog" "$B/link"; echo "first line" > "$B/notes.txt"
say "BACKING $B: prog (a copy of sleep), link (a hard link to prog), notes.txt"
run "denyfs mount $B $M"
"$denyfs" mount "$B" "$M"
say "$(awk -v m="$M" '$2 == m { print "/proc/mounts: " $1 " " $2 " " $3 }' /proc/mounts)"

step "2. A running program denies writes to its file, through every hard link (ETXTBSY)"
run "$M/prog 60 &"
"$M/prog" 60 & prog_pid=$!
wait_count "$M/prog" -1
say "the daemon counts one denier on the inode: 'denyfs ctl query $M/link' says $("$denyfs" ctl query "$M/link")"
run "echo x > $M/link"
if msg=$( (echo x > "$M/link") 2>&1); then fail "writing a running program through its hard link succeeded"; fi
say "-> ${msg##*: }   (the kernel alone would allow this: the link is another FUSE inode)"
kill "$prog_pid"; wait "$prog_pid" 2>/dev/null || true; prog_pid=
wait_count "$M/prog" 0
say "the program exited: the count is back to 0, and writing works again"
echo x > "$M/link" || fail "write after the program exited"

step "3. An exclusive deny, held from the shell and dropped"
run "exec 3<>$M/.denyfs/control; echo 'xdeny notes.txt' >&3; read -r reply <&3"
exec 3<>"$M/.denyfs/control"
echo "xdeny notes.txt" >&3; read -r reply <&3
say "-> $reply   (exclusive_deny_write_access: 0 -> -1, granted only on an idle inode)"
[ "$reply" = "ok -1" ] || fail "xdeny: $reply"
run "echo more >> $M/notes.txt"
if msg=$( (echo more >> "$M/notes.txt") 2>&1); then fail "a write got past the deny"; fi
say "-> ${msg##*: }"
run "denyfs ctl xdeny $M/notes.txt      # a second exclusive deny, from another handle"
if "$denyfs" ctl xdeny "$M/notes.txt" > "$work/reply" 2>/dev/null; then fail "a second exclusive deny was granted"; fi
say "-> $(cat "$work/reply")   (exclusive means: refused while anybody else denies, too)"
say "holders: $("$denyfs" ctl holders "$M/notes.txt" | tail -n +2 | awk '{print $1, "pid=" $2}' | paste -sd' ')"
run "exec 3>&-     # closing the handle drops every deny it holds"
exec 3>&-
wait_count "$M/notes.txt" 0
echo more >> "$M/notes.txt" || fail "write after the deny was dropped"
say "-> the count is 0 and the write succeeds"

step "4. A finit_module race under each policy (udev's herd: 16 processes load one module set at once)"
say "on a module tree built here with gcc and ld in the shape of Debian's CPU crypto modules"
say "(denyfs bench herd --generated-tree); each policy gets a fresh mount with -o policy=POLICY"
run "denyfs bench herd --generated-tree --workers 16 --init-ms 400 --out $work/herd"
# (from the checkout, whatever the current directory: the benchmark finds its tools there)
if ! (cd "$repo" && "$denyfs" bench herd --generated-tree --workers 16 --init-ms 400 --out "$work/herd" \
        --denyfs "$denyfs") > "$work/herd.out" 2> "$work/herd.err"; then
  cat "$work/herd.err" >&2; fail "bench herd"
fi
grep -E '^ *(plain|Virtual mem wasted bytes|finit_module calls|  EEXIST|  ETXTBSY|Workers failed)' "$work/herd.out" \
  | sed 's/^/   /'
csv=$work/herd/herd.csv
col() { awk -F, -v p="$1" -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } $1 == p { print $h[c] }' "$csv"; }
say "plain:      every process reads the whole module into memory; all but one wait in the duplicate"
say "            check and get EEXIST: $(col plain wasted_bytes) bytes read for nothing"
say "exclusive:  the seed commit's exclusive deny: the others get ETXTBSY at once ($(col exclusive finit_etxtbsy)"
say "            calls), read nothing, and $(col exclusive failed_workers) of 16 probes fail (why it was reverted)"
say "idempotent: v6.5: the others wait for the first load and share its result: $(col idempotent wasted_bytes) bytes"
say "            wasted, $(col idempotent failed_workers) probes failed (a process that looks only after a load has"
say "            finished runs a load of its own and meets EEXIST: a serial duplicate, in every policy)"
# what idempotent guarantees whatever the timing: nobody refused, nobody failed; its waste is serial duplicates only
[ "$(col idempotent failed_workers)" = 0 ] && [ "$(col idempotent finit_etxtbsy)" = 0 ] || fail "idempotent failed a probe"
[ "$(col plain wasted_bytes)" -gt 0 ] || fail "plain wasted nothing"
[ "$(col exclusive failed_workers)" != 0 ] || fail "exclusive failed no worker"

step "5. A clean unmount"
run "denyfs umount $M"
"$denyfs" umount "$M"
if awk -v m="$M" '$2 == m { f = 1 } END { exit !f }' /proc/mounts; then fail "$M is still mounted"; fi
say "the daemon has exited and $M is a plain directory again; the demo removes $work"
printf '\ndenyfs demo: done\n'
