// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * /proc/zoneinfo: a block per zone (populated or not) opened by "Node N, zone NAME".
 * We take the watermark block: "pages free N", then "min", "low", "high", "promo",
 * "boost", "spanned", "present", "managed" as "name value" lines. The per-node stats,
 * per-zone counters and per-CPU pagesets ("high:  N" with a colon) are skipped: the
 * colon tells a pageset field from the watermark of the same name.
 */
#include <stddef.h>
#include <string.h>

#include "textscan.h"

enum { SEEN_FREE = 1, SEEN_MIN = 2, SEEN_LOW = 4, SEEN_HIGH = 8, SEEN_MANAGED = 16,
       SEEN_PROMO = 32 };

struct zone_field {
	const char *name;
	size_t offset;
	unsigned seen; /* the bit recording that a required field was present */
};

#define FIELD(f, bit) { #f, offsetof(struct mms_zoneinfo_zone, f), bit }
static const struct zone_field zone_fields[] = {
	FIELD(boost, 0), FIELD(min, SEEN_MIN), FIELD(low, SEEN_LOW), FIELD(high, SEEN_HIGH),
	FIELD(promo, SEEN_PROMO), FIELD(spanned, 0), FIELD(present, 0),
	FIELD(managed, SEEN_MANAGED),
};

#define SEEN_ALL (SEEN_FREE | SEEN_MIN | SEEN_LOW | SEEN_HIGH | SEEN_MANAGED)

static int check_complete(const struct mms_zoneinfo_zone *z, unsigned seen, int lineno,
			  struct mms_error *err)
{
	if ((seen & SEEN_ALL) != SEEN_ALL)
		return mms_err_at(err, lineno,
				  "zone %d/%s lacks 'pages free', min, low, high or managed (truncated?)",
				  z->node, z->zone);
	return 0;
}

int mms_parse_zoneinfo(const char *text, size_t len, struct mms_zoneinfo *out,
		       struct mms_error *err)
{
	struct mms_zoneinfo_zone *z = NULL;
	struct mms_lines ls;
	struct mms_tok line;
	unsigned seen = 0;
	int rc = mms_check_text(text, len, err);

	if (rc)
		return rc;
	out->nr_zones = 0;
	mms_lines_init(&ls, text, len);
	while (mms_lines_next(&ls, &line)) {
		struct mms_tok rest = line, name, value;
		uint64_t v;

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
			continue;
		}
		if (!z)
			return mms_err_at(err, ls.lineno, "data before the first 'Node N, zone NAME'");
		if (mms_tok_eq(name, "pages")) { /* "pages free N" */
			struct mms_tok free_tok;

			if (!mms_tok_next(&rest, &free_tok) || !mms_tok_eq(free_tok, "free") ||
			    !mms_tok_next(&rest, &value))
				continue; /* other "pages ..." lines do not exist today; ignore */
			rc = mms_parse_u64(value, &z->free);
			if (rc)
				return mms_err_number(err, ls.lineno, value, rc);
			seen |= SEEN_FREE;
			continue;
		}
		for (size_t i = 0; i < sizeof(zone_fields) / sizeof(zone_fields[0]); i++) {
			if (!mms_tok_eq(name, zone_fields[i].name))
				continue;
			if (!mms_tok_next(&rest, &value))
				return mms_err_at(err, ls.lineno, "'%s' without a value",
						  zone_fields[i].name);
			rc = mms_parse_u64(value, &v);
			if (rc)
				return mms_err_number(err, ls.lineno, value, rc);
			if (mms_tok_next(&rest, &value))
				return mms_err_at(err, ls.lineno, "extra text after '%s'",
						  zone_fields[i].name);
			*(uint64_t *)((char *)z + zone_fields[i].offset) = v;
			seen |= zone_fields[i].seen;
			z->has_promo |= zone_fields[i].seen == SEEN_PROMO;
			break;
		}
	}
	if (!z)
		return mms_err_at(err, ls.lineno, "no zones (empty or truncated file)");
	rc = check_complete(z, seen, ls.lineno, err);
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
