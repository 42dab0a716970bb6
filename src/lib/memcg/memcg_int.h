/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Inside the memcg reader: the statistics catalog (what each name is in v1 and v2
 * text, which kernel item it is, its unit), the cgroup table every backend shares
 * (id -> path and cached file descriptors, so churn is handled in one place) and the
 * backend operations (memcg_reader.h).
 *
 * Dependency order of src/lib/memcg (each file uses only those before it; no cycle):
 * memcg_catalog.c (this header) <- memcg_zero.c, memcg_table.c, memcg_probe.c <-
 * memcg_text.c, memcg_iter.c <- memcg_kfunc.c, memcg_core.c <- memcg_backends.c <-
 * memcg.c.
 * memcg_reader.h says what each holds.
 */
#ifndef MMS_MEMCG_INT_H
#define MMS_MEMCG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mmscope/mmscope.h>
#include "bpf/memcg.h"

/* Where the text backend finds a statistic. */
enum memcg_text_src {
	MTS_STAT,    /* memory.stat: v2 key = name, v1 key = "total_" + v1 */
	MTS_EVENTS,  /* v2 memory.events key (name without "events_"); v1: oom_control */
	MTS_USAGE,   /* v2 memory.current, v1 memory.usage_in_bytes */
	MTS_LIMIT,   /* v2 memory.max, v1 memory.limit_in_bytes */
	MTS_HIGH,    /* v2 memory.high */
	MTS_SWAP,    /* v2 memory.swap.current, v1 memory.stat total_swap */
	MTS_PSI,     /* v2 memory.pressure */
};

struct memcg_stat_def {
	const char *name;     /* the API name, as cgroup v2 spells it */
	const char *v1;       /* v1 memory.stat key without total_ (NULL: none) */
	uint8_t src;          /* enum memcg_text_src */
	uint8_t unit;         /* enum mms_memcg_unit */
	bool cumulative;
	/* text value = raw vmstats value x raw_unit (0: the page size) */
	uint16_t raw_unit;
	/* The kernel items it is the sum of (MI_NR ends; kfunc backend and docs). */
	uint8_t items[MEMCG_SUM_MAX];
	/* memory.stat keys of the parts, for sums the core backend verifies part by part */
	const char *parts[MEMCG_SUM_MAX];
};

extern const struct memcg_stat_def memcg_stats[];
extern const int memcg_nr_stats;
extern const char *const memcg_item_names[MI_NR];

/* Files the text backend reads, one descriptor each per cgroup. */
enum memcg_file { MF_STAT, MF_EVENTS, MF_USAGE, MF_LIMIT, MF_HIGH, MF_SWAP, MF_PSI,
		  MF_OOM_CONTROL, MF_NR };

/* The file a stat is in for a hierarchy version, or -1 when that version has none. */
int memcg_stat_file(int stat, int version);
const char *memcg_file_name(int file, int version);
/*
 * Parses one file's text for the wanted stats (catalog indices stats[0..nr-1]) into
 * values/present. Single-value files ("123\n", "max\n") and PSI included.
 */
int memcg_parse_file(int file, int version, const char *text, size_t len, const int *stats,
		     int nr, uint64_t *values, uint64_t *present, struct mms_error *err);

/*
 * memcg_zero.c, the root-total rule: whether a statistic is 0 in every cgroup when its
 * hierarchical value at the reader's root is 0 (those of memory.stat), and which of
 * the reader's statistics stats[0..nr-1] in mask the root's memory.stat text shows as
 * 0 (bit i for stats[i]; absent, unparsable or above 0: not set).
 */
bool memcg_zero_eligible(int stat, int version);
uint64_t memcg_zero_decide(int version, const int *stats, int nr, uint64_t mask,
			   const char *text, size_t len);

#endif
