desc="denyfs ctl --json prints status, holders, counts and refusals as valid JSON (checked with jq)"
set -eu
f=ctl-json   # a name of its own: no earlier test left it in the kernel's caches
. "${0%/*}/../await.bash"
command -v jq >/dev/null || { echo "jq is missing (apt-get install -y jq; .ci/run installs it)"; exit 1; }
: > "$BACKING/$f"
# status: every field of the reply, numbers as numbers
status=$("$DENYFS" ctl --json status "$MNT")
printf '%s' "$status" | jq -e --arg m "$MNT" '.mount == $m and (.pid | type) == "number" and (.inodes | type) == "number"
  and (.control_denies | type) == "number" and (.reply_filter | type) == "string"' >/dev/null || { echo "status: $status"; exit 1; }
# holders: a writer (this shell) and a deny held by denyfs hold, oldest first, with command lines
exec 5>>"$MNT/$f"
holders=$("$DENYFS" ctl holders --json "$MNT/$f")
printf '%s' "$holders" | jq -e --arg m "$MNT" --argjson pid $$ '.mount == $m and .path == "/'"$f"'" and (.holders | length) == 1
  and .holders[0].kind == "write" and .holders[0].pid == $pid and .holders[0].uid == 0
  and (.holders[0].since | test("^[0-9T:.-]+Z$")) and (.holders[0].command | test("^bash .*ctl-json[.]sh$"))' >/dev/null \
  || { echo "holders: $holders"; exit 1; }
# a refusal: the errno and message, exit 1
set +e; refused=$("$DENYFS" ctl --json deny "$MNT/$f" 2>/dev/null); status=$?; set -e
[ "$status" = 1 ] || { echo "deny status $status"; exit 1; }
printf '%s' "$refused" | jq -e '.error.errno == "ETXTBSY" and .error.message == "deny_write_access: 1 writer"' >/dev/null \
  || { echo "refused: $refused"; exit 1; }
exec 5>&-
await "count 0" count_is 0 "$f"
# a hold's command line may hold anything: quotes, backslashes, a tab, bytes that are not UTF-8
"$DENYFS" hold "$MNT/$f" -- sh -c 'exec sleep 600' "a\"b\\c	d" "$(printf '\377x')" & hold=$!
trap 'kill "$hold" 2>/dev/null || true; wait "$hold" 2>/dev/null || true' EXIT
await "count -1" count_is -1 "$f"
holders=$("$DENYFS" ctl --json holders "$MNT/$f")
printf '%s' "$holders" | jq -e --argjson pid "$hold" '.holders[0].kind == "deny" and .holders[0].pid == $pid
  and .holders[0].command == "denyfs hold '"$MNT/$f"' -- sh -c exec sleep 600 a\"b\\c\td \ufffdx"' >/dev/null || { echo "hold: $holders"; exit 1; }
[ "$("$DENYFS" ctl --json query "$MNT/$f" | jq .count)" = -1 ]
