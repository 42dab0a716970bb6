# SPDX-License-Identifier: GPL-2.0
# heatmap-wss: the working set (`wss_bytes`, docs/heatmap.md "Working set") of
# every source this kernel has, on hotcold -m: a hot 16 MiB and a cold 96 MiB
# anonymous mapping made by two adjacent mmaps, which the kernel merges into one
# 112 MiB VMA.
#  - refs, idle and young (the bytes seen referenced, to the page; young both
#    ways in: fexit, and kprobe forced with MMSCOPE_FAULT=fexit): every frame's
#    wss_bytes is at most 16 MiB + 4 MiB for the rest of the process, and the hot
#    set is seen (the largest frame >= 8 MiB: under TCG a sample may see only part
#    of a pass);
#  - damon-vaddr (regions with accesses > 0): every frame's wss_bytes is its
#    regions with accesses > 0, and once DAMON's regions adapted (frames 3 on) the
#    median frame is at most hot + a third of cold (48 MiB);
#  - damon-paddr (own kdamond on the target's physical ranges: a region mixes the
#    target's pages with others'): wss_bytes is its regions with accesses > 0; the
#    figure is printed, not bounded.
# The target shares vCPU 0 with a ticker (see 70-heatmap-damon) and proves it ran:
# its touch counter (hotcold -c) moves by a pass over hot (4096 pages) per frame;
# a run in which it did not says nothing and is run again, up to three times.
set -eu
. "$(dirname "$0")/lib.sh"

command -v hotcold > /dev/null || skip "no hotcold helper"
[ "$(id -u)" = 0 ] || skip "needs root (clear_refs, page_idle, pagemap PFNs, DAMON)"
mmscope heatmap -h > /dev/null 2>&1 || skip "no 'mmscope heatmap' command in this build"
[ "${MMSCOPE_VM:-0}" = 1 ] || skip "own kdamonds write DAMON's sysfs: VM only (natively: tests/integration/t0805-heatmap-wss.sh)"

MIB=1048576
tmp=$(mktemp -d)
hc= ticker=
cleanup() {
	[ -n "$ticker" ] && kill "$ticker" 2> /dev/null
	[ -n "$hc" ] && kill "$hc" 2> /dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
flat=$(mmscope -j features 2> /dev/null | tr -d ' \t\r\n') || true
has() { case $flat in *"\"$1\":true"*) return 0 ;; esac; return 1; }

taskset -c 0 sh -c 'while :; do sleep 0.01; done' &
ticker=$!
start_hotcold() {
	rm -f "$tmp/hc" "$tmp/hc.n"
	taskset -c 0 hotcold -m -H 16 -C 96 -c "$tmp/hc.n" > "$tmp/hc" &
	hc=$!
	i=0
	while ! [ -s "$tmp/hc" ]; do
		i=$((i + 1))
		[ $i -lt 600 ] || fail "hotcold printed nothing"
		sleep 0.1
	done
}
stop_hotcold() {
	kill "$hc" 2> /dev/null || true
	wait "$hc" 2> /dev/null || true
	hc=
}
touches() {
	n=$(sed 's/^0*//' "$tmp/hc.n" 2> /dev/null)
	echo "${n:-0}"
}

# frames FILE: per frame "WSS OWN" (wss_bytes, and the bytes of its regions with
# accesses > 0), one line each; only the frames array (it ends at "]}]").
frames() {
	tr '{' '\n' < "$1" | awk '
	function num(k,   t) {
		t = $0; if (!sub(".*\"" k "\": *", "", t)) return -1
		sub(/[^0-9.eE+-].*/, "", t); return t + 0
	}
	function flush() { if (n) printf "%d %d\n", w, own }
	done { next }
	/"t_ns"/ { flush(); n++; w = num("wss_bytes"); own = 0 }
	n && /"start"/ && /"accesses"/ { if (num("accesses") > 0) own += num("end") - num("start") }
	/\]\}\]/ { flush(); done = 1; n = 0 }
	END { flush() }'
}

