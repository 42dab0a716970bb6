// SPDX-License-Identifier: GPL-2.0
/*
 * The tracing collector: the reclaim, compaction and extfrag tracers of
 * lib/trace, attached when the exporter starts and detached when it stops. Each
 * reclaim stall and compaction run comes through the ring buffer and lands in a
 * histogram with fixed exponential buckets (expo.c); extfrag fallbacks are running
 * totals in a BPF map, read on scrape. The ring buffers are drained by the event
 * loop (http.c) and once more at the start of each scrape, so a scrape counts every
 * event that ended before it. Each tracer is optional: one the kernel refuses is
 * left out with a note, the others still serve.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cmd/export/export.h"
#include "lib/trace/tracers.h"
#include "bpf/reclaim.h"
#include "bpf/compact.h"

struct trace_state {
	struct mms_tracer reclaim, compact, extfrag;
	bool have_reclaim, have_compact, have_extfrag;
	struct expo_hist reclaim_hist[MMS_RECLAIM_KINDS];
	struct expo_hist compact_hist[MMS_COMPACT_WHO][MMS_COMPACT_RESULTS];
	uint64_t bad_records; /* records of an unexpected size or kind */
};

static const char *const reclaim_kinds[MMS_RECLAIM_KINDS] = { "direct", "memcg", "kswapd" };
static const char *const compact_who[MMS_COMPACT_WHO] = { "direct", "kcompactd", "proactive",
							  "manual" };

static int on_reclaim(void *ctx, void *data, size_t size)
{
	struct trace_state *s = ctx;
	const struct reclaim_event *ev = data;

	if (size < sizeof(*ev) || ev->kind >= MMS_RECLAIM_KINDS) {
		s->bad_records++;
		return 0;
	}
	expo_hist_add(&s->reclaim_hist[ev->kind], ev->latency_ns);
	return 0;
}

static int on_compact(void *ctx, void *data, size_t size)
{
	struct trace_state *s = ctx;
	const struct compact_event *ev = data;

	if (size < sizeof(*ev) || ev->who >= MMS_COMPACT_WHO || ev->status < 0 ||
	    ev->status >= MMS_COMPACT_RESULTS) {
		s->bad_records++;
		return 0;
	}
	expo_hist_add(&s->compact_hist[ev->who][ev->status], ev->latency_ns);
	return 0;
}

static void note(const struct export_opts *o, const char *what, const char *why)
{
	fprintf(stderr, "mmscope export: %s tracer off: %s\n", what, why);
}

