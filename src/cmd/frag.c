// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope frag [INTERVAL [COUNT]]: per node and zone, free blocks per order, free
 * blocks per migrate type, pageblocks per migrate type, watermarks, and the kernel's
 * extfrag and unusable indices per order, ending with both index tables printed
 * exactly as debugfs extfrag/extfrag_index and extfrag/unusable_index print them.
 * A verdict per zone says healthy, short of memory, or fragmented for order N.
 * With INTERVAL it repeats, showing what changed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "output/view.h"

/* debugfs prints index/1000 "." index%1000 with C's truncating division. */
static void print_debugfs_index(const struct mms_frag_snapshot *s, bool extfrag)
{
	printf("%s:\n", extfrag ? "extfrag_index" : "unusable_index");
	for (int z = 0; z < s->buddy.nr_zones; z++) {
		const struct mms_zone_frag *f = &s->frag[z];

		printf("Node %d, zone %8s ", s->buddy.zones[z].node, s->buddy.zones[z].zone);
		for (int o = 0; o < f->nr_orders; o++) {
			int v = extfrag ? f->extfrag_index[o] : f->unusable_index[o];

			/* Byte for byte what debugfs prints, including its " 0.-500" for the
			 * negative indices a zone with very few blocks can have. */
			printf(extfrag ? "%2d.%03d " : "%d.%03d ", v / 1000, v % 1000);
		}
		putchar('\n');
	}
}

static const char *index_str(int v, char buf[16])
{
	snprintf(buf, 16, "%s%d.%03d", v < 0 ? "-" : "", abs(v) / 1000, abs(v) % 1000);
	return buf;
}

static void verdict_text(const struct mms_frag_snapshot *s, int z, char *buf, size_t size)
{
	const struct mms_zone_verdict *v = &s->verdict[z];
	const struct mms_zoneinfo_zone *zi = s->zi[z];
	char a[16], b[16], c[16];

	switch (v->verdict) {
	case MMS_ZONE_SHORT_OF_MEMORY:
		snprintf(buf, size, "short of memory: %s free, at or below the high watermark %s",
			 fmt_bytes(zi->free * s->page_size, a),
			 fmt_bytes(zi->high * s->page_size, b));
		break;
	case MMS_ZONE_FRAGMENTED:
		snprintf(buf, size,
			 "fragmented for order %d (%s blocks): extfrag index %s above threshold %s%s",
			 v->order, fmt_bytes(s->page_size << v->order, a),
			 index_str(s->frag[z].extfrag_index[v->order], b),
			 index_str(s->extfrag_threshold, c),
			 v->order <= v->thp_order ? ", THP allocations need compaction" : "");
		break;
	default:
		snprintf(buf, size, "healthy");
	}
}

static void print_zone(const struct mms_frag_snapshot *s, int z)
{
	const struct mms_buddy_zone *bz = &s->buddy.zones[z];
	const struct mms_zone_frag *f = &s->frag[z];
	const struct mms_zoneinfo_zone *zi = s->zi[z];
	const struct mms_zone_verdict *v = &s->verdict[z];
	const char *hdr[MMS_ORDERS_MAX + 2] = { "<order" };
	char names[MMS_ORDERS_MAX][8], verdict[256], a[16], b[16], c[16], d[16];
	struct table t;

	verdict_text(s, z, verdict, sizeof(verdict));
	printf("Node %d, zone %s: %s\n", bz->node, bz->zone, verdict);
	printf("  free %s", fmt_bytes(f->free_pages * s->page_size, a));
	if (zi)
		printf(" (zoneinfo %s), watermarks min %s low %s high %s, managed %s",
		       fmt_bytes(zi->free * s->page_size, a), fmt_bytes(zi->min * s->page_size, b),
		       fmt_bytes(zi->low * s->page_size, c), fmt_bytes(zi->high * s->page_size, d),
		       fmt_bytes(zi->managed * s->page_size, a));
	printf("\n  THP (order %d): unusable index %s, extfrag index %s%s\n", v->thp_order,
	       index_str(v->thp_unusable, a),
	       v->thp_order < f->nr_orders ? index_str(f->extfrag_index[v->thp_order], b) : "-",
	       v->thp_fragmented ? " (fragmented)" : "");

	for (int o = 0; o < f->nr_orders; o++) {
		snprintf(names[o], sizeof(names[o]), "%d", o);
		hdr[o + 1] = names[o];
	}
	hdr[f->nr_orders + 1] = "pageblocks";
	table_init(&t, f->nr_orders + 2, hdr);
	table_cell(&t, "free blocks");
	for (int o = 0; o < f->nr_orders; o++)
		table_cell(&t, "%llu", (unsigned long long)bz->free_blocks[o]);
	table_cell(&t, "%s", "");
	for (int m = 0; s->pt[z] && m < s->pagetype.nr_types; m++) {
		table_cell(&t, "  %s", s->pagetype.types[m]);
		for (int o = 0; o < f->nr_orders; o++)
			table_cell(&t, "%s%llu", s->pt[z]->capped[m][o] ? ">" : "",
				   (unsigned long long)s->pt[z]->free_blocks[m][o]);
		table_cell(&t, "%llu", (unsigned long long)s->pt[z]->pageblocks[m]);
	}
	table_cell(&t, "extfrag index");
	for (int o = 0; o < f->nr_orders; o++)
		table_cell(&t, "%s", index_str(f->extfrag_index[o], a));
	table_cell(&t, "%s", "");
	table_cell(&t, "unusable index");
	for (int o = 0; o < f->nr_orders; o++)
		table_cell(&t, "%s", index_str(f->unusable_index[o], a));
	table_cell(&t, "%s", "");
	table_print(&t, stdout, "  ");
	table_free(&t);
	putchar('\n');
}

