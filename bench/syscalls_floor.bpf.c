// SPDX-License-Identifier: GPL-2.0
/*
 * bench/syscalls' floor: programs that do nothing on the two raw tracepoints
 * mmscope syscalls uses. What they cost a syscall loop is the kernel's price of
 * running any BPF program on sys_enter and sys_exit (the syscall-tracepoint work
 * flag sends every call through the slow entry path, the tracepoint dispatch, the
 * recursion guard, RCU), which no tracer on these tracepoints can go below.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("raw_tp/sys_enter")
int floor_sys_enter(void *ctx) { return 0; }

SEC("raw_tp/sys_exit")
int floor_sys_exit(void *ctx) { return 0; }
