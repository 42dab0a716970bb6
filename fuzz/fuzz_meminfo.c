// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: mms_parse_meminfo() (kB values become bytes) and mms_kv_get().
 * An accepted file has printable, non-empty names, and looking any of them up finds
 * a value (the first entry of that name).
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mms_kvset kv;
	struct mms_error err;
	int rc;

	fuzz_error_init(&err);
	rc = mms_parse_meminfo((const char *)data, size, &kv, &err);
	fuzz_check_result(rc, &err, data, size);
	if (rc)
		return 0;
	FUZZ_ASSERT(kv.nr >= 1 && kv.nr <= MMS_KV_MAX);
	for (int i = 0; i < kv.nr; i++) {
		uint64_t v;

		fuzz_check_printable(kv.items[i].name, sizeof(kv.items[i].name), false);
		FUZZ_ASSERT(mms_kv_get(&kv, kv.items[i].name, &v));
	}
	return 0;
}
