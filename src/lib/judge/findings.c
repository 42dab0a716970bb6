// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The health report's judgement: from meminfo, a /proc/vmstat window, PSI, the
 * fragmentation snapshot and the THP settings, findings in plain words, each with
 * the figure behind it. Pure functions of their input, so unit tests drive every
 * rule with recorded or constructed inputs. Thresholds are named constants with the
 * reason for each; they are deliberately conservative: a finding should be worth
 * an SRE's attention.
 */
#include <stdio.h>
#include <string.h>

#include <mmscope/mmscope.h>

#include "lib/judge/findings_int.h"

/* MemAvailable under this share of MemTotal: the kernel's own estimate of what can
 * be allocated without swapping is nearly spent. */
#define AVAILABLE_LOW_PCT 10.0
/* PSI "some" avg10 above this: tasks lost a noticeable share of time to memory. */
#define PSI_SOME_WARN 5.0
/* PSI "full" avg10 above this: everything runnable stalled on memory at times. */
#define PSI_FULL_CRIT 1.0
/* Unusable index at the THP order above this: most free memory cannot back a THP. */
#define THP_UNUSABLE_WARN 500
/* Refaulted pages per second that are thrashing, not churn (judge_refaults). */
#define REFAULT_WARN_PER_S 2560.0

const char *mms_severity_name(enum mms_severity s)
{
	return s == MMS_CRITICAL ? "critical" : s == MMS_WARNING ? "warning" : "info";
}

bool mms_vmstat_rate(const struct mms_report_input *in, const char *name, double *rate)
{
	uint64_t a, b;

	if (!in->vmstat_start || in->window_s <= 0 || !mms_kv_get(in->vmstat_start, name, &a) ||
	    !mms_kv_get(in->vmstat_end, name, &b))
		return false;
	*rate = b >= a ? (double)(b - a) / in->window_s : 0; /* counters never go back */
	return true;
}

/* Sum of the rates of every counter whose name starts with prefix (allocstall_*). */
static double prefix_rate(const struct mms_report_input *in, const char *prefix)
{
	const struct mms_kvset *end = in->vmstat_end;
	size_t n = strlen(prefix);
	double sum = 0, r;

	for (int i = 0; i < end->nr; i++)
		if (!strncmp(end->items[i].name, prefix, n) &&
		    mms_vmstat_rate(in, end->items[i].name, &r))
			sum += r;
	return sum;
}

static uint64_t prefix_total(const struct mms_kvset *set, const char *prefix)
{
	size_t n = strlen(prefix);
	uint64_t sum = 0;

	for (int i = 0; i < set->nr; i++)
		if (!strncmp(set->items[i].name, prefix, n))
			sum += set->items[i].value;
	return sum;
}

static void judge_memory(const struct mms_report_input *in, struct findings *f)
{
	uint64_t total, avail;

	if (!mms_kv_get(in->meminfo, "MemTotal", &total) || !total ||
	    !mms_kv_get(in->meminfo, "MemAvailable", &avail))
		return;
	double pct = 100.0 * (double)avail / (double)total;

	if (pct < AVAILABLE_LOW_PCT)
		SAY(f, "memory_low", pct < AVAILABLE_LOW_PCT / 2 ? MMS_CRITICAL : MMS_WARNING, pct,
		    "percent", "only %.1f%% of memory is available (MemAvailable %llu MiB of %llu MiB)",
		    pct, (unsigned long long)(avail >> 20), (unsigned long long)(total >> 20));
}

/*
 * Refaults: pages read back soon after reclaim evicted them (the workingset
 * detection of mm/workingset.c). A few are normal churn; REFAULT_WARN_PER_S
 * pages a second (10 MiB/s of 4 KiB pages) is the working set not fitting.
 */
static void judge_refaults(const struct mms_report_input *in, struct findings *f)
{
	double file = 0, anon = 0;
	bool has = mms_vmstat_rate(in, "workingset_refault_file", &file);

	has |= mms_vmstat_rate(in, "workingset_refault_anon", &anon);
	if (has && file + anon >= REFAULT_WARN_PER_S) {
		SAY(f, "refault_thrashing", MMS_WARNING, file + anon, "per_s",
		    "thrashing: %.0f pages/s read back soon after reclaim evicted them (file "
		    "%.0f/s, anon %.0f/s): the working set does not fit", file + anon, file, anon);
		mms_findings_next(f, "mmscope memcg -s usage,limit,workingset_refault_file --sort workingset_refault_file 5 2");
	}
}

