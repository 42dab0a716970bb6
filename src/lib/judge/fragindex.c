// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The kernel's fragmentation arithmetic, reproduced exactly (mm/vmstat.c:
 * fill_contig_page_info(), __fragmentation_index(), unusable_free_index()). The
 * inputs are the buddyinfo counts, which are exactly free_area[order].nr_free, so
 * the results equal debugfs extfrag/{extfrag_index,unusable_index} for the same
 * snapshot. Divisions are unsigned 64-bit as in the kernel; order of the checks
 * matters and follows the kernel's.
 */
#include <errno.h>
#include <string.h>

#include <mmscope/mmscope.h>

int mms_contig_info(const uint64_t *free_blocks, int nr_orders, int order,
		    struct mms_contig_info *info)
{
	uint64_t pages = 0, total = 0, suitable = 0, scaled;

	memset(info, 0, sizeof(*info));
	if (order < 0 || nr_orders < 0 || nr_orders > MMS_ORDERS_MAX)
		return -EINVAL;
	for (int o = 0; o < nr_orders; o++) {
		uint64_t blocks = free_blocks[o], p;

		if (o >= 63 || blocks > (UINT64_MAX >> o))
			return -EOVERFLOW;
		p = blocks << o;
		if (__builtin_add_overflow(pages, p, &pages) ||
		    __builtin_add_overflow(total, blocks, &total))
			return -EOVERFLOW;
		if (o >= order)
			suitable += blocks << (o - order); /* <= p: cannot overflow if pages did not */
	}
	/* The indices multiply free_pages by 1000; refuse what would wrap there. */
	if (__builtin_mul_overflow(pages, 1000, &scaled))
		return -EOVERFLOW;
	info->free_pages = pages;
	info->free_blocks_total = total;
	info->free_blocks_suitable = suitable;
	return 0;
}

int mms_fragmentation_index(const struct mms_contig_info *info, int order, int nr_orders)
{
	uint64_t requested;

	if (order < 0 || order >= nr_orders || order >= 64)
		return 0; /* the kernel WARNs and returns 0 past MAX_PAGE_ORDER */
	requested = 1ull << order;
	if (!info->free_blocks_total)
		return 0;
	if (info->free_blocks_suitable)
		return -1000;
	return 1000 - (int)((1000 + info->free_pages * 1000 / requested) /
			    info->free_blocks_total);
}

int mms_unusable_index(const struct mms_contig_info *info, int order)
{
	if (!info->free_pages || order < 0 || order >= 64)
		return 1000;
	return (int)((info->free_pages - (info->free_blocks_suitable << order)) * 1000 /
		     info->free_pages);
}

int mms_zone_frag_compute(const struct mms_buddy_zone *zone, int nr_orders,
			  struct mms_zone_frag *out)
{
	memset(out, 0, sizeof(*out));
	if (nr_orders < 1 || nr_orders > MMS_ORDERS_MAX)
		return -EINVAL;
	out->nr_orders = nr_orders;
	for (int o = 0; o < nr_orders; o++) {
		struct mms_contig_info info;
		int rc = mms_contig_info(zone->free_blocks, nr_orders, o, &info);

		if (rc)
			return rc;
		out->free_pages = info.free_pages;
		out->extfrag_index[o] = mms_fragmentation_index(&info, o, nr_orders);
		out->unusable_index[o] = mms_unusable_index(&info, o);
	}
	return 0;
}

const char *mms_frag_verdict_name(enum mms_frag_verdict v)
{
	switch (v) {
	case MMS_ZONE_HEALTHY:
		return "healthy";
	case MMS_ZONE_SHORT_OF_MEMORY:
		return "short_of_memory";
	case MMS_ZONE_FRAGMENTED:
		return "fragmented";
	}
	return "unknown";
}

void mms_zone_judge(const struct mms_zone_frag *frag, const struct mms_zoneinfo_zone *zi,
		    int threshold, int thp_order, struct mms_zone_verdict *out)
{
	bool thp_known = thp_order >= 0 && thp_order < frag->nr_orders;

	memset(out, 0, sizeof(*out));
	out->verdict = MMS_ZONE_HEALTHY;
	out->order = -1;
	out->thp_order = thp_order;
	out->thp_unusable = thp_known ? frag->unusable_index[thp_order] : 1000;
	if (thp_known)
		out->thp_fragmented = frag->extfrag_index[thp_order] > threshold;
	/* Short of memory first: then failures are for lack of memory, whatever the layout. */
	if (zi && zi->populated && zi->free <= zi->high) {
		out->verdict = MMS_ZONE_SHORT_OF_MEMORY;
		return;
	}
	for (int o = 1; o < frag->nr_orders; o++) {
		if (frag->extfrag_index[o] > threshold) {
			out->verdict = MMS_ZONE_FRAGMENTED;
			out->order = o;
			return;
		}
	}
}
