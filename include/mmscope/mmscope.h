/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libmmscope: the public interface.
 *
 * The library reads the kernel's memory-management state into plain C structs and
 * computes what the kernel computes from it (fragmentation indices, watermark
 * verdicts). It never prints and never exits: functions return 0 or a negative errno,
 * and parse failures also fill a struct mms_error with the file, the line and why,
 * so the caller decides what the user sees.
 *
 * Every reader comes in two layers: a pure parser from text to struct
 * (mms_parse_*(), what the unit tests and fuzzers drive) and a reader that takes a
 * struct mms_host (which says where procfs and sysfs live: "/" or a --root tree).
 */
#ifndef MMSCOPE_MMSCOPE_H
#define MMSCOPE_MMSCOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ---------------------------------------------------------------- */

/* Where and why a read or parse failed. line is 1-based, 0 when not about a line. */
struct mms_error {
	char file[256];
	int line;
	char msg[200];
};

/* ---- where the kernel's files are ------------------------------------------ */

struct mms_host {
	char root[4096]; /* "" for the live system, else a directory holding proc/ and sys/ */
};

/* Fills host for root (NULL or "" = the live system). Returns -ENAMETOOLONG or 0. */
int mms_host_init(struct mms_host *host, const char *root);
/* True when host reads the live system (BPF and probes that act are allowed). */
bool mms_host_is_live(const struct mms_host *host);
/* Writes root + path into buf. Returns 0 or -ENAMETOOLONG. */
int mms_host_path(const struct mms_host *host, const char *path, char *buf, size_t size);
/*
 * Reads a whole file into a NUL-terminated malloc'd buffer (*text, *len).
 * Returns 0, or a negative errno with err filled (err->file = path under root).
 * Files larger than 64 MiB are refused with -EFBIG.
 */
int mms_host_read(const struct mms_host *host, const char *path, char **text, size_t *len,
		  struct mms_error *err);

/* ---- /proc/buddyinfo -------------------------------------------------------- */

#define MMS_ORDERS_MAX 16  /* NR_PAGE_ORDERS is 11 on x86_64; some arm64 configs use 14 */
#define MMS_ZONES_MAX 256  /* node x zone lines we accept */
#define MMS_ZONE_NAME_MAX 16
#define MMS_MIGRATETYPES_MAX 8

struct mms_buddy_zone {
	int node;
	char zone[MMS_ZONE_NAME_MAX];
	uint64_t free_blocks[MMS_ORDERS_MAX]; /* free_area[order].nr_free */
};

struct mms_buddyinfo {
	int nr_orders; /* the same on every line, or the parse fails */
	int nr_zones;
	struct mms_buddy_zone zones[MMS_ZONES_MAX];
};

int mms_parse_buddyinfo(const char *text, size_t len, struct mms_buddyinfo *out,
			struct mms_error *err);

/* ---- /proc/pagetypeinfo (root only) ---------------------------------------- */

struct mms_pagetype_zone {
	int node;
	char zone[MMS_ZONE_NAME_MAX];
	/* Free blocks on each migrate type's list per order; capped[t][o] when the kernel
	 * stopped counting at 100000 and printed ">100000". */
	uint64_t free_blocks[MMS_MIGRATETYPES_MAX][MMS_ORDERS_MAX];
	bool capped[MMS_MIGRATETYPES_MAX][MMS_ORDERS_MAX];
	bool have_pageblocks;
	uint64_t pageblocks[MMS_MIGRATETYPES_MAX]; /* pageblocks per migrate type */
};

struct mms_pagetypeinfo {
	int pageblock_order;
	uint64_t pages_per_block;
	int nr_orders;
	int nr_types;
	char types[MMS_MIGRATETYPES_MAX][MMS_ZONE_NAME_MAX]; /* "Unmovable", "Movable", ... */
	int nr_zones;
	struct mms_pagetype_zone zones[MMS_ZONES_MAX];
};

int mms_parse_pagetypeinfo(const char *text, size_t len, struct mms_pagetypeinfo *out,
			   struct mms_error *err);

/* ---- /proc/zoneinfo --------------------------------------------------------- */

struct mms_zoneinfo_zone {
	int node;
	char zone[MMS_ZONE_NAME_MAX];
	bool populated; /* managed > 0 */
	bool has_promo; /* "promo" line present (6.x with memory tiering) */
	/* All in pages, as the kernel prints them. */
	uint64_t free, boost, min, low, high, promo, spanned, present, managed;
};

