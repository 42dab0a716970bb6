// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope compact: compaction runs of one zone each, one line per run (time, comm,
 * pid, node, zone, order, mode, who, result, latency, passes, and the zone's
 * fragmentation index for the order at the start), or -H histograms per who.
 * The index is computed here with the kernel's formula from the free block
 * counts the BPF program copied out of zone->free_area[] when the run began
 * (exact moment, no /proc/buddyinfo read per event, no kprobe). Mode and result
 * names come from the running kernel's BTF enums. Summary as for reclaim, plus
 * runs per result and the mm_compaction_suitable verdicts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/compact.h"
#include "output/view.h"
#include "cmd/trace_common.h"

static const char *const who_names[MMS_COMPACT_WHO] = { "direct", "kcompactd", "proactive",
							 "manual" };

struct compact_ctx {
	struct cli *cli;
	struct trace_args args;
	struct mms_cgroup_paths *paths;
	struct mms_gfp_layout gfp;
	struct mms_hist hist[MMS_COMPACT_WHO];
	struct groups cg_hists, procs, cgroups;
	uint64_t events, total_ns, by_who[MMS_COMPACT_WHO], by_status[MMS_COMPACT_RESULTS];
	uint64_t start_ns, last_tick_ns;
	bool header;
};

/* The fragmentation index (x1000) at the start, or INT32_MIN when not defined. */
static int frag_index(const struct compact_event *e)
{
	struct mms_contig_info info;

	if (e->order < 0 || e->order >= (int)e->nr_orders || !e->nr_orders ||
	    mms_contig_info((const uint64_t *)e->free_blocks, (int)e->nr_orders, e->order, &info))
		return INT32_MIN;
	return mms_fragmentation_index(&info, e->order, (int)e->nr_orders);
}

static void print_run(struct compact_ctx *c, const struct compact_event *e)
{
	char cg[256], gfp[512], clock[16], mode[32], status[32], idx[16];
	int fi = frag_index(e);

	mms_btf_enum_name("migrate_mode", "MIGRATE_", e->mode, mode, sizeof(mode));
	mms_btf_enum_name("compact_result", "COMPACT_", e->status, status, sizeof(status));
	trace_cgroup_name(c->paths, e->memcg_id, cg, sizeof(cg));
	if (fi == INT32_MIN)
		snprintf(idx, sizeof(idx), "-");
	else
		snprintf(idx, sizeof(idx), "%s%d.%03d", fi < 0 ? "-" : "", abs(fi) / 1000,
			 abs(fi) % 1000);
	if (c->cli->json) {
		json_t *o = json_pack("{s:s,s:I,s:s,s:i,s:i,s:s,s:i,s:s,s:i,s:s,s:s,s:s,s:I,s:i}",
				      "type", "compaction", "ts_ns", (json_int_t)e->ts_ns, "comm",
				      e->comm, "pid", (int)e->pid, "tgid", (int)e->tgid, "cgroup", cg,
				      "node", e->nid, "zone", e->zone, "order", e->order, "mode", mode,
				      "who", who_names[e->who], "result", status, "latency_ns",
				      (json_int_t)e->latency_ns, "passes", (int)e->passes);

		json_object_set_new(o, "fragmentation_index",
				    fi == INT32_MIN ? json_null() : json_real(fi / 1000.0));
		if (e->who == MMS_COMPACT_DIRECT) {
			mms_gfp_format(&c->gfp, e->gfp, gfp, sizeof(gfp));
			json_object_set_new(o, "gfp_flags", json_string(gfp));
			json_object_set_new(o, "priority", json_integer(e->prio));
		}
		trace_json_event(o); /* flushed per drain (trace_common.h) */
		return;
	}
	if (!c->header) {
		printf("%-8s %-16s %7s %4s %-8s %5s %-10s %-9s %-17s %10s %6s %8s\n", "TIME", "COMM",
		       "PID", "NODE", "ZONE", "ORDER", "MODE", "WHO", "RESULT", "LAT(ms)", "PASSES",
		       "FRAGIDX");
		c->header = true;
	}
	printf("%-8s %-16s %7u %4d %-8s %5d %-10s %-9s %-17s %10.3f %6u %8s\n",
	       trace_clock(e->ts_ns, clock), e->comm, e->pid, e->nid, e->zone, e->order, mode,
	       who_names[e->who], status, e->latency_ns / 1e6, e->passes, idx);
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct compact_ctx *c = ctx;
	const struct compact_event *e = data;
	struct group *g;

	if (size < sizeof(*e) || e->who >= MMS_COMPACT_WHO)
		return 0;
	c->events++;
	c->total_ns += e->latency_ns;
	c->by_who[e->who]++;
	if (e->status >= 0 && e->status < MMS_COMPACT_RESULTS)
		c->by_status[e->status]++;
	mms_hist_add(&c->hist[e->who], e->latency_ns);
	if (c->args.per_cgroup && (g = groups_get(&c->cg_hists, e->memcg_id << 2 | e->who))) {
		g->memcg_id = e->memcg_id;
		mms_hist_add(&g->lat.hist, e->latency_ns);
	}
	if ((g = groups_get(&c->procs, e->tgid))) {
		g->pid = e->tgid;
		memcpy(g->comm, e->comm, sizeof(g->comm));
		g->total_ns += e->latency_ns;
		mms_lat_add(&g->lat, e->latency_ns);
	}
	if ((g = groups_get(&c->cgroups, e->memcg_id))) {
		g->memcg_id = e->memcg_id;
		g->total_ns += e->latency_ns;
		mms_lat_add(&g->lat, e->latency_ns);
	}
	if (!c->args.hist)
		print_run(c, e);
	return 0;
}

