#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The heatmap's working set (`wss_bytes`, docs/heatmap.md "Working set") on a
# target whose hot 16 MiB and cold 96 MiB are two adjacent anonymous mmaps, which
# the kernel merges into one VMA (hotcold -m): before, `refs` called the whole
# 112 MiB mapping the working set because some of it was referenced.
#  - refs: every frame's wss_bytes is at most the hot 16 MiB plus 4 MiB for the
#    rest of the process (binary, heap, stack), at least the mean referenced bytes
#    of its samples (sum of accesses x size), and some of the hot set is seen (the
#    largest frame >= 1 MiB: how much depends on the CPU the target gets and the
#    TLB, docs/heatmap.md); the run's summary agrees with the frames;
#  - damon-paddr (read-only on a running paddr kdamond not ours, as t0810): the
#    target (damon_place) keeps 16 MiB hot in the lower half of that kdamond's
#    physical range and up to 96 MiB cold in the upper half; wss_bytes is the bytes
#    of regions with accesses > 0 in every frame, and the median frame's is below
#    hot + half of cold (a region is physical megabytes shared with other
#    processes, so a frame may count some cold pages: the figures are printed);
#  - damon-vaddr and idle: this kernel has neither (the VM test 74-heatmap-wss
#    checks them), skipped with the reason `features` gives; young (BPF on
#    ptep_test_and_clear_young()) cannot load here (fexit refused, no kprobes):
#    exit 3 naming both, and `features` says so (VM tests 71 and 74 run it).
# The refs target proves it ran during the window: its page-touch counter
# (hotcold -c) moved by at least one pass over the hot set per frame.
. "$(dirname "$0")/lib.sh"

WL=$TOP/build/workloads
[ -x "$WL/hotcold" ] || make -C "$TOP" workloads >/dev/null 2>&1
if ! is_root; then
	skip heatmap-wss "needs root (clear_refs of another user's process, pagemap)"
	exit 0
fi
HP=
cleanup() {
	stop_share_cpu
	[ -n "$HP" ] && kill "$HP" 2>/dev/null
	rm -rf "$SCRATCH"
}
trap cleanup EXIT
MIB=1048576

# wss FILE SOURCE TRUTH_MAX: checks the frames of FILE; prints "ok: figures" or
# "bad: figures". refs: every frame <= TRUTH_MAX; the others: each frame's
# wss_bytes equals its regions with accesses > 0 and the median <= TRUTH_MAX.
wss() {
	python3 - "$1" "$2" "$3" <<'EOF'
import json, statistics, sys
d = json.load(open(sys.argv[1]))
src, most = sys.argv[2], int(sys.argv[3])
fr = d['frames']
w = [f['wss_bytes'] for f in fr]
why = []
if len(w) < 3:
    why.append('%d frames' % len(w))
for f in fr:
    own = sum(r['end'] - r['start'] for r in f['regions'] if r['accesses'] > 0)
    if src != 'refs' and f['wss_bytes'] != own:
        why.append('frame %.1fs wss %d != regions %d' % (f['t_ns'] / 1e9, f['wss_bytes'], own))
med = statistics.median(w) if w else 0
if src == 'refs':
    if w and max(w) > most:
        why.append('a frame says %.1f MiB' % (max(w) / 2**20))
    # Not vacuous: some of the hot set was seen. Not all of it: on a machine at
    # load 10+ a run read 2-5.5 MiB of the 16 while the target made 146 passes.
    if not w or max(w) < 2**20:
        why.append('hot set never seen')
    # Per frame, the largest sample is at least the mean one (accesses x size).
    for f in fr:
        mean = sum(r['accesses'] * (r['end'] - r['start']) for r in f['regions'])
        if f['wss_bytes'] + 4096 < mean:
            why.append('frame %.1fs wss %d below the mean referenced %d' % (f['t_ns'] / 1e9, f['wss_bytes'], mean))
elif med > most:
    why.append('median %.1f MiB' % (med / 2**20))
s = d['summary']['wss_bytes']
if w and (s['max'] != max(w) or s['min'] != min(w)):
    why.append('summary %s disagrees with frames' % s)
print('%s: %s wss MiB per frame %s median %.1f (bound %.1f)%s' %
      ('bad' if why else 'ok', src, ' '.join('%.1f' % (x / 2**20) for x in w), med / 2**20,
       most / 2**20, '; ' + '; '.join(why) if why else ''))
EOF
}
touches() { [ -s "$1" ] && sed 's/^0*//;s/^$/0/' "$1" || echo 0; }
# progress NAME BEFORE AFTER FRAMES HOT_PAGES: the target made a pass per frame.
progress() {
	if [ $(($3 - $2)) -ge $(($4 * $5)) ]; then
		ok "$1-target-ran: $(($3 - $2)) page touches during the run"
	else
		not_ok "$1-target-ran" "$(($3 - $2)) page touches during $4 frames: the target hardly ran, the figures above say nothing"
	fi
}

# refs on the merged hotcold.
share_cpu # see lib.sh: a target alone on its CPU reads as cold
taskset -c $TARGET_CPU "$WL/hotcold" -m -H 16 -C 96 -c "$SCRATCH/hc.n" > "$SCRATCH/hc.out" &
HP=$!
for _ in $(seq 100); do [ -s "$SCRATCH/hc.out" ] && break; sleep 0.1; done
set -- $(sed 's/-/ /g' "$SCRATCH/hc.out")
vmas=$(awk -v s="${5#0x}" -v e="${3#0x}" '{ split($1, a, "-"); if (a[1] == s && a[2] == e) n++ } END { print n + 0 }' /proc/$HP/maps)
[ "$vmas" = 1 ] && ok "merged-vma: cold+hot are one mapping $5-$3" ||
	not_ok merged-vma "hotcold -m: cold $5 .. hot $3 is not one VMA"
