desc="open(O_WRONLY) through one hard link of a program running from another fails with ETXTBSY"
set -eu
cp /bin/sleep "$BACKING/prog"; ln "$BACKING/prog" "$BACKING/other"
"$MNT/prog" 600 & pid=$!
trap 'set +e; kill $pid; wait $pid' EXIT
# wait for the exec to reach the daemon: the count goes to -1
until [ "$("$TOOLS/ctlreq" "$MNT" query other)" = "ok -1" ]; do :; done
if err=$(echo x 2>&1 > "$MNT/other"); then echo "write through the other link succeeded"; exit 1; fi
case $err in *"Text file busy"*) ;; *) echo "unexpected: $err"; exit 1;; esac
