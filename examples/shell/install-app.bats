#!/usr/bin/env bats
# The same checks as install-app-test.sh, as a bats suite: a fresh mount per test, unmounted in
# teardown whatever the outcome. Needs DENYFS_TESTKIT and DENYFS as install-app-test.sh does.

setup() {
	. "${DENYFS_TESTKIT:?set DENYFS_TESTKIT to the path of denyfs-testkit.sh}"
	denyfs_mount
	cp /bin/sleep "$DENYFS_MNT/app"
}

teardown() {
	[ -z "${app:-}" ] || { kill "$app"; wait "$app" || true; }
	denyfs_umount
}

@test "cp over a running program fails with Text file busy" {
	"$DENYFS_MNT/app" 600 & app=$!
	denyfs_await_count app -1
	run cp /bin/true "$DENYFS_MNT/app"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Text file busy"* ]]
}

@test "install-app.sh replaces a running program by rename" {
	"$DENYFS_MNT/app" 600 & app=$!
	denyfs_await_count app -1
	"$BATS_TEST_DIRNAME/install-app.sh" /bin/true "$DENYFS_MNT/app"
	cmp -s /bin/true "$DENYFS_MNT/app"
}

@test "an exclusive deny is refused while another deny holds" {
	denyfs_deny app
	run denyfs_xdeny app
	[ "$status" -ne 0 ]
	[[ "$output" == *"err ETXTBSY"* ]]
}
