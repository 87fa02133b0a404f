desc="deny right after the writer's close succeeds every time (500 rounds), despite asynchronous RELEASE"
set -eu
: > "$BACKING/f"
"$TOOLS/closedeny" "$MNT" f 500
