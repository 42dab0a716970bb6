/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the tracing commands (reclaim, compact, frag --events) share on the
 * command-line side: one option vocabulary (-p, -c, --min-ms, -d, -H,
 * --per-cgroup, -n, INTERVAL [COUNT]), the checks before loading BPF, the
 * exit status of a failed load, cgroup names, and a table of latency groups
 * (per process, per cgroup) for the summaries.
 */
#ifndef MMS_TRACE_COMMON_H
#define MMS_TRACE_COMMON_H

#include <jansson.h>

#include "cli.h"
#include "lib/trace/tracers.h"

struct trace_args {
	struct mms_task_filter filter;
	uint64_t min_ns;
	double duration;     /* -d SECONDS; 0: until stopped */
	bool hist;           /* -H */
	bool per_cgroup;     /* --per-cgroup */
	int top;             /* -n N */
	double interval;     /* INTERVAL seconds; 0 without */
	long count;          /* COUNT */
};

enum trace_mode {
	TRACE_LATENCIES, /* reclaim, compact: per event, or -H histograms */
	TRACE_COUNTS,    /* frag --events: counts per INTERVAL */
};

/*
 * Parses the options (an unknown one, --events included, is exit 2 except in
 * TRACE_COUNTS, whose mode switch it is), applies the mode (TRACE_LATENCIES:
 * INTERVAL or --per-cgroup imply -H; TRACE_COUNTS: -H, --per-cgroup and --min-ms
 * refused, INTERVAL 1 s by default) and refuses --root (exit 3): all that can be
 * said before loading BPF. Returns 0 or an exit status (message printed).
 */
int trace_setup(struct cli *cli, int argc, char **argv, enum trace_mode mode,
		struct trace_args *a);
/* -c CGROUP into f; 0, or exit 2 with the reason printed. */
int trace_parse_cgroup(struct cli *cli, const char *arg, struct mms_task_filter *f);
/* OPT MS (milliseconds >= 0, decimals allowed) into *ns; 0, or exit 2 printed. */
int trace_parse_ms(struct cli *cli, const char *opt, const char *s, uint64_t *ns);
/*
 * Opens t with open(), o completed from a and cli (filter, --min-ms, -v, the
 * tests' fault hook); the command sets the rest (on_event, ctx, ...). Returns 0,
 * or exit 3 when the kernel or privileges cannot do it, else 1 (message printed).
 */
int trace_open(struct cli *cli, const struct trace_args *a, struct mms_tracer_opts *o,
	       int (*open)(struct mms_tracer *t, const struct mms_tracer_opts *o, char *why,
			   size_t size),
	       struct mms_tracer *t);
/* The memory hierarchy's resolver (NULL when there is none: paths print as ids). */
struct mms_cgroup_paths *trace_cgroup_paths(struct cli *cli);
/* "/a/b", or "id:N" when unknown, into buf. */
const char *trace_cgroup_name(struct mms_cgroup_paths *p, uint64_t id, char *buf, size_t size);
/* The loop options from args: interval, count, -d, the stop flag. */
void trace_loop_opts(const struct trace_args *a, struct mms_evloop_opts *o,
		     int (*tick)(void *, uint64_t), void *ctx);
/*
 * Runs t's event loop until -d, COUNT or a stop signal, calling tick every INTERVAL;
 * *now is when it ended and *loss what the tracer lost (records the ring buffer
 * had no room for, and program runs the kernel skipped). Returns the loop's status.
 */
int trace_run(struct mms_tracer *t, const struct trace_args *a, int (*tick)(void *, uint64_t),
	      void *ctx, uint64_t *now, struct mms_tracer_loss *loss);
/* A summary's "lost", "missed" and, when some runs were skipped, "missed_by"
 * ({"mm_compaction_suitable": 3}). */
void trace_loss_json(json_t *summary, const struct mms_tracer_loss *loss);
/* "lost N", then "; missed M (prog K, ...)" when some runs were skipped. */
const char *trace_loss_text(const struct mms_tracer_loss *loss, char *buf, size_t size);
/* Whether a histogram run's last window still needs printing at the end (no tick
 * printed it within the last millisecond). */
bool trace_last_hists_due(const struct trace_args *a, uint64_t now, uint64_t last_tick_ns);
/* Wall-clock HH:MM:SS of a bpf_ktime_get_ns() timestamp (cached per second). */
const char *trace_clock(uint64_t ts_ns, char buf[16]);
/*
 * Per-event output is written to a buffered stdout and flushed once per read of
 * the ring buffer (mms_evloop_opts.out), at each tick and at exit: call before
 * the first output. Not a terminal: fully buffered in 64 KiB (one write per
 * drain at ~1000 lines/s); a terminal keeps line buffering.
 */
void trace_stdout_setup(void);
/* A per-event JSON object to stdout, newline-terminated, not flushed (see above). */
void trace_json_event(json_t *o);

