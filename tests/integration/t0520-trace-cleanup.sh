#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Stopping a tracing command leaves no BPF program or link of ours behind:
# after SIGINT, SIGTERM, -d and a failed attach (MMSCOPE_FAULT=attach fails the
# last attach with every other link live), bpftool shows none of our programs.
. "$(dirname "$0")/lib.sh"

BPFTOOL=$(command -v bpftool || echo /usr/sbin/bpftool)
if ! is_root; then
	skip trace-cleanup "needs root"
	exit 0
fi
[ -x "$BPFTOOL" ] || { skip trace-cleanup "no bpftool"; exit 0; }

# Programs and links of ours: names start raw_tp_mm_vmsc, raw_tp_mm_comp, raw_tp_mm_page_a (extfrag).
ours() {
	"$BPFTOOL" prog show 2>/dev/null | grep -cE 'name raw_tp_mm_(vmsc|comp|page_a)'
}
links() {
	"$BPFTOOL" link show 2>/dev/null | grep -c 'raw_tracepoint'
}

# The kernel frees a program after an RCU grace period, not at the last close:
# give it up to 3 s before calling it a leak.
check_clean() {
	name=$1
	n=$(ours)
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
		[ "$n" = 0 ] && break
		sleep 0.2
		n=$(ours)
	done
	[ "$n" = 0 ] && ok "$name" || not_ok "$name" "$n programs of ours left: $("$BPFTOOL" prog show | grep -E 'raw_tp_mm_(vmsc|comp|page_a)' | head -3 | tr '\n' ' ')"
}

before=$(ours)
[ "$before" = 0 ] || { skip trace-cleanup "another tracer of ours is running ($before programs)"; exit 0; }
links0=$(links)

for cmd in reclaim compact frag_events; do
	[ $cmd = frag_events ] && cmd="frag --events"
	tag=$(echo "$cmd" | tr -d ' -')
	for sig in INT TERM; do
		"$MMSCOPE" $cmd >/dev/null 2>&1 &
		pid=$!
		sleep 1.5
		during=$(ours)
		[ "$during" -gt 0 ] && ok "$tag-loaded-$sig" || not_ok "$tag-loaded-$sig" "no programs while running"
		kill -$sig $pid
		wait $pid
		check_clean "$tag-sig$sig-clean"
	done
	expect_status "$tag-duration-exit-0" 0 "$MMSCOPE" $cmd -d 1
	check_clean "$tag-duration-clean"
	MMSCOPE_FAULT=attach "$MMSCOPE" $cmd -d 1 >/dev/null 2>"$SCRATCH/err"
	st=$?
	[ "$st" = 1 ] && ok "$tag-failed-attach-exit-1" || not_ok "$tag-failed-attach-exit-1" "exit $st: $(cat "$SCRATCH/err")"
	check_clean "$tag-failed-attach-clean"
done
links1=$(links)
[ "$links1" -le "$links0" ] && ok trace-links-clean || not_ok trace-links-clean "raw_tracepoint links $links0 -> $links1"
