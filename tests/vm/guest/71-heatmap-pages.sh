# SPDX-License-Identifier: GPL-2.0
# heatmap-pages: the page-level and mapping-level heatmap sources, `idle` (idle
# page tracking: the 7.2 test kernel), `young` (clear_refs seen per page by BPF on
# ptep_test_and_clear_young(): kernels with fexit or kprobes, both VM kernels) and
# `refs` (clear_refs + smaps Referenced: every kernel), on the hotcold helper (a 16 MiB hot mapping written page by page
# all the time, a 16 MiB cold one written once). For each source this kernel has:
# `mmscope heatmap --source S -p PID --frames 3 -j` exits 0 with 3 frames (frames,
# not -d: under TCG a sample can take longer than the aging interval); every frame
# covers both mappings completely; the hot mapping's mean accesses over the run
# (byte-weighted) is at least 5x the cold one's and at least 0.2 (under TCG one
# pass over hot takes a good part of the 100 ms aging interval, so a sample sees
# only part of it touched); the target still runs afterwards and no mmscope of
# ours is left. A source the kernel lacks must exit 3 with
# a reason (idle without /sys/kernel/mm/page_idle/bitmap); refs must work.
set -eu
. "$(dirname "$0")/lib.sh"

command -v hotcold > /dev/null || skip "no hotcold helper"
[ "$(id -u)" = 0 ] || skip "needs root (clear_refs, page_idle, pagemap PFNs)"
mmscope heatmap -h > /dev/null 2>&1 || skip "no 'mmscope heatmap' command in this build"

tmp=/tmp/heatmap-pages.$$
mkdir -p $tmp
# The target and mmscope share vCPU 0. One CI run saw refs read the hot mapping as
# never accessed (hot 0.0000 in all three frames, right after idle saw 0.91), not
# reproduced since, cause not established (the diagnostics below print what would
# tell; a failed run is run once more, and both are shown). One candidate: x86 sets a page's accessed bit only when it loads the
# translation into the TLB, neither clear_refs nor page_idle flushes it, and
# QEMU's software TLB holds thousands of entries, flushed on a context switch (CR3
# write). Sharing a vCPU makes those switches regular, as for most processes on a
# real machine (docs/heatmap.md, "Accessed bits and the TLB"). The target alone on
# vCPU 1 still read hot 1.0000 in a run made to check it.
taskset -c 0 hotcold -H 16 -C 16 > $tmp/hotcold.out &
target=$!
trap 'kill $target 2> /dev/null || true; rm -rf $tmp' EXIT
i=0
until [ -s $tmp/hotcold.out ]; do
	i=$((i + 1))
	[ $i -le 300 ] || fail "hotcold printed nothing in 30 s"
	kill -0 $target 2> /dev/null || fail "hotcold exited: $(cat $tmp/hotcold.out)"
	sleep 0.1
done
# "hot 0xSTART-0xEND cold 0xSTART-0xEND" -> decimal (busybox printf reads hex).
set -- $(sed 's/[-]/ /g' $tmp/hotcold.out)
hot_lo=$(printf '%d' "$2") hot_hi=$(printf '%d' "$3")
cold_lo=$(printf '%d' "$5") cold_hi=$(printf '%d' "$6")

# check JSON: "frames hot_mean cold_mean worst_cover" where worst_cover is the
# smallest fraction of either mapping that a frame's regions cover. Only the
# "frames" array counts: it ends at the first "]}]" (the summary after it has
# start/end/accesses objects too).
check() {
	tr '{' '\n' < "$1" | awk -v hl=$hot_lo -v hh=$hot_hi -v cl=$cold_lo -v ch=$cold_hi '
	function ov(a, b, lo, hi) { a = a > lo ? a : lo; b = b < hi ? b : hi; return b > a ? b - a : 0 }
	function close_frame() {
		if (!frames) return
		c = hb / (hh - hl); if (c < worst) worst = c
		c = cb / (ch - cl); if (c < worst) worst = c
	}
	BEGIN { worst = 1; frames = 0; done = 0 }
	done { next }
	/"t_ns"/ { close_frame(); frames++; hb = 0; cb = 0 }
	frames && /"start"/ {
		s = $0; sub(/.*"start": */, "", s); sub(/[^0-9].*/, "", s)
		e = $0; sub(/.*"end": */, "", e); sub(/[^0-9].*/, "", e)
		a = $0; sub(/.*"accesses": */, "", a); sub(/[^0-9.eE+-].*/, "", a)
		s += 0; e += 0; a += 0
		o = ov(s, e, hl, hh); hb += o; hsum += a * o; hw += o
		o = ov(s, e, cl, ch); cb += o; csum += a * o; cw += o
	}
	/\]\}\]/ { done = 1 }
	END {
		close_frame()
		if (!frames) worst = 0
		printf "%d %.4f %.4f %.3f\n", frames, hw ? hsum / hw : 0, cw ? csum / cw : 0, worst
	}'
}

