// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: mms_parse_memcg_stat(), memory.stat of cgroup v1 (total_* keys)
 * and v2. Byte 0 picks the version (low bit) and the catalog window (fuzz_memcg.h);
 * the rest is the text. The checks are fuzz.h's and fuzz_memcg.h's.
 */
#include "fuzz_memcg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int stats[MMS_MEMCG_STATS_MAX], nr, rc, version;
	uint64_t values[MMS_MEMCG_STATS_MAX], present = ~0ull;
	struct mms_error err;

	if (size == 0)
		return 0;
	version = (data[0] & 1) + 1;
	nr = fuzz_memcg_stats(data[0] >> 1, stats);
	fuzz_error_init(&err);
	rc = mms_parse_memcg_stat((const char *)data + 1, size - 1, version, stats, nr, values,
				  &present, &err);
	fuzz_memcg_check(rc, nr, present, &err, data + 1, size - 1);
	return 0;
}
