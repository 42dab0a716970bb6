# SPDX-License-Identifier: GPL-2.0
# compact-trace: mmscope -j compact and mmscope -j frag --events, both in the
# background around the THP direct-compaction workload of 30-compaction.sh
# followed by 32 MiB of page tables (pgtables: unmovable allocations, which
# fall back to movable pageblocks: extfrag events even where fragment causes
# few), count as many compaction runs as tracefs records mm_compaction_begin,
# and as many extfrag events as it records mm_page_alloc_extfrag, over the same
# window (within 2% each).
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tracelib.sh"
require_vm
[ -w /sys/kernel/mm/transparent_hugepage/defrag ] || skip "no THP defrag knob (CONFIG_TRANSPARENT_HUGEPAGE)"

trace_setup
compact_pid= frag_pid=
trap 'trace_off; kill -INT $compact_pid $frag_pid 2> /dev/null || true' EXIT
start_tracer /tmp/compact.json mmscope -j compact ||
	fail "mmscope compact did not start: $(head -c 300 /tmp/compact.json.err)"
compact_pid=$tracer
start_tracer /tmp/frag.json mmscope -j frag --events ||
	fail "mmscope frag --events did not start: $(head -c 300 /tmp/frag.json.err)"
frag_pid=$tracer
trace_on compaction/mm_compaction_begin compaction/mm_compaction_end kmem/mm_page_alloc_extfrag ||
	skip "no compaction or extfrag tracepoints in tracefs"
fragment > /dev/null || fail "fragment helper failed"
pgtables -k 16 2 > /dev/null || fail "pgtables helper failed"
trace_off
tracer=$frag_pid
stop_tracer || fail "mmscope frag --events exited $?: $(head -c 300 /tmp/frag.json.err)"
tracer=$compact_pid
stop_tracer || fail "mmscope compact exited $?: $(head -c 300 /tmp/compact.json.err)"
compact_pid= frag_pid=
begins=$(trace_count mm_compaction_begin)
ends=$(trace_count mm_compaction_end)
extfrag=$(trace_count mm_page_alloc_extfrag)
klost=$(trace_lost)
runs=$(json_sum /tmp/compact.json events)
clost=$(json_sum /tmp/compact.json lost)
events=$(json_sum /tmp/frag.json events)
frag=$(json_sum /tmp/frag.json fragmenting)
flost=$(json_sum /tmp/frag.json lost)
cmissed=$(json_sum /tmp/compact.json missed) fmissed=$(json_sum /tmp/frag.json missed)
figures="compaction runs: mmscope $runs (lost $clost, missed ${cmissed:-?}$(missed_by /tmp/compact.json)), tracefs begin $begins end $ends;"
figures="$figures extfrag: mmscope $events ($frag fragmenting, lost $flost, missed ${fmissed:-?}), tracefs $extfrag (lost $klost)"
[ "$klost" = 0 ] || fail "the trace buffer overflowed: $figures"
[ "$begins" -gt 0 ] || fail "the workload caused no compaction: $figures"
[ "$extfrag" -gt 0 ] || fail "the workload caused no extfrag event: $figures"
# lost: records the ring buffer had no room for. Skipped program runs (missed,
# the kernel's recursion guard; seen on 7.2) are
# reported, not failed: a skipped begin or end shows in the count comparison.
[ "${clost:-x}" = 0 ] && [ "${flost:-x}" = 0 ] || fail "mmscope lost events: $figures"
within_2pct "$runs" "$begins" || fail "compaction counts differ by more than 2%: $figures"
if ! within_2pct "$events" "$extfrag"; then
	# Who caused them, as each side saw it.
	echo "tracefs: $(trace_comms mm_page_alloc_extfrag)"
	grep '"type":"summary"' /tmp/frag.json
	fail "extfrag counts differ by more than 2%: $figures"
fi
pass "$figures"
