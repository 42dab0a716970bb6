// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope alloc, bpf-trace backend (kernels without allocation profiling): traces
 * slab and page allocations and frees in the kernel, per call site symbolized as
 * function+offset from /proc/kallsyms, for --diff SECONDS, or printing every
 * INTERVAL, or until SIGINT/SIGTERM. It only sees what happens while it runs: a
 * site's bytes and calls are what it allocated since the start and has not freed,
 * and frees of older memory are counted apart. Every loss is shown.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/alloc/alloc.h"
#include "lib/alloc/alloc_source.h"
#include "lib/alloc/alloc_trace.h"
#include "output/view.h"

static const char *const sort_names[] = { "bytes", "calls", "growth" };
static const char *const stat_keys[ALLOC_STAT_NR] = {
	[ALLOC_STAT_ALLOCS] = "allocs",
	[ALLOC_STAT_FREES] = "frees",
	[ALLOC_STAT_LIVE_FULL] = "untracked_live_map_full",
	[ALLOC_STAT_SITES_FULL] = "dropped_site_map_full",
	[ALLOC_STAT_UNMATCHED_FREES] = "frees_of_older_memory",
	[ALLOC_STAT_NO_STACK] = "page_stacks_lost",
	[ALLOC_STAT_OVERWRITTEN] = "reallocated_without_free_seen",
};

/* Rates over a window shorter than this (a SIGINT right after the start) would be a
 * handful of events divided by microseconds: not shown (null in JSON, "-" in text). */
#define MIN_RATE_WINDOW_S 0.1

#define NOTE "only allocations made while tracing are seen: bytes and calls are what " \
	     "each site allocated since the start and has not freed"

struct trace_site {
	bool page;
	uint64_t ip;
	int64_t bytes, calls;
	uint64_t allocs, alloc_bytes;
	const char *func, *module;
	uint64_t offset;
};

struct trace_run {
	const struct alloc_args *a;
	struct mms_tracer tracer;
	struct mms_ksyms *ks;
	uint32_t sample_every;  /* 1: every allocation tracked */
	struct trace_site *v;
	size_t nr, cap;
	uint64_t start_ns;
	bool failed;
};

static void add_row(void *ctx, const struct mms_alloc_trace_row *row)
{
	struct trace_run *t = ctx;

	if (t->nr == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 1024;
		struct trace_site *v = realloc(t->v, cap * sizeof(*v));

		if (!v) {
			t->failed = true;
			return;
		}
		t->v = v;
		t->cap = cap;
	}
	t->v[t->nr++] = (struct trace_site){ .page = row->page, .ip = row->ip,
		.bytes = row->bytes, .calls = row->calls, .allocs = row->allocs,
		.alloc_bytes = row->alloc_bytes };
}

static int by_place(const void *pa, const void *pb)
{
	const struct trace_site *a = pa, *b = pb;

	if (a->page != b->page)
		return a->page - b->page;
	return a->ip < b->ip ? -1 : a->ip > b->ip;
}

static enum alloc_sort g_sort;

static int by_key(const void *pa, const void *pb)
{
	const struct trace_site *a = pa, *b = pb;
	int64_t x = g_sort == ALLOC_SORT_CALLS ? a->calls : a->bytes;
	int64_t y = g_sort == ALLOC_SORT_CALLS ? b->calls : b->bytes;

	if (x != y)
		return x > y ? -1 : 1;
	return a->alloc_bytes > b->alloc_bytes ? -1 : a->alloc_bytes < b->alloc_bytes;
}

/* Page stacks that end at the same frame are one site: merge, symbolize, filter. */
static void merge_and_filter(struct trace_run *t)
{
	size_t out = 0;

	qsort(t->v, t->nr, sizeof(*t->v), by_place);
	for (size_t i = 0; i < t->nr; i++) {
		struct trace_site *s = &t->v[i];

		if (out && t->v[out - 1].page == s->page && t->v[out - 1].ip == s->ip) {
			struct trace_site *m = &t->v[out - 1];

			m->bytes += s->bytes;
			m->calls += s->calls;
			m->allocs += s->allocs;
			m->alloc_bytes += s->alloc_bytes;
			continue;
		}
		t->v[out++] = *s;
	}
	t->nr = out;
	out = 0;
	for (size_t i = 0; i < t->nr; i++) {
		struct trace_site *s = &t->v[i];
		struct mms_alloc_site site = { .bytes = s->bytes, .calls = (uint64_t)s->calls,
					       .accurate = true, .file = "" };

		s->func = s->ip ? mms_ksyms_find(t->ks, s->ip, &s->offset, &s->module) : NULL;
		if (!s->func) {
			s->func = "?";
			s->offset = s->ip;
			s->module = NULL;
		}
		site.func = s->func;
		site.func_len = strlen(s->func);
		site.module = s->module;
		site.module_len = s->module ? strlen(s->module) : 0;
		if (mms_alloc_filter_match(&t->a->filter, &site))
			t->v[out++] = *s;
	}
	t->nr = out;
	g_sort = t->a->sort;
	qsort(t->v, t->nr, sizeof(*t->v), by_key);
	if (t->a->top && t->nr > (size_t)t->a->top)
		t->nr = t->a->top;
}

