/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Internals of the two DAMON heatmap sources (damon-vaddr, damon-paddr), split
 * by job: the BPF collector of region snapshots (heatmap_damon_bpf.c), the DAMON
 * sysfs control that starts, watches and undoes a kdamond
 * (heatmap_damon_sysfs.c), the physical -> virtual translation of damon-paddr
 * (heatmap_damon_paddr.c), and the source ops (heatmap_damon.c).
 */
#ifndef MMS_HEATMAP_DAMON_H
#define MMS_HEATMAP_DAMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/heatmap/heatmap.h"
#include "lib/trace/tracers.h"

#define HM_DAMON_ADMIN "/sys/kernel/mm/damon/admin/kdamonds"

/* ---- collector: damon:damon_aggregated of one kdamond (heatmap_damon_bpf.c) ---- */

struct hm_damon_region {
	uint64_t start, end;
	uint32_t nr_accesses, age, target;
};

/* The regions of one aggregation of one kdamond, in the order emitted. */
struct hm_damon_aggr {
	uint64_t seq;   /* aggregation number (counted by the BPF program) */
	uint64_t ts_ns; /* CLOCK_MONOTONIC of its last record */
	struct hm_damon_region *r;
	int n, cap;
	bool whole;     /* its first region was seen: not joined mid-aggregation */
};

struct hm_damon_col {
	struct mms_tracer t;
	void *skel;            /* struct damon_bpf */
	uint32_t ntargets;     /* targets of the watched kdamond's context */
	struct hm_damon_aggr cur, done;
	bool have_done;        /* done holds an aggregation next() has not taken */
	uint64_t skipped;      /* whole aggregations replaced before they were taken */
	uint64_t first_seq;    /* the first aggregation seen (maybe joined midway) */
	const char *variant;   /* which TP_PROTO the kernel has */
};

/* Loads and attaches (nothing is sent until _watch). 0, or -errno with why. */
int hm_damon_col_open(struct hm_damon_col *c, char *why, size_t size);
/* Sends the regions of kdamond thread tid from now on; its context has ntargets targets. */
void hm_damon_col_watch(struct hm_damon_col *c, pid_t tid, uint32_t ntargets);
/* Reads the ring buffer for up to timeout_ms: 1 when c->done holds a new aggregation
 * (take it with _take), 0 when not yet, or a negative errno. */
int hm_damon_col_poll(struct hm_damon_col *c, int timeout_ms);
void hm_damon_col_take(struct hm_damon_col *c);
/* Records the BPF side could not send (ring buffer full), and program runs missed. */
uint64_t hm_damon_col_lost(const struct hm_damon_col *c);
void hm_damon_col_close(struct hm_damon_col *c);

/* ---- DAMON sysfs (heatmap_damon_sysfs.c) ---- */

struct hm_damon_range {
	uint64_t start, end;
};

/* A kdamond as its sysfs files describe it. */
struct hm_damon_info {
	int idx;
	bool on;
	pid_t pid;
	char ops[16];                /* operations of context 0, "" without context */
	char avail[64];              /* avail_operations, "" without context */
	uint64_t sample_us, aggr_us;
	uint32_t ntargets;
	struct hm_damon_range *ranges; /* regions of every target as configured */
	int nranges;
};

/* 0 and the number of kdamonds in *nr; -ENOENT (no DAMON sysfs) or -EPERM with why. */
int hm_damon_sysfs_nr(int *nr, char *why, size_t size);
/* Fills info from kdamonds/idx (reads only; EBUSY retried for a while). 0 or -errno
 * (-EBUSY: DAMON's sysfs stayed busy, whether it runs is unknown). */
int hm_damon_info_read(int idx, struct hm_damon_info *info);
void hm_damon_info_free(struct hm_damon_info *info);

struct hm_damon_cfg {
	const char *ops;              /* "vaddr" or "paddr" */
	pid_t pid_target;             /* vaddr */
	uint64_t sample_us, aggr_us, update_us;
	uint32_t min_nr_regions, max_nr_regions;
	const struct hm_damon_range *ranges; /* paddr: the initial regions */
	int nranges;
};

/* Our kdamond: the one we created (nr_kdamonds was 0), and its pid once started. */
struct hm_damon_kd {
	int idx;              /* -1: none set up */
	bool created;         /* we wrote nr_kdamonds 1: we write it back to 0 */
	bool started;
	pid_t pid;            /* the kdamond thread we started: ours while kdamonds/idx/pid says so */
	int restore_errors;
};

/*
 * Creates (only when nr_kdamonds is 0) and starts a kdamond of ours with cfg;
 * callers hold HM_LOCK_DIR/damon.lock. 0; -EBUSY when kdamonds exist (not ours);
 * -EOPNOTSUPP when cfg->ops is not in avail_operations; other -errno; why filled.
 * On failure everything written is undone.
 */
int hm_damon_kd_start(struct hm_damon_kd *kd, const struct hm_damon_cfg *cfg, char *why,
		      size_t size);
/* Replaces the regions of target 0 of the running kdamond (paddr) and commits. */
int hm_damon_kd_commit_ranges(struct hm_damon_kd *kd, const struct hm_damon_range *r, int n,
			      char *why, size_t size);
/* Still running? (a vaddr kdamond stops by itself when its target exits) */
bool hm_damon_kd_running(const struct hm_damon_kd *kd);
/* Stops it (only while its pid is the one we started) and removes it (only when it
 * is still the sole kdamond, stopped). Safe to call twice. */
void hm_damon_kd_stop(struct hm_damon_kd *kd);

/* ---- damon-paddr: the target's pages by physical address (heatmap_damon_paddr.c) ---- */

struct hm_pa_pages {
	uint64_t *va, *pa; /* present pages, sorted by va; pa = pfn * page size */
	size_t n, cap;
	uint64_t page;
};

/* Reads the present pages of the mappings roi selects. 0, -ESRCH, -EPERM, -ENOMEM. */
int hm_pa_pages_read(pid_t pid, const struct hm_roi *roi, int *pagemap_fd,
		     struct hm_pa_pages *p);
void hm_pa_pages_free(struct hm_pa_pages *p);
/* The physical ranges backing p, as runs of contiguous pages, with the smallest gaps
 * merged away until at most max remain. Sorted. *out is malloc'ed. */
int hm_pa_ranges(const struct hm_pa_pages *p, int max, struct hm_damon_range **out, int *n);
/* How many of p's pages lie in the sorted, disjoint ranges r[0..n). */
size_t hm_pa_covered(const struct hm_pa_pages *p, const struct hm_damon_range *r, int n);
/*
 * Pushes to f, for every page of p inside a region of a (physical addresses), a
 * page-sized region with that region's nr_accesses / samples. Returns the number of
 * pages placed, or -ENOMEM.
 */
long hm_pa_translate(const struct hm_pa_pages *p, const struct hm_damon_aggr *a,
		     uint32_t samples, struct hm_frame *f);

#endif
