# SPDX-License-Identifier: GPL-2.0
# drsnoop: side by side with libbpf-tools' drsnoop (packed into the initramfs
# with its shared libraries by run.sh when the host has it), both in the
# background around the direct-reclaim workload of 20-reclaim.sh: the two see
# the same stalls (counts within 2%), and the latencies of matched stalls agree
# within 5% (drsnoop prints milliseconds with 3 decimals: 2 us of rounding are
# allowed on top). Stalls are matched per thread after sorting each thread's
# latencies, since neither output orders a thread's stalls across CPUs by time
# (drsnoop prints wall-clock seconds only, and reads per-CPU perf buffers).
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tracelib.sh"
require_vm
DRSNOOP=/usr/sbin/drsnoop
[ -x $DRSNOOP ] || skip "drsnoop not in the initramfs (the host has no libbpf-tools package)"

hold_pagecache
mms_pid= dr_pid=
trap 'kill -INT $mms_pid $dr_pid 2> /dev/null; kill $holder 2> /dev/null && wait $holder || true' EXIT
start_tracer /tmp/dr.txt $DRSNOOP || skip "drsnoop cannot run on this kernel: $(head -c 300 /tmp/dr.txt.err)"
dr_pid=$tracer
start_tracer /tmp/mms.json mmscope -j reclaim ||
	fail "mmscope reclaim did not start: $(head -c 300 /tmp/mms.json.err)"
mms_pid=$tracer
reclaim 50 > /dev/null || fail "reclaim helper failed"
stop_tracer || fail "mmscope reclaim exited $?: $(head -c 300 /tmp/mms.json.err)"
tracer=$dr_pid
stop_tracer || fail "drsnoop exited $?: $(head -c 300 /tmp/dr.txt.err)"
mms_pid= dr_pid=

# "tid latency_ms" per direct stall, sorted per thread, numbered within it.
grep '"kind":"direct"' /tmp/mms.json |
	sed -n 's/.*"pid":\([0-9]*\),.*"latency_ns":\([0-9]*\).*/\1 \2/p' |
	awk '{ printf "%s %.6f\n", $1, $2 / 1e6 }' | sort -k1,1n -k2,2n |
	awk '{ print $1 "." ++n[$1], $2 }' > /tmp/mms.lat
# drsnoop: TIME COMM TID LAT(ms) PAGES (COMM may hold spaces: count from the end).
awk '$NF ~ /^[0-9]+$/ && $(NF-1) ~ /^[0-9.]+$/ && $(NF-2) ~ /^[0-9]+$/ { print $(NF-2), $(NF-1) }' /tmp/dr.txt |
	sort -k1,1n -k2,2n | awk '{ print $1 "." ++n[$1], $2 }' > /tmp/dr.lat
ours=$(wc -l < /tmp/mms.lat)
theirs=$(wc -l < /tmp/dr.lat)
lost=$(json_sum /tmp/mms.json lost)
drlost=$(grep -c '^lost' /tmp/dr.txt.err || true)
# Matched pairs: how many, how many disagree by more than 5% (+2 us), the largest relative gap.
cmp=$(awk 'NR == FNR { m[$1] = $2; next }
	($1 in m) { n++; a = m[$1]; b = $2; d = a - b; if (d < 0) d = -d; mx = a > b ? a : b
		r = mx > 0 ? d / mx : 0; if (r > worst) worst = r
		if (d > 0.05 * mx + 0.002) bad++ }
	END { printf "%d %d %.4f\n", n, bad, worst }' /tmp/mms.lat /tmp/dr.lat)
set -- $cmp
figures="direct stalls: mmscope $ours (lost $lost), drsnoop $theirs (lost lines $drlost); matched $1, latency off by >5%: $2, largest gap $(awk -v w="$3" 'BEGIN { printf "%.2f%%", w * 100 }')"
[ "$theirs" -gt 0 ] || fail "drsnoop saw no stall: $figures"
within_2pct "$ours" "$theirs" || fail "counts differ by more than 2%: $figures"
[ "$2" = 0 ] || fail "latencies of matched stalls differ: $figures"
pass "$figures"
