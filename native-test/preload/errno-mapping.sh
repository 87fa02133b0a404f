desc="'err ERRNO' replies become errno: kmod prints its own text for EEXIST, ETXTBSY, ENOENT, ENOEXEC; EWOULDBLOCK is EAGAIN; unknown names are EIO"
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"
work=$(mktemp -d); trap 'rm -rf --one-file-system "$work"' EXIT
f="$work/fake"; fake_views "$f"; fake_module "$f" cryptd 0
tree=$(ls -d "${DENYFS_MODTREE:-/var/cache/denyfs/modtree}"/root/lib/modules/*/ | head -n1)
cp "$tree/kernel/crypto/cryptd.ko" "$work/"; xz "$work/cryptd.ko"
mkdir "$work/log"
insmod_says() { # REPLY EXPECTED-TEXT
  local err
  set +e; err=$(in_mount "$f" "$TOOLS/fakectl" "$work/log" "$1" -- insmod "$work/cryptd.ko.xz" 2>&1); set -e
  [ "$err" = "insmod: ERROR: could not insert module $work/cryptd.ko.xz: $2" ] || { echo "reply '$1': insmod said: $err"; exit 1; }
}
insmod_says "err EEXIST cryptd is already loaded" "File exists"
insmod_says "err ETXTBSY deny_write_access: 1 writer" "Text file busy"
insmod_says "err ENOENT cryptd: Unknown symbol crypto_alloc_base" "Unknown symbol in module"
insmod_says "err ENOEXEC Invalid ELF header magic" "Invalid module format"
insmod_says "err EINVAL bad parameter" "Invalid parameters"
insmod_says "err EKEYREJECTED signature" "Key was rejected by service"
insmod_says "err EFOOBAR what" "Input/output error"
insmod_says "garbage" "Input/output error"
set +e; err=$(in_mount "$f" "$TOOLS/fakectl" "$work/log" "err EWOULDBLOCK delete_module: cryptd has refcount 1" -- rmmod cryptd 2>&1); set -e
case $err in *"could not remove module cryptd: Resource temporarily unavailable") ;; *) echo "rmmod said: $err"; exit 1;; esac
[ "$(in_mount "$f" "$TOOLS/fakectl" "$work/log" "err EBUSY x" -- "$TOOLS/modcall" delete cryptd 2048 || true)" = EBUSY ]
[ "$(in_mount "$f" "$TOOLS/fakectl" "$work/log" "ok 0" -- "$TOOLS/modcall" delete-syscall cryptd 2048)" = ok ]
# a name no module can have is not sent
: > "$work/log/requests"
[ "$(in_mount "$f" "$TOOLS/fakectl" "$work/log" -- "$TOOLS/modcall" delete "a b" 0 || true)" = ENOENT ]
[ ! -s "$work/log/requests" ]
