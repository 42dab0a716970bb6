#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Signals and ownership (issue 12, classes 4 and 5): what mmscope starts does not
# outlive it, what it leaves when killed is cleaned by the next run, and what is
# not ours is only read.
#  - damon-*: two damon-paddr heatmaps at once on two hotcold targets leave every
#    file of the foreign kdamond's sysfs tree as it was (checked after the runs and
#    all along them), and nr_kdamonds too; a heatmap to which DAMON's sysfs keeps
#    answering EBUSY (strace injects it into every read of the foreign kdamond's
#    state) refuses with exit 3 and never opens that kdamond's files for writing.
#  - refs-*: a second refs heatmap of one target exits 3 naming the first; the lock
#    goes with its holder, even SIGKILLed.
#  - pdeathsig: `heatmap -- sleep 300` SIGKILLed: the sleep is gone within 1 s.
#  - memcg-stale-*: a stale mmscope-verify-<dead pid> cgroup is removed by the next
#    core reader; one whose pid lives, or that holds a task, is not.
#  - alloc-short-*: alloc bpf-trace SIGINT'd within 50 ms shows no absurd rate.
# Nothing here writes DAMON's sysfs.
. "$(dirname "$0")/lib.sh"

D=/sys/kernel/mm/damon/admin/kdamonds
HOTCOLD=$TOP/build/workloads/hotcold
MEMCG=/sys/fs/cgroup/memory
if ! is_root; then
	skip heatmap-ownership "needs root"
	exit 0
fi
[ -x "$HOTCOLD" ] || { skip heatmap-ownership "no $HOTCOLD (make workloads)"; exit 0; }

PIDS=
cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$SCRATCH"
}
trap cleanup EXIT

# hotcold: starts one in the background, its pid in $hc once it has touched its pages.
hotcold() {
	"$HOTCOLD" -H 16 -C 16 > /dev/null 2>&1 &
	hc=$!
	PIDS="$PIDS $hc"
	sleep 0.5
}

# ---- DAMON: a kdamond that is not ours is only read ------------------------------

# Every readable file of DAMON's sysfs tree but those a running kdamond changes by
# itself (statistics, tried regions, quota goals' current values), read with EBUSY
# retried: a read-only snapshot, one "path=contents" per line.
cat > "$SCRATCH/snap.py" <<'EOF'
import errno, os, sys, time
D = '/sys/kernel/mm/damon/admin/kdamonds'
SKIP = ('/stats/', '/tried_regions/', '/effective_bytes', '/current_value')
def snap():
    out = []
    for root, dirs, files in os.walk(D):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(root, f)
            if any(s in p for s in SKIP):
                continue
            v = b'<unread>'
            for _ in range(500):
                try:
                    with open(p, 'rb') as fh:
                        v = fh.read(4096)
                    break
                except OSError as e:
                    if e.errno != errno.EBUSY:
                        v = ('<%s>' % e.strerror).encode()
                        break
                    time.sleep(0.002)
            out.append('%s=%r' % (p, v))
    return '\n'.join(out) + '\n'
if sys.argv[1] == 'once':
    sys.stdout.write(snap())
else:  # watch REF STOPFILE: snapshots until STOPFILE exists; prints the first change
    ref = open(sys.argv[2]).read()
    n = 0
    while not os.path.exists(sys.argv[3]):
        s = snap()
        n += 1
        if s != ref:
            a, b = ref.splitlines(), s.splitlines()
            diff = [y for x, y in zip(a, b) if x != y] or b[len(a):] or a[len(b):]
            print('changed during the runs (snapshot %d): %s' % (n, ' '.join(diff[:3])))
            sys.exit(0)
        time.sleep(0.02)
    print('unchanged over %d snapshots' % n)
EOF

