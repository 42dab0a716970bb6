/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The loaders of the tracing features, one per BPF program file: open the
 * skeleton, set its filters and knobs, load, attach every program, and open the
 * event loop. Each returns 0 or a negative errno with why filled; close undoes
 * everything (links first), and is safe on a tracer that failed to open.
 */
#ifndef MMS_TRACERS_H
#define MMS_TRACERS_H

#include "lib/trace/tracing.h"

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
	bool fail_last_attach;    /* test hook: the last attach fails (mms_links_attach) */
	ring_buffer_sample_fn on_event; /* NULL: no ring buffer reading (extfrag) */
	const struct mms_syscalls_opts *syscalls; /* syscalls: its own knobs */
	void *ctx;
};

int mms_reclaim_tracer_open(struct mms_tracer *t, const struct mms_tracer_opts *o, char *why,
			    size_t size);
int mms_compact_tracer_open(struct mms_tracer *t, const struct mms_tracer_opts *o, char *why,
			    size_t size);

/*
 * The load-time choices of reclaim.bpf.c and compact.bpf.c, from the kernel's
 * BTF, for every object holding their programs (the report's too): whether
 * mm_vmscan_direct_reclaim_begin passes gfp first; whether the compaction
 * tracepoints pass pfns rather than the compact_control, and the programs
 * for either (autoload on or off by name).
 */
bool mms_reclaim_begin_gfp_first(void);
bool mms_compact_pfn_args(void);
void mms_compact_pick_progs(struct bpf_object *obj, bool pfn_args);
struct mms_syscalls_opts;
/* See lib/trace/syscalls.h. */
int mms_syscalls_tracer_open(struct mms_tracer *t, const struct mms_tracer_opts *o, char *why,
			     size_t size);
int mms_extfrag_tracer_open(struct mms_tracer *t, const struct mms_tracer_opts *o, char *why,
			    size_t size);

/* ---- extfrag counters (kmem:mm_page_alloc_extfrag) ---- */

#define MMS_EXTFRAG_TYPES 8 /* migrate types counted (MIGRATE_TYPES is 5 or 6) */

/* Running totals per [allocating type][fallback type][fragmenting 0/1]. */
struct mms_extfrag_kinds {
	uint64_t n[MMS_EXTFRAG_TYPES][MMS_EXTFRAG_TYPES][2];
};

#define MMS_EXTFRAG_OTHER_TGID UINT32_MAX /* the row of processes that found the map full */

struct mms_extfrag_proc_row {
	uint32_t tgid;          /* or MMS_EXTFRAG_OTHER_TGID */
	char comm[16];
	uint64_t events, fragmenting; /* running totals */
	bool gone;              /* exited: removed from the map after this call */
};

/*
 * The pageblock order the kernel uses to call a fallback fragmenting: the
 * "Page block order:" line of /proc/pagetypeinfo (root only), else 9, which is
 * min(PMD order, MAX_PAGE_ORDER) on x86-64 with 4 KiB pages. *source says which
 * ("pagetypeinfo" or "default"). Cannot fail.
 */
int mms_extfrag_pageblock_order(const char **source);
/* The running totals per kind. Returns 0 or a negative errno. */
int mms_extfrag_read_kinds(const struct mms_tracer *t, struct mms_extfrag_kinds *out);
/*
 * Calls fn with each process's running totals; the rows of processes that have
 * exited are passed with gone set and then deleted, so the map only holds live
 * processes. Returns 0 or a negative errno.
 */
int mms_extfrag_read_procs(const struct mms_tracer *t,
			   void (*fn)(void *ctx, const struct mms_extfrag_proc_row *row),
			   void *ctx);

/*
 * The steps every loader shares, around its own skeleton calls:
 *   mms_tracer_init(t, o);  skel = X_bpf__open();
 *   err = mms_tracer_adopt(t, skel, skel ? skel->obj : NULL, destroy, "X", why, size);
 *   ... set rodata ...
 *   err = mms_tracer_loaded(t, X_bpf__load(skel), "X", why, size);
 *   ... anything between load and attach ...
 *   return mms_tracer_start(t, o, why, size);
 * Each returns 0 or a negative errno with why filled, and on failure leaves t closed.
 */
void mms_tracer_init(struct mms_tracer *t, const struct mms_tracer_opts *o);
/* Takes an opened skeleton (NULL: the open failed, errno says why). */
int mms_tracer_adopt(struct mms_tracer *t, void *skel, struct bpf_object *obj,
		     void (*destroy)(void *skel), const char *what, char *why, size_t size);
/* Reports and closes t when the skeleton's load returned err != 0. */
int mms_tracer_loaded(struct mms_tracer *t, int err, const char *what, char *why, size_t size);
/* Loads through load(nocas = false), and with the build without compare-and-swap
 * (skel_nocas.h) only when the kernel refuses the first (EINVAL: before 5.12),
 * then starts the tracer. */
typedef int (*mms_tracer_load_fn)(struct mms_tracer *t, const struct mms_tracer_opts *o,
				  bool nocas, char *why, size_t size);
int mms_tracer_open_nocas(struct mms_tracer *t, const struct mms_tracer_opts *o,
			  mms_tracer_load_fn load, char *why, size_t size);
/* After the skeleton loaded: attach and open the event loop (t closed on failure). */
int mms_tracer_start(struct mms_tracer *t, const struct mms_tracer_opts *o, char *why,
		     size_t size);
/* A map of the tracer's object by name; -1 when absent. */
int mms_tracer_map_fd(const struct mms_tracer *t, const char *name);
/*
 * Runs of the tracer's programs the kernel skipped because the same program was
 * already running on that CPU (an event inside an interrupt that came while the
 * program ran, or, where tracepoints run preemptibly, another task's event while
 * the first was preempted inside the program). 0 on kernels before 5.12, which
 * do not count them.
 */
uint64_t mms_tracer_missed(const struct mms_tracer *t);

#define MMS_TRACER_PROGS 16

/*
 * What a tracing stream lost, kept apart because the two mean different things:
 * records the ring buffer had no room for (whole events gone), and skipped runs
 * per program (an event gone only if that program makes or completes records;
 * a counter one short if it only counts).
 */
struct mms_tracer_loss {
	uint64_t lost;          /* records dropped: ring buffer full */
	uint64_t missed;        /* program runs skipped, all programs */
	unsigned nr;            /* programs with skipped runs, in by_prog */
	struct {
		char name[64];  /* the tracepoint: the program's name without "raw_tp_" */
		uint64_t n;
	} by_prog[MMS_TRACER_PROGS];
};

void mms_tracer_loss(const struct mms_tracer *t, struct mms_tracer_loss *out);
void mms_tracer_close(struct mms_tracer *t);

#endif
