# SPDX-License-Identifier: GPL-2.0
# export: a cgroup of our own holding 24 MiB of anon (hog) shows it in
# mmscope_memcg_anon_bytes (v2: memory.stat anon; within 64 pages per CPU or 1%),
# with the v2-only families (memory.events, PSI) present, the 5 largest allocation
# sites where /proc/allocinfo exists (--alloc-sites 5), the served body is well
# formed (every sample's family has HELP and TYPE), and the tracers attach and
# detach; the body goes to the log between MMSCOPE-EXPORT-BEGIN/END, where
# tests/integration/t0950-export-vm.sh runs promtool check metrics on it (the
# guest has no promtool).
set -eu
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root"
grep -qw memory /sys/fs/cgroup/cgroup.subtree_control 2> /dev/null || skip "no cgroup v2 memory controller"
command -v hog > /dev/null || skip "no hog helper"
cg=/sys/fs/cgroup/mmscope-test-export-$$
mkdir -p "$cg"
sh -c "echo \$\$ > $cg/cgroup.procs; exec hog -n 24" > /tmp/hog.out 2>&1 &
hog=$!
port=9477
# The guest's loopback may be down: the exporter listens there.
ip link set lo up 2> /dev/null || ifconfig lo 127.0.0.1 up 2> /dev/null || true
mmscope export --listen 127.0.0.1:$port --alloc-sites 5 > /tmp/export.out 2> /tmp/export.err &
exp=$!
done_() {
	kill $hog $exp 2> /dev/null || true
	wait $hog $exp 2> /dev/null || true
	cg_remove "$cg"
}
trap done_ EXIT
i=0
while [ $i -lt 300 ] && ! { grep -q holding /tmp/hog.out && grep -q serving /tmp/export.err; }; do
	sleep 0.1
	i=$((i + 1))
done
grep -q serving /tmp/export.err || fail "exporter did not start: $(head -c 200 /tmp/export.err)"
wget -q -O /tmp/body.prom "http://127.0.0.1:$port/metrics" || fail "wget /metrics failed"
echo MMSCOPE-EXPORT-BEGIN
cat /tmp/body.prom
echo MMSCOPE-EXPORT-END

name=/$(basename "$cg")
got=$(grep "^mmscope_memcg_anon_bytes{cgroup=\"$name\"}" /tmp/body.prom | awk '{ print $2 }')
want=$(awk '$1 == "anon" { print $2 }' "$cg/memory.stat")
[ -n "$got" ] || fail "no mmscope_memcg_anon_bytes for $name"
ncpu=$(grep -c ^processor /proc/cpuinfo)
awk -v a="$got" -v b="$want" -v n="$ncpu" 'BEGIN { d = a - b; if (d < 0) d = -d; t = 64 * 4096 * n; if (b / 100 > t) t = b / 100; exit !(d <= t) }' ||
	fail "anon $got, memory.stat $want"
for fam in mmscope_memcg_events_total mmscope_memcg_pressure_stalled_seconds_total \
	mmscope_reclaim_stall_seconds_count mmscope_zone_free_blocks; do
	grep -q "^$fam" /tmp/body.prom || fail "no $fam series"
done
# Every sample's family has HELP and TYPE (histogram and counter suffixes folded).
bad=$(awk '/^# TYPE / { t[$3] = 1; next } /^# HELP / { h[$3] = 1; next }
	/^[a-z]/ { n = $0; sub(/[{ ].*/, "", n); f = n; sub(/_(bucket|sum|count)$/, "", f)
		if (!((n in t && n in h) || (f in t && f in h))) print n }' /tmp/body.prom | sort -u | head -3)
[ -z "$bad" ] || fail "samples without HELP/TYPE: $bad"
if [ -r /proc/allocinfo ]; then
	n=$(grep -c '^mmscope_alloc_site_bytes{file=' /tmp/body.prom || true)
	[ "$n" = 5 ] || fail "--alloc-sites 5 with /proc/allocinfo: $n sites"
fi
backend=$(sed -n 's/^mmscope_memcg_backend_info{backend="\([a-z]*\)".*/\1/p' /tmp/body.prom)
series=$(grep -c '^mmscope' /tmp/body.prom)
kill $exp
wait $exp && st=0 || st=$?
[ "$st" = 0 ] || fail "exit $st after SIGTERM"
pass "anon $got (memory.stat $want), memcg backend $backend, $series series, SIGTERM exit 0"
