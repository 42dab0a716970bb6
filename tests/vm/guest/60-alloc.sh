# SPDX-License-Identifier: GPL-2.0
# alloc: on a kernel with /proc/allocinfo, one snapshot is copied into a --root
# tree and every filter of `mmscope alloc` must select exactly the sites the same
# filter written in awk selects from that copy; then `mmscope alloc --backend
# allocinfo --diff` (bpf-tags' is 62-alloc-tags) around
# a burst of 4000 pipes (pipes helper) must see fs/pipe.c alloc_pipe_info grow by
# about two allocations per pipe. Without allocation profiling, --backend allocinfo
# must exit 3 and the bpf-trace backend (the automatic choice) must attribute the
# same burst to alloc_pipe_info; with profiling, bpf-trace selected must too.
set -eu
. "$(dirname "$0")/lib.sh"

command -v pipes > /dev/null || skip "no pipes helper"
n=4000

# sites JSON_FILE: "bytes calls file:line func:name" per site, from mmscope's JSON.
sites() {
	tr '{' '\n' < "$1" |
		sed -n 's/^"bytes":\(-*[0-9]*\),"calls":\([0-9]*\),"file":"\([^"]*\)","line":\([0-9]*\),"func":"\([^"]*\)".*/\1 \2 \3:\4 func:\5/p'
}

# trace_burst: mmscope alloc --backend bpf-trace around the pipe burst; sets calls
# and bytes (alloc_pipe_info's), or fails. The burst starts once the six programs
# are attached (loading takes seconds under TCG, more where the first program
# variant is refused), and is held until the report.
trace_burst() {
	mmscope -j alloc --backend bpf-trace --diff 4 --func alloc_pipe_info -n 0 \
		> /tmp/trace.json 2> /tmp/trace.err &
	mpid=$!
	wait_links $mpid 6 || true
	pipes_start $n
	rc=0
	wait $mpid || rc=$?
	pipes_stop
	[ $rc = 0 ] || fail "bpf-trace exit $rc: $(cat /tmp/trace.err) $(head -c 600 /tmp/trace.json)"
	calls=$(sites_sum calls /tmp/trace.json)
	bytes=$(sites_sum bytes /tmp/trace.json)
	[ "$calls" -ge $((2 * n * 95 / 100)) ] && [ "$calls" -le $((2 * n * 110 / 100)) ] &&
		[ "$bytes" -ge $((n * 512)) ] && [ "$bytes" -le $((n * 8192)) ] ||
		fail "bpf-trace: alloc_pipe_info +$calls calls +$bytes bytes for $n pipes"
}

if [ ! -e /proc/allocinfo ]; then
	# No allocation profiling: allocinfo exits 3, and bpf-trace (the automatic
	# choice here) attributes a burst of pipes to alloc_pipe_info.
	rc=0
	mmscope alloc --backend allocinfo > /tmp/alloc.out 2>&1 || rc=$?
	[ $rc = 3 ] || fail "no /proc/allocinfo but --backend allocinfo exit $rc: $(cat /tmp/alloc.out)"
	[ "$(id -u)" = 0 ] || skip "no /proc/allocinfo; bpf-trace needs root"
	rc=0
	mmscope -j alloc -n 1 --diff 0.1 > /tmp/auto.json 2>&1 || rc=$?
	# Where the kernel refuses its programs, features says why and alloc exits 3.
	why=$(mmscope -j features | tr '{' '\n' | sed -n 's/.*"backend":"bpf-trace","reason":"\([^"]*\)".*/\1/p')
	[ -z "$why" ] || { [ $rc = 3 ] && skip "bpf-trace refused (exit 3): $why"; } ||
		fail "features: bpf-trace unavailable ($why), yet alloc exit $rc"
	grep -q '"backend":"bpf-trace"' /tmp/auto.json ||
		fail "automatic backend (exit $rc): $(head -c 200 /tmp/auto.json)"
	trace_burst
	pass "no /proc/allocinfo (allocinfo exit 3); bpf-trace, pipes $n: alloc_pipe_info" \
		"+$calls calls +$bytes bytes"
fi
[ -r /proc/allocinfo ] || skip "/proc/allocinfo is root-only"

tree=/tmp/alloc-root
mkdir -p $tree/proc
cat /proc/allocinfo > $tree/proc/allocinfo
ai=$tree/proc/allocinfo
total=$(($(wc -l < $ai) - 2))

