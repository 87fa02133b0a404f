# Sourced by the native-test/preload/*.sh tests (it is no test itself: run.sh runs */*.sh only).
# Builds libdenyfs-preload.so from the current sources into $TOOLS/preload and provides:
#   PRELOAD                  the library
#   in_mount MNT CMD...      runs CMD with the library preloaded and DENYFS_MOUNT=MNT. Every kmod
#                            tool of these tests runs through it, and only after this file has
#                            proved that the library takes effect: without it, modprobe and friends
#                            would call the real kernel.
#   fake_views DIR           makes DIR look like a mount's views, as plain files, without a daemon:
#                            fake_module DIR NAME REFCNT [HOLDER...] adds a LIVE module
#   module_mount [OPTS]      a real mount of a fresh backing directory holding three Debian modules
#                            (aesni-intel needs crypto_simd needs cryptd) and the tree's depmod
#                            indexes: sets RELEASE, MB (backing), MM (mount), KO (MM's module dir);
#                            unmounted and removed on exit. OPTS go to 'denyfs mount -o'.
#   kmodprobe ARGS...        modprobe -C /dev/null -d MM -S RELEASE ARGS..., through in_mount
#   lsmod_rows               lsmod's rows (no header) as "NAME USED_BY_COUNT HOLDERS", sorted
# The module tree comes from DENYFS_MODTREE (default /var/cache/denyfs/modtree), made by
# src/test/resources/module/prepare-debian-tree.sh.
set -eu
repo=$(cd "$(dirname "$DENYFS")/.." && pwd)
PRELOAD="$TOOLS/preload/libdenyfs-preload.so"
if [ ! -f "$PRELOAD" ] || [ -n "$(find "$repo/src/main/c/preload" "$repo/src/main/c/lib" "$repo/src/main/c/include" -newer "$PRELOAD" -print -quit)" ]; then
  make -s -C "$repo/src/main/c" OUT="$TOOLS/preload" "$PRELOAD" >&2
fi

in_mount() { # MNT CMD...
  local mnt=$1; shift
  env LD_PRELOAD="$PRELOAD" DENYFS_MOUNT="$mnt" "$@"
}

fake_views() { # DIR
  mkdir -p "$1/.denyfs/proc" "$1/.denyfs/sys/module"
  : > "$1/.denyfs/proc/modules"
}

fake_module() { # DIR NAME REFCNT [HOLDER...]: newest first in proc/modules, as the kernel lists
  local dir=$1 name=$2 refcnt=$3; shift 3
  local m="$dir/.denyfs/sys/module/$name" by="" h
  mkdir -p "$m/holders"
  echo live > "$m/initstate"; echo "$refcnt" > "$m/refcnt"; echo 16384 > "$m/coresize"
  for h in "$@"; do mkdir "$m/holders/$h"; by="$by$h,"; done
  { printf '%s 16384 %s %s Live 0x0000000000000000\n' "$name" "$refcnt" "${by:--}"; cat "$dir/.denyfs/proc/modules"; } > "$dir/.denyfs/proc/modules.new"
  mv "$dir/.denyfs/proc/modules.new" "$dir/.denyfs/proc/modules"
}

# The proof that the library is in effect: /proc/modules must come from a fake mount.
canary=$(mktemp -d /tmp/denyfs-preload-canary.XXXXXX)
fake_views "$canary"; fake_module "$canary" denyfs_canary 0
seen=$(in_mount "$canary" cat /proc/modules 2>/dev/null || true)
rm -rf --one-file-system "$canary"
case $seen in
  "denyfs_canary "*) ;;
  *) echo "libdenyfs-preload.so does not take effect ($seen): refusing to run kmod tools"; exit 1;;
esac

MODTREE=${DENYFS_MODTREE:-/var/cache/denyfs/modtree}
MB="" MM=""

