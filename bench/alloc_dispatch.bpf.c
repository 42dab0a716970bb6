// SPDX-License-Identifier: GPL-2.0
/*
 * bench/alloc_overhead's floor: a program that does nothing on each of the six
 * tracepoints mmscope's bpf-trace backend uses. What it costs the traced loop is
 * the kernel's own price of running any BPF program per event (tracepoint
 * iteration, the recursion guard, RCU, the indirect call into the program), which
 * no per-event tracer can go below.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("raw_tp/kmalloc")
int floor_kmalloc(void *ctx) { return 0; }

SEC("raw_tp/kmem_cache_alloc")
int floor_kmem_cache_alloc(void *ctx) { return 0; }

SEC("raw_tp/kfree")
int floor_kfree(void *ctx) { return 0; }

SEC("raw_tp/kmem_cache_free")
int floor_kmem_cache_free(void *ctx) { return 0; }

SEC("raw_tp/mm_page_alloc")
int floor_page_alloc(void *ctx) { return 0; }

SEC("raw_tp/mm_page_free")
int floor_page_free(void *ctx) { return 0; }
