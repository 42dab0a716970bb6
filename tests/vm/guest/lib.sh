# SPDX-License-Identifier: GPL-2.0
# Sourced by every guest test (busybox sh in the VM, or natively). A test ends
# with exactly one of pass/fail/skip; run-tests.sh turns that into the result
# line "MMSCOPE-TEST <kernel> <test> PASS|FAIL|SKIP <text>".
# Environment from run-tests.sh: MMSCOPE_VM_KERNEL (kernel tag), MMSCOPE_RESULT
# (file the verdict goes to), MMSCOPE_VM=1 inside a VM only.

result() {
	status=$1
	shift
	# One line only: the host parses it.
	printf '%s %s\n' "$status" "$(printf '%s' "$*" | tr '\n' ' ')" > "$MMSCOPE_RESULT"
}
pass() { result PASS "$@"; exit 0; }
fail() { result FAIL "$@"; exit 1; }
skip() { result SKIP "$@"; exit 0; }

# Global memory pressure (direct reclaim, compaction) is for throw-away VMs only.
require_vm() {
	[ "${MMSCOPE_VM:-}" = 1 ] || skip "causes global memory pressure: VM only"
}

# vmstat NAME: one /proc/vmstat counter (0 when this kernel lacks it).
vmstat() {
	awk -v k="$1" '$1 == k { v = $2 } END { print v + 0 }' /proc/vmstat
}

# vmstat_sum PREFIX: the sum of every counter whose name starts with PREFIX
# (allocstall_dma, allocstall_dma32, allocstall_normal, allocstall_movable...).
vmstat_sum() {
	awk -v p="$1" 'index($1, p) == 1 { s += $2 } END { print s + 0 }' /proc/vmstat
}

# vmstat_line NAME...: "name=value" for each, for the figures in a result line.
vmstat_line() {
	for name; do
		printf '%s=%s ' "$name" "$(vmstat "$name")"
	done
}

# sites_sum KEY JSON_FILE: the sum of an integer KEY over every object of an
# `mmscope -j alloc` document (calls, bytes, calls_delta, bytes_delta).
sites_sum() {
	tr '{' '\n' < "$2" | sed -n "s/.*\"$1\":\(-*[0-9]*\).*/\1/p" |
		awk '{ s += $1 } END { print s + 0 }'
}

# pipes_start N: the known allocation burst of the alloc tests, N pipes made and
# held by the pipes helper (its pid in $pipes_pid); returns once it holds them,
# or after 10 s. pipes_stop ends it.
pipes_start() {
	pipes "$1" > /tmp/pipes.out 2>&1 &
	pipes_pid=$!
	i=0
	while [ $i -lt 100 ] && ! grep -q holding /tmp/pipes.out; do sleep 0.1; i=$((i + 1)); done
}
# wait_links PID N: until process PID holds N BPF links (its fdinfo says link_id),
# at most 30 s; false if it never does (or PID is gone).
wait_links() {
	i=0
	while [ $i -lt 300 ] && kill -0 "$1" 2> /dev/null; do
		[ "$(cat /proc/"$1"/fdinfo/* 2> /dev/null | grep -c '^link_id:')" -ge "$2" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
pipes_stop() {
	kill "$pipes_pid" 2> /dev/null || true
	wait "$pipes_pid" 2> /dev/null || true
}

# cg_remove DIR...: removes test cgroups, waiting up to 5 s for tasks just killed
# to leave them (an rmdir right after kill found them still there: EBUSY, and the
# cgroups stayed for the tests after, e.g. in export's series).
cg_remove() {
	for d; do
		[ -n "$d" ] && [ -d "$d" ] || continue
		i=0
		until rmdir "$d" 2> /dev/null; do
			i=$((i + 1))
			[ $i -lt 50 ] || { echo "cg_remove: $d still busy: $(cat "$d/cgroup.procs" 2> /dev/null | tr '\n' ' ')" >&2; break; }
			sleep 0.1
		done
	done
}

# report_start OUT ERR: `mmscope -v -j report -d 600` in the background (its pid
# in $rep; SIGINT ends its window), returning once the window has started (-v's
# "procfs (start)" phase on ERR).
report_start() {
	mmscope -v -j report -d 600 > "$1" 2> "$2" &
	rep=$!
	i=0
	while [ $i -lt 600 ] && ! grep -q '^report: procfs (start)' "$2"; do
		kill -0 $rep 2> /dev/null || fail "the report exited: $(grep -v '^libbpf' "$2" | head -c 300)"
		sleep 0.1
		i=$((i + 1))
	done
	grep -q '^report: procfs (start)' "$2" || fail "the report's window never started"
}

# wait_holding PID FILE: until a helper's FILE says "holding" (fail if PID dies
# first, or after 60 s).
wait_holding() {
	i=0
	while [ $i -lt 600 ] && ! grep -q holding "$2" 2> /dev/null; do
		kill -0 "$1" 2> /dev/null || fail "$2: the helper died: $(cat "$2" 2> /dev/null)"
		sleep 0.1
		i=$((i + 1))
	done
	grep -q holding "$2" || fail "$2: not holding after 60 s: $(cat "$2")"
}
