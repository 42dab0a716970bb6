// SPDX-License-Identifier: GPL-2.0
/*
 * Host-level collectors from the procfs readers, read on each scrape:
 *   frag:   free blocks per node, zone and order (buddyinfo), per migrate type
 *           (pagetypeinfo, root only), the kernel's unusable-free-space and
 *           fragmentation indices per order (lib/judge), watermarks (zoneinfo);
 *   vmstat: THP and compaction counters, OOM kills, reclaim scans and stalls
 *           (/proc/vmstat), memory sizes (/proc/meminfo) and PSI (/proc/pressure/memory).
 * Sizes are bytes (pages times the page size), indices ratios (the kernel's x1000
 * scale divided by 1000).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/export/export.h"

/* ---- frag ---- */

static int frag_open(void **state, const struct export_opts *o, char *why, size_t size)
{
	struct mms_frag_snapshot *s = malloc(sizeof(*s));

	if (!s)
		return -ENOMEM;
	*state = s;
	return 0;
}

static void zone_labels(char *lbl, size_t size, int node, const char *zone)
{
	lbl[0] = 0;
	expo_label_int(lbl, size, "node", node);
	expo_label(lbl, size, "zone", zone);
}

static int frag_collect(void *state, struct expo *e, const struct export_opts *o)
{
	struct mms_frag_snapshot *s = state;
	struct mms_error err = { 0 };
	char lbl[512];
	int rc = mms_frag_read(&o->cli->host, s, &err);

	if (rc)
		return rc;
	expo_family(e, "mmscope_zone_free_blocks", "gauge",
		    "Free blocks of 2^order pages per node, zone and order (/proc/buddyinfo).");
	for (int z = 0; z < s->buddy.nr_zones; z++) {
		const struct mms_buddy_zone *bz = &s->buddy.zones[z];

		for (int k = 0; k < s->buddy.nr_orders; k++) {
			zone_labels(lbl, sizeof(lbl), bz->node, bz->zone);
			expo_label_int(lbl, sizeof(lbl), "order", k);
			expo_sample_u64(e, "", lbl, bz->free_blocks[k]);
		}
	}
	if (s->have_pagetype) {
		const struct mms_pagetypeinfo *pt = &s->pagetype;

		expo_family(e, "mmscope_zone_free_blocks_by_migratetype", "gauge",
			    "Free blocks per node, zone, migrate type and order (/proc/pagetypeinfo; capped at 100000 by the kernel).");
		for (int z = 0; z < pt->nr_zones; z++)
			for (int t = 0; t < pt->nr_types; t++)
				for (int k = 0; k < pt->nr_orders; k++) {
					zone_labels(lbl, sizeof(lbl), pt->zones[z].node,
						    pt->zones[z].zone);
					expo_label(lbl, sizeof(lbl), "migratetype", pt->types[t]);
					expo_label_int(lbl, sizeof(lbl), "order", k);
					expo_sample_u64(e, "", lbl, pt->zones[z].free_blocks[t][k]);
				}
	}
	expo_family(e, "mmscope_zone_unusable_free_ratio", "gauge",
		    "Unusable free space index per order: the share of free memory in blocks too small for the order (the kernel's unusable_index / 1000).");
	for (int z = 0; z < s->buddy.nr_zones; z++)
		for (int k = 0; k < s->frag[z].nr_orders; k++) {
			zone_labels(lbl, sizeof(lbl), s->buddy.zones[z].node, s->buddy.zones[z].zone);
			expo_label_int(lbl, sizeof(lbl), "order", k);
			expo_sample(e, "", lbl, s->frag[z].unusable_index[k] / 1000.0);
		}
	expo_family(e, "mmscope_zone_fragmentation_index", "gauge",
		    "Fragmentation index per order (the kernel's extfrag_index / 1000): towards 1 an allocation of the order fails for fragmentation, towards 0 for lack of memory, -1 when it would succeed.");
	for (int z = 0; z < s->buddy.nr_zones; z++)
		for (int k = 0; k < s->frag[z].nr_orders; k++) {
			zone_labels(lbl, sizeof(lbl), s->buddy.zones[z].node, s->buddy.zones[z].zone);
			expo_label_int(lbl, sizeof(lbl), "order", k);
			expo_sample(e, "", lbl, s->frag[z].extfrag_index[k] / 1000.0);
		}
	expo_family(e, "mmscope_zone_watermark_bytes", "gauge",
		    "Zone watermarks min, low, high (and boost) from /proc/zoneinfo.");
	for (int z = 0; z < s->zoneinfo.nr_zones; z++) {
		const struct mms_zoneinfo_zone *zi = &s->zoneinfo.zones[z];
		const char *names[] = { "min", "low", "high", "boost" };
		uint64_t v[] = { zi->min, zi->low, zi->high, zi->boost };

		if (!zi->populated)
			continue;
		for (int i = 0; i < 4; i++) {
			zone_labels(lbl, sizeof(lbl), zi->node, zi->zone);
			expo_label(lbl, sizeof(lbl), "level", names[i]);
			expo_sample_u64(e, "", lbl, v[i] * s->page_size);
		}
	}
	expo_family(e, "mmscope_zone_free_bytes", "gauge", "Free memory per zone (/proc/zoneinfo pages free).");
	for (int z = 0; z < s->zoneinfo.nr_zones; z++) {
		const struct mms_zoneinfo_zone *zi = &s->zoneinfo.zones[z];

		if (!zi->populated)
			continue;
		zone_labels(lbl, sizeof(lbl), zi->node, zi->zone);
		expo_sample_u64(e, "", lbl, zi->free * s->page_size);
	}
	expo_family(e, "mmscope_zone_managed_bytes", "gauge", "Memory the buddy allocator manages per zone (/proc/zoneinfo managed).");
	for (int z = 0; z < s->zoneinfo.nr_zones; z++) {
		const struct mms_zoneinfo_zone *zi = &s->zoneinfo.zones[z];

		if (!zi->populated)
			continue;
		zone_labels(lbl, sizeof(lbl), zi->node, zi->zone);
		expo_sample_u64(e, "", lbl, zi->managed * s->page_size);
	}
	expo_family(e, "mmscope_extfrag_threshold_ratio", "gauge",
		    "vm.extfrag_threshold / 1000: above it the kernel compacts rather than reclaims.");
	expo_sample(e, "", "", s->extfrag_threshold / 1000.0);
	expo_family(e, "mmscope_thp_order", "gauge", "The PMD huge page order the THP unusable index is about.");
	expo_sample_u64(e, "", "", (uint64_t)s->thp_order);
	return 0;
}

