// SPDX-License-Identifier: GPL-2.0
/*
 * Host-level collectors from the procfs readers, read on each scrape:
 *   frag:     free blocks per node, zone and order (buddyinfo), the kernel's
 *             unusable-free-space and fragmentation indices per order (lib/judge),
 *             watermarks (zoneinfo), vm.extfrag_threshold;
 *   pagetype: free blocks per migrate type (pagetypeinfo, root only);
 *   vmstat:   THP and compaction counters, OOM kills, reclaim scans and stalls
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

/* ---- frag, pagetype ---- */

struct frag_state {
	struct procfile f_buddy, f_zoneinfo, f_threshold, f_pagetype;
	struct mms_buddyinfo buddy;
	struct mms_zoneinfo zoneinfo;
	struct mms_pagetypeinfo pagetype;
	struct mms_zone_frag frag[MMS_ZONES_MAX];
	uint64_t page_size;
};

static int frag_open(void **state, const struct export_opts *o, char *why, size_t size)
{
	struct frag_state *s = malloc(sizeof(*s));

	if (!s)
		return -ENOMEM;
	/* A --root tree is taken to come from a host with our page size. */
	s->page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	procfile_init(&s->f_buddy, "/proc/buddyinfo");
	procfile_init(&s->f_zoneinfo, "/proc/zoneinfo");
	procfile_init(&s->f_threshold, "/proc/sys/vm/extfrag_threshold");
	procfile_init(&s->f_pagetype, "/proc/pagetypeinfo");
	*state = s;
	return 0;
}

static void frag_close(void *state)
{
	struct frag_state *s = state;

	if (!s)
		return;
	procfile_close(&s->f_buddy);
	procfile_close(&s->f_zoneinfo);
	procfile_close(&s->f_threshold);
	procfile_close(&s->f_pagetype);
	free(s);
}

static void zone_labels(char *lbl, size_t size, int node, const char *zone)
{
	lbl[0] = 0;
	expo_label_int(lbl, size, "node", node);
	expo_label(lbl, size, "zone", zone);
}

/* Reads the file kept open in pf (procfile.c) and parses it with parse into out. */
#define READ_PARSE(host, pf, parse, out, err)                                    \
	({                                                                       \
		char *text_;                                                     \
		size_t len_;                                                     \
		int rc_ = procfile_read(pf, host, &text_, &len_, err);           \
		if (!rc_)                                                        \
			rc_ = parse(text_, len_, out, err);                      \
		rc_;                                                             \
	})

static void write_zoneinfo(struct expo *e, const struct frag_state *s)
{
	char lbl[512];

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
}

/*
 * buddyinfo with the kernel's indices, zoneinfo, the threshold: what node_exporter's
 * buddyinfo collector reads and more. /proc/pagetypeinfo is the pagetype collector's:
 * it costs ten times as much (the kernel walks every free list), so it can be left out.
 */
static int frag_collect(void *state, struct expo *e, const struct export_opts *o)
{
	struct frag_state *s = state;
	struct mms_error err = { 0 };
	char lbl[512];
	int threshold;
	int rc = READ_PARSE(&o->cli->host, &s->f_buddy, mms_parse_buddyinfo, &s->buddy, &err);

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
	for (int z = 0; z < s->buddy.nr_zones; z++)
		if (mms_zone_frag_compute(&s->buddy.zones[z], s->buddy.nr_orders, &s->frag[z]))
			return -EOVERFLOW;
	expo_family(e, "mmscope_zone_unusable_free_ratio", "gauge",
		    "Unusable free space index per order: the share of free memory in blocks too small for the order (the kernel's unusable_index / 1000).");
	for (int z = 0; z < s->buddy.nr_zones; z++)
		for (int k = 0; k < s->frag[z].nr_orders; k++) {
			zone_labels(lbl, sizeof(lbl), s->buddy.zones[z].node, s->buddy.zones[z].zone);
			expo_label_int(lbl, sizeof(lbl), "order", k);
			expo_sample_milli(e, "", lbl, s->frag[z].unusable_index[k]);
		}
	expo_family(e, "mmscope_zone_fragmentation_index", "gauge",
		    "Fragmentation index per order (the kernel's extfrag_index / 1000): towards 1 an allocation of the order fails for fragmentation, towards 0 for lack of memory, -1 when it would succeed.");
	for (int z = 0; z < s->buddy.nr_zones; z++)
		for (int k = 0; k < s->frag[z].nr_orders; k++) {
			zone_labels(lbl, sizeof(lbl), s->buddy.zones[z].node, s->buddy.zones[z].zone);
			expo_label_int(lbl, sizeof(lbl), "order", k);
			expo_sample_milli(e, "", lbl, s->frag[z].extfrag_index[k]);
		}
	rc = READ_PARSE(&o->cli->host, &s->f_zoneinfo, mms_parse_zoneinfo, &s->zoneinfo, &err);
	if (rc)
		return rc;
	write_zoneinfo(e, s);
	rc = READ_PARSE(&o->cli->host, &s->f_threshold,
			mms_parse_extfrag_threshold, &threshold, &err);
	if (rc == -ENOENT)
		return 0; /* no CONFIG_COMPACTION: no threshold */
	if (rc)
		return rc;
	expo_family(e, "mmscope_extfrag_threshold_ratio", "gauge",
		    "vm.extfrag_threshold / 1000: above it the kernel compacts rather than reclaims.");
	expo_sample_milli(e, "", "", threshold);
	return 0;
}

