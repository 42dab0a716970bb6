// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: mms_parse_allocinfo(). Besides the error contract, an accepted
 * file hands over sites whose names lie inside the input and are printable, and a
 * filter never matches more sites than there are; -EOPNOTSUPP (an unknown major
 * version) is an error about line 1.
 */
#include "fuzz.h"

struct bounds {
	const char *lo, *hi;
	uint64_t n;
};

static void check_name(const struct bounds *b, const char *s, size_t len, bool may_be_empty)
{
	FUZZ_ASSERT(may_be_empty || len > 0);
	if (!len)
		return;
	FUZZ_ASSERT(s >= b->lo && s + len <= b->hi);
	for (size_t i = 0; i < len; i++)
		FUZZ_ASSERT(s[i] > ' ' && s[i] <= '~');
}

static int check_site(const struct mms_alloc_site *s, void *ctx)
{
	struct bounds *b = ctx;

	check_name(b, s->file, s->file_len, false);
	check_name(b, s->func, s->func_len, false);
	check_name(b, s->module, s->module_len, true);
	b->n++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct mms_alloc_filter filter = { .file = "mm/*", .module = "",
							.has_min = true, .min_size = 4096 };
	struct bounds b = { (const char *)data, (const char *)data + size, 0 };
	struct mms_allocinfo_info info, finfo;
	struct mms_error err;
	int rc;

	fuzz_error_init(&err);
	rc = mms_parse_allocinfo((const char *)data, size, NULL, check_site, &b, &info, &err);
	if (rc == -EOPNOTSUPP) {
		FUZZ_ASSERT(err.line == 1);
		return 0;
	}
	fuzz_check_result(rc, &err, data, size);
	if (rc)
		return 0;
	FUZZ_ASSERT(b.n == info.nr_sites && info.nr_matched == info.nr_sites);
	FUZZ_ASSERT(info.major == 1 || info.major == 2);
	rc = mms_parse_allocinfo((const char *)data, size, &filter, NULL, NULL, &finfo, &err);
	FUZZ_ASSERT(rc == 0 && finfo.nr_sites == info.nr_sites);
	FUZZ_ASSERT(finfo.nr_matched <= finfo.nr_sites);
	return 0;
}
