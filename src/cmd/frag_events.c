// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope frag --events: external fragmentation events (kmem:mm_page_alloc_extfrag,
 * the allocator stealing from another migrate type's free list) counted per
 * interval (default 1 s), split into fragmenting (fallback order below the
 * pageblock order: the block now mixes migrate types) and not, by allocating
 * and fallback migrate type (names from the kernel's BTF enum migratetype), with
 * the processes that caused most of them. The BPF side keeps running totals
 * (events can come thousands a second: no per-event record); each interval is
 * the difference of two reads. At the end, the last partial interval and a
 * summary over the whole run, so the intervals always add up to the summary.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/view.h"
#include "cmd/trace_common.h"

/* One process's events in an interval, for the top list. */
struct proc_delta {
	uint32_t tgid;
	char comm[16];
	uint64_t events, fragmenting;
};

struct fe_ctx {
	struct cli *cli;
	struct trace_args args;
	struct mms_tracer t;
	int pageblock_order;
	const char *pageblock_source;
	struct mms_extfrag_kinds seen;  /* running totals at the last read */
	struct mms_extfrag_kinds total; /* sum of the intervals */
	/* Per process: counts[0] events, [1] fragmenting over the run; [2], [3] the
	 * running totals of its map row at the last read. */
	struct groups procs;
	struct proc_delta *delta;       /* this interval's processes */
	size_t nr_delta, cap_delta;
	uint64_t start_ns, last_ns;
};

static const char *mt_name(int mt, char *buf, size_t size)
{
	return mms_btf_enum_name("migratetype", "MIGRATE_", mt, buf, size);
}

static void on_proc(void *ctx, const struct mms_extfrag_proc_row *row)
{
	struct fe_ctx *c = ctx;
	struct group *g = groups_get(&c->procs, row->tgid);
	uint64_t ev, fr;

	if (!g)
		return;
	/* A row recreated after a prune starts from zero again. */
	ev = row->events >= g->counts[2] ? row->events - g->counts[2] : row->events;
	fr = row->fragmenting >= g->counts[3] ? row->fragmenting - g->counts[3] : row->fragmenting;
	g->pid = row->tgid;
	memcpy(g->comm, row->comm, sizeof(g->comm));
	g->counts[0] += ev;
	g->counts[1] += fr;
	g->counts[2] = row->gone ? 0 : row->events;
	g->counts[3] = row->gone ? 0 : row->fragmenting;
	if (!ev)
		return;
	if (c->nr_delta == c->cap_delta) {
		size_t cap = c->cap_delta ? c->cap_delta * 2 : 64;
		struct proc_delta *d = realloc(c->delta, cap * sizeof(*d));

		if (!d)
			return;
		c->delta = d;
		c->cap_delta = cap;
	}
	c->delta[c->nr_delta++] = (struct proc_delta){ .tgid = row->tgid, .events = ev,
						       .fragmenting = fr };
	memcpy(c->delta[c->nr_delta - 1].comm, row->comm, sizeof(row->comm));
}

static int by_events(const void *a, const void *b)
{
	const struct proc_delta *x = a, *y = b;

	return x->events < y->events ? 1 : x->events > y->events ? -1 : 0;
}

static json_t *pid_json(uint32_t tgid)
{
	return tgid == MMS_EXTFRAG_OTHER_TGID ? json_null() : json_integer(tgid);
}

/* {"alloc", "fallback", "events", "fragmenting"} for every kind with events. */
static json_t *kinds_json(const struct mms_extfrag_kinds *k)
{
	json_t *a = json_array();
	char an[32], fn[32];

	for (int i = 0; i < MMS_EXTFRAG_TYPES; i++)
		for (int j = 0; j < MMS_EXTFRAG_TYPES; j++) {
			uint64_t n = k->n[i][j][0] + k->n[i][j][1];

			if (!n)
				continue;
			json_array_append_new(a, json_pack("{s:s,s:s,s:I,s:I}", "alloc",
							   mt_name(i, an, sizeof(an)), "fallback",
							   mt_name(j, fn, sizeof(fn)), "events",
							   (json_int_t)n, "fragmenting",
							   (json_int_t)k->n[i][j][1]));
		}
	return a;
}

static void kinds_sum(const struct mms_extfrag_kinds *k, uint64_t *events, uint64_t *frag)
{
	*events = *frag = 0;
	for (int i = 0; i < MMS_EXTFRAG_TYPES; i++)
		for (int j = 0; j < MMS_EXTFRAG_TYPES; j++) {
			*events += k->n[i][j][0] + k->n[i][j][1];
			*frag += k->n[i][j][1];
		}
}

static void kinds_table(const struct mms_extfrag_kinds *k)
{
	static const char *const hdr[] = { "<ALLOC", "<FALLBACK", "EVENTS", "FRAGMENTING" };
	struct table t;
	char an[32], fn[32];

	table_init(&t, 4, hdr);
	for (int i = 0; i < MMS_EXTFRAG_TYPES; i++)
		for (int j = 0; j < MMS_EXTFRAG_TYPES; j++) {
			uint64_t n = k->n[i][j][0] + k->n[i][j][1];

			if (!n)
				continue;
			table_cell(&t, "%s", mt_name(i, an, sizeof(an)));
			table_cell(&t, "%s", mt_name(j, fn, sizeof(fn)));
			table_cell(&t, "%llu", (unsigned long long)n);
			table_cell(&t, "%llu", (unsigned long long)k->n[i][j][1]);
		}
	table_print(&t, stdout, "  ");
	table_free(&t);
}

static void procs_table(const struct proc_delta *d, size_t n, int top)
{
	static const char *const hdr[] = { "PID", "<COMM", "EVENTS", "FRAGMENTING" };
	struct table t;

	table_init(&t, 4, hdr);
	for (size_t i = 0; i < n && (int)i < top; i++) {
		if (d[i].tgid == MMS_EXTFRAG_OTHER_TGID)
			table_cell(&t, "-");
		else
			table_cell(&t, "%u", d[i].tgid);
		table_cell_text(&t, d[i].comm);
		table_cell(&t, "%llu", (unsigned long long)d[i].events);
		table_cell(&t, "%llu", (unsigned long long)d[i].fragmenting);
	}
	table_print(&t, stdout, "  ");
	table_free(&t);
}

static json_t *procs_json(const struct proc_delta *d, size_t n, int top)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n && (int)i < top; i++)
		json_array_append_new(a, json_pack("{s:o,s:o,s:I,s:I}", "comm",
						   json_textn(d[i].comm, strnlen(d[i].comm,
										 sizeof(d[i].comm))),
						   "pid",
						   pid_json(d[i].tgid), "events",
						   (json_int_t)d[i].events, "fragmenting",
						   (json_int_t)d[i].fragmenting));
	return a;
}

