# SPDX-License-Identifier: GPL-2.0
# bench/heatmap (bench/heatmap.c): slowdown of a memory-bound target (the hotcold
# helper in bench mode) under each heatmap source this kernel offers, against the
# untraced target in the same run. bench/bench.mk builds every bench/*.c and
# `make bench` runs them; this one needs the mmscope binary and the hotcold
# helper, hence the extra prerequisites. It is also packed into the VM initramfs
# as the bench-heatmap helper (guest test 72-heatmap-bench).
# `make bench-heatmap` runs it alone (BENCH_HEATMAP_ARGS: -r ROUNDS -t SECONDS -H HOT_MIB).

BENCH_HEATMAP_ARGS ?=

.PHONY: bench bench-heatmap
bench: $(MMSCOPE) $(OUT)/workloads/hotcold
bench-heatmap: $(MMSCOPE) $(OUT)/workloads/hotcold $(OUT)/bench/heatmap
	$(OUT)/bench/heatmap -m ./$(MMSCOPE) -w $(OUT)/workloads/hotcold $(BENCH_HEATMAP_ARGS)

workloads: $(OUT)/workloads/bench-heatmap
$(OUT)/workloads/bench-heatmap: $(OUT)/bench/heatmap
	@mkdir -p $(dir $@)
	cp $< $@