static void print_hists(struct compact_ctx *c, uint64_t now)
{
	char title[320], cg[256];

	for (int w = 0; w < MMS_COMPACT_WHO; w++) {
		if (c->cli->json) {
			json_emit(json_pack("{s:s,s:I,s:I,s:s,s:o}", "type", "histogram", "ts_ns",
					    (json_int_t)now, "interval_ns",
					    (json_int_t)(now - c->last_tick_ns), "who", who_names[w],
					    "latency", hist_json(&c->hist[w])));
		} else {
			snprintf(title, sizeof(title), "%s compaction latency", who_names[w]);
			hist_print(&c->hist[w], title, stdout);
		}
		memset(&c->hist[w], 0, sizeof(c->hist[w]));
	}
	for (size_t i = 0; i < c->cg_hists.n; i++) {
		struct group *g = &c->cg_hists.v[i];

		if (!g->lat.hist.count)
			continue;
		trace_cgroup_name(c->paths, g->memcg_id, cg, sizeof(cg));
		if (c->cli->json) {
			json_emit(json_pack("{s:s,s:I,s:s,s:s,s:o}", "type", "histogram", "ts_ns",
					    (json_int_t)now, "who", who_names[g->key & 3], "cgroup",
					    cg, "latency", hist_json(&g->lat.hist)));
		} else {
			snprintf(title, sizeof(title), "%s compaction latency, cgroup %s",
				 who_names[g->key & 3], cg);
			hist_print(&g->lat.hist, title, stdout);
		}
		memset(&g->lat.hist, 0, sizeof(g->lat.hist));
	}
	c->last_tick_ns = now;
	fflush(stdout);
}

static int on_tick(void *ctx, uint64_t now)
{
	struct compact_ctx *c = ctx;

	if (!c->cli->json)
		printf("--- %.1f s\n", (now - c->start_ns) / 1e9);
	print_hists(c, now);
	return 0;
}

