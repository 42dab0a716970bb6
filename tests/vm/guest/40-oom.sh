# SPDX-License-Identifier: GPL-2.0
# oom: the oom helper gets a task OOM-killed in a memory-limited cgroup and
# the cgroup's own count moves: oom_kill in memory.events (v2), or in
# memory.oom_control on a v1-only host. Memcg OOM only: safe natively too.
set -eu
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root to create a cgroup"
if grep -qw memory /sys/fs/cgroup/cgroup.subtree_control 2> /dev/null; then
	root=/sys/fs/cgroup events=memory.events
elif [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
	# This machine: v1 memory controller only. A cgroup of our own at the
	# top, never under anything another system made.
	root=/sys/fs/cgroup/memory events=memory.oom_control
else
	skip "no cgroup memory controller enabled"
fi
cg=$root/mmscope-test-oom-$$
mkdir "$cg" || fail "mkdir $cg"
count() { awk '$1 == "oom_kill" { print $2 }' "$cg/$events"; }
before=$(count)
rc=0
oom "$cg" 32 || rc=$?
after=$(count)
rmdir "$cg" || echo "warning: could not remove $cg"
figures="$events oom_kill $before -> $after"
[ "$rc" = 0 ] || fail "oom helper exit $rc: $figures"
[ "${after:-0}" -gt "${before:-0}" ] || fail "oom_kill did not move: $figures"
pass "$figures"
