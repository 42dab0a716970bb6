# SPDX-License-Identifier: GPL-2.0
# Sourced (after lib.sh) by the guest tests that hold a tracer's count against
# the kernel's own count of the same tracepoint: tracefs (mounted by /init at
# /sys/kernel/tracing) records the events into its ring buffer between
# trace_on and trace_off, inside the tracer's window, and the records of each
# event are counted in the trace file afterwards. A buffer that overflowed
# makes the kernel's count unusable: trace_lost says so.

T=/sys/kernel/tracing

# start_tracer OUT COMMAND...: runs COMMAND in the background (stdout to OUT,
# stderr to OUT.err) and returns once its BPF programs are attached: its file
# table holds bpf_link descriptors (raw_tp, tp_btf) or perf events (kprobes),
# and their number has not changed for 0.4 s. Sets $tracer to its pid.
start_tracer() {
	out=$1
	shift
	"$@" > "$out" 2> "$out.err" &
	tracer=$!
	prev=-1
	i=0
	while [ $i -lt 300 ]; do
		kill -0 $tracer 2> /dev/null || return 1
		n=$(ls -l /proc/$tracer/fd 2> /dev/null | grep -cE 'bpf_link|perf_event' || true)
		if [ "$n" -gt 0 ] && [ "$n" = "$prev" ]; then
			sleep 0.2
			return 0
		fi
		prev=$n
		i=$((i + 1))
		sleep 0.2
	done
	return 1
}

# verifier_log CMD...: CMD again under mmscope -v, the end of libbpf's log (the
# verifier's reason when a program is refused) on the console, for the log.
verifier_log() {
	cmd=$1
	shift
	"$cmd" -v "$@" 2>&1 | grep -v '^libbpf: elf:\|^libbpf: sec ' | tail -n 40 | sed 's/^/    verifier: /'
}

# stop_tracer: SIGINT to $tracer, then waits; returns its exit status.
stop_tracer() {
	kill -INT $tracer 2> /dev/null || true
	st=0
	wait $tracer || st=$?
	return $st
}

# trace_setup: sizes the trace buffer (4 MiB per CPU). Called before the test
# fills memory: resizing allocates, and under pressure that is a reclaim stall
# of its own in the tracer's window.
trace_setup() {
	echo 0 > $T/tracing_on
	echo 4096 > $T/buffer_size_kb
	# The clock of bpf_ktime_get_ns(), the same on every CPU ("local" is not).
	echo mono > $T/trace_clock 2> /dev/null || true
}

# trace_on EVENT...: empties the trace buffer and records the events
# (sys/name, as under events/).
trace_on() {
	echo 0 > $T/tracing_on
	echo 0 > $T/events/enable
	for ev; do
		[ -e "$T/events/$ev/enable" ] || return 1
		echo 1 > "$T/events/$ev/enable"
	done
	: > $T/trace # also resets the overrun counters
	echo 1 > $T/tracing_on
}

trace_off() {
	echo 0 > $T/tracing_on
	echo 0 > $T/events/enable
}

# trace_count NAME [COMM]: records of event NAME (mm_compaction_begin...) in
# the buffer; with COMM, only those of tasks named COMM.
trace_count() {
	if [ $# = 2 ]; then
		grep -cE "^ *$2-[0-9]+ .* $1: " $T/trace || true
	else
		grep -c " $1: " $T/trace || true
	fi
}

# trace_comms NAME: "comm:count" of event NAME's records, most first (for figures).
trace_comms() {
	grep " $1: " $T/trace | awk '{ c = $1; sub(/-[0-9]+$/, "", c); n[c]++ } END { for (c in n) print n[c], c }' |
		sort -rn | head -n 5 | awk '{ printf "%s:%s ", $2, $1 }'
}

# trace_lost: records the buffer overwrote or dropped since trace_on.
trace_lost() {
	cat $T/per_cpu/cpu*/stats | awk '/^overrun:/ || /^dropped events:/ { s += $NF } END { print s + 0 }'
}

# json_sum FILE KEY: top-level KEY of the last "type":"summary" object of a
# JSON-lines stream (a number; busybox has no JSON parser). mmscope prints compact
# JSON with the top-level numbers first, so the first "KEY": is the top-level one
# (nested lists reuse names such as "events").
json_sum() {
	grep '"type":"summary"' "$1" | tail -n 1 | tr ',' '\n' | sed -n "s/^\"$2\":\([0-9][0-9]*\)\$/\1/p" | head -n 1
}

# missed_by FILE: the summary's skipped program runs, " (prog:N prog:N)", or
# nothing when there were none.
missed_by() {
	by=$(grep '"type":"summary"' "$1" | tail -n 1 | sed -n 's/.*"missed_by":{\([^}]*\)}.*/\1/p' | tr -d '"' | tr ',' ' ')
	[ -z "$by" ] || echo " ($by)"
}

# within_2pct A B: A and B differ by at most 2% of the larger.
within_2pct() {
	awk -v a="$1" -v b="$2" 'BEGIN { m = a > b ? a : b; d = a - b; if (d < 0) d = -d; exit !(d <= 0.02 * m) }'
}

# hold_pagecache: fills the page cache from the scratch disk and keeps it
# (see 20-reclaim.sh); sets $holder. Fails the test when there is no disk.
hold_pagecache() {
	disk=
	for d in /dev/vda /dev/nvme0n1; do
		[ -b "$d" ] && disk=$d && break
	done
	[ -n "$disk" ] || fail "no scratch disk (/dev/vda, /dev/nvme0n1) to fill the page cache from"
	pagecache -k "$disk" > /tmp/pagecache.out &
	holder=$!
	while ! grep -q holding /tmp/pagecache.out; do
		kill -0 $holder 2> /dev/null || fail "pagecache -k $disk failed"
		sleep 1
	done
}
