desc="fsverity enable through the mount; fsverity measure prints what fsverity digest computes of BACKING; writes then EPERM"
set -eu
f=verity-file
command -v fsverity >/dev/null || { echo "fsverity is missing (apt-get install -y fsverity)"; exit 1; }
head -c 70000 /dev/urandom > "$BACKING/$f"
want=$(fsverity digest --compact --hash-alg=sha512 --salt=0badcafe "$BACKING/$f")
fsverity enable --hash-alg=sha512 --salt=0badcafe "$MNT/$f"
got=$(fsverity measure "$MNT/$f")
[ "$got" = "sha512:$want $MNT/$f" ] || { echo "measure: $got, want sha512:$want"; exit 1; }
if err=$( { echo x >> "$MNT/$f"; } 2>&1 ); then echo "a write open of a verity file succeeded"; exit 1; fi
case $err in *"Operation not permitted"*) ;; *) echo "write: $err"; exit 1 ;; esac
if err=$(fsverity enable "$MNT/$f" 2>&1); then echo "a second enable succeeded"; exit 1; fi
case $err in *"File exists"*) ;; *) echo "second enable: $err"; exit 1 ;; esac
