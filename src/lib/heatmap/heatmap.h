/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Page access heatmaps of one process (`mmscope heatmap`, seed 001).
 *
 * Data flows source -> frame -> views. A source (DAMON vaddr, idle page tracking,
 * DAMON paddr translated back through pagemap, clear_refs + smaps Referenced)
 * samples whether memory was accessed every aging interval and, every aggregation
 * interval, hands over one frame: regions of the target's virtual address space,
 * each with `accesses`, the fraction of the frame's samples in which the region was
 * seen accessed (0..1). Views (TUI, JSON, CSV, PNG, SVG) and summaries only ever
 * see frames, so every source draws the same pictures.
 *
 * The address axis of every view is the target's selected mappings laid end to end
 * with the gaps between them removed (a 47-bit address space is almost all gap),
 * labelled with mapping names; hm_project() does that projection once for all views.
 */
#ifndef MMS_HEATMAP_H
#define MMS_HEATMAP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <mmscope/mmscope.h>

/* ---- mappings: /proc/PID/maps (heatmap_maps.c) ---- */

enum hm_map_kind {
	HM_MAP_ANON,    /* anonymous, no name */
	HM_MAP_HEAP,    /* [heap] */
	HM_MAP_STACK,   /* [stack] */
	HM_MAP_FILE,    /* a file path (also "(deleted)" files, memfd:, /dev/zero ...) */
	HM_MAP_SPECIAL, /* [vdso], [vvar], [vsyscall], other [names]: never monitored */
};

struct hm_mapping {
	uint64_t start, end; /* [start, end), virtual bytes */
	uint64_t offset;     /* file offset */
	char perms[5];       /* "rw-p" */
	enum hm_map_kind kind;
	char name[256];      /* path, "[heap]", "[stack]", or "[anon]" for anonymous */
};

struct hm_maps {
	struct hm_mapping *v;
	int n, cap;
};

/* Parses /proc/PID/maps text (pure; no allocation beyond out). 0, or -EINVAL with err. */
int hm_maps_parse(const char *text, size_t len, struct hm_maps *out, struct mms_error *err);
/* Reads /proc/PID/maps of pid. -ESRCH when the process is gone. */
int hm_maps_read(pid_t pid, struct hm_maps *out, struct mms_error *err);
void hm_maps_free(struct hm_maps *m);

/*
 * The region of interest: --range START-END and --mapping NAME. mapping is NULL
 * (every mapping but the special ones), "heap", "stack", "anon" (anonymous
 * mappings, heap included), or a file name matched as a glob or substring.
 * start == end == 0: the whole address space.
 */
struct hm_roi {
	uint64_t start, end;
	const char *mapping;
};

/* Parses "START-END" (hex with or without 0x, end exclusive, start < end). 0 or -EINVAL. */
int hm_roi_parse_range(const char *s, uint64_t *start, uint64_t *end);
/* Keeps the mappings of in that roi selects, clipped to its range, in address order. */
int hm_roi_select(const struct hm_roi *roi, const struct hm_maps *in, struct hm_maps *out);

/* ---- frames ---- */

struct hm_region {
	uint64_t start, end; /* [start, end), virtual bytes of the target */
	double accesses;     /* fraction of the frame's samples seen accessed, 0..1 */
};

struct hm_frame {
	uint64_t t_ns;       /* end of the frame, ns since the run started */
	uint64_t samples;    /* samples aggregated into this frame (aggregate / aging) */
	struct hm_region *r; /* sorted by start, not overlapping */
	int n, cap;
	struct hm_maps maps; /* the selected mappings when the frame ended (axis labels) */
	/* Set by a source whose regions are coarser than what it knows was accessed
	 * (refs: whole mappings, but smaps counts Referenced bytes): the frame's
	 * working set in bytes. Unset: the bytes of regions with accesses > 0. */
	bool wss_set;
	uint64_t wss_bytes;
};

int hm_frame_push(struct hm_frame *f, uint64_t start, uint64_t end, double accesses);

/* Room for element n of the array *pv of *cap elements (heatmap_grow.c): doubles it,
 * from first elements. 0, or -ENOMEM with the array as it was. */
int hm_grow_(void *pv, int n, int *cap, size_t elem, int first);
#define hm_grow(pv, n, pcap, first) hm_grow_((pv), (n), (pcap), sizeof(**(pv)), (first))
/* Sorts, clips every region to f->maps and merges adjacent regions of equal accesses. */
void hm_frame_finish(struct hm_frame *f);
void hm_frame_reset(struct hm_frame *f); /* empties, keeps buffers */
void hm_frame_free(struct hm_frame *f);
/* The frame's working set: f->wss_bytes when its source set it, else the bytes
 * of f's regions with accesses > 0 (docs/heatmap.md, "Working set"). */
