// SPDX-License-Identifier: GPL-2.0
/*
 * alloc bpf-trace backend, for kernels without allocation profiling: slab and page
 * allocations and frees from the kmem raw tracepoints, aggregated in the kernel per
 * call site. Each allocation is remembered by address (the "live" table) with its
 * site and size until its free arrives, so a site's bytes and calls are what it
 * allocated since the start and has not freed. Both tables are bounded
 * set-associative arrays (alloc_trace.h says why): what does not fit is counted in
 * "stats", never silently lost. Site counters are per CPU: no atomic operation on
 * a shared line per event. Raw tracepoints need no tracefs.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "alloc_trace.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u64 page_size = 4096;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ALLOC_TRACE_LIVE_SETS);
	__type(key, __u32);
	__type(value, struct alloc_live_set);
} live SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ALLOC_TRACE_SITE_SETS);
	__type(key, __u32);
	__type(value, struct alloc_site_set);
} site_keys SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ALLOC_TRACE_SITES_MAX);
	__type(key, __u32);
	__type(value, struct alloc_site_val);
} site_vals SEC(".maps");

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

/* Fibonacci hashing: slab and page addresses are aligned, so their low bits are
 * all alike; the top bits of the product mix every bit in. bits: log2(sets). */
static __always_inline __u32 hash_set(__u64 key, int bits)
{
	return (__u32)((key * 0x9E3779B97F4A7C15ull) >> (64 - bits));
}

/* The slot index of site key (claimed on first use), or -1 when its set is full. */
static __always_inline int site_slot(__u64 key)
{
	__u32 set = hash_set(key, ALLOC_TRACE_SITE_BITS);
	struct alloc_site_set *s = bpf_map_lookup_elem(&site_keys, &set);

	if (!s)
		return -1;
	for (int w = 0; w < ALLOC_TRACE_WAYS; w++)
		if (s->key[w] == key)
			return set * ALLOC_TRACE_WAYS + w;
	for (int w = 0; w < ALLOC_TRACE_WAYS; w++) {
		if (s->key[w])
			continue;
		__u64 old = __sync_val_compare_and_swap(&s->key[w], 0, key);

		if (!old || old == key)
			return set * ALLOC_TRACE_WAYS + w;
	}
	return -1;
}

static __always_inline struct alloc_site_val *site_val(__u32 slot)
{
	return bpf_map_lookup_elem(&site_vals, &slot);
}

/* Takes back what a live allocation holds at its site (this CPU's counters). */
static __always_inline void forget(__u32 site, __u64 bytes)
{
	struct alloc_site_val *v = site_val(site);

	if (v) {
		v->bytes -= (__s64)bytes;
		v->calls--;
	}
}

static __always_inline void on_alloc(__u64 key, __u64 ptr, __u64 bytes)
{
	struct alloc_site_val *v;
	struct alloc_live_set *ls;
	int site, w, slot = -1;
	__u32 set;

	if (!ptr)
		return;
	stat_inc(ALLOC_STAT_ALLOCS);
	site = site_slot(key);
	v = site >= 0 ? site_val(site) : NULL;
	if (!v) {
		stat_inc(ALLOC_STAT_SITES_FULL);
		return;
	}
	v->allocs++;
	v->alloc_bytes += bytes;
	set = hash_set(ptr, ALLOC_TRACE_LIVE_BITS);
	ls = bpf_map_lookup_elem(&live, &set);
	if (!ls)
		return;
	for (w = 0; w < ALLOC_TRACE_WAYS; w++) {
		if (ls->ptr[w] == ptr) {
			/* Allocated again with no free seen (a lost event): replace. */
			__u64 meta = ls->meta[w];

			stat_inc(ALLOC_STAT_OVERWRITTEN);
			forget(ALLOC_LIVE_SITE(meta), ALLOC_LIVE_SIZE(meta));
			slot = w;
			break;
		}
	}
	for (w = 0; w < ALLOC_TRACE_WAYS && slot < 0; w++) {
		if (!ls->ptr[w] && !__sync_val_compare_and_swap(&ls->ptr[w], 0, ptr))
			slot = w;
	}
	if (slot < 0) {
		stat_inc(ALLOC_STAT_LIVE_FULL);
		return;
	}
	/* The free of ptr comes after this allocation returned, and the kernel's own
	 * publication of ptr orders this store before it. */
	ls->meta[slot & (ALLOC_TRACE_WAYS - 1)] = ALLOC_LIVE_META(site, bytes);
	v->bytes += (__s64)bytes;
	v->calls++;
}

static __always_inline void on_free(__u64 ptr)
{
	struct alloc_live_set *ls;
	__u32 set;

	if (!ptr)
		return;
	stat_inc(ALLOC_STAT_FREES);
	set = hash_set(ptr, ALLOC_TRACE_LIVE_BITS);
	ls = bpf_map_lookup_elem(&live, &set);
	if (!ls)
		return;
	for (int w = 0; w < ALLOC_TRACE_WAYS; w++) {
		if (ls->ptr[w] != ptr)
			continue;
		__u64 meta = ls->meta[w];

		if (__sync_val_compare_and_swap(&ls->ptr[w], ptr, 0) == ptr)
			forget(ALLOC_LIVE_SITE(meta), ALLOC_LIVE_SIZE(meta));
		return;
	}
	stat_inc(ALLOC_STAT_UNMATCHED_FREES);
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
	on_alloc(ALLOC_TRACE_PAGE_KEY((__u64)id), (__u64)page, page_size << (order & 31));
	return 0;
}

SEC("raw_tp/mm_page_free")
int BPF_PROG(on_page_free, struct page *page, unsigned int order)
{
	on_free((__u64)page);
	return 0;
}
