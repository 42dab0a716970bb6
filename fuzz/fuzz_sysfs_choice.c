// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: mms_parse_sysfs_choice(), which takes a C string (what
 * mms_host_read() returns), so the input is copied and NUL-terminated. The first
 * byte picks the output size (0 to 31) to drive the "does not fit" path. A choice
 * returned is one non-empty printable word without brackets, and it was in the text
 * between '[' and ']'.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[32], *text, *found;
	size_t out_size;
	int rc;

	if (size == 0)
		return 0;
	out_size = data[0] % sizeof(out);
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	memset(out, 0x55, sizeof(out));
	rc = mms_parse_sysfs_choice(text, out, out_size);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL || rc == -ENAMETOOLONG);
	if (rc == 0) {
		char bracketed[40];

		fuzz_check_printable(out, out_size, false);
		FUZZ_ASSERT(!strchr(out, '[') && !strchr(out, ']') && !strchr(out, ' '));
		snprintf(bracketed, sizeof(bracketed), "[%s]", out);
		found = strstr(text, bracketed);
		FUZZ_ASSERT(found);
	}
	free(text);
	return 0;
}
