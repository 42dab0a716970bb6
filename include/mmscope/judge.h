/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libmmscope: Judgement on what the readers read: the kernel's fragmentation arithmetic, a
 * snapshot of every zone with its verdict, THP counter windows and advice, and the
 * health report's findings. Pure functions of their input.
 * Part of the public interface; include <mmscope/mmscope.h> for all of it.
 */
#ifndef MMSCOPE_JUDGE_H
#define MMSCOPE_JUDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mmscope/procfs.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- fragmentation math (mm/vmstat.c, exact integer formulas) -------------- */

/* fill_contig_page_info(): what the kernel sums for one zone and one order. */
struct mms_contig_info {
	uint64_t free_pages;           /* sum nr_free[o] << o */
	uint64_t free_blocks_total;    /* sum nr_free[o] */
	uint64_t free_blocks_suitable; /* sum over o >= order of nr_free[o] << (o - order) */
};

/*
 * Fills info for free_blocks[0..nr_orders-1] and order. Returns 0, or -EOVERFLOW
 * when the sums (times 1000, as the indices need) would not fit 64 bits: such a
 * zone cannot exist, so it is bad input rather than a value to wrap.
 */
int mms_contig_info(const uint64_t *free_blocks, int nr_orders, int order,
		    struct mms_contig_info *info);
/* __fragmentation_index(): -1000..1000 (kernel value, x1000). */
int mms_fragmentation_index(const struct mms_contig_info *info, int order, int nr_orders);
/* unusable_free_index(): 0..1000 (x1000). */
int mms_unusable_index(const struct mms_contig_info *info, int order);

/* Indices for every order of one zone. */
struct mms_zone_frag {
	int nr_orders;
	int extfrag_index[MMS_ORDERS_MAX];  /* x1000 */
	int unusable_index[MMS_ORDERS_MAX]; /* x1000 */
	uint64_t free_pages;
};

int mms_zone_frag_compute(const struct mms_buddy_zone *zone, int nr_orders,
			  struct mms_zone_frag *out);

/* A zone's verdict, from its indices and watermarks. */
enum mms_frag_verdict {
	MMS_ZONE_HEALTHY,
	MMS_ZONE_SHORT_OF_MEMORY, /* free pages at or below the high watermark */
	MMS_ZONE_FRAGMENTED,      /* some order fails for fragmentation, not for lack of memory */
};

struct mms_zone_verdict {
	enum mms_frag_verdict verdict;
	int order;            /* MMS_ZONE_FRAGMENTED: lowest order whose index is over threshold */
	int thp_order;        /* the PMD THP order considered (9 on x86_64 with 4 KiB pages) */
	int thp_unusable;     /* unusable index at thp_order, x1000 */
	bool thp_fragmented;  /* extfrag index at thp_order above threshold */
};

/*
 * Judges a zone. threshold is vm.extfrag_threshold (x1000 scale, default 500): an
 * extfrag index above it is where the kernel itself decides compaction is worthwhile,
 * i.e. the allocation fails because free memory is fragmented. zi may be NULL (no
 * zoneinfo): then "short of memory" cannot be told and is not reported.
 */
void mms_zone_judge(const struct mms_zone_frag *frag, const struct mms_zoneinfo_zone *zi,
		    int threshold, int thp_order, struct mms_zone_verdict *out);
const char *mms_frag_verdict_name(enum mms_frag_verdict v);

/* ---- one fragmentation snapshot of every zone --------------------------------- */

/*
 * Everything `mmscope frag` and the report show about zones: buddyinfo (required),
 * zoneinfo (required: watermarks), pagetypeinfo (optional: root only), the kernel's
 * vm.extfrag_threshold and the THP order, with indices and a verdict per zone.
 * Large (pagetypeinfo is ~300 KiB): allocate it.
 */
struct mms_frag_snapshot {
	struct mms_buddyinfo buddy;
	struct mms_zoneinfo zoneinfo;
	bool have_pagetype;
	char pagetype_missing[200]; /* why pagetypeinfo is not there, when it is not */
	struct mms_pagetypeinfo pagetype;
	int extfrag_threshold; /* x1000 scale, as the sysctl */
	bool threshold_default; /* sysctl unreadable: the kernel's default 500 is used */
	int thp_order;
	uint64_t page_size;
	struct mms_zone_frag frag[MMS_ZONES_MAX];       /* parallel to buddy.zones */
	struct mms_zone_verdict verdict[MMS_ZONES_MAX];
	const struct mms_zoneinfo_zone *zi[MMS_ZONES_MAX]; /* NULL if zoneinfo lacks it */
	const struct mms_pagetype_zone *pt[MMS_ZONES_MAX]; /* NULL without pagetypeinfo */
};

