// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: mms_parse_pagetypeinfo(). An accepted file must be internally
 * consistent: pages per block is 2^pageblock_order, the order fits the orders, and
 * every zone has its pageblock counts and printable names.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mms_pagetypeinfo pt;
	struct mms_error err;
	int rc;

	fuzz_error_init(&err);
	rc = mms_parse_pagetypeinfo((const char *)data, size, &pt, &err);
	fuzz_check_result(rc, &err, data, size);
	if (rc)
		return 0;
	FUZZ_ASSERT(pt.nr_orders >= 1 && pt.nr_orders <= MMS_ORDERS_MAX);
	FUZZ_ASSERT(pt.pageblock_order >= 0 && pt.pageblock_order < pt.nr_orders);
	FUZZ_ASSERT(pt.pages_per_block == 1ull << pt.pageblock_order);
	FUZZ_ASSERT(pt.nr_types >= 1 && pt.nr_types <= MMS_MIGRATETYPES_MAX);
	for (int t = 0; t < pt.nr_types; t++)
		fuzz_check_printable(pt.types[t], sizeof(pt.types[t]), false);
	FUZZ_ASSERT(pt.nr_zones >= 1 && pt.nr_zones <= MMS_ZONES_MAX);
	for (int z = 0; z < pt.nr_zones; z++) {
		FUZZ_ASSERT(pt.zones[z].have_pageblocks);
		FUZZ_ASSERT(pt.zones[z].node >= 0);
		fuzz_check_printable(pt.zones[z].zone, sizeof(pt.zones[z].zone), false);
		for (int y = 0; y < z; y++)
			FUZZ_ASSERT(pt.zones[y].node != pt.zones[z].node ||
				    strcmp(pt.zones[y].zone, pt.zones[z].zone));
	}
	return 0;
}
