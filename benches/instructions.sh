#!/usr/bin/env bash
# Instructions per iteration of one SQL workload on concur and on SQLite, counted by
# callgrind (deterministic, unlike wall time on a shared machine), and their ratio.
# The count of a run with 0 iterations (loading only) is subtracted.
#
#   benches/instructions.sh WORKLOAD [ITERATIONS]      (after building the example:
#   cargo build --release -p concur-benches --example sql_profile)
set -euo pipefail
workload=${1:?workload: point_select scan_filter insert_100k group_by indexed_join}
iterations=${2:-1}
bin=${SQL_PROFILE:-target/release/examples/sql_profile}
count() { # engine iterations -> instructions
    local out
    out=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$workload" "$1" "$2" 2>&1)
    grep -o 'Collected : [0-9]*' <<<"$out" | grep -o '[0-9]*$'
}
declare -A per
for engine in concur sqlite; do
    base=$(count "$engine" 0)
    full=$(count "$engine" "$iterations")
    per[$engine]=$(( (full - base) / iterations ))
    echo "$workload $engine: ${per[$engine]} instructions per iteration"
done
awk -v a="${per[concur]}" -v b="${per[sqlite]}" -v w="$workload" \
    'BEGIN { printf "%s ratio concur/sqlite: %.2fx\n", w, a / b }'
