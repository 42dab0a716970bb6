#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mmscope memcg on this machine's cgroup v1 memory hierarchy: a cgroup of our own
# holding known anon (hog), shmem (a tmpfs file) and file (page cache) memory; every
# backend must agree with memory.stat within the staleness bound (docs/memcg.md:
# rstat flush threshold, 64 pages per CPU, or 1%); churn while reading; a bad ROOT is
# exit 2 and a hierarchy without the memory controller exit 3.
. "$(dirname "$0")/lib.sh"

WL=$TOP/build/workloads
V1=/sys/fs/cgroup/memory
if ! is_root || [ ! -f $V1/memory.stat ]; then
	skip memcg "needs root and the v1 memory controller at $V1"
	exit 0
fi
[ -x "$WL/hog" ] || make -C "$TOP" workloads >/dev/null 2>&1
cg=$V1/mmscope-t0600-$$
shm=/dev/shm/mmscope-t0600-$$
hogpid=
cleanup() {
	[ -n "$hogpid" ] && kill "$hogpid" 2>/dev/null && wait "$hogpid" 2>/dev/null
	rm -f "$shm" "$SCRATCH/file"
	for d in "$cg"/churn-* "$cg"/a/b "$cg"/a "$cg"/empty/x "$cg"/empty/y "$cg"/empty "$cg"; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
	rm -rf "$SCRATCH"
}
trap cleanup EXIT
mkdir -p "$cg/a/b"

# Known amounts, charged to $cg/a/b: 32 MiB anon, 16 MiB shmem, 24 MiB page cache.
sh -c "echo \$\$ > $cg/a/b/cgroup.procs; exec $WL/hog -n 32" >"$SCRATCH/hog.out" 2>&1 &
hogpid=$!
sh -c "echo \$\$ > $cg/a/b/cgroup.procs; dd if=/dev/zero of=$shm bs=1M count=16 2>/dev/null; dd if=/dev/zero of=$SCRATCH/file bs=1M count=24 2>/dev/null"
for i in $(seq 50); do grep -q holding "$SCRATCH/hog.out" && break; sleep 0.1; done

# stat KEY: the hierarchical value in memory.stat of $cg/a/b (reading it flushes).
stat() { awk -v k="total_$1" '$1 == k { print $2 }' "$cg/a/b/memory.stat"; }
tol=$(( $(nproc) * 64 * 4096 ))