figures= failed=
check() {
	src=$1
	frames "$tmp/$src.json" > "$tmp/$src.w"
	list=$(awk '{ printf "%.1f ", $1 / 1048576 }' "$tmp/$src.w")
	verdict=$(awk -v src="$src" -v mib=$MIB '
	{ n++; w[n] = $1; if ($1 > max) max = $1
	  if (src != "refs" && $1 != $2) bad = bad sprintf(" frame %d: wss %d != regions %d;", n, $1, $2) }
	END {
		if (n < 4) bad = bad " " n " frames;"
		if (src == "refs" || src == "idle" || src ~ /^young/) {
			if (max > 20 * mib) bad = bad sprintf(" a frame says %.1f MiB;", max / mib)
			if (max < 8 * mib) bad = bad " hot set never seen;"
		}
		if (src == "damon-vaddr") {
			m = 0
			for (i = 3; i <= n; i++) v[++m] = w[i]
			for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
			med = m ? v[int((m + 1) / 2)] : 0
			if (med > 48 * mib) bad = bad sprintf(" median of frames 3.. %.1f MiB;", med / mib)
		}
		print bad == "" ? "ok" : "bad:" bad
	}' "$tmp/$src.w")
	line="$src wss MiB $list(touches $ran)"
	case $verdict in
	ok) figures="$figures $line;" ;;
	*) failed="$failed $line ${verdict#bad:}" ;;
	esac
}

sources=refs
has page_idle && sources="$sources idle"
# young needs fexit or a kprobe on a ptep_test_and_clear_young() that is a function
# (arm64 inlines it): not where features skips it (71-heatmap-pages checks that
# refusal).
case $flat in *'{"backend":"young","reason":'*) ;;
*'"fentry":true'* | *'"kprobes":true'*) sources="$sources young" ;;
esac
# young's second way in, forced (MMSCOPE_FAULT=fexit: as if fexit were refused).
case $flat in *'{"backend":"young","reason":'*) ;;
*'"kprobes":true'*) sources="$sources young-kprobe" ;;
esac
has damon_vaddr && sources="$sources damon-vaddr"
has damon_paddr && sources="$sources damon-paddr"
# One target for every source (faulting 112 MiB in under TCG takes a while):
# the sources run one after the other, each undoing what it set up.
start_hotcold
for src in $sources; do
	for attempt in 1 2 3; do
		t0=$(touches)
		rc=0
		fault= arg=$src
		[ "$src" = young-kprobe ] && fault=fexit arg=young
		# Page sources: 4 frames of 500 ms; DAMON's regions need a few 1 s
		# aggregations to adapt (its median is over frames 3..5).
		case $src in damon-*) aggr=1000 frames=5 ;; *) aggr=500 frames=4 ;; esac
		MMSCOPE_FAULT=$fault mmscope heatmap --source "$arg" -p "$hc" --aging 100 --aggregate $aggr \
			--frames $frames -j > "$tmp/$src.json" 2> "$tmp/err" || rc=$?
		t1=$(touches)
		# -j puts the error document on stdout: both say why.
		[ "$rc" = 0 ] || fail "$src: exit $rc: $(head -c 300 "$tmp/err") $(head -c 300 "$tmp/$src.json")"
		ran=$((t1 - t0))
		[ "$ran" -ge $((frames * 4096)) ] && break
		figures="$figures $src: target starved ($ran touches), run again;"
		[ $attempt -lt 3 ] || fail "$src: the target made less than a pass over hot per frame in three runs:$figures"
	done
	[ "$src" != young-kprobe ] || grep -q '"source_detail": *"clear_refs + kprobe' "$tmp/$src.json" ||
		failed="$failed young-kprobe: not the kprobe way: $(grep -o '"source_detail": *"[^"]*"' "$tmp/$src.json");"
	check "$src"
done
stop_hotcold
[ -z "$failed" ] || fail "$failed ok:$figures"
pass "$figures"
