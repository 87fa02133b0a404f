#!/usr/bin/env bash
# 'denyfs install' and 'denyfs uninstall' (the launcher runs this script for both).
#
#   denyfs install   [--prefix DIR] [--sbindir DIR]
#   denyfs uninstall [--prefix DIR]
#
# install puts in place, from this checkout (building what is missing, man pages included):
#   PREFIX/bin/denyfs                               the launcher
#   PREFIX/lib/denyfs/denyfs.jar, native/           the program and its C side
#   PREFIX/lib/denyfs/mount.fuse.denyfs             mount(8)'s helper, linked from
#   SBINDIR/mount.fuse.denyfs                       (mount(8) looks in /sbin only)
#   PREFIX/share/man/man1/denyfs*.1                 a man page per command
#   PREFIX/share/bash-completion/completions/denyfs bash completion
# and lists every file it wrote in PREFIX/lib/denyfs/installed-files, which uninstall removes.
# PREFIX defaults to /usr/local, SBINDIR to /sbin.
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
die() { printf 'denyfs %s: %s\n' "$verb" "$*" >&2; exit 1; }
usage() { printf 'Usage: denyfs install [--prefix DIR] [--sbindir DIR]\n       denyfs uninstall [--prefix DIR]\n'; }

verb=$1; shift
prefix=/usr/local sbindir=/sbin
while [ $# -gt 0 ]; do
  case $1 in
    --prefix) [ $# -ge 2 ] || die "--prefix needs DIR"; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    --sbindir) [ $# -ge 2 ] || die "--sbindir needs DIR"; sbindir=$2; shift 2 ;;
    --sbindir=*) sbindir=${1#--sbindir=}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) printf "denyfs %s: unknown argument '%s'\nTry 'denyfs %s --help' for more information.\n" "$verb" "$1" "$verb" >&2; exit 2 ;;
  esac
done
prefix=$(realpath -m "$prefix") sbindir=$(realpath -m "$sbindir")
lib=$prefix/lib/denyfs
manifest=$lib/installed-files

uninstall() {
  [ -f "$manifest" ] || die "$manifest: No such file or directory (nothing installed under $prefix)"
  while IFS= read -r f; do
    if [ -e "$f" ] || [ -L "$f" ]; then rm -f "$f" && echo "removed $f"; fi
  done < "$manifest"
  rm -f "$manifest"
  # the directories install made, if they are empty now
  for d in "$lib/native" "$lib" "$prefix/share/man/man1" "$prefix/share/bash-completion/completions" \
           "$prefix/share/bash-completion"; do
    rmdir "$d" 2>/dev/null || true
  done
}

install_file() { # SOURCE DEST MODE
  install -D -m "$3" "$1" "$2"
  echo "$2" >> "$manifest.new"
  echo "installed $2"
}

if [ "$verb" = uninstall ]; then uninstall; exit 0; fi

# What the build makes, man pages and completion included (the launcher's own builds skip those).
jar=$repo/target/denyfs.jar
if [ ! -f "$repo/target/man/man1/denyfs.1" ] || [ ! -f "$repo/target/denyfs-completion.bash" ] || [ ! -f "$jar" ] \
   || [ -n "$(find "$repo/src/main" "$repo/pom.xml" -newer "$repo/target/man/man1/denyfs.1" -print -quit)" ]; then
  echo "denyfs install: building the jar, the man pages and the completion (mvn package)..." >&2
  (cd "$repo" && mvn -q -B -Dstyle.color=never -DskipTests -DskipITs package >&2) \
    || die "build failed; run 'mvn -B package' in $repo to see why"
fi

[ ! -f "$manifest" ] || uninstall >/dev/null   # a reinstall replaces the previous one
mkdir -p "$lib"
: > "$manifest.new"
install_file "$repo/scripts/denyfs" "$prefix/bin/denyfs" 0755
install_file "$jar" "$lib/denyfs.jar" 0644
for f in "$repo"/target/native/*; do
  case $f in *.o) continue ;; esac      # objects are the build's intermediates
  [ -f "$f" ] || continue
  if [ -x "$f" ]; then install_file "$f" "$lib/native/${f##*/}" 0755; else install_file "$f" "$lib/native/${f##*/}" 0644; fi
done
install_file "$repo/scripts/mount.fuse.denyfs" "$lib/mount.fuse.denyfs" 0755
for page in "$repo"/target/man/man1/*.1; do
  install_file "$page" "$prefix/share/man/man1/${page##*/}" 0644
done
install_file "$repo/target/denyfs-completion.bash" "$prefix/share/bash-completion/completions/denyfs" 0644
mkdir -p "$sbindir"
ln -sfn "$lib/mount.fuse.denyfs" "$sbindir/mount.fuse.denyfs"
echo "$sbindir/mount.fuse.denyfs" >> "$manifest.new"
echo "installed $sbindir/mount.fuse.denyfs -> $lib/mount.fuse.denyfs"
mv "$manifest.new" "$manifest"
echo "denyfs install: done; 'denyfs uninstall --prefix $prefix' removes every file listed in $manifest"
