desc="five concurrent real insmod of one file under policy=exclusive: the losers print 'Text file busy' at once (the seed commit)"
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"
module_mount "policy=exclusive,init_ms=1500"
tally=$(race_insmod 5)
[ "$tally" = "ok=1 File exists=0 Text file busy=4 other=0" ] || { echo "$tally"; exit 1; }
