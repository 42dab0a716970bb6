#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mmscope compact against the kernel's own count: manual compaction
# (/proc/sys/vm/compact_memory) written from a v1 memory cgroup of our own, so
# that mmscope -c sees exactly the runs that perf stat counts for that shell.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/trace_lib.sh"

WL=$TOP/build/workloads
MEMCG=/sys/fs/cgroup/memory
if ! is_root; then
	skip compact "needs root"
	exit 0
fi
[ -w /proc/sys/vm/compact_memory ] || { skip compact "no /proc/sys/vm/compact_memory (CONFIG_COMPACTION)"; exit 0; }
[ -w "$MEMCG" ] || { skip compact "no v1 memory hierarchy at $MEMCG"; exit 0; }
have_perf || { skip compact-vs-kernel "no perf (scripts/install-deps.sh --test installs linux-perf)"; exit 0; }
[ -x "$WL/cgexec" ] || make -C "$TOP" workloads >/dev/null 2>&1
CG=$MEMCG/mmscope-t0510-$$
trap 'rmdir "$CG" 2>/dev/null; rm -rf "$SCRATCH"' EXIT
mkdir "$CG" || { not_ok compact-cgroup "cannot create $CG"; exit 0; }

"$MMSCOPE" -j compact -c "$CG" >"$SCRATCH/c.json" 2>"$SCRATCH/c.err" &
tracer=$!
sleep 1.5
kernel=$(kernel_count compaction:mm_compaction_begin "$WL/cgexec" "$CG" sh -c \
	'for i in 1 2 3 4 5; do echo 1 > /proc/sys/vm/compact_memory; done')
sleep 0.5
kill -TERM $tracer
wait $tracer
st=$?
[ "$st" = 0 ] && ok compact-sigterm-exit-0 || not_ok compact-sigterm-exit-0 "exit $st: $(head -c 200 "$SCRATCH/c.err")"
ours=$(summary_get "$SCRATCH/c.json" events)
lost=$(summary_get "$SCRATCH/c.json" lost)
echo "# manual compaction: mmscope $ours runs (lost $lost), kernel $kernel"
if [ -n "$kernel" ] && [ "$kernel" -gt 0 ] && within_2pct "$ours" "$kernel"; then
	ok compact-count-vs-perf
else
	not_ok compact-count-vs-perf "mmscope $ours, perf $kernel"
fi
grep '"type":"compaction"' "$SCRATCH/c.json" | head -n 1 >"$SCRATCH/one.json"
who=$(json_get "$SCRATCH/one.json" "d['who']")
res=$(json_get "$SCRATCH/one.json" "d['result']")
[ "$who" = '"manual"' ] && ok compact-who-manual || not_ok compact-who-manual "who $who"
case "$res" in '"complete"'|'"success"'|'"partial_skipped"'|'"contended"') ok compact-result-named ;;
*) not_ok compact-result-named "result $res" ;; esac
