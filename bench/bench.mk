# SPDX-License-Identifier: GPL-2.0
# Benchmarks (bench/*.c, one static binary each into $(OUT)/bench/): `make bench` runs
# them; they print ratios measured in one run, never absolute targets. The memcg
# benchmark is also packed into the VM initramfs (as a workload helper) so that the
# guests can run it on cgroup v2 and the kfunc kernel.

BENCH_SRCS := $(filter-out %.bpf.c,$(wildcard bench/*.c))
BENCH_BINS := $(patsubst bench/%.c,$(OUT)/bench/%,$(BENCH_SRCS))

.PHONY: bench
bench: $(BENCH_BINS)
	@for b in $(BENCH_BINS); do echo "== $$b"; $$b || exit 1; done

# Benchmarks time internal functions too: the internal archive, not libmmscope.a.
$(OUT)/bench/%: bench/%.c $(LIB_INTERNAL) $(wildcard bench/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $< $(LIB_INTERNAL) $(STATIC_LIBS)

workloads: $(OUT)/workloads/bench-memcg
$(OUT)/workloads/bench-memcg: $(OUT)/bench/memcg
	@mkdir -p $(dir $@)
	cp $< $@

# bench/export.sh: the exporter's CPU per scrape against node_exporter and the text
# approach (root: it makes cgroups and loads BPF).
.PHONY: bench-export
bench-export: $(MMSCOPE)
	sh bench/export.sh
