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

/* How much a finding or piece of advice matters (report findings, THP advice). */
enum mms_severity { MMS_INFO, MMS_WARNING, MMS_CRITICAL };

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
 * "always [madvise] never" -> "madvise". Returns 0, -EINVAL (not printable words of
 * which exactly one is "[word]", or any other bracket) or -ENAMETOOLONG.
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

/* One finding in plain words, with the figure behind it. */
struct mms_finding {
	const char *id;         /* stable key: "direct_reclaim", "zone_fragmented", ... */
	enum mms_severity severity;
	double figure;          /* the number the text is about */
	const char *unit;       /* of figure: "per_s", "percent", "bytes", "index", "count" */
	char text[384];
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
	const struct mms_thp_window *thp_window;   /* THP counters over the window; NULL: none */
};

/* Per-second rate of a vmstat counter over the window; false if absent or no window. */
bool mms_vmstat_rate(const struct mms_report_input *in, const char *name, double *rate);
/*
 * Judges in and writes up to max findings, worst first. Pure: no I/O. Returns the
 * number written.
 */
int mms_report_findings(const struct mms_report_input *in, struct mms_finding *out, int max);
const char *mms_severity_name(enum mms_severity s);

/* ---- latency statistics for the tracing commands --------------------------- */

#define MMS_HIST_SLOTS 64

/*
 * A log2 histogram, as bcc/libbpf-tools print them: slot 0 counts the value 0,
 * slot i >= 1 counts [2^(i-1), 2^i - 1]. Also keeps count, sum, min and max.
 */
struct mms_hist {
	uint64_t slots[MMS_HIST_SLOTS];
	uint64_t count, sum, min, max;
};

int mms_hist_slot(uint64_t value);
/* The values slot holds: [*low, *high]. */
void mms_hist_slot_range(int slot, uint64_t *low, uint64_t *high);
void mms_hist_add(struct mms_hist *h, uint64_t value);
void mms_hist_merge(struct mms_hist *into, const struct mms_hist *from);
/* One past the highest slot in use; 0 when empty. */
int mms_hist_used(const struct mms_hist *h);

/* Nearest-rank percentile p (0 < p <= 100) of n sorted values; 0 when n is 0. */
uint64_t mms_percentile_sorted(const uint64_t *sorted, size_t n, double p);

#define MMS_LAT_SAMPLES_MAX 65536

/*
 * Latencies of one group (a process, a cgroup): the histogram plus the values
 * themselves for exact percentiles. Past MMS_LAT_SAMPLES_MAX values a uniform
 * reservoir of that many is kept (percentiles become estimates; max stays exact).
 * Zero-initialise; release with mms_lat_free().
 */
struct mms_lat {
	struct mms_hist hist;
	uint64_t *samples;
	size_t nr_samples, cap;
	uint64_t rng;
};

/* Returns 0, or -ENOMEM (the histogram still counted the value). */
int mms_lat_add(struct mms_lat *l, uint64_t value);
/*
 * The n percentiles ps[] (0..100] of what was added, into out[]. Sorts the
 * samples in place (their order carries no meaning). Cannot fail.
 */
void mms_lat_percentiles(struct mms_lat *l, const double *ps, int n, uint64_t *out);
void mms_lat_free(struct mms_lat *l);

/* ---- gfp flags, named as the kernel's trace output names them ---------------- */

enum mms_gfp_flag {
	MMS_GFP_DMA, MMS_GFP_HIGHMEM, MMS_GFP_DMA32, MMS_GFP_MOVABLE, MMS_GFP_RECLAIMABLE,
	MMS_GFP_HIGH, MMS_GFP_IO, MMS_GFP_FS, MMS_GFP_ZERO, MMS_GFP_ATOMIC,
	MMS_GFP_DIRECT_RECLAIM, MMS_GFP_KSWAPD_RECLAIM, MMS_GFP_WRITE, MMS_GFP_NOWARN,
	MMS_GFP_RETRY_MAYFAIL, MMS_GFP_NOFAIL, MMS_GFP_NORETRY, MMS_GFP_MEMALLOC, MMS_GFP_COMP,
	MMS_GFP_NOMEMALLOC, MMS_GFP_HARDWALL, MMS_GFP_THISNODE, MMS_GFP_ACCOUNT,
	MMS_GFP_ZEROTAGS, MMS_GFP_NO_OBJ_EXT, MMS_GFP_SKIP_ZERO, MMS_GFP_SKIP_KASAN,
	MMS_GFP_NOLOCKDEP,
	MMS_GFP_NR
};