unmount_modules() {
  if [ -n "$MM" ] && grep -q " $MM fuse.denyfs " /proc/mounts; then
    "$DENYFS" umount "$MM" >/dev/null 2>&1 || fusermount -u -z "$MM"
  fi
  if [ -n "$MM" ] && grep -q " $MM fuse.denyfs " /proc/mounts; then return; fi # still mounted: remove nothing
  [ -z "$MB" ] || rm -rf --one-file-system "$MB"
  [ -z "$MM" ] || rmdir "$MM" 2>/dev/null || true
}

module_mount() { # [OPTS]
  local tree
  tree=$(ls -d "$MODTREE"/root/lib/modules/*/ 2>/dev/null | head -n1)
  if [ -z "$tree" ]; then
    echo "no module tree in $MODTREE: run scripts/prepare-module-tree.sh $MODTREE"; exit 1
  fi
  RELEASE=$(basename "$tree")
  MB=$(mktemp -d /tmp/denyfs-preload-b.XXXXXX); MM=$(mktemp -d /tmp/denyfs-preload-m.XXXXXX)
  trap unmount_modules EXIT
  local dir="$MB/lib/modules/$RELEASE" f
  mkdir -p "$dir/kernel/crypto" "$dir/kernel/arch/x86/crypto"
  cp "$tree"/modules.* "$dir/"
  for f in kernel/crypto/cryptd.ko kernel/crypto/crypto_simd.ko kernel/arch/x86/crypto/aesni-intel.ko \
           kernel/arch/x86/crypto/ghash-clmulni-intel.ko; do
    cp "$tree/$f" "$dir/$f"
  done
  "$DENYFS" mount ${1:+-o "$1"} "$MB" "$MM"
  KO="$MM/lib/modules/$RELEASE/kernel"
  if [ ! -f "$MM/.denyfs/proc/modules" ]; then
    echo "the daemon has no module support ($MM/.denyfs/proc/modules is missing)"; exit 1
  fi
}

kmodprobe() {
  in_mount "$MM" modprobe -C /dev/null -d "$MM" -S "$RELEASE" "$@"
}

lsmod_rows() {
  in_mount "$MM" lsmod | awk 'NR > 1 { print $1, $3 ($4 == "" ? "" : " " $4) }' | LC_ALL=C sort
}

until_coming() { # NAME: returns once NAME is COMING (loading) in the emulated kernel
  until [ "$(cat "$MM/.denyfs/sys/module/$1/initstate" 2>/dev/null)" = coming ]; do :; done
}

race_insmod() { # N: N real insmod processes of cryptd.ko, the first COMING when the rest start;
  # prints the tally "ok=N File exists=N Text file busy=N other=N"
  local n=$1 i out ok=0 eexist=0 busy=0 other=0 f
  out=$(mktemp -d)
  in_mount "$MM" insmod "$KO/crypto/cryptd.ko" > "$out/0" 2>&1 &
  until_coming cryptd
  for i in $(seq 1 $((n - 1))); do in_mount "$MM" insmod "$KO/crypto/cryptd.ko" > "$out/$i" 2>&1 & done
  wait
  for f in "$out"/*; do
    case $(cat "$f") in
      "") ok=$((ok + 1));;
      "insmod: ERROR: could not insert module $KO/crypto/cryptd.ko: File exists") eexist=$((eexist + 1));;
      "insmod: ERROR: could not insert module $KO/crypto/cryptd.ko: Text file busy") busy=$((busy + 1));;
      *) other=$((other + 1)); cat "$f" >&2;;
    esac
  done
  rm -rf --one-file-system "$out"
  echo "ok=$ok File exists=$eexist Text file busy=$busy other=$other"
}

shared_dependency() { # two real modprobe probes that share cryptd; the second starts while the
  # first's cryptd is COMING; prints the second's exit status and its message
  local first
  kmodprobe aesni_intel > /dev/null 2>&1 & first=$!
  until_coming cryptd
  local status=0 err
  err=$(kmodprobe ghash_clmulni_intel 2>&1) || status=$?
  wait "$first" || { echo "the first probe failed"; return 1; }
  echo "$status $err"
}