static void free_state(void *state)
{
	free(state);
}

const struct collector col_frag = {
	.name = "frag",
	.open = frag_open,
	.collect = frag_collect,
	.close = free_state,
};

/* ---- vmstat, meminfo, PSI ---- */

struct vmstat_state {
	struct mms_kvset kv;
};

static int vmstat_open(void **state, const struct export_opts *o, char *why, size_t size)
{
	struct vmstat_state *s = malloc(sizeof(*s));

	if (!s)
		return -ENOMEM;
	*state = s;
	return 0;
}

/* vmstat counters exported as a family with a label per item (prefix removed). */
struct vm_family {
	const char *prefix;
	const char *metric;
	const char *label;
	const char *help;
};

static const struct vm_family vm_families[] = {
	{ "thp_", "mmscope_thp_events_total", "event", "THP events (/proc/vmstat thp_*)." },
	{ "compact_", "mmscope_compaction_events_total", "event",
	  "Compaction counters (/proc/vmstat compact_*: stall, fail, success, migrate_scanned, ...)." },
	{ "allocstall_", "mmscope_direct_reclaim_stalls_total", "zone",
	  "Direct reclaim entries per zone type (/proc/vmstat allocstall_*)." },
	{ "pgscan_", "mmscope_vmscan_scanned_pages_total", "by",
	  "Pages scanned by reclaim (/proc/vmstat pgscan_*)." },
	{ "pgsteal_", "mmscope_vmscan_reclaimed_pages_total", "by",
	  "Pages reclaimed (/proc/vmstat pgsteal_*)." },
};

