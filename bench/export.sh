#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# bench/export: CPU per scrape of `mmscope export`, as ratios against peers measured
# in the same run (run as root: it makes cgroups; `make bench-export`):
#  - memcg statistics of N = 10, 100, 1000, 10000 cgroups: the exporter with its BPF
#    reader (core: a cgroup iterator) against the same exporter reading every
#    cgroup's memory.stat as text (the text backend: what cAdvisor does, though our
#    text backend keeps each file open and preads it, so the text figures are a
#    lower bound of cAdvisor's open/read/close/parse);
#  - the host metrics node_exporter's meminfo, vmstat, pressure and buddyinfo
#    collectors serve, against `--collectors vmstat,frag` (meminfo, vmstat, PSI,
#    buddyinfo with the fragmentation indices, zoneinfo watermarks).
# CPU is the server process's on-CPU time (/proc/PID/task/*/schedstat) over a
# batch of scrapes by one curl (after two warm-up scrapes), divided by the scrapes;
# each figure is the median of 3 interleaved rounds.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
MMSCOPE=${MMSCOPE:-$TOP/mmscope}
NODE_EXPORTER=${NODE_EXPORTER:-prometheus-node-exporter}
MEMCG=/sys/fs/cgroup/memory
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
[ "$(id -u)" = 0 ] || { echo "bench/export: needs root (cgroups, BPF)" >&2; exit 3; }
B=$MEMCG/mmscope-bench-export-$$
PORT=$((36000 + $$ % 2000))
SRV=
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	[ -d "$B" ] && $PY -c 'import os,sys
b = sys.argv[1]
for d in os.listdir(b):
    if os.path.isdir(os.path.join(b, d)): os.rmdir(os.path.join(b, d))
os.rmdir(b)' "$B"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
# start CMD...: runs a server on $PORT and waits until it answers.
start() {
	"$@" >/dev/null 2>&1 &
	SRV=$!
	i=0
	until curl -s -o /dev/null "http://127.0.0.1:$PORT/metrics" || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
}
stop() { kill "$SRV"; wait "$SRV" 2>/dev/null; SRV=; }
# per_scrape K: the server's CPU microseconds per scrape over K scrapes, after two
# scrapes not counted: the first ones open and name every cgroup (at 10000 cgroups
# the second scrape costs nearly twice the tenth), a fleet's exporter is past them.
per_scrape() {
	urls=
	for _ in $(seq "$1"); do urls="$urls -o /dev/null http://127.0.0.1:$PORT/metrics"; done
	curl -s -o /dev/null "http://127.0.0.1:$PORT/metrics" -o /dev/null "http://127.0.0.1:$PORT/metrics"
	c0=$(cpu_ns $SRV)
	# shellcheck disable=SC2086
	curl -s $urls
	c1=$(cpu_ns $SRV)
	echo $(((c1 - c0) / $1 / 1000))
}
median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
series() { curl -s "http://127.0.0.1:$PORT/metrics" | grep -vc '^#'; }

mkdir "$B"
made=0
# The load the figures were taken under (another workload on the machine inflates both sides).
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "mmscope export: CPU per scrape, microseconds (median of 3 rounds; the machine is shared)"
printf '%-8s %10s %10s %8s %8s\n' cgroups core_us text_us ratio series
for n in ${BENCH_CGROUPS:-10 100 1000 10000}; do
	$PY -c 'import os,sys
for i in range(int(sys.argv[2]), int(sys.argv[3])): os.mkdir("%s/c%d" % (sys.argv[1], i))' "$B" $made $n
	made=$n
	k=$((20000 / n)); [ $k -lt 5 ] && k=5; [ $k -gt 200 ] && k=200
	core= text=
	for round in 1 2 3; do
		for be in core text; do
			start "$MMSCOPE" export --listen 127.0.0.1:$PORT --collectors memcg --memcg-backend $be \
				--min-interval 0 --max-cgroups 1000000
			[ "$round$be" = 1core ] && s=$(series)
			v=$(per_scrape $k)
			stop
			eval "$be=\"\$$be $v\""
		done
	done
	# shellcheck disable=SC2086
	c=$(median3 $core) t=$(median3 $text)
	printf '%-8s %10s %10s %8s %8s\n' $n "$c" "$t" "$(awk -v a="$t" -v b="$c" 'BEGIN { printf "%.1fx", b ? a / b : 0 }')" "$s"
done

command -v "$NODE_EXPORTER" >/dev/null || { echo "no $NODE_EXPORTER: host comparison skipped"; exit 0; }
ours= theirs=
for round in 1 2 3; do
	start "$MMSCOPE" export --listen 127.0.0.1:$PORT --collectors vmstat,frag --min-interval 0
	[ $round = 1 ] && so=$(series)
	ours="$ours $(per_scrape 300)"
	stop
	start "$NODE_EXPORTER" --web.listen-address=127.0.0.1:$PORT --collector.disable-defaults \
		--collector.meminfo --collector.vmstat --collector.pressure --collector.buddyinfo
	[ $round = 1 ] && st=$(series)
	theirs="$theirs $(per_scrape 300)"
	stop
done
# shellcheck disable=SC2086
o=$(median3 $ours) t=$(median3 $theirs)
echo
echo "host metrics: CPU per scrape, microseconds (median of 3 rounds of 300 scrapes)"
printf '%-44s %8s %8s\n' server us series
printf '%-44s %8s %8s\n' "mmscope export --collectors vmstat,frag" "$o" "$so"
printf '%-44s %8s %8s\n' "node_exporter meminfo,vmstat,pressure,buddyinfo" "$t" "$st"
awk -v a="$t" -v b="$o" 'BEGIN { printf "node_exporter / mmscope: %.1fx\n", b ? a / b : 0 }'
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
