// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The report's rules over what its window saw beyond /proc/vmstat: who stalled
 * in reclaim and compaction and in which cgroup (the tracers), OOM kills with
 * their victims, the top memory cgroups (usage against limit, refaults,
 * memory.events deltas, PSI), unreclaimable slab growth, watermark boosts and
 * NUMA imbalance. Every threshold is documented in docs/report.md with where it
 * comes from. Pure: no I/O.
 */
#include <string.h>

#include <mmscope/mmscope.h>

#include "lib/judge/findings_int.h"

/*
 * Stalled time as a share of the window: PSI's own yardstick (some = the share of
 * wall time a task waited on memory). The same 1% and 10% cut-offs as the
 * PSI rules' spirit: 1% is ~10 ms a second, what a latency-sensitive service
 * notices; 10% is a tenth of its time gone.
 */
#define STALL_SHARE_WARN 0.01
#define STALL_SHARE_CRIT 0.10
/* A cgroup this close to its limit (usage / limit) while reclaiming or refaulting. */
#define MEMCG_NEAR_LIMIT 0.90
/* cgroup PSI, as the system's (findings.c): some avg10 over 5%, full over 1%. */
#define MEMCG_PSI_SOME_WARN 5.0
#define MEMCG_PSI_FULL_CRIT 1.0
/* kswapd running more than half the window: background reclaim cannot keep up. */
#define KSWAPD_BUSY_SHARE 0.5
/* Fragmenting fallbacks per second that make a warning rather than a note. */
#define EXTFRAG_WARN_PER_S 100.0
/* SUnreclaim growth over the window, in bytes per second, that is a finding. */
#define SLAB_GROWTH_PER_S (8ull << 20)
/* SUnreclaim as a share of MemTotal that is worth a note (a leak's signature). */
#define SLAB_UNRECLAIM_SHARE 0.20
/* NUMA: one node under this share free while another has over the second. */
#define NUMA_LOW_FREE 0.10
#define NUMA_HIGH_FREE 0.50

static enum mms_severity share_severity(uint64_t total_ns, double window_s)
{
	double share = window_s > 0 ? total_ns / 1e9 / window_s : 0;

	return share >= STALL_SHARE_CRIT ? MMS_CRITICAL :
	       share >= STALL_SHARE_WARN ? MMS_WARNING : MMS_INFO;
}

/* The worst row of kind: processes (pid != 0) or cgroups, by total stalled time. */
static const struct mms_report_stall *worst(const struct mms_report_window *w,
					    enum mms_stall_kind kind, bool procs)
{
	const struct mms_report_stall *best = NULL;

	for (int i = 0; i < w->nr_stalls; i++) {
		const struct mms_report_stall *s = &w->stalls[i];

		if (s->kind != kind || (s->pid != 0) != procs)
			continue;
		if (!best || s->total_ns > best->total_ns)
			best = s;
	}
	return best;
}

/* Sum of a kind's process rows: every stall belongs to exactly one process. */
static void kind_total(const struct mms_report_window *w, enum mms_stall_kind kind,
		       uint64_t *count, uint64_t *total_ns, int *procs)
{
	*count = *total_ns = 0;
	*procs = 0;
	for (int i = 0; i < w->nr_stalls; i++)
		if (w->stalls[i].kind == kind && w->stalls[i].pid) {
			*count += w->stalls[i].count;
			*total_ns += w->stalls[i].total_ns;
			(*procs)++;
		}
}

static void judge_direct_reclaim(const struct mms_report_input *in, struct findings *f)
{
	const struct mms_report_window *w = in->window;
	const struct mms_report_stall *p = worst(w, MMS_STALL_DIRECT_RECLAIM, true);
	uint64_t count, total;
	int procs;

	if (!p)
		return;
	kind_total(w, MMS_STALL_DIRECT_RECLAIM, &count, &total, &procs);
	SAY(f, "direct_reclaim_stalls", share_severity(total, in->window_s), (double)p->count,
	    "count", "direct reclaim stalled `%s` (pid %u, cgroup %s) %llu times, p50 %.3g ms, "
	    "p99 %.3g ms, max %.3g ms; %llu stalls (%.3g ms) in %d process(es) in all",
	    p->comm, p->pid, p->cgroup, (unsigned long long)p->count, p->p50_ns / 1e6,
	    p->p99_ns / 1e6, p->max_ns / 1e6, (unsigned long long)count, total / 1e6, procs);
	mms_findings_next(f, "mmscope reclaim -p %u --min-ms 1", p->pid);
}

