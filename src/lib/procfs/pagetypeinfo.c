// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * /proc/pagetypeinfo (mode 0400): per node a header ("Page block order: 9",
 * "Pages per block:  512", "Free pages count per migrate type at order 0 1 ..."),
 * one line per zone and migrate type with free-list lengths per order (a walk capped
 * at 100000, printed ">100000"), then "Number of blocks type <types...>" and one line
 * per zone with pageblocks per migrate type. With page_owner a "Number of mixed
 * blocks" table follows; it is recognised and skipped. Memoryless nodes print nothing;
 * every other node repeats the whole layout.
 *
 * The parser follows that order strictly (a state per section), so a missing header,
 * a zone without one of the migrate types, a blocks table whose types differ from the
 * free table's, or a file cut before a zone's pageblock counts is an error, not a
 * partial result.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/util/textscan.h"

/* Parser state beyond what struct mms_pagetypeinfo holds. */
struct pt_state {
	enum { ST_START, ST_ORDER, ST_PER_BLOCK, ST_FREE, ST_BLOCKS, ST_MIXED } section;
	int col_type[MMS_MIGRATETYPES_MAX]; /* blocks table column -> type index */
	int nr_cols;
	unsigned type_rows[MMS_ZONES_MAX]; /* per zone: bit t set once its type-t row is read */
};

static struct mms_pagetype_zone *zone_find(struct mms_pagetypeinfo *out, int node,
					   const char *zone)
{
	for (int i = 0; i < out->nr_zones; i++)
		if (out->zones[i].node == node && !strcmp(out->zones[i].zone, zone))
			return &out->zones[i];
	return NULL;
}

static struct mms_pagetype_zone *zone_slot(struct mms_pagetypeinfo *out, int node,
					   const char *zone, int lineno, struct mms_error *err)
{
	struct mms_pagetype_zone *found = zone_find(out, node, zone);

	if (found)
		return found;
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
		return mms_err_at(err, lineno, "migrate type '%.*s' is not in the free table",
				  (int)(t.len > 24 ? 24 : t.len), t.s);
	if (!mms_tok_is_name(t))
		return mms_err_at(err, lineno, "bad migrate type name");
	if (out->nr_types == MMS_MIGRATETYPES_MAX)
		return mms_err_at(err, lineno, "more than %d migrate types", MMS_MIGRATETYPES_MAX);
	if (mms_tok_copy(t, out->types[out->nr_types], MMS_ZONE_NAME_MAX))
		return mms_err_at(err, lineno, "migrate type name too long");
	return out->nr_types++;
}

/* "Node    0, zone      DMA, type    Unmovable      0 ... " */
static int parse_free_line(struct mms_pagetypeinfo *out, struct pt_state *st,
			   struct mms_tok rest, int lineno, struct mms_error *err)
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
	if (st->type_rows[z - out->zones] & (1u << type))
		return mms_err_at(err, lineno, "zone %d/%s, type %s listed twice", node, zone,
				  out->types[type]);
	st->type_rows[z - out->zones] |= 1u << type;
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
static int parse_blocks_line(struct mms_pagetypeinfo *out, const struct pt_state *st,
			     struct mms_tok rest, int lineno, struct mms_error *err)
{
	char zone[MMS_ZONE_NAME_MAX];
	struct mms_pagetype_zone *z;
	struct mms_tok t;
	int node, n = 0, rc;

	rc = mms_parse_node_zone(&rest, lineno, &node, zone, err);
	if (rc)
		return rc;
	z = zone_find(out, node, zone);
	if (!z)
		return mms_err_at(err, lineno, "zone %d/%s is not in the free table", node, zone);
	if (z->have_pageblocks)
		return mms_err_at(err, lineno, "zone %d/%s listed twice", node, zone);
	while (mms_tok_next(&rest, &t)) {
		if (n == st->nr_cols)
			return mms_err_at(err, lineno, "more columns than migrate types (%d)",
					  st->nr_cols);
		rc = mms_parse_u64(t, &z->pageblocks[st->col_type[n++]]);
		if (rc)
			return mms_err_number(err, lineno, t, rc);
	}
	if (n != st->nr_cols)
		return mms_err_at(err, lineno, "%d columns, expected %d migrate types", n,
				  st->nr_cols);
	z->have_pageblocks = true;
	return 0;
}

