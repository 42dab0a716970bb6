/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Allocation-free scanning of kernel text files: lines, whitespace-separated tokens,
 * and strict unsigned numbers. Every procfs/sysfs parser is built on these so that
 * one place decides what "a number" is: decimal digits only, no sign, no overflow.
 */
#ifndef MMS_TEXTSCAN_H
#define MMS_TEXTSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mmscope/mmscope.h>

struct mms_lines {
	const char *p, *end;
	int lineno; /* of the line last returned, 1-based */
};

struct mms_tok {
	const char *s;
	size_t len;
};

void mms_lines_init(struct mms_lines *ls, const char *text, size_t len);
/* Next line without its '\n'; false at the end. A final line without '\n' counts. */
bool mms_lines_next(struct mms_lines *ls, struct mms_tok *line);

/*
 * Next whitespace-separated token of *rest (advanced past it); false when none is left.
 * Whitespace is ' ', '\t', '\n', '\r', '\v' and '\f'.
 */
bool mms_tok_next(struct mms_tok *rest, struct mms_tok *tok);
bool mms_tok_eq(struct mms_tok tok, const char *s);
/* Strips a trailing character c from tok if present (e.g. ',' or ':'); returns whether it did. */
bool mms_tok_strip(struct mms_tok *tok, char c);
/* Copies tok into buf as a C string; -ENAMETOOLONG if it does not fit. */
int mms_tok_copy(struct mms_tok tok, char *buf, size_t size);
/*
 * True when tok is a plausible kernel name (zone, migrate type, counter): non-empty,
 * printable ASCII only. Keeps control bytes and invalid UTF-8 out of tables and JSON.
 */
bool mms_tok_is_name(struct mms_tok tok);

/* Decimal digits only. -EINVAL for anything else (including a sign), -ERANGE past 2^64-1. */
int mms_parse_u64(struct mms_tok tok, uint64_t *out);
/* Same, and the value must fit an int. */
int mms_parse_int(struct mms_tok tok, int *out);

/*
 * Fills err->line and err->msg (err->file is left as the reader set it); bytes of the
 * message that are not printable ASCII become '?'. err may be NULL. Returns -EINVAL.
 */
int mms_err_at(struct mms_error *err, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * Message for a number that failed mms_parse_u64() or mms_parse_int() with rc.
 * Returns -ERANGE for a number too large, -EINVAL for anything else.
 */
int mms_err_number(struct mms_error *err, int line, struct mms_tok tok, int rc);
/* Rejects text containing NUL bytes (binary data is not a kernel text file). */
int mms_check_text(const char *text, size_t len, struct mms_error *err);
/*
 * mms_check_text(), and also rejects text whose last line has no '\n': the kernel
 * ends every line of a procfs file with one, so its absence means the file was cut
 * mid-line. The error names the cut line. Empty text passes (the parser says "empty").
 */
int mms_check_file(const char *text, size_t len, struct mms_error *err);

/* "Node N, zone NAME" (buddyinfo, zoneinfo, pagetypeinfo); *rest is left after NAME,
 * whose trailing ',' if any is dropped. zone must hold MMS_ZONE_NAME_MAX bytes. */
int mms_parse_node_zone(struct mms_tok *rest, int lineno, int *node, char *zone,
			struct mms_error *err);

#endif
