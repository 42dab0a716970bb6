// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * /proc/buddyinfo: one line per populated zone,
 *   "Node %d, zone %8s " then "%6lu " per order (free_area[order].nr_free).
 * Columns are parsed by whitespace because counts of a million or more widen them.
 * Every line must have the same number of orders, each zone appears once, and a zone
 * whose free-page total would not fit 64 bits (times the 1000 the indices scale by)
 * is rejected as impossible (-EOVERFLOW). A last line without its newline means the
 * file was cut mid-line; a file cut between lines cannot be told from one with fewer
 * zones.
 */
#include <errno.h>
#include <string.h>

#include "lib/util/textscan.h"

/* Parses the "Node N, zone NAME" prefix shared by buddyinfo, zoneinfo and
 * pagetypeinfo's pageblock table; leaves *rest after the zone name. */
int mms_parse_node_zone(struct mms_tok *rest, int lineno, int *node, char *zone,
			struct mms_error *err)
{
	struct mms_tok t;
	int rc;

	if (!mms_tok_next(rest, &t) || !mms_tok_eq(t, "Node"))
		return mms_err_at(err, lineno, "expected 'Node N, zone NAME'");
	if (!mms_tok_next(rest, &t) || !mms_tok_strip(&t, ','))
		return mms_err_at(err, lineno, "expected 'N,' after 'Node'");
	rc = mms_parse_int(t, node);
	if (rc)
		return mms_err_number(err, lineno, t, rc);
	if (!mms_tok_next(rest, &t) || !mms_tok_eq(t, "zone"))
		return mms_err_at(err, lineno, "expected 'zone' after the node number");
	if (!mms_tok_next(rest, &t))
		return mms_err_at(err, lineno, "missing zone name");
	mms_tok_strip(&t, ',');
	if (!mms_tok_is_name(t))
		return mms_err_at(err, lineno, "bad zone name '%.*s'",
				  (int)(t.len > 24 ? 24 : t.len), t.s);
	if (mms_tok_copy(t, zone, MMS_ZONE_NAME_MAX))
		return mms_err_at(err, lineno, "zone name '%.*s...' too long",
				  MMS_ZONE_NAME_MAX - 1, t.s);
	return 0;
}

/* The zone (node, name) among the first n of zones, or NULL. */
static const struct mms_buddy_zone *find_zone(const struct mms_buddy_zone *zones, int n, int node,
					      const char *name)
{
	for (int i = 0; i < n; i++)
		if (zones[i].node == node && !strcmp(zones[i].zone, name))
			return &zones[i];
	return NULL;
}

int mms_parse_buddyinfo(const char *text, size_t len, struct mms_buddyinfo *out,
			struct mms_error *err)
{
	struct mms_lines ls;
	struct mms_tok line;
	int rc = mms_check_file(text, len, err);

	if (rc)
		return rc;
	out->nr_zones = 0;
	out->nr_orders = 0;
	if (len == 0)
		return mms_err_at(err, 0, "empty file");
	mms_lines_init(&ls, text, len);
	while (mms_lines_next(&ls, &line)) {
		struct mms_tok rest = line, t;
		struct mms_buddy_zone *z;
		struct mms_contig_info info;
		int n = 0;

		if (!mms_tok_next(&rest, &t))
			continue; /* blank line */
		rest = line;
		if (out->nr_zones == MMS_ZONES_MAX)
			return mms_err_at(err, ls.lineno, "more than %d zones", MMS_ZONES_MAX);
		z = &out->zones[out->nr_zones];
		memset(z, 0, sizeof(*z));
		rc = mms_parse_node_zone(&rest, ls.lineno, &z->node, z->zone, err);
		if (rc)
			return rc;
		if (find_zone(out->zones, out->nr_zones, z->node, z->zone))
			return mms_err_at(err, ls.lineno, "zone %d/%s listed twice", z->node,
					  z->zone);
		while (mms_tok_next(&rest, &t)) {
			if (n == MMS_ORDERS_MAX)
				return mms_err_at(err, ls.lineno, "more than %d orders", MMS_ORDERS_MAX);
			rc = mms_parse_u64(t, &z->free_blocks[n]);
			if (rc)
				return mms_err_number(err, ls.lineno, t, rc);
			n++;
		}
		if (n == 0)
			return mms_err_at(err, ls.lineno, "no free-block counts");
		if (out->nr_orders && n != out->nr_orders)
			return mms_err_at(err, ls.lineno, "%d orders, but earlier lines have %d", n,
					  out->nr_orders);
		out->nr_orders = n;
		if (mms_contig_info(z->free_blocks, n, 0, &info)) {
			mms_err_at(err, ls.lineno, "free page total overflows 64 bits");
			return -EOVERFLOW;
		}
		out->nr_zones++;
	}
	if (out->nr_zones == 0)
		return mms_err_at(err, ls.lineno, "no zones (blank file)");
	return 0;
}
