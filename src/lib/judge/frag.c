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

static void read_threshold(const struct mms_host *host, struct mms_frag_snapshot *snap)
{
	struct mms_error err;
	struct mms_tok all, tok;
	char *text;
	size_t len;
	int v;

	snap->extfrag_threshold = EXTFRAG_THRESHOLD_DEFAULT;
	snap->threshold_default = true;
	if (mms_host_read(host, "/proc/sys/vm/extfrag_threshold", &text, &len, &err))
		return;
	all.s = text;
	all.len = len;
	if (mms_tok_next(&all, &tok) && !mms_parse_int(tok, &v) && v <= 1000) {
		snap->extfrag_threshold = v;
		snap->threshold_default = false;
	}
	free(text);
}

/* PMD THP order: log2(hpage_pmd_size / page size); else pageblock order; else 9. */
static void find_thp_order(const struct mms_host *host, struct mms_frag_snapshot *snap)
{
	struct mms_error err;
	char *text;
	size_t len;

	snap->thp_order = snap->have_pagetype ? snap->pagetype.pageblock_order : 9;
	if (mms_host_read(host, "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", &text, &len,
			  &err))
		return;
	unsigned long long pmd = strtoull(text, NULL, 10);

	free(text);
	for (int o = 0; o < snap->buddy.nr_orders; o++)
		if (snap->page_size << o == pmd)
			snap->thp_order = o;
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
	read_threshold(host, snap);
	rc = READ_PARSE(host, "/proc/buddyinfo", mms_parse_buddyinfo, &snap->buddy, err);
	if (rc)
		return rc;
	find_thp_order(host, snap);
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
