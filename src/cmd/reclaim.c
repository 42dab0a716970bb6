// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope reclaim: direct and memcg reclaim stalls, one line each (time, comm,
 * pid, memory cgroup, kind, order, latency, pages reclaimed, gfp flags), or with
 * -H log2 latency histograms per kind (and per cgroup with --per-cgroup), printed
 * every INTERVAL and at the end; kswapd runs (wake to sleep) alongside. At exit a
 * summary: stalls, total stalled time, p50/p99/max per process and per cgroup, and
 * the events lost. Filters -p, -c (in BPF), --min-ms (in BPF).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpf/reclaim.h"
#include "output/view.h"
#include "cmd/trace_common.h"

static const char *const kind_names[MMS_RECLAIM_KINDS] = { "direct", "memcg", "kswapd" };

struct reclaim_ctx {
	struct cli *cli;
	struct trace_args args;
	struct mms_cgroup_paths *paths;
	struct mms_gfp_layout gfp;
	uint64_t gfp_last, page_size;                   /* gfp_text()'s cache; bytes */
	bool gfp_valid;
	char gfp_buf[512];
	struct tline line;
	struct mms_hist hist[MMS_RECLAIM_KINDS];        /* this interval */
	struct groups cg_hists;                         /* --per-cgroup: key memcg<<2|kind */
	struct groups procs, cgroups;                   /* stalls, whole run */
	uint64_t events, stalls, stalled_ns, kswapd_runs, kswapd_ns;
	uint64_t by_kind[MMS_RECLAIM_KINDS];
	uint64_t start_ns, last_tick_ns;
	bool header;
};

/* The gfp flags as text: stalls of a workload repeat the same few requests. */
static const char *gfp_text(struct reclaim_ctx *c, uint64_t gfp)
{
	if (!c->gfp_valid || c->gfp_last != gfp) {
		mms_gfp_format(&c->gfp, gfp, c->gfp_buf, sizeof(c->gfp_buf));
		c->gfp_last = gfp;
		c->gfp_valid = true;
	}
	return c->gfp_buf;
}

/* Written to the buffered stdout, flushed once per ring-buffer drain (trace_common.h). */
static void print_stall(struct reclaim_ctx *c, const struct reclaim_event *e)
{
	char cg[256], where[64], clock[16];
	struct tline *l = &c->line;
	const char *gfp;

	trace_cgroup_name(c->paths, e->memcg_id, cg, sizeof(cg));
	if (c->cli->json) {
		json_t *o = json_pack("{s:s,s:I,s:s,s:i,s:i,s:s,s:I,s:s,s:i,s:I}",
				      "type", e->kind == MMS_RECLAIM_KSWAPD ? "kswapd" : "stall",
				      "ts_ns", (json_int_t)e->ts_ns, "comm", e->comm, "pid", (int)e->pid,
				      "tgid", (int)e->tgid, "cgroup", cg,
				      "cgroup_id", (json_int_t)e->memcg_id,
				      "kind", kind_names[e->kind], "order", e->order,
				      "latency_ns", (json_int_t)e->latency_ns);

		if (e->kind == MMS_RECLAIM_KSWAPD) {
			json_object_set_new(o, "node", json_integer(e->nid));
			json_object_set_new(o, "zone_idx", json_integer(e->zid));
		} else {
			json_object_set_new(o, "gfp", json_integer((json_int_t)e->gfp));
			json_object_set_new(o, "gfp_flags", json_string(gfp_text(c, e->gfp)));
			json_object_set_new(o, "nr_reclaimed", json_integer((json_int_t)e->nr_reclaimed));
			json_object_set_new(o, "reclaimed_bytes",
					    json_integer((json_int_t)(e->nr_reclaimed * c->page_size)));
		}
		trace_json_event(o);
		return;
	}
	if (!c->header) {
		printf("%-8s %-16s %7s %-7s %5s %10s %7s  %-20s %s\n", "TIME", "COMM", "PID", "KIND",
		       "ORDER", "LAT(ms)", "PAGES", "CGROUP", "GFP");
		c->header = true;
	}
	if (e->kind == MMS_RECLAIM_KSWAPD) {
		snprintf(where, sizeof(where), "node %d, zone index %d", e->nid, e->zid);
		gfp = where;
	} else {
		gfp = gfp_text(c, e->gfp);
	}
	/* As "%-8s %-16s %7u %-7s %5d %10.3f %7s  %-20s %s\n", without printf's cost. */
	l->len = 0;
	tline_str(l, trace_clock(e->ts_ns, clock), -8);
	tline_str(l, " ", 0);
	tline_str(l, e->comm, -16);
	tline_str(l, " ", 0);
	tline_s64(l, e->pid, 7);
	tline_str(l, " ", 0);
	tline_str(l, kind_names[e->kind], -7);
	tline_str(l, " ", 0);
	tline_s64(l, e->order, 5);
	tline_str(l, " ", 0);
	tline_ms(l, e->latency_ns, 10);
	tline_str(l, " ", 0);
	if (e->kind == MMS_RECLAIM_KSWAPD)
		tline_str(l, "-", 7);
	else
		tline_s64(l, (int64_t)e->nr_reclaimed, 7);
	tline_str(l, "  ", 0);
	tline_str(l, cg, -20);
	tline_str(l, " ", 0);
	tline_str(l, gfp, 0);
	tline_put(l, stdout);
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct reclaim_ctx *c = ctx;
	const struct reclaim_event *e = data;
	struct group *g;

	if (size < sizeof(*e) || e->kind >= MMS_RECLAIM_KINDS)
		return 0;
	c->events++;
	c->by_kind[e->kind]++;
	mms_hist_add(&c->hist[e->kind], e->latency_ns);
	if (c->args.per_cgroup) {
		g = groups_get(&c->cg_hists, e->memcg_id << 2 | e->kind);
		if (g) {
			g->memcg_id = e->memcg_id;
			g->counts[0]++;
			mms_hist_add(&g->lat.hist, e->latency_ns);
		}
	}
	if (e->kind == MMS_RECLAIM_KSWAPD) {
		c->kswapd_runs++;
		c->kswapd_ns += e->latency_ns;
	} else {
		c->stalls++;
		c->stalled_ns += e->latency_ns;
		g = groups_get(&c->procs, e->tgid);
		if (g) {
			g->pid = e->tgid;
			memcpy(g->comm, e->comm, sizeof(g->comm));
			g->total_ns += e->latency_ns;
			mms_lat_add(&g->lat, e->latency_ns);
		}
		g = groups_get(&c->cgroups, e->memcg_id);
		if (g) {
			g->memcg_id = e->memcg_id;
			g->total_ns += e->latency_ns;
			mms_lat_add(&g->lat, e->latency_ns);
		}
	}
	if (!c->args.hist)
		print_stall(c, e);
	return 0;
}