/* The last token of a header line: "Page block order: N", "Pages per block: N". */
static int header_number(struct mms_tok rest, const char *w1, const char *w2, int lineno,
			 uint64_t *out, struct mms_error *err)
{
	struct mms_tok a, b, t;
	int rc;

	if (!mms_tok_next(&rest, &a) || !mms_tok_eq(a, w1) || !mms_tok_next(&rest, &b) ||
	    !mms_tok_eq(b, w2) || !mms_tok_next(&rest, &t))
		return mms_err_at(err, lineno, "expected '%s %s N'", w1, w2);
	rc = mms_parse_u64(t, out);
	if (rc)
		return mms_err_number(err, lineno, t, rc);
	if (mms_tok_next(&rest, &t))
		return mms_err_at(err, lineno, "extra text after the number");
	return 0;
}

/* "Page block order: N": opens a node's section (the first, or after a blocks table). */
static int parse_order_line(struct mms_pagetypeinfo *out, struct pt_state *st, bool *have_order,
			    struct mms_tok rest, int lineno, struct mms_error *err)
{
	uint64_t order;
	int rc;

	if (st->section != ST_START && st->section != ST_BLOCKS && st->section != ST_MIXED)
		return mms_err_at(err, lineno, "'Page block order' inside a node's tables");
	rc = header_number(rest, "block", "order:", lineno, &order, err);
	if (rc)
		return rc;
	if (order >= MMS_ORDERS_MAX)
		return mms_err_at(err, lineno, "page block order %llu too large",
				  (unsigned long long)order);
	if (*have_order && (int)order != out->pageblock_order)
		return mms_err_at(err, lineno, "page block order %d, an earlier node has %d",
				  (int)order, out->pageblock_order);
	out->pageblock_order = (int)order;
	*have_order = true;
	st->section = ST_ORDER;
	return 0;
}

/* "Pages per block:  N", right after the order, and equal to 2^order. */
static int parse_per_block_line(struct mms_pagetypeinfo *out, struct pt_state *st,
				struct mms_tok rest, int lineno, struct mms_error *err)
{
	uint64_t pages;
	int rc;

	if (st->section != ST_ORDER)
		return mms_err_at(err, lineno, "'Pages per block' not after 'Page block order'");
	rc = header_number(rest, "per", "block:", lineno, &pages, err);
	if (rc)
		return rc;
	if (pages != 1ull << out->pageblock_order)
		return mms_err_at(err, lineno, "%llu pages per block, but page block order is %d",
				  (unsigned long long)pages, out->pageblock_order);
	out->pages_per_block = pages;
	st->section = ST_PER_BLOCK;
	return 0;
}

/* "Free pages count per migrate type at order 0 1 ... N". */
static int parse_free_header(struct mms_pagetypeinfo *out, struct pt_state *st,
			     struct mms_tok rest, int lineno, struct mms_error *err)
{
	struct mms_tok t;
	int n = 0, rc;

	static const char *const words[] = { "pages", "count", "per", "migrate", "type", "at",
					     "order" };

	if (st->section != ST_PER_BLOCK)
		return mms_err_at(err, lineno, "free-count header not after 'Pages per block'");
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!mms_tok_next(&rest, &t) || !mms_tok_eq(t, words[i]))
			return mms_err_at(err, lineno,
					  "expected 'Free pages count per migrate type at order'");
	while (mms_tok_next(&rest, &t)) {
		int order;

		rc = mms_parse_int(t, &order);
		if (rc)
			return mms_err_number(err, lineno, t, rc);
		if (order != n)
			return mms_err_at(err, lineno, "orders not 0, 1, 2, ...");
		if (++n > MMS_ORDERS_MAX)
			return mms_err_at(err, lineno, "more than %d orders", MMS_ORDERS_MAX);
	}
	if (n == 0)
		return mms_err_at(err, lineno, "no orders in the free-count header");
	if (out->nr_orders && n != out->nr_orders)
		return mms_err_at(err, lineno, "%d orders, an earlier node has %d", n,
				  out->nr_orders);
	if (out->pageblock_order >= n)
		return mms_err_at(err, lineno, "page block order %d, but only %d orders",
				  out->pageblock_order, n);
	out->nr_orders = n;
	st->section = ST_FREE;
	return 0;
}

/* "Number of blocks type T1 T2 ..." (or page_owner's "Number of mixed blocks ..."). */
static int parse_number_header(struct mms_pagetypeinfo *out, struct pt_state *st,
			       struct mms_tok rest, int lineno, struct mms_error *err)
{
	struct mms_tok a, b, c, t;
	unsigned cols_seen = 0;
	int rc;

