// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * /proc/pagetypeinfo (mode 0400): per node a header ("Page block order: 9",
 * "Pages per block:  512", "Free pages count per migrate type at order 0 1 ..."),
 * one line per zone and migrate type with free-list lengths per order (a walk capped
 * at 100000, printed ">100000"), then "Number of blocks type <types...>" and one line
 * per zone with pageblocks per migrate type. With page_owner a "Number of mixed
 * blocks" table follows; it is recognised and skipped.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "textscan.h"

static struct mms_pagetype_zone *zone_slot(struct mms_pagetypeinfo *out, int node,
					   const char *zone, int lineno, struct mms_error *err)
{
	for (int i = 0; i < out->nr_zones; i++)
		if (out->zones[i].node == node && !strcmp(out->zones[i].zone, zone))
			return &out->zones[i];
	if (out->nr_zones == MMS_ZONES_MAX) {
		mms_err_at(err, lineno, "more than %d zones", MMS_ZONES_MAX);
		return NULL;
	}
	struct mms_pagetype_zone *z = &out->zones[out->nr_zones++];

	memset(z, 0, sizeof(*z));
	z->node = node;
	snprintf(z->zone, sizeof(z->zone), "%s", zone);
	return z;
}

static int type_index(struct mms_pagetypeinfo *out, struct mms_tok t, bool add, int lineno,
		      struct mms_error *err)
{
	for (int i = 0; i < out->nr_types; i++)
		if (mms_tok_eq(t, out->types[i]))
			return i;
	if (!add)
		return mms_err_at(err, lineno, "unknown migrate type '%.*s'", (int)t.len, t.s);
	if (out->nr_types == MMS_MIGRATETYPES_MAX)
		return mms_err_at(err, lineno, "more than %d migrate types", MMS_MIGRATETYPES_MAX);
	if (mms_tok_copy(t, out->types[out->nr_types], MMS_ZONE_NAME_MAX))
		return mms_err_at(err, lineno, "migrate type name too long");
	return out->nr_types++;
}

/* "Node    0, zone      DMA, type    Unmovable      0 ... " */
static int parse_free_line(struct mms_pagetypeinfo *out, struct mms_tok rest, int lineno,
			   struct mms_error *err)
{
	char zone[MMS_ZONE_NAME_MAX];
	struct mms_pagetype_zone *z;
	struct mms_tok t;
	int node, type, n = 0, rc;

	rc = mms_parse_node_zone(&rest, lineno, &node, zone, err);
	if (rc)
		return rc;
	if (!mms_tok_next(&rest, &t) || !mms_tok_eq(t, "type") || !mms_tok_next(&rest, &t))
		return mms_err_at(err, lineno, "expected 'type NAME' after the zone");
	type = type_index(out, t, true, lineno, err);
	if (type < 0)
		return type;
	z = zone_slot(out, node, zone, lineno, err);
	if (!z)
		return -EINVAL;
	while (mms_tok_next(&rest, &t)) {
		bool capped = t.len && t.s[0] == '>';

		if (n == out->nr_orders)
			return mms_err_at(err, lineno, "more counts than the %d orders of the header",
					  out->nr_orders);
		if (capped) {
			t.s++;
			t.len--;
		}
		rc = mms_parse_u64(t, &z->free_blocks[type][n]);
		if (rc)
			return mms_err_number(err, lineno, t, rc);
		z->capped[type][n++] = capped;
	}
	if (n != out->nr_orders)
		return mms_err_at(err, lineno, "%d counts, the header has %d orders", n,
				  out->nr_orders);
	return 0;
}

/* "Node 0, zone      DMA            1            7 ..." under "Number of blocks type". */
static int parse_blocks_line(struct mms_pagetypeinfo *out, struct mms_tok rest, int lineno,
			     const int *col_type, int nr_cols, struct mms_error *err)
{
	char zone[MMS_ZONE_NAME_MAX];
	struct mms_pagetype_zone *z;
	struct mms_tok t;
	int node, n = 0, rc;

	rc = mms_parse_node_zone(&rest, lineno, &node, zone, err);
	if (rc)
		return rc;
	z = zone_slot(out, node, zone, lineno, err);
	if (!z)
		return -EINVAL;
	while (mms_tok_next(&rest, &t)) {
		if (n == nr_cols)
			return mms_err_at(err, lineno, "more columns than migrate types (%d)", nr_cols);
		rc = mms_parse_u64(t, &z->pageblocks[col_type[n++]]);
		if (rc)
			return mms_err_number(err, lineno, t, rc);
	}
	if (n != nr_cols)
		return mms_err_at(err, lineno, "%d columns, expected %d migrate types", n, nr_cols);
	z->have_pageblocks = true;
	return 0;
}

int mms_parse_pagetypeinfo(const char *text, size_t len, struct mms_pagetypeinfo *out,
			   struct mms_error *err)
{
	enum { HEADER, FREE, BLOCKS, MIXED } section = HEADER;
	int col_type[MMS_MIGRATETYPES_MAX], nr_cols = 0, rc;
	bool have_order = false, have_header = false, have_blocks = false;
	struct mms_lines ls;
	struct mms_tok line;

