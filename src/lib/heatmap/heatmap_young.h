/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The collector behind the `young` and `mglru` heatmap sources
 * (heatmap_young_col.c): young.bpf.c on ptep/pmdp_test_and_clear_young(), and
 * the pages it reports during one walk the kernel runs in our thread (a write to
 * clear_refs or to lru_gen), merged into a frame's per-page counts.
 */
#ifndef MMS_HEATMAP_YOUNG_H
#define MMS_HEATMAP_YOUNG_H

#include "lib/heatmap/heatmap.h"
#include "lib/trace/tracers.h"

struct young_bpf;

struct hm_young_col {
	struct mms_tracer t;
	struct young_bpf *skel;
	const char *how;          /* "fexit" or "kprobe" */
	uint64_t *cur;            /* this walk's records: address | YOUNG_ACCESSED */
	int ncur, capcur;
	bool unsorted;            /* a record came below the one before it */
	uint64_t *pages, *mpages; /* the frame so far (sorted), and merge room */
	uint32_t *hits, *mhits;
	int n, cap, mcap;
	int err;                  /* -ENOMEM in the ring buffer callback */
};

/* Loads and attaches young.bpf.c for process pid (fexit, else kprobe; only the
 * kprobe way with no_fexit; probe: only to see that it can, small buffers).
 * 0, or -EOPNOTSUPP with both reasons, or -errno. */
int hm_young_col_open(struct hm_young_col *c, pid_t pid, bool no_fexit, bool probe, char *why,
		      size_t size);
/* Watches this thread from now (before the write that makes the kernel walk). */
void hm_young_col_begin(struct hm_young_col *c);
/* The walk is over (the write returned): its records, sorted. 0 or -errno with why. */
int hm_young_col_end(struct hm_young_col *c, char *why, size_t size);
/* Adds the last walk to the frame's counts (a page seen accessed gains one). */
int hm_young_col_merge(struct hm_young_col *c);
/* Records the ring buffer had no room for, and skipped program runs. */
uint64_t hm_young_col_lost(struct hm_young_col *c);
void hm_young_col_close(struct hm_young_col *c);

/* Pure, for the tests: on_record's work on one raw record, and the merge. */
int hm_young_col_add(struct hm_young_col *c, uint64_t record);

#endif
