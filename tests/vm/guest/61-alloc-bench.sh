# SPDX-License-Identifier: GPL-2.0
# alloc-bench: bench/alloc (packed as the bench-alloc helper) on this kernel's
# /proc/allocinfo: text pipelines against `mmscope alloc` and libmmscope for the
# same queries; the table is in the log, the CPU ratios (pipeline / mmscope) in the
# result line. VM only: TCG timings are not this machine's; figures, not a gate.
set -eu
. "$(dirname "$0")/lib.sh"

require_vm
[ -r /proc/allocinfo ] || skip "no /proc/allocinfo"
command -v bench-alloc > /dev/null || skip "no bench-alloc helper"
bench-alloc -r 11 > /tmp/bench-alloc.out 2>&1 || { cat /tmp/bench-alloc.out; fail "bench-alloc exit $?"; }
cat /tmp/bench-alloc.out
pass "x cpu (pipeline/mmscope): $(awk -F'|' 'NF == 4 && $1 !~ /^query/ { split($4, r, " "); q = $1; sub(/ +[0-9.]+ +[0-9.]+ *$/, "", q); printf "%s %s; ", q, r[2] }' /tmp/bench-alloc.out)"