struct mms_zoneinfo {
	int nr_zones;
	struct mms_zoneinfo_zone zones[MMS_ZONES_MAX];
};

int mms_parse_zoneinfo(const char *text, size_t len, struct mms_zoneinfo *out,
		       struct mms_error *err);
/* The zone called (node, name), or NULL. */
const struct mms_zoneinfo_zone *mms_zoneinfo_find(const struct mms_zoneinfo *zi, int node,
						  const char *zone);

/* ---- "name value" files: /proc/vmstat, /proc/meminfo ------------------------ */

#define MMS_KV_MAX 512
#define MMS_KV_NAME_MAX 48

struct mms_kv {
	char name[MMS_KV_NAME_MAX];
	uint64_t value;
};

struct mms_kvset {
	int nr;
	struct mms_kv items[MMS_KV_MAX];
};

/* /proc/vmstat: "name value" per line. */
int mms_parse_vmstat(const char *text, size_t len, struct mms_kvset *out, struct mms_error *err);
/* /proc/meminfo: "Name:   value kB"; values are converted to bytes ("kB" lines). */
int mms_parse_meminfo(const char *text, size_t len, struct mms_kvset *out,
		      struct mms_error *err);
/*
 * /proc/PID/smaps_rollup: a header line ("... [rollup]") then "Name: value kB" lines,
 * converted to bytes like meminfo.
 */
int mms_parse_smaps_rollup(const char *text, size_t len, struct mms_kvset *out,
			   struct mms_error *err);
/* Looks name up; returns true and sets *value when present. */
bool mms_kv_get(const struct mms_kvset *set, const char *name, uint64_t *value);

/* ---- PSI: /proc/pressure/memory, memory.pressure ---------------------------- */

struct mms_psi_line {
	double avg10, avg60, avg300; /* percent of wall time */
	uint64_t total_us;
};

struct mms_psi {
	bool has_full;
	struct mms_psi_line some, full;
};

int mms_parse_psi(const char *text, size_t len, struct mms_psi *out, struct mms_error *err);

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

/* ---- transparent huge pages ------------------------------------------------- */

#define MMS_THP_SIZES_MAX 16

/* One per-size (mTHP) directory: hugepages-<size>kB. */
struct mms_thp_size {
	uint64_t size_kb;
	char enabled[16];       /* "" when the size has no anon "enabled" file (8 kB) */
	char shmem_enabled[16]; /* "" when absent */
	uint64_t anon_fault_alloc, anon_fault_fallback, nr_anon;
	bool has_stats;         /* stats/anon_fault_alloc exists (not for 8 kB) */
};

struct mms_thp_settings {
	bool present;              /* /sys/kernel/mm/transparent_hugepage exists */
	char enabled[16];          /* the bracketed choice: always, madvise, never */
	char defrag[16];
	char shmem_enabled[16];    /* "" when absent */
	bool has_khugepaged_defrag;
	uint64_t khugepaged_defrag, max_ptes_none, pages_to_scan, scan_sleep_ms, pages_collapsed,
		full_scans;
	uint64_t hpage_pmd_size;
	int nr_sizes;
	struct mms_thp_size sizes[MMS_THP_SIZES_MAX]; /* smallest first */
	/* Knobs added later; which knobs were present is in have_knobs. */
	uint64_t max_ptes_swap, max_ptes_shared, alloc_sleep_ms, use_zero_page, shrink_underused;
	uint32_t have_knobs; /* bit i: knob i (mms_thp_knob_path(i)) was present */
};

/*
 * "always [madvise] never" -> "madvise". Returns 0, -EINVAL (not exactly one
 * [bracketed] word of letters, digits, '+', '_' or '-') or -ENAMETOOLONG.
 */
int mms_parse_sysfs_choice(const char *text, char *out, size_t size);
/*
 * Reads the global knobs, khugepaged's and every hugepages-<N>kB directory. Without
 * the directory (no CONFIG_TRANSPARENT_HUGEPAGE) returns 0 with present false.
 * Optional files may be absent; a present file that does not parse is -EINVAL (or
 * -ERANGE) with err naming it.
 */
int mms_thp_read(const struct mms_host *host, struct mms_thp_settings *out,
		 struct mms_error *err);