/*
 * Reads and computes a snapshot. Returns 0, or a negative errno with err naming the
 * file (and line for bad content). A missing or unreadable pagetypeinfo is not an
 * error: have_pagetype is false and pagetype_missing says why.
 */
int mms_frag_read(const struct mms_host *host, struct mms_frag_snapshot *snap,
		  struct mms_error *err);

/* ---- THP counters over a window, and advice ------------------------------------ */

/* A counter's total in the last sample and its per-second rate over the window. */
struct mms_thp_counter {
	char name[MMS_KV_NAME_MAX];
	uint64_t total;
	bool has_rate; /* false with one sample, or when the counter went backwards */
	double rate;
};

struct mms_thp_size_rate {
	bool has_rate;
	double anon_fault_alloc, anon_fault_fallback; /* per second */
};

/* What one window between two samples shows: counters with rates, huge pages in use. */
struct mms_thp_window {
	double window_s; /* 0 with one sample: totals only */
	int nr_counters;
	struct mms_thp_counter counters[MMS_KV_MAX]; /* thp_* and compact_*, vmstat order */
	struct mms_thp_size_rate sizes[MMS_THP_SIZES_MAX]; /* parallel to settings.sizes */
	/* nr_{anon_transparent,shmem,file}_hugepages x hpage_pmd_size */
	bool has_anon_huge, has_shmem_huge, has_file_huge;
	uint64_t anon_huge_bytes, shmem_huge_bytes, file_huge_bytes;
};

/* The window from start (NULL: one sample, no rates) to end. Pure; cannot fail. */
void mms_thp_window_compute(const struct mms_thp_sample *start, const struct mms_thp_sample *end,
			    double window_s, struct mms_thp_window *out);
/* The counter called name, or NULL. */
const struct mms_thp_counter *mms_thp_counter_find(const struct mms_thp_window *w,
						   const char *name);

/* Advice in plain words, each with the figure behind it (rules in thp_advice.c). */
struct mms_thp_advice {
	const char *id; /* stable key: "thp_enabled_always", "compact_stall_rate", ... */
	enum mms_severity severity;
	double figure;    /* the number the text is about */
	const char *unit; /* of figure: "bytes", "percent", "per_s", "count" */
	char text[384];
};

#define MMS_THP_ADVICE_MAX 16

/* Judges settings and window; writes up to max pieces of advice, warnings first. Pure. */
int mms_thp_advise(const struct mms_thp_settings *s, const struct mms_thp_window *w,
		   struct mms_thp_advice *out, int max);

/* Per-process huge pages, from /proc/PID/smaps_rollup (parser: mms_parse_smaps_rollup). */
/* ---- the health report's findings ------------------------------------------ */

/* One finding in plain words, with the figure behind it. */
struct mms_finding {
	const char *id;         /* stable key: "direct_reclaim", "zone_fragmented", ... */
	enum mms_severity severity;
	double figure;          /* the number the text is about */
	const char *unit;       /* of figure: "per_s", "percent", "bytes", "index", "count" */
	char text[384];
	char next[192];         /* the command to run next ("mmscope reclaim -p 42"); "" none */
};

#define MMS_FINDINGS_MAX 48

/* ---- what the report saw during its window (tracers, cgroups, OOM kills) ---- */

enum mms_stall_kind {
	MMS_STALL_DIRECT_RECLAIM,  /* mm_vmscan_direct_reclaim_begin/end */
	MMS_STALL_MEMCG_RECLAIM,   /* mm_vmscan_memcg_reclaim_begin/end: a cgroup's limit */
	MMS_STALL_COMPACTION,      /* direct compaction of an allocating task */
	MMS_STALL_KINDS
};

/* The stalls of one kind by one process (pid != 0) or one cgroup (pid == 0). */
struct mms_report_stall {
	enum mms_stall_kind kind;
	uint32_t pid;           /* 0: a cgroup's row */
	char comm[16];
	char cgroup[256];       /* the memory cgroup's path ("-" unknown) */
	uint64_t count, total_ns, p50_ns, p99_ns, max_ns;
	/* compaction: the zone and order most of the stalls were for, and failures */
	int node, order;
	char zone[16];
	uint64_t failed;
};

