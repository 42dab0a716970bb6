// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: mms_parse_zoneinfo() and mms_zoneinfo_find(). An accepted file
 * has each zone once (so find returns that very zone), printable names, and
 * "populated" exactly when managed pages are not zero.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mms_zoneinfo zi;
	struct mms_error err;
	int rc;

	fuzz_error_init(&err);
	rc = mms_parse_zoneinfo((const char *)data, size, &zi, &err);
	fuzz_check_result(rc, &err, data, size);
	if (rc)
		return 0;
	FUZZ_ASSERT(zi.nr_zones >= 1 && zi.nr_zones <= MMS_ZONES_MAX);
	for (int z = 0; z < zi.nr_zones; z++) {
		const struct mms_zoneinfo_zone *zone = &zi.zones[z];

		FUZZ_ASSERT(zone->node >= 0);
		fuzz_check_printable(zone->zone, sizeof(zone->zone), false);
		FUZZ_ASSERT(mms_zoneinfo_find(&zi, zone->node, zone->zone) == zone);
		FUZZ_ASSERT(zone->populated == (zone->managed > 0));
	}
	return 0;
}
