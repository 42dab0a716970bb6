// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Pressure stall information: /proc/pressure/memory and cgroup memory.pressure.
 *   some avg10=0.00 avg60=0.00 avg300=0.00 total=0
 *   full avg10=0.00 avg60=0.00 avg300=0.00 total=0
 * avgN are percentages with two decimals; total is microseconds. Older kernels
 * print no "full" line for the cpu resource only; memory always has both, but a
 * missing "full" is tolerated and reported through has_full (for memory, a file cut
 * after its first line). A last line without its newline is a cut file.
 */
#include <string.h>

#include "lib/util/textscan.h"

/* "12.34" -> 12.34 without locale-dependent strtod; at most two decimals, 0..100. */
static int parse_percent(struct mms_tok t, double *out)
{
	const char *dot = memchr(t.s, '.', t.len);
	struct mms_tok whole = t, frac = { 0 };
	uint64_t w, f = 0;

	if (dot) {
		whole.len = dot - t.s;
		frac.s = dot + 1;
		frac.len = t.s + t.len - frac.s;
		if (frac.len == 0 || frac.len > 2 || mms_parse_u64(frac, &f))
			return -1;
		if (frac.len == 1)
			f *= 10;
	}
	if (mms_parse_u64(whole, &w) || w > 100 || (w == 100 && f))
		return -1;
	*out = (double)w + (double)f / 100.0;
	return 0;
}

static int parse_psi_line(struct mms_tok rest, int lineno, struct mms_psi_line *pl,
			  struct mms_error *err)
{
	static const char *const keys[] = { "avg10=", "avg60=", "avg300=", "total=" };
	double *avgs[] = { &pl->avg10, &pl->avg60, &pl->avg300 };
	struct mms_tok t;

	for (int i = 0; i < 4; i++) {
		size_t klen = strlen(keys[i]);

		if (!mms_tok_next(&rest, &t) || t.len <= klen || memcmp(t.s, keys[i], klen))
			return mms_err_at(err, lineno, "expected '%sVALUE'", keys[i]);
		t.s += klen;
		t.len -= klen;
		if (i < 3) {
			if (parse_percent(t, avgs[i]))
				return mms_err_at(err, lineno, "bad percentage '%.*s'",
						  (int)(t.len > 20 ? 20 : t.len), t.s);
		} else {
			int rc = mms_parse_u64(t, &pl->total_us);

			if (rc)
				return mms_err_number(err, lineno, t, rc);
		}
	}
	if (mms_tok_next(&rest, &t))
		return mms_err_at(err, lineno, "extra text after total=");
	return 0;
}

int mms_parse_psi(const char *text, size_t len, struct mms_psi *out, struct mms_error *err)
{
	struct mms_lines ls;
	struct mms_tok line;
	bool have_some = false;
	int rc = mms_check_file(text, len, err);

	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	if (len == 0)
		return mms_err_at(err, 0, "empty file");
	mms_lines_init(&ls, text, len);
	while (mms_lines_next(&ls, &line)) {
		struct mms_tok rest = line, kind;

		if (!mms_tok_next(&rest, &kind))
			continue;
		if (mms_tok_eq(kind, "some") && !have_some) {
			rc = parse_psi_line(rest, ls.lineno, &out->some, err);
			have_some = true;
		} else if (mms_tok_eq(kind, "full") && have_some && !out->has_full) {
			rc = parse_psi_line(rest, ls.lineno, &out->full, err);
			out->has_full = true;
		} else {
			rc = mms_err_at(err, ls.lineno, "expected a 'some' then a 'full' line");
		}
		if (rc)
			return rc;
	}
	if (!have_some)
		return mms_err_at(err, ls.lineno, "no 'some' line (blank file)");
	return 0;
}