/*
 * Reads the counters, prints the interval since the last read, and keeps the
 * sums. With skip_empty, an interval without events prints nothing (the tail
 * after the last of COUNT intervals).
 */
static int interval(struct fe_ctx *c, uint64_t now, bool skip_empty)
{
	struct mms_extfrag_kinds cur, d;
	uint64_t events, frag;
	char clock[16];
	int err = mms_extfrag_read_kinds(&c->t, &cur);

	if (err)
		return err;
	for (int i = 0; i < MMS_EXTFRAG_TYPES; i++)
		for (int j = 0; j < MMS_EXTFRAG_TYPES; j++)
			for (int f = 0; f < 2; f++) {
				d.n[i][j][f] = cur.n[i][j][f] - c->seen.n[i][j][f];
				c->total.n[i][j][f] += d.n[i][j][f];
			}
	c->seen = cur;
	c->nr_delta = 0;
	err = mms_extfrag_read_procs(&c->t, on_proc, c);
	if (err)
		return err;
	qsort(c->delta, c->nr_delta, sizeof(*c->delta), by_events);
	kinds_sum(&d, &events, &frag);
	if (skip_empty && !events)
		return 0;
	if (c->cli->json) {
		json_t *o = json_pack("{s:s,s:I,s:I,s:I,s:I}", "type", "interval", "ts_ns",
				      (json_int_t)now, "interval_ns", (json_int_t)(now - c->last_ns),
				      "events", (json_int_t)events, "fragmenting", (json_int_t)frag);

		json_object_set_new(o, "by_migratetype", kinds_json(&d));
		json_object_set_new(o, "top", procs_json(c->delta, c->nr_delta, c->args.top));
		json_emit(o);
	} else {
		printf("%s  %llu extfrag events, %llu fragmenting\n", trace_clock(now, clock),
		       (unsigned long long)events, (unsigned long long)frag);
		if (events) {
			kinds_table(&d);
			procs_table(c->delta, c->nr_delta, c->args.top);
		}
		fflush(stdout);
	}
	c->last_ns = now;
	return 0;
}

