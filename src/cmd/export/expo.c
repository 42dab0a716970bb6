// SPDX-License-Identifier: GPL-2.0
/*
 * The exposition writer: Prometheus text format 0.0.4, or OpenMetrics 1.0 when the
 * scraper asks for it. The two differ here only in a counter family's name (text:
 * the sample name with _total; OpenMetrics: without it) and the final "# EOF".
 * Label values are any bytes (cgroup names are the users'): they pass through
 * text_esc() first, so what reaches Prometheus is always valid UTF-8, then get the
 * format's own escapes (backslash, double quote).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/export/export.h"
#include "output/view.h"

void expo_init(struct expo *e, bool openmetrics)
{
	memset(e, 0, sizeof(*e));
	e->openmetrics = openmetrics;
}

void expo_free(struct expo *e)
{
	free(e->buf);
	e->buf = NULL;
	e->len = e->cap = 0;
}

static bool expo_reserve(struct expo *e, size_t more)
{
	char *p;
	size_t cap;

	if (e->failed)
		return false;
	if (e->len + more + 1 <= e->cap)
		return true;
	cap = e->cap ? e->cap : 65536;
	while (cap < e->len + more + 1)
		cap *= 2;
	p = realloc(e->buf, cap);
	if (!p) {
		e->failed = true;
		return false;
	}
	e->buf = p;
	e->cap = cap;
	return true;
}

void expo_hint(struct expo *e, size_t size)
{
	expo_reserve(e, size);
}

void expo_printf(struct expo *e, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!expo_reserve(e, 256))
		return;
	va_start(ap, fmt);
	n = vsnprintf(e->buf + e->len, e->cap - e->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= e->cap - e->len) {
		if (!expo_reserve(e, (size_t)n))
			return;
		va_start(ap, fmt);
		vsnprintf(e->buf + e->len, e->cap - e->len, fmt, ap);
		va_end(ap);
	}
	e->len += (size_t)n;
}

void expo_family(struct expo *e, const char *name, const char *type, const char *help)
{
	size_t n = strlen(name);

	snprintf(e->family, sizeof(e->family), "%s", name);
	e->family_len = strlen(e->family);
	snprintf(e->type, sizeof(e->type), "%s", type);
	if (e->openmetrics && !strcmp(type, "counter") && n > 6 && !strcmp(name + n - 6, "_total"))
		n -= 6;
	expo_printf(e, "# HELP %.*s %s\n# TYPE %.*s %s\n", (int)n, name, help, (int)n, name, type);
}

void expo_label(char *lbl, size_t size, const char *name, const char *value)
{
	char esc[TEXT_ESC_SIZE(256)];
	size_t len = strlen(lbl);
	const char *s;

	text_esc(value, esc, sizeof(esc));
	if (len && len + 1 < size)
		lbl[len++] = ',';
	len += (size_t)snprintf(lbl + len, len < size ? size - len : 0, "%s=\"", name);
	for (s = esc; *s && len + 3 < size; s++) {
		if (*s == '\\' || *s == '"')
			lbl[len++] = '\\';
		lbl[len++] = *s;
	}
	if (len + 2 <= size) {
		lbl[len++] = '"';
		lbl[len] = 0;
	}
}

void expo_label_int(char *lbl, size_t size, const char *name, long long value)
{
	char v[32];

	snprintf(v, sizeof(v), "%lld", value);
	expo_label(lbl, size, name, v);
}

/* Appends n bytes: the writer's hot path (tens of thousands of samples a scrape)
 * copies instead of formatting. */
static void put(struct expo *e, const char *s, size_t n)
{
	if (!expo_reserve(e, n))
		return;
	memcpy(e->buf + e->len, s, n);
	e->len += n;
}

static void put_str(struct expo *e, const char *s)
{
	put(e, s, strlen(s));
}

/* Decimal digits of v at the end of buf[32]; returns where they start. */
static char *u64_digits(uint64_t v, char *end)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

static void sample_name(struct expo *e, const char *suffix, const char *lbl)
{
	e->series++;
	put(e, e->family, e->family_len);
	if (*suffix)
		put_str(e, suffix);
	if (*lbl) {
		put(e, "{", 1);
		put_str(e, lbl);
		put(e, "}", 1);
	}
	put(e, " ", 1);
}