static void print_summary(struct compact_ctx *c, struct mms_tracer *t,
			  const struct mms_tracer_loss *loss, uint64_t now)
{
	int suitable_fd = mms_tracer_map_fd(t, "suitable");
	json_t *results = json_object(), *suitable = json_object(), *who = json_object();
	char name[32], lost[1200];

	for (int s = 0; s < MMS_COMPACT_RESULTS; s++) {
		uint64_t n = mms_percpu_sum(suitable_fd, (uint32_t)s);

		mms_btf_enum_name("compact_result", "COMPACT_", s, name, sizeof(name));
		if (n)
			json_object_set_new(suitable, name, json_integer((json_int_t)n));
		if (c->by_status[s])
			json_object_set_new(results, name, json_integer((json_int_t)c->by_status[s]));
	}
	for (int w = 0; w < MMS_COMPACT_WHO; w++)
		json_object_set_new(who, who_names[w], json_integer((json_int_t)c->by_who[w]));
	if (c->cli->json) {
		json_t *o = json_pack("{s:s,s:I,s:I,s:I,s:o,s:o,s:o}", "type", "summary", "events",
				      (json_int_t)c->events, "total_ns",
				      (json_int_t)c->total_ns, "duration_ns",
				      (json_int_t)(now - c->start_ns), "who", who, "results", results,
				      "suitable", suitable);

		trace_loss_json(o, loss);
		json_object_set_new(o, "processes", trace_groups_json(&c->procs, c->args.top, "runs", c->paths, true));
		json_object_set_new(o, "cgroups", trace_groups_json(&c->cgroups, c->args.top, "runs", c->paths, false));
		json_emit(o);
		return;
	}
	char *w = json_dumps(who, JSON_COMPACT), *r = json_dumps(results, JSON_COMPACT),
	     *s = json_dumps(suitable, JSON_COMPACT);

	printf("\nsummary over %.1f s: %llu compaction runs, %.3f ms; %s\n"
	       "  by who %s\n  by result %s\n  compaction_suitable verdicts %s\n",
	       (now - c->start_ns) / 1e9, (unsigned long long)c->events, c->total_ns / 1e6,
	       trace_loss_text(loss, lost, sizeof(lost)), w, r, s);
	free(w);
	free(r);
	free(s);
	json_decref(who);
	json_decref(results);
	json_decref(suitable);
	groups_sort(&c->procs, false);
	for (size_t i = 0; i < c->procs.n && (int)i < c->args.top; i++) {
		uint64_t p[3];

		group_percentiles(&c->procs.v[i], p);
		printf("  %-16s %7u runs %llu total %.3f ms p50 %.3f p99 %.3f max %.3f ms\n",
		       c->procs.v[i].comm, c->procs.v[i].pid,
		       (unsigned long long)c->procs.v[i].lat.hist.count,
		       c->procs.v[i].total_ns / 1e6, p[0] / 1e6, p[1] / 1e6, p[2] / 1e6);
	}
}

int cmd_compact(struct cli *cli, int argc, char **argv)
{
	struct compact_ctx *c = calloc(1, sizeof(*c));
	struct mms_tracer_opts topts;
	struct mms_tracer t;
	struct mms_tracer_loss loss;
	uint64_t now;
	char why[600];
	int rc;

	if (!c)
		return cli_fail(cli, EXIT_RUNTIME, "out of memory");
	c->cli = cli;
	rc = trace_args_parse(cli, argc, argv, &c->args);
	if (!rc)
		rc = trace_preflight(cli);
	if (rc)
		goto out;
	if (c->args.interval > 0 || c->args.per_cgroup)
		c->args.hist = true;
	mms_gfp_layout_read(&c->gfp);
	trace_stdout_setup();
	c->paths = trace_cgroup_paths(cli);
	topts = trace_tracer_opts(cli, &c->args, on_event, c);
	rc = mms_compact_tracer_open(&t, &topts, why, sizeof(why));
	if (rc) {
		rc = trace_fail_open(cli, rc, why);
		goto out;
	}
	if (!cli->json)
		fprintf(stderr, "Tracing compaction... Ctrl-C to end.\n");
	c->start_ns = c->last_tick_ns = mms_monotonic_ns();
	rc = trace_run(&t, &c->args, on_tick, c, &now, &loss);

	/* The suitable counters are read from the maps before the object goes. */
	mms_links_destroy(&t.links);
	if (trace_last_hists_due(&c->args, now, c->last_tick_ns))
		print_hists(c, now);
	print_summary(c, &t, &loss, now);
	mms_tracer_close(&t);
	rc = rc ? cli_fail(cli, EXIT_RUNTIME, "ring buffer: %s", strerror(-rc)) : EXIT_DONE;
out:
	groups_free(&c->procs);
	groups_free(&c->cgroups);
	groups_free(&c->cg_hists);
	mms_cgroup_paths_close(c->paths);
	free(c);
	return rc;
}
