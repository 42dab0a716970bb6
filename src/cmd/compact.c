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
	struct trace_stats st;
	struct mms_hist hist[MMS_COMPACT_WHO];
	uint64_t events, total_ns, by_who[MMS_COMPACT_WHO], by_status[MMS_COMPACT_RESULTS];
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
	trace_cgroup_name(c->st.paths, e->memcg_id, cg, sizeof(cg));
	if (fi == INT32_MIN)
		snprintf(idx, sizeof(idx), "-");
	else
		snprintf(idx, sizeof(idx), "%s%d.%03d", fi < 0 ? "-" : "", abs(fi) / 1000,
			 abs(fi) % 1000);
	if (c->cli->json) {
		json_t *o = json_pack("{s:s,s:I,s:o,s:i,s:i,s:o,s:i,s:s,s:i,s:s,s:s,s:s,s:I,s:i}",
				      "type", "compaction", "ts_ns", (json_int_t)e->ts_ns, "comm",
				      json_textn(e->comm, strnlen(e->comm, sizeof(e->comm))),
				      "pid", (int)e->pid, "tgid", (int)e->tgid, "cgroup", json_text(cg),
				      "node", e->nid, "zone", e->zone, "order", e->order, "mode", mode,
				      "who", who_names[e->who], "result", status, "latency_ns",
				      (json_int_t)e->latency_ns, "passes", (int)e->passes);

		json_object_set_new(o, "fragmentation_index",
				    fi == INT32_MIN ? json_null() : json_real(fi / 1000.0));
		if (e->who == MMS_COMPACT_DIRECT) {
			mms_gfp_format(&c->st.gfp, e->gfp, gfp, sizeof(gfp));
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
	printf("%-8s ", trace_clock(e->ts_ns, clock));
	text_put(stdout, e->comm, -16);
	printf(" %7u %4d %-8s %5d %-10s %-9s %-17s %10.3f %6u %8s\n", e->pid, e->nid, e->zone,
	       e->order, mode, who_names[e->who], status, e->latency_ns / 1e6, e->passes, idx);
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct compact_ctx *c = ctx;
	const struct compact_event *e = data;

	if (size < sizeof(*e) || e->who >= MMS_COMPACT_WHO)
		return 0;
	c->events++;
	c->total_ns += e->latency_ns;
	c->by_who[e->who]++;
	if (e->status >= 0 && e->status < MMS_COMPACT_RESULTS)
		c->by_status[e->status]++;
	trace_stats_add_hist(&c->st, e->memcg_id, e->who, e->latency_ns);
	trace_stats_add(&c->st, e->tgid, e->comm, e->memcg_id, e->latency_ns);
	if (!c->args.hist)
		print_run(c, e);
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
				      (json_int_t)(now - c->st.start_ns), "who", who, "results", results,
				      "suitable", suitable);

		trace_loss_json(o, loss);
		trace_stats_json(&c->st, o, "runs");
		json_emit(o);
		return;
	}
	char *w = json_dumps(who, JSON_COMPACT), *r = json_dumps(results, JSON_COMPACT),
	     *s = json_dumps(suitable, JSON_COMPACT);

	printf("\nsummary over %.1f s: %llu compaction runs, %.3f ms; %s\n"
	       "  by who %s\n  by result %s\n  compaction_suitable verdicts %s\n",
	       (now - c->st.start_ns) / 1e9, (unsigned long long)c->events, c->total_ns / 1e6,
	       trace_loss_text(loss, lost, sizeof(lost)), w, r, s);
	free(w);
	free(r);
	free(s);
	json_decref(who);
	json_decref(results);
	json_decref(suitable);
	groups_sort(&c->st.procs, false);
	for (size_t i = 0; i < c->st.procs.n && (int)i < c->args.top; i++) {
		uint64_t p[3];

		group_percentiles(&c->st.procs.v[i], p);
		printf("  ");
		text_put(stdout, c->st.procs.v[i].comm, -16);
		printf(" %7u runs %llu total %.3f ms p50 %.3f p99 %.3f max %.3f ms\n",
		       c->st.procs.v[i].pid,
		       (unsigned long long)c->st.procs.v[i].lat.hist.count,
		       c->st.procs.v[i].total_ns / 1e6, p[0] / 1e6, p[1] / 1e6, p[2] / 1e6);
	}
}

static int run_compact(struct cli *cli, int argc, char **argv);

/* The options are the tracers' own (trace_common.c). */
const struct command cmd_compact = {
	.name = "compact",
	.run = run_compact,
	.summary = "compaction runs: who, zone, order, mode, result, latency, frag index",
	.usage = "[-p PID] [-c CGROUP] [--min-ms MS] [-d SECONDS] [-H [--per-cgroup]] [-n N]\n"
		 "         [INTERVAL [COUNT]]\n"
		 "  (options as for reclaim)\n",
};

static int run_compact(struct cli *cli, int argc, char **argv)
{
	static const struct trace_kinds kinds = { who_names, MMS_COMPACT_WHO, "who", "compaction" };
	struct compact_ctx *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return cli_fail(cli, EXIT_RUNTIME, "out of memory");
	c->cli = cli;
	rc = trace_stats_start(&c->st, cli, argc, argv, &c->args, &kinds, c->hist,
			       mms_compact_tracer_open, on_event, c);
	if (rc)
		goto out;
	if (!cli->json)
		fprintf(stderr, "Tracing compaction... Ctrl-C to end.\n");
	rc = trace_stats_run(&c->st);
	/* The suitable counters are read from the maps before the object goes. */
	print_summary(c, &c->st.t, &c->st.loss, c->st.now);
	mms_tracer_close(&c->st.t);
	rc = trace_stats_status(&c->st, rc);
out:
	trace_stats_free(&c->st);
	free(c);
	return rc;
}