/* The process of a cgroup that stalled most in kind (NULL none). */
static const struct mms_report_stall *top_proc_in(const struct mms_report_window *w,
						  enum mms_stall_kind kind, const char *cgroup)
{
	const struct mms_report_stall *best = NULL;

	for (int i = 0; i < w->nr_stalls; i++) {
		const struct mms_report_stall *s = &w->stalls[i];

		if (s->kind == kind && s->pid && !strcmp(s->cgroup, cgroup) &&
		    (!best || s->count > best->count))
			best = s;
	}
	return best;
}

/* One finding per cgroup whose limit made its tasks reclaim (the three worst). */
static void judge_memcg_reclaim(const struct mms_report_input *in, struct findings *f)
{
	const struct mms_report_window *w = in->window;
	int shown = 0;

	for (int i = 0; i < w->nr_stalls && shown < 3; i++) {
		const struct mms_report_stall *c = &w->stalls[i], *p;

		if (c->kind != MMS_STALL_MEMCG_RECLAIM || c->pid)
			continue;
		shown++;
		p = top_proc_in(w, MMS_STALL_MEMCG_RECLAIM, c->cgroup);
		SAY(f, "memcg_reclaim_stalls", share_severity(c->total_ns, in->window_s),
		    (double)c->count, "count", "memcg reclaim stalled cgroup %s %llu times, p50 "
		    "%.3g ms, p99 %.3g ms, max %.3g ms (its limit); most in `%s` (pid %u), "
		    "%llu times", c->cgroup, (unsigned long long)c->count, c->p50_ns / 1e6,
		    c->p99_ns / 1e6, c->max_ns / 1e6, p ? p->comm : "?", p ? p->pid : 0,
		    (unsigned long long)(p ? p->count : 0));
		mms_findings_next(f, "mmscope reclaim -c %s --min-ms 1", c->cgroup);
	}
}

static void judge_compaction(const struct mms_report_input *in, struct findings *f)
{
	const struct mms_report_window *w = in->window;
	const struct mms_report_stall *p = worst(w, MMS_STALL_COMPACTION, true);
	int thp_order = in->frag ? in->frag->thp_order : 9;
	uint64_t count, total, failed = 0;
	int procs;

	if (!p)
		return;
	kind_total(w, MMS_STALL_COMPACTION, &count, &total, &procs);
	for (int i = 0; i < w->nr_stalls; i++)
		if (w->stalls[i].kind == MMS_STALL_COMPACTION && w->stalls[i].pid)
			failed += w->stalls[i].failed;
	SAY(f, "direct_compaction_stalls", share_severity(total, in->window_s) == MMS_INFO &&
	    !failed ? MMS_INFO : MMS_WARNING, (double)p->count, "count",
	    "direct compaction stalled `%s` (pid %u, cgroup %s) %llu times for order %d in "
	    "node %d zone %s, p99 %.3g ms, max %.3g ms, %llu failed; %llu stalls, %llu "
	    "failed, in %d process(es) in all", p->comm, p->pid, p->cgroup,
	    (unsigned long long)p->count, p->order, p->node, p->zone, p->p99_ns / 1e6,
	    p->max_ns / 1e6, (unsigned long long)p->failed, (unsigned long long)count,
	    (unsigned long long)failed, procs);
	mms_findings_next(f, "mmscope compact -p %u; mmscope frag", p->pid);
	/* THP faults under defrag=always compact in the faulting task (the THP order). */
	if (in->thp && in->thp->present && !strcmp(in->thp->defrag, "always") &&
	    p->order >= thp_order) {
		SAY(f, "thp_defrag_stalls", MMS_WARNING, (double)p->count, "count",
		    "THP defrag=always makes page faults compact: `%s` (pid %u) stalled %llu "
		    "times at order %d (p99 %.3g ms); set defrag to madvise (or defer)", p->comm,
		    p->pid, (unsigned long long)p->count, p->order, p->p99_ns / 1e6);
		mms_findings_next(f, "echo madvise > /sys/kernel/mm/transparent_hugepage/defrag");
	}
}