static void judge_reclaim(const struct mms_report_input *in, struct findings *f)
{
	double stalls = prefix_rate(in, "allocstall_"), scan = 0, steal = 0, r;
	/* With the tracers attached, findings_window.c names who stalled instead. */
	bool traced = in->window && in->window->traced;

	mms_vmstat_rate(in, "pgscan_direct", &scan);
	mms_vmstat_rate(in, "pgsteal_direct", &steal);
	if (stalls > 0 && !traced)
		SAY(f, "direct_reclaim", MMS_WARNING, stalls, "per_s",
		    "direct reclaim: allocating tasks stalled %.1f times/s to reclaim memory "
		    "(pgscan_direct %.0f pages/s, pgsteal_direct %.0f pages/s); "
		    "`mmscope reclaim` shows who and for how long", stalls, scan, steal);
	if (stalls > 0 && !traced)
		mms_findings_next(f, "mmscope reclaim -d 10");
	if (!traced && mms_vmstat_rate(in, "compact_stall", &r) && r > 0) {
		double fail = 0;

		mms_vmstat_rate(in, "compact_fail", &fail);
		SAY(f, "direct_compaction", MMS_WARNING, r, "per_s",
		    "direct compaction: tasks stalled %.1f times/s compacting memory, %.1f/s "
		    "failed; high-order allocations are waiting on fragmentation", r, fail);
		mms_findings_next(f, "mmscope compact -d 10; mmscope frag");
	}
	/* With a window, findings_window.c reports the kills with their victims. */
	if (!in->window && mms_vmstat_rate(in, "oom_kill", &r) && r > 0)
		SAY(f, "oom_kill", MMS_CRITICAL, r * in->window_s, "count",
		    "the OOM killer killed %.0f process(es) during the report window",
		    r * in->window_s);
	if (mms_vmstat_rate(in, "pswpin", &r) && r > 0)
		SAY(f, "swap_in", MMS_WARNING, r, "per_s",
		    "swapping in %.0f pages/s: the working set does not fit in memory", r);
	judge_refaults(in, f);
}

/* Stalled share of the window, from PSI's cumulative totals (microseconds):
 * avg10 at either end would also count the seconds before the window, such as
 * the pressure of a job that has just ended. */
static bool psi_window_pct(const struct mms_report_input *in, bool full, double *pct)
{
	const struct mms_psi_line *a, *b;

	if (!in->psi_start || in->window_s <= 0 ||
	    (full && !(in->psi->has_full && in->psi_start->has_full)))
		return false;
	a = full ? &in->psi_start->full : &in->psi_start->some;
	b = full ? &in->psi->full : &in->psi->some;
	if (b->total_us < a->total_us)
		return false;
	*pct = (double)(b->total_us - a->total_us) / (in->window_s * 1e4);
	return true;
}

static void judge_psi(const struct mms_report_input *in, struct findings *f)
{
	double some, full;

	if (!in->psi)
		return;
	if (psi_window_pct(in, false, &some)) {
		bool has_full = psi_window_pct(in, true, &full);

		if (has_full && full > PSI_FULL_CRIT)
			SAY(f, "psi_full", MMS_CRITICAL, full, "percent",
			    "memory pressure: all non-idle tasks were stalled on memory %.2f%% of "
			    "the %.1f s window (PSI full total)", full, in->window_s);
		else if (some > PSI_SOME_WARN)
			SAY(f, "psi_some", MMS_WARNING, some, "percent",
			    "memory pressure: some tasks were stalled on memory %.2f%% of the "
			    "%.1f s window (PSI some total)", some, in->window_s);
		else
			return;
		mms_findings_next(f, "mmscope reclaim -H -d 10");
		return;
	}
	if (in->psi->has_full && in->psi->full.avg10 > PSI_FULL_CRIT)
		SAY(f, "psi_full", MMS_CRITICAL, in->psi->full.avg10, "percent",
		    "memory pressure: all non-idle tasks were stalled on memory %.2f%% of the "
		    "last 10 s (PSI full avg10)", in->psi->full.avg10);
	else if (in->psi->some.avg10 > PSI_SOME_WARN)
		SAY(f, "psi_some", MMS_WARNING, in->psi->some.avg10, "percent",
		    "memory pressure: some tasks were stalled on memory %.2f%% of the last 10 s "
		    "(PSI some avg10)", in->psi->some.avg10);
	else
		return;
	mms_findings_next(f, "mmscope reclaim -H -d 10");
}

