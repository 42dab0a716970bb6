#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `mmscope heatmap` with the DAMON sources on this machine, where a kdamond that
# is not ours runs paddr over part of physical memory: damon-vaddr refuses (exit
# 3, saying why); damon-paddr shares that kdamond read-only. The target
# (damon_place) keeps hot pages in the lower half of the kdamond's physical range
# and cold pages in the upper half; hot pages' mean accesses must be >= 5x the
# cold ones', and the frames must cover them; the source's description names the
# kdamond's intervals when they are coarser than asked ("coarse:"). After every run (-d, SIGINT, target
# killed) the kdamond's state and pid are as before, mmscope opened nothing under
# DAMON's sysfs for writing (strace of every run), and no BPF program or link of
# ours remains. Nothing here writes DAMON's sysfs. The kdamond's owner may
# reconfigure it meanwhile (its regions grew during a run here on 2026-12-02), so
# a changed file under DAMON's sysfs is printed, not counted against mmscope: the
# strace log is the proof of what mmscope wrote.
. "$(dirname "$0")/lib.sh"

D=/sys/kernel/mm/damon/admin/kdamonds
BPFTOOL=$(command -v bpftool || echo /usr/sbin/bpftool)
PLACE=$TOP/build/workloads/damon_place
if ! is_root; then
	skip heatmap-damon "needs root"
	exit 0
fi
if ! "$MMSCOPE" heatmap --help > /dev/null 2>&1; then
	skip heatmap-damon "no 'mmscope heatmap' command in this build"
	exit 0
fi
[ -x "$PLACE" ] || { skip heatmap-damon "no $PLACE (make workloads)"; exit 0; }
trap 'stop_share_cpu; rm -rf "$SCRATCH"' EXIT
[ -r $D/nr_kdamonds ] || { skip heatmap-damon "no DAMON sysfs"; exit 0; }

