// SPDX-License-Identifier: GPL-2.0
/*
 * alloc bpf-trace backend, for kernels without allocation profiling: slab and page
 * allocations and frees from the kmem tracepoints, aggregated in the kernel per
 * call site. Each allocation is remembered by address (the "live" table) with its
 * site and size until its free arrives, so a site's bytes and calls are what it
 * allocated since the start and has not freed. Both tables are bounded
 * set-associative arrays (alloc_trace.h says why): what does not fit is counted in
 * "stats", never silently lost. Site counters are per CPU: no atomic operation on
 * a shared line per event.
 *
 * Cost is what this backend is judged on: the tracepoints fire millions of times
 * a second under an allocation-heavy load, and on this machine's kernel the
 * dispatch alone (an empty program on each) slows a pipe2/close loop by ~8%. So
 * kmem_cache_alloc is a BTF tracepoint where the kernel allows it (typed
 * arguments: the cache's size is one load, not a bpf_probe_read_kernel call), the common path updates no global counter
 * (the reader derives the totals from the sites'), a free releases its slot with
 * a plain store (see on_free), and optional sampling skips most allocations with a
 * per-CPU decrement.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "alloc_trace.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u64 page_size = 4096;
/* 0 or 1: every allocation; N: one in about N (gaps uniform in 1..2N-1). */
const volatile __u32 sample_every = 0;
/* log2 of the live table's sets (its max_entries, set by the loader). */
const volatile __u32 live_bits = ALLOC_TRACE_LIVE_BITS_MAX;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << ALLOC_TRACE_LIVE_BITS_MAX);
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

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct alloc_sampler);
} sampler SEC(".maps");

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *n = bpf_map_lookup_elem(&stats, &idx);

	if (n)
		(*n)++; /* per-CPU slot */
}

/* Fibonacci hashing: slab and page addresses are aligned, so their low bits are
 * all alike; the top bits of the product mix every bit in. bits: log2(sets). */
static __always_inline __u32 hash_set(__u64 key, __u32 bits)
{
	return (__u32)((key * 0x9E3779B97F4A7C15ull) >> (64 - bits));
}

/*
 * Whether this allocation is one to track. Unsampled: always. Sampled: a per-CPU
 * countdown; the next gap comes from a per-CPU xorshift generator (no helper call
 * per allocation), uniform in 1..2N-1 so that no periodic allocation pattern lines
 * up with it.
 */
static __always_inline bool sampled(void)
{
	__u32 n = sample_every, zero = 0;
	struct alloc_sampler *s;
	__u64 x;

	if (n <= 1)
		return true;
	s = bpf_map_lookup_elem(&sampler, &zero);
	if (!s)
		return false;
	if (s->countdown > 1) {
		s->countdown--;
		return false;
	}
	x = s->rng;
	if (!x)
		x = ((__u64)bpf_get_prandom_u32() << 32) | bpf_get_prandom_u32() | 1;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	s->rng = x;
	s->countdown = 1 + x % (2 * (__u64)n - 1);
	return true;
}

/* The slot index of site key (claimed on first use), or -1 when its set is full. */
static __always_inline int site_slot(__u64 key)
{
	__u32 set = hash_set(key, ALLOC_TRACE_SITE_BITS);
	struct alloc_site_set *s = bpf_map_lookup_elem(&site_keys, &set);

	if (!s)
		return -1;
	for (int w = 0; w < ALLOC_TRACE_SITE_WAYS; w++)
		if (s->key[w] == key)
			return set * ALLOC_TRACE_SITE_WAYS + w;
	for (int w = 0; w < ALLOC_TRACE_SITE_WAYS; w++) {
		if (s->key[w])
			continue;
		__u64 old = __sync_val_compare_and_swap(&s->key[w], 0, key);

		if (!old || old == key)
			return set * ALLOC_TRACE_SITE_WAYS + w;
	}
	return -1;
}

static __always_inline struct alloc_site_val *site_val(__u32 slot)
{
	return bpf_map_lookup_elem(&site_vals, &slot);
}

/* Takes back what a live allocation holds at its site (this CPU's counters). */
static __always_inline void forget(__u64 meta, bool freed)
{
	struct alloc_site_val *v = site_val(ALLOC_LIVE_SITE(meta));

	if (v) {
		v->bytes -= (__s64)ALLOC_LIVE_SIZE(meta);
		v->calls--;
		v->frees += freed;
	}
}