/* The numeric knobs, by path under transparent_hugepage/ ("khugepaged/max_ptes_none"). */
int mms_thp_knob_count(void);
const char *mms_thp_knob_path(int idx);
/* The knob's value; false when idx is out of range or the kernel has no such file. */
bool mms_thp_knob_get(const struct mms_thp_settings *s, int idx, uint64_t *value);
/* A size's anon policy with "inherit" resolved to the global one ("" without a file). */
const char *mms_thp_size_policy(const struct mms_thp_settings *s, const struct mms_thp_size *z);
/*
 * HPAGE_PMD_NR, base pages per PMD huge page, from hpage_pmd_size alone (a PMD table
 * of 8-byte entries fills one page, so hpage_pmd_size = page_size^2 / 8): 512 for
 * 2 MiB with 4 KiB pages, 8192 for 512 MiB with 64 KiB pages. 512 when unknown.
 */
uint64_t mms_thp_pmd_nr(const struct mms_thp_settings *s);

/* One reading of everything that moves: THP settings and per-size stats, /proc/vmstat. */
struct mms_thp_sample {
	struct mms_thp_settings settings;
	struct mms_kvset vmstat;
};

/* mms_thp_read() then /proc/vmstat (not read when !settings.present). */
int mms_thp_sample_read(const struct mms_host *host, struct mms_thp_sample *out,
			struct mms_error *err);

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

/*
 * Rate of a counter that went from start to end in window_s seconds. False (no rate)
 * when window_s <= 0 or end < start: an event counter never goes back, so a smaller
 * value is a reset or another boot, not a negative rate.
 */
bool mms_counter_rate(uint64_t start, uint64_t end, double window_s, double *rate);
/* The window from start (NULL: one sample, no rates) to end. Pure; cannot fail. */
void mms_thp_window_compute(const struct mms_thp_sample *start, const struct mms_thp_sample *end,
			    double window_s, struct mms_thp_window *out);
/* The counter called name, or NULL. */
const struct mms_thp_counter *mms_thp_counter_find(const struct mms_thp_window *w,
						   const char *name);

/* Advice in plain words, each with the figure behind it (rules in thp_advice.c). */
enum mms_thp_severity { MMS_THP_INFO, MMS_THP_WARNING };

struct mms_thp_advice {
	const char *id; /* stable key: "thp_enabled_always", "compact_stall_rate", ... */
	enum mms_thp_severity severity;
	double figure;    /* the number the text is about */
	const char *unit; /* of figure: "bytes", "percent", "per_s", "count" */
	char text[384];
};

#define MMS_THP_ADVICE_MAX 16

/* Judges settings and window; writes up to max pieces of advice, warnings first. Pure. */
int mms_thp_advise(const struct mms_thp_settings *s, const struct mms_thp_window *w,
		   struct mms_thp_advice *out, int max);
const char *mms_thp_severity_name(enum mms_thp_severity sev);

/* Per-process huge pages, from /proc/PID/smaps_rollup (parser: mms_parse_smaps_rollup). */

struct mms_thp_proc {
	int pid;
	char comm[64]; /* non-printable bytes replaced by '?' */
	uint64_t anon_huge_bytes, anon_bytes, rss_bytes;
};

/* What a scan of every process saw besides the ones it lists. */
struct mms_thp_scan {
	int scanned;    /* smaps_rollup read and parsed */
	int with_thp;   /* of those, AnonHugePages > 0 (listed up to max) */
	int vanished;   /* exited between listing and reading */
	int denied;     /* EACCES/EPERM: another user's process without privilege */
	int no_mm;      /* kernel threads and exiting processes (ESRCH): no user memory */
};

/*
 * One process. Returns 0; -ENOENT when it does not exist (err names the file);
 * -ESRCH when it has no user memory (kernel thread, zombie); -EACCES; -EINVAL/-ERANGE
 * for a smaps_rollup that does not parse or lacks AnonHugePages.
 */
int mms_thp_proc_read(const struct mms_host *host, int pid, struct mms_thp_proc *out,
		      struct mms_error *err);
/*
 * Every process under /proc: the max with the most AnonHugePages (> 0 only; ties by
 * pid), largest first, into out. Vanished and denied processes are counted in scan,
 * not fatal. Returns the number listed, or a negative errno with err filled.
 */
int mms_thp_procs_scan(const struct mms_host *host, struct mms_thp_proc *out, int max,
		       struct mms_thp_scan *scan, struct mms_error *err);

