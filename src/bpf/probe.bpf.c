// SPDX-License-Identifier: GPL-2.0
/*
 * Feature probes: the smallest program of each attach type mmscope relies on.
 * `mmscope features` loads and attaches them one at a time (the others get
 * autoload=false), because being described in BTF does not mean a program of that
 * type can be loaded here: on the development kernel fentry is in BTF but its load
 * is refused with EPERM, and kprobes are compiled out.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/*
 * A memory tracepoint every kernel we support has, as a raw tracepoint: it attaches
 * by name through the bpf() syscall, so it needs no tracefs mount (the development
 * machine has none mounted), unlike SEC("tracepoint/...") which reads the event id
 * from tracefs.
 */
SEC("raw_tp/mm_page_alloc")
int raw_tp_mm_page_alloc(void *ctx)
{
	return 0;
}

/* Cgroup iterators (5.19+); the memcg backends are built on them. */
SEC("iter/cgroup")
int iter_cgroup(struct bpf_iter__cgroup *ctx)
{
	return 0;
}

SEC("fentry/vfs_read")
int BPF_PROG(fentry_vfs_read)
{
	return 0;
}

SEC("kprobe/vfs_read")
int kprobe_vfs_read(struct pt_regs *ctx)
{
	return 0;
}
