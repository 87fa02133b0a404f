desc="the syscall() wrapper hands every number but the three module calls to the real syscall()"
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"
[ "$(in_mount "$MNT" "$TOOLS/modcall" getpid)" = ok ]
[ "$(in_mount "" "$TOOLS/modcall" getpid)" = ok ]
# libcrypto (linked into kmod) goes through syscall() too: modinfo verifies nothing but runs it
in_mount "$MNT" modinfo -F vermagic /dev/null >/dev/null 2>&1 || true
in_mount "$MNT" kmod --version | grep -q "kmod version"
