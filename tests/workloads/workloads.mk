# SPDX-License-Identifier: GPL-2.0
# Workload helpers for the integration and VM tests: one small static C
# program per tests/workloads/*.c, built into $(OUT)/workloads/. Static so the
# same binaries run inside the busybox initramfs of every VM kernel.

WORKLOAD_SRCS := $(wildcard tests/workloads/*.c)
WORKLOADS     := $(patsubst tests/workloads/%.c,$(OUT)/workloads/%,$(WORKLOAD_SRCS))
WORKLOAD_CFLAGS := -O2 -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wno-unused-function -D_GNU_SOURCE

.PHONY: workloads
workloads: $(WORKLOADS)

$(OUT)/workloads/%: tests/workloads/%.c tests/workloads/workload.h
	@mkdir -p $(dir $@)
	$(CC) $(WORKLOAD_CFLAGS) -static -o $@ $<

# memcg_reads drives a memcg reader between shell steps (t0605): it links the library's
# internal archive (the text backend's test switch is not public).
$(OUT)/workloads/memcg_reads: tests/workloads/memcg_reads.c $(LIB_INTERNAL)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $< $(LIB_INTERNAL) $(STATIC_LIBS)
