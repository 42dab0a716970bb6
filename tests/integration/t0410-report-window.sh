#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The report's window on the real kernel: memcg reclaim in a 32 MiB v1 cgroup of
# our own while the report's tracers are attached. The report names the cgroup
# and the process, with the stall count the kernel's tracepoint counted (perf
# stat on the same workload); the cgroup at its limit is a finding; a memcg OOM
# kill in the window is a finding naming victim, cgroup and constraint; run
# unprivileged, the report still runs and says what it left out.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/trace_lib.sh"

WL=$TOP/build/workloads
MEMCG=/sys/fs/cgroup/memory

# Unprivileged first: it needs no cgroup.
if command -v setpriv >/dev/null 2>&1; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$MMSCOPE" -j report -i 0.2 \
		>"$SCRATCH/u.json" 2>"$SCRATCH/u.err"
	st=$?
	left=$(json_get "$SCRATCH/u.json" '",".join(x["what"] for x in d["left_out"])' 2>/dev/null)
	zones=$(json_get "$SCRATCH/u.json" 'len(d["zones"])' 2>/dev/null)
	if [ "$st" = 0 ] && [ "${zones:-0}" -gt 0 ] && case "$left" in *tracers*) true ;; *) false ;; esac; then
		ok "report-unprivileged (left out: $left)"
	else
		not_ok report-unprivileged "exit $st, left out '$left', zones '$zones': $(head -c 200 "$SCRATCH/u.err")"
	fi
	setpriv --reuid=65534 --regid=65534 --clear-groups "$MMSCOPE" report -i 0.2 >"$SCRATCH/u.txt" 2>&1
	grep -q '^left out tracers: .*Operation not permitted' "$SCRATCH/u.txt" && grep -q '^findings' "$SCRATCH/u.txt" &&
		ok report-unprivileged-text || not_ok report-unprivileged-text "$(head -c 300 "$SCRATCH/u.txt")"
else
	skip report-unprivileged "no setpriv"
fi

if ! is_root; then
	skip report-window "needs root"
	exit 0
fi
[ -w "$MEMCG" ] || { skip report-window "no v1 memory hierarchy at $MEMCG"; exit 0; }
[ -x "$WL/pagecache" ] && [ -x "$WL/oom" ] || make -C "$TOP" workloads >/dev/null 2>&1
if ! have_perf; then
	skip report-window "no perf (scripts/install-deps.sh --test installs linux-perf)"
	exit 0
fi
CG=$MEMCG/mmscope-t0410-$$
OOMCG=$MEMCG/mmscope-t0410-oom-$$
FILE=/var/tmp/mmscope-t0410-$$
trap 'rmdir "$CG" "$OOMCG" 2>/dev/null; rm -f "$FILE"; rm -rf "$SCRATCH"' EXIT
mkdir "$CG" && echo $((32 << 20)) >"$CG/memory.limit_in_bytes" || { not_ok report-window "cannot create $CG"; exit 0; }
# On disk, not tmpfs, so its pages are reclaimable page cache; dropped from the
# cache after writing so that reading charges them to the cgroup.
dd if=/dev/zero of="$FILE" bs=1M count=128 conv=fsync status=none
python3 -c 'import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)' "$FILE"

# attached PID: waits until the report opened the kernel log, which it does
# right after its tracers attached (report.c), so the workload starts traced.
attached() {
	for _ in $(seq 100); do
		ls -l "/proc/$1/fd" 2>/dev/null | grep -q /dev/kmsg && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

"$MMSCOPE" -j report -d 30 >"$SCRATCH/r.json" 2>"$SCRATCH/r.err" &
rep=$!
attached $rep || { not_ok report-window "the report never attached: $(head -c 200 "$SCRATCH/r.err")"; exit 0; }
kernel=$(kernel_count vmscan:mm_vmscan_memcg_reclaim_begin "$WL/cgexec" "$CG" "$WL/pagecache" "$FILE")
"$WL/oom" "$OOMCG" 32 >"$SCRATCH/oom.out" 2>&1
oom_st=$?
kill -INT $rep # ends the window early: the report is printed as usual
wait $rep
st=$?
[ "$st" = 0 ] && ok report-window-exit-0 || not_ok report-window-exit-0 "exit $st: $(head -c 200 "$SCRATCH/r.err")"
name=/$(basename "$CG")
cat >"$SCRATCH/q.py" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
name, what = sys.argv[2], sys.argv[3]
rows = [s for s in d["stalls"] if s["kind"] == "memcg_reclaim" and s["cgroup"] == name]
if what == "proc":
    p = [s for s in rows if "pid" in s]
    print(" ".join("%s:%d:%d" % (s["comm"], s["pid"], s["count"]) for s in p))
elif what == "cgroup":
    print(sum(s["count"] for s in rows if "pid" not in s))
elif what == "finding":
    print(" ".join(f["id"] for f in d["findings"] if name in f["text"]))
elif what == "oom":
    v = d["oom_kills"]["victims"]
    print(" ".join("%s:%s:%s" % (x["comm"], x["cgroup"], x["constraint"]) for x in v))
PY
procs=$(python3 "$SCRATCH/q.py" "$SCRATCH/r.json" "$name" proc)
cgcount=$(python3 "$SCRATCH/q.py" "$SCRATCH/r.json" "$name" cgroup)
echo "# memcg reclaim: report $procs (cgroup $cgcount), kernel $kernel"
case "$procs" in
pagecache:*:"$kernel") [ "$kernel" -gt 0 ] && ok "report-names-process ($procs, perf $kernel)" ||
	not_ok report-names-process "perf counted none" ;;
*) not_ok report-names-process "report '$procs', perf $kernel" ;;
esac
[ "$cgcount" = "$kernel" ] && ok "report-names-cgroup ($name: $cgcount)" ||
	not_ok report-names-cgroup "$name: $cgcount stalls, perf $kernel"
ids=$(python3 "$SCRATCH/q.py" "$SCRATCH/r.json" "$name" finding)
case " $ids " in *" memcg_at_limit "*) ok "report-finding-at-limit ($ids)" ;;
*) not_ok report-finding-at-limit "findings naming $name: '$ids'" ;; esac
case " $ids " in *" memcg_reclaim_stalls "*) ok report-finding-memcg-reclaim ;;
*) not_ok report-finding-memcg-reclaim "findings naming $name: '$ids'" ;; esac
oomname=/$(basename "$OOMCG")
if [ "$oom_st" = 0 ]; then
	v=$(python3 "$SCRATCH/q.py" "$SCRATCH/r.json" "$oomname" oom)
	case "$v" in *"oom:$oomname:CONSTRAINT_MEMCG"*) ok "report-oom-victim ($v)" ;;
	*) not_ok report-oom-victim "victims '$v', want oom in $oomname" ;; esac
	python3 "$SCRATCH/q.py" "$SCRATCH/r.json" "$oomname" finding | grep -qw oom_kill &&
		ok report-oom-finding || not_ok report-oom-finding "no oom_kill finding naming $oomname"
else
	skip report-oom-victim "the oom workload did not cause a kill: $(cat "$SCRATCH/oom.out")"
fi