/*
 * Which bit each flag has on one kernel (-1: the kernel has no such flag). The
 * bits moved across versions (__GFP_ATOMIC went in 6.4, config options insert
 * bits), so they are read from the kernel's BTF enum ___GFP_*_BIT where it has one.
 */
struct mms_gfp_layout {
	int bit[MMS_GFP_NR];
	bool nowait_nowarn; /* GFP_NOWAIT includes __GFP_NOWARN (kernels with the BTF enum) */
	bool from_btf;
};

/* The layout of kernels without the BTF enum (6.1's, with __GFP_ATOMIC at bit 9). */
void mms_gfp_layout_legacy(struct mms_gfp_layout *l);
/* Sets a flag's bit by its kernel name without underscores ("DIRECT_RECLAIM"); -ENOENT if unknown. */
int mms_gfp_layout_set(struct mms_gfp_layout *l, const char *name, int bit);
/* From the running kernel's BTF, else the legacy layout. Cannot fail. */
void mms_gfp_layout_read(struct mms_gfp_layout *l);
/*
 * Names gfp as the kernel's __print_flags does: composites first (GFP_KERNEL...),
 * then single flags, "|"-joined, leftover bits in hex; "none" for 0. Returns the
 * length it needed (like snprintf); truncates to size.
 */
int mms_gfp_format(const struct mms_gfp_layout *l, uint64_t gfp, char *buf, size_t size);

/* ---- cgroup ids to paths ------------------------------------------------------ */

#define MMS_CGROUP_MOUNTS_MAX 32

struct mms_cgroup_mounts {
	int nr;
	struct {
		char path[512];
		int version;  /* 1 or 2 */
		bool memory;  /* a v1 hierarchy with the memory controller */
	} m[MMS_CGROUP_MOUNTS_MAX];
	int memory_idx;       /* the hierarchy holding memory cgroups: v1 memory, else cgroup2; -1 */
};

/* Parses /proc/self/mounts text for cgroup and cgroup2 mounts. Returns 0 or -EINVAL. */
int mms_parse_cgroup_mounts(const char *text, size_t len, struct mms_cgroup_mounts *out,
			    struct mms_error *err);

/*
 * A cgroup id is the kernfs id of the cgroup's directory, which is its inode
 * number in the hierarchy's mount (64-bit kernels): a resolver walks the mount
 * once, remembers id -> path, and walks again when asked an id it does not know
 * (at most once a second, so a vanished cgroup does not cost a walk per event).
 */
struct mms_cgroup_paths;

/* Over the hierarchy mounted at mount_point. Returns 0, -ENOENT or -ENOMEM. */
int mms_cgroup_paths_open(const char *mount_point, struct mms_cgroup_paths **out);
/* "/" for the root, "/a/b" below it; NULL when id is not (or no longer) there. */
const char *mms_cgroup_paths_lookup(struct mms_cgroup_paths *p, uint64_t id);
void mms_cgroup_paths_close(struct mms_cgroup_paths *p);

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

/* ---- memcg statistics of every cgroup under a root ------------------------- */

/*
 * A reader is opened once for a cgroup directory (a cgroup v1 memory hierarchy
 * directory or a cgroup v2 directory) and a set of statistics, then reads a snapshot
 * of the root and every cgroup below it (or the root alone) as often as wanted into
 * caller-owned arrays. Statistics are named as cgroup v2 spells them ("anon", "file",
 * "pgfault", "usage", "limit", "events_oom_kill", "some_avg10", ...; see
 * mms_memcg_stat_name()); on v1 each maps to its v1 counterpart (rss -> anon,
 * cache -> file, ...; the hierarchical total_* keys, since v2's values are
 * hierarchical). A statistic the kernel cannot provide for a cgroup is absent (its
 * bit in present[] is clear), never 0. Sizes are bytes.
 *
 * Backends, best first: "kfunc" (a sleepable cgroup iterator calling the memcg
 * kfuncs, Linux 7.0+), "core" (a cgroup iterator reading struct mem_cgroup with
 * CO-RE, its vmstats slots verified against the kernel's own text at open), "text"
 * (memory.stat and friends, each file opened once and pread from offset 0).
 * A statistic the chosen BPF backend cannot serve (an unverified slot, PSI) is served
 * by text; mms_memcg_reader_stat_source() says which served each.
 */

