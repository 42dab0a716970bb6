// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: mms_parse_extfrag_threshold(), /proc/sys/vm/extfrag_threshold.
 * Beyond fuzz.h's contract: an accepted value is in the sysctl's range 0..1000 and
 * the output is only written on success.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mms_error err;
	int v = -12345, rc;

	fuzz_error_init(&err);
	rc = mms_parse_extfrag_threshold((const char *)data, size, &v, &err);
	fuzz_check_result(rc, &err, data, size);
	if (rc)
		FUZZ_ASSERT(v == -12345);
	else
		FUZZ_ASSERT(v >= 0 && v <= 1000);
	return 0;
}
