# SPDX-License-Identifier: GPL-2.0
# report: an idle guest's report has no warning; then one report window, its
# tracers attached, around global direct reclaim (reclaim 50), an OOM kill in a
# cgroup (oom), and direct compaction for THPs under defrag=always (fragment):
# each gives its finding, naming the right process, cgroup, zone and order.
set -eu
. "$(dirname "$0")/lib.sh"
require_vm

# obj FILE KEY VALUE: the JSON objects of FILE (one document on one line) that
# hold "KEY":"VALUE", one per line.
obj() { tr '{' '\n' < "$1" | grep "\"$2\":\"$3\"" || true; }
# field KEY: the value of KEY in the objects on stdin (first one).
field() { tr ',' '\n' | sed -n "s/^\"$1\":\"*\([^\"}]*\)\"*[]}]*\$/\1/p" | head -n 1; }

mmscope -j report -i 1 > /tmp/idle.json 2> /tmp/idle.err || fail "idle report exited $?: $(head -c 200 /tmp/idle.err)"
loud=$(tr '{' '\n' < /tmp/idle.json | grep -E '"severity":"(warning|critical)"' | field id | tr '\n' ' ' || true)
idle="idle: $(tr '{' '\n' < /tmp/idle.json | grep -c '"severity":' || true) findings"
# THP enabled=always is a setting, not a condition of this guest: Debian's default.
loud=$(echo "$loud" | sed 's/thp_enabled_always//; s/^ *//; s/ *$//')
[ -z "$loud" ] || fail "$idle, warnings on an idle guest: $loud ($(head -c 600 /tmp/idle.json))"

defrag=/sys/kernel/mm/transparent_hugepage/defrag
old=$(sed 's/.*\[\(.*\)\].*/\1/' $defrag 2> /dev/null || echo "")
if grep -qw memory /sys/fs/cgroup/cgroup.subtree_control 2> /dev/null; then
	cg=/sys/fs/cgroup/mmscope-report-$$
else
	cg=/sys/fs/cgroup/memory/mmscope-report-$$
fi
holder= rep= hogpid= high=
trap '[ -z "$hogpid" ] || kill $hogpid 2> /dev/null; [ -z "$rep" ] || kill -INT $rep 2> /dev/null; [ -z "$holder" ] || kill $holder 2> /dev/null; [ -z "$old" ] || echo "$old" > $defrag; cg_remove "$cg" "$high"' EXIT
. "$(dirname "$0")/tracelib.sh"
hold_pagecache
# The report reads the THP settings when its window opens: defrag=always then.
[ -z "$old" ] || echo always > $defrag
mmscope -j report -d 600 > /tmp/report.json 2> /tmp/report.err &
rep=$!
wait_links $rep 1 || fail "the report attached no tracers: $(head -c 300 /tmp/report.err)"
# it opens the kernel log right after attaching: wait for that too
i=0
while [ $i -lt 100 ] && ! ls -l /proc/$rep/fd 2> /dev/null | grep -q kmsg; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
reclaim 50 > /dev/null || fail "reclaim helper failed"
oom "$cg" 32 > /tmp/oom.out 2>&1 || fail "oom helper failed: $(cat /tmp/oom.out)"
cs0=$(awk '$1 == "compact_stall" { print $2 }' /proc/vmstat)
fragment > /tmp/fragment.out 2>&1 || fail "fragment helper failed: $(cat /tmp/fragment.out)"
cs1=$(awk '$1 == "compact_stall" { print $2 }' /proc/vmstat)
# memory.high (v2): a cgroup reading 20 MiB of uncached file through an 8 MiB high.
high=
if [ -f "$(dirname "$cg")/cgroup.subtree_control" ] && [ -d /var/tmp ]; then
	high=$(dirname "$cg")/mmscope-high-$$
	mkdir "$high" && echo $((8 << 20)) > "$high/memory.high" || fail "cannot make $high"
	dd if=/dev/zero of=/var/tmp/high bs=1M count=20 2> /dev/null && sync
	echo 1 > /proc/sys/vm/drop_caches
	cgexec "$high" pagecache /var/tmp/high > /dev/null || fail "pagecache in $high failed"
	rm -f /var/tmp/high
fi
kill -INT $rep
wait $rep || fail "the report exited $?: $(head -c 300 /tmp/report.err)"
rep=
kill $holder 2> /dev/null || true
holder=