static void print_table(struct trace_run *t, double secs, const uint64_t *st)
{
	static const char *const cols[] = { "BYTES", "CALLS", "ALLOCS/s", "ALLOC BYTES/s",
					    "<KIND", "<SITE", "<MODULE" };
	struct table tab;
	char b1[16], b2[16], *label;

	printf("mmscope alloc: bpf-trace, %.1f s; %s\n", secs, NOTE);
	if (t->sample_every > 1)
		printf("sampled: one allocation in about %u is tracked; bytes, calls and rates "
		       "are estimates (that many times the sampled ones); losses count sampled "
		       "allocations\n", t->sample_every);
	printf("events: %" PRIu64 " allocations, %" PRIu64 " frees (%" PRIu64 " of memory "
	       "allocated before the start); lost: %" PRIu64 " untracked (live map full), %"
	       PRIu64 " dropped (site map full), %" PRIu64 " page stacks, %" PRIu64
	       " program runs missed\n", st[ALLOC_STAT_ALLOCS], st[ALLOC_STAT_FREES],
	       st[ALLOC_STAT_UNMATCHED_FREES], st[ALLOC_STAT_LIVE_FULL],
	       st[ALLOC_STAT_SITES_FULL], st[ALLOC_STAT_NO_STACK],
	       mms_tracer_missed(&t->tracer));
	if (secs < MIN_RATE_WINDOW_S)
		printf("window too short for rates: %.3f s traced, rates need %.1f s\n", secs,
		       MIN_RATE_WINDOW_S);
	printf("%zu sites shown, by %s\n", t->nr, sort_names[t->a->sort]);
	table_init(&tab, 7, cols);
	for (size_t i = 0; i < t->nr; i++) {
		const struct trace_site *s = &t->v[i];

		table_cell(&tab, "%s%s", s->bytes < 0 ? "-" : "",
			   fmt_bytes(s->bytes < 0 ? 0 - (uint64_t)s->bytes : (uint64_t)s->bytes, b1));
		table_cell(&tab, "%" PRId64, s->calls);
		if (secs < MIN_RATE_WINDOW_S) {
			table_cell(&tab, "-");
			table_cell(&tab, "-");
		} else {
			table_cell(&tab, "%.1f", s->allocs / secs);
			table_cell(&tab, "%s", fmt_bytes((uint64_t)(s->alloc_bytes / secs), b2));
		}
		table_cell(&tab, "%s", s->page ? "page" : "slab");
		label = text_dupn(s->func, strlen(s->func));
		table_cell(&tab, "%s+0x%" PRIx64, label ? label : "?", s->offset);
		free(label);
		table_cell_text(&tab, s->module);
	}
	table_print(&tab, stdout, "");
	table_free(&tab);
	fflush(stdout);
}