/* ---- the health report's findings ------------------------------------------ */

enum mms_severity { MMS_INFO, MMS_WARNING, MMS_CRITICAL };

/* One finding in plain words, with the figure behind it. */
struct mms_finding {
	const char *id;         /* stable key: "direct_reclaim", "zone_fragmented", ... */
	enum mms_severity severity;
	double figure;          /* the number the text is about */
	const char *unit;       /* of figure: "per_s", "percent", "bytes", "index", "count" */
	char text[320];
};

#define MMS_FINDINGS_MAX 32

/* What the report judges: every input is optional except meminfo and vmstat_end. */
struct mms_report_input {
	const struct mms_kvset *meminfo;
	const struct mms_kvset *vmstat_start; /* NULL: no window, rates not judged */
	const struct mms_kvset *vmstat_end;
	double window_s;
	const struct mms_psi *psi;                 /* NULL without PSI */
	const struct mms_frag_snapshot *frag;      /* NULL when unavailable */
	const struct mms_thp_settings *thp;        /* NULL or !present without THP */
};

/* Per-second rate of a vmstat counter over the window; false if absent or no window. */
bool mms_vmstat_rate(const struct mms_report_input *in, const char *name, double *rate);
/*
 * Judges in and writes up to max findings, worst first. Pure: no I/O. Returns the
 * number written.
 */
int mms_report_findings(const struct mms_report_input *in, struct mms_finding *out, int max);
const char *mms_severity_name(enum mms_severity s);

/* ---- kernel features ------------------------------------------------------- */

enum mms_feature {
	MMS_FEAT_BTF,
	MMS_FEAT_BPF_TRACEPOINT,
	MMS_FEAT_BPF_CGROUP_ITER,
	MMS_FEAT_FENTRY,
	MMS_FEAT_KPROBES,
	MMS_FEAT_MEMCG_KFUNCS,
	MMS_FEAT_ALLOCINFO,
	MMS_FEAT_DAMON,
	MMS_FEAT_DAMON_VADDR,
	MMS_FEAT_DAMON_PADDR,
	MMS_FEAT_PAGE_IDLE,
	MMS_FEAT_MGLRU,         /* built in */
	MMS_FEAT_MGLRU_ENABLED, /* and switched on */
	MMS_FEAT_PSI,
	MMS_FEAT_MEMCG_V1,
	MMS_FEAT_MEMCG_V2,
	MMS_FEAT_TRACEFS,
	MMS_FEAT_DEBUGFS,
	MMS_FEAT_THP,
	MMS_FEAT_PAGETYPEINFO,
	MMS_FEAT_COUNT
};

enum mms_probe_state { MMS_PROBE_UNKNOWN, MMS_PROBE_YES, MMS_PROBE_NO };

struct mms_feature_result {
	enum mms_probe_state state;
	char detail[200]; /* yes: what was found (a path, a version); no: why not */
};

struct mms_features {
	struct mms_host host;
	int verbose; /* pass libbpf messages to stderr */
	struct mms_feature_result r[MMS_FEAT_COUNT];
};

/* The JSON key of a feature ("memcg_kfuncs"). */
const char *mms_feature_name(enum mms_feature f);
/* Probes f once (by trying) and caches the result. Never fails: "no" has a reason. */
const struct mms_feature_result *mms_feature_probe(struct mms_features *fs, enum mms_feature f);
static inline bool mms_feature_has(struct mms_features *fs, enum mms_feature f)
{
	return mms_feature_probe(fs, f)->state == MMS_PROBE_YES;
}

/*
 * Backend choice: each capability lists its backends best first with the features
 * they need. Choosing takes the first whose needs are all met and keeps why the
 * better ones were skipped.
 */
#define MMS_BACKENDS_MAX 6
struct mms_backend_choice {
	const char *capability;      /* "memcg", "reclaim", ... */
	const char *chosen;          /* NULL when none fits */
	int nr_skipped;
	struct {
		const char *backend;
		char reason[200];
	} skipped[MMS_BACKENDS_MAX];
};

int mms_capability_count(void);
const char *mms_capability_name(int idx);
void mms_backend_choose(struct mms_features *fs, int capability_idx,
			struct mms_backend_choice *out);

#ifdef __cplusplus
}
#endif
#endif /* MMSCOPE_MMSCOPE_H */
