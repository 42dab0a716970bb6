/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Views shared by every command: aligned text tables, human units, JSON output
 * through jansson (never hand-escaped), and names made safe for JSON and terminals
 * (text.c, docs/names.md). A table is filled row by row with strings and printed
 * once, so column widths (in printed characters) fit the data.
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

/*
 * ---- names from the kernel or the user (docs/names.md) ----
 * A comm, a cgroup directory, a mapping's file name or a command line may hold any
 * byte. Every view prints them through these helpers.
 */

/* Length (1-4) of the valid UTF-8 sequence starting s (n bytes available) and its
 * code point in *cp, or 0 when s[0] starts none (overlongs, surrogates and code
 * points past U+10FFFF are invalid, as jansson has it). */
int utf8_seq(const char *s, size_t n, uint32_t *cp);
/* A JSON string of s that jansson always accepts: valid UTF-8 as is, each byte not
 * part of valid UTF-8, 0xXX, as the code point U+00XX. s NULL: JSON null. NULL only
 * when out of memory. */
json_t *json_text(const char *s);
json_t *json_textn(const char *s, size_t len);
/* s for a terminal, into buf: valid UTF-8 as is except control characters (C0, DEL,
 * C1), which, like bytes not part of valid UTF-8, become escapes: \a \b \t \n \v
 * \f \r \e, else \xNN per byte. Cut at a whole character when buf is short (4
 * bytes per input byte always fit). Returns the length, or buf. */
size_t text_escn(const char *s, size_t len, char *buf, size_t size);
const char *text_esc(const char *s, char *buf, size_t size);
/* Room text_esc needs for n input bytes, NUL included. */
#define TEXT_ESC_SIZE(n) (4 * (n) + 1)
/* Printed characters of valid UTF-8 s (its code points): the width tables count. */
int text_width(const char *s);
/* Cuts valid UTF-8 s to at most cols printed characters (at a character); returns
 * its width. */
int text_cut(char *s, int cols);
/* s escaped (text_esc) and padded with spaces to |width| printed characters: on the
 * left when width > 0, on the right when width < 0. */
void text_put(FILE *out, const char *s, int width);
/* len bytes of s escaped (text_esc), in a string to free (NULL out of memory). */
char *text_dupn(const char *s, size_t len);
/* A table cell holding s (len bytes) escaped (text_esc). */
void table_cell_text(struct table *t, const char *s);
void table_cell_textn(struct table *t, const char *s, size_t len);

struct mms_hist;
/*
 * A log2 latency histogram of nanosecond values, printed in microsecond buckets
 * with a bar per bucket (the bcc layout), under title.
 */
void hist_print(const struct mms_hist *h, const char *title, FILE *out);
/* {"unit": "ns", "count", "sum_ns", "min_ns", "max_ns", "slots": [{"low","high","count"}]} */
json_t *hist_json(const struct mms_hist *h);

#endif
