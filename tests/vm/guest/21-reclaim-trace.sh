# SPDX-License-Identifier: GPL-2.0
# reclaim-trace: mmscope -j reclaim, in the background around the direct-reclaim
# workload of 20-reclaim.sh, sees as many direct reclaim stalls as the kernel
# records for mm_vmscan_direct_reclaim_begin in tracefs over the same window
# (within 2%), and loses none. The counts compared are the workload's (comm
# "reclaim"): mmscope's window is necessarily a little wider than tracefs's,
# and in a VM with no free memory left, any process there (the shell writing
# to tracefs) can stall; every process's totals are in the figures.
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tracelib.sh"
require_vm

trace_setup
hold_pagecache
tracer=
trap 'trace_off; [ -z "$tracer" ] || kill -INT $tracer 2> /dev/null; kill $holder 2> /dev/null && wait $holder || true' EXIT
start_tracer /tmp/reclaim.json mmscope -j reclaim ||
	fail "mmscope reclaim did not start: $(head -c 300 /tmp/reclaim.json.err)"
trace_on vmscan/mm_vmscan_direct_reclaim_begin vmscan/mm_vmscan_direct_reclaim_end ||
	skip "no vmscan tracepoints in tracefs"
reclaim 50 > /dev/null || fail "reclaim helper failed"
trace_off
stop_tracer || fail "mmscope reclaim exited $?: $(head -c 300 /tmp/reclaim.json.err)"
tracer=
begins=$(trace_count mm_vmscan_direct_reclaim_begin)
ends=$(trace_count mm_vmscan_direct_reclaim_end)
kwork=$(trace_count mm_vmscan_direct_reclaim_begin reclaim)
klost=$(trace_lost)
ours=$(json_sum /tmp/reclaim.json direct)
lost=$(json_sum /tmp/reclaim.json lost)
lines=$(grep -c '"kind":"direct"' /tmp/reclaim.json || true)
work=$(grep '"kind":"direct"' /tmp/reclaim.json | grep -c '"comm":"reclaim"' || true)
missed=$(json_sum /tmp/reclaim.json missed)
figures="workload's direct stalls: mmscope $work, tracefs $kwork; all: mmscope $ours (lost $lost, missed ${missed:-?}$(missed_by /tmp/reclaim.json)), tracefs begin $begins end $ends (lost $klost)"
[ "$klost" = 0 ] || fail "the trace buffer overflowed: $figures"
[ "$kwork" -gt 0 ] || fail "the workload caused no direct reclaim: $figures"
# A loss anywhere (another process's stall, a kswapd run) shows in the figures;
# only the workload's count decides, as long as the losses could not hide a gap.
[ -n "$lost" ] && [ "$lost" -le $(((work + 49) / 50)) ] || fail "mmscope lost events: $figures"
[ "$lines" = "$ours" ] || fail "stall lines and summary disagree: $figures"
within_2pct "$work" "$kwork" || fail "counts differ by more than 2%: $figures"
pass "$figures"