static void judge_kswapd_extfrag(const struct mms_report_input *in, struct findings *f)
{
	const struct mms_report_window *w = in->window;
	double share = in->window_s > 0 ? w->kswapd_ns / 1e9 / in->window_s : 0;

	if (w->kswapd_runs && share >= KSWAPD_BUSY_SHARE)
		SAY(f, "kswapd_busy", MMS_INFO, share * 100, "percent",
		    "kswapd ran %.0f%% of the window (%llu runs): background reclaim is busy",
		    share * 100, (unsigned long long)w->kswapd_runs);
	if (w->extfrag_fragmenting) {
		double rate = in->window_s > 0 ? w->extfrag_fragmenting / in->window_s : 0;

		SAY(f, "extfrag_fallbacks", rate >= EXTFRAG_WARN_PER_S ? MMS_WARNING : MMS_INFO,
		    (double)w->extfrag_fragmenting, "count", "%llu fragmenting fallbacks (of %llu): "
		    "allocations took pages from another migrate type's pageblock, mixing it",
		    (unsigned long long)w->extfrag_fragmenting,
		    (unsigned long long)w->extfrag_events);
		mms_findings_next(f, "mmscope frag --events");
	}
}

static void judge_oom(const struct mms_report_input *in, struct findings *f)
{
	const struct mms_report_window *w = in->window;

	for (int i = 0; i < w->nr_ooms; i++) {
		const struct mms_report_oom *o = &w->ooms[i];

		SAY(f, "oom_kill", MMS_CRITICAL, 1, "count", "the OOM killer killed `%s` (pid %u) "
		    "in cgroup %s, constraint %s", o->comm, o->pid, o->cgroup[0] ? o->cgroup : "?",
		    o->constraint[0] ? o->constraint : "unknown");
		if (o->cgroup[0] && strcmp(o->cgroup, "/"))
			mms_findings_next(f, "mmscope memcg %s", o->cgroup);
	}
	if (w->oom_kills > (uint64_t)w->nr_ooms)
		SAY(f, "oom_kill", MMS_CRITICAL, (double)(w->oom_kills - (uint64_t)w->nr_ooms),
		    "count", "the OOM killer killed %llu process(es) during the window%s",
		    (unsigned long long)(w->oom_kills - (uint64_t)w->nr_ooms),
		    w->nr_ooms ? " besides those named" : " (the kernel log named none)");
}

uint64_t mms_report_memcg_stalls(const struct mms_report_window *w, const char *path)
{
	for (int i = 0; w->stalls && i < w->nr_stalls; i++)
		if (w->stalls[i].kind == MMS_STALL_MEMCG_RECLAIM && !w->stalls[i].pid &&
		    !strcmp(w->stalls[i].cgroup, path))
			return w->stalls[i].count;
	return 0;
}

/* "109 memcg reclaim stalls, 512 pages scanned, ..." of the counts that moved. */
static void why_reclaim(char *buf, size_t size, uint64_t stalls,
			const struct mms_report_cgroup *c)
{
	const uint64_t v[4] = { stalls, c->pgscan_d, c->refaults_d, c->max_d };
	static const char *const what[4] = { "memcg reclaim stalls", "pages scanned",
					     "refaults", "memory.events max" };
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < 4 && len < size; i++)
		if (v[i])
			len += (size_t)snprintf(buf + len, size - len, "%s%llu %s", len ? ", " : "",
						(unsigned long long)v[i], what[i]);
}

/*
 * A cgroup's memory.pressure, judged like the host's PSI (findings.c): the
 * share of the window its tasks stalled, from total= (microseconds) at both
 * ends; avg10 at the end, which also counts the 10 s before the window, only
 * without a window (--root).
 */
