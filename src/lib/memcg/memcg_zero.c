// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The root-total rule: a memory.stat statistic whose hierarchical value at the
 * reader's root reads 0 is 0 in every cgroup below it, so an iterator backend serves
 * those cgroups 0 without reading their memory.stat in that read. It is how the
 * statistics whose vmstats slot could not be verified (memcg_core.c: zero in every
 * sampled cgroup, as file_writeback and workingset_refault_anon are on a host with no
 * swap and no writeback in flight) stop costing one memory.stat per cgroup per read.
 *
 * Why it holds (checked against the kernel source, torvalds/linux mm/memcontrol.c,
 * mm/memcontrol-v1.c, mm/workingset.c; kernel-interfaces.md "struct memcg_vmstats"):
 *  - memory.stat prints hierarchical values: v2 every key, v1 the "total_" keys the
 *    reader uses (memory_stat_format / memcg1_stat_format read memcg_page_state() and
 *    memcg_events(): vmstats->state[] / events[], the memcg and its descendants).
 *    rstat keeps them so: a flush of a subtree adds each cgroup's per-CPU deltas to it
 *    and to its ancestors in that subtree (those above get them at their next flush),
 *    and a removed cgroup's counts stay in its ancestors' totals.
 *  - Every statistic of memory.stat counts pages, bytes or events charged to a
 *    cgroup: a sum of non-negative parts, so a total of 0 at the root means 0 in every
 *    cgroup below, as of the same flush. Event counts only grow (workingset_refault():
 *    mod_lruvec_state(lruvec, WORKINGSET_REFAULT_BASE + file, nr), nr =
 *    folio_nr_pages(); nothing subtracts), so for them this is exact. A page count
 *    that goes up and down (NR_WRITEBACK: folio_start_writeback() adds,
 *    folio_end_writeback() subtracts, in the folio's memcg) can be transiently
 *    negative in one cgroup when a flush, which takes the CPUs one after the other,
 *    catches a page's end and misses its start; memory.stat clamps that to 0 in the
 *    cgroup and keeps it in the ancestors' totals until the next flush. Only then can
 *    a page under writeback elsewhere hide behind it, and the kernel's own text then
 *    shows a parent's total below its child's: the precision of one flush, which the
 *    text has too.
 *  - Freshness: the root's memory.stat read flushes the whole tree when more than
 *    64 x CPUs updates are pending below it (mem_cgroup_flush_stats(root) ->
 *    css_rstat_flush(&root->css)), and the kernel flushes it every 2 s anyway
 *    (flush_memcg_stats_dwork). A cgroup's own read may have flushed its subtree
 *    since (its ancestors' totals then get those updates only at their next flush),
 *    so the 0 served lags that cgroup's memory.stat by at most the updates pending at
 *    the root: the bound docs/memcg.md "Staleness" gives for every value the core
 *    backend serves, which reads the same flushed arrays.
 *  - A key the root's text lacks, a text that does not parse, or a value above 0
 *    leaves the statistic to each cgroup's text in that read: never a 0 not read.
 * The root is read before the iterator's pass, so the pass sees that flush's values.
 * Not /proc/vmstat's host-wide counters: vmstat_start() (mm/vmstat.c) prints
 * global_node_page_state_pages(), the folded atomics without the per-CPU deltas not
 * folded yet, on a schedule of their own: its 0 proves nothing about a memcg's
 * flushed value, while the root's memory.stat is the same rstat data as the cgroups'.
 */
#include "lib/memcg/memcg_int.h"

bool memcg_zero_eligible(int stat, int version)
{
	return memcg_stat_file(stat, version) == MF_STAT;
}

uint64_t memcg_zero_decide(int version, const int *stats, int nr, uint64_t mask,
			   const char *text, size_t len)
{
	int want[MMS_MEMCG_STATS_MAX], slot[MMS_MEMCG_STATS_MAX], n = 0;
	uint64_t values[MMS_MEMCG_STATS_MAX], present = 0, zero = 0;

	for (int i = 0; i < nr && i < MMS_MEMCG_STATS_MAX; i++) {
		if (!(mask & (1ull << i)) || !memcg_zero_eligible(stats[i], version))
			continue;
		want[n] = stats[i];
		slot[n++] = i;
	}
	if (!n || !text ||
	    memcg_parse_file(MF_STAT, version, text, len, want, n, values, &present, NULL))
		return 0;
	for (int k = 0; k < n; k++)
		if ((present & (1ull << k)) && values[k] == 0)
			zero |= 1ull << slot[k];
	return zero;
}