failed= checked=0
# same NAME AWK_CONDITION OPTIONS...: mmscope and awk select the same sites.
same() {
	name=$1 cond=$2
	shift 2
	awk 'NR > 2 { split($3, p, ":"); f = p[1]; fn = substr($4, 6); acc = $NF != "accurate:no";
	              mod = ""; if ($4 ~ /^\[/) mod = substr($4, 2, length($4) - 2) }
	     NR > 2 && ('"$cond"') { print $1, $2, $3, ($4 ~ /^\[/ ? $5 : $4) }' $ai | sort > /tmp/want
	if ! mmscope --root $tree -j alloc -n 0 "$@" > /tmp/got.json 2> /tmp/err; then
		failed="$failed $name(exit: $(cat /tmp/err))"
		return
	fi
	sites /tmp/got.json | sort > /tmp/got
	if cmp -s /tmp/want /tmp/got; then
		echo "ok $name: $(wc -l < /tmp/want) sites"
		checked=$((checked + 1))
	else
		echo "not ok $name: want $(wc -l < /tmp/want), got $(wc -l < /tmp/got)"
		diff /tmp/want /tmp/got | head -5
		failed="$failed $name"
	fi
}

top_line=$(tail -n +3 $ai | sort -rn | head -n 1 | awk '{ split($3, p, ":"); print p[2] }')
module=$(awk 'NR > 2 && $4 ~ /^\[/ { print substr($4, 2, length($4) - 2); exit }' $ai)
same none '1'
same file-substring 'index(f, "mm/")' --file mm/
same file-glob 'index(f, "fs/") == 1' --file 'fs/*'
same file-slub 'index(f, "slub")' --file slub
same func-substring 'index(fn, "kmalloc")' --func kmalloc
same func-glob 'index(fn, "alloc_") == 1' --func 'alloc_*'
same builtin 'mod == ""' --module ''
if [ -n "$module" ]; then
	same module "mod == \"$module\"" --module "$module"
else
	same module-none 'mod == "nosuchmodule"' --module nosuchmodule
fi
same line "p[2] == $top_line" --line "$top_line"
same min-1M '$1 >= 1048576' --min-size 1M
same range '$1 >= 65536 && $1 <= 1048576' --min-size 64K --max-size 1M
same zero '$1 <= 0' --max-size 0
same inaccurate '!acc' --inaccurate
same accurate 'acc' --accurate
same compound 'index(f, "mm/") && $1 >= 100000' --file mm/ --min-size 100000
same compound-func-line "index(fn, \"alloc\") && p[2] == $top_line" --func alloc --line "$top_line"

# --diff around a burst of pipes: alloc_pipe_info's growth is known.
mmscope -j alloc --backend allocinfo --diff 6 --func alloc_pipe_info -n 0 > /tmp/diff-pipe.json 2> /tmp/diff.err &
d1=$!
mmscope -j alloc --backend allocinfo --diff 6 -n 15 > /tmp/diff-all.json 2>> /tmp/diff.err &
d2=$!
sleep 2
pipes_start $n
wait $d1 || failed="$failed diff-exit($(cat /tmp/diff.err))"
wait $d2 || failed="$failed diff-all-exit($(cat /tmp/diff.err))"
pipes_stop
grep -q holding /tmp/pipes.out || fail "pipes: $(cat /tmp/pipes.out)"
calls=$(sites_sum calls_delta /tmp/diff-pipe.json)
bytes=$(sites_sum bytes_delta /tmp/diff-pipe.json)
echo "alloc_pipe_info growth: calls $calls bytes $bytes for $n pipes"
# Two allocations per pipe (pipe_inode_info, the buffer array); a few hundred
# bytes to a few KiB each.
[ "$calls" -ge $((2 * n * 95 / 100)) ] && [ "$calls" -le $((2 * n * 110 / 100)) ] ||
	failed="$failed diff-calls($calls)"
[ "$bytes" -ge $((n * 512)) ] && [ "$bytes" -le $((n * 8192)) ] ||
	failed="$failed diff-bytes($bytes)"
top=$(sites /tmp/diff-all.json | awk '{ print $4 }' | tr '\n' ' ')
echo "top growth: $top"
echo "$top" | grep -q 'func:alloc_pipe_info' || failed="$failed diff-top(alloc_pipe_info not in top 15)"

[ -z "$failed" ] || fail "failed:$failed"
figures="$checked filters match awk on $total sites; pipes $n: alloc_pipe_info +$calls calls +$bytes bytes"
# bpf-trace, selected, works here too, on the same burst.
if [ "$(id -u)" = 0 ]; then
	trace_burst
	figures="$figures; bpf-trace +$calls calls +$bytes bytes"
fi
pass "$figures"
