// SPDX-License-Identifier: GPL-2.0
/* Aligned text tables, human units and JSON emission (see view.h). */
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "output/view.h"

void table_init(struct table *t, int ncols, const char *const *header)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols > TABLE_COLS_MAX ? TABLE_COLS_MAX : ncols;
	for (int c = 0; c < t->ncols; c++) {
		t->left[c] = header[c][0] == '<';
		t->header[c] = header[c] + t->left[c];
	}
}

void table_cell(struct table *t, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (t->ncells == t->cap) {
		int cap = t->cap ? t->cap * 2 : 64 * t->ncols;
		char **cells = realloc(t->cells, cap * sizeof(*cells));

		if (!cells)
			return; /* out of memory: the cell is dropped rather than crashing */
		t->cells = cells;
		t->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	t->cells[t->ncells++] = s;
}

/* A cell of a name: escaped for the terminal (text.c), so the table stays aligned
 * and a name cannot drive the terminal. */
void table_cell_textn(struct table *t, const char *s, size_t len)
{
	char *buf = text_dupn(s, len);

	table_cell(t, "%s", buf ? buf : "?");
	free(buf);
}

void table_cell_text(struct table *t, const char *s)
{
	table_cell_textn(t, s, s ? strlen(s) : 0);
}

void table_print(struct table *t, FILE *out, const char *indent)
{
	int width[TABLE_COLS_MAX] = { 0 }, nrows = t->ncells / t->ncols;

	for (int c = 0; c < t->ncols; c++)
		width[c] = text_width(t->header[c]);
	/* Widths in printed characters: a UTF-8 name is fewer than its bytes. */
	for (int i = 0; i < nrows * t->ncols; i++) {
		int w = t->cells[i] ? text_width(t->cells[i]) : 0;

		if (w > width[i % t->ncols])
			width[i % t->ncols] = w;
	}
	for (int r = -1; r < nrows; r++) {
		fputs(indent, out);
		for (int c = 0; c < t->ncols; c++) {
			const char *s = r < 0 ? t->header[c] : t->cells[r * t->ncols + c];
			bool last = c == t->ncols - 1;
			int pad;

			if (!s)
				s = "?";
			pad = width[c] - text_width(s);
			if (!t->left[c] && pad > 0)
				fprintf(out, "%*s", pad, "");
			fputs(s, out);
			if (t->left[c] && !last && pad > 0)
				fprintf(out, "%*s", pad, "");
			fputs(last ? "\n" : "  ", out);
		}
	}
}

void table_free(struct table *t)
{
	for (int i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->ncells = t->cap = 0;
}

const char *fmt_bytes(uint64_t bytes, char buf[16])
{
	static const char units[] = "BKMGTPE";
	double v = (double)bytes;
	int u = 0;

	while (v >= 1024 && u < 6) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, 16, "%llu", (unsigned long long)bytes);
	else if (v < 10)
		snprintf(buf, 16, "%.1f%c", v, units[u]);
	else
		snprintf(buf, 16, "%.0f%c", v, units[u]);
	return buf;
}

void json_emit(json_t *doc)
{
	/* 6 significant digits: indices are k/1000 and must print as 0.082, not
	 * 0.082000000000000003. */
	json_dumpf(doc, stdout, JSON_COMPACT | JSON_REAL_PRECISION(6));
	fputc('\n', stdout);
	fflush(stdout);
	json_decref(doc);
}

json_t *json_u64_array(const uint64_t *v, int n)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_integer((json_int_t)v[i]));
	return a;
}
