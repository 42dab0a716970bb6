/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * alloc bpf-tags backend (internal to the library, the alloc command and its
 * benchmark): kernel-side filtering over the allocation tags by alloc_tags.bpf.c,
 * loaded once and run per query. Built-in code's tags only: module tags live in a
 * separate area (alloc_tag's module_tags) that the program does not walk.
 */
#ifndef MMS_ALLOC_TAGS_LIB_H
#define MMS_ALLOC_TAGS_LIB_H

#include <stddef.h>
#include <stdint.h>

#include <mmscope/mmscope.h>
#include "bpf/alloc_tags.h"

struct mms_alloc_tags;

/*
 * Loads and runs the program once (which resolves the section and the per-CPU
 * offsets). Returns 0, or a negative errno with why filled: -EOPNOTSUPP when this
 * kernel cannot serve it (no allocation tags, no BTF for them, no symbols), -EPERM
 * without privileges, -ENOMEM.
 */
int mms_alloc_tags_open(const struct mms_host *host, struct mms_alloc_tags **out, char *why,
			size_t size);
void mms_alloc_tags_close(struct mms_alloc_tags *t);
/* Loaded modules (from /proc/modules when opened): their sites are not walked. */
int mms_alloc_tags_nr_modules(const struct mms_alloc_tags *t);

/* Records of one query, kept for as long as the sites handed out point into them. */
struct mms_alloc_tags_buf {
	struct alloc_tags_rec *v;
	size_t nr, cap;
};
void mms_alloc_tags_buf_free(struct mms_alloc_tags_buf *buf);

struct mms_alloc_tags_stats {
	uint64_t nr_tags;     /* tags walked (built-in code) */
	uint64_t nr_passed;   /* passed the kernel's name and line prefilter: per-CPU sums paid */
	uint64_t nr_records;  /* handed to user space */
	uint64_t nr_matched;  /* of which matched the exact filter */
	uint64_t read_errors; /* tags or counters the kernel could not read (left out) */
	uint64_t runs;        /* program runs (one per ALLOC_TAGS_BATCH records) */
	int nr_modules;       /* loaded modules: their sites are not seen */
};

/*
 * One query: the program filters in the kernel (a superset for names, exact for
 * line, sizes and accuracy), user space applies the exact filter (f, NULL: all) to
 * the records and calls fn for each match; the sites point into buf, which is
 * reused (cleared) by the next query on it. Returns 0, fn's non-zero return, or a
 * negative errno.
 */
int mms_alloc_tags_read(struct mms_alloc_tags *t, const struct mms_alloc_filter *f,
			struct mms_alloc_tags_buf *buf, mms_alloc_site_fn fn, void *ctx,
			struct mms_alloc_tags_stats *st);

/*
 * The kernel-side part of f (pure, for tests): line, sizes and accuracy as they
 * are; for each name the NULL test (module '') or a literal every match must hold
 * (the pattern itself, or a glob's longest wildcard-free run, cut to 63 bytes).
 */
void mms_alloc_tags_prefilter(const struct mms_alloc_filter *f, struct alloc_tags_filter *out);

/* The automatic choice's test: opens, and refuses (-EOPNOTSUPP, why) when modules
 * are loaded, whose sites it would miss. 0, or a negative errno with why. */
int mms_alloc_tags_probe(const struct mms_host *host, char *why, size_t size);

#endif
