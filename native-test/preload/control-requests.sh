desc="init_module sends 'init LEN PARAMS' and the image bytes, delete_module 'delete NAME FLAGS' (O_NONBLOCK, plus O_TRUNC with -f); compressed modules go through init_module"
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"
work=$(mktemp -d); trap 'rm -rf --one-file-system "$work"' EXIT
f="$work/fake"; fake_views "$f"; fake_module "$f" cryptd 0
tree=$(ls -d "${DENYFS_MODTREE:-/var/cache/denyfs/modtree}"/root/lib/modules/*/ | head -n1)
cp "$tree/kernel/crypto/cryptd.ko" "$work/"
xz -k "$work/cryptd.ko"; zstd -q -k "$work/cryptd.ko"
len=$(stat -c %s "$work/cryptd.ko")
mkdir "$work/log"
in_mount "$f" "$TOOLS/fakectl" "$work/log" "ok 0" "ok 0" "ok 0" "ok 0" "ok 0" -- sh -c "
  insmod $work/cryptd.ko.xz cryptd_max_cpu_qlen=100 &&
  insmod $work/cryptd.ko.zst &&
  rmmod cryptd && rmmod -f cryptd &&
  $TOOLS/modcall init $work/cryptd.ko 'a=1 b=\"x y\"'"
expected="init $len cryptd_max_cpu_qlen=100
init $len
delete cryptd 2048
delete cryptd 2560
init $len a=1 b=\"x y\""
[ "$(cat "$work/log/requests")" = "$expected" ] || { printf 'requests:\n%s\nexpected:\n%s\n' "$(cat "$work/log/requests")" "$expected"; exit 1; }
# the daemon gets the decompressed image, byte for byte
for n in 1 2 3; do cmp "$work/log/image.$n" "$work/cryptd.ko"; done
# params that the line protocol cannot carry are refused before anything is sent
: > "$work/log/requests"
[ "$(in_mount "$f" "$TOOLS/fakectl" "$work/log" -- "$TOOLS/modcall" init "$work/cryptd.ko" "$(printf 'a=1\nb=2')" || true)" = EINVAL ]
[ "$(in_mount "$f" "$TOOLS/fakectl" "$work/log" -- "$TOOLS/modcall" init "$work/cryptd.ko" - || true)" = E2BIG ]
[ ! -s "$work/log/requests" ]
