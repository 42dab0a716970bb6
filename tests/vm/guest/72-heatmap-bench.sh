# SPDX-License-Identifier: GPL-2.0
# heatmap-bench: bench/heatmap (packed as the bench-heatmap helper): slowdown of
# the hotcold helper in bench mode under each heatmap source this kernel offers,
# against the untraced target in the same run, and each source's cpu cost (the
# CPU of mmscope, of its own kdamond and of its BPF programs, in percent of the
# target's CPU over the same window). VM only: TCG timings are not real
# hardware's (the wall-clock slowdown varies by hundreds of percent there; the
# cpu cost is the steadier figure); the figures go to the result line, they are
# not a gate. Passes when the benchmark ran, skips when it cannot run here.
# Three rounds, not five: with six sources on test-7.2 (young and mglru added)
# five rounds outlast the guest's 120 s per test.
set -eu
. "$(dirname "$0")/lib.sh"

[ "${MMSCOPE_VM:-}" = 1 ] || skip "VM only (on this machine: make bench-heatmap)"
# A benchmark, not a gate, and a minute of emulated CPU: only when asked for.
[ "${MMSCOPE_VM_ONLY:-*}" != '*' ] ||
	skip "benchmark: runs when named (MMSCOPE_VM_ONLY=heatmap-bench make test-vm)"
command -v bench-heatmap > /dev/null || skip "no bench-heatmap helper"
command -v hotcold > /dev/null || skip "no hotcold helper"
mmscope heatmap -h > /dev/null 2>&1 || skip "no 'mmscope heatmap' command in this build"
rc=0
bench-heatmap -m "$(command -v mmscope)" -w "$(command -v hotcold)" -r 3 -t 2 -s 1 -H 32 \
	> /tmp/bench-heatmap.out 2>&1 || rc=$?
cat /tmp/bench-heatmap.out
[ $rc = 0 ] || fail "bench-heatmap exit $rc: $(tail -n 2 /tmp/bench-heatmap.out)"
grep -q 'skipped\|no source works' /tmp/bench-heatmap.out && skip "$(head -n 1 /tmp/bench-heatmap.out)"
grep -q ' cpu cost ' /tmp/bench-heatmap.out || fail "no cpu cost line: $(tail -n 2 /tmp/bench-heatmap.out)"
# One entry per source: "NAME slowdown WALL/PER-CPU-S cost COST [MIN..MAX]".
pass "slowdown wall/per CPU s, cpu cost [range]: $(awk '
	$2 == "slowdown" { printf "%s %s/%s", $1, $3, $9 }
	$2 == "cpu" && $3 == "cost" { r = $6 ".." $8; gsub(/[():]/, "", r)
		printf " cost %s [%s]; ", $4, r }
	$2 == "refused" { printf "%s refused; ", $1 }' /tmp/bench-heatmap.out)"
