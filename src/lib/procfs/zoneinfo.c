// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * /proc/zoneinfo: a block per zone (populated or not) opened by "Node N, zone NAME".
 * We take the watermark block: "pages free N", then "min", "low", "high", "promo",
 * "boost", "spanned", "present", "managed" as "name value" lines. The per-node stats,
 * per-zone counters and per-CPU pagesets ("high:  N" with a colon) are skipped: the
 * colon tells a pageset field from the watermark of the same name.
 *
 * Completeness, so that a file cut between lines is an error and not fewer zones:
 * every zone block has "protection: (...)" after its watermarks, and a zone with
 * present pages goes on to "start_pfn:" (the kernel prints the rest only for
 * populated zones; 7.x adds lines after it, which are skipped like any other).
 * Every node lists the same zones (the kernel prints all MAX_NR_ZONES of each), so
 * a node with fewer zones than the first is a cut file too, and a zone listed twice
 * is an error.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "lib/util/textscan.h"

enum { SEEN_FREE = 1, SEEN_MIN = 2, SEEN_LOW = 4, SEEN_HIGH = 8, SEEN_MANAGED = 16,
       SEEN_PROMO = 32, SEEN_PRESENT = 64, SEEN_PROTECTION = 128, SEEN_START_PFN = 256 };

struct zone_field {
	const char *name;
	size_t offset;
	unsigned seen; /* the bit recording that a field was present */
};

#define FIELD(f, bit) { #f, offsetof(struct mms_zoneinfo_zone, f), bit }
static const struct zone_field zone_fields[] = {
	FIELD(boost, 0), FIELD(min, SEEN_MIN), FIELD(low, SEEN_LOW), FIELD(high, SEEN_HIGH),
	FIELD(promo, SEEN_PROMO), FIELD(spanned, 0), FIELD(present, SEEN_PRESENT),
	FIELD(managed, SEEN_MANAGED),
};

#define SEEN_ALL (SEEN_FREE | SEEN_MIN | SEEN_LOW | SEEN_HIGH | SEEN_MANAGED | SEEN_PROTECTION)

/* A zone block ends complete: watermarks, protection, and start_pfn when populated. */
static int check_complete(const struct mms_zoneinfo_zone *z, unsigned seen, int lineno,
			  struct mms_error *err)
{
	if ((seen & SEEN_ALL) != SEEN_ALL)
		return mms_err_at(err, lineno,
				  "zone %d/%s lacks 'pages free', min, low, high, managed or "
				  "protection (truncated?)",
				  z->node, z->zone);
	if (z->present && !(seen & SEEN_START_PFN))
		return mms_err_at(err, lineno, "populated zone %d/%s lacks start_pfn (truncated?)",
				  z->node, z->zone);
	return 0;
}

/*
 * Checks that zone index i of out has the name the first node gave the same position;
 * first_len is the first node's zone count (0 while the first node is being read).
 */
static int check_zone_order(const struct mms_zoneinfo *out, int i, int first_len, int lineno,
			    struct mms_error *err)
{
	const struct mms_zoneinfo_zone *z = &out->zones[i];
	int start = i, pos;

	while (start > 0 && out->zones[start - 1].node == z->node)
		start--;
	pos = i - start;
	for (int j = 0; j < i; j++)
		if (out->zones[j].node == z->node && !strcmp(out->zones[j].zone, z->zone))
			return mms_err_at(err, lineno, "zone %d/%s listed twice", z->node, z->zone);
	if (!first_len)
		return 0;
	if (pos >= first_len)
		return mms_err_at(err, lineno, "node %d has more zones than node %d's %d", z->node,
				  out->zones[0].node, first_len);
	if (strcmp(out->zones[pos].zone, z->zone))
		return mms_err_at(err, lineno, "node %d's zone %d is %s; node %d's is %s", z->node,
				  pos, z->zone, out->zones[0].node, out->zones[pos].zone);
	return 0;
}

/* The first node's zone count once a second node starts; 0 before. */
static int first_node_len(const struct mms_zoneinfo *out)
{
	for (int i = 1; i < out->nr_zones; i++)
		if (out->zones[i].node != out->zones[0].node)
			return i;
	return 0;
}

/* At a node change or the end: the node that just ended must have had every zone. */
static int check_node_full(const struct mms_zoneinfo *out, int end, int lineno,
			   struct mms_error *err)
{
	int first_len = first_node_len(out), start = end;

	if (!first_len || end <= first_len)
		return 0;
	while (start > 0 && out->zones[start - 1].node == out->zones[end - 1].node)
		start--;
	if (end - start != first_len)
		return mms_err_at(err, lineno, "node %d has %d zones, node %d has %d (truncated?)",
				  out->zones[end - 1].node, end - start, out->zones[0].node,
				  first_len);
	return 0;
}

