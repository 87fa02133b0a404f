#!/usr/bin/env bash
# Runs every native-test/<syscall>/<rule>.sh against a fresh mount made by scripts/denyfs, as real
# processes. Each script gets MNT, BACKING, DENYFS (the launcher) and TOOLS (compiled C helpers) and
# passes by exiting 0. Prints one line per script and "N passed, M failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
export DENYFS="$repo/scripts/denyfs"
work=$(mktemp -d /tmp/denyfs-native-XXXXXX)
chmod 0755 "$work"   # other users reach the mount in the non-root tests
export BACKING="$work/backing" MNT="$work/mnt" TOOLS="$work/tools"
mkdir -p "$BACKING" "$MNT" "$TOOLS"

cleanup() {
  if grep -q " $MNT fuse.denyfs " /proc/mounts; then "$DENYFS" umount "$MNT" || fusermount -u -z "$MNT"; fi
  # never remove a tree that may still hold a live mount
  if grep -q " $MNT fuse.denyfs " /proc/mounts; then echo "$MNT is still mounted: $work left in place" >&2
  else rm -rf --one-file-system "$work"; fi
}
trap cleanup EXIT INT TERM

for src in "$here"/src/*.c; do
  gcc -O2 -Wall -Wextra -I"$repo/src/main/c/include" -o "$TOOLS/$(basename "$src" .c)" "$src" "$repo/src/main/c/lib/denyfs.c" || { echo "gcc $src failed"; exit 1; }
done
# cache=exact: each script sets up its files in BACKING directly, and the one before may have used the
# same names (they are removed behind the mount's back between scripts), so nothing may be cached.
"$DENYFS" mount -o cache=exact "$BACKING" "$MNT" || { echo "mount failed"; exit 1; }

passed=0 failed=0
for t in "$here"/*/*.sh; do
  name=${t#"$here"/}
  desc=$(sed -n 's/^desc="\(.*\)".*/\1/p' "$t")
  rm -rf --one-file-system "${BACKING:?}"/* 2>/dev/null
  if out=$(cd "$MNT" && bash "$t" 2>&1); then
    passed=$((passed + 1)); printf 'ok      %s  %s\n' "$name" "$desc"
  else
    failed=$((failed + 1)); printf 'FAILED  %s  %s\n%s\n' "$name" "$desc" "$(printf '%s\n' "$out" | sed 's/^/        /')"
  fi
done
echo "native-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