K=
for s in $D/*/state; do
	[ -f "$s" ] || continue
	[ "$(cat "$s" 2>/dev/null)" = on ] && { K=$(dirname "$s"); break; }
done
if [ ! -r $D/nr_kdamonds ]; then
	skip damon-ownership "no DAMON sysfs"
elif [ -z "$K" ]; then
	skip damon-ownership "no running kdamond that is not ours here (own kdamonds: tests/vm/guest/70-heatmap-damon.sh)"
else
	nr0=$(cat $D/nr_kdamonds)
	python3 "$SCRATCH/snap.py" once > "$SCRATCH/tree.0"
	rm -f "$SCRATCH/stop"
	python3 "$SCRATCH/snap.py" watch "$SCRATCH/tree.0" "$SCRATCH/stop" > "$SCRATCH/watch" 2>&1 &
	watcher=$!
	hotcold; t1=$hc
	hotcold; t2=$hc
	"$MMSCOPE" -j heatmap --source damon-paddr -p "$t1" --frames 2 > "$SCRATCH/d1.json" 2> "$SCRATCH/d1.err" &
	h1=$!
	"$MMSCOPE" -j heatmap --source damon-paddr -p "$t2" --frames 2 > "$SCRATCH/d2.json" 2> "$SCRATCH/d2.err" &
	h2=$!
	PIDS="$PIDS $h1 $h2"
	wait $h1; rc1=$?
	wait $h2; rc2=$?
	touch "$SCRATCH/stop"
	wait $watcher
	# Both ran (sharing the kdamond read-only), or refused saying why (exit 3).
	why=
	for i in 1 2; do
		eval rc=\$rc$i
		if [ "$rc" = 0 ]; then
			n=$(json_get "$SCRATCH/d$i.json" 'len(d["frames"])')
			[ "$n" -ge 1 ] || why="$why heatmap $i: $n frames;"
		elif [ "$rc" != 3 ]; then
			why="$why heatmap $i exit $rc: $(head -c 200 "$SCRATCH/d$i.err" "$SCRATCH/d$i.json" | tr '\n' ' ');"
		fi
	done
	[ -z "$why" ] && ok "damon-two-paddr-run: exits $rc1 $rc2" || not_ok damon-two-paddr-run "$why"
	python3 "$SCRATCH/snap.py" once > "$SCRATCH/tree.1"
	if cmp -s "$SCRATCH/tree.0" "$SCRATCH/tree.1"; then
		ok "damon-two-paddr-foreign-untouched: $(wc -l < "$SCRATCH/tree.0") files"
	else
		not_ok damon-two-paddr-foreign-untouched "$(diff "$SCRATCH/tree.0" "$SCRATCH/tree.1" | head -4 | tr '\n' ' ')"
	fi
	case $(cat "$SCRATCH/watch") in
	unchanged*) ok "damon-two-paddr-never-written: $(cat "$SCRATCH/watch")" ;;
	*) not_ok damon-two-paddr-never-written "$(head -c 300 "$SCRATCH/watch")" ;;
	esac
	nr1=$(cat $D/nr_kdamonds)
	[ "$nr1" = "$nr0" ] && ok "damon-nr-kdamonds: $nr0" ||
		not_ok damon-nr-kdamonds "nr_kdamonds $nr1, was $nr0"

	# DAMON's sysfs busy for one heatmap (every read of the foreign kdamond's state
	# fails EBUSY) while another runs: it must not decide that no kdamond runs.
	if ! command -v strace > /dev/null; then
		skip damon-busy "no strace to inject EBUSY"
	else
		"$MMSCOPE" -j heatmap --source damon-paddr -p "$t2" --frames 1 > "$SCRATCH/d2.json" 2> "$SCRATCH/d2.err" &
		h2=$!
		PIDS="$PIDS $h2"
		timeout 60 strace -f -qq -o "$SCRATCH/strace" -P "$K/state" -e trace=openat,read,pread64 \
			-e inject=read,pread64:error=EBUSY \
			"$MMSCOPE" -j heatmap --source damon-paddr -p "$t1" --frames 1 > "$SCRATCH/b.json" 2> "$SCRATCH/b.err"
		rc=$?
		wait $h2; rc2=$?
		if [ "$rc" = 3 ] && grep -q "unknown" "$SCRATCH/b.json" "$SCRATCH/b.err"; then
			ok "damon-busy-refused: $(head -c 200 "$SCRATCH/b.json" | tr '\n' ' ')"
		else
			not_ok damon-busy-refused "exit $rc, expected 3 saying whether it runs is unknown: $(head -c 300 "$SCRATCH/b.json" "$SCRATCH/b.err" | tr '\n' ' ')"
		fi
		if grep -q -e O_WRONLY -e O_RDWR "$SCRATCH/strace"; then
			not_ok damon-busy-never-writes "opened $K/state for writing: $(grep -e O_WRONLY -e O_RDWR "$SCRATCH/strace" | head -2 | tr '\n' ' ')"
		else
			ok damon-busy-never-writes
		fi
		[ "$rc2" = 0 ] && ok damon-busy-other-run ||
			not_ok damon-busy-other-run "the heatmap beside it: exit $rc2: $(head -c 200 "$SCRATCH/d2.err" "$SCRATCH/d2.json" | tr '\n' ' ')"
		python3 "$SCRATCH/snap.py" once > "$SCRATCH/tree.2"
		if cmp -s "$SCRATCH/tree.0" "$SCRATCH/tree.2" && [ "$(cat $D/nr_kdamonds)" = "$nr0" ]; then
			ok damon-busy-foreign-untouched
		else
			not_ok damon-busy-foreign-untouched "nr_kdamonds $(cat $D/nr_kdamonds) (was $nr0); $(diff "$SCRATCH/tree.0" "$SCRATCH/tree.2" | head -4 | tr '\n' ' ')"
		fi
	fi
	kill "$t1" "$t2" 2>/dev/null
	wait "$t1" "$t2" 2>/dev/null
fi

# ---- refs: one heatmap per target ------------------------------------------------

hotcold
"$MMSCOPE" heatmap --source refs -p "$hc" --aging 100 --aggregate 500 --frames 40 --no-tui \
	> "$SCRATCH/r1.out" 2>&1 &
r1=$!
PIDS="$PIDS $r1"
sleep 1
"$MMSCOPE" heatmap --source refs -p "$hc" --aging 100 --aggregate 500 --frames 2 --no-tui \
	> "$SCRATCH/r2.out" 2>&1
rc=$?
if [ "$rc" = 3 ] && grep -q "pid $r1" "$SCRATCH/r2.out"; then
	ok "refs-second-refused: $(head -c 200 "$SCRATCH/r2.out" | tr '\n' ' ')"
else
	not_ok refs-second-refused "exit $rc, expected 3 naming pid $r1: $(head -c 300 "$SCRATCH/r2.out" | tr '\n' ' ')"
fi
# The holder SIGKILLed: the kernel lets the lock go; the next run works.
kill -9 $r1
wait $r1 2>/dev/null
expect_status refs-lock-gone-with-holder 0 "$MMSCOPE" heatmap --source refs -p "$hc" --aging 100 \
	--aggregate 500 --frames 1 --no-tui
kill "$hc" 2>/dev/null
wait "$hc" 2>/dev/null

# ---- heatmap -- COMMAND does not outlive us -------------------------------------

"$MMSCOPE" -j heatmap --source refs -d 300 -- sleep 300 > /dev/null 2>&1 &
m=$!
PIDS="$PIDS $m"
child=
for _ in $(seq 50); do
	child=$(pgrep -P $m -x sleep)
	[ -n "$child" ] && break
	sleep 0.1
done
if [ -z "$child" ]; then
	not_ok pdeathsig "no sleep child of mmscope $m: $(ps -o pid,args --ppid $m | tr '\n' ' ')"
else
	PIDS="$PIDS $child"
	sleep 0.3
	kill -9 $m
	wait $m 2>/dev/null
	gone=
	for _ in $(seq 10); do
		st=$(sed 's/.*) \(.\).*/\1/' /proc/$child/stat 2>/dev/null)
		if [ -z "$st" ] || [ "$st" = Z ]; then gone=1; break; fi
		sleep 0.1
	done
	[ -n "$gone" ] && ok "pdeathsig: sleep $child gone after mmscope was SIGKILLed" ||
		not_ok pdeathsig "sleep $child still runs 1 s after mmscope $m was SIGKILLed"
