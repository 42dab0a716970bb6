/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmscope syscalls, inside: the options, snapshots of the kernel's running
 * totals (and their differences for INTERVAL), and the views (table, JSON,
 * histograms, slow calls, flight records).
 */
#ifndef MMS_CMD_SYSCALLS_H
#define MMS_CMD_SYSCALLS_H

#include <jansson.h>

#include "cmd/trace_common.h"
#include "lib/trace/syscalls.h"

enum sys_sort { SORT_TIME = 0, SORT_CALLS, SORT_ERRORS, SORT_P99 };

struct sys_args {
	struct trace_args trace;        /* filter, -d, -H, -n, INTERVAL [COUNT] */
	struct mms_syscalls_opts opts;
	bool traced[MMS_SYS_SLOTS];     /* -e, --mm */
	bool any_traced;                /* -e or --mm given */
	enum sys_sort sort;
	bool sort_given;                /* --sort: else calls, or time when timed */
	char comm[16];
	char **command;                 /* -- COMMAND [ARGS]: NULL without */
};

#define SYS_ROW_ERRNOS 8

struct sys_row {
	uint64_t group;
	uint32_t slot;
	struct mms_sys_stat s;
	uint32_t nerr;
	struct {
		uint32_t err;
		uint64_t n;
	} errs[SYS_ROW_ERRNOS];
	uint64_t other_errs;            /* errnos past SYS_ROW_ERRNOS */
};

/* All (group, syscall) rows at one read, indexed by key. */
struct sys_snap {
	struct sys_row *v;
	size_t n, cap;
	size_t *idx;                    /* open addressing: row + 1, 0 empty */
	size_t nidx;
};

/* Reads the tracer's maps into s (emptied first). 0 or a negative errno. */
int sys_snap_read(struct sys_snap *s, const struct mms_tracer *t,
		  const struct mms_syscalls_opts *o);
const struct sys_row *sys_snap_find(const struct sys_snap *s, uint64_t group, uint32_t slot);
/*
 * out = cur - prev, row by row (rows without new calls dropped). An interval's
 * max is exact when the run's max grew in it, else the top of the highest log2
 * bucket that gained calls (capped at the run's max).
 */
int sys_snap_delta(struct sys_snap *out, const struct sys_snap *cur, const struct sys_snap *prev);
void sys_snap_sort(struct sys_snap *s, enum sys_sort by);
void sys_snap_free(struct sys_snap *s);

/* Calls with a latency (all but exit/exit_group). */
uint64_t sys_row_timed(const struct sys_row *r);

struct sys_view {
	struct cli *cli;
	const struct sys_args *args;
	struct mms_tracer *t;
	struct mms_cgroup_paths *paths;
	struct tline line;
	bool slow_header;
};

/* The rows as a table (text) or a JSON array, top -n of them. */
void sys_view_table(struct sys_view *v, const struct sys_snap *s);
json_t *sys_view_json(struct sys_view *v, const struct sys_snap *s);
/* -H: each shown row's log2 histogram. */
void sys_view_hists(struct sys_view *v, const struct sys_snap *s);
/* A slow call (ring buffer record). */
void sys_view_slow(struct sys_view *v, const struct mms_sys_event *e);
/* A thread's flight record: why ("SIGUSR1", "end", "SIGSEGV") says what dumped it. */
void sys_view_record(struct sys_view *v, const struct mms_sys_record *r, const char *why);

#endif