static void print_hists(struct reclaim_ctx *c, uint64_t now)
{
	char title[320], cg[256];

	for (int k = 0; k < MMS_RECLAIM_KINDS; k++) {
		if (c->cli->json) {
			json_t *o = json_pack("{s:s,s:I,s:I,s:s,s:o}", "type", "histogram", "ts_ns",
					      (json_int_t)now, "interval_ns",
					      (json_int_t)(now - c->last_tick_ns), "kind",
					      kind_names[k], "latency", hist_json(&c->hist[k]));

			json_emit(o);
		} else {
			snprintf(title, sizeof(title), "%s reclaim latency", kind_names[k]);
			hist_print(&c->hist[k], title, stdout);
		}
		memset(&c->hist[k], 0, sizeof(c->hist[k]));
	}
	for (size_t i = 0; i < c->cg_hists.n; i++) {
		struct group *g = &c->cg_hists.v[i];
		int kind = (int)(g->key & 3);

		if (!g->lat.hist.count)
			continue;
		trace_cgroup_name(c->paths, g->memcg_id, cg, sizeof(cg));
		if (c->cli->json) {
			json_emit(json_pack("{s:s,s:I,s:s,s:s,s:o}", "type", "histogram", "ts_ns",
					    (json_int_t)now, "kind", kind_names[kind], "cgroup", cg,
					    "latency", hist_json(&g->lat.hist)));
		} else {
			snprintf(title, sizeof(title), "%s reclaim latency, cgroup %s",
				 kind_names[kind], cg);
			hist_print(&g->lat.hist, title, stdout);
		}
		memset(&g->lat.hist, 0, sizeof(g->lat.hist));
	}
	c->last_tick_ns = now;
	fflush(stdout);
}

static int on_tick(void *ctx, uint64_t now)
{
	struct reclaim_ctx *c = ctx;

	if (!c->cli->json)
		printf("--- %.1f s\n", (now - c->start_ns) / 1e9);
	print_hists(c, now);
	return 0;
}

