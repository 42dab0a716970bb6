#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mmscope reclaim against the kernel's own count: memcg reclaim in a v1 memory
# cgroup of our own (page cache four times its limit), counted by mmscope -c (the
# filter runs in BPF) and by perf stat on the same workload; within 2%.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/trace_lib.sh"

WL=$TOP/build/workloads
MEMCG=/sys/fs/cgroup/memory
if ! is_root; then
	skip reclaim "needs root"
	exit 0
fi
[ -w "$MEMCG" ] || { skip reclaim "no v1 memory hierarchy at $MEMCG"; exit 0; }
[ -x "$WL/pagecache" ] || make -C "$TOP" workloads >/dev/null 2>&1
CG=$MEMCG/mmscope-t0500-$$
FILE=$SCRATCH/data
trap 'rmdir "$CG" 2>/dev/null; rm -rf "$SCRATCH"' EXIT
mkdir "$CG" && echo $((16 << 20)) >"$CG/memory.limit_in_bytes" || { not_ok reclaim-cgroup "cannot create $CG"; exit 0; }
# On disk, not tmpfs, so its pages are reclaimable page cache; dropped from the
# cache after writing so that reading charges them to the cgroup.
FILE=/var/tmp/mmscope-t0500-$$
trap 'rmdir "$CG" 2>/dev/null; rm -f "$FILE"; rm -rf "$SCRATCH"' EXIT
dd if=/dev/zero of="$FILE" bs=1M count=64 conv=fsync status=none
drop() { python3 -c 'import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)' "$FILE"; }

expect_status reclaim-bad-cgroup 2 "$MMSCOPE" reclaim -c /no/such/cgroup -d 1
expect_status reclaim-root-dir 3 "$MMSCOPE" --root "$FIXTURES/host-6.18/root" reclaim -d 1

if ! have_perf; then
	skip reclaim-vs-kernel "no perf (scripts/install-deps.sh --test installs linux-perf)"
	exit 0
fi
drop
"$MMSCOPE" -j reclaim -c "$CG" >"$SCRATCH/r.json" 2>"$SCRATCH/r.err" &
tracer=$!
sleep 1.5
kernel=$(kernel_count vmscan:mm_vmscan_memcg_reclaim_begin "$WL/cgexec" "$CG" "$WL/pagecache" "$FILE")
sleep 0.5
kill -INT $tracer
wait $tracer
st=$?
[ "$st" = 0 ] && ok reclaim-sigint-exit-0 || not_ok reclaim-sigint-exit-0 "exit $st: $(head -c 200 "$SCRATCH/r.err")"
ours=$(summary_get "$SCRATCH/r.json" stalls)
lost=$(summary_get "$SCRATCH/r.json" lost)
lines=$(json_lines_count "$SCRATCH/r.json" stall)
echo "# memcg reclaim: mmscope $ours stalls ($lines lines, lost $lost), kernel $kernel"
if [ -n "$kernel" ] && [ "$kernel" -gt 0 ] && within_2pct "$ours" "$kernel"; then
	ok reclaim-count-vs-perf
else
	not_ok reclaim-count-vs-perf "mmscope $ours, perf $kernel"
fi
[ "$lines" = "$ours" ] && ok reclaim-lines-match-summary || not_ok reclaim-lines-match-summary "$lines lines, summary $ours"
name=/$(basename "$CG")
others=$(grep '"type":"stall"' "$SCRATCH/r.json" | grep -vc "\"cgroup\":\"$name\"")
[ "$others" = 0 ] && ok reclaim-cgroup-path || not_ok reclaim-cgroup-path "$others stalls outside $name"
grep '"type":"stall"' "$SCRATCH/r.json" | head -n 1 >"$SCRATCH/one.json"
kind=$(json_get "$SCRATCH/one.json" "d['kind']")
gfp=$(json_get "$SCRATCH/one.json" "d['gfp_flags']")
[ "$kind" = '"memcg"' ] && ok reclaim-kind-memcg || not_ok reclaim-kind-memcg "kind $kind"
case "$gfp" in *GFP_*) ok reclaim-gfp-named ;; *) not_ok reclaim-gfp-named "gfp_flags $gfp" ;; esac

# A pid filter that matches nothing sees nothing (filtered in BPF): an idle process
# (a pid that does not exist is refused, exit 2: t0000-cli.sh).
drop
sleep 30 &
idle=$!
"$MMSCOPE" -j reclaim -p $idle -d 3 >"$SCRATCH/p.json" 2>&1 &
tracer=$!
sleep 1
"$WL/cgexec" "$CG" "$WL/pagecache" "$FILE" >/dev/null
wait $tracer
kill $idle
n=$(summary_get "$SCRATCH/p.json" stalls)
[ "$n" = 0 ] && ok reclaim-pid-filter || not_ok reclaim-pid-filter "$n stalls with -p of an idle process"

# -H: histograms and a summary, exit 0 after -d.
drop
"$MMSCOPE" reclaim -H -c "$CG" -d 3 >"$SCRATCH/h.txt" 2>&1 &
tracer=$!
sleep 1
"$WL/cgexec" "$CG" "$WL/pagecache" "$FILE" >/dev/null
wait $tracer
st=$?
if [ "$st" = 0 ] && grep -q 'memcg reclaim latency' "$SCRATCH/h.txt" && grep -q 'usecs' "$SCRATCH/h.txt"; then
	ok reclaim-histogram
else
	not_ok reclaim-histogram "exit $st: $(head -c 300 "$SCRATCH/h.txt")"
fi

# Text lines (built without printf, written through a buffered stdout flushed
# once per ring-buffer drain): one per stall with every column in place (time,
# comm, pid, kind, order, latency in ms with 3 decimals, pages reclaimed, the
# cgroup's path, gfp flags), and as many as the summary counts.
drop
"$MMSCOPE" reclaim -c "$CG" -d 3 >"$SCRATCH/t.txt" 2>/dev/null &
tracer=$!
sleep 1
"$WL/cgexec" "$CG" "$WL/pagecache" "$FILE" >/dev/null
wait $tracer
name=/$(basename "$CG")
stalls=$(sed -n 's/^summary over .*: \([0-9]*\) stalls.*/\1/p' "$SCRATCH/t.txt")
lines=$(grep -c '^[0-9][0-9]:[0-9][0-9]:[0-9][0-9] ' "$SCRATCH/t.txt")
good=$(grep -cE "^[0-9]{2}:[0-9]{2}:[0-9]{2} .{16} +[0-9]+ memcg +[0-9]+ +[0-9]+\.[0-9]{3} +[0-9]+  $name +GFP_" "$SCRATCH/t.txt")
if [ -n "$stalls" ] && [ "$stalls" -gt 0 ] && [ "$lines" = "$stalls" ] && [ "$good" = "$lines" ]; then
	ok reclaim-text-lines "$lines lines, summary $stalls"
else
	not_ok reclaim-text-lines "$lines lines ($good well-formed), summary $stalls: $(sed -n 2p "$SCRATCH/t.txt")"
fi
