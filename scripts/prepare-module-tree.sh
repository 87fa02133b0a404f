#!/bin/bash
# Prepares a real Debian module tree for the opt-in tests of org.denyfs.kernel.module:
# downloads the current linux-image-*-cloud-amd64-unsigned package, unpacks it with dpkg -x and
# runs depmod -b on it, so the tree has modules.dep, modules.symbols and the rest as an installed
# kernel would. Idempotent: a finished tree (marked by TARGET_DIR/PACKAGE) is reused as it is.
#
#   usage: prepare-debian-tree.sh TARGET_DIR        (e.g. /var/cache/denyfs/modtree)
#   env:   DENYFS_KPKG=linux-image-...-unsigned    to pin a package instead of the current one
#
# Afterwards: TARGET_DIR/root/lib/modules/KVER/... and TARGET_DIR/PACKAGE ("name version kver").
# Point the tests at it with DENYFS_MODTREE=TARGET_DIR.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 TARGET_DIR" >&2
    exit 2
fi
target=$1
say() { echo "prepare-debian-tree: $*"; }

if [ -s "$target/PACKAGE" ]; then
    say "cached: $(cat "$target/PACKAGE") in $target"
    exit 0
fi

for tool in apt-get apt-cache dpkg depmod; do
    command -v "$tool" >/dev/null 2>&1 || { say "missing $tool" >&2; exit 1; }
done

pkg=${DENYFS_KPKG:-}
if [ -z "$pkg" ]; then
    # "Current" means what the linux-image-cloud-amd64 metapackage depends on today; its modules
    # are the same as the unsigned package's (only the signed vmlinuz differs).
    meta_dep=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null \
        | sed -n 's/^ *Depends: \(linux-image-[^ ]*-cloud-amd64\)$/\1/p' | head -n1 || true)
    if [ -z "$meta_dep" ]; then
        say "no package lists yet: running apt-get update"
        apt-get update -qq
        meta_dep=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null \
            | sed -n 's/^ *Depends: \(linux-image-[^ ]*-cloud-amd64\)$/\1/p' | head -n1 || true)
    fi
    if [ -n "$meta_dep" ] && apt-cache show "$meta_dep-unsigned" >/dev/null 2>&1; then
        pkg="$meta_dep-unsigned"
    else
        pkg=$(apt-cache search --names-only '^linux-image-.*-cloud-amd64-unsigned$' \
            | cut -d' ' -f1 | sort -V | tail -n1)
    fi
fi
if [ -z "$pkg" ]; then
    say "no linux-image-*-cloud-amd64-unsigned package found" >&2
    exit 1
fi
kver=${pkg#linux-image-}
kver=${kver%-unsigned}

work=$(mktemp -d "${TMPDIR:-/tmp}/denyfs-modtree.XXXXXX")
trap 'rm -rf "$work"' EXIT
say "downloading $pkg"
(cd "$work" && apt-get download -q "$pkg" 2>&1 | grep -v 'W: Download is performed unsandboxed' || true)
deb=$(ls "$work"/*.deb 2>/dev/null | head -n1 || true)
if [ -z "$deb" ]; then
    say "apt-get download $pkg produced no .deb" >&2
    exit 1
fi
version=$(dpkg-deb -f "$deb" Version)

mkdir -p "$target"
rm -rf "$target/root"
say "unpacking $(basename "$deb") into $target/root"
dpkg -x "$deb" "$target/root"
if [ ! -d "$target/root/lib/modules/$kver" ]; then
    kver=$(ls "$target/root/lib/modules" | head -n1)
fi
say "depmod -b $target/root $kver"
depmod -b "$target/root" "$kver"
echo "$pkg $version $kver" > "$target/PACKAGE.tmp"
mv "$target/PACKAGE.tmp" "$target/PACKAGE"
say "ready: $(cat "$target/PACKAGE") in $target"
