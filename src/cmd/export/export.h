/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmscope export: a Prometheus endpoint. The pieces, one file each:
 *   expo.c        the exposition writer (text format 0.0.4 and OpenMetrics 1.0)
 *   http.c        serving with libmicrohttpd: routes, limits, the scrape cache
 *   col_memcg.c   memcg statistics of every cgroup (the libmmscope reader)
 *   col_host.c    fragmentation, watermarks, vmstat THP/compaction/OOM counters,
 *                 meminfo and PSI (the procfs readers)
 *   col_trace.c   reclaim/compaction latency histograms and extfrag fallbacks from
 *                 the BPF tracers, kept attached for the exporter's life
 *   procfile.c    procfs files kept open and read again with pread (col_host.c)
 *   export.c      the command: options, the collectors' table, the event loop
 * Collection happens only when a scrape asks for it (http.c caches the last body
 * for --min-interval so two scrapers do not double the cost).
 */
#ifndef MMS_EXPORT_H
#define MMS_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"

/* ---- the exposition writer ---- */

struct expo {
	char *buf;
	size_t len, cap;
	bool openmetrics; /* OpenMetrics 1.0: counter families named without _total, # EOF */
	bool failed;      /* out of memory: the body is unusable */
	long series;      /* samples written */
	char family[128]; /* the family being written (its name as TYPE gave it) */
	size_t family_len;
	char type[16];
};

void expo_init(struct expo *e, bool openmetrics);
void expo_free(struct expo *e);
/* Makes room for size bytes at once (the size of the last body): fewer reallocations. */
void expo_hint(struct expo *e, size_t size);
void expo_printf(struct expo *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Starts a family: name as the text format spells it (counters end in _total), type
 * "gauge", "counter" or "histogram", help a fixed sentence. Under OpenMetrics a
 * counter's family is named without _total, its samples keep it.
 */
void expo_family(struct expo *e, const char *name, const char *type, const char *help);
/* Label builder: appends name="value" (value escaped; invalid UTF-8 and control bytes
 * shown as \xNN escapes) to lbl, a buffer of size bytes holding "" or earlier labels. */
void expo_label(char *lbl, size_t size, const char *name, const char *value);
void expo_label_int(char *lbl, size_t size, const char *name, long long value);
/* A sample of the current family; suffix "" or "_bucket"/"_sum"/"_count"; lbl "" or
 * labels from expo_label(). */
void expo_sample(struct expo *e, const char *suffix, const char *lbl, double value);
void expo_sample_u64(struct expo *e, const char *suffix, const char *lbl, uint64_t value);
/* A sample of the current family labelled a (escaped labels, alen bytes), then b when
 * blen > 0, joined by a comma: the per-cgroup hot path, which formats nothing. */
void expo_sample_u64_labels(struct expo *e, const char *a, size_t alen, const char *b,
			    size_t blen, uint64_t value);
/* milli / 1000 exactly, in the fewest digits (the kernel's x1000 indices). */
void expo_sample_milli(struct expo *e, const char *suffix, const char *lbl, long long milli);
/* Ends the body (OpenMetrics: "# EOF"). */
void expo_end(struct expo *e);

/* ---- histograms in seconds with the exporter's fixed buckets ---- */

/* 1 us * 4^k, k = 0..11: 1 us .. 4.19 s, then +Inf. */
#define EXPO_BUCKETS 12
struct expo_hist {
	uint64_t le[EXPO_BUCKETS + 1]; /* per bucket, not cumulative; [EXPO_BUCKETS]: +Inf */
	uint64_t count;
	uint64_t sum_ns;
};
void expo_hist_add(struct expo_hist *h, uint64_t ns);
/* The histogram's _bucket, _sum and _count samples with lbl plus le. */
void expo_hist_write(struct expo *e, const char *lbl, const struct expo_hist *h);

/* ---- procfs files kept open (procfile.c) ---- */

/* Set up by procfile_init(); opened at the first read. */
struct procfile {
	const char *path;
	int fd;       /* -1: not open */
	char *buf;
	size_t cap;
};

/*
 * The file's current text (NUL-terminated, in pf's buffer until the next read) from
 * host (the live system or a --root tree); 0, or a negative errno with err filled.
 */
int procfile_read(struct procfile *pf, const struct mms_host *host, char **text, size_t *len,
		  struct mms_error *err);
void procfile_init(struct procfile *pf, const char *path);
/* Closes the file and frees the buffer; pf can be read again (it reopens). */
void procfile_close(struct procfile *pf);

/* ---- collectors ---- */

struct export_opts {
	struct cli *cli;
	const char *listen;
	double min_interval;  /* seconds a scrape's body is reused */
	int cgroup_depth;     /* 0: no limit */
	int max_cgroups;
	int alloc_sites;
	bool no_trace;
	const char *trace_cgroup; /* --trace-cgroup: tracers count only this cgroup's tasks */
	bool once;            /* print one scrape's body and exit (tests, cron) */
	bool openmetrics;     /* with once */
	const char *web_config;
	const char *collectors;   /* --collectors: comma list, NULL: all */
	enum mms_memcg_backend memcg_backend; /* --memcg-backend */
};

struct collector {
	const char *name;
	/* Opens what the collector keeps (a reader, BPF links). Returns 0, or a negative
	 * errno with why filled: -EOPNOTSUPP/-ENOENT/-EPERM leave the collector off (a
	 * note on stderr), anything else is fatal. */
	int (*open)(void **state, const struct export_opts *o, char *why, size_t size);
	/* Writes the collector's families; returns 0 or a negative errno (counted in
	 * mmscope_collector_errors_total; what it wrote before failing is kept). */
	int (*collect)(void *state, struct expo *e, const struct export_opts *o);
	/* Drains pending events (BPF ring buffers); NULL when it has none. */
	void (*poll)(void *state);
	void (*close)(void *state);
};

extern const struct collector col_memcg, col_frag, col_pagetype, col_vmstat, col_trace,
	col_alloc;

/* The scrape: every open collector into e, then the self metrics. */
void export_collect(struct expo *e, const struct export_opts *o);
/* Drains the collectors' pending events (between requests). */
void export_poll(const struct export_opts *o);

/* ---- serving ---- */

struct mms_http;
/* What the server calls (export.c's, passed in so that http.c does not call back
 * into the file that calls it). */
struct http_hooks {
	void (*collect)(struct expo *e, const struct export_opts *o); /* a scrape's body */
	void (*poll)(const struct export_opts *o);  /* between requests */
};
int http_start(struct mms_http **out, const struct export_opts *o, const struct http_hooks *hk,
	       char *why, size_t size);
/* Runs requests and the collectors' polls until cli_stop. Returns 0 or -errno. */
int http_run(struct mms_http *h);
void http_stop(struct mms_http *h);
/* "https" with a TLS certificate from --web-config, else "http". */
const char *http_scheme(const struct mms_http *h);

#endif
