/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the cmocka unit tests: the cmocka headers and reading recorded fixtures. */
#ifndef MMS_UNIT_H
#define MMS_UNIT_H

#include <setjmp.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <mmscope/mmscope.h>

/* Reads tests/fixtures/NAME (e.g. "host-6.18/buddyinfo"); fails the test if absent. */
static inline char *fixture(const char *name, size_t *len)
{
	char path[1024];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("fixture %s: missing", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Fails the test unless a parser returned rc and, on error, named line with a message. */
static inline void expect_result(const char *what, int got, const struct mms_error *err, int rc,
				 int line)
{
	if (got != rc || (rc && (err->line != line || !err->msg[0])))
		fail_msg("%s: got %d at line %d (%s), expected %d at line %d", what, got, err->line,
			 err->msg, rc, line);
}

#endif
