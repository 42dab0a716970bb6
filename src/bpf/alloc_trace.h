/* SPDX-License-Identifier: GPL-2.0 */
/*
 * alloc bpf-trace backend: what alloc_trace.bpf.c and its loader share. Sites are
 * keyed by the slab call site (the tracepoints' call_site), or for page allocations
 * (which have no call_site) by ALLOC_TRACE_PAGE_SITE | the id of the kernel stack in
 * the "stacks" map; the loader walks that stack to the first frame outside the page
 * allocator.
 */
#ifndef MMS_ALLOC_TRACE_H
#define MMS_ALLOC_TRACE_H

#define ALLOC_TRACE_PAGE_SITE_MAX 0xffffffffull /* keys up to this are page sites */
#define ALLOC_TRACE_NO_STACK 0xffffffffull     /* a page site whose stack was lost */
#define ALLOC_TRACE_STACK_DEPTH 24
#define ALLOC_TRACE_LIVE_MAX (1 << 19)    /* allocations tracked until freed */
#define ALLOC_TRACE_SITES_MAX 32768

enum alloc_trace_stat {
	ALLOC_STAT_ALLOCS,           /* allocation events seen */
	ALLOC_STAT_FREES,            /* free events seen */
	ALLOC_STAT_LIVE_FULL,        /* allocations not tracked: the live map was full */
	ALLOC_STAT_SITES_FULL,       /* allocations dropped: the site map was full */
	ALLOC_STAT_UNMATCHED_FREES,  /* frees of memory allocated before the start (or untracked) */
	ALLOC_STAT_NO_STACK,         /* page allocations whose stack could not be stored */
	ALLOC_STAT_OVERWRITTEN,      /* an address allocated again with no free seen */
	ALLOC_STAT_NR
};

struct alloc_site_val {
	__s64 bytes;        /* outstanding: allocated minus freed since the start */
	__s64 calls;
	__u64 allocs;       /* every allocation since the start, freed or not */
	__u64 alloc_bytes;
};

struct alloc_live {
	__u64 site;
	__u64 bytes;
};

#endif
