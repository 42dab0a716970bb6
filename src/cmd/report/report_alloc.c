// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel memory in the report's window: where /proc/allocinfo exists (memory
 * allocation profiling, CONFIG_MEM_ALLOC_PROFILING), it is read at both ends
 * and the call sites that grew most are kept. Elsewhere the part is left out
 * and said so; `mmscope alloc` has the BPF backends, too slow to load for a
 * one-second report.
 *
 * The slab allocator's own page allocations (mm/slub.c alloc_slab_page) are
 * left out of the ranking: allocation profiling counts every slab object again
 * at its own call site, so a burst of kmalloc()s would otherwise be named after
 * the slab pages that hold them (the growth behind them is slab_growth's).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/report/report.h"

struct site {
	char key[192];
	int64_t bytes;
};

struct report_alloc {
	struct mms_text_buf buf;
	struct site *v;
	size_t n, cap;
};

/* A site whose bytes are slab pages, counted again at their objects' sites. */
static bool slab_pages(const struct mms_alloc_site *s)
{
	static const char func[] = "alloc_slab_page";

	return s->func_len == sizeof(func) - 1 && !memcmp(s->func, func, sizeof(func) - 1) &&
	       s->file_len >= 3 && !memcmp(s->file, "mm/", 3);
}

static int collect(const struct mms_alloc_site *s, void *ctx)
{
	struct report_alloc *a = ctx;

	if (slab_pages(s))
		return 0;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 1024;
		struct site *v = realloc(a->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		a->v = v;
		a->cap = cap;
	}
	snprintf(a->v[a->n].key, sizeof(a->v[0].key), "%.*s:%u %.*s%s%.*s%s", (int)s->file_len,
		 s->file, s->line, (int)s->func_len, s->func, s->module_len ? " [" : "",
		 (int)s->module_len, s->module, s->module_len ? "]" : "");
	a->v[a->n++].bytes = s->bytes;
	return 0;
}

static int by_key(const void *x, const void *y)
{
	return strcmp(((const struct site *)x)->key, ((const struct site *)y)->key);
}

/* Reads and parses allocinfo into a->v, sorted by site. */
static int snapshot(struct cli *cli, struct report_alloc *a, struct mms_error *err)
{
	int rc = mms_allocinfo_read(&cli->host, &a->buf, err);

	a->n = 0;
	if (!rc)
		rc = mms_parse_allocinfo(a->buf.text, a->buf.len, NULL, collect, a, NULL, err);
	if (!rc)
		qsort(a->v, a->n, sizeof(*a->v), by_key);
	return rc;
}

struct report_alloc *report_alloc_start(struct cli *cli, struct report *r)
{
	struct report_alloc *a;
	struct mms_error err = { 0 };

	if (!mms_host_is_live(&cli->host))
		return NULL;
	a = calloc(1, sizeof(*a));
	if (a && snapshot(cli, a, &err)) {
		report_left_out(r, "kernel_memory", "%s: %s (no allocation profiling: "
				"`mmscope alloc` has BPF backends)", err.file, err.msg);
		report_alloc_free(a);
		return NULL;
	}
	return a;
}

void report_alloc_free(struct report_alloc *a)
{
	if (!a)
		return;
	mms_text_buf_free(&a->buf);
	free(a->v);
	free(a);
}

void report_alloc_finish(struct report_alloc *a, struct cli *cli, struct report *r)
{
	struct site *start;
	size_t nstart;
	struct mms_error err = { 0 };

	if (!a)
		return;
	/* Keep the start's sites: the next snapshot reuses the buffers. */
	start = a->v;
	nstart = a->n;
	a->v = NULL;
	a->n = a->cap = 0;
	if (snapshot(cli, a, &err)) {
		free(start);
		report_alloc_free(a);
		return;
	}
	for (size_t i = 0; i < a->n; i++) {
		struct site *s = bsearch(&a->v[i], start, nstart, sizeof(*start), by_key);
		int64_t growth = a->v[i].bytes - (s ? s->bytes : 0);
		int slot = r->win.nr_alloc_sites;

		if (growth <= 0)
			continue;
		if (slot == REPORT_ALLOC_SITES) {
			if (growth <= r->alloc[slot - 1].growth)
				continue;
			slot--;
		} else {
			r->win.nr_alloc_sites++;
		}
		while (slot > 0 && r->alloc[slot - 1].growth < growth) {
			r->alloc[slot] = r->alloc[slot - 1];
			slot--;
		}
		snprintf(r->alloc[slot].site, sizeof(r->alloc[0].site), "%s", a->v[i].key);
		r->alloc[slot].growth = growth;
		r->alloc[slot].bytes = a->v[i].bytes;
	}
	r->win.alloc_sites = r->alloc;
	r->alloc_read = true;
	free(start);
	report_alloc_free(a);
}