uint64_t hm_frame_wss(const struct hm_frame *f);

/*
 * Page samples -> regions: sources that see single pages (idle, young, damon-paddr) count,
 * per page, in how many of the frame's samples it was accessed, then turn runs of
 * pages into regions with this helper. pages[i] are page-aligned virtual
 * addresses, sorted; hits[i] of samples.
 */
int hm_frame_from_pages(struct hm_frame *f, const uint64_t *pages, const uint32_t *hits, size_t n,
			uint32_t samples, uint64_t page_size);

/*
 * Projection onto n cells for views: the maps laid end to end (gaps removed);
 * [lo, hi) is the window shown, in bytes of that concatenated axis (0 and
 * hm_axis_bytes() for everything). cells[i] = byte-weighted mean accesses of the
 * regions overlapping cell i, or -1 where the frame has no region (not sampled).
 */
uint64_t hm_axis_bytes(const struct hm_maps *maps);
void hm_project(const struct hm_frame *f, const struct hm_maps *axis, uint64_t lo, uint64_t hi,
		int n, float *cells);
/* The mapping shown at axis position pos (for labels), or NULL. */
const struct hm_mapping *hm_axis_mapping(const struct hm_maps *axis, uint64_t pos,
					 uint64_t *map_lo);

/* ---- summaries over a run (heatmap_summary.c) ---- */

struct hm_hot_range {
	uint64_t start, end;
	double accesses; /* mean over the run */
};

struct hm_summary_mapping {
	char name[256];
	uint64_t start, end;
	uint64_t bytes, never_accessed; /* never seen accessed during the run */
};

struct hm_summary {
	uint64_t frames;
	uint64_t wss_min, wss_max, wss_last; /* bytes */
	double wss_mean;
	struct hm_summary_mapping *maps;
	int nmaps;
	struct hm_hot_range hot[10]; /* hottest ranges, hottest first */
	int nhot;
	void *priv; /* accumulation state */
};

void hm_summary_init(struct hm_summary *s);
void hm_summary_add(struct hm_summary *s, const struct hm_frame *f);
/* Computes maps[] and hot[] from what was added. */
void hm_summary_finish(struct hm_summary *s);
void hm_summary_free(struct hm_summary *s);

/* ---- locks between heatmaps (heatmap_lock.c) ---- */

#define HM_LOCK_DIR "/run/mmscope"

struct hm_lock {
	int fd; /* -1: not held */
	char path[160];
};

/*
 * Takes the flock on HM_LOCK_DIR/name (made if needed; the file then holds our
 * "PID COMM"), waiting for it or not. 0; -EWOULDBLOCK when another holds it (holder
 * filled: "pid N, COMM", or "" when it has not said); other -errno (no directory).
 * Released by hm_lock_release(), or by the kernel when we die.
 */
int hm_lock_take(struct hm_lock *l, const char *name, bool wait, char *holder, size_t size);
void hm_lock_release(struct hm_lock *l);
/* The clear_refs lock of pid ("refs-PID-START.lock"): refs and young clear the same
 * bits, so one of them per target. 0 (also without a lock directory: not root);
 * -EBUSY with why naming the holder; -ESRCH. */
int hm_refs_lock(struct hm_lock *l, pid_t pid, char *why, size_t size);
/* The start time of pid (/proc/PID/stat field 22, clock ticks since boot): with the pid,
 * it names one process for good (a recycled pid has another). 0, -ESRCH, -EINVAL. */
int hm_target_start_time(pid_t pid, unsigned long long *start);

/* ---- sources ---- */

struct hm_opts {
	pid_t pid;
	uint64_t aging_us;     /* how often accesses are checked (DAMON sampling interval) */
	uint64_t aggregate_us; /* one frame per aggregate_us (DAMON aggregation interval) */
	struct hm_roi roi;
	const volatile sig_atomic_t *stop; /* set by SIGINT/SIGTERM: next() returns -EINTR */
	bool no_fexit; /* test hook: young acts as if fexit were refused (kprobe way) */
};

struct hm_source;

