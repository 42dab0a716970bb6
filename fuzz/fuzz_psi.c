// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: mms_parse_psi(). An accepted file's averages are percentages
 * (0 to 100), and the "full" line is zero unless the file had one.
 */
#include "fuzz.h"

static void check_line(const struct mms_psi_line *l)
{
	FUZZ_ASSERT(l->avg10 >= 0 && l->avg10 <= 100);
	FUZZ_ASSERT(l->avg60 >= 0 && l->avg60 <= 100);
	FUZZ_ASSERT(l->avg300 >= 0 && l->avg300 <= 100);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mms_psi psi;
	struct mms_error err;
	int rc;

	fuzz_error_init(&err);
	rc = mms_parse_psi((const char *)data, size, &psi, &err);
	fuzz_check_result(rc, &err, data, size);
	if (rc)
		return 0;
	check_line(&psi.some);
	check_line(&psi.full);
	if (!psi.has_full)
		FUZZ_ASSERT(psi.full.avg10 == 0 && psi.full.total_us == 0);
	return 0;
}