fi

# ---- memcg: stale verification cgroups ------------------------------------------

if [ ! -d $MEMCG ] || [ ! -w $MEMCG ]; then
	skip memcg-stale "no writable memory cgroup hierarchy at $MEMCG"
else
	# Pids that exist nowhere: short-lived processes, reaped.
	sh -c 'echo $$' > "$SCRATCH/pid1"; sh -c 'echo $$' > "$SCRATCH/pid2"
	dead1=$(cat "$SCRATCH/pid1") dead2=$(cat "$SCRATCH/pid2")
	sleep 300 &
	live=$!
	PIDS="$PIDS $live"
	sleep 300 &
	tenant=$!
	PIDS="$PIDS $tenant"
	stale=$MEMCG/mmscope-verify-$dead1 busy=$MEMCG/mmscope-verify-$dead2 alive=$MEMCG/mmscope-verify-$live
	if kill -0 "$dead1" 2>/dev/null || kill -0 "$dead2" 2>/dev/null; then
		skip memcg-stale "pid $dead1 or $dead2 was reused meanwhile"
	elif mkdir "$stale" "$busy" "$alive" && echo "$tenant" > "$busy/cgroup.procs"; then
		"$MMSCOPE" -j memcg --backend core -s anon > "$SCRATCH/m.json" 2> "$SCRATCH/m.err"
		rc=$?
		[ "$rc" = 0 ] || not_ok memcg-stale-run "exit $rc: $(head -c 200 "$SCRATCH/m.err")"
		[ ! -d "$stale" ] && ok memcg-stale-removed ||
			not_ok memcg-stale-removed "$stale (pid $dead1 is gone, no task) is still there"
		[ -d "$busy" ] && grep -qx "$tenant" "$busy/cgroup.procs" && ok memcg-stale-with-task-kept ||
			not_ok memcg-stale-with-task-kept "$busy (holding $tenant) was removed or emptied"
		[ -d "$alive" ] && ok memcg-stale-live-pid-kept ||
			not_ok memcg-stale-live-pid-kept "$alive (pid $live lives) was removed"
	else
		not_ok memcg-stale "could not make the test cgroups under $MEMCG"
	fi
	kill $tenant $live 2>/dev/null
	wait $tenant $live 2>/dev/null
	for c in "$stale" "$busy" "$alive"; do
		[ -d "$c" ] || continue
		for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "$c" 2>/dev/null && break; sleep 0.1; done
	done
