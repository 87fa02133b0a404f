# denyfs-testkit.sh - real denyfs mounts for sh and bats tests. POSIX sh; source it:
#
#   . /path/to/denyfs-testkit.sh
#   denyfs_mount && denyfs_trap             # a fresh mount; unmounted when the script exits
#   cp /bin/true "$DENYFS_MNT/app"
#   denyfs_deny app                         # as a running app would: writers get ETXTBSY
#   ! cp /bin/false "$DENYFS_MNT/app"       # cp: ...: Text file busy
#   denyfs_allow app
#
# In bats: 'setup() { denyfs_mount; }' and 'teardown() { denyfs_umount; }'.
#
# Environment: DENYFS, the denyfs launcher (default: denyfs on PATH; a checkout's scripts/denyfs
# works); DENYFS_CTL_FD, the descriptor of the kit's control handle (default 8; bats owns 3).
# Needs root or fusermount, /dev/fuse, and what the launcher needs (java, libfuse2).
#
# Functions (each returns non-zero, with a line on stderr, on failure):
#   denyfs_mount [-o OPTIONS]   mount an empty temporary directory; sets DENYFS_MNT (the mount
#                               point), DENYFS_BACKING (the backing directory) and opens the kit's
#                               control handle on DENYFS_CTL_FD
#   denyfs_umount               close the handle (its denies end), unmount, remove the directory;
#                               a busy mount is detached lazily and reported; safe to call twice
#   denyfs_trap                 unmount when the shell exits or gets INT/TERM (plain sh scripts)
#   denyfs_query FILE           print FILE's signed write count (N writers, -N deniers)
#   denyfs_deny FILE            deny writes on the kit's handle until denyfs_allow or denyfs_umount
#   denyfs_xdeny FILE           an exclusive deny (refused while anybody writes or denies)
#   denyfs_allow FILE           give back the kit's newest deny on FILE
#   denyfs_holders FILE         print the holders reply ("write pid=N uid=N since=T, ..." or "-")
#   denyfs_status               print the daemon's status fields ("pid=N inodes=N ...")
#   denyfs_hold FILE CMD...     run CMD while FILE is denied (denyfs hold FILE -- CMD...)
#   denyfs_await_count FILE N [SECONDS]
#                               wait until FILE's count is N (default at most 30 s): a close(2)'s
#                               RELEASE reaches FUSE daemons asynchronously
# FILE is a path under DENYFS_MNT or a name relative to the mount root.

DENYFS=${DENYFS:-denyfs}
DENYFS_CTL_FD=${DENYFS_CTL_FD:-8}

denyfs_mount() {
	if [ -n "${DENYFS_MNT:-}" ]; then
		echo "denyfs_mount: $DENYFS_MNT is mounted already; denyfs_umount first" >&2
		return 1
	fi
	_denyfs_dir=$(mktemp -d "${TMPDIR:-/tmp}/denyfs-testkit-XXXXXX") || return 1
	chmod 0755 "$_denyfs_dir"
	mkdir "$_denyfs_dir/backing" "$_denyfs_dir/mnt" || return 1
	if ! "$DENYFS" mount "$@" "$_denyfs_dir/backing" "$_denyfs_dir/mnt"; then
		echo "denyfs_mount: '$DENYFS mount $* $_denyfs_dir/backing $_denyfs_dir/mnt' failed" >&2
		rm -rf "$_denyfs_dir"
		return 1
	fi
	DENYFS_MNT=$_denyfs_dir/mnt
	DENYFS_BACKING=$_denyfs_dir/backing
	export DENYFS_MNT DENYFS_BACKING
	eval "exec $DENYFS_CTL_FD<>\"\$DENYFS_MNT/.denyfs/control\""
}

denyfs_umount() {
	[ -n "${DENYFS_MNT:-}" ] || return 0
	eval "exec $DENYFS_CTL_FD>&-"
	_denyfs_status=0
	if ! "$DENYFS" umount "$DENYFS_MNT"; then
		echo "denyfs_umount: $DENYFS_MNT is busy (a file left open on it?); detaching it lazily" >&2
		fusermount -u -z "$DENYFS_MNT" 2>/dev/null || umount -l "$DENYFS_MNT"
		_denyfs_status=1
	fi
	rm -rf "${DENYFS_MNT%/mnt}"
	unset DENYFS_MNT DENYFS_BACKING
	return "$_denyfs_status"
}

denyfs_trap() {
	trap 'denyfs_umount' EXIT
	trap 'denyfs_umount; trap - EXIT; exit 130' INT
	trap 'denyfs_umount; trap - EXIT; exit 143' TERM
}

# _denyfs_request VERB [FILE]: one request on the kit's handle; prints the reply after "ok ".
_denyfs_request() {
	if [ -z "${DENYFS_MNT:-}" ]; then
		echo "denyfs_$1: nothing mounted; call denyfs_mount first" >&2
		return 1
	fi
	_denyfs_line=$1
	if [ $# -gt 1 ]; then
		case $2 in
		"$DENYFS_MNT") _denyfs_line="$1 /" ;;
		"$DENYFS_MNT"/*) _denyfs_line="$1 ${2#"$DENYFS_MNT"}" ;;
		/*) echo "denyfs_$1: $2 is not on $DENYFS_MNT" >&2; return 1 ;;
		*) _denyfs_line="$1 /$2" ;;
		esac
	fi
	printf '%s\n' "$_denyfs_line" >&"$DENYFS_CTL_FD" || return 1
	IFS= read -r _denyfs_reply <&"$DENYFS_CTL_FD" || { echo "denyfs_$1: no reply" >&2; return 1; }
	case $_denyfs_reply in
	ok) echo ;;
	"ok "*) printf '%s\n' "${_denyfs_reply#ok }" ;;
	*) echo "denyfs_$1${2:+ $2}: $_denyfs_reply" >&2; return 1 ;;
	esac
}

denyfs_query() { _denyfs_request query "$1"; }
denyfs_deny() { _denyfs_request deny "$1" >/dev/null; }
denyfs_xdeny() { _denyfs_request xdeny "$1" >/dev/null; }
denyfs_allow() { _denyfs_request allow "$1" >/dev/null; }
denyfs_holders() { _denyfs_request holders "$1"; }
denyfs_status() { _denyfs_request status; }

denyfs_hold() {
	_denyfs_file=$1
	shift
	case $_denyfs_file in /*) ;; *) _denyfs_file=$DENYFS_MNT/$_denyfs_file ;; esac
	"$DENYFS" hold "$_denyfs_file" -- "$@"
}

denyfs_await_count() {
	_denyfs_deadline=$(( $(date +%s) + ${3:-30} ))
	while [ "$(_denyfs_request query "$1")" != "$2" ]; do
		if [ "$(date +%s)" -ge "$_denyfs_deadline" ]; then
			echo "denyfs_await_count: $1: count $(_denyfs_request query "$1"), not $2, after ${3:-30} s" >&2
			return 1
		fi
	done
}
