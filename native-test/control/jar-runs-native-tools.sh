desc="java -jar denyfs.jar hold and ctl run the native tools with their arguments untouched (--, -c, --help)"
set -eu
f=jar-tools   # a name of its own: no earlier test left it in the kernel's caches
jar=${DENYFS%/scripts/denyfs}/target/denyfs.jar
: > "$BACKING/$f"
set +e; java -jar "$jar" hold -x "$MNT/$f" -- sh -c '[ "$1" = -c ] && exit 3' sh -c; status=$?; set -e
[ "$status" = 3 ] || { echo "hold --: status $status"; exit 1; }
set +e; java -jar "$jar" hold "$MNT/$f" -c 'exit 4'; status=$?; set -e
[ "$status" = 4 ] || { echo "hold -c: status $status"; exit 1; }
[ "$(java -jar "$jar" hold --help | head -1)" = "Usage: denyfs hold [OPTIONS] FILE [--] COMMAND [ARGUMENTS...]" ]
[ "$(java -jar "$jar" ctl --json query "$MNT/$f")" = "{\"mount\":\"$MNT\",\"path\":\"/$f\",\"count\":0}" ]