static void print_json(struct trace_run *t, double secs, const uint64_t *st)
{
	json_t *sites = json_array(), *losses = json_object(), *doc;
	bool rates = secs >= MIN_RATE_WINDOW_S;
	char label[160];

	for (int i = 0; i < ALLOC_STAT_NR; i++)
		json_object_set_new(losses, stat_keys[i], json_integer((json_int_t)st[i]));
	json_object_set_new(losses, "program_runs_missed",
			    json_integer((json_int_t)mms_tracer_missed(&t->tracer)));
	for (size_t i = 0; i < t->nr; i++) {
		const struct trace_site *s = &t->v[i];

		snprintf(label, sizeof(label), "%s+0x%" PRIx64, s->func, s->offset);
		json_array_append_new(sites, json_pack(
			"{s:I,s:I,s:n,s:n,s:o,s:I,s:o,s:o,s:b,s:s,s:o,s:o}",
			"bytes", (json_int_t)s->bytes, "calls", (json_int_t)s->calls, "file",
			"line", "func", json_text(s->func), "offset", (json_int_t)s->offset, "site",
			json_text(label), "module", json_text(s->module), "accurate",
			!st[ALLOC_STAT_LIVE_FULL] && !st[ALLOC_STAT_SITES_FULL], "kind",
			s->page ? "page" : "slab", "allocs_per_s",
			rates ? json_real(s->allocs / secs) : json_null(), "alloc_bytes_per_s",
			rates ? json_real(s->alloc_bytes / secs) : json_null()));
	}
	doc = json_pack("{s:s,s:f,s:s,s:I,s:s,s:o,s:o}", "backend", "bpf-trace",
			"duration_s", secs, "note", NOTE, "sample_every",
			(json_int_t)t->sample_every, "sort", sort_names[t->a->sort], "losses",
			losses, "sites", sites);
	if (!rates) {
		snprintf(label, sizeof(label), "window too short for rates: %.3f s traced, rates "
			 "need %.1f s", secs, MIN_RATE_WINDOW_S);
		json_object_set_new(doc, "rates_note", json_string(label));
	}
	json_emit(doc);
}

static int report(struct trace_run *t)
{
	double secs = (cli_now_ns() - t->start_ns) / 1e9;
	uint64_t st[ALLOC_STAT_NR];
	int rc;

	t->nr = 0;
	t->failed = false;
	rc = mms_alloc_trace_read(&t->tracer, t->ks, add_row, t, st);
	if (rc || t->failed)
		return cli_fail(t->a->cli, EXIT_RUNTIME, "reading the site map: %s",
				strerror(rc ? -rc : ENOMEM));
	merge_and_filter(t);
	if (t->a->cli->json)
		print_json(t, secs, st);
	else
		print_table(t, secs, st);
	return 0;
}

int alloc_bpf_trace(const struct alloc_args *a)
{
	struct mms_tracer_opts o = { 0 };
	struct trace_run t = { .a = a };
	char why[512];
	int rc;

	if (!mms_host_is_live(&a->cli->host))
		return cli_fail(a->cli, EXIT_UNSUPPORTED,
				"bpf-trace traces the running kernel: not possible under --root");
	if (a->filter.file || a->filter.has_line || a->filter.accuracy != MMS_ALLOC_ANY)
		return cli_usage(a->cli, "--file, --line, --accurate and --inaccurate need "
				 "allocation profiling (allocinfo): bpf-trace knows call sites "
				 "as function+offset (--func, --module)");
	t.ks = mms_ksyms_load(&a->cli->host);
	if (!t.ks)
		return cli_fail(a->cli, EXIT_UNSUPPORTED, "/proc/kallsyms: %s", errno == EPERM ?
				"addresses hidden (needs root, or kernel.kptr_restrict)" :
				strerror(errno));
	rc = mms_alloc_src_trace.open_tracer(&t.tracer, &o, a->sample_every, why,
					      sizeof(why));
	/* Attached: events count from here (kallsyms is read again below). */
	t.start_ns = cli_now_ns();
	if (rc) {
		mms_ksyms_free(t.ks);
		return cli_fail(a->cli, rc == -EPERM || rc == -EACCES || rc == -ENOENT ||
				rc == -EOPNOTSUPP ? EXIT_UNSUPPORTED : EXIT_RUNTIME, "%s", why);
	}
	/* Read again now that our programs are loaded: their JIT images are in page
	 * allocation stacks (as "[bpf]" symbols), and must be named to be skipped. */
	mms_ksyms_free(t.ks);
	t.ks = mms_ksyms_load(&a->cli->host);
	if (!t.ks) {
		mms_tracer_close(&t.tracer);
		return cli_fail(a->cli, EXIT_RUNTIME, "/proc/kallsyms: %s", strerror(errno));
	}
	t.sample_every = mms_alloc_trace_sample_every(&t.tracer);
	if (a->diff_s > 0) {
		cli_sleep(a->diff_s);
		rc = report(&t);
	} else if (a->repeat) {
		rc = 0;
		for (long n = 0; !rc && (!a->count || n < a->count); n++) {
			if (!cli_sleep(a->interval))
				break;
			rc = report(&t);
			if (!rc && !a->cli->json)
				putchar('\n');
		}
	} else {
		while (cli_sleep(3600))
			;
		rc = report(&t);
	}
	mms_tracer_close(&t.tracer);
	mms_ksyms_free(t.ks);
	free(t.v);
	return rc;
}
