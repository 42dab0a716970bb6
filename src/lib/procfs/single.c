// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Single-value sysfs and sysctl files: one unsigned decimal number and the newline
 * the kernel ends it with ("500\n": /proc/sys/vm/extfrag_threshold, THP's knobs and
 * counters). A file without its newline was cut, so "209" (of "2097152\n") is never
 * taken as a value; what a range can check, the callers check too.
 */
#include <errno.h>
#include <string.h>

#include "lib/util/textscan.h"

#define EXTFRAG_THRESHOLD_MAX 1000 /* mm/compaction.c: the sysctl's extra2 */

int mms_parse_sysfs_u64(const char *text, size_t len, uint64_t *out, struct mms_error *err)
{
	struct mms_lines ls;
	struct mms_tok line, tok;
	uint64_t v;
	int rc = mms_check_file(text, len, err);

	if (rc)
		return rc;
	if (len == 0)
		return mms_err_at(err, 0, "empty file: expected a number");
	mms_lines_init(&ls, text, len);
	mms_lines_next(&ls, &line);
	if (!mms_tok_next(&line, &tok))
		return mms_err_at(err, 1, "blank line: expected a number");
	rc = mms_parse_u64(tok, &v);
	if (rc)
		return mms_err_number(err, 1, tok, rc);
	if (mms_tok_next(&line, &tok))
		return mms_err_at(err, 1, "more than one number");
	if (mms_lines_next(&ls, &line))
		return mms_err_at(err, 2, "more than one line");
	*out = v;
	return 0;
}

int mms_parse_extfrag_threshold(const char *text, size_t len, int *out, struct mms_error *err)
{
	uint64_t v;
	int rc = mms_parse_sysfs_u64(text, len, &v, err);

	if (rc)
		return rc;
	if (v > EXTFRAG_THRESHOLD_MAX) {
		mms_err_at(err, 1, "%llu is out of the sysctl's range 0..%d",
			   (unsigned long long)v, EXTFRAG_THRESHOLD_MAX);
		return -ERANGE;
	}
	*out = (int)v;
	return 0;
}
