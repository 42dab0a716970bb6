# SPDX-License-Identifier: GPL-2.0
# bench/trace (bench/trace.c): overhead of mmscope reclaim, compact and
# frag --events, and of libbpf-tools' drsnoop, on a memcg-reclaim-heavy and an
# allocation-heavy workload, as throughput ratios to the untraced run of the
# same round. bench/bench.mk builds every bench/*.c and `make bench` runs them;
# the binary needs the mmscope binary, hence the extra prerequisite.
# `make bench-trace` runs this benchmark alone (BENCH_TRACE_ARGS: -r ROUNDS -t SECONDS).

BENCH_TRACE_ARGS ?=

.PHONY: bench bench-trace
bench: $(MMSCOPE)
bench-trace: $(MMSCOPE) $(OUT)/bench/trace
	$(OUT)/bench/trace -m ./$(MMSCOPE) $(BENCH_TRACE_ARGS)