static int trace_open_all(void **state, const struct export_opts *o, char *why, size_t size)
{
	struct trace_state *s;
	struct mms_tracer_opts to = { 0 };
	char msg[600];
	const char *src;

	if (o->no_trace)
		return -EOPNOTSUPP; /* asked for: no note */
	if (!mms_host_is_live(&o->cli->host)) {
		snprintf(why, size, "tracing: not under --root");
		return -EOPNOTSUPP;
	}
	if (o->trace_cgroup) {
		int rc = mms_task_filter_cgroup(&o->cli->host, o->trace_cgroup, &to.filter, why,
						size);

		if (rc)
			return rc == -ENOENT ? -EINVAL : rc;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	to.on_event = on_reclaim;
	to.ctx = s;
	s->have_reclaim = !mms_reclaim_tracer_open(&s->reclaim, &to, msg, sizeof(msg));
	if (!s->have_reclaim)
		note(o, "reclaim", msg);
	to.on_event = on_compact;
	s->have_compact = !mms_compact_tracer_open(&s->compact, &to, msg, sizeof(msg));
	if (!s->have_compact)
		note(o, "compact", msg);
	to.on_event = NULL;
	to.pageblock_order = mms_extfrag_pageblock_order(&src);
	s->have_extfrag = !mms_extfrag_tracer_open(&s->extfrag, &to, msg, sizeof(msg));
	if (!s->have_extfrag)
		note(o, "extfrag", msg);
	if (!s->have_reclaim && !s->have_compact && !s->have_extfrag) {
		free(s);
		snprintf(why, size, "tracing: no tracer could attach");
		return -EOPNOTSUPP;
	}
	*state = s;
	return 0;
}

static void trace_poll(void *state)
{
	struct trace_state *s = state;

	if (s->have_reclaim && s->reclaim.loop.rb)
		ring_buffer__consume(s->reclaim.loop.rb);
	if (s->have_compact && s->compact.loop.rb)
		ring_buffer__consume(s->compact.loop.rb);
}

static void write_self(struct expo *e, struct trace_state *s)
{
	struct { const char *name; struct mms_tracer *t; bool on; } tr[] = {
		{ "reclaim", &s->reclaim, s->have_reclaim },
		{ "compact", &s->compact, s->have_compact },
		{ "extfrag", &s->extfrag, s->have_extfrag },
	};
	struct mms_tracer_loss loss[3];
	char lbl[256];

	for (int i = 0; i < 3; i++)
		if (tr[i].on)
			mms_tracer_loss(tr[i].t, &loss[i]);
	expo_family(e, "mmscope_bpf_lost_events_total", "counter",
		    "Records a tracer's ring buffer had no room for (events lost).");
	for (int i = 0; i < 3; i++)
		if (tr[i].on) {
			snprintf(lbl, sizeof(lbl), "tracer=\"%s\"", tr[i].name);
			expo_sample_u64(e, "", lbl, loss[i].lost);
		}
	expo_family(e, "mmscope_bpf_missed_runs_total", "counter",
		    "Program runs the kernel skipped because the program was already running on that CPU.");
	for (int i = 0; i < 3; i++)
		if (tr[i].on) {
			snprintf(lbl, sizeof(lbl), "tracer=\"%s\"", tr[i].name);
			expo_sample_u64(e, "", lbl, loss[i].missed);
		}
	/* run_time_ns and run_cnt count only while kernel.bpf_stats_enabled is 1: the
	 * exporter does not turn it on (a sysctl for the whole machine). */
	expo_family(e, "mmscope_bpf_run_seconds_total", "counter",
		    "Time the exporter's BPF programs ran (counted only while kernel.bpf_stats_enabled=1).");
	for (int i = 0; i < 3; i++) {
		struct bpf_program *p;

		if (!tr[i].on)
			continue;
		bpf_object__for_each_program(p, tr[i].t->obj) {
			struct bpf_prog_info info;
			__u32 len = sizeof(info);
			int fd = bpf_program__fd(p);

			memset(&info, 0, sizeof(info));
			if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
				continue;
			lbl[0] = 0;
			expo_label(lbl, sizeof(lbl), "tracer", tr[i].name);
			expo_label(lbl, sizeof(lbl), "program", bpf_program__name(p));
			expo_sample(e, "", lbl, info.run_time_ns / 1e9);
		}
	}
	expo_family(e, "mmscope_bpf_bad_records_total", "counter",
		    "Ring buffer records of an unexpected size or kind (dropped).");
	expo_sample_u64(e, "", "", s->bad_records);
}

static int trace_collect(void *state, struct expo *e, const struct export_opts *o)
{
	struct trace_state *s = state;
	char lbl[256], buf[64];

	trace_poll(s);
	if (s->have_reclaim) {
		expo_family(e, "mmscope_reclaim_stall_seconds", "histogram",
			    "Reclaim latency: direct reclaim and memcg reclaim stalls of allocating tasks, kswapd runs (mm_vmscan_* tracepoints).");
		for (int k = 0; k < MMS_RECLAIM_KINDS; k++) {
			snprintf(lbl, sizeof(lbl), "kind=\"%s\"", reclaim_kinds[k]);
			expo_hist_write(e, lbl, &s->reclaim_hist[k]);
		}
	}
	if (s->have_compact) {
		expo_family(e, "mmscope_compaction_seconds", "histogram",
			    "Compaction run latency per zone, by who ran it and the run's result (mm_compaction_* tracepoints).");
		for (int w = 0; w < MMS_COMPACT_WHO; w++)
			for (int r = 0; r < MMS_COMPACT_RESULTS; r++) {
				if (!s->compact_hist[w][r].count)
					continue;
				lbl[0] = 0;
				expo_label(lbl, sizeof(lbl), "who", compact_who[w]);
				expo_label(lbl, sizeof(lbl), "result",
					   mms_btf_enum_name("compact_result", "COMPACT_", r, buf,
							     sizeof(buf)));
				expo_hist_write(e, lbl, &s->compact_hist[w][r]);
			}
	}
	if (s->have_extfrag) {
		struct mms_extfrag_kinds k;
		char b2[64];
		int rc = mms_extfrag_read_kinds(&s->extfrag, &k);

		if (rc)
			return rc;
		expo_family(e, "mmscope_extfrag_fallbacks_total", "counter",
			    "Allocations that fell back to another migrate type's free list (mm_page_alloc_extfrag), fragmenting when the fallback order is below the pageblock order.");
		for (int a = 0; a < MMS_EXTFRAG_TYPES; a++)
			for (int f = 0; f < MMS_EXTFRAG_TYPES; f++)
				for (int fr = 0; fr < 2; fr++) {
					if (!k.n[a][f][fr])
						continue;
					lbl[0] = 0;
					expo_label(lbl, sizeof(lbl), "alloc_migratetype",
						   mms_btf_enum_name("migratetype", "MIGRATE_", a,
								     buf, sizeof(buf)));
					expo_label(lbl, sizeof(lbl), "fallback_migratetype",
						   mms_btf_enum_name("migratetype", "MIGRATE_", f,
								     b2, sizeof(b2)));
					expo_label(lbl, sizeof(lbl), "fragmenting",
						   fr ? "true" : "false");
					expo_sample_u64(e, "", lbl, k.n[a][f][fr]);
				}
	}
	write_self(e, s);
	return 0;
}

static void trace_close_all(void *state)
{
	struct trace_state *s = state;

	if (!s)
		return;
	if (s->have_reclaim)
		mms_tracer_close(&s->reclaim);
	if (s->have_compact)
		mms_tracer_close(&s->compact);
	if (s->have_extfrag)
		mms_tracer_close(&s->extfrag);
	free(s);
}

const struct collector col_trace = {
	.name = "trace",
	.open = trace_open_all,
	.collect = trace_collect,
	.poll = trace_poll,
	.close = trace_close_all,
};