static void print_snapshot(const struct mms_frag_snapshot *s)
{
	for (int z = 0; z < s->buddy.nr_zones; z++)
		print_zone(s, z);
	if (!s->have_pagetype)
		printf("(migrate types left out: %s)\n\n", s->pagetype_missing);
	print_debugfs_index(s, true);
	print_debugfs_index(s, false);
}

static json_t *index_array(const int *v, int n)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_real(v[i] / 1000.0));
	return a;
}

static json_t *zone_json(const struct mms_frag_snapshot *s, int z,
			 const struct mms_frag_snapshot *prev)
{
	const struct mms_buddy_zone *bz = &s->buddy.zones[z];
	const struct mms_zone_frag *f = &s->frag[z];
	const struct mms_zoneinfo_zone *zi = s->zi[z];
	const struct mms_zone_verdict *v = &s->verdict[z];
	uint64_t ps = s->page_size;
	json_t *o = json_object(), *mt = json_null();

	json_object_set_new(o, "node", json_integer(bz->node));
	json_object_set_new(o, "zone", json_string(bz->zone));
	json_object_set_new(o, "verdict", json_string(mms_frag_verdict_name(v->verdict)));
	json_object_set_new(o, "fragmented_order", v->order >= 0 ? json_integer(v->order) :
				json_null());
	json_object_set_new(o, "free_bytes", json_integer((json_int_t)(f->free_pages * ps)));
	json_object_set_new(o, "free_blocks", json_u64_array(bz->free_blocks, f->nr_orders));
	if (prev) {
		json_t *d = json_array();
		const struct mms_buddy_zone *pz = NULL;

		for (int i = 0; i < prev->buddy.nr_zones; i++)
			if (prev->buddy.zones[i].node == bz->node &&
			    !strcmp(prev->buddy.zones[i].zone, bz->zone))
				pz = &prev->buddy.zones[i];
		for (int i = 0; pz && i < f->nr_orders; i++)
			json_array_append_new(d, json_integer((json_int_t)(bz->free_blocks[i] -
									  pz->free_blocks[i])));
		json_object_set_new(o, "free_blocks_delta", d);
	}
	json_object_set_new(o, "extfrag_index", index_array(f->extfrag_index, f->nr_orders));
	json_object_set_new(o, "unusable_index", index_array(f->unusable_index, f->nr_orders));
	json_object_set_new(o, "watermarks", !zi ? json_null() :
			    json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "free", (json_int_t)(zi->free * ps),
				      "min", (json_int_t)(zi->min * ps), "low", (json_int_t)(zi->low * ps),
				      "high", (json_int_t)(zi->high * ps), "boost",
				      (json_int_t)(zi->boost * ps), "managed",
				      (json_int_t)(zi->managed * ps), "present",
				      (json_int_t)(zi->present * ps)));
	if (s->pt[z]) {
		mt = json_object();
		for (int m = 0; m < s->pagetype.nr_types; m++) {
			json_t *capped = json_array();
			bool any = false;

			for (int i = 0; i < f->nr_orders; i++) {
				any |= s->pt[z]->capped[m][i];
				json_array_append_new(capped, json_boolean(s->pt[z]->capped[m][i]));
			}
			json_object_set_new(mt, s->pagetype.types[m],
					    json_pack("{s:o,s:I,s:o}", "free_blocks",
						      json_u64_array(s->pt[z]->free_blocks[m],
								     f->nr_orders),
						      "pageblocks", (json_int_t)s->pt[z]->pageblocks[m],
						      "capped", any ? capped : (json_decref(capped),
										 json_false())));
		}
	}
	json_object_set_new(o, "migratetypes", mt);
	json_object_set_new(o, "thp", json_pack("{s:i,s:f,s:o}", "order", v->thp_order,
						"unusable_index", v->thp_unusable / 1000.0,
						"fragmented", json_boolean(v->thp_fragmented)));
	return o;
}

static json_t *snapshot_json(const struct mms_frag_snapshot *s,
			     const struct mms_frag_snapshot *prev)
{
	json_t *doc = json_object(), *zones = json_array(), *omitted = json_array();

	for (int z = 0; z < s->buddy.nr_zones; z++)
		json_array_append_new(zones, zone_json(s, z, prev));
	if (!s->have_pagetype)
		json_array_append_new(omitted, json_string(s->pagetype_missing));
	json_object_set_new(doc, "zones", zones);
	json_object_set_new(doc, "extfrag_threshold", json_real(s->extfrag_threshold / 1000.0));
	json_object_set_new(doc, "pageblock_order", s->have_pagetype ?
			    json_integer(s->pagetype.pageblock_order) : json_null());
	json_object_set_new(doc, "page_size", json_integer((json_int_t)s->page_size));
	json_object_set_new(doc, "omitted", omitted);
	return doc;
}

