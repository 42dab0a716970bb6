// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* Mount lookups by filesystem type and option (see mounts.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util/mounts.h"
#include "lib/util/textscan.h"

static bool is_octal(char c)
{
	return c >= '0' && c <= '7';
}

/* Mount points escape space, tab, newline and backslash as \ooo (octal). */
static int unescape(struct mms_tok t, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < t.len; i++) {
		char c = t.s[i];

		if (c == '\\' && i + 3 < t.len && is_octal(t.s[i + 1]) && is_octal(t.s[i + 2]) &&
		    is_octal(t.s[i + 3])) {
			c = (char)((t.s[i + 1] - '0') * 64 + (t.s[i + 2] - '0') * 8 + (t.s[i + 3] - '0'));
			i += 3;
		}
		if (o + 1 >= size)
			return -ENAMETOOLONG;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

static bool has_option(struct mms_tok opts, const char *option)
{
	size_t n = strlen(option);
	const char *p = opts.s, *end = opts.s + opts.len;

	while (p < end) {
		const char *comma = memchr(p, ',', end - p);
		const char *stop = comma ? comma : end;

		if ((size_t)(stop - p) == n && !memcmp(p, option, n))
			return true;
		p = stop + 1;
	}
	return false;
}

int mms_mount_find(const struct mms_host *host, const char *fstype, const char *option,
		   char *path, size_t size)
{
	struct mms_error err;
	struct mms_lines ls;
	struct mms_tok line;
	char *text;
	size_t len;
	int rc;

	rc = mms_host_read(host, mms_host_is_live(host) ? "/proc/self/mounts" : "/proc/mounts",
			   &text, &len, &err);
	if (rc)
		return rc;
	rc = -ENOENT;
	mms_lines_init(&ls, text, len);
	while (mms_lines_next(&ls, &line)) {
		struct mms_tok rest = line, dev, dir, type, opts;

		if (!mms_tok_next(&rest, &dev) || !mms_tok_next(&rest, &dir) ||
		    !mms_tok_next(&rest, &type) || !mms_tok_next(&rest, &opts))
			continue;
		if (!mms_tok_eq(type, fstype) || (option && !has_option(opts, option)))
			continue;
		rc = unescape(dir, path, size);
		break;
	}
	free(text);
	return rc;
}
