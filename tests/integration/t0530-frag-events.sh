#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mmscope frag --events against the kernel's own count of kmem:mm_page_alloc_extfrag:
# the pgtables helper allocates 256 MiB of page tables (unmovable) from a v1
# memory cgroup of our own, which makes the allocator fall back to movable
# pageblocks without memory pressure; mmscope -c counts that cgroup's events,
# perf stat counts the helper's.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/trace_lib.sh"

WL=$TOP/build/workloads
MEMCG=/sys/fs/cgroup/memory
if ! is_root; then
	skip frag-events "needs root"
	exit 0
fi
[ -w "$MEMCG" ] || { skip frag-events "no v1 memory hierarchy at $MEMCG"; exit 0; }
have_perf || { skip frag-events-vs-kernel "no perf (scripts/install-deps.sh --test installs linux-perf)"; exit 0; }
[ -x "$WL/pgtables" ] || make -C "$TOP" workloads >/dev/null 2>&1
CG=$MEMCG/mmscope-t0530-$$
trap 'rmdir "$CG" 2>/dev/null; rm -rf "$SCRATCH"' EXIT
mkdir "$CG" || { not_ok frag-events-cgroup "cannot create $CG"; exit 0; }

"$MMSCOPE" -j frag --events -c "$CG" 0.5 >"$SCRATCH/f.json" 2>"$SCRATCH/f.err" &
tracer=$!
sleep 1.5
kernel=$(kernel_count kmem:mm_page_alloc_extfrag "$WL/cgexec" "$CG" "$WL/pgtables" -k 64 4)
sleep 0.7
kill -INT $tracer
wait $tracer
st=$?
[ "$st" = 0 ] && ok frag-events-sigint-exit-0 || not_ok frag-events-sigint-exit-0 "exit $st: $(head -c 200 "$SCRATCH/f.err")"
ours=$(summary_get "$SCRATCH/f.json" events)
lost=$(summary_get "$SCRATCH/f.json" lost)
echo "# page tables: mmscope $ours extfrag events (lost $lost), kernel $kernel"
if [ -z "$kernel" ] || [ "$kernel" = 0 ]; then
	skip frag-events-count-vs-perf "the kernel counted no extfrag events for the workload (free memory in unmovable blocks?)"
elif within_2pct "$ours" "$kernel"; then
	ok frag-events-count-vs-perf
else
	not_ok frag-events-count-vs-perf "mmscope $ours, perf $kernel"
fi
# The intervals add up to the summary, and each splits its events the same ways.
python3 - "$SCRATCH/f.json" >"$SCRATCH/check.out" 2>&1 <<'PY'
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
iv = [o for o in objs if o["type"] == "interval"]
s = objs[-1]
assert s["type"] == "summary", "last object is not the summary"
assert sum(o["events"] for o in iv) == s["events"], "intervals do not add up"
for o in iv + [s]:
    assert sum(k["events"] for k in o["by_migratetype"]) == o["events"], o
    assert sum(k["fragmenting"] for k in o["by_migratetype"]) == o["fragmenting"], o
assert s["pageblock_order"] == 9 and s["pageblock_order_source"] == "pagetypeinfo", s
if s["events"]:
    assert s["processes"][0]["comm"] == "pgtables", s["processes"]
    assert any(k["alloc"] == "unmovable" for k in s["by_migratetype"]), s["by_migratetype"]
print(len(iv), "intervals")
PY
[ $? = 0 ] && ok frag-events-json-consistent || not_ok frag-events-json-consistent "$(tail -c 300 "$SCRATCH/check.out")"