/* Interval view: per zone, the free-block change per order and any verdict change. */
static void print_changes(const struct mms_frag_snapshot *prev, const struct mms_frag_snapshot *s,
			  double elapsed)
{
	printf("--- %.1f s later\n", elapsed);
	for (int z = 0; z < s->buddy.nr_zones; z++) {
		const struct mms_buddy_zone *bz = &s->buddy.zones[z], *pz = NULL;
		char verdict[256], a[16];
		int64_t pages = 0;

		for (int i = 0; i < prev->buddy.nr_zones; i++)
			if (prev->buddy.zones[i].node == bz->node &&
			    !strcmp(prev->buddy.zones[i].zone, bz->zone))
				pz = &prev->buddy.zones[i];
		verdict_text(s, z, verdict, sizeof(verdict));
		printf("Node %d, zone %8s  %-12s", bz->node, bz->zone, verdict);
		if (!pz) {
			printf(" (new zone)\n");
			continue;
		}
		printf(" free blocks change:");
		for (int o = 0; o < s->frag[z].nr_orders; o++) {
			int64_t d = (int64_t)(bz->free_blocks[o] - pz->free_blocks[o]);

			pages += d << o;
			printf(" %+lld", (long long)d);
		}
		printf("  (%s%s, THP unusable %s)\n", pages < 0 ? "-" : "+",
		       fmt_bytes((uint64_t)(pages < 0 ? -pages : pages) * s->page_size, a),
		       index_str(s->verdict[z].thp_unusable, verdict));
	}
	fflush(stdout);
}

static int run_frag(struct cli *cli, int argc, char **argv);

/* One usage for frag and its tracing mode --events (src/cmd/frag_events.c, whose
 * options are the tracers' own: src/cmd/trace_common.c). */
const struct command cmd_frag = {
	.name = "frag",
	.run = run_frag,
	.summary = "free blocks, fragmentation and unusable-free-space indices per zone",
	.usage = "[INTERVAL [COUNT]]\n"
		 "       mmscope frag --events [-p PID] [-c CGROUP] [-d SECONDS] [-n N] [INTERVAL [COUNT]]\n"
		 "  INTERVAL           repeat every INTERVAL seconds, showing changes\n"
		 "  --events           count mm_page_alloc_extfrag events per INTERVAL (default 1 s) by\n"
		 "                     migrate types and by process, fragmenting (fallback order below\n"
		 "                     the pageblock order) or not; -p, -c, -d, -n as for reclaim\n",
};

static int run_frag(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { { 0 } };
	struct mms_frag_snapshot *snap[2];
	struct mms_error err;
	double interval = 0;
	long count = 0;
	bool repeat;
	int c, rc, cur = 0;
	uint64_t t0;

	/* --events is a tracing mode with its own options (src/cmd/frag_events.c). */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--events"))
			return frag_events_run(cli, argc, argv);
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1)
		return cli_bad_option(cli, c, argv[optind - 1]);
	rc = cli_parse_interval(cli, argc, argv, optind, &interval, &count, &repeat);
	if (rc)
		return rc;
	snap[0] = malloc(sizeof(*snap[0]));
	snap[1] = malloc(sizeof(*snap[1]));
	if (!snap[0] || !snap[1]) {
		free(snap[0]);
		free(snap[1]);
		return cli_fail(cli, EXIT_RUNTIME, "out of memory");
	}
	rc = mms_frag_read(&cli->host, snap[0], &err);
	if (rc) {
		rc = cli_fail_read(cli, rc, &err);
		goto out;
	}
	t0 = cli_now_ns();
	if (cli->json) {
		json_t *doc = snapshot_json(snap[0], NULL);

		if (repeat) {
			json_object_set_new(doc, "type", json_string("snapshot"));
			json_object_set_new(doc, "ts_ns", json_integer(0));
		}
		json_emit(doc);
	} else {
		print_snapshot(snap[0]);
	}
	/* INTERVAL alone repeats until stopped; COUNT counts the samples after the first. */
	for (long n = 0; repeat && (count == 0 || n < count) && cli_sleep(interval); n++) {
		rc = mms_frag_read(&cli->host, snap[!cur], &err);
		if (rc) {
			rc = cli_fail_read(cli, rc, &err);
			goto out;
		}
		uint64_t now = cli_now_ns();

		if (cli->json) {
			json_t *doc = snapshot_json(snap[!cur], snap[cur]);

			json_object_set_new(doc, "type", json_string("interval"));
			json_object_set_new(doc, "ts_ns", json_integer((json_int_t)(now - t0)));
			json_emit(doc);
		} else {
			print_changes(snap[cur], snap[!cur], (now - t0) / 1e9);
		}
		cur = !cur;
	}
	rc = EXIT_DONE;
out:
	free(snap[0]);
	free(snap[1]);
	return rc;
}