enum mms_memcg_backend {
	MMS_MEMCG_AUTO,
	MMS_MEMCG_KFUNC,
	MMS_MEMCG_CORE,
	MMS_MEMCG_TEXT,
};

enum mms_memcg_unit {
	MMS_MEMCG_BYTES,
	MMS_MEMCG_COUNT,       /* events, pages scanned, ...: cumulative unless a gauge */
	MMS_MEMCG_PERCENT_X100, /* PSI averages: 123 = 1.23 % */
	MMS_MEMCG_USEC,        /* PSI totals */
};

#define MMS_MEMCG_STATS_MAX 64
/* A limit of "max" (v2) or PAGE_COUNTER_MAX pages (v1's 9223372036854771712). */
#define MMS_MEMCG_UNLIMITED UINT64_MAX

/* The catalog of statistics, by index. */
int mms_memcg_stat_count(void);
const char *mms_memcg_stat_name(int idx);
/* Catalog index of name (aliases accepted: "oom_kill" = "events_oom_kill"), or -ENOENT. */
int mms_memcg_stat_find(const char *name);
enum mms_memcg_unit mms_memcg_stat_unit(int idx);
/* True for counters that only grow (events, pgfault, PSI totals): deltas and rates mean
 * something; false for gauges (anon, usage, limit, PSI averages). */
bool mms_memcg_stat_cumulative(int idx);

struct mms_memcg_opts {
	size_t sz;                     /* sizeof(struct mms_memcg_opts): MMS_MEMCG_OPTS() */
	const struct mms_host *host;   /* NULL: the live system; BPF backends need it live */
	enum mms_memcg_backend backend;
	const int *stats;              /* catalog indices; NULL: the default dozen */
	int nr_stats;                  /* at most MMS_MEMCG_STATS_MAX */
	bool self_only;                /* the root alone, not its descendants */
	int verbose;                   /* libbpf and verifier messages on stderr */
	struct mms_error *err;         /* optional: why open failed */
};
#define MMS_MEMCG_OPTS(name, ...) \
	struct mms_memcg_opts name = { .sz = sizeof(struct mms_memcg_opts), __VA_ARGS__ }

/* One read's result, in arrays the caller owns (mms_memcg_snapshot_alloc() helps). */
struct mms_memcg_snapshot {
	int max_cgroups;      /* capacity of ids, present, path_off; values holds
			       * max_cgroups * nr_stats */
	size_t paths_size;    /* capacity of paths */
	uint64_t *ids;        /* cgroup ids (the directory's inode number) */
	uint64_t *present;    /* bit i: the reader's stat i is present for this cgroup */
	uint64_t *values;     /* row-major: values[c * nr_stats + i] */
	uint32_t *path_off;   /* the cgroup's path relative to the root ("/", "/a/b"),
			       * at paths + path_off[c] */
	char *paths;
	/* Filled by mms_memcg_reader_read(): */
	int nr_cgroups;
	int needed_cgroups;   /* on -ENOBUFS: the capacity that would have been enough */
	size_t needed_paths;
	uint64_t ts_ns;       /* CLOCK_MONOTONIC when the read started */
};

struct mms_memcg_reader;

/*
 * Opens a reader for root (NULL: the memory controller's mount, v2 if it has the
 * memory controller, else v1). NULL with errno: ENOTDIR/ENOENT (root is not a cgroup
 * directory), ENODEV (no memory controller there), EOPNOTSUPP (the backend asked for
 * cannot work here: err says why), EINVAL (bad options), or another errno.
 */
struct mms_memcg_reader *mms_memcg_reader_open(const char *root,
					       const struct mms_memcg_opts *opts);
/*
 * Reads a snapshot. Cgroups created or removed meanwhile are handled: a cgroup that
 * vanishes mid-read is left out, never reported with stale or another's values.
 * Returns 0, -ENOBUFS (snap too small: needed_* say how large), or a negative errno.
 */
int mms_memcg_reader_read(struct mms_memcg_reader *r, struct mms_memcg_snapshot *snap);
void mms_memcg_reader_close(struct mms_memcg_reader *r);

const char *mms_memcg_reader_backend(const struct mms_memcg_reader *r); /* "core", ... */
const char *mms_memcg_reader_root(const struct mms_memcg_reader *r);
int mms_memcg_reader_version(const struct mms_memcg_reader *r);          /* 1 or 2 */
int mms_memcg_reader_nr_stats(const struct mms_memcg_reader *r);
int mms_memcg_reader_stat(const struct mms_memcg_reader *r, int i);      /* catalog idx */
/* Which backend serves the reader's stat i ("core", "text"), and if text, why. */
const char *mms_memcg_reader_stat_source(const struct mms_memcg_reader *r, int i,
					 const char **why);