static void judge_zones(const struct mms_report_input *in, struct findings *f)
{
	const struct mms_frag_snapshot *s = in->frag;

	for (int z = 0; s && z < s->buddy.nr_zones; z++) {
		const struct mms_zone_verdict *v = &s->verdict[z];
		const struct mms_buddy_zone *bz = &s->buddy.zones[z];

		if (v->verdict == MMS_ZONE_SHORT_OF_MEMORY)
			SAY(f, "zone_short", MMS_WARNING, (double)(s->zi[z]->free * s->page_size),
			    "bytes", "node %d zone %s is short of memory: %llu KiB free, at or below "
			    "its high watermark %llu KiB (kswapd is reclaiming)", bz->node, bz->zone,
			    (unsigned long long)(s->zi[z]->free * s->page_size >> 10),
			    (unsigned long long)(s->zi[z]->high * s->page_size >> 10));
		else if (v->verdict == MMS_ZONE_FRAGMENTED)
			SAY(f, "zone_fragmented", MMS_WARNING,
			    s->frag[z].extfrag_index[v->order] / 1000.0, "index",
			    "node %d zone %s is fragmented for order %d: fragmentation index %.3f "
			    "above vm.extfrag_threshold %.3f, so order-%d allocations need "
			    "compaction%s", bz->node, bz->zone, v->order,
			    s->frag[z].extfrag_index[v->order] / 1000.0,
			    s->extfrag_threshold / 1000.0, v->order,
			    v->order <= v->thp_order ? " (THP allocations included)" : "");
		if (v->verdict == MMS_ZONE_FRAGMENTED)
			mms_findings_next(f, "mmscope frag");
		else if (v->thp_unusable > THP_UNUSABLE_WARN && s->frag[z].free_pages >= 1024)
			SAY(f, "thp_blocks_scarce", MMS_INFO, v->thp_unusable / 1000.0, "index",
			    "node %d zone %s: %.1f%% of free memory is in blocks too small for a "
			    "THP (unusable index at order %d)", bz->node, bz->zone,
			    v->thp_unusable / 10.0, v->thp_order);
	}
}

/*
 * THP: the same rules as `mmscope thp` (thp_advice.c), so both say the same thing.
 * compact_stall_rate is left out: judge_reclaim's direct_compaction already reports
 * compaction stalls, whatever their cause.
 */
static void judge_thp(const struct mms_report_input *in, struct findings *f)
{
	static const struct mms_thp_window no_window;
	struct mms_thp_advice advice[MMS_THP_ADVICE_MAX];
	int n;

	if (!in->thp || !in->thp->present)
		return;
	n = mms_thp_advise(in->thp, in->thp_window ? in->thp_window : &no_window, advice,
			   MMS_THP_ADVICE_MAX);
	for (int i = 0; i < n; i++) {
		if (!strcmp(advice[i].id, "compact_stall_rate"))
			continue;
		SAY(f, advice[i].id, advice[i].severity, advice[i].figure, advice[i].unit, "THP: %s",
		    advice[i].text);
		mms_findings_next(f, "mmscope thp");
	}
}

static void judge_history(const struct mms_report_input *in, struct findings *f)
{
	uint64_t v;

	if (mms_kv_get(in->vmstat_end, "oom_kill", &v) && v)
		SAY(f, "oom_kill_since_boot", MMS_INFO, (double)v, "count",
		    "%llu OOM kill(s) since boot", (unsigned long long)v);
	v = prefix_total(in->vmstat_end, "allocstall_");
	if (v)
		SAY(f, "direct_reclaim_since_boot", MMS_INFO, (double)v, "count",
		    "%llu direct reclaim stall(s) since boot (allocstall_*)",
		    (unsigned long long)v);
	if (mms_kv_get(in->vmstat_end, "compact_stall", &v) && v)
		SAY(f, "direct_compaction_since_boot", MMS_INFO, (double)v, "count",
		    "%llu direct compaction stall(s) since boot", (unsigned long long)v);
}

static int by_severity(const void *a, const void *b)
{
	const struct mms_finding *x = a, *y = b;

	return (int)y->severity - (int)x->severity;
}

int mms_report_findings(const struct mms_report_input *in, struct mms_finding *out, int max)
{
	struct findings f = { out, 0, max, NULL };

	judge_memory(in, &f);
	judge_psi(in, &f);
	judge_reclaim(in, &f);
	judge_zones(in, &f);
	mms_judge_window(in, &f);
	judge_thp(in, &f);
	judge_history(in, &f);
	/* Stable worst-first order: insertion sort keeps equal severities in rule order. */
	for (int i = 1; i < f.n; i++)
		for (int j = i; j > 0 && by_severity(&out[j - 1], &out[j]) > 0; j--) {
			struct mms_finding tmp = out[j];

			out[j] = out[j - 1];
			out[j - 1] = tmp;
		}
	return f.n;
}