/* One OOM kill in the window (kernel log's oom-kill line, or the counter alone). */
struct mms_report_oom {
	uint32_t pid;           /* victim; 0 unknown */
	char comm[16];
	char cgroup[256];       /* the victim's memory cgroup ("" unknown) */
	char constraint[32];    /* "CONSTRAINT_MEMCG", "CONSTRAINT_NONE", ... ("" unknown) */
};

/*
 * One kernel log message (a /dev/kmsg record's text after the ';', or a dmesg
 * line without its timestamp) about an OOM kill, merged into o: "oom-kill:constraint=
 * ...,task_memcg=/a,task=comm,pid=N,..." fills constraint, cgroup, comm and pid;
 * "... Killed process N (comm) ..." fills pid and comm. Returns 1 for a kill line
 * ("Killed process": one victim), 2 for the oom-kill summary line, 0 otherwise. Pure.
 */
int mms_parse_oom_message(const char *msg, size_t len, struct mms_report_oom *o);

/* One memory cgroup over the window (usage and limit at the end; *_d: deltas). */
struct mms_report_cgroup {
	char path[256];
	uint64_t usage, limit;  /* limit MMS_MEMCG_UNLIMITED: none */
	bool has_refaults, has_events, has_psi;
	uint64_t refaults_d, pgscan_d, pgsteal_d;
	uint64_t high_d, max_d, oom_d, oom_kill_d;
	double psi_some10, psi_full10; /* percent */
	/* Stalled in the window, from memory.pressure's total= at both ends (v2). */
	bool has_psi_window, has_full_window;
	uint64_t psi_some_us, psi_full_us;
	double window_s;        /* between the two reads; 0: the report's window */
};

/* A kernel call site whose allocations grew in the window (/proc/allocinfo). */
struct mms_report_alloc_site {
	char site[192];         /* "file:line func [module]" */
	int64_t growth;         /* bytes, end minus start */
	int64_t bytes;          /* at the end */
};

/* What the window's tracers and readers saw; NULL parts were not collected. */
struct mms_report_window {
	bool traced;            /* the tracers were attached for the window */
	int nr_stalls;          /* processes and cgroups, worst first per kind */
	const struct mms_report_stall *stalls;
	uint64_t kswapd_runs, kswapd_ns;
	uint64_t extfrag_events, extfrag_fragmenting;
	uint64_t oom_kills;     /* in the window, from /proc/vmstat oom_kill */
	int nr_ooms;            /* of which known in detail */
	const struct mms_report_oom *ooms;
	int nr_cgroups;         /* the top cgroups, already ranked */
	const struct mms_report_cgroup *cgroups;
	const struct mms_kvset *meminfo_start; /* NULL: no slab growth rule */
	int nr_alloc_sites;     /* the sites that grew most, largest first */
	const struct mms_report_alloc_site *alloc_sites;
};

/* Memcg reclaim stalls the window's tracers saw in the cgroup at path (0: none). */
uint64_t mms_report_memcg_stalls(const struct mms_report_window *w, const char *path);

/* What the report judges: every input is optional except meminfo and vmstat_end. */
struct mms_report_input {
	const struct mms_kvset *meminfo;
	const struct mms_kvset *vmstat_start; /* NULL: no window, rates not judged */
	const struct mms_kvset *vmstat_end;
	double window_s;
	const struct mms_psi *psi;                 /* NULL without PSI */
	const struct mms_psi *psi_start;           /* PSI at the window's start; NULL: avg10 judged */
	const struct mms_frag_snapshot *frag;      /* NULL when unavailable */
	const struct mms_thp_settings *thp;        /* NULL or !present without THP */
	const struct mms_thp_window *thp_window;   /* THP counters over the window; NULL: none */
	const struct mms_report_window *window;    /* tracers, cgroups, OOMs; NULL: none */
};

/* Per-second rate of a vmstat counter over the window; false if absent or no window. */
bool mms_vmstat_rate(const struct mms_report_input *in, const char *name, double *rate);
/*
 * Judges in and writes up to max findings, worst first. Pure: no I/O. Returns the
 * number written.
 */
int mms_report_findings(const struct mms_report_input *in, struct mms_finding *out, int max);
const char *mms_severity_name(enum mms_severity s);

#ifdef __cplusplus
}
#endif
#endif /* MMSCOPE_JUDGE_H */
