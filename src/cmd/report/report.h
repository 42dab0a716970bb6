/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmscope report, split by job: report.c (options, the window), report_procfs.c
 * (meminfo, vmstat, PSI, zones, THP), report_trace.c (the tracers attached for
 * the window: who stalled, where), report_cgroups.c (the top memory cgroups),
 * report_oom.c (OOM kills from the kernel log), report_text.c and
 * report_json.c (the views). All of them fill or read one struct report.
 */
#ifndef MMS_CMD_REPORT_H
#define MMS_CMD_REPORT_H

#include <bpf/libbpf.h>

#include "cli.h"

#define REPORT_STALLS_MAX 64   /* process and cgroup rows kept over all kinds */
#define REPORT_OOMS_MAX 8
#define REPORT_CGROUPS_MAX 5   /* the top cgroups shown and judged */
#define REPORT_EXTFRAG_KINDS 6 /* fallback kinds listed */
#define REPORT_ALLOC_SITES 3   /* kernel call sites that grew most */

/* One (allocating type, fallback type) of extfrag events in the window. */
struct report_extfrag_kind {
	char alloc[32], fallback[32];
	uint64_t events, fragmenting;
};

/* What was left out and why, for the header and the JSON "left_out". */
#define REPORT_LEFT_MAX 6
struct report_left {
	const char *what;    /* "tracers", "cgroups", "oom_victims", "kernel_memory" */
	char why[200];
};

struct report {
	struct mms_kvset meminfo[2], vmstat[2];
	struct mms_psi psi, psi_start; /* psi: at the window's end (its start without a window) */
	bool have_psi, have_psi_start;
	char psi_missing[200];
	struct mms_frag_snapshot frag;
	struct mms_thp_settings thp;
	struct mms_thp_sample thp_sample[2];
	struct mms_thp_window thp_window;
	struct mms_report_input in;
	struct mms_report_window win;
	struct mms_finding findings[MMS_FINDINGS_MAX];
	int nr_findings;
	/* the window's tracers (report_trace.c) */
	char attached[200];  /* "reclaim, compaction, extfrag", "" none */
	struct mms_report_stall stalls[REPORT_STALLS_MAX];
	int nr_extfrag_kinds;
	struct report_extfrag_kind extfrag[REPORT_EXTFRAG_KINDS];
	uint64_t trace_lost;
	/* OOM kills (report_oom.c) */
	struct mms_report_oom ooms[REPORT_OOMS_MAX];
	uint64_t oom_kill_boot;
	/* kernel memory (report_alloc.c) */
	struct mms_report_alloc_site alloc[REPORT_ALLOC_SITES];
	bool alloc_read;     /* allocinfo read at both ends */
	/* cgroups (report_cgroups.c) */
	struct mms_report_cgroup cgroups[REPORT_CGROUPS_MAX];
	int cg_version;      /* 1 or 2; 0: no cgroups read */
	const char *cg_backend;
	char cg_root[256];
	int nr_cgroups_seen;
	struct report_left left[REPORT_LEFT_MAX];
	int nr_left;
	uint64_t cost_ns;    /* setup and reads outside the window (-j: "overhead_ns") */
};

/* Notes that a part was left out, and why (printf-style). */
void report_left_out(struct report *r, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- procfs (report_procfs.c) ---- */
int report_read_kv(struct cli *cli, const char *path, struct mms_kvset *out,
		   int (*parse)(const char *, size_t, struct mms_kvset *, struct mms_error *));
/* meminfo, zones, THP and PSI at the window's start. Returns 0 or an exit status. */
int report_read_start(struct cli *cli, struct report *r);
int report_read_state(struct cli *cli, struct report *r);
/* PSI again at the window's end; the reading at its start becomes psi_start. */
int report_read_psi_end(struct cli *cli, struct report *r);
/* The zones' watermark boosts read again at the window's end (they are transient). */
int report_read_boost_end(struct cli *cli, struct report *r);
/* The per-second rate of a vmstat counter (allocstall: the sum over zones). */
bool report_rate(const struct report *r, const char *name, double *v);
extern const char *const report_rate_names[];
extern const int report_nr_rate_names;

/* ---- tracers (report_trace.c) ---- */
struct report_trace;
/* Attaches what it can; what it cannot is noted in r->left. Never fails the report. */
struct report_trace *report_trace_start(struct cli *cli, struct report *r);
/* The three tracers as one BPF object (report_load.c); 0 or a negative errno, why filled. */
struct mms_tracer;
int report_tracer_open(struct mms_tracer *t, ring_buffer_sample_fn on_event, void *ctx, char *why,
		       size_t size);
/* Runs the window (polling the tracers, or sleeping) for seconds. */
void report_trace_wait(struct report_trace *t, double seconds);
/* Detaches, fills r->stalls, r->win's tracer parts, r->extfrag; frees t. */
void report_trace_finish(struct report_trace *t, struct report *r);

/* ---- cgroups (report_cgroups.c) ---- */
struct report_cgroups;
struct report_cgroups *report_cgroups_start(struct cli *cli, struct report *r);
/*
 * start begins the first read of every cgroup on a thread; started waits for
 * it (before the window opens); end begins the second read (after it closes);
 * finish waits for that one and ranks the cgroups.
 */
void report_cgroups_started(struct report_cgroups *c);
void report_cgroups_end(struct report_cgroups *c);
void report_cgroups_finish(struct report_cgroups *c, struct report *r);

/* ---- OOM kills (report_oom.c) ---- */
struct report_oom;
struct report_oom *report_oom_start(struct cli *cli, struct report *r);
void report_oom_finish(struct report_oom *o, struct report *r);

/* ---- kernel memory (report_alloc.c) ---- */
struct report_alloc;
struct report_alloc *report_alloc_start(struct cli *cli, struct report *r);
void report_alloc_finish(struct report_alloc *a, struct cli *cli, struct report *r);
void report_alloc_free(struct report_alloc *a);

/* ---- views ---- */
void report_print_text(const struct report *r, bool colour);
void report_print_json(const struct report *r);

/* Grows and populates the heap the tracers' BTF parses will use (report_heap.c). */
void report_heap_prepare(void);

#endif
