# SPDX-License-Identifier: GPL-2.0
# heatmap-mglru: the `mglru` source (seed 001's mechanism: MGLRU aging of the
# target's memcg through debugfs lru_gen, accessed pages harvested by BPF on
# ptep_test_and_clear_young() during the aging walk) on hotcold -H 16 -C 16
# beside a ticker on its vCPU (see 70-heatmap-damon):
#  - 4 frames; the hot mapping's mean accesses >= 0.2 and >= 5x the cold one's;
#    every frame's wss_bytes is at most 16 MiB + 4 MiB and the largest >= 8 MiB;
#  - the aging is real: the memcg's youngest generation (max_seq in lru_gen)
#    moved by at least one per sample;
#  - debugfs is mounted only in mmscope's private mount namespace: the debugfs
#    lines of /proc/mounts read the same before and after;
#  - the target proves it ran (its touch counter moved a pass per frame).
# Kernels with MGLRU on (test-7.2; debian-6.1, whose /init turns lru_gen on) and
# fexit or kprobes.
set -eu
. "$(dirname "$0")/lib.sh"

command -v hotcold > /dev/null || skip "no hotcold helper"
[ "$(id -u)" = 0 ] || skip "needs root (debugfs, BPF)"
[ "${MMSCOPE_VM:-0}" = 1 ] || skip "ages a memcg through debugfs: VM only"
[ -w /sys/kernel/mm/lru_gen/enabled ] || skip "no MGLRU (CONFIG_LRU_GEN)"
lru0=
MIB=1048576
tmp=$(mktemp -d)
hc= ticker=
cleanup() {
	[ "$lru0" = 0x0000 ] && echo n > /sys/kernel/mm/lru_gen/enabled
	[ -n "$ticker" ] && kill "$ticker" 2> /dev/null
	[ -n "$hc" ] && kill "$hc" 2> /dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
# Debian builds MGLRU in but ships it off: mmscope refuses then (exit 3, saying
# so); the test turns it on for itself and back off at the end.
lru0=$(cat /sys/kernel/mm/lru_gen/enabled)
if [ "$lru0" = 0x0000 ]; then
	rc=0
	mmscope heatmap --source mglru -p $$ -d 1 > /tmp/mglru-off.err 2>&1 || rc=$?
	[ $rc = 3 ] && grep -q "MGLRU is off" /tmp/mglru-off.err ||
		fail "with MGLRU off: exit $rc, want 3 saying MGLRU is off: $(head -c 200 /tmp/mglru-off.err)"
	echo y > /sys/kernel/mm/lru_gen/enabled
fi
flat=$(mmscope -j features 2> /dev/null | tr -d ' \t\r\n') || true
case $flat in *'"fentry":true'* | *'"kprobes":true'*) ;; *) skip "neither fexit nor kprobes" ;; esac
# mglru harvests the walk through young's BPF hook on ptep_test_and_clear_young():
# where features skips mglru with MGLRU on (arm64 inlines that function and has no
# kprobes), the source must refuse the same way, exit 3, and the test ends there.
case $flat in *'{"backend":"mglru","reason":'*)
	rc=0
	mmscope heatmap --source mglru -p $$ -d 1 > /tmp/mglru-no.err 2>&1 || rc=$?
	[ $rc = 3 ] && grep -q "ptep_test_and_clear_young" /tmp/mglru-no.err ||
		fail "features skips mglru, but the source: exit $rc: $(head -c 200 /tmp/mglru-no.err)"
	skip "features skips mglru here and the source refuses with exit 3: $(head -c 160 /tmp/mglru-no.err)" ;;
esac

touches() {
	n=$(sed 's/^0*//' "$tmp/hc.n" 2> /dev/null)
	echo "${n:-0}"
}
# max_seq: the target's memcg's youngest generation on node 0 (the guest's /init
# mounts debugfs; mmscope still mounts its own, privately).
cg=$(awk -F: '$1 == 0 { print $3 }' /proc/self/cgroup)
max_seq() {
	awk -v cg="${cg:-/}" '
		$1 == "memcg" { p = $0; sub(/^memcg +[0-9]+ */, "", p); in_cg = (p == cg || (p == "" && cg == "/")); next }
		$1 == "node" { node = $2; next }
		in_cg && node == 0 && $1 ~ /^[0-9]+$/ { s = $1 }
		END { print s + 0 }' /sys/kernel/debug/lru_gen
}

