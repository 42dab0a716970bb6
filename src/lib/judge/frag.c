// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * A fragmentation snapshot: read buddyinfo, zoneinfo and (when allowed)
 * pagetypeinfo, then compute every zone's indices and verdict. buddyinfo is read
 * last so the indices describe the freshest free lists; the other files only add
 * context (watermarks, migrate types) that changes slowly.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util/textscan.h"

#define EXTFRAG_THRESHOLD_DEFAULT 500 /* mm/compaction.c sysctl_extfrag_threshold */

/* Reads path and hands its text to parser(text, len, out, err); frees the text. */
#define READ_PARSE(host, path, parser, out, err)                                 \
	({                                                                        \
		char *text_;                                                      \
		size_t len_;                                                      \
		int rc_ = mms_host_read(host, path, &text_, &len_, err);          \
		if (!rc_) {                                                       \
			rc_ = parser(text_, len_, out, err);                      \
			free(text_);                                              \
		}                                                                 \
		rc_;                                                              \
	})

/*
 * vm.extfrag_threshold; absent (no CONFIG_COMPACTION, or a --root tree without it)
 * means the kernel's default. A present file that does not parse is bad input.
 */
static int read_threshold(const struct mms_host *host, struct mms_frag_snapshot *snap,
			  struct mms_error *err)
{
	char *text;
	size_t len;
	int rc;

	snap->extfrag_threshold = EXTFRAG_THRESHOLD_DEFAULT;
	snap->threshold_default = true;
	rc = mms_host_read(host, "/proc/sys/vm/extfrag_threshold", &text, &len, err);
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	rc = mms_parse_extfrag_threshold(text, len, &snap->extfrag_threshold, err);
	free(text);
	if (!rc)
		snap->threshold_default = false;
	return rc;
}

/*
 * PMD THP order: log2(hpage_pmd_size / page size); else (no THP) pageblock order;
 * else 9. A present hpage_pmd_size that is not a plausible size is bad input.
 */
static int find_thp_order(const struct mms_host *host, struct mms_frag_snapshot *snap,
			  struct mms_error *err)
{
	int knob = mms_thp_knob_find("hpage_pmd_size");
	uint64_t pmd;
	char *text;
	size_t len;
	int rc;

	snap->thp_order = snap->have_pagetype ? snap->pagetype.pageblock_order : 9;
	rc = mms_host_read(host, "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", &text,
			   &len, err);
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	rc = mms_thp_knob_parse(knob, text, len, snap->page_size, &pmd, err);
	free(text);
	for (int o = 0; !rc && o < snap->buddy.nr_orders; o++)
		if (snap->page_size << o == pmd)
			snap->thp_order = o;
	return rc;
}

int mms_frag_read(const struct mms_host *host, struct mms_frag_snapshot *snap,
		  struct mms_error *err)
{
	struct mms_error pt_err;
	int rc;

	memset(snap, 0, sizeof(*snap));
	/* A --root tree is taken to come from a host with our page size. */
	snap->page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	rc = READ_PARSE(host, "/proc/zoneinfo", mms_parse_zoneinfo, &snap->zoneinfo, err);
	if (rc)
		return rc;
	rc = READ_PARSE(host, "/proc/pagetypeinfo", mms_parse_pagetypeinfo, &snap->pagetype,
			&pt_err);
	if (rc == -ENOENT || rc == -EACCES || rc == -EPERM) {
		snprintf(snap->pagetype_missing, sizeof(snap->pagetype_missing), "%s: %s%s",
			 pt_err.file, strerror(-rc), rc == -ENOENT ? "" : " (root only)");
	} else if (rc) {
		*err = pt_err;
		return rc;
	} else {
		snap->have_pagetype = true;
	}
	rc = read_threshold(host, snap, err);
	if (rc)
		return rc;
	rc = READ_PARSE(host, "/proc/buddyinfo", mms_parse_buddyinfo, &snap->buddy, err);
	if (rc)
		return rc;
	rc = find_thp_order(host, snap, err);
	if (rc)
		return rc;
	for (int z = 0; z < snap->buddy.nr_zones; z++) {
		const struct mms_buddy_zone *bz = &snap->buddy.zones[z];

		rc = mms_zone_frag_compute(bz, snap->buddy.nr_orders, &snap->frag[z]);
		if (rc)
			return mms_err_at(err, 0, "zone %d/%s: free page total overflows", bz->node,
					  bz->zone);
		snap->zi[z] = mms_zoneinfo_find(&snap->zoneinfo, bz->node, bz->zone);
		for (int i = 0; snap->have_pagetype && i < snap->pagetype.nr_zones; i++)
			if (snap->pagetype.zones[i].node == bz->node &&
			    !strcmp(snap->pagetype.zones[i].zone, bz->zone))
				snap->pt[z] = &snap->pagetype.zones[i];
		mms_zone_judge(&snap->frag[z], snap->zi[z], snap->extfrag_threshold,
			       snap->thp_order, &snap->verdict[z]);
	}
	return 0;
}
