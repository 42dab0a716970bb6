#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mmscope alloc, bpf-trace backend (this kernel has no allocation profiling): a
# burst of 4000 pipes held open during --diff is attributed to alloc_pipe_info (two
# slab allocations per pipe: pipe_inode_info and the buffer array), the output says
# it only sees what happens while it runs and shows its losses, options it cannot
# serve are refused, and nothing stays attached afterwards. With --sample 16 the
# same burst is estimated within 25% (about 500 sampled calls: 3 standard
# deviations are 13%). Page sites are named by a function they are in (never an
# address past the last symbol, as our own BPF programs were before).
. "$(dirname "$0")/lib.sh"

WL=$TOP/build/workloads
[ -x "$WL/pipes" ] || make -C "$TOP" workloads >/dev/null 2>&1
if [ -e /proc/allocinfo ]; then
	skip alloc-trace "this kernel has /proc/allocinfo: the automatic choice is allocinfo"
	exit 0
fi
if ! is_root; then
	skip alloc-trace "needs root to load BPF"
	exit 0
fi

n=4000
(sleep 1; "$WL/pipes" $n 5 >/dev/null) &
"$MMSCOPE" -j alloc --diff 3 --func alloc_pipe_info -n 0 >"$SCRATCH/pipe.json" 2>"$SCRATCH/err"
rc=$?
wait
if [ $rc != 0 ]; then
	not_ok trace-runs "exit $rc: $(cat "$SCRATCH/err")"
	exit 0
fi
ok trace-runs
b=$(json_get "$SCRATCH/pipe.json" 'd["backend"]')
[ "$b" = '"bpf-trace"' ] && ok trace-backend || not_ok trace-backend "$b"
json_get "$SCRATCH/pipe.json" 'd["note"]' | grep -q 'only allocations made while tracing' &&
	ok trace-says-window || not_ok trace-says-window "no note"
json_get "$SCRATCH/pipe.json" 'sorted(d["losses"].keys())' | grep -q untracked_live_map_full &&
	ok trace-losses || not_ok trace-losses "no losses object"
calls=$(json_get "$SCRATCH/pipe.json" 'sum(s["calls"] for s in d["sites"])')
bytes=$(json_get "$SCRATCH/pipe.json" 'sum(s["bytes"] for s in d["sites"])')
funcs=$(json_get "$SCRATCH/pipe.json" 'sorted(set(s["func"] for s in d["sites"]))')
if [ "$calls" -ge $((2 * n * 95 / 100)) ] && [ "$calls" -le $((2 * n * 110 / 100)) ] &&
	[ "$bytes" -ge $((n * 512)) ] && [ "$bytes" -le $((n * 8192)) ]; then
	ok "trace-pipe-burst (alloc_pipe_info +$calls calls +$bytes bytes for $n pipes)"
else
	not_ok trace-pipe-burst "alloc_pipe_info $calls calls $bytes bytes for $n pipes; $funcs"
fi

# Sampled: the estimate of the same burst, from one allocation in about 16.
(sleep 1; "$WL/pipes" $n 5 >/dev/null) &
"$MMSCOPE" -j alloc --sample 16 --diff 3 -n 0 >"$SCRATCH/sampled.json" 2>"$SCRATCH/err"
rc=$?
wait
every=$(json_get "$SCRATCH/sampled.json" 'd["sample_every"]' 2>/dev/null)
scalls=$(json_get "$SCRATCH/sampled.json" 'sum(s["calls"] for s in d["sites"] if s["func"] == "alloc_pipe_info")' 2>/dev/null)
if [ $rc = 0 ] && [ "$every" = 16 ] && [ "${scalls:-0}" -ge $((2 * n * 75 / 100)) ] &&
	[ "$scalls" -le $((2 * n * 125 / 100)) ]; then
	ok "trace-sampled (--sample 16: alloc_pipe_info +$scalls calls estimated for $((2 * n)))"
else
	not_ok trace-sampled "exit $rc, sample_every $every, alloc_pipe_info $scalls calls for $((2 * n)): $(head -c 300 "$SCRATCH/err")"
fi
# Every site, page sites included, is inside the function it names.
bad=$(json_get "$SCRATCH/sampled.json" '[s["site"] for s in d["sites"] if s["func"] and (s["offset"] >= 1 << 20 or s["func"] in ("_etext", "_einittext", "_end"))]' 2>/dev/null)
pages=$(json_get "$SCRATCH/sampled.json" 'len([s for s in d["sites"] if s["kind"] == "page"])' 2>/dev/null)
[ "$bad" = "[]" ] && ok "trace-page-sites ($pages page sites, all inside a named function)" ||
	not_ok trace-page-sites "sites past their symbol: $bad"
expect_status trace-sample-zero 2 "$MMSCOPE" alloc --backend bpf-trace --sample 0
expect_status trace-sample-word 2 "$MMSCOPE" alloc --backend bpf-trace --sample many

expect_status trace-no-file 2 "$MMSCOPE" alloc --backend bpf-trace --file mm/
expect_status trace-no-root 3 "$MMSCOPE" --root "$FIXTURES/test-7.2" alloc --backend bpf-trace
# BTF tracepoints are "tracing" links, raw ones "raw_tracepoint": look for the
# programs by name (the kernel keeps 15 characters of it).
left=$(bpftool -j prog show 2>/dev/null | python3 -c 'import json,sys; print(sum(1 for p in json.load(sys.stdin) if p.get("name", "") in ("on_kmalloc", "on_kfree", "on_kmem_cache_a", "on_kmem_cache_f", "on_page_alloc", "on_page_free")))' 2>/dev/null || echo 0)
[ "$left" = 0 ] && ok trace-detached || not_ok trace-detached "$left alloc programs left"
