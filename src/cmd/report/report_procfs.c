// SPDX-License-Identifier: GPL-2.0
/*
 * The report's procfs part, which needs no privilege and works on recorded
 * files (--root): meminfo and /proc/vmstat at both ends of the window, zones
 * (buddyinfo, zoneinfo, pagetypeinfo when readable), THP settings, PSI.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/report/report.h"

/* Rates shown in the activity line and JSON, in this order. */
const char *const report_rate_names[] = {
	"allocstall", "pgscan_direct", "pgsteal_direct", "pgscan_kswapd", "compact_stall",
	"compact_fail", "thp_fault_alloc", "thp_fault_fallback", "pgfault", "pgmajfault", "pswpin",
	"pswpout", "workingset_refault_file", "oom_kill",
};
const int report_nr_rate_names = sizeof(report_rate_names) / sizeof(report_rate_names[0]);

int report_read_kv(struct cli *cli, const char *path, struct mms_kvset *out,
		   int (*parse)(const char *, size_t, struct mms_kvset *, struct mms_error *))
{
	struct mms_error err;
	char *text;
	size_t len;
	int rc = mms_host_read(&cli->host, path, &text, &len, &err);

	if (!rc) {
		rc = parse(text, len, out, &err);
		free(text);
	}
	return rc ? cli_fail_read(cli, rc, &err) : 0;
}

/* PSI is optional (missing, or disabled: EOPNOTSUPP), but a malformed file is bad input. */
static int read_psi(struct cli *cli, struct report *r)
{
	struct mms_error err;
	char *text;
	size_t len;
	int rc = mms_host_read(&cli->host, "/proc/pressure/memory", &text, &len, &err);

	if (rc) {
		snprintf(r->psi_missing, sizeof(r->psi_missing), "%s: %s", err.file, err.msg);
		return 0;
	}
	rc = mms_parse_psi(text, len, &r->psi, &err);
	free(text);
	if (rc)
		return cli_fail_read(cli, rc, &err);
	r->have_psi = true;
	return 0;
}

/* The counters the window's rates and deltas start from. */
int report_read_start(struct cli *cli, struct report *r)
{
	int rc = report_read_kv(cli, "/proc/vmstat", &r->vmstat[0], mms_parse_vmstat);

	if (!rc)
		rc = report_read_kv(cli, "/proc/meminfo", &r->meminfo[0], mms_parse_meminfo);
	if (rc)
		return rc;
	return read_psi(cli, r);
}

/* The state read once (fragmentation and zones, THP settings): the caller reads it
 * at the window's start, inside it, where its cost (pagetypeinfo above all) does
 * not add to the report's own time. */
int report_read_state(struct cli *cli, struct report *r)
{
	struct mms_error err;
	int rc = mms_frag_read(&cli->host, &r->frag, &err);

	if (!rc)
		rc = mms_thp_read(&cli->host, &r->thp, &err);
	return rc ? cli_fail_read(cli, rc, &err) : 0;
}

/*
 * The zones' watermark boosts again at the window's end. A boost lasts until
 * kswapd's next balancing pass (mm/vmscan.c resets it), so the start's reading
 * says little about the window; zoneinfo alone is cheap to read again (0.1 ms
 * here, where pagetypeinfo costs 0.9). Only the boosts are taken from it: the
 * rest of the state stays one consistent reading.
 */
int report_read_boost_end(struct cli *cli, struct report *r)
{
	struct mms_zoneinfo *end = malloc(sizeof(*end));
	struct mms_error err;
	char *text;
	size_t len;
	int rc;

	if (!end)
		return 0; /* the start's boosts stand */
	rc = mms_host_read(&cli->host, "/proc/zoneinfo", &text, &len, &err);
	if (!rc) {
		rc = mms_parse_zoneinfo(text, len, end, &err);
		free(text);
	}
	if (!rc)
		for (int z = 0; z < r->frag.zoneinfo.nr_zones; z++) {
			struct mms_zoneinfo_zone *zi = &r->frag.zoneinfo.zones[z];
			const struct mms_zoneinfo_zone *e = mms_zoneinfo_find(end, zi->node, zi->zone);

			zi->boost = e ? e->boost : 0;
		}
	free(end);
	return rc ? cli_fail_read(cli, rc, &err) : 0;
}

int report_read_psi_end(struct cli *cli, struct report *r)
{
	if (!r->have_psi)
		return 0;
	r->psi_start = r->psi;
	r->have_psi_start = true;
	r->have_psi = false;
	return read_psi(cli, r);
}

bool report_rate(const struct report *r, const char *name, double *v)
{
	if (!strcmp(name, "allocstall")) { /* the sum of allocstall_<zone> */
		double sum = 0, x;
		bool any = false;

		for (int i = 0; i < r->vmstat[1].nr; i++)
			if (!strncmp(r->vmstat[1].items[i].name, "allocstall_", 11) &&
			    mms_vmstat_rate(&r->in, r->vmstat[1].items[i].name, &x)) {
				sum += x;
				any = true;
			}
		*v = sum;
		return any;
	}
	return mms_vmstat_rate(&r->in, name, v);
}