/* One "name value" line of the watermark block, if name is one of ours. */
static int parse_field(struct mms_zoneinfo_zone *z, unsigned *seen, struct mms_tok name,
		       struct mms_tok rest, int lineno, struct mms_error *err)
{
	struct mms_tok value;
	uint64_t v;
	int rc;

	for (size_t i = 0; i < sizeof(zone_fields) / sizeof(zone_fields[0]); i++) {
		if (!mms_tok_eq(name, zone_fields[i].name))
			continue;
		if (!mms_tok_next(&rest, &value))
			return mms_err_at(err, lineno, "'%s' without a value", zone_fields[i].name);
		rc = mms_parse_u64(value, &v);
		if (rc)
			return mms_err_number(err, lineno, value, rc);
		if (mms_tok_next(&rest, &value))
			return mms_err_at(err, lineno, "extra text after '%s'",
					  zone_fields[i].name);
		if (zone_fields[i].seen & *seen)
			return mms_err_at(err, lineno, "'%s' twice in one zone",
					  zone_fields[i].name);
		*(uint64_t *)((char *)z + zone_fields[i].offset) = v;
		*seen |= zone_fields[i].seen;
		z->has_promo |= zone_fields[i].seen == SEEN_PROMO;
		break;
	}
	return 0;
}

int mms_parse_zoneinfo(const char *text, size_t len, struct mms_zoneinfo *out,
		       struct mms_error *err)
{
	struct mms_zoneinfo_zone *z = NULL;
	struct mms_lines ls;
	struct mms_tok line;
	unsigned seen = 0;
	int rc = mms_check_file(text, len, err);

	if (rc)
		return rc;
	out->nr_zones = 0;
	if (len == 0)
		return mms_err_at(err, 0, "empty file");
	mms_lines_init(&ls, text, len);
	while (mms_lines_next(&ls, &line)) {
		struct mms_tok rest = line, name, value;

		if (!mms_tok_next(&rest, &name))
			continue;
		if (mms_tok_eq(name, "Node")) {
			if (z && (rc = check_complete(z, seen, ls.lineno, err)))
				return rc;
			if (out->nr_zones == MMS_ZONES_MAX)
				return mms_err_at(err, ls.lineno, "more than %d zones", MMS_ZONES_MAX);
			z = &out->zones[out->nr_zones++];
			memset(z, 0, sizeof(*z));
			seen = 0;
			rest = line;
			rc = mms_parse_node_zone(&rest, ls.lineno, &z->node, z->zone, err);
			if (rc)
				return rc;
			if (mms_tok_next(&rest, &value))
				return mms_err_at(err, ls.lineno, "extra text after the zone name");
			if (out->nr_zones > 1 && z->node != out->zones[out->nr_zones - 2].node &&
			    (rc = check_node_full(out, out->nr_zones - 1, ls.lineno, err)))
				return rc;
			rc = check_zone_order(out, out->nr_zones - 1, first_node_len(out),
					      ls.lineno, err);
			if (rc)
				return rc;
			continue;
		}
		if (!z)
			return mms_err_at(err, ls.lineno, "data before the first 'Node N, zone NAME'");
		if (mms_tok_eq(name, "pages")) { /* "pages free N" */
			struct mms_tok free_tok;

			if (!mms_tok_next(&rest, &free_tok) || !mms_tok_eq(free_tok, "free"))
				continue; /* other "pages ..." lines do not exist today; ignore */
			if (!mms_tok_next(&rest, &value))
				return mms_err_at(err, ls.lineno, "'pages free' without a value");
			rc = mms_parse_u64(value, &z->free);
			if (rc)
				return mms_err_number(err, ls.lineno, value, rc);
			if (mms_tok_next(&rest, &value))
				return mms_err_at(err, ls.lineno, "extra text after 'pages free'");
			if (seen & SEEN_FREE)
				return mms_err_at(err, ls.lineno, "'pages free' twice in one zone");
			seen |= SEEN_FREE;
		} else if (mms_tok_eq(name, "protection:")) {
			seen |= SEEN_PROTECTION;
		} else if (mms_tok_eq(name, "start_pfn:")) {
			seen |= SEEN_START_PFN;
		} else {
			rc = parse_field(z, &seen, name, rest, ls.lineno, err);
			if (rc)
				return rc;
		}
	}
	if (!z)
		return mms_err_at(err, ls.lineno, "no zones (blank file)");
	rc = check_complete(z, seen, ls.lineno, err);
	if (!rc)
		rc = check_node_full(out, out->nr_zones, ls.lineno, err);
	if (rc)
		return rc;
	for (int i = 0; i < out->nr_zones; i++)
		out->zones[i].populated = out->zones[i].managed > 0;
	return 0;
}

const struct mms_zoneinfo_zone *mms_zoneinfo_find(const struct mms_zoneinfo *zi, int node,
						  const char *zone)
{
	for (int i = 0; i < zi->nr_zones; i++)
		if (zi->zones[i].node == node && !strcmp(zi->zones[i].zone, zone))
			return &zi->zones[i];
	return NULL;
}
