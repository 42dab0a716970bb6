/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libmmscope: Readers of procfs and sysfs text into plain structs: buddyinfo, pagetypeinfo,
 * zoneinfo, vmstat/meminfo/smaps_rollup, PSI, THP settings and samples, per-process
 * huge pages. Each has a pure parser (mms_parse_*) and a reader that takes a host.
 * Part of the public interface; include <mmscope/mmscope.h> for all of it.
 */
#ifndef MMSCOPE_PROCFS_H
#define MMSCOPE_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mmscope/util.h>

#ifdef __cplusplus
extern "C" {
#endif

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
/*
 * /proc/meminfo: "Name:   value kB"; values are converted to bytes. Every line needs
 * its kB but the HugePages_* counts, which have none: a size without its unit is
 * -EINVAL naming the line, never read as bytes.
 */
int mms_parse_meminfo(const char *text, size_t len, struct mms_kvset *out,
		      struct mms_error *err);
/*
 * /proc/PID/smaps_rollup: a header line ("... [rollup]") then "Name: value kB" lines,
 * converted to bytes like meminfo; every one needs its kB.
 */
int mms_parse_smaps_rollup(const char *text, size_t len, struct mms_kvset *out,
			   struct mms_error *err);
/* Looks name up; returns true and sets *value when present. */
bool mms_kv_get(const struct mms_kvset *set, const char *name, uint64_t *value);

/* ---- single-value sysfs/sysctl files ---------------------------------------- */

/*
 * One unsigned decimal number and its '\n' ("500\n"). Returns 0, or -EINVAL (empty,
 * not a number, more than one, no final newline: a cut file) or -ERANGE, with err
 * naming the line.
 */
int mms_parse_sysfs_u64(const char *text, size_t len, uint64_t *out, struct mms_error *err);
/* /proc/sys/vm/extfrag_threshold: a number 0..1000 (else -ERANGE), as the sysctl allows. */
int mms_parse_extfrag_threshold(const char *text, size_t len, int *out, struct mms_error *err);

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
/* The index of the knob at path, or -1. */
int mms_thp_knob_find(const char *path);
/*
 * The text of knob idx (mms_parse_sysfs_u64()) and its value checked against what
 * the kernel can print there: hpage_pmd_size a power of two of at least page_size,
 * the 0/1 flags 0 or 1, khugepaged's unsigned ints at most UINT_MAX (pages_to_scan
 * at least 1). -EINVAL/-ERANGE with err naming the line; -EINVAL for a bad idx.
 */
int mms_thp_knob_parse(int idx, const char *text, size_t len, uint64_t page_size,
		       uint64_t *out, struct mms_error *err);
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

#ifdef __cplusplus
}
#endif
#endif /* MMSCOPE_PROCFS_H */
