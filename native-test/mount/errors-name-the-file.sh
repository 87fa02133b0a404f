desc="denyfs mount names the missing directory and the errno, and refuses unknown options"
set -eu
set +e
out=$("$DENYFS" mount /nonexistent-backing "$MNT" 2>&1); s1=$?
out2=$("$DENYFS" mount -o frobnicate "$BACKING" "$MNT" 2>&1); s2=$?
set -e
[ "$s1" = 1 ] && [ "$out" = "denyfs mount: backing directory /nonexistent-backing: No such file or directory" ] || { echo "$s1: $out"; exit 1; }
[ "$s2" = 2 ] && case $out2 in *"unknown mount option 'frobnicate'"*) ;; *) false;; esac || { echo "$s2: $out2"; exit 1; }
