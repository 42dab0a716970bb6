# SPDX-License-Identifier: GPL-2.0
# alloc-bench: bench/alloc (packed as the bench-alloc helper) on this kernel's
# /proc/allocinfo: text pipelines against `mmscope alloc` (allocinfo and bpf-tags
# backends) and libmmscope for the same queries; the table is in the log, the CPU
# ratios allocinfo / bpf-tags (command, in-process) in the result line. VM only:
# TCG timings are not this machine's; figures, not a gate.
set -eu
. "$(dirname "$0")/lib.sh"

require_vm
[ -r /proc/allocinfo ] || skip "no /proc/allocinfo"
command -v bench-alloc > /dev/null || skip "no bench-alloc helper"
bench-alloc -r 11 > /tmp/bench-alloc.out 2>&1 || { cat /tmp/bench-alloc.out; fail "bench-alloc exit $?"; }
cat /tmp/bench-alloc.out
pass "cpu allocinfo/bpf-tags (cmd lib): $(awk -F'|' 'NF == 7 && $2 ~ /[0-9]/ { split($7, r, " "); q = $1; sub(/ +$/, "", q); printf "%s %s %s; ", q, r[1], r[2] }' /tmp/bench-alloc.out)"
