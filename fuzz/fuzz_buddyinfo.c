// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: mms_parse_buddyinfo(), then the kernel's fragmentation formulas
 * (mms_zone_frag_compute()) on every zone it accepted. The parser promises that an
 * accepted zone's sums fit the math, so the computation must succeed, and each index
 * must equal a plain 128-bit reimplementation of mm/vmstat.c's formulas below (which
 * cannot overflow for 16 orders of 64-bit counts). Note that the kernel's extfrag
 * index is not confined to 0..999 and -1000: with few free blocks it goes negative
 * (one free order-2 block asked for order 3 gives 1000 - 1500/1 = -500), and with
 * many small blocks the quotient truncates to 0 and it reaches 1000 (50000 order-0
 * pages and nothing larger, asked for order 10).
 */
#include "fuzz.h"

typedef unsigned __int128 u128;

/* fill_contig_page_info(), then __fragmentation_index() and unusable_free_index(). */
static void reference(const uint64_t *nr_free, int nr_orders, int order, int *extfrag,
		      int *unusable)
{
	u128 pages = 0, total = 0, suitable = 0;

	for (int o = 0; o < nr_orders; o++) {
		pages += (u128)nr_free[o] << o;
		total += nr_free[o];
		if (o >= order)
			suitable += (u128)nr_free[o] << (o - order);
	}
	if (!total)
		*extfrag = 0;
	else if (suitable)
		*extfrag = -1000;
	else
		*extfrag = 1000 - (int)((1000 + pages * 1000 / ((u128)1 << order)) / total);
	*unusable = pages ? (int)((pages - (suitable << order)) * 1000 / pages) : 1000;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mms_buddyinfo bi;
	struct mms_error err;
	int rc;

	fuzz_error_init(&err);
	rc = mms_parse_buddyinfo((const char *)data, size, &bi, &err);
	fuzz_check_result(rc, &err, data, size);
	if (rc)
		return 0;
	FUZZ_ASSERT(bi.nr_zones >= 1 && bi.nr_zones <= MMS_ZONES_MAX);
	FUZZ_ASSERT(bi.nr_orders >= 1 && bi.nr_orders <= MMS_ORDERS_MAX);
	for (int z = 0; z < bi.nr_zones; z++) {
		const struct mms_buddy_zone *zone = &bi.zones[z];
		struct mms_zone_verdict verdict;
		struct mms_zone_frag frag;
		u128 pages = 0;

		FUZZ_ASSERT(zone->node >= 0);
		fuzz_check_printable(zone->zone, sizeof(zone->zone), false);
		FUZZ_ASSERT(mms_zone_frag_compute(zone, bi.nr_orders, &frag) == 0);
		FUZZ_ASSERT(frag.nr_orders == bi.nr_orders);
		for (int o = 0; o < bi.nr_orders; o++) {
			int extfrag, unusable;

			pages += (u128)zone->free_blocks[o] << o;
			reference(zone->free_blocks, bi.nr_orders, o, &extfrag, &unusable);
			FUZZ_ASSERT(frag.extfrag_index[o] == extfrag);
			FUZZ_ASSERT(frag.unusable_index[o] == unusable);
			FUZZ_ASSERT(extfrag >= -1000 && extfrag <= 1000);
			FUZZ_ASSERT(unusable >= 0 && unusable <= 1000);
		}
		FUZZ_ASSERT(frag.free_pages == pages);
		mms_zone_judge(&frag, NULL, 500, 9, &verdict);
		FUZZ_ASSERT(verdict.verdict != MMS_ZONE_SHORT_OF_MEMORY); /* needs zoneinfo */
		FUZZ_ASSERT(verdict.verdict != MMS_ZONE_FRAGMENTED ||
			    (verdict.order >= 1 && verdict.order < bi.nr_orders));
	}
	return 0;
}