void expo_sample(struct expo *e, const char *suffix, const char *lbl, double value)
{
	char b[40];

	sample_name(e, suffix, lbl);
	if (isinf(value))
		snprintf(b, sizeof(b), "%s\n", value > 0 ? "+Inf" : "-Inf");
	else if (isnan(value))
		snprintf(b, sizeof(b), "NaN\n");
	else {
		/* The shortest of 15 or 17 digits that reads back as the same double. */
		snprintf(b, sizeof(b), "%.15g", value);
		if (strtod(b, NULL) != value)
			snprintf(b, sizeof(b), "%.17g", value);
		strcat(b, "\n");
	}
	put_str(e, b);
}

void expo_sample_u64(struct expo *e, const char *suffix, const char *lbl, uint64_t value)
{
	char b[32], *p;

	sample_name(e, suffix, lbl);
	b[31] = '\n';
	p = u64_digits(value, b + 31);
	put(e, p, (size_t)(b + 32 - p));
}

void expo_sample_u64_labels(struct expo *e, const char *a, size_t alen, const char *b,
			    size_t blen, uint64_t value)
{
	char d[32], *p = u64_digits(value, d + 32), *w;
	size_t nd = (size_t)(d + 32 - p);

	/* One reservation and straight copies: this runs once per cgroup and statistic. */
	if (!expo_reserve(e, e->family_len + alen + blen + nd + 5))
		return;
	e->series++;
	w = e->buf + e->len;
	memcpy(w, e->family, e->family_len);
	w += e->family_len;
	*w++ = '{';
	memcpy(w, a, alen);
	w += alen;
	if (blen) {
		*w++ = ',';
		memcpy(w, b, blen);
		w += blen;
	}
	*w++ = '}';
	*w++ = ' ';
	memcpy(w, p, nd);
	w += nd;
	*w++ = '\n';
	e->len = (size_t)(w - e->buf);
}

void expo_sample_milli(struct expo *e, const char *suffix, const char *lbl, long long milli)
{
	char b[40], *p = b + sizeof(b);
	unsigned long long a = milli < 0 ? -(unsigned long long)milli : (unsigned long long)milli;

	sample_name(e, suffix, lbl);
	*--p = '\n';
	if (a % 1000) {
		unsigned f = (unsigned)(a % 1000);
		int digits = 3;

		while (!(f % 10)) {
			f /= 10;
			digits--;
		}
		for (int i = 0; i < digits; i++, f /= 10)
			*--p = (char)('0' + f % 10);
		*--p = '.';
	}
	p = u64_digits(a / 1000, p);
	if (milli < 0)
		*--p = '-';
	put(e, p, (size_t)(b + sizeof(b) - p));
}

void expo_end(struct expo *e)
{
	if (e->openmetrics)
		expo_printf(e, "# EOF\n");
}

/* ---- histograms ---- */

static uint64_t bucket_ns(int k)
{
	return 1000ull << (2 * k); /* 1 us * 4^k */
}

void expo_hist_add(struct expo_hist *h, uint64_t ns)
{
	int k = 0;

	while (k < EXPO_BUCKETS && ns > bucket_ns(k))
		k++;
	h->le[k]++;
	h->count++;
	h->sum_ns += ns;
}

void expo_hist_write(struct expo *e, const char *lbl, const struct expo_hist *h)
{
	char l[1024];
	uint64_t cum = 0;

	for (int k = 0; k <= EXPO_BUCKETS; k++) {
		char le[32];

		cum += h->le[k];
		if (k == EXPO_BUCKETS)
			snprintf(le, sizeof(le), "+Inf");
		else
			snprintf(le, sizeof(le), "%.9g", (double)bucket_ns(k) / 1e9);
		snprintf(l, sizeof(l), "%s", lbl);
		expo_label(l, sizeof(l), "le", le);
		expo_sample_u64(e, "_bucket", l, cum);
	}
	expo_sample(e, "_sum", lbl, (double)h->sum_ns / 1e9);
	expo_sample_u64(e, "_count", lbl, h->count);
}
