#!/bin/sh
# An outside project's integration test of install-app.sh on a real denyfs mount, with the shell
# test-kit. Needs DENYFS_TESTKIT (the path of denyfs-testkit.sh) and DENYFS (the denyfs launcher,
# default: denyfs on PATH). Exit 0: every check passed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "${DENYFS_TESTKIT:?set DENYFS_TESTKIT to the path of denyfs-testkit.sh}"
denyfs_mount
denyfs_trap

check() { # DESCRIPTION COMMAND...
	what=$1; shift
	if "$@"; then echo "ok - $what"; else echo "not ok - $what"; exit 1; fi
}

cp /bin/sleep "$DENYFS_MNT/app"
"$DENYFS_MNT/app" 600 & app=$!
denyfs_await_count app -1          # the running program denies writes to its file
check "cp over the running program fails with Text file busy" \
	sh -c '! cp /bin/true "$1/app" 2>"$1/../err" && grep -q "Text file busy" "$1/../err"' sh "$DENYFS_MNT"
check "install-app.sh replaces it by rename while it runs" "$here/install-app.sh" /bin/true "$DENYFS_MNT/app"
check "the new program is in place" cmp -s /bin/true "$DENYFS_MNT/app"
kill "$app"; wait "$app" 2>/dev/null || true

# an explicit deny, as a module load or a package manager would take one
denyfs_deny app
check "a denied file refuses writers" sh -c '! (echo x >> "$1/app") 2>/dev/null' sh "$DENYFS_MNT"
holders=$(denyfs_holders app)
case $holders in "deny pid=$$ "*) echo "ok - holders names the kit's handle: $holders" ;; *) echo "not ok - holders: $holders"; exit 1 ;; esac
denyfs_allow app
check "after allow the count is 0" test "$(denyfs_query app)" = 0
check "denyfs_hold runs a command while the file is denied" denyfs_hold app sh -c '! (echo x >> "$0") 2>/dev/null' "$DENYFS_MNT/app"
