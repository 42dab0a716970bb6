# SPDX-License-Identifier: GPL-2.0
# bench/alloc (bench/alloc.c): the allocinfo query table, text pipelines against
# `mmscope alloc` and libmmscope in-process, in one run. bench/bench.mk builds it
# and `make bench` runs it (it skips itself without /proc/allocinfo). It is also
# packed into the VM initramfs as the bench-alloc helper, which the guest test
# 61-alloc-bench runs on the 7.2 test kernel.
# `make bench-alloc` runs it here when this kernel has /proc/allocinfo, else boots
# the test-7.2 VM (every guest test runs) and prints the table from its log.
# BENCH_ALLOC_ARGS: -r ROUNDS.

BENCH_ALLOC_ARGS ?=

.PHONY: bench-alloc
workloads: $(OUT)/workloads/bench-alloc
$(OUT)/workloads/bench-alloc: $(OUT)/bench/alloc
	@mkdir -p $(dir $@)
	cp $< $@

bench-alloc: $(MMSCOPE) $(OUT)/bench/alloc workloads
	@if [ -r /proc/allocinfo ]; then \
		$(OUT)/bench/alloc -m ./$(MMSCOPE) $(BENCH_ALLOC_ARGS); \
	else \
		echo "bench-alloc: no /proc/allocinfo here: running it in the test-7.2 VM"; \
		MMSCOPE_VM_KERNELS=test-7.2 tests/vm/run.sh $(MMSCOPE) $(OUT)/workloads; \
		sed -n '/== test-7.2 alloc-bench/,/MMSCOPE-TEST test-7.2 alloc-bench/p' \
			$(OUT)/vm/test-7.2.log; \
	fi

# bench/alloc_overhead (bench/alloc_overhead.c, run by `make bench` as root): the
# bpf-trace backend's cost on a kmalloc-heavy loop, next to the floor of empty
# programs on the same tracepoints (bench/alloc_dispatch.bpf.c, its own skeleton).
$(OUT)/bench/alloc_dispatch.bpf.o: bench/alloc_dispatch.bpf.c $(OUT)/vmlinux.h
	@mkdir -p $(dir $@)
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_x86 -I$(OUT) -c $< -o $@
$(OUT)/bench/alloc_overhead: $(OUT)/bench/alloc_dispatch.skel.h
$(OUT)/bench/alloc_overhead: CFLAGS += -I$(OUT)/bench

BENCH_ALLOC_OVERHEAD_ARGS ?=

.PHONY: bench-alloc-overhead
bench-alloc-overhead: $(MMSCOPE) $(OUT)/bench/alloc_overhead
	$(OUT)/bench/alloc_overhead -m ./$(MMSCOPE) $(BENCH_ALLOC_OVERHEAD_ARGS)
