desc="policy=exclusive: a modprobe whose dependency another probe is loading fails with 'Text file busy' (why 9828ed3f69 was reverted)"
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"
module_mount "policy=exclusive,init_ms=1500"
result=$(shared_dependency)
[ "$result" = "1 modprobe: ERROR: could not insert 'ghash_clmulni_intel': Text file busy" ] || { echo "$result"; exit 1; }
