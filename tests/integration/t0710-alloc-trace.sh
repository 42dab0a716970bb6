#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mmscope alloc, bpf-trace backend (this kernel has no allocation profiling): a
# burst of 4000 pipes held open during --diff is attributed to alloc_pipe_info (two
# slab allocations per pipe: pipe_inode_info and the buffer array), the output says
# it only sees what happens while it runs and shows its losses, options it cannot
# serve are refused, and nothing stays attached afterwards.
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

expect_status trace-no-file 2 "$MMSCOPE" alloc --backend bpf-trace --file mm/
expect_status trace-no-root 3 "$MMSCOPE" --root "$FIXTURES/test-7.2" alloc --backend bpf-trace
links=$(bpftool -j link show 2>/dev/null | python3 -c 'import json,sys; print(sum(1 for l in json.load(sys.stdin) if l.get("type") == "raw_tracepoint" and "kmalloc" in str(l.get("tp_name", ""))))' 2>/dev/null || echo 0)
[ "$links" = 0 ] && ok trace-detached || not_ok trace-detached "$links kmalloc links left"