static void judge_memcg_psi(const struct mms_report_input *in, const struct mms_report_cgroup *c,
			    struct findings *f)
{
	double some, full, w = c->window_s > 0 ? c->window_s : in->window_s;

	if (c->has_psi_window && w > 0) {
		some = (double)c->psi_some_us / (w * 1e4);
		full = c->has_full_window ? (double)c->psi_full_us / (w * 1e4) : 0;
		if (full > MEMCG_PSI_FULL_CRIT)
			SAY(f, "memcg_pressure", MMS_CRITICAL, full, "percent",
			    "cgroup %s: all its tasks stalled on memory %.2f%% of the %.1f s "
			    "window (memory.pressure full total)", c->path, full, w);
		else if (some > MEMCG_PSI_SOME_WARN)
			SAY(f, "memcg_pressure", MMS_WARNING, some, "percent",
			    "cgroup %s: some tasks stalled on memory %.2f%% of the %.1f s window "
			    "(memory.pressure some total)", c->path, some, w);
		return;
	}
	if (c->has_psi && c->psi_full10 > MEMCG_PSI_FULL_CRIT)
		SAY(f, "memcg_pressure", MMS_CRITICAL, c->psi_full10, "percent",
		    "cgroup %s: all its tasks stalled on memory %.2f%% of the last 10 s "
		    "(memory.pressure full avg10)", c->path, c->psi_full10);
	else if (c->has_psi && c->psi_some10 > MEMCG_PSI_SOME_WARN)
		SAY(f, "memcg_pressure", MMS_WARNING, c->psi_some10, "percent",
		    "cgroup %s: some tasks stalled on memory %.2f%% of the last 10 s "
		    "(memory.pressure some avg10)", c->path, c->psi_some10);
}

static void judge_cgroups(const struct mms_report_input *in, struct findings *f)
{
	const struct mms_report_window *w = in->window;

	for (int i = 0; i < w->nr_cgroups; i++) {
		const struct mms_report_cgroup *c = &w->cgroups[i];
		bool limited = c->limit != MMS_MEMCG_UNLIMITED && c->limit > 0;
		double use = limited ? (double)c->usage / (double)c->limit : 0;
		/* v1 has no pgscan or memory.events: its reclaim shows in the tracer. */
		uint64_t stalls = mms_report_memcg_stalls(w, c->path);

		if (limited && use >= MEMCG_NEAR_LIMIT &&
		    (c->refaults_d || c->pgscan_d || c->max_d || stalls)) {
			char why[160];

			/* Only what moved: v1 has no pgscan or memory.events to show. */
			why_reclaim(why, sizeof(why), stalls, c);
			SAY(f, "memcg_at_limit", MMS_WARNING, use * 100, "percent",
			    "cgroup %s is at %.0f%% of its limit (%llu of %llu MiB) and reclaiming: "
			    "%s in the window", c->path, use * 100,
			    (unsigned long long)(c->usage >> 20), (unsigned long long)(c->limit >> 20),
			    why);
			mms_findings_next(f, "mmscope reclaim -c %s --min-ms 1", c->path);
		}
		if (c->high_d)
			SAY(f, "memcg_high", MMS_WARNING, (double)c->high_d, "count",
			    "cgroup %s went over memory.high %llu times in the window: its tasks "
			    "were throttled and made to reclaim", c->path,
			    (unsigned long long)c->high_d);
		judge_memcg_psi(in, c, f);
	}
}

