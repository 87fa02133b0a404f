desc="the launcher picks the JVM's options by its version: no -XX:-UseNotificationThread from 21 (25 refuses it), native and Unsafe access allowed from 22 and 23, Java before 17 refused naming it; a real newer JDK under /usr/lib/jvm mounts without a warning"
. "$(dirname "$0")/common.bash"
t=$(mktemp -d /tmp/denyfs-jvmver-XXXXXX)
daemon=
trap 'set +e; [ -z "$daemon" ] || kill "$daemon" 2>/dev/null; own_cleanup; not_mounted "$t/mnt" && rm -rf --one-file-system "$t"' EXIT

# A stand-in JDK of version V: -version answers as a JVM does (and is counted in HOME/asked), anything
# else records its arguments, one per line, and exits 0. with_release=no leaves out the home's
# release file (a hand-made image).
stub_jdk() { # V with_release
  local home=$t/jdk-$1-$2
  mkdir -p "$home/bin"
  cat >"$home/bin/java" <<EOF
#!/bin/sh
for a in "\$@"; do [ "\$a" = -version ] && { echo x >>"$home/asked"; echo 'openjdk version "$1" 2026-04-21' >&2; exit 0; }; done
printf '%s\n' "\$@" >"$home/args"
EOF
  chmod +x "$home/bin/java"
  [ "$2" = no ] || printf 'IMPLEMENTOR="stub"\nJAVA_VERSION="%s"\n' "$1" >"$home/release"
  printf '%s' "$home"
}
# the options the launcher gives java for: denyfs ARGS... with the stub JDK at HOME first in PATH
options_for() { # HOME ARGS...
  local home=$1; shift
  rm -f "$home/args"
  PATH="$home/bin:$PATH" "$DENYFS" "$@" >/dev/null
  cat "$home/args"
}
has() { grep -qx -- "$1" <<<"$2" || { printf 'missing %s in:\n%s\n' "$1" "$2"; return 1; }; }
lacks() { ! grep -qx -- "$1" <<<"$2" || { printf 'unexpected %s in:\n%s\n' "$1" "$2"; return 1; }; }

j17=$(stub_jdk 17.0.19 yes); j21=$(stub_jdk 21.0.5 yes); j22=$(stub_jdk 22.0.1 yes); j23=$(stub_jdk 23.0.1 yes)
j25=$(stub_jdk 25.0.3 yes); image=$(stub_jdk 25-ea no)
# a client with a release file: its version is read from there, no JVM is started to ask
for home in "$j17" "$j25"; do
  rm -f "$home/asked"; options_for "$home" modinfo x >/dev/null; [ ! -e "$home/asked" ] || { echo "$home: -version was run"; exit 1; }
done
rm -f "$image/asked"; options_for "$image" modinfo x >/dev/null; [ -s "$image/asked" ]   # no release file: asked
o=$(options_for "$j17" mount /nowhere /nowhere)
has -XX:-UseNotificationThread "$o"; has -XX:+UseSerialGC "$o"
lacks --enable-native-access=ALL-UNNAMED "$o"; lacks --sun-misc-unsafe-memory-access=allow "$o"
o=$(options_for "$j21" mount /nowhere /nowhere)
lacks -XX:-UseNotificationThread "$o"; has -XX:+UseSerialGC "$o"; lacks --enable-native-access=ALL-UNNAMED "$o"
o=$(options_for "$j22" modinfo x)
has --enable-native-access=ALL-UNNAMED "$o"; lacks --sun-misc-unsafe-memory-access=allow "$o"
o=$(options_for "$j23" modinfo x)
has --enable-native-access=ALL-UNNAMED "$o"; has --sun-misc-unsafe-memory-access=allow "$o"
for home in "$j25" "$image"; do
  o=$(options_for "$home" mount /nowhere /nowhere)
  lacks -XX:-UseNotificationThread "$o"; has -XX:+UseSerialGC "$o"
  has --enable-native-access=ALL-UNNAMED "$o"; has --sun-misc-unsafe-memory-access=allow "$o"
  o=$(options_for "$home" modinfo x)   # a client: the access flags, not the daemon's tuning
  has --enable-native-access=ALL-UNNAMED "$o"; has --sun-misc-unsafe-memory-access=allow "$o"; lacks -XX:+UseSerialGC "$o"
done

j11=$(stub_jdk 11.0.22 yes); j8=$(stub_jdk 1.8.0_392 no)
for pair in "$j11:11" "$j8:8"; do
  home=${pair%:*}
  set +e; out=$(PATH="$home/bin:$PATH" "$DENYFS" modinfo x 2>&1); s=$?; set -e
  want="denyfs: $home/bin/java is Java ${pair##*:}; denyfs needs Java 17 or later: apt-get install -y openjdk-17-jdk-headless, or put a newer java first in PATH"
  [ "$s" = 1 ] && [ "$out" = "$want" ] || { printf 'status %s, printed:\n%s\nwanted:\n%s\n' "$s" "$out" "$want"; exit 1; }
  [ ! -e "$home/args" ]                # no JVM was started
done

# A real JDK newer than 23, where this machine has one (CI's Debian 12 has only 17): the daemon
# starts with the launcher's options, and every line on its stderr is one of its own INFO lines.
newer=
for r in /usr/lib/jvm/*/release; do
  [ -f "$r" ] || continue
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$r")
  if [ -n "$v" ] && [ "$v" -ge 24 ] && [ -x "${r%/release}/bin/java" ]; then newer=${r%/release}; fi
done
if [ -n "$newer" ]; then
  # in the foreground, so that what the JVM itself prints on stderr (not the daemon's log) is kept
  B=$t/backing M=$t/mnt; mkdir "$B" "$M"
  PATH="$newer/bin:$PATH" "$DENYFS" mount -f "$B" "$M" 2>"$t/stderr" &
  daemon=$!
  wait_for 60 mounted "$M"
  echo x >"$M/f"; [ "$(cat "$M/f")" = x ]
  [ "$(readlink -f "/proc/$(daemon_pid)/exe")" = "$(readlink -f "$newer/bin/java")" ]
  "$DENYFS" umount "$M"
  wait "$daemon"   # the daemon's own status: 0 after an unmount
  daemon=
  grep -q ' INFO  mounted ' "$t/stderr"
  ! grep -v ' INFO  ' "$t/stderr" || { echo "the JVM of $newer printed the lines above"; exit 1; }
else
  echo "no JDK 24 or later under /usr/lib/jvm: the real-JDK part was not run"
fi