mounts0=$(grep -c debugfs /proc/mounts || true)
taskset -c 0 sh -c 'while :; do sleep 0.01; done' &
ticker=$!
taskset -c 0 hotcold -H 16 -C 16 -c "$tmp/hc.n" > "$tmp/hc" &
hc=$!
i=0
while ! [ -s "$tmp/hc" ]; do
	i=$((i + 1))
	[ $i -lt 300 ] || fail "hotcold printed nothing"
	sleep 0.1
done
set -- $(sed 's/-/ /g' "$tmp/hc")
hs=$(($2)) he=$(($3)) cs=$(($5)) ce=$(($6))

for attempt in 1 2 3; do
	seq0=$(max_seq)
	t0=$(touches)
	rc=0
	mmscope heatmap --source mglru -p "$hc" --aging 200 --aggregate 1000 --frames 4 -j \
		> "$tmp/m.json" 2> "$tmp/err" || rc=$?
	t1=$(touches)
	seq1=$(max_seq)
	[ "$rc" = 0 ] || fail "exit $rc: $(head -c 400 "$tmp/err") $(head -c 300 "$tmp/m.json")"
	ran=$((t1 - t0))
	[ "$ran" -ge $((4 * 4096)) ] && break
	[ $attempt -lt 3 ] || fail "the target made less than a pass over hot per frame in three runs"
done
mounts1=$(grep -c debugfs /proc/mounts || true)
[ "$mounts1" = "$mounts0" ] || fail "debugfs mounts here: $mounts0 before, $mounts1 after"

# Per frame: hot and cold byte-weighted accesses and wss_bytes; then the means.
tr '{' '\n' < "$tmp/m.json" | awk -v hs=$hs -v he=$he -v cs=$cs -v ce=$ce -v mib=$MIB '
	function num(k,   t) { t = $0; if (!sub(".*\"" k "\": *", "", t)) return -1
		sub(/[^0-9.eE+-].*/, "", t); return t + 0 }
	function ov(a, b, lo, hi) { a = a > lo ? a : lo; b = b < hi ? b : hi; return b > a ? b - a : 0 }
	done { next }
	/"t_ns"/ { n++; w = num("wss_bytes"); if (w > max) max = w; if (w > 20 * mib) big++ ; ws = ws sprintf("%.1f ", w / mib) }
	n && /"start"/ && /"accesses"/ { s = num("start"); e = num("end"); a = num("accesses")
		o = ov(s, e, hs, he); hsum += a * o; hw += o
		o = ov(s, e, cs, ce); csum += a * o; cw += o }
	/\]\}\]/ { done = 1 }
	END { h = hw ? hsum / hw : 0; c = cw ? csum / cw : 0
		printf "%d %.4f %.4f %d %d %s\n", n, h, c, max, big + 0, ws }' > "$tmp/fig"
read -r frames hot cold max big ws < "$tmp/fig"
detail=$(grep -o '"source_detail": *"[^"]*"' "$tmp/m.json" | head -c 300)
figures="frames=$frames hot=$hot cold=$cold wss MiB $ws max_seq $seq0->$seq1 touches=$ran $detail"
ok=$(awk -v f=$frames -v h=$hot -v c=$cold -v m=$max -v b=$big -v mib=$MIB -v s0=$seq0 -v s1=$seq1 'BEGIN {
	print (f == 4 && h >= 0.2 && h >= 5 * c && b == 0 && m >= 8 * mib && s1 - s0 >= 4) ? 1 : 0 }')
[ "$ok" = 1 ] || fail "want 4 frames, hot >= 0.2 and >= 5x cold, wss <= 20 MiB and max >= 8 MiB, max_seq up >= 4: $figures"
pass "$figures"
