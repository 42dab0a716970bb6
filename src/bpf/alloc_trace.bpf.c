// SPDX-License-Identifier: GPL-2.0
/*
 * alloc bpf-trace backend, for kernels without allocation profiling: slab and page
 * allocations and frees from the kmem raw tracepoints, aggregated in the kernel per
 * call site. Each allocation is remembered by address (the "live" map) with its
 * site and size until its free arrives, so a site's bytes and calls are what it
 * allocated since the start and has not freed. Both maps are bounded: what does not
 * fit is counted in "stats", never silently lost. Raw tracepoints need no tracefs.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "alloc_trace.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u64 page_size = 4096;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ALLOC_TRACE_LIVE_MAX);
	__type(key, __u64);
	__type(value, struct alloc_live);
} live SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ALLOC_TRACE_SITES_MAX);
	__type(key, __u64);
	__type(value, struct alloc_site_val);
} sites SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 8192);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, ALLOC_TRACE_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ALLOC_STAT_NR);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *n = bpf_map_lookup_elem(&stats, &idx);

	if (n)
		(*n)++; /* per-CPU slot */
}

static __always_inline struct alloc_site_val *site_get(__u64 site)
{
	struct alloc_site_val zero = {}, *v = bpf_map_lookup_elem(&sites, &site);

	if (v)
		return v;
	bpf_map_update_elem(&sites, &site, &zero, BPF_NOEXIST);
	v = bpf_map_lookup_elem(&sites, &site);
	if (!v)
		stat_inc(ALLOC_STAT_SITES_FULL);
	return v;
}

/* Takes back what an earlier allocation at this address still holds at its site. */
static __always_inline void forget(struct alloc_live *l)
{
	struct alloc_site_val *v = bpf_map_lookup_elem(&sites, &l->site);

	if (v) {
		__sync_fetch_and_add(&v->bytes, -(__s64)l->bytes);
		__sync_fetch_and_add(&v->calls, -1);
	}
}

static __always_inline void on_alloc(__u64 site, __u64 ptr, __u64 bytes)
{
	struct alloc_live l = { .site = site, .bytes = bytes }, *old;
	struct alloc_site_val *v;

	if (!ptr)
		return;
	stat_inc(ALLOC_STAT_ALLOCS);
	v = site_get(site);
	if (!v)
		return;
	__sync_fetch_and_add(&v->allocs, 1);
	__sync_fetch_and_add(&v->alloc_bytes, bytes);
	old = bpf_map_lookup_elem(&live, &ptr);
	if (old) {
		stat_inc(ALLOC_STAT_OVERWRITTEN);
		forget(old);
	}
	if (bpf_map_update_elem(&live, &ptr, &l, BPF_ANY)) {
		stat_inc(ALLOC_STAT_LIVE_FULL);
		return;
	}
	__sync_fetch_and_add(&v->bytes, bytes);
	__sync_fetch_and_add(&v->calls, 1);
}

static __always_inline void on_free(__u64 ptr)
{
	struct alloc_live *l;

	if (!ptr)
		return;
	stat_inc(ALLOC_STAT_FREES);
	l = bpf_map_lookup_elem(&live, &ptr);
	if (!l) {
		stat_inc(ALLOC_STAT_UNMATCHED_FREES);
		return;
	}
	forget(l);
	bpf_map_delete_elem(&live, &ptr);
}

/* kmalloc(call_site, ptr, bytes_req, bytes_alloc, gfp_flags, node) */
SEC("raw_tp/kmalloc")
int BPF_PROG(on_kmalloc, unsigned long call_site, const void *ptr, size_t bytes_req,
	     size_t bytes_alloc)
{
	on_alloc(call_site, (__u64)ptr, bytes_alloc);
	return 0;
}

/* kmem_cache_alloc(call_site, ptr, struct kmem_cache *s, gfp_flags, node) */
SEC("raw_tp/kmem_cache_alloc")
int BPF_PROG(on_kmem_cache_alloc, unsigned long call_site, const void *ptr,
	     struct kmem_cache *s)
{
	on_alloc(call_site, (__u64)ptr, BPF_CORE_READ(s, size));
	return 0;
}

SEC("raw_tp/kfree")
int BPF_PROG(on_kfree, unsigned long call_site, const void *ptr)
{
	on_free((__u64)ptr);
	return 0;
}

SEC("raw_tp/kmem_cache_free")
int BPF_PROG(on_kmem_cache_free, unsigned long call_site, const void *ptr)
{
	on_free((__u64)ptr);
	return 0;
}

/* mm_page_alloc(struct page *page, order, gfp_flags, migratetype): no call site, so
 * the kernel stack stands for it. */
SEC("raw_tp/mm_page_alloc")
int BPF_PROG(on_page_alloc, struct page *page, unsigned int order)
{
	long id;

	if (!page)
		return 0;
	id = bpf_get_stackid(ctx, &stacks, 0);
	if (id < 0) {
		stat_inc(ALLOC_STAT_NO_STACK);
		id = ALLOC_TRACE_NO_STACK;
	}
	on_alloc((__u64)id, (__u64)page, page_size << (order & 31));
	return 0;
}

SEC("raw_tp/mm_page_free")
int BPF_PROG(on_page_free, struct page *page, unsigned int order)
{
	on_free((__u64)page);
	return 0;
}
