# SPDX-License-Identifier: GPL-2.0
# Helpers of the tracing tests (sourced after lib.sh): the kernel's own count of a
# tracepoint with perf stat, which needs tracefs to look events up: it is mounted
# inside a private mount namespace only (unshare -m), never on the host.

# kernel_count EVENT COMMAND...: runs COMMAND under perf stat (counting EVENT in
# COMMAND and its children only) and prints the count.
kernel_count() {
	ev=$1
	shift
	unshare -m --propagation private sh -c \
		'ev=$0 out=$1; shift; mount -t tracefs none /sys/kernel/tracing && exec perf stat -x, -e "$ev" -o "$out" -- "$@" >/dev/null' \
		"$ev" "$SCRATCH/perf.csv" "$@" || return 1
	awk -F, -v ev="$ev" '$3 == ev { print $1 }' "$SCRATCH/perf.csv"
}

# within_2pct A B: true when A and B differ by at most 2% (of the larger, at least 0).
within_2pct() {
	awk -v a="$1" -v b="$2" 'BEGIN { m = a > b ? a : b; d = a - b; if (d < 0) d = -d; exit !(d <= 0.02 * m) }'
}

have_perf() {
	command -v perf >/dev/null 2>&1 && perf version >/dev/null 2>&1
}

# json_lines_count FILE TYPE: objects of "type" TYPE in a JSON-lines stream.
json_lines_count() {
	grep -c "\"type\":\"$2\"" "$1"
}

# summary_get FILE KEY: a key of the stream's summary object.
summary_get() {
	grep '"type":"summary"' "$1" | tail -n 1 >"$SCRATCH/summary.json"
	json_get "$SCRATCH/summary.json" "d['$2']"
}