static int on_tick(void *ctx, uint64_t now)
{
	struct fe_ctx *c = ctx;
	int err = interval(c, now, false);

	if (err)
		fprintf(stderr, "mmscope: frag --events: reading the counters: %s\n", strerror(-err));
	return err;
}

static void print_summary(struct fe_ctx *c, const struct mms_tracer_loss *loss, uint64_t now)
{
	char lost[1200];
	struct proc_delta *all = calloc(c->procs.n ? c->procs.n : 1, sizeof(*all));
	uint64_t events, frag;
	size_t n = 0;

	kinds_sum(&c->total, &events, &frag);
	for (size_t i = 0; all && i < c->procs.n; i++) {
		const struct group *g = &c->procs.v[i];

		if (!g->counts[0])
			continue;
		all[n] = (struct proc_delta){ .tgid = (uint32_t)g->key, .events = g->counts[0],
					      .fragmenting = g->counts[1] };
		memcpy(all[n++].comm, g->comm, sizeof(g->comm));
	}
	if (all)
		qsort(all, n, sizeof(*all), by_events);
	if (c->cli->json) {
		json_t *o = json_pack("{s:s,s:I,s:I,s:I,s:i,s:s}", "type", "summary", "events",
				      (json_int_t)events, "fragmenting",
				      (json_int_t)frag, "duration_ns",
				      (json_int_t)(now - c->start_ns), "pageblock_order",
				      c->pageblock_order, "pageblock_order_source",
				      c->pageblock_source);

		trace_loss_json(o, loss);
		json_object_set_new(o, "by_migratetype", kinds_json(&c->total));
		json_object_set_new(o, "processes", procs_json(all, n, c->args.top));
		json_emit(o);
	} else {
		printf("\nsummary over %.1f s: %llu extfrag events, %llu fragmenting "
		       "(pageblock order %d, %s); %s\n",
		       (now - c->start_ns) / 1e9, (unsigned long long)events,
		       (unsigned long long)frag, c->pageblock_order,
		       !strcmp(c->pageblock_source, "default") ? "default" :
								  "from /proc/pagetypeinfo",
		       trace_loss_text(loss, lost, sizeof(lost)));
		if (events) {
			kinds_table(&c->total);
			procs_table(all, n, c->args.top);
		}
	}
	free(all);
}

int frag_events_run(struct cli *cli, int argc, char **argv)
{
	struct fe_ctx *c = calloc(1, sizeof(*c));
	struct mms_tracer_opts topts = { 0 };
	struct mms_evloop_opts lopts;
	int rc;

	if (!c)
		return cli_fail(cli, EXIT_RUNTIME, "out of memory");
	c->cli = cli;
	rc = trace_setup(cli, argc, argv, TRACE_COUNTS, &c->args);
	if (rc)
		goto out;
	c->pageblock_order = mms_extfrag_pageblock_order(&c->pageblock_source);
	topts.pageblock_order = c->pageblock_order;
	rc = trace_open(cli, &c->args, &topts, mms_extfrag_tracer_open, &c->t);
	if (rc)
		goto out;
	if (!cli->json)
		fprintf(stderr, "Counting extfrag events (pageblock order %d, %s)... Ctrl-C to end.\n",
			c->pageblock_order,
			!strcmp(c->pageblock_source, "default") ? "default" : "from /proc/pagetypeinfo");
	c->start_ns = c->last_ns = mms_monotonic_ns();
	trace_loop_opts(&c->args, &lopts, on_tick, c);
	rc = mms_evloop_run(&c->t.loop, &lopts);
	/* Detach first: the counters read last are then final. */
	mms_links_destroy(&c->t.links);
	uint64_t now = mms_monotonic_ns();
	struct mms_tracer_loss loss;

	mms_tracer_loss(&c->t, &loss);

	/* The partial last interval, so the intervals add up to the summary. */
	if (!rc)
		rc = interval(c, now, now - c->last_ns < 100000000);
	if (!rc)
		print_summary(c, &loss, now);
	mms_tracer_close(&c->t);
	rc = rc ? cli_fail(cli, EXIT_RUNTIME, "reading the extfrag counters: %s", strerror(-rc)) :
		  EXIT_DONE;
out:
	groups_free(&c->procs);
	free(c->delta);
	free(c);
	return rc;
}
