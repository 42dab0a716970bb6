#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# heatmap-contrast: what damon-paddr shows when it reads a kdamond that is not
# ours (docs/heatmap.md, the contrast table). RUNS (default 5) runs of
#   mmscope heatmap --source damon-paddr -p PID -d SECONDS -j
# on hotcold -H 64 -C 64, not placed (wherever the allocator put its pages),
# beside a 10 ms ticker on the target's CPU (tests/integration/lib.sh share_cpu);
# per run: hot and cold byte-weighted mean accesses (first frame left out), their
# ratio, the share covered, wss_bytes per frame in MiB, and the source's
# description (its "coarse:" reasons). Root; reads DAMON's sysfs only.
#   bench/heatmap-contrast.sh [RUNS] [SECONDS]
runs=${1:-5} secs=${2:-30}
tmp=$(mktemp -d)
cd "$(dirname "$0")/.."
taskset -c 0 python3 -c 'import time
while True: time.sleep(0.01)' & tk=$!
for i in $(seq "$runs"); do
	taskset -c 0 build/workloads/hotcold -H 64 -C 64 > $tmp/hc.out &
	hp=$!
	sleep 2
	./mmscope heatmap --source damon-paddr -p $hp -d "$secs" -j > $tmp/c$i.json 2>$tmp/c$i.err
	echo "run $i rc $?"
	kill $hp; wait $hp
	python3 - $tmp/c$i.json $tmp/hc.out <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
w = open(sys.argv[2]).read().replace('-', ' ').split()
hs, he, cs, ce = (int(x, 16) for x in (w[1], w[2], w[4], w[5]))
def mean(fr, lo, hi):
    s = c = 0
    for r in fr['regions']:
        a, b = max(r['start'], lo), min(r['end'], hi)
        if a < b:
            s += r['accesses'] * (b - a); c += b - a
    return s, c
H = [0, 0]; C = [0, 0]
for f in d['frames'][1:]:
    s, c = mean(f, hs, he); H[0] += s; H[1] += c
    s, c = mean(f, cs, ce); C[0] += s; C[1] += c
h = H[0] / H[1] if H[1] else -1; c = C[0] / C[1] if C[1] else -1
print('hot %.4f cold %.4f ratio %s frames %d cover %.2f wss %s' % (h, c, '%.1f' % (h / c) if c > 0 else 'inf', len(d['frames']),
      (H[1] + C[1]) / max(1, (len(d['frames']) - 1) * ((he - hs) + (ce - cs))), [round(f['wss_bytes'] / 2**20, 1) for f in d['frames']]))
print(d['source_detail'])
PY
done
kill $tk
rm -rf "$tmp"
