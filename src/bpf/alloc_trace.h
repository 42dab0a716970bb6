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
 * counted. Sampling (sample_every > 1) tracks one allocation in about that many,
 * at random gaps, so that an unsampled allocation costs a per-CPU decrement.
 */
#ifndef MMS_ALLOC_TRACE_H
#define MMS_ALLOC_TRACE_H

#define ALLOC_TRACE_PAGE_KEY(id) ((id) + 1ull)   /* never 0: 0 marks a free slot */
#define ALLOC_TRACE_PAGE_KEY_MAX 0x100000000ull  /* keys up to this are page sites */
#define ALLOC_TRACE_NO_STACK 0xffffffffull       /* a page site whose stack was lost */
#define ALLOC_TRACE_STACK_DEPTH 24
#define ALLOC_TRACE_SITE_WAYS 8
#define ALLOC_TRACE_SITE_BITS 12
#define ALLOC_TRACE_SITE_SETS (1 << ALLOC_TRACE_SITE_BITS) /* x SITE_WAYS call sites */
#define ALLOC_TRACE_SITES_MAX (ALLOC_TRACE_SITE_SETS * ALLOC_TRACE_SITE_WAYS)
/*
 * The live table: sets of LIVE_WAYS {address, site+size} pairs, one 64-byte cache
 * line each, so an allocation or a free touches one line of it. LIVE_BITS_MAX sets
 * (8 MiB, 512Ki allocations) when every allocation is tracked; with sampling the
 * loader shrinks it to what the sampled allocations need (live_bits), so that the
 * lookup every free makes stays in cache.
 */
#define ALLOC_TRACE_LIVE_WAYS 4
#define ALLOC_TRACE_LIVE_BITS_MAX 17
#define ALLOC_TRACE_LIVE_BITS_MIN 10
#define ALLOC_TRACE_SAMPLE_MAX 65536

enum alloc_trace_stat {
	ALLOC_STAT_ALLOCS,           /* allocation events seen (the reader adds the sites' counts) */
	ALLOC_STAT_FREES,            /* free events matched or not (the reader adds the sites') */
	ALLOC_STAT_LIVE_FULL,        /* allocations not tracked: their live set was full */
	ALLOC_STAT_SITES_FULL,       /* allocations dropped: their site set was full */
	ALLOC_STAT_UNMATCHED_FREES,  /* frees of memory allocated before the start (or untracked) */
	ALLOC_STAT_NO_STACK,         /* page allocations whose stack could not be stored */
	ALLOC_STAT_OVERWRITTEN,      /* an address allocated again with no free seen */
	ALLOC_STAT_NR
};

/* Per site and per CPU (a free on another CPU than its allocation makes one CPU's
 * bytes negative: only the sum means something). With sampling, counts of the
 * sampled allocations only: the reader scales them. */
struct alloc_site_val {
	__s64 bytes;        /* outstanding: allocated minus freed since the start */
	__s64 calls;
	__u64 allocs;       /* every allocation since the start, freed or not */
	__u64 alloc_bytes;
	__u64 frees;        /* frees matched to this site's allocations */
};

/* The keys of one set of the site table (0: free slot). */
struct alloc_site_set {
	__u64 key[ALLOC_TRACE_SITE_WAYS];
};

/* One tracked allocation: its address (0: free slot), its site's slot index and
 * its size packed in one word. */
#define ALLOC_LIVE_BYTES_BITS 48 /* sizes up to 256 TiB; the site index above */
#define ALLOC_LIVE_META(site, bytes) (((__u64)(site) << ALLOC_LIVE_BYTES_BITS) | \
				      ((bytes) & ((1ull << ALLOC_LIVE_BYTES_BITS) - 1)))
#define ALLOC_LIVE_SITE(meta) ((__u32)((meta) >> ALLOC_LIVE_BYTES_BITS))
#define ALLOC_LIVE_SIZE(meta) ((meta) & ((1ull << ALLOC_LIVE_BYTES_BITS) - 1))

struct alloc_live_set {
	struct {
		__u64 ptr;
		__u64 meta;
	} e[ALLOC_TRACE_LIVE_WAYS];
};

/* Per CPU: the allocations left to skip before the next sampled one, and the
 * generator of the gaps. */
struct alloc_sampler {
	__u64 countdown;
	__u64 rng;
};

#endif
