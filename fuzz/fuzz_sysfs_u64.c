// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the single-value sysfs files, mms_parse_sysfs_u64() and
 * mms_thp_knob_parse(). Byte 0 picks the parser: a THP knob by index (modulo one
 * more than their number; the extra one is the plain number) and, from its top bit,
 * a 4 KiB or 64 KiB page size; the rest is the text. An accepted knob value is in
 * the knob's range: hpage_pmd_size a power of two of at least the page size, the
 * flags 0 or 1, khugepaged's numbers an unsigned int. A value is only ever set on
 * success, and then the text was one line ending in '\n'.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint64_t sentinel = 0x5555555555555555ull;
	int nr_knobs = mms_thp_knob_count(), idx, rc;
	uint64_t v = sentinel, page_size;
	const uint8_t *text = data + 1;
	struct mms_error err;
	const char *path;
	size_t len;

	if (size == 0)
		return 0;
	len = size - 1;
	idx = (data[0] & 0x7f) % (nr_knobs + 1);
	page_size = data[0] & 0x80 ? 65536 : 4096;
	fuzz_error_init(&err);
	if (idx == nr_knobs)
		rc = mms_parse_sysfs_u64((const char *)text, len, &v, &err);
	else
		rc = mms_thp_knob_parse(idx, (const char *)text, len, page_size, &v, &err);
	fuzz_check_result(rc, &err, text, len);
	if (rc) {
		FUZZ_ASSERT(v == sentinel);
		return 0;
	}
	FUZZ_ASSERT(len >= 2 && text[len - 1] == '\n' && fuzz_nr_lines(text, len) == 1);
	if (idx == nr_knobs)
		return 0;
	path = mms_thp_knob_path(idx);
	if (!strcmp(path, "hpage_pmd_size"))
		FUZZ_ASSERT(v >= page_size && (v & (v - 1)) == 0);
	else if (!strcmp(path, "use_zero_page") || !strcmp(path, "shrink_underused") ||
		 !strcmp(path, "khugepaged/defrag"))
		FUZZ_ASSERT(v <= 1);
	else if (!strcmp(path, "khugepaged/pages_to_scan"))
		FUZZ_ASSERT(v >= 1 && v <= 0xffffffffull);
	else
		FUZZ_ASSERT(v <= 0xffffffffull);
	return 0;
}
