#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Two of the report's procfs findings from real conditions in its window, each
# checked against the kernel's own counters:
#   refault_thrashing  a 32 MiB v1 cgroup of our own reads a 96 MiB file three
#                      times: the second and third reads refault what the
#                      first evicted. The report's refaults (its figure, pages/s,
#                      times its window) are at least the cgroup's own
#                      memory.stat workingset_refault_file growth and at most
#                      /proc/vmstat's over a span that contains the window.
#   slab_growth        the pipes helper holds 9900 pipes (files, pipe_inode_info
#                      and buffer arrays: unreclaimable slab, ~16 MiB): the
#                      report's SUnreclaim growth (its figure, bytes) is the
#                      growth /proc/meminfo showed around the helper, within
#                      4 MiB (other work on the machine).
# The window starts when `mmscope -v` prints its "procfs (start)" phase: the
# report's first /proc reads are done and the window runs from there.
. "$(dirname "$0")/lib.sh"

WL=$TOP/build/workloads
MEMCG=/sys/fs/cgroup/memory

if ! is_root; then
	skip report-findings "needs root (a memory cgroup of our own)"
	exit 0
fi
[ -w "$MEMCG" ] || { skip report-findings "no v1 memory hierarchy at $MEMCG"; exit 0; }
[ -x "$WL/pagecache" ] && [ -x "$WL/pipes" ] && [ -x "$WL/cgexec" ] ||
	make -C "$TOP" workloads >/dev/null 2>&1
CG=$MEMCG/mmscope-t0420-$$
FILE=/var/tmp/mmscope-t0420-$$
pipes=
rep=
trap 'kill $pipes $rep 2>/dev/null; wait $pipes $rep 2>/dev/null; rmdir "$CG" 2>/dev/null; rm -f "$FILE"; rm -rf "$SCRATCH"' EXIT
mkdir "$CG" && echo $((32 << 20)) >"$CG/memory.limit_in_bytes" ||
	{ not_ok report-findings "cannot create $CG"; exit 0; }
# On disk, so its pages are page cache that is evicted and read back (refaults).
# Allocated, not written: reading it fills the page cache with zeros and no
# writeback runs (dd's bios and buffer heads, freed during the window, moved
# SUnreclaim by 9 MiB).
fallocate -l 96M "$FILE" || { not_ok report-findings "fallocate $FILE"; exit 0; }

vmstat() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }
cgstat() { awk -v k="$1" '$1 == k { print $2 }' "$CG/memory.stat"; }
sunreclaim() { awk '$1 == "SUnreclaim:" { print $2 * 1024 }' /proc/meminfo; }

vm0=$(( $(vmstat workingset_refault_file) + $(vmstat workingset_refault_anon) ))
"$MMSCOPE" -v -j report -d 30 >"$SCRATCH/r.json" 2>"$SCRATCH/r.err" &
rep=$!
started=
for _ in $(seq 300); do
	grep -q '^report: procfs (start)' "$SCRATCH/r.err" && { started=1; break; }
	kill -0 $rep 2>/dev/null || break
	sleep 0.1
done
[ -n "$started" ] || { not_ok report-findings "the report's window never started: $(grep -v '^libbpf' "$SCRATCH/r.err" | head -c 300)"; exit 0; }

# Unreclaimable slab: pipes held open until the report has ended.
s0=$(sunreclaim)
"$WL/pipes" 9900 >"$SCRATCH/pipes.out" 2>&1 &
pipes=$!
for _ in $(seq 200); do
	grep -q holding "$SCRATCH/pipes.out" && break
	kill -0 $pipes 2>/dev/null || break
	sleep 0.05
done
s1=$(sunreclaim)
grep -q holding "$SCRATCH/pipes.out" || not_ok report-findings-pipes "pipes: $(cat "$SCRATCH/pipes.out")"

# Refaults: three reads of 96 MiB through 32 MiB.
c0=$(cgstat workingset_refault_file)
"$WL/cgexec" "$CG" sh -c "for i in 1 2 3; do '$WL/pagecache' '$FILE' || exit 1; done" >"$SCRATCH/pc.out" 2>&1 ||
	not_ok report-findings-pagecache "$(cat "$SCRATCH/pc.out")"
c1=$(cgstat workingset_refault_file)

kill -INT $rep # ends the window: the report is printed as usual
wait $rep
st=$?
rep=
vm1=$(( $(vmstat workingset_refault_file) + $(vmstat workingset_refault_anon) ))
kill $pipes 2>/dev/null
wait $pipes 2>/dev/null
pipes=
[ "$st" = 0 ] || { not_ok report-findings "report exit $st: $(grep -v '^libbpf' "$SCRATCH/r.err" | head -c 300)"; exit 0; }

# jraw EXPR: a value of the report's JSON as plain text.
jraw() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"d": d}))' "$SCRATCH/r.json" "$1"
}
# What finding id counted (rounded): its figure, times the window for a rate.
found() {
	jraw "' '.join('%d' % round(f['figure'] * (d['window_s'] if f['unit'] == 'per_s' else 1)) for f in d['findings'] if f['id'] == '$1')"
}
ids=$(jraw "' '.join(f['id'] for f in d['findings'])")
win=$(jraw "'%.2f' % d['window_s']")

refaults=$(found refault_thrashing)
figures="report $refaults pages in ${win} s, cgroup memory.stat +$((c1 - c0)), /proc/vmstat +$((vm1 - vm0)) around it"
if [ -z "$refaults" ]; then
	not_ok report-refault-thrashing "no refault_thrashing finding ($figures; findings: $ids)"
elif [ $((c1 - c0)) -gt 0 ] && [ "$refaults" -ge $((c1 - c0)) ] && [ "$refaults" -le $((vm1 - vm0)) ]; then
	ok "report-refault-thrashing ($figures)"
else
	not_ok report-refault-thrashing "$figures"
fi

growth=$(found slab_growth)
d=$((s1 - s0))
figures="report SUnreclaim +$growth bytes in ${win} s, /proc/meminfo +$d around the pipes"
if [ -z "$growth" ]; then
	not_ok report-slab-growth "no slab_growth finding ($figures; findings: $ids)"
elif [ "$d" -gt $((8 << 20)) ] && [ "$growth" -ge $((d - (4 << 20))) ] && [ "$growth" -le $((d + (4 << 20))) ]; then
	ok "report-slab-growth ($figures)"
else
	not_ok report-slab-growth "$figures"
fi