	if (!mms_tok_next(&rest, &a) || !mms_tok_eq(a, "of") || !mms_tok_next(&rest, &b) ||
	    !mms_tok_next(&rest, &c))
		return mms_err_at(err, lineno, "bad 'Number of ...' header");
	if (mms_tok_eq(b, "mixed")) { /* page_owner's table: same shape, not used */
		if (st->section != ST_BLOCKS)
			return mms_err_at(err, lineno,
					  "'Number of mixed blocks' not after the blocks table");
		st->section = ST_MIXED;
		return 0;
	}
	if (!mms_tok_eq(b, "blocks") || !mms_tok_eq(c, "type"))
		return mms_err_at(err, lineno, "bad 'Number of blocks type' header");
	if (st->section != ST_FREE || !out->nr_zones)
		return mms_err_at(err, lineno, "blocks table without a free table before it");
	/* Every zone so far must have had a free row for every migrate type. */
	for (int i = 0; i < out->nr_zones; i++)
		if (st->type_rows[i] != (1u << out->nr_types) - 1)
			return mms_err_at(err, lineno,
					  "zone %d/%s lacks a free row for some migrate type",
					  out->zones[i].node, out->zones[i].zone);
	st->nr_cols = 0;
	while (mms_tok_next(&rest, &t)) {
		if (st->nr_cols == out->nr_types)
			return mms_err_at(err, lineno,
					  "more migrate types than the free table's %d",
					  out->nr_types);
		rc = type_index(out, t, false, lineno, err);
		if (rc < 0)
			return rc;
		if (cols_seen & (1u << rc))
			return mms_err_at(err, lineno, "migrate type %s listed twice",
					  out->types[rc]);
		cols_seen |= 1u << rc;
		st->col_type[st->nr_cols++] = rc;
	}
	if (st->nr_cols != out->nr_types)
		return mms_err_at(err, lineno, "%d migrate types, the free table has %d",
				  st->nr_cols, out->nr_types);
	st->section = ST_BLOCKS;
	return 0;
}

int mms_parse_pagetypeinfo(const char *text, size_t len, struct mms_pagetypeinfo *out,
			   struct mms_error *err)
{
	struct pt_state st = { .section = ST_START };
	bool have_order = false;
	struct mms_lines ls;
	struct mms_tok line;
	int rc;

	rc = mms_check_file(text, len, err);
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	if (len == 0)
		return mms_err_at(err, 0, "empty file");
	mms_lines_init(&ls, text, len);
	while (mms_lines_next(&ls, &line)) {
		struct mms_tok rest = line, t;

		if (!mms_tok_next(&rest, &t))
			continue;
		if (mms_tok_eq(t, "Page")) {
			rc = parse_order_line(out, &st, &have_order, rest, ls.lineno, err);
		} else if (mms_tok_eq(t, "Pages")) {
			rc = parse_per_block_line(out, &st, rest, ls.lineno, err);
		} else if (mms_tok_eq(t, "Free")) {
			rc = parse_free_header(out, &st, rest, ls.lineno, err);
		} else if (mms_tok_eq(t, "Number")) {
			rc = parse_number_header(out, &st, rest, ls.lineno, err);
		} else if (mms_tok_eq(t, "Node")) {
			if (st.section == ST_FREE)
				rc = parse_free_line(out, &st, line, ls.lineno, err);
			else if (st.section == ST_BLOCKS)
				rc = parse_blocks_line(out, &st, line, ls.lineno, err);
			else if (st.section == ST_MIXED)
				rc = 0;
			else
				rc = mms_err_at(err, ls.lineno, "zone line before any header");
		} else {
			rc = mms_err_at(err, ls.lineno, "unexpected line '%.*s'",
					(int)(line.len > 40 ? 40 : line.len), line.s);
		}
		if (rc)
			return rc;
	}
	if (st.section != ST_BLOCKS && st.section != ST_MIXED)
		return mms_err_at(err, ls.lineno, "incomplete file: no %s",
				  st.section == ST_START	? "'Page block order' line" :
				  st.section == ST_ORDER	? "'Pages per block' line" :
				  st.section == ST_PER_BLOCK ? "free-count header" :
							       "'Number of blocks type' table");
	for (int i = 0; i < out->nr_zones; i++)
		if (!out->zones[i].have_pageblocks)
			return mms_err_at(err, ls.lineno,
					  "incomplete file: zone %d/%s has no pageblock counts",
					  out->zones[i].node, out->zones[i].zone);
	return 0;
}
