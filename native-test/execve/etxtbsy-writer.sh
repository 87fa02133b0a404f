desc="execve of a file open for write fails with ETXTBSY"
set -eu
cp /bin/true "$BACKING/prog"
exec 4>>"$MNT/prog"
if err=$("$MNT/prog" 2>&1); then echo "exec succeeded while open for write"; exit 1; fi
case $err in *"Text file busy"*) ;; *) echo "unexpected: $err"; exit 1;; esac
exec 4>&-
"$MNT/prog"
