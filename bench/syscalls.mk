# SPDX-License-Identifier: GPL-2.0
# bench/syscalls (bench/syscalls.c): what tracing syscalls costs a getppid loop and
# a pipe write/read loop, in one run: untraced, the floor (empty programs on
# raw_syscalls sys_enter/sys_exit, bench/syscalls_floor.bpf.c, its own skeleton),
# `mmscope syscalls`, `mmscope syscalls -H`, libbpf-tools' syscount and
# `syscount -L`, `perf trace -s`, `strace -c -f`. Needs root.
# `make bench-syscalls` runs it alone (BENCH_SYSCALLS_ARGS: -r ROUNDS -n CALLS).
$(OUT)/bench/syscalls_floor.bpf.o: bench/syscalls_floor.bpf.c $(OUT)/vmlinux.h
	@mkdir -p $(dir $@)
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_x86 -I$(OUT) -c $< -o $@
$(OUT)/bench/syscalls: $(OUT)/bench/syscalls_floor.skel.h
$(OUT)/bench/syscalls: CFLAGS += -I$(OUT)/bench

BENCH_SYSCALLS_ARGS ?=

.PHONY: bench-syscalls
bench-syscalls: $(MMSCOPE) $(OUT)/bench/syscalls
	$(OUT)/bench/syscalls -m ./$(MMSCOPE) $(BENCH_SYSCALLS_ARGS)