fi

# ---- alloc bpf-trace stopped at once: no absurd rate -----------------------------

# SIGINT at 30 ms: the window is what was traced; under MIN (0.1 s) rates are null and
# rates_note says why, else every rate is its count over the window.
for mode in json text; do
	if [ $mode = json ]; then
		"$MMSCOPE" -j alloc --backend bpf-trace > "$SCRATCH/a.out" 2> "$SCRATCH/a.err" &
	else
		"$MMSCOPE" alloc --backend bpf-trace > "$SCRATCH/a.out" 2> "$SCRATCH/a.err" &
	fi
	a=$!
	sleep 0.03
	kill -INT $a
	wait $a
	rc=$?
	if [ "$rc" = 3 ]; then
		skip "alloc-short-$mode" "bpf-trace refused here: $(head -c 200 "$SCRATCH/a.err")"
		continue
	fi
	if [ $mode = json ]; then
		verdict=$(python3 - "$SCRATCH/a.out" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
t = d['duration_s']
bad = []
for s in d['sites']:
    for k, n in (('allocs_per_s', None), ('alloc_bytes_per_s', None)):
        v = s.get(k)
        if t < 0.1:
            if v is not None:
                bad.append('%s %s over %g s' % (k, v, t))
        elif v is not None and v > 1e8 and k == 'allocs_per_s':
            bad.append('%s %s over %g s' % (k, v, t))
if t < 0.1 and 'rates_note' not in d:
    bad.append('no rates_note for a %g s window' % t)
print(('bad: ' + '; '.join(bad[:3])) if bad else 'good: duration %g s, %s' % (t, d.get('rates_note', 'rates shown')))
EOF
)
	else
		verdict=$(python3 - "$SCRATCH/a.out" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r'bpf-trace, ([0-9.]+) s', text)
short = 'window too short for rates' in text
bad = []
lines = text.splitlines()
head = [i for i, l in enumerate(lines) if l.startswith('BYTES')]
rows = [l.split() for l in lines[head[0] + 1:]] if head else []
for r in rows:
    rate = r[2]
    if short and rate != '-':
        bad.append('rate %s in a too short window' % rate)
    if rate != '-' and float(rate) > 1e8:
        bad.append('rate %s' % rate)
print(('bad: ' + '; '.join(bad[:3])) if bad or not m else 'good: %s s%s' % (m.group(1), ', too short' if short else ''))
EOF
)
	fi
	case $verdict in
	good*) ok "alloc-short-$mode: ${verdict#good: }" ;;
	*) not_ok "alloc-short-$mode" "exit $rc; ${verdict#bad: }" ;;
	esac
done
