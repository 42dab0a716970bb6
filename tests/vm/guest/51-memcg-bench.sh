# SPDX-License-Identifier: GPL-2.0
# memcg-bench: bench/memcg (packed as the bench-memcg helper) for N up to 1000 (the
# guest has 512 MiB: 10,000 memcgs would not fit); the table is in the log, the ratios
# at N=1 and N=1000 in the result line. VM only: TCG timings are not this machine's.
set -eu
. "$(dirname "$0")/lib.sh"

require_vm
command -v bench-memcg > /dev/null || skip "no bench-memcg helper"
# 3 rounds (the default 5 alternate the control and each backend: slow under TCG).
MMSCOPE_BENCH_ROUNDS=3 bench-memcg 1000 > /tmp/bench.out 2>&1 || { cat /tmp/bench.out; fail "bench-memcg exit $?"; }
cat /tmp/bench.out
# Ratios per N (kfunc/core/text), and the statistics core left to text.
ratios=$(awk '$1 ~ /^[0-9]+$/ { printf "N=%s %s/%s/%s; ", $1, $6, $7, $8 }' /tmp/bench.out)
text=$(sed -n 's/^  note: \([a-z_]*\) served by text.*/\1/p' /tmp/bench.out | sort -u | tr '\n' ' ')
pass "x kfunc/core/text: ${ratios}core stats from text: [${text% }]"