/* Allocates arrays for max_cgroups cgroups of r's stats; 0 or -ENOMEM. */
int mms_memcg_snapshot_alloc(struct mms_memcg_snapshot *snap, int max_cgroups, int nr_stats);
void mms_memcg_snapshot_free(struct mms_memcg_snapshot *snap);
static inline const char *mms_memcg_snapshot_path(const struct mms_memcg_snapshot *s, int c)
{
	return s->paths + s->path_off[c];
}

/*
 * The pure parsers behind the text backend, for tests and fuzzers: memory.stat of a
 * cgroup v1 (version 1: total_* keys) or v2 (version 2) hierarchy, and memory.events
 * (v2). For each of stats[0..nr-1] found, sets values[i] (bytes, counts) and bit i of
 * *present; stats the file does not hold are left absent. Returns 0 or -EINVAL/-ERANGE
 * with err naming the line.
 */
int mms_parse_memcg_stat(const char *text, size_t len, int version, const int *stats, int nr,
			 uint64_t *values, uint64_t *present, struct mms_error *err);
int mms_parse_memcg_events(const char *text, size_t len, const int *stats, int nr,
			   uint64_t *values, uint64_t *present, struct mms_error *err);

/* ---- /proc/allocinfo: kernel memory per allocation call site ---------------- */

/*
 * One call site (code tag). The strings point into the text that was parsed and are
 * not NUL-terminated: they live as long as that text. module_len 0 = built-in code.
 */
struct mms_alloc_site {
	int64_t bytes;   /* currently allocated from this site (the kernel prints it signed) */
	uint64_t calls;  /* live allocations */
	uint32_t line;
	bool accurate;   /* false: "accurate:no" (absolute values undercount, deltas exact) */
	uint16_t file_len, func_len, module_len;
	const char *file, *func, *module;
};

enum mms_alloc_accuracy { MMS_ALLOC_ANY, MMS_ALLOC_ACCURATE, MMS_ALLOC_INACCURATE };

/*
 * What a site must match, applied while parsing. file, func and module (NULL: any)
 * match as a substring, or as an fnmatch(3) glob of the whole name when they hold
 * '*', '?' or '['; module "" selects built-in code. Sizes are inclusive, on bytes.
 */
struct mms_alloc_filter {
	const char *file, *func, *module;
	bool has_line, has_min, has_max;
	uint32_t line;
	int64_t min_size, max_size;
	enum mms_alloc_accuracy accuracy;
};

struct mms_allocinfo_info {
	int major, minor;     /* the header's "allocinfo - version: MAJOR.MINOR" */
	uint64_t nr_sites;    /* record lines */
	uint64_t nr_matched;  /* of which matched the filter */
};

/* Called per matching site; a non-zero return stops the parse and is returned. */
typedef int (*mms_alloc_site_fn)(const struct mms_alloc_site *site, void *ctx);

/*
 * Parses /proc/allocinfo text (versions 1.x and 2.x; 2.x lines may end in key:value
 * pairs, "accurate:no" the only one known), calling fn for each site that matches
 * filter (NULL: every site) without allocating. Returns 0, -EINVAL/-ERANGE with err
 * naming the line, or -EOPNOTSUPP for an unknown major version (err says which).
 */
int mms_parse_allocinfo(const char *text, size_t len, const struct mms_alloc_filter *filter,
			mms_alloc_site_fn fn, void *ctx, struct mms_allocinfo_info *info,
			struct mms_error *err);
/* Whether site matches filter (what mms_parse_allocinfo() applies). */
bool mms_alloc_filter_match(const struct mms_alloc_filter *filter,
			    const struct mms_alloc_site *site);

/* A reusable read buffer: grown as needed, never shrunk. Zero-initialise. */
struct mms_text_buf {
	char *text;
	size_t len, cap;
};

/*
 * Reads host's /proc/allocinfo into buf in large reads (the buffer is reused, so a
 * repeated read allocates nothing). Returns 0 or a negative errno with err filled.
 */
int mms_allocinfo_read(const struct mms_host *host, struct mms_text_buf *buf,
		       struct mms_error *err);
void mms_text_buf_free(struct mms_text_buf *buf);

#ifdef __cplusplus
}
#endif
#endif /* MMSCOPE_MMSCOPE_H */
