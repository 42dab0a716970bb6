# SPDX-License-Identifier: GPL-2.0
# reclaim-bench: bench/trace (packed as the bench-trace helper) in its global
# direct reclaim mode (-w global): the cost of `mmscope reclaim` and of
# libbpf-tools' drsnoop on the same stalls, which drsnoop sees only in global
# direct reclaim (never in the memcg reclaim of the host's bench run). Per
# tracer: cpu cost relative to the workload's CPU, cost per stall (BPF ns,
# process us), events/s, throughput ratio. VM only (global memory pressure);
# TCG inflates absolute costs and makes throughput ratios noisy: compare the
# mmscope/drsnoop ratio per stall. The figures go to the result line, they are
# not a gate: passes when the benchmark ran, skips when it cannot run here.
set -eu
. "$(dirname "$0")/lib.sh"
require_vm
# A benchmark, not a gate, and minutes of emulated CPU: only when asked for.
[ "${MMSCOPE_VM_ONLY:-*}" != '*' ] ||
	skip "benchmark: runs when named (MMSCOPE_VM_ONLY=reclaim-bench make test-vm)"
command -v bench-trace > /dev/null || skip "no bench-trace helper"
# The page cache to reclaim: the scratch disk (virtio-blk on the test kernel,
# NVMe on Debian's cloud kernel), which bench-trace holds open and re-reads
# before every run.
disk=
for d in /dev/vda /dev/nvme0n1; do
	[ -b "$d" ] && disk=$d && break
done
[ -n "$disk" ] || fail "no scratch disk (/dev/vda, /dev/nvme0n1) to fill the page cache from"
rc=0
bench-trace -w global -f "$disk" -m "$(command -v mmscope)" -r 8 > /tmp/bench-trace.out 2>&1 || rc=$?
cat /tmp/bench-trace.out
[ $rc = 0 ] || fail "bench-trace exit $rc: $(tail -n 2 /tmp/bench-trace.out)"
grep -q 'not measured, it did not attach' /tmp/bench-trace.out &&
	fail "a tracer did not attach: $(grep 'did not attach' /tmp/bench-trace.out | tr '\n' ' ')"
# "NAME: ratio R, cost C (bpf B, process P), E ev/s, per stall B ns + P us; ..." per tracer.
pass "$(awk '/^global direct reclaim:/ { for (i = 1; i <= NF; i++) if ($i == "stalls") s = $(i - 1); printf "%s stalls/run; ", s }
	/^  (mmscope reclaim|drsnoop) / { name = ($1 == "drsnoop") ? "drsnoop" : "mmscope"; ratio = (name == "drsnoop") ? $3 : $4 }
	/^ +cpu cost [0-9]/ && name { sub(/,$/, "", $7); sub(/\),$/, "", $9); printf "%s: ratio %s, cost %s (bpf %s, process %s), %s ev/s", name, ratio, $3, $7, $9, $10 }
	/^ +per stall: bpf/ && name { printf ", per stall %s ns + %s us; ", $4, $7; name = "" }
	/^  per stall, mmscope reclaim \/ drsnoop:/ { sub(/,$/, "", $10); sub(/\)$/, "", $12); printf "mmscope/drsnoop per stall %s (bpf %s, process %s)", $8, $10, $12 }' /tmp/bench-trace.out)"