f=/tmp/report.json
dr=$(obj $f kind direct_reclaim | grep '"comm":"reclaim"' | field count)
drf=$(obj $f id direct_reclaim_stalls | field text)
victim=$(obj $f comm oom | grep '"constraint"' | head -n 1)
vcg=$(echo "$victim" | field cgroup)
vcon=$(echo "$victim" | field constraint)
oomf=$(obj $f id oom_kill | grep -c "killed \`oom\`" || true)
cmp=$(obj $f kind direct_compaction | grep '"comm":"fragment"' | head -n 1)
corder=$(echo "$cmp" | field order)
czone=$(echo "$cmp" | field zone)
cnt=$(echo "$cmp" | field count)
cf=$(obj $f id direct_compaction_stalls | field text)
thpf=$(obj $f id thp_defrag_stalls | grep -c fragment || true)
figures="$idle; direct reclaim by reclaim: ${dr:-none}; OOM victim oom in ${vcg:-?} (${vcon:-?}); compaction by fragment: ${cnt:-none} at order ${corder:-?} zone ${czone:-?}; thp_defrag_stalls ${thpf}"
[ "${dr:-0}" -gt 0 ] || fail "no direct reclaim stalls of the reclaim helper: $figures"
[ -n "$drf" ] || fail "no direct_reclaim_stalls finding: $figures"
[ "$vcg" = "/$(basename "$cg")" ] && [ "$vcon" = CONSTRAINT_MEMCG ] || fail "OOM victim: $figures"
[ "$oomf" -gt 0 ] || fail "no oom_kill finding naming the victim: $figures"
# The compaction checks need the kernel to have compacted directly at all:
# after this test's reclaim and OOM, Debian 11's 5.10 once did not
# (compact_stall unmoved; alone, guest 30's fragment run does). Not judged then,
# and said in the result; compact_stall moving with no stall reported fails.
if [ "$cs1" = "$cs0" ]; then
	figures="$figures; compaction checks not judged: fragment caused no direct compaction here (compact_stall $cs0 -> $cs1)"
else
	[ "${cnt:-0}" -gt 0 ] || fail "no direct compaction stalls of the fragment helper (compact_stall $cs0 -> $cs1): $figures"
	[ "$corder" = 9 ] || fail "compaction order: $figures"
	grep -q "zone $czone\$\|zone *$czone\b" /proc/zoneinfo 2> /dev/null || grep -q "$czone" /proc/zoneinfo || fail "zone $czone is not in zoneinfo: $figures"
	[ -n "$cf" ] || fail "no direct_compaction_stalls finding: $figures"
	[ "$thpf" -gt 0 ] || fail "no thp_defrag_stalls finding: $figures"
fi
if [ -n "$high" ]; then
	hf=$(obj $f id memcg_high | field text)
	figures="$figures; memory.high: ${hf:-no memcg_high}"
	echo "$hf" | grep -q "cgroup /$(basename "$high") went over memory.high" ||
		fail "no memcg_high naming $(basename "$high"): $figures"
fi
ids=$(tr '{' '\n' < $f | sed -n 's/^"id":"\([^"]*\)","severity":"\([a-z]\)[a-z]*".*/\1(\2)/p' | sort -u | tr '\n' ' ')
figures="$figures; findings: $ids"
# NUMA (test-7.2 boots numa=fake=2): node 0 filled by a bound hog, node 1 left
# alone, is an imbalance naming node 0.
n0=/sys/devices/system/node/node0/meminfo n1=/sys/devices/system/node/node1/meminfo
if [ -r $n1 ]; then
	nfree() { awk '/MemFree:/ { print int($4 / 1024) }' "$1"; }
	ntotal() { awk '/MemTotal:/ { print int($4 / 1024) }' "$1"; }
	fill=$(($(nfree $n0) - $(ntotal $n0) / 20))
	[ "$fill" -gt 0 ] || fail "node 0 has too little free to fill: $figures"
	hog -n -N 0 $fill > /tmp/hog.out 2>&1 &
	hogpid=$!
	i=0
	while [ $i -lt 600 ] && ! grep -q holding /tmp/hog.out; do
		kill -0 $hogpid 2> /dev/null || fail "hog -N 0 $fill failed: $(cat /tmp/hog.out)"
		sleep 0.1
		i=$((i + 1))
	done
	free1=$(($(nfree $n1) * 100 / $(ntotal $n1)))
	mmscope -j report -i 0.5 > /tmp/numa.json 2> /tmp/numa.err || fail "numa report exited $?"
	kill $hogpid 2> /dev/null || true
	wait $hogpid 2> /dev/null || true
	numa=$(obj /tmp/numa.json id numa_imbalance | field text)
	figures="$figures; hog $fill MiB on node 0, node 1 ${free1}% free: ${numa:-no numa_imbalance}"
	if [ "$free1" -gt 50 ]; then
		echo "$numa" | grep -q "node 0 has" || fail "no numa_imbalance naming node 0: $figures"
	else
		figures="$figures (node 1 not half free: the NUMA check did not apply)"
	fi
fi
# Kernel memory: where allocation profiling exists, the report reads it at both ends.
if [ -r /proc/allocinfo ]; then
	grep -q '"alloc_growth":\[' $f || fail "allocinfo is there but alloc_growth is not: $figures"
	figures="$figures; alloc_growth read"
fi
pass "$figures"
