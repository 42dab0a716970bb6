# SPDX-License-Identifier: GPL-2.0
# report-boost: the report's watermark_boost finding from a real boost.
#   The allocator boosts a zone's watermarks when an allocation falls back to
#   a pageblock of another migrate type, and wakes kswapd, whose next
#   balancing pass resets the boost (mm/page_alloc.c boost_watermark,
#   mm/vmscan.c balance_pgdat): a boost lasts microseconds unless kswapd
#   cannot run. A boost needs a fragmenting fallback (one from a free block
#   smaller than a pageblock: a whole free pageblock is claimed without one),
#   so `fragment -H` first fills memory and frees every other page, leaving
#   free memory as order-0 holes in movable pageblocks, and holds it
#   (proactive compaction off meanwhile). Then every kswapd and kcompactd is
#   moved to CPU 1 and held off there by a SCHED_FIFO busy loop (starve; this
#   test and its helpers stay on CPU 0, nothing else runs on CPU 1), and the pipes helper's unmovable allocations
#   (32768 pipes: inodes, files, buffer arrays, about 80 MiB of slab) fall
#   back into those holes during one report window. The report, which reads
#   /proc/zoneinfo again at the window's end, must name each boosted zone with
#   the boost zoneinfo shows just before and just after that read.
set -eu
. "$(dirname "$0")/lib.sh"
require_vm
factor=/proc/sys/vm/watermark_boost_factor
[ -r $factor ] && [ "$(cat $factor)" -gt 0 ] || skip "no watermark boosting here ($factor)"
grep -q '^ *boost ' /proc/zoneinfo || skip "/proc/zoneinfo shows no boost"
[ "$(grep -c ^processor /proc/cpuinfo)" -ge 2 ] || skip "one CPU: kswapd cannot be held off"
# Every node's kswapd and kcompactd (kcompactd, woken after a boosted pass or
# proactively, would merge the holes back into free pageblocks).
kthreads=$(for p in /proc/[0-9]*; do case "$(cat $p/comm 2> /dev/null)" in kswapd[0-9]* | kcompactd[0-9]*) echo ${p#/proc/} ;; esac; done | tr '\n' ' ')
[ -n "$kthreads" ] || skip "no kswapd"

proactive=/proc/sys/vm/compaction_proactiveness
oldpro=$(cat $proactive 2> /dev/null || true)
# Nothing but starve may run on CPU 1 while it holds: real-time throttling off
# and, where the kernel has one (6.12+), CPU 1's fair deadline server at 0
# (debugfs, mounted in a mount namespace of its own); both restored after.
rtrun=/proc/sys/kernel/sched_rt_runtime_us
oldrt=$(cat $rtrun)
fair() { unshare -m sh -c "mount -t debugfs none /sys/kernel/debug 2> /dev/null; f=/sys/kernel/debug/sched/fair_server/cpu1/runtime; [ -e \$f ] || exit 0; $1"; }
oldfair=$(fair 'cat $f' 2> /dev/null || true)
unstarve() { echo $oldrt > $rtrun; [ -z "$oldfair" ] || fair "echo $oldfair > \$f"; }
rep= pipes= starve= frag=
trap '[ -z "$pipes" ] || kill $pipes 2> /dev/null; [ -z "$rep" ] || kill -INT $rep 2> /dev/null; [ -z "$starve" ] || kill $starve 2> /dev/null; [ -z "$frag" ] || kill $frag 2> /dev/null; wait; unstarve; [ -z "$oldpro" ] || echo $oldpro > $proactive' EXIT

# Everything of this test on CPU 0: CPU 1 is starve's alone.
taskset -p 1 $$ > /dev/null || skip "taskset cannot bind this shell to CPU 0"

# boosts: "node zone pages" for every boosted zone of /proc/zoneinfo.
boosts() {
	awk '/^Node/ { n = $2; sub(",", "", n); z = $4 } $1 == "boost" && $2 > 0 { print n, z, $2 }' /proc/zoneinfo
}
[ -z "$(boosts)" ] || sleep 1
before=$(boosts)

# fragment's own fill (MemFree less 48 MiB: filled closer, the guest ran out
# of memory) leaves some pageblocks free whole, which a fallback claims first
# and without a boost: the pipes' slab outgrows them (about 80 MiB).
[ -z "$oldpro" ] || echo 0 > $proactive
fragment -H > /tmp/frag.out 2>&1 &
frag=$!
wait_holding $frag /tmp/frag.out
echo -1 > $rtrun
[ -z "$oldfair" ] || fair 'echo 0 > $f'
# shellcheck disable=SC2086
starve 1 600 $kthreads > /tmp/starve.out 2>&1 &
starve=$!
wait_holding $starve /tmp/starve.out

report_start /tmp/rb.json /tmp/rb.err
pipes 32768 > /tmp/pipes.out 2>&1 &
pipes=$!
wait_holding $pipes /tmp/pipes.out
b0=$(boosts)
kill -INT $rep 2> /dev/null || fail "the report ended before its window did: $(grep -v '^libbpf' /tmp/rb.err | tail -c 300)"
wait $rep || fail "the report exited $?: $(grep -v '^libbpf' /tmp/rb.err | head -c 300)"
rep=
b1=$(boosts)
kill $starve 2> /dev/null || true
wait $starve 2> /dev/null || true
starve=
unstarve
[ -z "$oldpro" ] || echo $oldpro > $proactive
kill $pipes $frag 2> /dev/null || true
wait $pipes $frag 2> /dev/null || true
pipes= frag=
# Leave memory as it was found: the slabs that fell back into movable blocks
# keep them mixed until compacted.
echo 1 > /proc/sys/vm/compact_memory 2> /dev/null || true

# The report's watermark_boost findings as "node zone bytes", from their text and figure.
found=$(tr '{' '\n' < /tmp/rb.json | grep '"id":"watermark_boost"' |
	sed -n 's/.*"text":"node \([0-9]*\) zone \([A-Za-z0-9]*\) .*"figure":\([0-9.e+]*\).*/\1 \2 \3/p')
extfrag=$(sed -n 's/.*"extfrag":{"events":\([0-9]*\),"fragmenting":\([0-9]*\).*/\1 fallbacks, \2 fragmenting/p' /tmp/rb.json)
figures="zoneinfo boost (node zone pages): before '$before', at the report's end '$b0' / '$b1'; report: '$found'; extfrag in the window: ${extfrag:-none}"
[ -n "$b0" ] || fail "no boost while kswapd was held off: $figures"
[ -n "$found" ] || fail "no watermark_boost finding: $figures"
# Per zone, the report's figure (absent: 0) lies between the boosts zoneinfo
# showed just before and just after the report's end read (absent: 0), and at
# least one zone is named with a boost.
page=4096 # both architectures' guests (Debian's arm64 kernel uses 4 KiB pages)
# v LIST MULT: the value LIST holds for zone $n $zn, times MULT (0 when absent).
v() { echo "$1" | awk -v n="$n" -v z="$zn" -v p="$2" '$1 == n && $2 == z { x = $3 * p } END { print x + 0 }'; }
held=0
for z in $(printf '%s\n%s\n%s\n' "$b0" "$b1" "$found" | awk 'NF == 3 { print $1 ":" $2 }' | sort -u); do
	n=${z%%:*} zn=${z#*:}
	x0=$(v "$b0" $page) x1=$(v "$b1" $page) r=$(v "$found" 1)
	# The JSON carries 6 significant digits: bounds widened by that rounding only.
	awk -v r="$r" -v a="$x0" -v b="$x1" 'BEGIN { lo = a < b ? a : b; hi = a < b ? b : a; e = r * 1e-5; exit !(r + e >= lo && r - e <= hi) }' ||
		fail "node $n zone $zn: report $r bytes, zoneinfo $x0 before and $x1 after: $figures"
	[ "$r" -gt 0 ] && held=1
done
[ $held = 1 ] || fail "no boosted zone named: $figures"
pass "$figures"