t0=$(touches "$SCRATCH/hc.n")
"$MMSCOPE" heatmap --source refs -p $HP --aging 100 --aggregate 500 --frames 8 -j > "$SCRATCH/refs.json" 2> "$SCRATCH/refs.err"
rc=$?
t1=$(touches "$SCRATCH/hc.n")
kill $HP; wait $HP 2>/dev/null; HP=
if [ "$rc" = 0 ]; then
	v=$(wss "$SCRATCH/refs.json" refs $((20 * MIB)))
	case $v in ok*) ok "refs-wss-is-referenced-bytes: ${v#ok: }" ;; *) not_ok refs-wss-is-referenced-bytes "${v#bad: }" ;; esac
	progress refs "$t0" "$t1" 8 4096
else
	not_ok refs-wss-is-referenced-bytes "exit $rc: $(head -c 300 "$SCRATCH/refs.err" | tr '\n' ' ')"
fi

# The sources this kernel lacks: skipped with the reason features gives.
"$MMSCOPE" -j features > "$SCRATCH/feat.json" 2>/dev/null
# young: fexit refused and no kprobes here: exit 3 naming both, and features
# lists it among the refused heatmap sources with the same reason.
"$MMSCOPE" heatmap --source young -p $$ -d 1 -j > "$SCRATCH/young.json" 2>&1
rc=$?
if [ "$rc" = 3 ] && grep -q "fexit" "$SCRATCH/young.json" && grep -q "kprobe" "$SCRATCH/young.json"; then
	ok "young-refused-here: $(json_get "$SCRATCH/young.json" "d['error']['message']")"
elif [ "$rc" = 0 ]; then
	skip young-refused-here "young loads on this kernel: checked in the VM tests 71 and 74"
else
	not_ok young-refused-here "exit $rc: $(head -c 300 "$SCRATCH/young.json")"
fi
"$MMSCOPE" features > "$SCRATCH/features.txt" 2>&1
if grep -q "young (no BPF on ptep_test_and_clear_young(): fexit: .*kprobe: " "$SCRATCH/features.txt" || [ "$rc" = 0 ]; then
	ok young-in-features
else
	not_ok young-in-features "$(grep heatmap "$SCRATCH/features.txt")"
fi
for sf in damon-vaddr:damon_vaddr idle:page_idle; do
	s=${sf%%:*} f=${sf#*:}
	if [ "$(json_get "$SCRATCH/feat.json" "d['features']['$f']")" = true ]; then
		skip "$s-wss" "available here but checked only in the VM test 74-heatmap-wss"
	else
		skip "$s-wss" "not on this kernel: $(json_get "$SCRATCH/feat.json" "d['details']['$f']")"
	fi
done

# damon-paddr on the running paddr kdamond, as t0810 (read-only).
D=/sys/kernel/mm/damon/admin/kdamonds
PLACE=$WL/damon_place
K=
for s in $D/*/state; do
	[ -f "$s" ] || continue
	k=$(dirname "$s")
	if [ "$(cat "$s")" = on ] && [ "$(cat "$k/contexts/0/operations" 2>/dev/null)" = paddr ]; then
		K=$k
		break
	fi
done
range=
[ -n "$K" ] && range=$(python3 - "$K" <<'EOF'
import glob, sys
v = [(int(open(r + 'start').read()), int(open(r + 'end').read()))
     for r in glob.glob(sys.argv[1] + '/contexts/0/targets/*/regions/*/')]
print('%x-%x' % (min(a for a, b in v), max(b for a, b in v)) if v else '')
EOF
)
if [ -z "$range" ] || [ ! -x "$PLACE" ]; then
	skip damon-paddr-wss "no running paddr kdamond with regions here, or no $PLACE"
	exit 0
fi
rm -f "$SCRATCH/place.out"
taskset -c $TARGET_CPU "$PLACE" -r "$range" -H 16 -C 96 -A 3072 -o "$SCRATCH/place.txt" > "$SCRATCH/place.out" &
HP=$!
for _ in $(seq 300); do
	[ -s "$SCRATCH/place.out" ] && break
	kill -0 $HP 2>/dev/null || break
	sleep 0.1
done
if ! [ -s "$SCRATCH/place.out" ]; then
	not_ok damon-paddr-wss "damon_place could not place pages in $range"
	exit 0
fi
# placed hot BYTES cold BYTES mapping ...
set -- $(cat "$SCRATCH/place.out")
hot=$3 cold=$5
"$MMSCOPE" heatmap --source damon-paddr -p $HP -d 25 -j > "$SCRATCH/paddr.json" 2> "$SCRATCH/paddr.err"
rc=$?
kill $HP; wait $HP 2>/dev/null; HP=
if [ "$rc" = 0 ]; then
	v=$(wss "$SCRATCH/paddr.json" damon-paddr $((hot + cold / 2)))
	case $v in
	ok*) ok "damon-paddr-wss (hot $((hot / MIB)) MiB, cold $((cold / MIB)) MiB placed): ${v#ok: }" ;;
	*) not_ok damon-paddr-wss "hot $((hot / MIB)) MiB, cold $((cold / MIB)) MiB placed: ${v#bad: }" ;;
	esac
else
	not_ok damon-paddr-wss "exit $rc: $(head -c 300 "$SCRATCH/paddr.err" | tr '\n' ' ')"
fi
