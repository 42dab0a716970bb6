# SPDX-License-Identifier: GPL-2.0
# report-findings: two procfs findings of the report from real conditions in
# one window, each checked against the kernel's own counters:
#   swap_in     an 18 MiB swap file; hotcold re-touching 12 MiB in a cgroup
#               whose memory.max is 8 MiB swaps in all the time. The report's
#               swap-ins (figure, pages/s, times its window) are at least the
#               pswpin growth around hotcold and at most the growth around
#               the whole report.
#   memory_low  (swap off again) a hog takes MemAvailable to about 7% of
#               MemTotal: the report's figure is the percentage /proc/meminfo
#               shows while the hog holds, within 2 points.
# The window starts when `mmscope -v` prints its "procfs (start)" phase.
set -eu
. "$(dirname "$0")/lib.sh"
require_vm
grep -qw memory /sys/fs/cgroup/cgroup.subtree_control 2> /dev/null || skip "no cgroup v2 memory controller"
[ -d /var/tmp ] || skip "no /var/tmp disk for a swap file"

swap=/var/tmp/mmscope-swap
cg=/sys/fs/cgroup/mmscope-swap-$$
rep= hot= hogpid= swapped=
trap '[ -z "$hot" ] || kill $hot 2> /dev/null; [ -z "$hogpid" ] || kill $hogpid 2> /dev/null; [ -z "$rep" ] || kill -INT $rep 2> /dev/null; [ -z "$swapped" ] || swapoff $swap 2> /dev/null; rm -f $swap; cg_remove "$cg"' EXIT

# The figure of finding ID in the report's JSON (one document on one line).
figure() { tr '{' '\n' < /tmp/rf.json | grep "\"id\":\"$1\"" | sed -n 's/.*"figure":\([0-9.e+-]*\).*/\1/p' | head -n 1; }
meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

dd if=/dev/zero of=$swap bs=1M count=18 2> /dev/null
mkswap $swap > /dev/null 2>&1 && swapon $swap 2> /tmp/swapon.err || skip "no swap here: $(cat /tmp/swapon.err)"
swapped=1
mkdir "$cg" && echo $((8 << 20)) > "$cg/memory.max" || fail "cannot make $cg"

out0=$(vmstat pswpin)
report_start /tmp/rf.json /tmp/rf.err

in0=$(vmstat pswpin)
cgexec "$cg" hotcold -H 12 -C 1 -t 3 > /tmp/hot.out 2>&1 || fail "hotcold failed: $(head -c 200 /tmp/hot.out)"
in1=$(vmstat pswpin)
swapoff $swap && swapped= || fail "swapoff failed"

# MemAvailable down to ~7% of MemTotal, held until the report has read it.
total=$(meminfo MemTotal)
mb=$(( ($(meminfo MemAvailable) - total * 7 / 100) / 1024 ))
[ "$mb" -gt 16 ] || fail "MemAvailable already low: $(meminfo MemAvailable) of $total kB"
hog -n $mb > /tmp/hog.out 2>&1 &
hogpid=$!
i=0
while [ $i -lt 600 ] && ! grep -q holding /tmp/hog.out; do
	kill -0 $hogpid 2> /dev/null || fail "hog $mb MiB died: $(cat /tmp/hog.out)"
	sleep 0.1
	i=$((i + 1))
done
pct=$(awk -v a="$(meminfo MemAvailable)" -v t="$total" 'BEGIN { printf "%.1f", 100 * a / t }')
kill -INT $rep
wait $rep || fail "report exited $?: $(grep -v '^libbpf' /tmp/rf.err | head -c 300)"
rep=
out1=$(vmstat pswpin)
kill $hogpid
wait $hogpid 2> /dev/null || true
hogpid=

win=$(sed -n 's/.*"window_s":\([0-9.e+-]*\).*/\1/p' /tmp/rf.json | head -n 1)
si=$(figure swap_in)
lowf=$(figure memory_low)
swaps=$(awk -v f="${si:-0}" -v w="${win:-0}" 'BEGIN { printf "%.0f", f * w }')
figures="swap_in: report ${si:-none}/s x ${win:-?} s = $swaps, pswpin +$((in1 - in0)) around hotcold, +$((out1 - out0)) around the report; memory_low: report ${lowf:-none}%, meminfo $pct% (hog $mb MiB)"
[ -n "$si" ] || fail "no swap_in finding: $figures"
[ $((in1 - in0)) -gt 0 ] || fail "hotcold caused no swap-in: $figures"
# +-1: the figure is a rate times a window, rounded
[ $((swaps + 1)) -ge $((in1 - in0)) ] && [ $((swaps - 1)) -le $((out1 - out0)) ] || fail "swap-ins do not match the kernel's: $figures"
[ -n "$lowf" ] || fail "no memory_low finding: $figures"
awk -v a="$lowf" -v b="$pct" 'BEGIN { d = a - b; exit !(d <= 2 && d >= -2) }' || fail "memory_low figure: $figures"
pass "$figures"