/*
 * ---- a text line built by hand ----
 * printf spends most of its time parsing the format and in floating point; a
 * tracer printing a line per event at ~1000 events/s pays that per line. These
 * append fixed-width fields as printf's %-Ns / %Ns / %Nu / %N.3f would.
 */
struct tline {
	size_t len;
	char buf[1024];
};

/* width > 0: right-aligned in width; < 0: left-aligned in -width; 0: as is. */
void tline_str(struct tline *l, const char *s, int width);
void tline_s64(struct tline *l, int64_t v, int width);
/* ns as milliseconds with 3 decimals (rounded to the microsecond). */
void tline_ms(struct tline *l, uint64_t ns, int width);
/* Writes the line and a newline to f, and empties l. */
void tline_put(struct tline *l, FILE *f);

/* ---- groups of latencies ---- */

struct group {
	uint64_t key;
	uint32_t pid;
	uint64_t memcg_id;
	char comm[16];
	uint64_t total_ns;
	uint64_t counts[4];  /* per command: e.g. events, fragmenting */
	struct mms_lat lat;
};

struct groups {
	struct group *v;
	size_t n, cap;
	size_t *slot;        /* open addressing: index + 1, 0 empty */
	size_t nr_slots;
};

/* The group with key, created zeroed when absent (NULL on out of memory). */
struct group *groups_get(struct groups *g, uint64_t key);
/* Sorts groups by total_ns (or counts[0] when by_count), largest first; invalidates the index. */
void groups_sort(struct groups *g, bool by_count);
void groups_free(struct groups *g);

/* The p50/p99/max of a group in the JSON and text summaries. */
void group_percentiles(struct group *gr, uint64_t out[3]);
/* The top groups (processes, or cgroups named through paths) as a JSON array of
 * {noun: count, total_ns, p50_ns, p99_ns, max_ns, comm+pid | cgroup}. */
json_t *trace_groups_json(struct groups *gs, int top, const char *noun,
			  struct mms_cgroup_paths *paths, bool procs);

/* ---- what reclaim and compact keep ---- */

/* How a command names its kinds of event in the histograms. */
struct trace_kinds {
	const char *const *names;  /* [nr] */
	int nr;                    /* at most 4 (the kind is 2 bits of a cg_hists key) */
	const char *key;           /* the JSON key of the kind: "kind", "who" */
	const char *what;          /* "<name> <what> latency": "reclaim", "compaction" */
};

/*
 * Latencies per process and per cgroup over the run; the window's histograms per
 * kind, and with --per-cgroup per cgroup and kind (key memcg_id << 2 | kind),
 * printed every INTERVAL and at the end.
 */
struct trace_stats {
	struct cli *cli;
	const struct trace_args *args;
	struct trace_kinds kinds;
	struct mms_hist *hist;          /* [kinds.nr]: this window, per kind */
	struct groups procs, cgroups, cg_hists;
	struct mms_cgroup_paths *paths; /* names the cgroups */
	struct mms_tracer t;
	struct mms_tracer_loss loss;    /* at the end of the run */
	uint64_t start_ns, last_tick_ns, now; /* now: when the run ended */
	struct mms_gfp_layout gfp;      /* the running kernel's gfp bits, for the views */
};

/* An event of tgid (comm) in memcg_id that took latency_ns, for the summary. */
void trace_stats_add(struct trace_stats *s, uint32_t tgid, const char comm[16],
		     uint64_t memcg_id, uint64_t latency_ns);
/* An event of kind in memcg_id, for the window's histograms. */
void trace_stats_add_hist(struct trace_stats *s, uint64_t memcg_id, int kind,
			  uint64_t latency_ns);
/*
 * What reclaim and compact do before their run: trace_stats_setup(), the kernel's
 * gfp layout into s->gfp, then s->t opened with open() (see trace_open),
 * on_event(ctx) getting the records. Returns 0 or an exit status (message printed).
 */
int trace_stats_start(struct trace_stats *s, struct cli *cli, int argc, char **argv,
		      struct trace_args *a, const struct trace_kinds *kinds, struct mms_hist *hist,
		      int (*open)(struct mms_tracer *t, const struct mms_tracer_opts *o, char *why,
				  size_t size),
		      ring_buffer_sample_fn on_event, void *ctx);
/* The exit status of a run that trace_stats_run() ended with rc. */
int trace_stats_status(struct trace_stats *s, int rc);
/*
 * Runs s->t's event loop (trace_run) printing the histograms every INTERVAL, then
 * detaches (the summary is about a closed window; the maps stay readable until
 * mms_tracer_close) and prints the last window's histograms if due. Sets s->now
 * and s->loss; returns the loop's status.
 */
int trace_stats_run(struct trace_stats *s);
/* The summary's "processes" and "cgroups" arrays (see trace_groups_json). */
void trace_stats_json(struct trace_stats *s, json_t *summary, const char *noun);
void trace_stats_free(struct trace_stats *s);

#endif
