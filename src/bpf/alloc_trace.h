/* SPDX-License-Identifier: GPL-2.0 */
/*
 * alloc bpf-trace backend: what alloc_trace.bpf.c and its loader share. Sites are
 * keyed by the slab call site (the tracepoints' call_site), or for page allocations
 * (which have no call_site) by ALLOC_TRACE_PAGE_KEY(id of the kernel stack in the
 * "stacks" map); the loader walks that stack to the first frame outside the page
 * allocator.
 *
 * Both tables are set-associative arrays, not hash maps: an array lookup is a few
 * inlined instructions where a hash map costs a helper call, a bucket lock and a
 * free-list operation per insert and delete, which made tracing halve the speed of
 * an allocation-heavy loop. A key lives in one set of WAYS slots (chosen by a hash)
 * and claims a free slot there with a compare-and-swap; a full set drops the event,
 * counted.
 */
#ifndef MMS_ALLOC_TRACE_H
#define MMS_ALLOC_TRACE_H

#define ALLOC_TRACE_PAGE_KEY(id) ((id) + 1ull)   /* never 0: 0 marks a free slot */
#define ALLOC_TRACE_PAGE_KEY_MAX 0x100000000ull  /* keys up to this are page sites */
#define ALLOC_TRACE_NO_STACK 0xffffffffull       /* a page site whose stack was lost */
#define ALLOC_TRACE_STACK_DEPTH 24
#define ALLOC_TRACE_WAYS 8
#define ALLOC_TRACE_LIVE_BITS 16
#define ALLOC_TRACE_SITE_BITS 12
#define ALLOC_TRACE_LIVE_SETS (1 << ALLOC_TRACE_LIVE_BITS) /* x WAYS allocations tracked */
#define ALLOC_TRACE_SITE_SETS (1 << ALLOC_TRACE_SITE_BITS) /* x WAYS call sites */
#define ALLOC_TRACE_LIVE_MAX (ALLOC_TRACE_LIVE_SETS * ALLOC_TRACE_WAYS)
#define ALLOC_TRACE_SITES_MAX (ALLOC_TRACE_SITE_SETS * ALLOC_TRACE_WAYS)

enum alloc_trace_stat {
	ALLOC_STAT_ALLOCS,           /* allocation events seen */
	ALLOC_STAT_FREES,            /* free events seen */
	ALLOC_STAT_LIVE_FULL,        /* allocations not tracked: their live set was full */
	ALLOC_STAT_SITES_FULL,       /* allocations dropped: their site set was full */
	ALLOC_STAT_UNMATCHED_FREES,  /* frees of memory allocated before the start (or untracked) */
	ALLOC_STAT_NO_STACK,         /* page allocations whose stack could not be stored */
	ALLOC_STAT_OVERWRITTEN,      /* an address allocated again with no free seen */
	ALLOC_STAT_NR
};

/* Per site and per CPU (a free on another CPU than its allocation makes one CPU's
 * bytes negative: only the sum means something). */
struct alloc_site_val {
	__s64 bytes;        /* outstanding: allocated minus freed since the start */
	__s64 calls;
	__u64 allocs;       /* every allocation since the start, freed or not */
	__u64 alloc_bytes;
};

/* The keys of one set of the site table (0: free slot). */
struct alloc_site_set {
	__u64 key[ALLOC_TRACE_WAYS];
};

/*
 * One set of live allocations: the addresses in one cache line (a lookup scans
 * only that), and per slot its site's slot index and size packed in one word
 * (ptr 0: free slot).
 */
#define ALLOC_LIVE_BYTES_BITS 48 /* sizes up to 256 TiB; the site index above */
#define ALLOC_LIVE_META(site, bytes) (((__u64)(site) << ALLOC_LIVE_BYTES_BITS) | \
				      ((bytes) & ((1ull << ALLOC_LIVE_BYTES_BITS) - 1)))
#define ALLOC_LIVE_SITE(meta) ((__u32)((meta) >> ALLOC_LIVE_BYTES_BITS))
#define ALLOC_LIVE_SIZE(meta) ((meta) & ((1ull << ALLOC_LIVE_BYTES_BITS) - 1))

struct alloc_live_set {
	__u64 ptr[ALLOC_TRACE_WAYS];
	__u64 meta[ALLOC_TRACE_WAYS];
};

#endif