static __always_inline void on_alloc(__u64 key, __u64 ptr, __u64 bytes)
{
	struct alloc_site_val *v;
	struct alloc_live_set *ls;
	int site, w, free_way = -1;
	__u32 set;

	site = site_slot(key);
	v = site >= 0 ? site_val(site) : NULL;
	if (!v) {
		stat_inc(ALLOC_STAT_SITES_FULL);
		return;
	}
	v->allocs++;
	v->alloc_bytes += bytes;
	set = hash_set(ptr, live_bits);
	ls = bpf_map_lookup_elem(&live, &set);
	if (!ls)
		return;
	/* One pass: an earlier entry for ptr means its free was not seen (a skipped
	 * program run); that entry is taken back and reused. */
	for (w = 0; w < ALLOC_TRACE_LIVE_WAYS; w++) {
		__u64 p = ls->e[w].ptr;

		if (p == ptr) {
			stat_inc(ALLOC_STAT_OVERWRITTEN);
			forget(ls->e[w].meta, false);
			goto claimed;
		}
		if (!p && free_way < 0)
			free_way = w;
	}
	for (w = free_way; w >= 0 && w < ALLOC_TRACE_LIVE_WAYS; w++) {
		if (!ls->e[w].ptr && !__sync_val_compare_and_swap(&ls->e[w].ptr, 0, ptr))
			goto claimed;
	}
	stat_inc(ALLOC_STAT_LIVE_FULL);
	return;
claimed:
	/* The free of ptr comes after this allocation returned, and the kernel's own
	 * publication of ptr orders this store before it. */
	ls->e[w & (ALLOC_TRACE_LIVE_WAYS - 1)].meta = ALLOC_LIVE_META(site, bytes);
	v->bytes += (__s64)bytes;
	v->calls++;
}

/*
 * The free tracepoints fire before the memory is released, and the allocation
 * tracepoints after it is obtained, so the events of one address never overlap:
 * the slot holding ptr is ours alone until the store that releases it (no
 * compare-and-swap needed); other addresses only ever claim empty slots.
 */
static __always_inline void on_free(__u64 ptr)
{
	struct alloc_live_set *ls;
	__u32 set;

	if (!ptr)
		return;
	set = hash_set(ptr, live_bits);
	ls = bpf_map_lookup_elem(&live, &set);
	if (!ls)
		return;
	for (int w = 0; w < ALLOC_TRACE_LIVE_WAYS; w++) {
		if (ls->e[w].ptr != ptr)
			continue;
		forget(ls->e[w].meta, true);
		*(volatile __u64 *)&ls->e[w].ptr = 0;
		return;
	}
	/* Sampled: most frees are of unsampled memory, which is not a loss. */
	if (sample_every <= 1)
		stat_inc(ALLOC_STAT_UNMATCHED_FREES);
}

/* kmalloc(call_site, ptr, bytes_req, bytes_alloc, gfp_flags, node) */
SEC("raw_tp/kmalloc")
int BPF_PROG(on_kmalloc, unsigned long call_site, const void *ptr, size_t bytes_req,
	     size_t bytes_alloc)
{
	if (ptr && sampled())
		on_alloc(call_site, (__u64)ptr, bytes_alloc);
	return 0;
}

/*
 * kmem_cache_alloc(call_site, ptr, struct kmem_cache *s, gfp_flags, node), twice:
 * as a BTF tracepoint s->size is one load; the raw tracepoint twin reads it with
 * bpf_probe_read_kernel, for kernels whose verifier refuses the BTF one (6.1 does
 * not type the void pointer ptr). The loader keeps the first that loads.
 */
SEC("tp_btf/kmem_cache_alloc")
int BPF_PROG(on_kmem_cache_alloc, unsigned long call_site, const void *ptr,
	     struct kmem_cache *s)
{
	if (ptr && sampled())
		on_alloc(call_site, (__u64)ptr, s->size);
	return 0;
}

SEC("raw_tp/kmem_cache_alloc")
int BPF_PROG(on_kmem_cache_alloc_raw, unsigned long call_site, const void *ptr,
	     struct kmem_cache *s)
{
	if (ptr && sampled())
		on_alloc(call_site, (__u64)ptr, BPF_CORE_READ(s, size));
	return 0;
}

/* The frees and kmalloc need no typed argument: raw tracepoints, everywhere. */
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
 * the kernel stack stands for it. (As a BTF tracepoint, page would be a trusted
 * pointer, which the verifier will not hash.) */
SEC("raw_tp/mm_page_alloc")
int BPF_PROG(on_page_alloc, struct page *page, unsigned int order)
{
	long id;

	if (!page || !sampled())
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
