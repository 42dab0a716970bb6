#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mmscope export scraped by a real Prometheus (Debian's), every second, on
# loopback with a temporary config and data directory; the checks query
# Prometheus' HTTP API, so they also prove it parsed what we served (it asks for
# OpenMetrics first):
#  - a cgroup of ours holding 64 MiB of anonymous memory (hog) shows it, within 2%;
#  - memcg reclaim in a 32 MiB cgroup of ours (page cache twice its limit) shows in
#    the reclaim histogram's _count with the stalls perf counted on the kernel's
#    tracepoint (the tracers follow that cgroup: --trace-cgroup), within 2%;
#  - a cgroup removed mid-run leaves no series behind;
#  - SIGTERM ends the exporter with status 0 and no BPF link of ours left.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/trace_lib.sh"

WL=$TOP/build/workloads
MEMCG=/sys/fs/cgroup/memory
is_root || { skip export-prometheus "needs root"; exit 0; }
command -v prometheus >/dev/null || { skip export-prometheus "no prometheus (install-deps --test)"; exit 0; }
[ -w "$MEMCG" ] || { skip export-prometheus "no v1 memory hierarchy at $MEMCG"; exit 0; }
[ -x "$WL/hog" ] && [ -x "$WL/pagecache" ] || make -C "$TOP" workloads >/dev/null 2>&1

# Ports of our own: from our pid, away from the defaults others use.
EP=$((21000 + $$ % 4000))
PP=$((25000 + $$ % 4000))
A=$MEMCG/mmscope-i16-anon-$$
R=$MEMCG/mmscope-i16-rec-$$
G=$MEMCG/mmscope-i16-gone-$$
FILE=/var/tmp/mmscope-i16-$$
EXP= PROM= HOG=
cleanup() {
	for p in $HOG $PROM $EXP; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rmdir "$A" "$R" "$G" 2>/dev/null
	rm -f "$FILE"
	rm -rf "$SCRATCH"
}
trap cleanup EXIT
mkdir "$A" "$R" "$G" && echo $((32 << 20)) >"$R/memory.limit_in_bytes" ||
	{ not_ok export-prometheus-cgroups "cannot create our cgroups"; exit 0; }

# The exporter's own BPF links (link_id in its descriptors' fdinfo): counting
# every link on the host failed when another session's tracer started meanwhile.
own_links() { grep -h '^link_id:' /proc/"$1"/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -u; }
"$MMSCOPE" export --listen 127.0.0.1:$EP --trace-cgroup "$R" --min-interval 0.2 \
	>"$SCRATCH/exp.out" 2>"$SCRATCH/exp.err" &
EXP=$!
cat >"$SCRATCH/prom.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: mmscope
    static_configs:
      - targets: ['127.0.0.1:$EP']
YML
prometheus --config.file="$SCRATCH/prom.yml" --storage.tsdb.path="$SCRATCH/tsdb" \
	--web.listen-address=127.0.0.1:$PP >"$SCRATCH/prom.log" 2>&1 &
PROM=$!

# query PROMQL: the first result's value, or nothing (sed, not a python per query:
# each check polls, and python's start is slow on a busy machine).
query() {
	curl -s --max-time 5 --data-urlencode "query=$1" "http://127.0.0.1:$PP/api/v1/query" |
		sed -n 's/^[^]]*"value":\[[^,]*,"\([^"]*\)"\].*/\1/p'
}
# wait_for PROMQL: polls until the query has a result (30 s at most); prints it.
wait_for() {
	i=0
	while [ $i -lt 60 ]; do
		v=$(query "$1")
		[ -n "$v" ] && { echo "$v"; return 0; }
		sleep 0.5
		i=$((i + 1))
	done
	return 1
}

"$WL/cgexec" "$A" "$WL/hog" -n 64 >"$SCRATCH/hog.out" 2>&1 &
HOG=$!
up=$(wait_for 'up{job="mmscope"} == 1')
[ "$up" = 1 ] && ok export-prometheus-up || { not_ok export-prometheus-up "$(tail -c 300 "$SCRATCH/prom.log" | tr '\n' ' ') $(cat "$SCRATCH/exp.err")"; exit 0; }
i=0
while ! grep -q holding "$SCRATCH/hog.out" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
# A scrape after the hog touched its memory: the collections counter moved on.
c0=$(query 'mmscope_exporter_collections_total')
wait_for "mmscope_exporter_collections_total > $c0" >/dev/null
anon=$(query "mmscope_memcg_anon_bytes{cgroup=\"/$(basename "$A")\"}")
if [ -n "$anon" ] && within_2pct "$anon" $((64 << 20)); then
	ok export-prometheus-anon
else
	not_ok export-prometheus-anon "anon ${anon:-absent}, want $((64 << 20))"
fi

gone=$(wait_for "mmscope_memcg_usage_bytes{cgroup=\"/$(basename "$G")\"}")
[ -n "$gone" ] && ok export-prometheus-cgroup-seen || not_ok export-prometheus-cgroup-seen "no series for $G"
rmdir "$G"
c0=$(query 'mmscope_exporter_collections_total')
wait_for "mmscope_exporter_collections_total > $c0 + 1" >/dev/null
left=$(query "count({cgroup=\"/$(basename "$G")\"})")
[ -z "$left" ] && ok export-prometheus-removed-cgroup || not_ok export-prometheus-removed-cgroup "$left series left"

if ! have_perf; then
	skip export-prometheus-reclaim "no perf (install-deps --test installs linux-perf)"
else
	dd if=/dev/zero of="$FILE" bs=1M count=64 conv=fsync status=none
	python3 -c 'import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)' "$FILE"
	before=$(query 'mmscope_reclaim_stall_seconds_count{kind="memcg"}')
	kernel=$(kernel_count vmscan:mm_vmscan_memcg_reclaim_begin "$WL/cgexec" "$R" "$WL/pagecache" "$FILE")
	c0=$(query 'mmscope_exporter_collections_total')
	wait_for "mmscope_exporter_collections_total > $c0 + 1" >/dev/null
	after=$(query 'mmscope_reclaim_stall_seconds_count{kind="memcg"}')
	ours=$(awk -v a="${after:-0}" -v b="${before:-0}" 'BEGIN { print a - b }')
	echo "# memcg reclaim: exporter histogram _count +$ours, perf $kernel"
	if [ -n "$kernel" ] && [ "$kernel" -gt 0 ] && within_2pct "$ours" "$kernel"; then
		ok export-prometheus-reclaim
	else
		not_ok export-prometheus-reclaim "exporter +$ours (before ${before:-absent}), perf ${kernel:-?}"
	fi
fi

ids=$(own_links $EXP)
kill -TERM $EXP
wait $EXP
st=$?
EXP=
[ "$st" = 0 ] && ok export-sigterm-exit-0 || not_ok export-sigterm-exit-0 "exit $st: $(head -c 200 "$SCRATCH/exp.err")"
left=
for id in $ids; do
	bpftool link show id "$id" >/dev/null 2>&1 && left="$left $id"
done
if [ -z "$ids" ]; then
	not_ok export-links-detached "no BPF link found in the exporter's descriptors"
elif [ -z "$left" ]; then
	ok export-links-detached
else
	not_ok export-links-detached "links still there after exit:$left (of $(echo $ids))"
fi
