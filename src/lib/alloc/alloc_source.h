/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The alloc command's backends behind one operations struct each (internal to the
 * library and the alloc command): mms_alloc_backends[] (alloc_backends.c) points
 * at these, best first, and the command opens the one its walk of that table
 * chooses (or --backend NAME) through them.
 *
 * ioctl, bpf-tags and allocinfo take snapshots of the same sites: open once, read
 * a snapshot into a buffer the sites point into, close. bpf-trace is different: it
 * traces allocations while it runs, and the command runs it (src/cmd/alloc/
 * alloc_trace.c) through open_tracer.
 */
#ifndef MMS_ALLOC_SOURCE_H
#define MMS_ALLOC_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include <mmscope/mmscope.h>
#include "lib/alloc/alloc_ioctl.h"
#include "lib/alloc/alloc_tags.h"
#include "lib/trace/tracers.h"

/* What a snapshot's sites point into (each backend uses its own part). */
struct mms_alloc_snap_buf {
	struct mms_text_buf text;        /* allocinfo: the text */
	struct mms_alloc_tags_buf tags;  /* bpf-tags: the records */
	struct mms_alloc_ioctl_buf ioc;  /* ioctl: the replies */
};
void mms_alloc_snap_buf_free(struct mms_alloc_snap_buf *buf);

/* What a snapshot counted: info for every backend (major.minor: allocinfo only),
 * tags for bpf-tags only. */
struct mms_alloc_snap_stats {
	struct mms_allocinfo_info info;
	struct mms_alloc_tags_stats tags;
};

struct mms_alloc_src; /* one open snapshot backend */

struct mms_alloc_ops {
	const char *name; /* "ioctl", "bpf-tags", "allocinfo", "bpf-trace" */
	/*
	 * Snapshot backends. open: 0, or a negative errno with why (-ENOMEM; any other:
	 * not here). read: calls fn for every site f matches (sites point into buf,
	 * reused by the next read on it) and fills st; 0, fn's non-zero return,
	 * -ENOMEM, or a negative errno with err saying what failed (err->file) and why.
	 */
	int (*open)(struct mms_alloc_src **out, const struct mms_host *host, char *why,
		    size_t size);
	int (*read)(struct mms_alloc_src *s, const struct mms_alloc_filter *f,
		    struct mms_alloc_snap_buf *buf, mms_alloc_site_fn fn, void *ctx,
		    struct mms_alloc_snap_stats *st, struct mms_error *err);
	void (*close)(struct mms_alloc_src *s);
	/* bpf-trace (the others: NULL): loads and attaches the tracer (alloc_trace.h). */
	int (*open_tracer)(struct mms_tracer *t, const struct mms_tracer_opts *o,
			   uint32_t sample_every, char *why, size_t size);
};

extern const struct mms_alloc_ops mms_alloc_src_ioctl;
extern const struct mms_alloc_ops mms_alloc_src_tags;
extern const struct mms_alloc_ops mms_alloc_src_allocinfo;
extern const struct mms_alloc_ops mms_alloc_src_trace;

/* bpf-tags: loaded modules, whose sites it does not see (0 for the others). */
int mms_alloc_src_nr_modules(const struct mms_alloc_src *s);

#endif
