/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * alloc bpf-trace backend (internal to the library and the alloc command): the
 * loader of alloc_trace.bpf.c, reading its per-site aggregates symbolized as
 * function+offset from /proc/kallsyms, and its loss counters.
 */
#ifndef MMS_ALLOC_TRACE_LIB_H
#define MMS_ALLOC_TRACE_LIB_H

#include <stdint.h>

#include "tracers.h"
#include "bpf/alloc_trace.h"

/* ---- /proc/kallsyms ---- */

struct mms_ksyms;

/* Text symbols of host's /proc/kallsyms. NULL with errno: EPERM when the addresses
 * are hidden (kptr_restrict, not root), or the read's errno. */
struct mms_ksyms *mms_ksyms_load(const struct mms_host *host);
/* The symbol holding addr (its name, *offset from its start, *module or NULL for
 * built-in code); NULL when none does. */
const char *mms_ksyms_find(const struct mms_ksyms *ks, uint64_t addr, uint64_t *offset,
			   const char **module);
void mms_ksyms_free(struct mms_ksyms *ks);

/* ---- the tracer ---- */

int mms_alloc_tracer_open(struct mms_tracer *t, const struct mms_tracer_opts *o, char *why,
			  size_t size);

/* One site's aggregate; ip is the call site (slab) or the first frame of the stack
 * outside the page allocator (page; 0 when the stack was lost). */
struct mms_alloc_trace_row {
	bool page;
	uint64_t ip;
	int64_t bytes, calls;
	uint64_t allocs, alloc_bytes;
};

/*
 * Calls fn for every site in the map (page sites resolved through their stacks with
 * ks, which decides what is "inside the page allocator"). Returns 0 or a negative
 * errno.
 */
int mms_alloc_trace_read(const struct mms_tracer *t, const struct mms_ksyms *ks,
			 void (*fn)(void *ctx, const struct mms_alloc_trace_row *row), void *ctx);
/* The loss counters, summed over CPUs, indexed by enum alloc_trace_stat. */
void mms_alloc_trace_stats(const struct mms_tracer *t, uint64_t out[ALLOC_STAT_NR]);

#endif
