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
	struct trace_stats st;                          /* per process, per cgroup */
	uint64_t gfp_last, page_size;                   /* gfp_text()'s cache; bytes */
	bool gfp_valid;
	char gfp_buf[512];
	struct tline line;
	struct mms_hist hist[MMS_RECLAIM_KINDS];        /* this interval */
	uint64_t events, stalls, stalled_ns, kswapd_runs, kswapd_ns;
	uint64_t by_kind[MMS_RECLAIM_KINDS];
	bool header;
};

/* The gfp flags as text: stalls of a workload repeat the same few requests. */
static const char *gfp_text(struct reclaim_ctx *c, uint64_t gfp)
{
	if (!c->gfp_valid || c->gfp_last != gfp) {
		mms_gfp_format(&c->st.gfp, gfp, c->gfp_buf, sizeof(c->gfp_buf));
		c->gfp_last = gfp;
		c->gfp_valid = true;
	}
	return c->gfp_buf;
}

/* Written to the buffered stdout, flushed once per ring-buffer drain (trace_common.h). */
static void print_stall(struct reclaim_ctx *c, const struct reclaim_event *e)
{
	char cg[256], where[64], clock[16], name[TEXT_ESC_SIZE(sizeof(cg))];
	struct tline *l = &c->line;
	const char *gfp;

	trace_cgroup_name(c->st.paths, e->memcg_id, cg, sizeof(cg));
	if (c->cli->json) {
		json_t *o = json_pack("{s:s,s:I,s:o,s:i,s:i,s:o,s:I,s:s,s:i,s:I}",
				      "type", e->kind == MMS_RECLAIM_KSWAPD ? "kswapd" : "stall",
				      "ts_ns", (json_int_t)e->ts_ns, "comm", json_textn(e->comm,
				      strnlen(e->comm, sizeof(e->comm))), "pid", (int)e->pid,
				      "tgid", (int)e->tgid, "cgroup", json_text(cg),
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
	text_escn(e->comm, strnlen(e->comm, sizeof(e->comm)), name, sizeof(name));
	tline_str(l, name, -16);
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
	tline_str(l, text_esc(cg, name, sizeof(name)), -20);
	tline_str(l, " ", 0);
	tline_str(l, gfp, 0);
	tline_put(l, stdout);
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct reclaim_ctx *c = ctx;
	const struct reclaim_event *e = data;

	if (size < sizeof(*e) || e->kind >= MMS_RECLAIM_KINDS)
		return 0;
	c->events++;
	c->by_kind[e->kind]++;
	trace_stats_add_hist(&c->st, e->memcg_id, e->kind, e->latency_ns);
	if (e->kind == MMS_RECLAIM_KSWAPD) {
		c->kswapd_runs++;
		c->kswapd_ns += e->latency_ns;
	} else {
		c->stalls++;
		c->stalled_ns += e->latency_ns;
		trace_stats_add(&c->st, e->tgid, e->comm, e->memcg_id, e->latency_ns);
	}
	if (!c->args.hist)
		print_stall(c, e);
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
			table_cell_text(&t, g->comm);
			table_cell(&t, "%u", g->pid);
		} else {
			table_cell_text(&t, trace_cgroup_name(c->st.paths, g->memcg_id, cg, sizeof(cg)));
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
				      "duration_ns", (json_int_t)(now - c->st.start_ns));

		trace_loss_json(o, loss);
		trace_stats_json(&c->st, o, "stalls");
		json_emit(o);
		return;
	}
	printf("\nsummary over %.1f s: %llu stalls (direct %llu, memcg %llu), stalled %.3f ms; "
	       "kswapd %llu runs, %.3f ms; %s\n",
	       (now - c->st.start_ns) / 1e9, (unsigned long long)c->stalls,
	       (unsigned long long)c->by_kind[MMS_RECLAIM_DIRECT],
	       (unsigned long long)c->by_kind[MMS_RECLAIM_MEMCG], c->stalled_ns / 1e6,
	       (unsigned long long)c->kswapd_runs, c->kswapd_ns / 1e6,
	       trace_loss_text(loss, lost, sizeof(lost)));
	if (c->st.procs.n) {
		printf("per process:\n");
		print_groups(c, &c->st.procs, true);
		printf("per cgroup:\n");
		print_groups(c, &c->st.cgroups, false);
	}
}

static int run_reclaim(struct cli *cli, int argc, char **argv);

/* The options are the tracers' own (trace_common.c). */
const struct command cmd_reclaim = {
	.name = "reclaim",
	.run = run_reclaim,
	.summary = "direct and memcg reclaim stalls, kswapd runs: per stall or histograms",
	.usage = "[-p PID] [-c CGROUP] [--min-ms MS] [-d SECONDS] [-H [--per-cgroup]] [-n N]\n"
		 "         [INTERVAL [COUNT]]\n"
		 "  -p, --pid PID      only this process\n"
		 "  -c, --cgroup PATH  only tasks in this cgroup or below (v1 memory or v2 path)\n"
		 "  --min-ms MS        only stalls at least this long\n"
		 "  -d, --duration S   stop after S seconds\n"
		 "  -H, --hist         log2 latency histograms per kind instead of one line per stall\n"
		 "  --per-cgroup       histograms per cgroup too (implies -H)\n"
		 "  -n, --top N        processes and cgroups in the summary (default 10)\n"
		 "  INTERVAL           print histograms every INTERVAL seconds (implies -H)\n",
};

static int run_reclaim(struct cli *cli, int argc, char **argv)
{
	static const struct trace_kinds kinds = { kind_names, MMS_RECLAIM_KINDS, "kind", "reclaim" };
	struct reclaim_ctx *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return cli_fail(cli, EXIT_RUNTIME, "out of memory");
	c->cli = cli;
	c->page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	rc = trace_stats_start(&c->st, cli, argc, argv, &c->args, &kinds, c->hist,
			       mms_reclaim_tracer_open, on_event, c);
	if (rc)
		goto out;
	if (!cli->json) {
		fprintf(stderr, "Tracing reclaim stalls%s", c->args.filter.cg_path[0] ? " in " : "");
		text_put(stderr, c->args.filter.cg_path, 0);
		fprintf(stderr, "... Ctrl-C to end.\n");
	}
	rc = trace_stats_run(&c->st);
	mms_tracer_close(&c->st.t);
	print_summary(c, &c->st.loss, c->st.now);
	rc = trace_stats_status(&c->st, rc);
out:
	trace_stats_free(&c->st);
	free(c);
	return rc;
}
