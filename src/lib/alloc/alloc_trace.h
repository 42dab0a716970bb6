/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * alloc bpf-trace backend (internal to the library and the alloc command): the
 * loader of alloc_trace.bpf.c, reading its per-site aggregates symbolized as
 * function+offset from /proc/kallsyms, and its loss counters.
 */
#ifndef MMS_ALLOC_TRACE_LIB_H
#define MMS_ALLOC_TRACE_LIB_H

#include <stdint.h>

#include "lib/trace/tracers.h"
#include "bpf/alloc_trace.h"

/* ---- /proc/kallsyms ---- */

struct mms_ksyms;

/* Text symbols of host's /proc/kallsyms. NULL with errno: EPERM when the addresses
 * are hidden (kptr_restrict, not root), or the read's errno. */
struct mms_ksyms *mms_ksyms_load(const struct mms_host *host);
/* No kernel function is this long: an address further past its nearest symbol is
 * in none. */
#define MMS_KSYM_MAX_SIZE (1u << 20)

/* The symbol holding addr (its name, *offset from its start, *module or NULL for
 * built-in code); NULL when none does. */
const char *mms_ksyms_find(const struct mms_ksyms *ks, uint64_t addr, uint64_t *offset,
			   const char **module);
void mms_ksyms_free(struct mms_ksyms *ks);

/* ---- the tracer ---- */

/* sample_every 0 or 1: every allocation is tracked; N (up to ALLOC_TRACE_SAMPLE_MAX):
 * one in about N, and what the reader returns is scaled back up by N. */
/* The bpf-trace backend's probe: its programs load here. 0, or a negative errno with why. */
int mms_alloc_trace_probe(char *why, size_t size);
int mms_alloc_tracer_open(struct mms_tracer *t, const struct mms_tracer_opts *o,
			  uint32_t sample_every, char *why, size_t size);

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
 * ks, which decides what is "inside the page allocator"), and fills stats, indexed
 * by enum alloc_trace_stat and summed over CPUs: ALLOC_STAT_ALLOCS and _FREES are
 * every allocation and free seen (estimates when sampling), the others count
 * tracked allocations, unscaled. Returns 0 or a negative errno.
 */
int mms_alloc_trace_read(const struct mms_tracer *t, const struct mms_ksyms *ks,
			 void (*fn)(void *ctx, const struct mms_alloc_trace_row *row), void *ctx,
			 uint64_t stats[ALLOC_STAT_NR]);
/* The tracer's sampling: 1 when every allocation is tracked. */
uint32_t mms_alloc_trace_sample_every(const struct mms_tracer *t);

#endif
