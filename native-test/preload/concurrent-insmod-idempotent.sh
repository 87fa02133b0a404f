desc="five concurrent real insmod of one file under policy=idempotent: all five succeed with the first's result (v6.5)"
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"
module_mount "policy=idempotent,init_ms=1500"
tally=$(race_insmod 5)
[ "$tally" = "ok=5 File exists=0 Text file busy=0 other=0" ] || { echo "$tally"; exit 1; }