for backend in core text; do
	if ! "$MMSCOPE" -j memcg "$cg" --backend $backend -s anon,file,shmem,usage,pgfault >"$SCRATCH/$backend.json" 2>"$SCRATCH/err"; then
		not_ok "memcg-$backend-runs" "$(cat "$SCRATCH/err")"
		continue
	fi
	ok "memcg-$backend-runs"
	for pair in anon:rss:33554432 file:cache:41943040 shmem:shmem:16777216; do
		name=${pair%%:*} rest=${pair#*:}
		key=${rest%%:*} min=${rest#*:}
		got=$(json_get "$SCRATCH/$backend.json" "[c['stats']['$name'] for c in d['cgroups'] if c['path'] == '/a/b'][0]")
		want=$(stat $key)
		diff=$(( got > want ? got - want : want - got ))
		bound=$(( want / 100 > tol ? want / 100 : tol ))
		if [ "$got" -lt "$min" ]; then
			not_ok "memcg-$backend-$name" "$got < known $min"
		elif [ "$diff" -gt "$bound" ]; then
			not_ok "memcg-$backend-$name" "mmscope $got vs memory.stat $want (bound $bound)"
		else
			ok "memcg-$backend-$name ($got vs memory.stat $want)"
		fi
	done
	rows=$(json_get "$SCRATCH/$backend.json" "[c['path'] for c in d['cgroups']]")
	[ "$rows" = '["/", "/a", "/a/b"]' ] && ok "memcg-$backend-rows" ||
		not_ok "memcg-$backend-rows" "$rows"
	src=$(json_get "$SCRATCH/$backend.json" "d['backend']")
	[ "$src" = "\"$backend\"" ] && ok "memcg-$backend-backend" || not_ok "memcg-$backend-backend" "$src"
done

# One cgroup (--self): core's one-call path (a test run of the program on the cgroup
# its link pins) agrees with memory.stat like the iterator.
if "$MMSCOPE" -j memcg "$cg/a/b" --self --backend core -s anon,shmem,usage 0.05 2 >"$SCRATCH/self.json" 2>"$SCRATCH/err"; then
	sed -n 3p "$SCRATCH/self.json" >"$SCRATCH/self3.json" # the last: from the one-call path
	got=$(json_get "$SCRATCH/self3.json" "[c['stats']['anon'] for c in d['cgroups'] if c['path'] == '/'][0]")
	want=$(stat rss)
	diff=$(( got > want ? got - want : want - got ))
	n=$(wc -l < "$SCRATCH/self.json")
	if [ "$n" = 3 ] && [ "$diff" -le "$(( want / 100 > tol ? want / 100 : tol ))" ] && [ "$got" -ge 33554432 ]; then
		ok "memcg-core-self ($got vs memory.stat $want, $n snapshots)"
	else
		not_ok "memcg-core-self" "anon $got vs $want, $n snapshots"
	fi
else
	not_ok "memcg-core-self" "$(cat "$SCRATCH/err")"
fi

# The verification cgroup alone (as on an empty system): the slots it verifies give
# memory.stat's values, and it is gone afterwards.
if MMSCOPE_MEMCG_VERIFY_CGROUP=only "$MMSCOPE" -j memcg "$cg" --backend core -s anon,inactive_anon,unevictable >"$SCRATCH/probe.json" 2>"$SCRATCH/err"; then
	src=$(json_get "$SCRATCH/probe.json" "d['sources']['anon']")
	got=$(json_get "$SCRATCH/probe.json" "[c['stats']['anon'] for c in d['cgroups'] if c['path'] == '/a/b'][0]")
	want=$(stat rss)
	diff=$(( got > want ? got - want : want - got ))
	left=$(ls -d "$V1"/mmscope-verify-* 2>/dev/null | wc -l)
	if [ "$src" = '"core"' ] && [ "$left" = 0 ] && [ "$diff" -le "$(( want / 100 > tol ? want / 100 : tol ))" ]; then
		ok "memcg-verify-cgroup (anon from $src: $got vs memory.stat $want)"
	else
		not_ok "memcg-verify-cgroup" "anon from $src: $got vs $want, $left left over"
	fi
else
	not_ok "memcg-verify-cgroup" "$(cat "$SCRATCH/err")"
fi

# Dirty page cache from the verification cgroup: an unnamed (O_TMPFILE) file in
# $TMPDIR when that is disk-backed makes file_dirty verifiable with nothing else
# sampled; the directory stays empty and the cgroup is gone afterwards.
mkdir "$SCRATCH/tmpdir"
if [ "$(stat -f -c %T "$SCRATCH/tmpdir")" = tmpfs ]; then
	skip memcg-verify-dirty "$SCRATCH is on tmpfs: no file_dirty to make"
elif before=$(stat dirty) && TMPDIR=$SCRATCH/tmpdir MMSCOPE_MEMCG_VERIFY_CGROUP=only "$MMSCOPE" -j memcg "$cg" --backend core -s file_dirty,inactive_file,active_file >"$SCRATCH/dirty.json" 2>"$SCRATCH/err"; then
	srcs=$(json_get "$SCRATCH/dirty.json" "' '.join(d['sources'][k] for k in ('file_dirty', 'inactive_file', 'active_file'))")
	got=$(json_get "$SCRATCH/dirty.json" "[c['stats']['file_dirty'] for c in d['cgroups'] if c['path'] == '/a/b'][0]")
	want=$(stat dirty) # the flusher may write the 24 MiB meanwhile: got is in between
	lo=$(( (before < want ? before : want) - tol )) hi=$(( (before > want ? before : want) + tol ))
	left=$(ls -d "$V1"/mmscope-verify-* 2>/dev/null | wc -l)
	files=$(ls -A "$SCRATCH/tmpdir" | wc -l)
	if [ "$srcs" = '"core core core"' ] && [ "$left" = 0 ] && [ "$files" = 0 ] &&
	   [ "$got" -ge "$lo" ] && [ "$got" -le "$hi" ]; then
		ok "memcg-verify-dirty (file_dirty, inactive_file, active_file from core; /a/b dirty $got vs memory.stat $before..$want)"
	else
		not_ok "memcg-verify-dirty" "sources $srcs, dirty $got vs $before..$want, $left cgroups and $files files left over"
	fi
else
	not_ok "memcg-verify-dirty" "$(cat "$SCRATCH/err")"
fi

# The root-total rule (src/lib/memcg/memcg_zero.c): file_writeback and
# workingset_refault_anon, whose slots core cannot verify where they are 0 in every
# sampled cgroup (no swap, no writeback in flight), equal each cgroup's memory.stat,
# and under a subtree whose totals are 0 no cgroup's memory.stat is opened: only the
# reader root's (its descriptors are kept between reads, so they can be counted).
zstat() { awk -v k="total_$2" '$1 == k { print $2 }' "$cg$1/memory.stat"; }
if "$MMSCOPE" -v -j memcg "$cg" --backend core -s anon,file_writeback,workingset_refault_anon >"$SCRATCH/zero.json" 2>"$SCRATCH/zero.err"; then
	bad=
	for path in / /a /a/b; do
		for pair in file_writeback:writeback workingset_refault_anon:workingset_refault_anon; do
			name=${pair%%:*} key=${pair#*:}
			got=$(json_get "$SCRATCH/zero.json" "[c['stats']['$name'] for c in d['cgroups'] if c['path'] == '$path'][0]")
			want=$(zstat "${path%/}" "$key")
			diff=$(( got > want ? got - want : want - got ))
			[ "$diff" -le "$tol" ] || bad="$bad $path $name $got vs $want;"
		done
	done
	how=$(grep -c "0 without text while the root's total is 0" "$SCRATCH/zero.err")
	[ -z "$bad" ] && ok "memcg-zero-rule-values (file_writeback, workingset_refault_anon as memory.stat; $how served by the rule)" ||
		not_ok "memcg-zero-rule-values" "$bad"
else
	not_ok "memcg-zero-rule-values" "$(cat "$SCRATCH/zero.err")"
fi
mkdir -p "$cg/empty/x" "$cg/empty/y"
"$MMSCOPE" -j memcg "$cg/empty" --backend core -s anon,file_writeback,workingset_refault_anon 0.3 3 >"$SCRATCH/empty.json" 2>"$SCRATCH/err" &
reader=$!
for i in $(seq 250); do [ -s "$SCRATCH/empty.json" ] && break; sleep 0.02; done
fds=$(for f in /proc/$reader/fd/*; do readlink "$f"; done 2>/dev/null | grep -c "/memory.stat$")
wait $reader
tail -n1 "$SCRATCH/empty.json" >"$SCRATCH/empty3.json"
zeros=$(json_get "$SCRATCH/empty3.json" "sorted(set(v for c in d['cgroups'] for v in c['stats'].values()))")
rows=$(json_get "$SCRATCH/empty3.json" "len(d['cgroups'])")
if [ "$fds" = 1 ] && [ "$zeros" = "[0]" ] && [ "$rows" = 3 ]; then
	ok "memcg-zero-rule-no-text (3 empty cgroups: $fds memory.stat open, the root's)"
else
	not_ok "memcg-zero-rule-no-text" "$fds memory.stat open, values $zeros, rows $rows: $(cat "$SCRATCH/err")"
fi
rmdir "$cg/empty/x" "$cg/empty/y" "$cg/empty"

# Churn: cgroups created and removed while a stream reads every 50 ms; each snapshot's
# rows must be unique by id, and each path must exist or have been one we removed.
(
	i=0
	while [ $i -lt 150 ]; do
		mkdir "$cg/churn-$i" 2>/dev/null
		[ $i -ge 3 ] && rmdir "$cg/churn-$((i - 3))" 2>/dev/null
		i=$((i + 1))
	done
) &
churn=$!
for backend in core text; do
	if "$MMSCOPE" -j memcg "$cg" --backend $backend -s anon,pgfault 0.02 30 >"$SCRATCH/churn.json" 2>"$SCRATCH/err"; then
		if python3 - "$SCRATCH/churn.json" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    ids = [c["id"] for c in d["cgroups"]]
    assert len(ids) == len(set(ids)), "duplicate rows"
    for c in d["cgroups"]:
        p = c["path"]
        assert p in ("/", "/a", "/a/b") or p.startswith("/churn-"), p
PY
		then ok "memcg-$backend-churn"; else not_ok "memcg-$backend-churn" "bad rows"; fi
	else
		not_ok "memcg-$backend-churn" "exit $?: $(cat "$SCRATCH/err")"
	fi
done
wait $churn

# A cgroup deleted between two reads: gone from the next snapshot, no error.
mkdir "$cg/churn-gone"
"$MMSCOPE" -j memcg "$cg" --backend core -s anon 0.5 1 >"$SCRATCH/gone.json" 2>"$SCRATCH/err" &
reader=$!
# Removed once the first snapshot is out (the open can take a while on a busy machine).
for i in $(seq 250); do [ -s "$SCRATCH/gone.json" ] && break; sleep 0.02; done
rmdir "$cg/churn-gone"
if wait $reader && [ "$(sed -n 1p "$SCRATCH/gone.json" | grep -c churn-gone)" = 1 ] &&
   [ "$(sed -n 2p "$SCRATCH/gone.json" | grep -c churn-gone)" = 0 ]; then
	ok "memcg-deleted-between-reads"
else
	not_ok "memcg-deleted-between-reads" "$(cat "$SCRATCH/err") $(cut -c1-200 "$SCRATCH/gone.json")"
fi

expect_status memcg-root-missing 2 "$MMSCOPE" memcg /nonexistent/cgroup
expect_status memcg-root-not-cgroup 2 "$MMSCOPE" memcg /tmp
expect_status memcg-bad-stat 2 "$MMSCOPE" memcg "$cg" -s anon,nosuchstat
expect_status memcg-bad-backend 2 "$MMSCOPE" memcg "$cg" --backend fast
if [ -d /sys/fs/cgroup/cpu ]; then
	expect_status memcg-no-memory-controller 3 "$MMSCOPE" memcg /sys/fs/cgroup/cpu
fi
expect_status memcg-kfunc-missing 3 "$MMSCOPE" memcg "$cg" --backend kfunc
