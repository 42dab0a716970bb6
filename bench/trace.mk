# SPDX-License-Identifier: GPL-2.0
# bench/trace (bench/trace.c): overhead of mmscope reclaim, compact and
# frag --events, and of libbpf-tools' drsnoop, on a memcg-reclaim-heavy and an
# allocation-heavy workload, as throughput ratios to the untraced run of the
# same round and as the CPU each tracer adds (its BPF programs' run time from the
# kernel's BPF statistics, bench/bpfstats.h, plus its process CPU) relative to the
# workload's CPU. bench/bench.mk builds every bench/*.c and `make bench` runs them;
# the binary needs the mmscope binary, hence the extra prerequisite, and includes
# the header-only bench/bpfstats.h (a .c there would be built as a benchmark).
# `make bench-trace` runs this benchmark alone (BENCH_TRACE_ARGS: -r ROUNDS -t SECONDS);
# -w global (global direct reclaim) runs in the test VMs only (23-reclaim-bench).

BENCH_TRACE_ARGS ?=

.PHONY: bench bench-trace
bench: $(MMSCOPE)
bench-trace: $(MMSCOPE) $(OUT)/bench/trace
	$(OUT)/bench/trace -m ./$(MMSCOPE) $(BENCH_TRACE_ARGS)

# Packed into the VM initramfs as the bench-trace helper: guest test
# 23-reclaim-bench runs `bench-trace -w global` there, global direct reclaim that
# drsnoop sees too (refused outside the VMs).
workloads: $(OUT)/workloads/bench-trace
$(OUT)/workloads/bench-trace: $(OUT)/bench/trace
	@mkdir -p $(dir $@)
	cp $< $@
