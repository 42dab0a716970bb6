// SPDX-License-Identifier: GPL-2.0
/*
 * External fragmentation events (kmem:mm_page_alloc_extfrag: the allocator took
 * pages from another migrate type's free list). They can come thousands a second,
 * so nothing goes through the ring buffer: counters per fallback kind and per
 * process are kept here and read (as running totals) by the user side each
 * interval. Every event is counted per kind; an event whose process does not
 * fit the procs map is counted under MMS_EXTFRAG_OTHER, and only an event whose
 * kind does not fit (never, at 256 kinds) is counted as lost.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "events.bpf.h"
#include "filter.bpf.h"
#include "extfrag.h"

char LICENSE[] SEC("license") = "GPL";

/* pageblock_order is a config-dependent macro, not in BTF: the loader sets it. */
const volatile __s32 pageblock_order = 9;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct extfrag_key);
	__type(value, __u64);
} kinds SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct extfrag_proc);
} procs SEC(".maps");

/* One event for the process tgid; the shared OTHER slot when the map is full. */
static __always_inline void proc_add(__u32 tgid, bool fragmenting)
{
	struct extfrag_proc init = { 0 }, *p = bpf_map_lookup_elem(&procs, &tgid);

	if (!p) {
		bpf_get_current_comm(init.comm, sizeof(init.comm));
		/* Another CPU may insert it first: look it up again either way. */
		bpf_map_update_elem(&procs, &tgid, &init, BPF_NOEXIST);
		p = bpf_map_lookup_elem(&procs, &tgid);
	}
	if (!p) {
		__u32 other = MMS_EXTFRAG_OTHER;

		p = bpf_map_lookup_elem(&procs, &other);
		if (!p)
			return;
	}
	__sync_fetch_and_add(&p->events, 1);
	if (fragmenting)
		__sync_fetch_and_add(&p->fragmenting, 1);
}

/* (struct page *page, int alloc_order, int fallback_order, int alloc_mt, int fallback_mt) */
SEC("raw_tp/mm_page_alloc_extfrag")
int raw_tp_mm_page_alloc_extfrag(__u64 *ctx)
{
	struct extfrag_key k = { 0 };
	__u64 zero = 0, *n;

	if (!task_selected())
		return 0;
	k.alloc_mt = (__u8)ctx[3];
	k.fallback_mt = (__u8)ctx[4];
	k.fragmenting = (__s32)ctx[2] < pageblock_order;
	n = bpf_map_lookup_elem(&kinds, &k);
	if (!n) {
		bpf_map_update_elem(&kinds, &k, &zero, BPF_NOEXIST);
		n = bpf_map_lookup_elem(&kinds, &k);
	}
	if (!n) {
		count_lost(); /* more kinds than the map holds */
		return 0;
	}
	__sync_fetch_and_add(n, 1);
	proc_add(bpf_get_current_pid_tgid() >> 32, k.fragmenting);
	return 0;
}