static void vm_family_write(struct expo *e, const struct mms_kvset *kv, const struct vm_family *f)
{
	size_t pl = strlen(f->prefix);
	bool started = false;
	char lbl[256];

	for (int i = 0; i < kv->nr; i++) {
		const char *rest = kv->items[i].name + pl;

		if (strncmp(kv->items[i].name, f->prefix, pl))
			continue;
		/* pgscan_anon/_file split the same pages another way than _kswapd,
		 * _direct, ...: in one label they would be counted twice by a sum. */
		if (!strcmp(f->label, "by") && (!strcmp(rest, "anon") || !strcmp(rest, "file")))
			continue;
		if (!started)
			expo_family(e, f->metric, "counter", f->help);
		started = true;
		lbl[0] = 0;
		expo_label(lbl, sizeof(lbl), f->label, rest);
		expo_sample_u64(e, "", lbl, kv->items[i].value);
	}
}

static int vmstat_collect(void *state, struct expo *e, const struct export_opts *o)
{
	struct vmstat_state *s = state;
	struct mms_error err = { 0 };
	struct mms_psi psi;
	char *text;
	size_t len;
	uint64_t v;
	char lbl[256];
	int rc = mms_host_read(&o->cli->host, "/proc/vmstat", &text, &len, &err);

	if (rc)
		return rc;
	rc = mms_parse_vmstat(text, len, &s->kv, &err);
	free(text);
	if (rc)
		return rc;
	for (size_t i = 0; i < sizeof(vm_families) / sizeof(vm_families[0]); i++)
		vm_family_write(e, &s->kv, &vm_families[i]);
	if (mms_kv_get(&s->kv, "oom_kill", &v)) {
		expo_family(e, "mmscope_oom_kills_total", "counter",
			    "Processes killed by the OOM killer, global and memcg (/proc/vmstat oom_kill).");
		expo_sample_u64(e, "", "", v);
	}
	rc = mms_host_read(&o->cli->host, "/proc/meminfo", &text, &len, &err);
	if (rc)
		return rc;
	rc = mms_parse_meminfo(text, len, &s->kv, &err);
	free(text);
	if (rc)
		return rc;
	expo_family(e, "mmscope_meminfo_bytes", "gauge", "/proc/meminfo sizes in bytes, by field.");
	for (int i = 0; i < s->kv.nr; i++) {
		if (!strncmp(s->kv.items[i].name, "HugePages_", 10))
			continue; /* counts, not sizes */
		lbl[0] = 0;
		expo_label(lbl, sizeof(lbl), "field", s->kv.items[i].name);
		expo_sample_u64(e, "", lbl, s->kv.items[i].value);
	}
	/* PSI is optional (CONFIG_PSI, psi=0): no file, no family. */
	if (mms_host_read(&o->cli->host, "/proc/pressure/memory", &text, &len, &err))
		return 0;
	rc = mms_parse_psi(text, len, &psi, &err);
	free(text);
	if (rc)
		return rc;
	expo_family(e, "mmscope_pressure_memory_stalled_seconds_total", "counter",
		    "PSI: time some or all non-idle tasks stalled on memory (/proc/pressure/memory total).");
	expo_sample(e, "", "kind=\"some\"", psi.some.total_us / 1e6);
	if (psi.has_full)
		expo_sample(e, "", "kind=\"full\"", psi.full.total_us / 1e6);
	return 0;
}

const struct collector col_vmstat = {
	.name = "vmstat",
	.open = vmstat_open,
	.collect = vmstat_collect,
	.close = free_state,
};
