desc="policy=exclusive-read: two modprobes that share a dependency both load (the first's read of it is over while it is COMING)"
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"
module_mount "policy=exclusive-read,init_ms=1500"
result=$(shared_dependency)
[ "$result" = "0 " ] || { echo "$result"; exit 1; }
[ "$(lsmod_rows | cut -d' ' -f1 | tr '\n' ' ')" = "aesni_intel cryptd crypto_simd ghash_clmulni_intel " ] || { lsmod_rows; exit 1; }
