/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * What every tracing feature's loader shares (internal to the library and the
 * commands; it exposes libbpf types): choosing who is traced (pid, cgroup) before
 * load, attaching every program of an object with a clean undo, a ring-buffer
 * event loop that counts lost events and ticks at an interval, and enum names
 * from the running kernel's BTF.
 */
#ifndef MMS_TRACING_H
#define MMS_TRACING_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <bpf/libbpf.h>

#include <mmscope/mmscope.h>

#include "bpf/filter.h"

/* ---- who is traced ---- */

struct mms_task_filter {
	uint32_t tgid;          /* 0: every process */
	uint64_t cgid;          /* with cg_mode != MMS_CGF_NONE */
	int cg_mode;            /* enum mms_cgroup_filter_mode */
	uint32_t cg_level;      /* MMS_CGF_V2: depth below the cgroup2 root */
	char cg_path[512];      /* as resolved, for messages */
};

/*
 * Resolves -c CGROUP: an absolute directory in a cgroup mount, or a path relative
 * to the memory hierarchy ("/mytest" = <memory mount>/mytest) or to cgroup2.
 * Returns 0; -ENOENT (no such cgroup), -EINVAL (not a memory or cgroup2
 * hierarchy) with why filled.
 */
int mms_task_filter_cgroup(const struct mms_host *host, const char *arg,
			   struct mms_task_filter *f, char *why, size_t size);

/* Sets a skeleton's filter rodata (every tracing program has these four). */
#define MMS_TASK_FILTER_APPLY(skel, f)                                   \
	do {                                                             \
		(skel)->rodata->targ_tgid = (f)->tgid;                   \
		(skel)->rodata->targ_cgid = (f)->cgid;                   \
		(skel)->rodata->targ_cg_mode = (uint32_t)(f)->cg_mode;   \
		(skel)->rodata->targ_cg_level = (f)->cg_level;           \
	} while (0)

/* ---- loading and attaching ---- */

#define MMS_LINKS_MAX 16

struct mms_links {
	int nr;
	struct bpf_link *link[MMS_LINKS_MAX];
};

/*
 * Attaches every program of obj that is set to load. On failure detaches what
 * it attached, fills why (naming the program) and returns the negative errno.
 * fail_last makes the last attach fail (-EBUSY) with every other link live, so
 * tests can check that a failed attach leaves nothing behind (an object of one
 * program fails its only attach).
 */
int mms_links_attach(struct mms_links *l, struct bpf_object *obj, bool fail_last, char *why,
		     size_t size);
void mms_links_destroy(struct mms_links *l);
/* The exit-3-or-1 message for a failed load or attach (EPERM: needs root...). */
void mms_bpf_error(int err, const char *what, char *why, size_t size);

/* ---- the event loop ---- */

struct mms_evloop {
	struct ring_buffer *rb;
	int lost_fd;            /* per-CPU "lost" counter map, or -1 */
};

/* Over obj's "events" ring buffer and "lost" map; fn gets each record. */
int mms_evloop_open(struct mms_evloop *l, struct bpf_object *obj, ring_buffer_sample_fn fn,
		    void *ctx);

#define MMS_EVLOOP_DRAIN_MS 100

struct mms_evloop_opts {
	uint64_t interval_ns;   /* 0: no ticks */
	long count;             /* stop after this many ticks (0: no limit) */
	uint64_t duration_ns;   /* stop after this long (0: no limit) */
	volatile sig_atomic_t *stop; /* stop when it becomes non-zero */
	int (*tick)(void *ctx, uint64_t now_ns); /* non-zero return stops the loop */
	void *ctx;
	/*
	 * Flushed after each read of the buffer that found records, and at the end
	 * (NULL: nothing): the record callbacks can write to a fully buffered stream,
	 * one write per drain instead of one per record.
	 */
	FILE *out;
};

/*
 * Polls until stopped; returns 0 or the negative errno of a failed poll. The
 * programs submit records without waking the reader (event_submit() in
 * events.bpf.h) unless the buffer is a quarter full, so the loop drains at least
 * every MMS_EVLOOP_DRAIN_MS: a record waits at most that long to be read.
 */
int mms_evloop_run(struct mms_evloop *l, const struct mms_evloop_opts *o);
/* Events the BPF side could not send (sum over CPUs of "lost"). */
uint64_t mms_evloop_lost(const struct mms_evloop *l);
/* The sum over CPUs of a per-CPU u64 array map slot. */
uint64_t mms_percpu_sum(int map_fd, uint32_t key);
void mms_evloop_close(struct mms_evloop *l);
uint64_t mms_monotonic_ns(void);

/* ---- kernel facts from BTF ---- */

/*
 * Name of value in the kernel's enum enum_name, prefix removed and lower-cased
 * (enum compact_result 8 -> "success"). Falls back to the decimal value when the
 * BTF or the value is missing. Loads vmlinux BTF once per process.
 */
const char *mms_btf_enum_name(const char *enum_name, const char *prefix, long value,
			      char *buf, size_t size);
/* "COMPACT_NOT_SUITABLE_ZONE" minus "COMPACT_" -> "not_suitable_zone". Pure. */
void mms_enum_pretty(const char *name, const char *prefix, char *buf, size_t size);
/* Type name of parameter idx (0-based, after the void *) of btf_trace_<event>; NULL if unknown. */
const char *mms_btf_tp_param_type(const char *event, int idx, char *buf, size_t size);

#endif