static int pagetype_collect(void *state, struct expo *e, const struct export_opts *o)
{
	struct frag_state *s = state;
	const struct mms_pagetypeinfo *pt = &s->pagetype;
	struct mms_error err = { 0 };
	char lbl[512];
	int rc = READ_PARSE(&o->cli->host, &s->f_pagetype, mms_parse_pagetypeinfo,
			    &s->pagetype, &err);

	if (rc)
		return rc;
	expo_family(e, "mmscope_zone_free_blocks_by_migratetype", "gauge",
		    "Free blocks per node, zone, migrate type and order (/proc/pagetypeinfo; capped at 100000 by the kernel).");
	for (int z = 0; z < pt->nr_zones; z++)
		for (int t = 0; t < pt->nr_types; t++)
			for (int k = 0; k < pt->nr_orders; k++) {
				zone_labels(lbl, sizeof(lbl), pt->zones[z].node, pt->zones[z].zone);
				expo_label(lbl, sizeof(lbl), "migratetype", pt->types[t]);
				expo_label_int(lbl, sizeof(lbl), "order", k);
				expo_sample_u64(e, "", lbl, pt->zones[z].free_blocks[t][k]);
			}
	return 0;
}

/* pagetypeinfo is root only: the collector is off (with a note) when it cannot be read. */
static int pagetype_open(void **state, const struct export_opts *o, char *why, size_t size)
{
	struct mms_error err = { 0 };
	char *text;
	size_t len;
	int rc = mms_host_read(&o->cli->host, "/proc/pagetypeinfo", &text, &len, &err);

	if (rc) {
		snprintf(why, size, "%s: %s%s", err.file, strerror(-rc),
			 rc == -EACCES || rc == -EPERM ? " (root only)" : "");
		return -EOPNOTSUPP;
	}
	free(text);
	return frag_open(state, o, why, size);
}

const struct collector col_frag = {
	.name = "frag",
	.open = frag_open,
	.collect = frag_collect,
	.close = frag_close,
};

const struct collector col_pagetype = {
	.name = "pagetype",
	.open = pagetype_open,
	.collect = pagetype_collect,
	.close = frag_close,
};

/* ---- vmstat, meminfo, PSI ---- */

struct vmstat_state {
	struct procfile f_vmstat, f_meminfo, f_psi;
	struct mms_kvset kv;
};

static int vmstat_open(void **state, const struct export_opts *o, char *why, size_t size)
{
	struct vmstat_state *s = malloc(sizeof(*s));

	if (!s)
		return -ENOMEM;
	procfile_init(&s->f_vmstat, "/proc/vmstat");
	procfile_init(&s->f_meminfo, "/proc/meminfo");
	procfile_init(&s->f_psi, "/proc/pressure/memory");
	*state = s;
	return 0;
}

static void vmstat_close(void *state)
{
	struct vmstat_state *s = state;

	if (!s)
		return;
	procfile_close(&s->f_vmstat);
	procfile_close(&s->f_meminfo);
	procfile_close(&s->f_psi);
	free(s);
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
	int rc = procfile_read(&s->f_vmstat, &o->cli->host, &text, &len, &err);

	if (rc)
		return rc;
	rc = mms_parse_vmstat(text, len, &s->kv, &err);
	if (rc)
		return rc;
	for (size_t i = 0; i < sizeof(vm_families) / sizeof(vm_families[0]); i++)
		vm_family_write(e, &s->kv, &vm_families[i]);
	if (mms_kv_get(&s->kv, "oom_kill", &v)) {
		expo_family(e, "mmscope_oom_kills_total", "counter",
			    "Processes killed by the OOM killer, global and memcg (/proc/vmstat oom_kill).");
		expo_sample_u64(e, "", "", v);
	}
	rc = procfile_read(&s->f_meminfo, &o->cli->host, &text, &len, &err);
	if (rc)
		return rc;
	rc = mms_parse_meminfo(text, len, &s->kv, &err);
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
	if (procfile_read(&s->f_psi, &o->cli->host, &text, &len, &err))
		return 0;
	rc = mms_parse_psi(text, len, &psi, &err);
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
	.close = vmstat_close,
};