# run SRC: one run of the source; sets line and ok (1 when its figures pass), or
# returns 3 with why set when the source cannot run here, 1 on another exit.
run() {
	rc=0
	taskset -c 0 mmscope heatmap --source $1 -p $target --frames 3 -j > $tmp/$1.json \
		2> $tmp/$1.err || rc=$?
	why=$(cat $tmp/$1.err $tmp/$1.json | head -c 160)
	[ $rc = 0 ] || return $rc
	set -- $(check $tmp/$1.json)
	line="$src: $1 frames hot $2 cold $3 cover $4"
	ok=$(awk -v f=$1 -v h=$2 -v c=$3 -v w=$4 \
		'BEGIN { print (f == 3 && h >= 0.2 && h >= 5 * c && w >= 0.999) ? 1 : 0 }')
}

results= failed= ran=0
flat=$(mmscope -j features 2> /dev/null | tr -d ' \t\r\n') || true
for src in idle young refs; do
	rc=0
	run $src || rc=$?
	if [ $rc = 3 ]; then
		# Only idle may be missing, and only without page_idle.
		if [ $src = idle ] && [ ! -e /sys/kernel/mm/page_idle/bitmap ]; then
			results="$results $src: unavailable (exit 3: $why);"
			continue
		fi
		# young needs fexit or a kprobe on a ptep_test_and_clear_young() that
		# is a function (arm64 inlines it): only where features skips it.
		case $flat in *'{"backend":"young","reason":'*)
			if [ $src = young ]; then
				results="$results $src: unavailable (exit 3: $why);"
				continue
			fi ;;
		esac
		failed="$failed $src: exit 3 ($why);"
		continue
	fi
	[ $rc = 0 ] || { failed="$failed $src: exit $rc ($why);"; continue; }
	ran=$((ran + 1))
	if [ "$ok" != 1 ]; then
		# Once, the hot mapping read as never accessed (see the top): say what
		# the system looked like, and run the source again; both runs are shown.
		echo "target: $(grep -E '^(State|voluntary_ctxt|nonvoluntary_ctxt|Cpus_allowed_list)' /proc/$target/status | tr '\n\t' '  ')"
		echo "pressure: $(head -n 1 /proc/pressure/memory 2> /dev/null); $(grep -E '^(pgscan_kswapd|pgscan_direct|workingset_refault_anon) ' /proc/vmstat | tr '\n' ' ')"
		echo "$src frames: $(head -c 600 $tmp/$src.json)"
		first=$line
		rc=0
		run $src || rc=$?
		[ $rc = 0 ] || line="$src: exit $rc on the second run ($why)"
		line="$line (second run; the first: $first)"
	fi
	if [ "$ok" = 1 ]; then
		results="$results $line;"
	else
		failed="$failed $line (want 3 frames, hot >= 0.2 and >= 5x cold, cover 1);"
	fi
	kill -0 $target 2> /dev/null || fail "$src killed the target; $results$failed"
done

# Nothing left behind: no mmscope of ours still running (the target is ours to stop).
left=$(ps 2> /dev/null | grep "[m]mscope heatmap --source [a-z]* -p $target " || true)
[ -z "$left" ] || failed="$failed leftover: $left;"
kill $target 2> /dev/null || true
wait $target 2> /dev/null || true
trap - EXIT
rm -rf $tmp

[ -z "$failed" ] || fail "$failed ok:$results"
[ $ran -ge 1 ] || fail "no source ran:$results"
pass "$results"