static void judge_slab(const struct mms_report_input *in, struct findings *f)
{
	const struct mms_report_window *w = in->window;
	uint64_t a, b, total;

	if (!mms_kv_get(in->meminfo, "SUnreclaim", &b))
		b = 0;
	if (w->meminfo_start && mms_kv_get(w->meminfo_start, "SUnreclaim", &a) && b > a &&
	    in->window_s > 0 && (double)(b - a) / in->window_s >= (double)SLAB_GROWTH_PER_S) {
		SAY(f, "slab_growth", MMS_WARNING, (double)(b - a), "bytes",
		    "unreclaimable slab grew by %llu MiB in %.1f s (SUnreclaim %llu MiB)",
		    (unsigned long long)((b - a) >> 20), in->window_s,
		    (unsigned long long)(b >> 20));
		mms_findings_next(f, "mmscope alloc --diff 10 --sort growth");
	}
	/* Where allocation profiling exists, the site behind the growth. */
	if (w->nr_alloc_sites && in->window_s > 0 &&
	    (double)w->alloc_sites[0].growth / in->window_s >= (double)SLAB_GROWTH_PER_S) {
		SAY(f, "alloc_growth", MMS_WARNING, (double)w->alloc_sites[0].growth, "bytes",
		    "kernel allocations at %s grew by %lld KiB in %.1f s (now %lld KiB)",
		    w->alloc_sites[0].site, (long long)(w->alloc_sites[0].growth >> 10),
		    in->window_s, (long long)(w->alloc_sites[0].bytes >> 10));
		mms_findings_next(f, "mmscope alloc --diff 10 --sort growth");
	}
	if (mms_kv_get(in->meminfo, "MemTotal", &total) && total &&
	    (double)b / (double)total >= SLAB_UNRECLAIM_SHARE) {
		SAY(f, "slab_unreclaimable_large", MMS_INFO, 100.0 * (double)b / (double)total,
		    "percent", "unreclaimable slab holds %.0f%% of memory (%llu MiB)",
		    100.0 * (double)b / (double)total, (unsigned long long)(b >> 20));
		mms_findings_next(f, "mmscope alloc -n 10");
	}
}

/* Watermark boosts and NUMA imbalance, from the zoneinfo of the snapshot. */
static void judge_zoneinfo(const struct mms_report_input *in, struct findings *f)
{
	const struct mms_frag_snapshot *s = in->frag;
	double lo = 2, hi = -1;
	int lo_node = -1, hi_node = -1;

	if (!s)
		return;
	for (int z = 0; z < s->zoneinfo.nr_zones; z++) {
		const struct mms_zoneinfo_zone *zi = &s->zoneinfo.zones[z];

		if (zi->boost)
			SAY(f, "watermark_boost", MMS_INFO, (double)(zi->boost * s->page_size),
			    "bytes", "node %d zone %s has its watermarks boosted by %llu KiB: a "
			    "fragmenting fallback woke kswapd to reclaim and compact",
			    zi->node, zi->zone,
			    (unsigned long long)(zi->boost * s->page_size >> 10));
	}
	for (int n = 0; n < MMS_ZONES_MAX; n++) {
		uint64_t free = 0, managed = 0;

		for (int z = 0; z < s->zoneinfo.nr_zones; z++)
			if (s->zoneinfo.zones[z].node == n) {
				free += s->zoneinfo.zones[z].free;
				managed += s->zoneinfo.zones[z].managed;
			}
		if (!managed)
			continue;
		double share = (double)free / (double)managed;

		if (share < lo)
			lo = share, lo_node = n;
		if (share > hi)
			hi = share, hi_node = n;
	}
	if (lo_node >= 0 && hi_node >= 0 && lo_node != hi_node && lo < NUMA_LOW_FREE &&
	    hi > NUMA_HIGH_FREE) {
		SAY(f, "numa_imbalance", MMS_WARNING, lo * 100, "percent",
		    "NUMA imbalance: node %d has %.0f%% of its memory free, node %d %.0f%%: "
		    "allocations bound to node %d reclaim while node %d idles", lo_node, lo * 100,
		    hi_node, hi * 100, lo_node, hi_node);
		mms_findings_next(f, "mmscope frag");
	}
}

void mms_judge_window(const struct mms_report_input *in, struct findings *f)
{
	judge_zoneinfo(in, f);
	if (!in->window)
		return;
	judge_oom(in, f);
	judge_direct_reclaim(in, f);
	judge_memcg_reclaim(in, f);
	judge_compaction(in, f);
	judge_kswapd_extfrag(in, f);
	judge_cgroups(in, f);
	judge_slab(in, f);
}
