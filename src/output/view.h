/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Views shared by every command: aligned text tables, human units, and JSON output
 * through jansson (never hand-escaped). A table is filled row by row with strings and
 * printed once, so column widths fit the data.
 */
#ifndef MMS_VIEW_H
#define MMS_VIEW_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#define TABLE_COLS_MAX 24

struct table {
	int ncols, ncells, cap;
	const char *header[TABLE_COLS_MAX];
	char left[TABLE_COLS_MAX]; /* 1: left-aligned (names); 0: right (numbers) */
	char **cells;              /* nrows * ncols strings, owned */
};

/* header names are not copied; columns whose name starts with '<' are left-aligned
 * (the '<' is not printed). */
void table_init(struct table *t, int ncols, const char *const *header);
/* Adds a row of ncols printf-formatted cells: table_row(t, "%s", a, "%d", b, ...) is
 * awkward in C, so cells are added one at a time and a row ends after ncols cells. */
void table_cell(struct table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void table_print(struct table *t, FILE *out, const char *indent);
void table_free(struct table *t);

/* "1.5G", "512K", "0": binary units, one decimal under 10. */
const char *fmt_bytes(uint64_t bytes, char buf[16]);

/* Prints doc as one line of compact JSON and releases it. */
void json_emit(json_t *doc);
/* Array of n unsigned integers. */
json_t *json_u64_array(const uint64_t *v, int n);

struct mms_hist;
/*
 * A log2 latency histogram of nanosecond values, printed in microsecond buckets
 * with a bar per bucket (the bcc layout), under title.
 */
void hist_print(const struct mms_hist *h, const char *title, FILE *out);
/* {"unit": "ns", "count", "sum_ns", "min_ns", "max_ns", "slots": [{"low","high","count"}]} */
json_t *hist_json(const struct mms_hist *h);

#endif