static void print_groups(struct reclaim_ctx *c, struct groups *gs, bool procs)
{
	const char *hdr_p[] = { "<COMM", "PID", "STALLS", "TOTAL(ms)", "P50(ms)", "P99(ms)", "MAX(ms)" };
	const char *hdr_c[] = { "<CGROUP", "STALLS", "TOTAL(ms)", "P50(ms)", "P99(ms)", "MAX(ms)" };
	struct table t;
	char cg[256];

	groups_sort(gs, false);
	table_init(&t, procs ? 7 : 6, procs ? hdr_p : hdr_c);
	for (size_t i = 0; i < gs->n && (int)i < c->args.top; i++) {
		struct group *g = &gs->v[i];
		uint64_t p[3];

		group_percentiles(g, p);
		if (procs) {
			table_cell(&t, "%s", g->comm);
			table_cell(&t, "%u", g->pid);
		} else {
			table_cell(&t, "%s", trace_cgroup_name(c->paths, g->memcg_id, cg, sizeof(cg)));
		}
		table_cell(&t, "%llu", (unsigned long long)g->lat.hist.count);
		table_cell(&t, "%.3f", g->total_ns / 1e6);
		table_cell(&t, "%.3f", p[0] / 1e6);
		table_cell(&t, "%.3f", p[1] / 1e6);
		table_cell(&t, "%.3f", p[2] / 1e6);
	}
	table_print(&t, stdout, "  ");
	table_free(&t);
}

static void print_summary(struct reclaim_ctx *c, const struct mms_tracer_loss *loss,
			  uint64_t now)
{
	char lost[1200];

	if (c->cli->json) {
		json_t *o = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "type", "summary",
				      "events", (json_int_t)c->events,
				      "stalls", (json_int_t)c->stalls, "stalled_ns",
				      (json_int_t)c->stalled_ns, "direct",
				      (json_int_t)c->by_kind[MMS_RECLAIM_DIRECT], "memcg",
				      (json_int_t)c->by_kind[MMS_RECLAIM_MEMCG], "kswapd_runs",
				      (json_int_t)c->kswapd_runs, "kswapd_ns", (json_int_t)c->kswapd_ns,
				      "duration_ns", (json_int_t)(now - c->start_ns));

		trace_loss_json(o, loss);
		json_object_set_new(o, "processes", trace_groups_json(&c->procs, c->args.top, "stalls", c->paths, true));
		json_object_set_new(o, "cgroups", trace_groups_json(&c->cgroups, c->args.top, "stalls", c->paths, false));
		json_emit(o);
		return;
	}
	printf("\nsummary over %.1f s: %llu stalls (direct %llu, memcg %llu), stalled %.3f ms; "
	       "kswapd %llu runs, %.3f ms; %s\n",
	       (now - c->start_ns) / 1e9, (unsigned long long)c->stalls,
	       (unsigned long long)c->by_kind[MMS_RECLAIM_DIRECT],
	       (unsigned long long)c->by_kind[MMS_RECLAIM_MEMCG], c->stalled_ns / 1e6,
	       (unsigned long long)c->kswapd_runs, c->kswapd_ns / 1e6,
	       trace_loss_text(loss, lost, sizeof(lost)));
	if (c->procs.n) {
		printf("per process:\n");
		print_groups(c, &c->procs, true);
		printf("per cgroup:\n");
		print_groups(c, &c->cgroups, false);
	}
}

int cmd_reclaim(struct cli *cli, int argc, char **argv)
{
	struct reclaim_ctx *c = calloc(1, sizeof(*c));
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
	/* INTERVAL means periodic histograms. */
	if (c->args.interval > 0)
		c->args.hist = true;
	if (c->args.per_cgroup)
		c->args.hist = true;
	mms_gfp_layout_read(&c->gfp);
	c->page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	trace_stdout_setup();
	c->paths = trace_cgroup_paths(cli);
	topts = trace_tracer_opts(cli, &c->args, on_event, c);
	rc = mms_reclaim_tracer_open(&t, &topts, why, sizeof(why));
	if (rc) {
		rc = trace_fail_open(cli, rc, why);
		goto out;
	}
	if (!cli->json)
		fprintf(stderr, "Tracing reclaim stalls%s%s... Ctrl-C to end.\n",
			c->args.filter.cg_path[0] ? " in " : "", c->args.filter.cg_path);
	c->start_ns = c->last_tick_ns = mms_monotonic_ns();
	rc = trace_run(&t, &c->args, on_tick, c, &now, &loss);

	/* Detach before printing: the summary is about a closed window. */
	mms_tracer_close(&t);
	if (trace_last_hists_due(&c->args, now, c->last_tick_ns))
		print_hists(c, now);
	print_summary(c, &loss, now);
	rc = rc ? cli_fail(cli, EXIT_RUNTIME, "ring buffer: %s", strerror(-rc)) : EXIT_DONE;
out:
	groups_free(&c->procs);
	groups_free(&c->cgroups);
	groups_free(&c->cg_hists);
	mms_cgroup_paths_close(c->paths);
	free(c);
	return rc;
}
