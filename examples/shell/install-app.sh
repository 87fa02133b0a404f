#!/bin/sh
# install-app.sh NEW TARGET: the code under test, a tiny installer. It replaces TARGET by NEW with
# a rename, which works while TARGET runs; copying over a running program fails with ETXTBSY.
set -eu
new=$1 target=$2
tmp=$(dirname "$target")/.$(basename "$target").new.$$
cp "$new" "$tmp"
chmod 0755 "$tmp"
mv -f "$tmp" "$target"