	rc = mms_check_text(text, len, err);
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	mms_lines_init(&ls, text, len);
	while (mms_lines_next(&ls, &line)) {
		struct mms_tok rest = line, t;

		if (!mms_tok_next(&rest, &t))
			continue;
		if (mms_tok_eq(t, "Page")) { /* Page block order: N */
			struct mms_tok a, b;
			int order;

			if (!mms_tok_next(&rest, &a) || !mms_tok_eq(a, "block") ||
			    !mms_tok_next(&rest, &b) || !mms_tok_eq(b, "order:") ||
			    !mms_tok_next(&rest, &t))
				return mms_err_at(err, ls.lineno, "expected 'Page block order: N'");
			rc = mms_parse_int(t, &order);
			if (rc)
				return mms_err_number(err, ls.lineno, t, rc);
			if (order >= MMS_ORDERS_MAX)
				return mms_err_at(err, ls.lineno, "page block order %d too large", order);
			out->pageblock_order = order;
			have_order = true;
			section = HEADER;
		} else if (mms_tok_eq(t, "Pages")) { /* Pages per block:  N */
			struct mms_tok a, b;

			if (!mms_tok_next(&rest, &a) || !mms_tok_eq(a, "per") ||
			    !mms_tok_next(&rest, &b) || !mms_tok_eq(b, "block:") ||
			    !mms_tok_next(&rest, &t))
				return mms_err_at(err, ls.lineno, "expected 'Pages per block: N'");
			rc = mms_parse_u64(t, &out->pages_per_block);
			if (rc)
				return mms_err_number(err, ls.lineno, t, rc);
		} else if (mms_tok_eq(t, "Free")) { /* Free pages count per migrate type at order 0.. */
			int n = 0;

			while (mms_tok_next(&rest, &t) && !mms_tok_eq(t, "order"))
				;
			while (mms_tok_next(&rest, &t)) {
				int order;

				rc = mms_parse_int(t, &order);
				if (rc)
					return mms_err_number(err, ls.lineno, t, rc);
				if (order != n)
					return mms_err_at(err, ls.lineno, "orders not 0, 1, 2, ...");
				if (++n > MMS_ORDERS_MAX)
					return mms_err_at(err, ls.lineno, "more than %d orders",
							  MMS_ORDERS_MAX);
			}
			if (n == 0 || (out->nr_orders && n != out->nr_orders))
				return mms_err_at(err, ls.lineno, "bad order header (%d orders)", n);
			out->nr_orders = n;
			have_header = true;
			section = FREE;
		} else if (mms_tok_eq(t, "Number")) { /* Number of blocks type T1 T2 ... */
			struct mms_tok a, b, c;

			if (!mms_tok_next(&rest, &a) || !mms_tok_eq(a, "of") ||
			    !mms_tok_next(&rest, &b) || !mms_tok_next(&rest, &c))
				return mms_err_at(err, ls.lineno, "bad 'Number of ...' header");
			if (mms_tok_eq(b, "mixed")) { /* page_owner's table: same shape, not used */
				section = MIXED;
				continue;
			}
			if (!mms_tok_eq(b, "blocks") || !mms_tok_eq(c, "type"))
				return mms_err_at(err, ls.lineno, "bad 'Number of blocks type' header");
			nr_cols = 0;
			while (mms_tok_next(&rest, &t)) {
				if (nr_cols == MMS_MIGRATETYPES_MAX)
					return mms_err_at(err, ls.lineno, "too many migrate types");
				rc = type_index(out, t, true, ls.lineno, err);
				if (rc < 0)
					return rc;
				col_type[nr_cols++] = rc;
			}
			if (!nr_cols)
				return mms_err_at(err, ls.lineno, "no migrate types in the header");
			section = BLOCKS;
		} else if (mms_tok_eq(t, "Node")) {
			if (section == FREE)
				rc = parse_free_line(out, line, ls.lineno, err);
			else if (section == BLOCKS)
				rc = parse_blocks_line(out, line, ls.lineno, col_type, nr_cols, err);
			else if (section == MIXED)
				rc = 0;
			else
				rc = mms_err_at(err, ls.lineno, "zone line before any header");
			if (rc)
				return rc;
			have_blocks |= section == BLOCKS;
		} else {
			return mms_err_at(err, ls.lineno, "unexpected line '%.*s'",
					  (int)(line.len > 40 ? 40 : line.len), line.s);
		}
	}
	if (!have_order || !have_header || !out->nr_zones)
		return mms_err_at(err, ls.lineno, "incomplete file: no %s",
				  !have_order ? "'Page block order'" :
				  !have_header ? "free-count header" : "zones");
	if (!have_blocks)
		return mms_err_at(err, ls.lineno, "incomplete file: no 'Number of blocks type' table");
	for (int i = 0; i < out->nr_zones; i++)
		if (!out->zones[i].have_pageblocks)
			return mms_err_at(err, ls.lineno, "zone %d/%s has no pageblock counts",
					  out->zones[i].node, out->zones[i].zone);
	return 0;
}
