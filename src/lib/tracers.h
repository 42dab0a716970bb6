/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The loaders of the tracing features, one per BPF program file: open the
 * skeleton, set its filters and knobs, load, attach every program, and open the
 * event loop. Each returns 0 or a negative errno with why filled; close undoes
 * everything (links first), and is safe on a tracer that failed to open.
 */
#ifndef MMS_TRACERS_H
#define MMS_TRACERS_H

#include "tracing.h"

struct mms_tracer {
	void *skel;               /* struct <stem>_bpf */
	void (*destroy)(void *skel);
	struct bpf_object *obj;
	struct mms_links links;
	struct mms_evloop loop;
};

struct mms_tracer_opts {
	struct mms_task_filter filter;
	uint64_t min_ns;          /* reclaim, compact: shorter events are not sent */
	int pageblock_order;      /* extfrag */
	int verbose;
	ring_buffer_sample_fn on_event; /* NULL: no ring buffer reading (extfrag) */
	void *ctx;
};

int mms_reclaim_tracer_open(struct mms_tracer *t, const struct mms_tracer_opts *o, char *why,
			    size_t size);
int mms_compact_tracer_open(struct mms_tracer *t, const struct mms_tracer_opts *o, char *why,
			    size_t size);
int mms_extfrag_tracer_open(struct mms_tracer *t, const struct mms_tracer_opts *o, char *why,
			    size_t size);
/* After the skeleton loaded: attach and open the event loop (undone on failure). */
int mms_tracer_start(struct mms_tracer *t, const struct mms_tracer_opts *o, char *why,
		     size_t size);
/* A map of the tracer's object by name; -1 when absent. */
int mms_tracer_map_fd(const struct mms_tracer *t, const char *name);
void mms_tracer_close(struct mms_tracer *t);

#endif