struct hm_source_ops {
	const char *name; /* "damon-vaddr", "idle", "young", "mglru", "damon-paddr", "refs" */
	/*
	 * Sets the source up for o->pid. 0, or a negative errno with why filled:
	 * -EOPNOTSUPP/-ENOENT when the kernel lacks what it needs (the caller exits 3),
	 * -EPERM when root is needed, -EBUSY when the needed resource is someone
	 * else's (a kdamond not ours). On failure nothing is left behind.
	 */
	int (*open)(struct hm_source **out, const struct hm_opts *o, char *why, size_t size);
	/*
	 * Waits for the next frame and fills f (regions in the target's virtual
	 * addresses; f->maps is filled by the caller). 0; -EINTR when *stop was set;
	 * -ESRCH when the target exited; other negative errno with why.
	 */
	int (*next)(struct hm_source *s, struct hm_frame *f, char *why, size_t size);
	/* One line on how the source runs ("own kdamond 0, pid 812, 5 ms / 100 ms"), or NULL. */
	const char *(*describe)(struct hm_source *s);
	/* Undoes everything open did (kdamonds stopped, sysfs restored, links destroyed). */
	void (*close)(struct hm_source *s);
	/* Optional (NULL: the source cannot lose anything): records lost so far (ring
	 * buffer full), shown by every view so a loss is never silent. */
	uint64_t (*lost)(struct hm_source *s);
};

extern const struct hm_source_ops hm_src_damon_vaddr;
extern const struct hm_source_ops hm_src_idle;
extern const struct hm_source_ops hm_src_damon_paddr;
extern const struct hm_source_ops hm_src_refs;
extern const struct hm_source_ops hm_src_young;
/* Whether young's BPF program loads and attaches here (fexit, else kprobe): the
 * backend table's probe. 0 or -EOPNOTSUPP with why. */
int hm_young_probe(struct mms_features *fs, char *why, size_t size);
extern const struct hm_source_ops hm_src_mglru;

/* ---- debugfs lru_gen (heatmap_mglru.c) ---- */

#define HM_LRU_GEN_NODES 64
/* One memcg's part of /sys/kernel/debug/lru_gen: its id and, per node, the
 * youngest generation (max_seq), which an aging command must name. */
struct hm_lru_gen {
	int memcg_id;
	int nnodes;
	int node[HM_LRU_GEN_NODES];
	uint64_t max_seq[HM_LRU_GEN_NODES];
};
/* Finds the memcg whose path is path ("/" is also the root's empty path) in
 * lru_gen text. 0; -ENOENT (absent, or no node); -EINVAL (bad line). Pure. */
int hm_lru_gen_parse(const char *text, size_t len, const char *path, struct hm_lru_gen *out);

/* Best first (damon-vaddr, idle, young, mglru, damon-paddr, refs): the "heatmap" backend table,
 * mms_heatmap_backends[] (heatmap_sources.c), whose ops are these. */

/* Defaults (the seed's two intervals; damo's defaults are 5 ms / 100 ms). */
#define HM_DEFAULT_AGING_US 100000ULL       /* 100 ms */
#define HM_DEFAULT_AGGREGATE_US 1000000ULL  /* 1 s */

/* ---- sampling clock for the sources that sample themselves (heatmap_clock.c) ---- */

/* Sleeps until monotonic time t_ns (mms_monotonic_ns()) in short steps; -EINTR as soon as *o->stop is set. */
int hm_sleep_until(const struct hm_opts *o, uint64_t t_ns);

/* The clock itself: the first member of such a source's struct hm_source. */
struct hm_clock {
	const struct hm_opts *o; /* the source's options, intervals defaulted */
	uint32_t per_frame;      /* samples per frame */
	uint64_t t0_ns, next_ns; /* the first sample; the last one's due time */
	char desc[160];          /* the source's describe() */
};

/* Defaults o's intervals (HM_DEFAULT_*) and counts the samples per frame. */
void hm_clock_init(struct hm_clock *k, struct hm_opts *o);
/* The first sample is taken: frames count from now; desc = "WHAT, A ms aging / F ms frames". */
void hm_clock_start(struct hm_clock *k, const char *what);
/* One frame's samples, each when due: sample(s) per_frame times. 0, or the first error
 * (-EINTR when stopped). */
int hm_clock_frame(struct hm_clock *k, struct hm_source *s,
		   int (*sample)(struct hm_source *s, char *why, size_t size), char *why,
		   size_t size);
/* The frame's samples and end time (since the clock started). */
void hm_clock_stamp(const struct hm_clock *k, struct hm_frame *f);
/* describe() of a source whose struct hm_source starts with its struct hm_clock. */
const char *hm_clock_describe(struct hm_source *s);

/* ---- page frame numbers: /proc/PID/pagemap (heatmap_pagemap.c) ---- */

#define HM_PFN_NONE UINT64_MAX
/*
 * PFNs backing [start, end) of pid, one per page (HM_PFN_NONE where not present or
 * swapped). Needs root (PFNs read as 0 otherwise: -EPERM). pfd caches the open
 * pagemap fd (-1 to open).
 */
int hm_pagemap_pfns(pid_t pid, int *pfd, uint64_t start, uint64_t end, uint64_t *pfns);

#endif
