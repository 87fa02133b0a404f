#!/bin/sh
# Runs the example's tests as an outside project's CI would: the sh test, then the bats suite.
# DENYFS_TESTKIT and DENYFS as install-app-test.sh says; bats from the bats package.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
sh "$here/install-app-test.sh"
command -v bats >/dev/null || { echo "bats is missing: apt-get install -y bats" >&2; exit 1; }
bats "$here/install-app.bats"