# The first running paddr kdamond: the one damon-paddr will share.
K=
for s in $D/*/state; do
	[ -f "$s" ] || continue
	k=$(dirname "$s")
	if [ "$(cat "$s")" = on ] && [ "$(cat "$k/contexts/0/operations" 2>/dev/null)" = paddr ]; then
		K=$k
		break
	fi
done
if [ -z "$K" ]; then
	skip heatmap-damon "no running paddr kdamond to share here (own-kdamond runs are in tests/vm/guest/70-heatmap-damon.sh)"
	exit 0
fi
kd_state() { printf '%s %s' "$(cat "$K/state")" "$(cat "$K/pid")"; }
state0=$(kd_state)
# Every readable file but those a running kdamond changes by itself.
dump() {
	find $D -type f | sort | grep -v -e /stats/ -e /tried_regions/ -e /effective_bytes \
		-e /current_value | while read -r f; do
		printf '%s=%s\n' "$f" "$(head -c 200 "$f" 2>/dev/null | tr '\n' ' ')"
	done
}
dump > "$SCRATCH/dump.0"
ours() { "$BPFTOOL" prog show 2>/dev/null | grep -c 'name raw_tp_damon'; }
# Only links on damon_aggregated: other tests may hold raw tracepoint links meanwhile.
links() { "$BPFTOOL" link show 2>/dev/null | grep -c "damon_aggregated"; }
links0=$(links)
[ "$(ours)" = 0 ] || { skip heatmap-damon "a DAMON heatmap of ours is already running"; exit 0; }

# check_clean NAME: kdamond, DAMON sysfs and BPF as before (BPF programs are freed
# after an RCU grace period: up to 3 s).
# mms OUT ERR ARGS...: mmscope ARGS under strace (opens only, through a seccomp
# filter: the run's timing barely moves), its log in $SCRATCH/strace.log; the
# exit status is mmscope's. Without strace, mmscope alone and check_clean says so.
STRACE=$(command -v strace || true)
mms() {
	o=$1 e=$2
	shift 2
	rm -f "$SCRATCH/strace.log"
	if [ -n "$STRACE" ]; then
		"$STRACE" -f -qq --seccomp-bpf -e trace=open,openat,openat2,creat,truncate \
			-e signal=none -o "$SCRATCH/strace.log" "$MMSCOPE" "$@" > "$o" 2> "$e"
	else
		"$MMSCOPE" "$@" > "$o" 2> "$e"
	fi
}
# The pid of mmscope itself under `mms ... &` started as $1 (a subshell, then
# strace, then mmscope): SIGINT must go to it, strace -o blocks fatal signals.
mms_pid() {
	for _ in $(seq 50); do
		p=$1
		for _ in 1 2 3; do
			[ "$(cat /proc/$p/comm 2>/dev/null)" = mmscope ] && { echo "$p"; return; }
			p=$(pgrep -P "$p" | head -1)
			[ -n "$p" ] || break
		done
		sleep 0.1
	done
	echo "$1"
}
# DAMON sysfs files the last mms run opened for writing (none is the rule).
damon_writes() {
	[ -s "$SCRATCH/strace.log" ] || return 0
	grep -E '"/sys/kernel/mm/damon[^"]*"' "$SCRATCH/strace.log" |
		grep -E 'O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|creat\(|truncate\(' | head -3 | tr '\n' ' '
}

check_clean() {
	n=$(ours)
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
		[ "$n" = 0 ] && [ "$(links)" = "$links0" ] && break
		sleep 0.2
		n=$(ours)
	done
	why=
	[ "$(kd_state)" = "$state0" ] || why="$why kdamond $(basename "$K") state/pid '$(kd_state)', was '$state0';"
	w=$(damon_writes)
	[ -z "$w" ] || why="$why mmscope opened DAMON sysfs for writing: $w;"
	# Not ours to judge: the owner's own changes (see the top of this file).
	dump > "$SCRATCH/dump.now"
	cmp -s "$SCRATCH/dump.0" "$SCRATCH/dump.now" ||
		echo "# $1: DAMON sysfs changed by its owner (mmscope opened nothing there for writing): $(diff "$SCRATCH/dump.0" "$SCRATCH/dump.now" | head -4 | tr '\n' ' ')"
	cp "$SCRATCH/dump.now" "$SCRATCH/dump.0"
	if [ -z "$STRACE" ]; then
		skip "$1" "no strace: what mmscope wrote cannot be told from its owner's changes"
		return
	fi
	[ "$n" = 0 ] || why="$why $n BPF programs of ours left;"
	[ "$(links)" = "$links0" ] || why="$why damon_aggregated links $(links), were $links0;"
	[ -z "$why" ] && ok "$1" || not_ok "$1" "$why"
}

# damon-vaddr: exit 3, and the message says why (no vaddr ops / kdamond not ours);
# with -j the error is a JSON object on stdout.
mms "$SCRATCH/v.err" "$SCRATCH/v.err2" heatmap --source damon-vaddr -p $$ -d 2 -j
rc=$?
cat "$SCRATCH/v.err2" >> "$SCRATCH/v.err"
if [ "$rc" = 3 ] && grep -q -e "not ours" -e "no 'vaddr'" "$SCRATCH/v.err"; then
	ok "vaddr-refused: $(head -c 200 "$SCRATCH/v.err" | tr '\n' ' ')"
else
	not_ok vaddr-refused "exit $rc, expected 3 with a reason: $(head -c 200 "$SCRATCH/v.err" | tr '\n' ' ')"
fi
check_clean vaddr-refused-clean

# The kdamond's monitored physical range: its configured regions (paddr regions
# only split and merge inside them).
range=$(python3 - "$K" <<'EOF'
import glob, sys
lo = hi = None
for r in glob.glob(sys.argv[1] + '/contexts/0/targets/*/regions/*/'):
    s, e = int(open(r + 'start').read()), int(open(r + 'end').read())
    lo = s if lo is None else min(lo, s)
    hi = e if hi is None else max(hi, e)
print('%x-%x' % (lo, hi) if lo is not None and lo < hi else '')
EOF
)
if [ -z "$range" ]; then
	skip heatmap-damon-paddr "kdamond $(basename "$K") has no configured regions to place pages in"
	exit 0
fi

place() {
	rm -f "$SCRATCH/place.out" "$SCRATCH/place.txt"
	share_cpu # see lib.sh: a target alone on its CPU reads as cold
	taskset -c $TARGET_CPU "$PLACE" -r "$range" -H 128 -C 128 -A 3072 -o "$SCRATCH/place.txt" > "$SCRATCH/place.out" &
	target=$!
	for _ in $(seq 300); do
		[ -s "$SCRATCH/place.out" ] && return 0
		kill -0 $target 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# means FILE SKIP: per-frame and overall byte-weighted mean accesses of the hot and
# cold pages (place.txt), frames after the first SKIP, and the share of their bytes
# the frames cover. Prints the verdict line "ratio-ok|ratio-bad: figures".
means() {
	python3 - "$1" "$SCRATCH/place.txt" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
skip = int(sys.argv[3])
runs = {'hot': [], 'cold': []}
for line in open(sys.argv[2]):
    k, a, b = line.split()
    runs[k].append((int(a, 16), int(b, 16)))
size = {k: sum(b - a for a, b in v) for k, v in runs.items()}
def overlap(regions, rs):
    s = w = 0
    i = 0
    for lo, hi in rs:  # both sorted by address
        while i < len(regions) and regions[i]['end'] <= lo:
            i += 1
        j = i
        while j < len(regions) and regions[j]['start'] < hi:
            a, b = max(regions[j]['start'], lo), min(regions[j]['end'], hi)
            if a < b:
                s += regions[j]['accesses'] * (b - a)
                w += b - a
            j += 1
    return s, w
tot = {'hot': [0, 0], 'cold': [0, 0]}
frames = d['frames']
for n, fr in enumerate(frames):
    regions = sorted(fr['regions'], key=lambda r: r['start'])
    line = []
    for k in ('hot', 'cold'):
        s, w = overlap(regions, runs[k])
        line.append('%s %.3f (cover %.2f)' % (k, s / w if w else -1, w / size[k]))
        if n >= skip:
            tot[k][0] += s
            tot[k][1] += w
    print('#   frame %d t=%.1fs %s' % (n, fr['t_ns'] / 1e9, ' '.join(line)))
counted = max(len(frames) - skip, 0)
h = tot['hot'][0] / tot['hot'][1] if tot['hot'][1] else 0
c = tot['cold'][0] / tot['cold'][1] if tot['cold'][1] else 0
cover = (tot['hot'][1] + tot['cold'][1]) / (counted * (size['hot'] + size['cold'])) if counted else 0
good = counted >= 3 and h > 0 and h >= 5 * c and cover >= 0.99
print('%s: hot %.4f cold %.4f ratio %s over %d frames (first %d skipped), cover %.3f' %
      ('ratio-ok' if good else 'ratio-bad', h, c, '%.1f' % (h / c) if c else 'inf', counted, skip,
       cover))
EOF
}

# damon-paddr, shared: 40 s at the kdamond's 5 s aggregation = ~8 frames.
if place; then
	mms "$SCRATCH/p.json" "$SCRATCH/p.err" heatmap --source damon-paddr -p $target -d 40 -j
	rc=$?
	kill $target; wait $target
	if [ "$rc" = 0 ]; then
		ok "paddr-shared-run: $(cat "$SCRATCH/place.out")"
		# DAMON's adaptive regions need an aggregation or two to follow the pages.
		means "$SCRATCH/p.json" 1 > "$SCRATCH/means"
		sed -n 's/^# //p' "$SCRATCH/means"
		verdict=$(tail -1 "$SCRATCH/means")
		case $verdict in
		ratio-ok*) ok "paddr-shared-hot-5x-cold: ${verdict#ratio-ok: }" ;;
		*) not_ok paddr-shared-hot-5x-cold "${verdict#ratio-bad: }" ;;
		esac
		if grep -q "not ours, read-only" "$SCRATCH/p.json" "$SCRATCH/p.err"; then
			ok paddr-shared-says-so
		else
			skip paddr-shared-says-so "the command prints no source description in -j output or on stderr"
		fi
		# The foreign kdamond's own intervals against the defaults (100 ms / 1 s):
		# coarser ones must be named, finer ones not.
		detail=$(json_get "$SCRATCH/p.json" "d['source_detail']" | sed 's/^"//; s/"$//')
		kaggr=$(cat "$K/contexts/0/monitoring_attrs/intervals/aggr_us")
		case $detail in
		*"coarse:"*"frames every"*) [ "$kaggr" -gt 1000000 ] && ok "paddr-shared-says-coarse: ${detail#*coarse:}" ||
			not_ok paddr-shared-says-coarse "aggr_us $kaggr is not above 1 s, yet: $detail" ;;
		*) [ "$kaggr" -gt 1000000 ] && not_ok paddr-shared-says-coarse "aggr_us $kaggr > 1 s not named: $detail" ||
			ok "paddr-shared-says-coarse: aggr_us $kaggr, not coarser than asked" ;;
		esac
	else
		not_ok paddr-shared-run "exit $rc: $(head -c 300 "$SCRATCH/p.err" | tr '\n' ' ')"
	fi
else
	not_ok paddr-shared-run "damon_place could not place pages in $range: $(cat "$SCRATCH/place.out" 2>/dev/null)"
	kill $target 2>/dev/null
fi
check_clean paddr-shared-clean

# Stopped by SIGINT, and by the target dying: ends within 10 s, leaves nothing.
for how in INT target; do
	place || { not_ok "paddr-stop-$how" "damon_place failed"; continue; }
	mms "$SCRATCH/s.json" "$SCRATCH/s.err" heatmap --source damon-paddr -p $target -d 120 -j &
	cmd=$!
	mpid=$(mms_pid $cmd)
	sleep 7
	if [ $how = INT ]; then kill -INT $mpid; else kill -9 $target; fi
	ended=no
	for _ in $(seq 100); do
		kill -0 $cmd 2>/dev/null || { ended=yes; break; }
		sleep 0.1
	done
	[ $ended = yes ] || kill -9 $mpid $cmd
	wait $cmd
	rc=$?
	kill $target 2>/dev/null; wait $target 2>/dev/null
	if [ $ended = yes ]; then
		ok "paddr-stop-$how: exit $rc $(head -c 160 "$SCRATCH/s.err" | tr '\n' ' ')"
	else
		not_ok "paddr-stop-$how" "still running 10 s later"
	fi
	check_clean "paddr-stop-$how-clean"
done
