desc="five concurrent real insmod of one file under policy=plain: one succeeds and the rest print 'File exists' (they wait in the duplicate check)"
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"
module_mount "policy=plain,init_ms=1500"
tally=$(race_insmod 5)
[ "$tally" = "ok=1 File exists=4 Text file busy=0 other=0" ] || { echo "$tally"; exit 1; }
