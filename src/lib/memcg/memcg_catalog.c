// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The memcg statistics catalog and the text parsers behind the text backend.
 *
 * Names are cgroup v2's. On v1 a memory.stat statistic is read from its hierarchical
 * "total_<v1 name>" key (rss -> anon, cache -> file, mapped_file -> file_mapped, ...)
 * because v2's memory.stat is hierarchical too; the un-prefixed v1 keys are the
 * cgroup's own pages only. A key a kernel does not print stays absent, never 0.
 *
 * Parsing is allocation-free (textscan.h) and each wanted key is matched once per
 * line against a short list, so decoding costs what the control in the benchmark
 * pays, not more.
 */
#include <errno.h>
#include <string.h>

#include "lib/memcg/memcg_int.h"
#include "lib/util/textscan.h"

#define N MI_NR
#define DEF(n, v1_, src_, unit_, cum, raw, ...)                                          \
	{ .name = n, .v1 = v1_, .src = src_, .unit = unit_, .cumulative = cum, .raw_unit = raw, \
	  .items = { __VA_ARGS__ } }
#define GAUGE(n, v1, u, ...) DEF(n, v1, MTS_STAT, MMS_MEMCG_BYTES, false, u, __VA_ARGS__, N)
#define COUNT(n, v1, ...) DEF(n, v1, MTS_STAT, MMS_MEMCG_COUNT, true, 1, __VA_ARGS__, N)
#define EVENT(n, item) DEF("events_" n, NULL, MTS_EVENTS, MMS_MEMCG_COUNT, true, 1, item, N)
#define PSI(n, u, c) DEF(n, NULL, MTS_PSI, u, c, 0, N)
#define SUM(n, a, b, c, d)                                                                  \
	{ .name = n, .src = MTS_STAT, .unit = MMS_MEMCG_COUNT, .cumulative = true,           \
	  .raw_unit = 1, .items = { MI_##a, MI_##b, MI_##c, MI_##d },                          \
	  .parts = { #a, #b, #c, #d } }

const struct memcg_stat_def memcg_stats[] = {
	DEF("usage", NULL, MTS_USAGE, MMS_MEMCG_BYTES, false, 0, N),
	DEF("limit", NULL, MTS_LIMIT, MMS_MEMCG_BYTES, false, 0, N),
	DEF("high", NULL, MTS_HIGH, MMS_MEMCG_BYTES, false, 0, N),
	DEF("swap", NULL, MTS_SWAP, MMS_MEMCG_BYTES, false, 0, MI_MEMCG_SWAP, N),
	GAUGE("anon", "rss", 0, MI_NR_ANON_MAPPED),
	GAUGE("file", "cache", 0, MI_NR_FILE_PAGES),
	GAUGE("kernel", NULL, 0, MI_MEMCG_KMEM),
	GAUGE("kernel_stack", NULL, 1024, MI_NR_KERNEL_STACK_KB),
	GAUGE("pagetables", NULL, 0, MI_NR_PAGETABLE),
	GAUGE("sec_pagetables", NULL, 0, MI_NR_SECONDARY_PAGETABLE),
	GAUGE("percpu", NULL, 1, MI_MEMCG_PERCPU_B),
	GAUGE("sock", NULL, 0, MI_MEMCG_SOCK),
	GAUGE("vmalloc", NULL, 0, MI_MEMCG_VMALLOC, MI_NR_VMALLOC),
	GAUGE("shmem", "shmem", 0, MI_NR_SHMEM),
	GAUGE("zswap", NULL, 1, MI_MEMCG_ZSWAP_B),
	GAUGE("zswapped", NULL, 0, MI_MEMCG_ZSWAPPED),
	GAUGE("file_mapped", "mapped_file", 0, MI_NR_FILE_MAPPED),
	GAUGE("file_dirty", "dirty", 0, MI_NR_FILE_DIRTY),
	GAUGE("file_writeback", "writeback", 0, MI_NR_WRITEBACK),
	GAUGE("swapcached", "swapcached", 0, MI_NR_SWAPCACHE),
	GAUGE("anon_thp", "rss_huge", 0, MI_NR_ANON_THPS),
	GAUGE("file_thp", NULL, 0, MI_NR_FILE_THPS),
	GAUGE("shmem_thp", NULL, 0, MI_NR_SHMEM_THPS),
	GAUGE("inactive_anon", "inactive_anon", 0, MI_NR_INACTIVE_ANON),
	GAUGE("active_anon", "active_anon", 0, MI_NR_ACTIVE_ANON),
	GAUGE("inactive_file", "inactive_file", 0, MI_NR_INACTIVE_FILE),
	GAUGE("active_file", "active_file", 0, MI_NR_ACTIVE_FILE),
	GAUGE("unevictable", "unevictable", 0, MI_NR_UNEVICTABLE),
	GAUGE("slab_reclaimable", NULL, 1, MI_NR_SLAB_RECLAIMABLE_B),
	GAUGE("slab_unreclaimable", NULL, 1, MI_NR_SLAB_UNRECLAIMABLE_B),
	COUNT("workingset_refault_anon", "workingset_refault_anon", MI_WORKINGSET_REFAULT_ANON),
	COUNT("workingset_refault_file", "workingset_refault_file", MI_WORKINGSET_REFAULT_FILE),
	COUNT("workingset_activate_anon", NULL, MI_WORKINGSET_ACTIVATE_ANON),
	COUNT("workingset_activate_file", NULL, MI_WORKINGSET_ACTIVATE_FILE),
	COUNT("workingset_restore_anon", NULL, MI_WORKINGSET_RESTORE_ANON),
	COUNT("workingset_restore_file", NULL, MI_WORKINGSET_RESTORE_FILE),
	COUNT("workingset_nodereclaim", NULL, MI_WORKINGSET_NODERECLAIM),
	SUM("pgscan", PGSCAN_KSWAPD, PGSCAN_DIRECT, PGSCAN_KHUGEPAGED, PGSCAN_PROACTIVE),
	SUM("pgsteal", PGSTEAL_KSWAPD, PGSTEAL_DIRECT, PGSTEAL_KHUGEPAGED, PGSTEAL_PROACTIVE),
	COUNT("pgscan_kswapd", NULL, MI_PGSCAN_KSWAPD),
	COUNT("pgscan_direct", NULL, MI_PGSCAN_DIRECT),
	COUNT("pgsteal_kswapd", NULL, MI_PGSTEAL_KSWAPD),
	COUNT("pgsteal_direct", NULL, MI_PGSTEAL_DIRECT),
	COUNT("pgfault", "pgfault", MI_PGFAULT),
	COUNT("pgmajfault", "pgmajfault", MI_PGMAJFAULT),
	COUNT("pgrefill", NULL, MI_PGREFILL),
	COUNT("pgactivate", NULL, MI_PGACTIVATE),
	COUNT("pgdeactivate", NULL, MI_PGDEACTIVATE),
	COUNT("pswpin", NULL, MI_PSWPIN),
	COUNT("pswpout", NULL, MI_PSWPOUT),
	COUNT("thp_fault_alloc", NULL, MI_THP_FAULT_ALLOC),
	COUNT("thp_collapse_alloc", NULL, MI_THP_COLLAPSE_ALLOC),
	/* v1 only: pages charged and uncharged (v2 does not print them). */
	COUNT("pgpgin", "pgpgin", MI_PGPGIN),
	COUNT("pgpgout", "pgpgout", MI_PGPGOUT),
	EVENT("low", MI_MEMCG_LOW),
	EVENT("high", MI_MEMCG_HIGH),
	EVENT("max", MI_MEMCG_MAX),
	EVENT("oom", MI_MEMCG_OOM),
	EVENT("oom_kill", MI_MEMCG_OOM_KILL),
	EVENT("oom_group_kill", MI_MEMCG_OOM_GROUP_KILL),
	EVENT("sock_throttled", MI_MEMCG_SOCK_THROTTLED),
	PSI("some_avg10", MMS_MEMCG_PERCENT_X100, false),
	PSI("some_avg60", MMS_MEMCG_PERCENT_X100, false),
	PSI("some_avg300", MMS_MEMCG_PERCENT_X100, false),
	PSI("some_total", MMS_MEMCG_USEC, true),
	PSI("full_avg10", MMS_MEMCG_PERCENT_X100, false),
	PSI("full_avg60", MMS_MEMCG_PERCENT_X100, false),
	PSI("full_avg300", MMS_MEMCG_PERCENT_X100, false),
	PSI("full_total", MMS_MEMCG_USEC, true),
};

const int memcg_nr_stats = (int)(sizeof(memcg_stats) / sizeof(memcg_stats[0]));

#define ITEM_NAME(n) [MI_##n] = #n,
const char *const memcg_item_names[MI_NR] = { MEMCG_ITEMS(ITEM_NAME) };

/* Bare memory.events keys that name nothing else are accepted for events_<key>. */
static const char *const aliases[][2] = {
	{ "oom", "events_oom" },
	{ "oom_kill", "events_oom_kill" },
	{ "oom_group_kill", "events_oom_group_kill" },
	{ "sock_throttled", "events_sock_throttled" },
};

int mms_memcg_stat_count(void)
{
	return memcg_nr_stats;
}

const char *mms_memcg_stat_name(int idx)
{
	return idx >= 0 && idx < memcg_nr_stats ? memcg_stats[idx].name : NULL;
}

int mms_memcg_stat_find(const char *name)
{
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(name, aliases[i][0]))
			name = aliases[i][1];
	for (int i = 0; i < memcg_nr_stats; i++)
		if (!strcmp(memcg_stats[i].name, name))
			return i;
	return -ENOENT;
}

enum mms_memcg_unit mms_memcg_stat_unit(int idx)
{
	return idx >= 0 && idx < memcg_nr_stats ? memcg_stats[idx].unit : MMS_MEMCG_COUNT;
}

bool mms_memcg_stat_cumulative(int idx)
{
	return idx >= 0 && idx < memcg_nr_stats && memcg_stats[idx].cumulative;
}

/* ---- files ---- */

static const char *const v2_files[MF_NR] = {
	[MF_STAT] = "memory.stat",	   [MF_EVENTS] = "memory.events",
	[MF_USAGE] = "memory.current",	   [MF_LIMIT] = "memory.max",
	[MF_HIGH] = "memory.high",	   [MF_SWAP] = "memory.swap.current",
	[MF_PSI] = "memory.pressure",
};

static const char *const v1_files[MF_NR] = {
	[MF_STAT] = "memory.stat",
	[MF_USAGE] = "memory.usage_in_bytes",
	[MF_LIMIT] = "memory.limit_in_bytes",
	[MF_OOM_CONTROL] = "memory.oom_control",
};

const char *memcg_file_name(int file, int version)
{
	return version == 1 ? v1_files[file] : v2_files[file];
}

int memcg_stat_file(int stat, int version)
{
	const struct memcg_stat_def *d = &memcg_stats[stat];

	switch (d->src) {
	case MTS_STAT:
		return version == 2 || d->v1 ? MF_STAT : -1;
	case MTS_EVENTS:
		/* v1 has no memory.events; only oom_kill is in memory.oom_control. */
		if (version == 1)
			return !strcmp(d->name, "events_oom_kill") ? MF_OOM_CONTROL : -1;
		return MF_EVENTS;
	case MTS_USAGE:
		return MF_USAGE;
	case MTS_LIMIT:
		return MF_LIMIT;
	case MTS_HIGH:
		return version == 2 ? MF_HIGH : -1;
	case MTS_SWAP:
		return version == 2 ? MF_SWAP : MF_STAT;
	case MTS_PSI:
		return version == 2 ? MF_PSI : -1;
	}
	return -1;
}

/* The key stat has in file (without v1's "total_"), or NULL. */
static const char *key_in(int stat, int file, int version)
{
	const struct memcg_stat_def *d = &memcg_stats[stat];

	if (file == MF_STAT && d->src == MTS_SWAP)
		return "swap";
	if (file == MF_STAT)
		return version == 1 ? d->v1 : d->name;
	if (file == MF_EVENTS || file == MF_OOM_CONTROL)
		return d->name + strlen("events_");
	return NULL;
}

/*
 * "key value" lines; with prefix (v1 "total_"), only keys starting with it count.
 * Lines for keys nobody asked for are skipped without decoding their value. The
 * kernel never prints these files empty: an empty or blank one is bad input, not a
 * cgroup without statistics.
 */
static int parse_keyed(int file, int version, const char *prefix, const char *text,
		       size_t len, const int *stats, int nr, uint64_t *values,
		       uint64_t *present, struct mms_error *err)
{
	size_t plen = prefix ? strlen(prefix) : 0;
	const char *keys[MMS_MEMCG_STATS_MAX];
	size_t klen[MMS_MEMCG_STATS_MAX];
	struct mms_lines ls;
	struct mms_tok line, k, v;
	int rc = mms_check_file(text, len, err), nr_lines = 0;

	if (rc)
		return rc;
	if (len == 0)
		return mms_err_at(err, 0, "empty file");
	for (int i = 0; i < nr; i++) {
		keys[i] = memcg_stat_file(stats[i], version) == file ?
				  key_in(stats[i], file, version) : NULL;
		klen[i] = keys[i] ? strlen(keys[i]) : 0;
	}
	mms_lines_init(&ls, text, len);
	while (mms_lines_next(&ls, &line)) {
		if (!mms_tok_next(&line, &k))
			continue;
		if (!mms_tok_next(&line, &v) || mms_tok_next(&line, &(struct mms_tok){ 0 }))
			return mms_err_at(err, ls.lineno, "expected 'key value'");
		nr_lines++;
		if (plen) {
			if (k.len <= plen || memcmp(k.s, prefix, plen))
				continue;
			k.s += plen;
			k.len -= plen;
		}
		for (int i = 0; i < nr; i++) {
			if (!keys[i] || klen[i] != k.len || memcmp(keys[i], k.s, k.len))
				continue;
			rc = mms_parse_u64(v, &values[i]);
			if (rc)
				return mms_err_number(err, ls.lineno, v, rc);
			*present |= 1ull << i;
		}
	}
	if (!nr_lines)
		return mms_err_at(err, ls.lineno, "no 'key value' lines (blank file)");
	return 0;
}

/* "123\n" or v2's "max\n"; v1 prints no limit as PAGE_COUNTER_MAX pages in bytes. */
static int parse_single(int file, int version, const char *text, size_t len, const int *stats,
			int nr, uint64_t *values, uint64_t *present, struct mms_error *err)
{
	uint64_t v;
	int rc;

	if (len == 4 && !memcmp(text, "max\n", 4)) {
		v = MMS_MEMCG_UNLIMITED;
	} else {
		rc = mms_parse_sysfs_u64(text, len, &v, err);
		if (rc)
			return rc;
		/* v1: PAGE_COUNTER_MAX (LONG_MAX / PAGE_SIZE) pages, in bytes; any page size */
		if (version == 1 && file == MF_LIMIT && v >= (uint64_t)INT64_MAX - (1u << 16) * 2 + 1)
			v = MMS_MEMCG_UNLIMITED;
	}
	for (int i = 0; i < nr; i++) {
		if (memcg_stat_file(stats[i], version) == file) {
			values[i] = v;
			*present |= 1ull << i;
		}
	}
	return 0;
}

static int parse_pressure(const char *text, size_t len, const int *stats, int nr,
			  uint64_t *values, uint64_t *present, struct mms_error *err)
{
	struct mms_psi psi;
	int rc = mms_parse_psi(text, len, &psi, err);

	if (rc)
		return rc;
	for (int i = 0; i < nr; i++) {
		const char *n = memcg_stats[stats[i]].name;
		const struct mms_psi_line *l;

		if (memcg_stats[stats[i]].src != MTS_PSI)
			continue;
		if (!strncmp(n, "full_", 5) && !psi.has_full)
			continue;
		l = !strncmp(n, "some_", 5) ? &psi.some : &psi.full;
		n += 5;
		if (!strcmp(n, "total"))
			values[i] = l->total_us;
		else
			values[i] = (uint64_t)((!strcmp(n, "avg10") ? l->avg10 :
						!strcmp(n, "avg60") ? l->avg60 : l->avg300) * 100 + 0.5);
		*present |= 1ull << i;
	}
	return 0;
}

int memcg_parse_file(int file, int version, const char *text, size_t len, const int *stats,
		     int nr, uint64_t *values, uint64_t *present, struct mms_error *err)
{
	switch (file) {
	case MF_STAT:
		return parse_keyed(file, version, version == 1 ? "total_" : NULL, text, len,
				   stats, nr, values, present, err);
	case MF_EVENTS:
	case MF_OOM_CONTROL:
		return parse_keyed(file, version, NULL, text, len, stats, nr, values, present,
				   err);
	case MF_PSI:
		return parse_pressure(text, len, stats, nr, values, present, err);
	default:
		return parse_single(file, version, text, len, stats, nr, values, present, err);
	}
}

static int check_stats(const int *stats, int nr)
{
	if (nr < 0 || nr > MMS_MEMCG_STATS_MAX)
		return -EINVAL;
	for (int i = 0; i < nr; i++)
		if (stats[i] < 0 || stats[i] >= memcg_nr_stats)
			return -EINVAL;
	return 0;
}

int mms_parse_memcg_stat(const char *text, size_t len, int version, const int *stats, int nr,
			 uint64_t *values, uint64_t *present, struct mms_error *err)
{
	if (check_stats(stats, nr) || (version != 1 && version != 2))
		return -EINVAL;
	*present = 0;
	return memcg_parse_file(MF_STAT, version, text, len, stats, nr, values, present, err);
}

int mms_parse_memcg_events(const char *text, size_t len, const int *stats, int nr,
			   uint64_t *values, uint64_t *present, struct mms_error *err)
{
	if (check_stats(stats, nr))
		return -EINVAL;
	*present = 0;
	return memcg_parse_file(MF_EVENTS, 2, text, len, stats, nr, values, present, err);
}
