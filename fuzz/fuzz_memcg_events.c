// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: mms_parse_memcg_events(), cgroup v2 memory.events. Byte 0 picks
 * the catalog window (fuzz_memcg.h); the rest is the text. The checks are fuzz.h's
 * and fuzz_memcg.h's.
 */
#include "fuzz_memcg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int stats[MMS_MEMCG_STATS_MAX], nr, rc;
	uint64_t values[MMS_MEMCG_STATS_MAX], present = ~0ull;
	struct mms_error err;

	if (size == 0)
		return 0;
	nr = fuzz_memcg_stats(data[0], stats);
	fuzz_error_init(&err);
	rc = mms_parse_memcg_events((const char *)data + 1, size - 1, stats, nr, values,
				    &present, &err);
	fuzz_memcg_check(rc, nr, present, &err, data + 1, size - 1);
	return 0;
}
