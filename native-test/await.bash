# await DESCRIPTION COMMAND...: runs COMMAND until it succeeds, for at most 60 s (a condition the
# daemon reaches asynchronously, such as a RELEASE after a process exits); fails the script after.
# Sourced by native-test scripts: . "${0%/*}/../await.bash"
await() {
  local what=$1 deadline=$((SECONDS + 60))
  shift
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "timed out after 60 s waiting for $what"; exit 1; }
  done
}
# count_is N FILE: the control file's query of FILE (relative to MNT) says "ok N"
count_is() { [ "$("$TOOLS/ctlreq" "$MNT" query "$2")" = "ok $1" ]; }
