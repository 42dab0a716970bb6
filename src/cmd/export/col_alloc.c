// SPDX-License-Identifier: GPL-2.0
/*
 * The allocation-profiling collector (--alloc-sites N): the N call sites holding
 * the most kernel memory, from /proc/allocinfo (kernels with
 * CONFIG_MEM_ALLOC_PROFILING), parsed on each scrape without allocating; the rest
 * summed into one series so the total stays right. Off unless N > 0, and off with
 * a note when the kernel has no allocinfo.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/export/export.h"

struct top_site {
	int64_t bytes;
	uint64_t calls;
	uint32_t line;
	char file[128], func[96], module[64];
};

struct alloc_state {
	struct mms_text_buf buf;
	int max, nr;
	struct top_site *top;   /* largest first */
	int64_t other_bytes;
	uint64_t other_calls;
};

static int alloc_open(void **state, const struct export_opts *o, char *why, size_t size)
{
	struct alloc_state *s;
	struct mms_error err = { 0 };
	int rc;

	if (!o->alloc_sites)
		return -EOPNOTSUPP; /* not asked for: no note */
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	rc = mms_allocinfo_read(&o->cli->host, &s->buf, &err);
	if (rc) {
		snprintf(why, size, "%s: %s (allocation profiling needs CONFIG_MEM_ALLOC_PROFILING)",
			 err.file[0] ? err.file : "/proc/allocinfo", strerror(-rc));
		mms_text_buf_free(&s->buf);
		free(s);
		return -EOPNOTSUPP;
	}
	s->max = o->alloc_sites;
	s->top = calloc((size_t)s->max, sizeof(*s->top));
	if (!s->top) {
		mms_text_buf_free(&s->buf);
		free(s);
		return -ENOMEM;
	}
	*state = s;
	return 0;
}

static void copy(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = 0;
}

/* Keeps the largest max sites by bytes (insertion into a sorted array: N is small). */
static int on_site(const struct mms_alloc_site *site, void *ctx)
{
	struct alloc_state *s = ctx;
	struct top_site *t;
	int i;

	if (s->nr == s->max && site->bytes <= s->top[s->nr - 1].bytes) {
		s->other_bytes += site->bytes;
		s->other_calls += site->calls;
		return 0;
	}
	if (s->nr == s->max) {
		s->other_bytes += s->top[s->nr - 1].bytes;
		s->other_calls += s->top[s->nr - 1].calls;
		s->nr--;
	}
	for (i = s->nr; i > 0 && s->top[i - 1].bytes < site->bytes; i--)
		s->top[i] = s->top[i - 1];
	t = &s->top[i];
	t->bytes = site->bytes;
	t->calls = site->calls;
	t->line = site->line;
	copy(t->file, sizeof(t->file), site->file, site->file_len);
	copy(t->func, sizeof(t->func), site->func, site->func_len);
	copy(t->module, sizeof(t->module), site->module, site->module_len);
	s->nr++;
	return 0;
}

static void site_labels(char *lbl, size_t size, const struct top_site *t)
{
	lbl[0] = 0;
	expo_label(lbl, size, "file", t->file);
	expo_label_int(lbl, size, "line", t->line);
	expo_label(lbl, size, "function", t->func);
	expo_label(lbl, size, "module", t->module);
}

static int alloc_collect(void *state, struct expo *e, const struct export_opts *o)
{
	struct alloc_state *s = state;
	struct mms_error err = { 0 };
	char lbl[1024];
	int rc = mms_allocinfo_read(&o->cli->host, &s->buf, &err);

	if (rc)
		return rc;
	s->nr = 0;
	s->other_bytes = 0;
	s->other_calls = 0;
	rc = mms_parse_allocinfo(s->buf.text, s->buf.len, NULL, on_site, s, NULL, &err);
	if (rc)
		return rc;
	expo_family(e, "mmscope_alloc_site_bytes", "gauge",
		    "Kernel memory allocated from a call site and not freed (/proc/allocinfo), the --alloc-sites largest; the rest in site=\"other\".");
	for (int i = 0; i < s->nr; i++) {
		site_labels(lbl, sizeof(lbl), &s->top[i]);
		expo_sample(e, "", lbl, (double)s->top[i].bytes);
	}
	expo_sample(e, "", "site=\"other\"", (double)s->other_bytes);
	expo_family(e, "mmscope_alloc_site_allocations", "gauge",
		    "Live allocations from the call site (/proc/allocinfo calls).");
	for (int i = 0; i < s->nr; i++) {
		site_labels(lbl, sizeof(lbl), &s->top[i]);
		expo_sample_u64(e, "", lbl, s->top[i].calls);
	}
	expo_sample_u64(e, "", "site=\"other\"", s->other_calls);
	return 0;
}

static void alloc_close(void *state)
{
	struct alloc_state *s = state;

	if (!s)
		return;
	mms_text_buf_free(&s->buf);
	free(s->top);
	free(s);
}

const struct collector col_alloc = {
	.name = "alloc",
	.open = alloc_open,
	.collect = alloc_collect,
	.close = alloc_close,
};
