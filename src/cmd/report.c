// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope report (and mmscope with no command): the one-screen health report.
 * Reads every cheap source once (meminfo, zone fragmentation, THP settings, PSI),
 * samples /proc/vmstat at the start and end of a short window (1 s by default) for
 * reclaim, compaction and THP rates, and prints findings in plain words, worst
 * first, each with its figure. Under --root a recorded tree has one vmstat sample:
 * rates are then reported as unavailable rather than as zeros.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cli.h"
#include "output/view.h"

struct report {
	struct mms_kvset meminfo, vmstat[2];
	struct mms_psi psi;
	bool have_psi;
	char psi_missing[200];
	struct mms_frag_snapshot frag;
	struct mms_thp_settings thp;
	struct mms_thp_sample thp_sample[2];
	struct mms_thp_window thp_window;
	struct mms_report_input in;
	struct mms_finding findings[MMS_FINDINGS_MAX];
	int nr_findings;
};

/* Rates shown in the activity line and JSON, in this order. */
static const char *const rate_names[] = {
	"allocstall", "pgscan_direct", "pgsteal_direct", "pgscan_kswapd", "compact_stall",
	"compact_fail", "thp_fault_alloc", "thp_fault_fallback", "pgfault", "pgmajfault", "pswpin",
	"pswpout", "workingset_refault_file", "oom_kill",
};

static int read_kv(struct cli *cli, const char *path, struct mms_kvset *out,
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

static bool rate(const struct report *r, const char *name, double *v)
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

static void print_text(const struct report *r)
{
	uint64_t v;
	char a[16];
	struct utsname u;
	static const char *const mem[][2] = {
		{ "MemTotal", "total" },     { "MemAvailable", "available" }, { "MemFree", "free" },
		{ "Cached", "page cache" },  { "AnonPages", "anon" },	      { "Shmem", "shmem" },
		{ "Slab", "slab" },	     { "AnonHugePages", "anon THP" }, { "Dirty", "dirty" },
		{ "SwapTotal", "swap" },     { "SwapFree", "swap free" },
	};

	if (r->in.vmstat_start)
		printf("mmscope report: %s, window %.1f s\n\n", uname(&u) ? "?" : u.release,
		       r->in.window_s);
	else
		printf("mmscope report: recorded files (--root), one sample\n\n");
	printf("memory    ");
	for (size_t i = 0; i < sizeof(mem) / sizeof(mem[0]); i++) {
		if (i == 5)
			printf("\n          ");
		if (mms_kv_get(&r->meminfo, mem[i][0], &v))
			printf(" %s %s", mem[i][1], fmt_bytes(v, a));
	}
	printf("\nzones     ");
	for (int z = 0; z < r->frag.buddy.nr_zones; z++) {
		if (z && z % 2 == 0)
			printf("\n          ");
		const struct mms_zone_verdict *zv = &r->frag.verdict[z];

		printf(" %d/%s %s", r->frag.buddy.zones[z].node, r->frag.buddy.zones[z].zone,
		       mms_frag_verdict_name(zv->verdict));
		if (zv->verdict == MMS_ZONE_FRAGMENTED)
			printf("@%d", zv->order);
		printf(" (THP unusable %.3f)%s", zv->thp_unusable / 1000.0,
		       z + 1 < r->frag.buddy.nr_zones ? "," : "");
	}
	if (r->thp.present)
		printf("\nthp        enabled %s, defrag %s, shmem %s", r->thp.enabled, r->thp.defrag,
		       r->thp.shmem_enabled[0] ? r->thp.shmem_enabled : "-");
	printf("\nper second");
	if (!r->in.vmstat_start) {
		printf(" (no rates: one vmstat sample under --root)");
	} else {
		for (size_t i = 0, shown = 0; i < sizeof(rate_names) / sizeof(rate_names[0]); i++) {
			double x;

			if (!rate(r, rate_names[i], &x))
				continue;
			if (shown++ % 4 == 0 && shown > 1)
				printf("\n          ");
			printf(" %s %.0f", rate_names[i], x);
		}
	}
	if (r->have_psi)
		printf("\npsi        some %.2f/%.2f/%.2f%%, full %.2f/%.2f/%.2f%% (avg10/60/300)",
		       r->psi.some.avg10, r->psi.some.avg60, r->psi.some.avg300, r->psi.full.avg10,
		       r->psi.full.avg60, r->psi.full.avg300);
	else
		printf("\npsi        unavailable (%s)", r->psi_missing);
	printf("\n\nfindings\n");
	if (!r->nr_findings)
		printf("  none: no memory problem seen\n");
	for (int i = 0; i < r->nr_findings; i++) {
		/* Finding texts may quote what the kernel named: escaped (text_esc). */
		printf("  %-8s ", mms_severity_name(r->findings[i].severity));
		text_put(stdout, r->findings[i].text, 0);
		putchar('\n');
	}
}

/* "MemTotal" -> "mem_total", "Active(anon)" -> "active_anon", "HugePages_Total" ->
 * "huge_pages_total": JSON keys are lower_snake_case. */
static void snake_case(const char *in, char *out, size_t size)
{
	size_t o = 0;

	for (const char *p = in; *p && o + 2 < size; p++) {
		char c = *p;

		if (c >= 'A' && c <= 'Z') {
			if (p > in && o && out[o - 1] != '_' &&
			    ((p[-1] >= 'a' && p[-1] <= 'z') || (p[1] >= 'a' && p[1] <= 'z')))
				out[o++] = '_';
			out[o++] = (char)(c - 'A' + 'a');
		} else if (c == '(') {
			if (o && out[o - 1] != '_')
				out[o++] = '_';
		} else if (c != ')') {
			out[o++] = c;
		}
	}
	out[o] = '\0';
}

static json_t *psi_json(const struct mms_psi_line *l)
{
	return json_pack("{s:f,s:f,s:f,s:I}", "avg10", l->avg10, "avg60", l->avg60, "avg300",
			 l->avg300, "total_us", (json_int_t)l->total_us);
}

static void print_json(const struct report *r)
{
	json_t *doc = json_object(), *mem = json_object(), *zones = json_array(),
	       *rates = json_object(), *findings = json_array();

	for (int i = 0; i < r->meminfo.nr; i++) {
		char key[MMS_KV_NAME_MAX * 2];

		snake_case(r->meminfo.items[i].name, key, sizeof(key));
		json_object_set_new(mem, key, json_integer((json_int_t)r->meminfo.items[i].value));
	}
	for (int z = 0; z < r->frag.buddy.nr_zones; z++) {
		const struct mms_zone_verdict *zv = &r->frag.verdict[z];

		json_array_append_new(zones, json_pack("{s:i,s:s,s:s,s:o,s:f}", "node",
				r->frag.buddy.zones[z].node, "zone", r->frag.buddy.zones[z].zone,
				"verdict", mms_frag_verdict_name(zv->verdict), "fragmented_order",
				zv->order >= 0 ? json_integer(zv->order) : json_null(),
				"thp_unusable_index", zv->thp_unusable / 1000.0));
	}
	for (size_t i = 0; r->in.vmstat_start && i < sizeof(rate_names) / sizeof(rate_names[0]); i++) {
		double x;

		if (rate(r, rate_names[i], &x))
			json_object_set_new(rates, rate_names[i], json_real(x));
	}
	for (int i = 0; i < r->nr_findings; i++) {
		const struct mms_finding *f = &r->findings[i];

		json_array_append_new(findings, json_pack("{s:s,s:s,s:o,s:f,s:s}", "id", f->id,
				"severity", mms_severity_name(f->severity), "text", json_text(f->text),
				"figure", f->figure, "unit", f->unit));
	}
	json_object_set_new(doc, "memory", mem);
	json_object_set_new(doc, "zones", zones);
	json_object_set_new(doc, "thp", !r->thp.present ? json_null() :
			    json_pack("{s:s,s:s,s:s}", "enabled", r->thp.enabled, "defrag",
				      r->thp.defrag, "shmem_enabled", r->thp.shmem_enabled));
	json_object_set_new(doc, "window_s", r->in.vmstat_start ? json_real(r->in.window_s) :
			    json_null());
	json_object_set_new(doc, "rates", r->in.vmstat_start ? rates : (json_decref(rates),
									 json_null()));
	json_object_set_new(doc, "psi", !r->have_psi ? json_null() :
			    json_pack("{s:o,s:o}", "some", psi_json(&r->psi.some), "full",
				      r->psi.has_full ? psi_json(&r->psi.full) : json_null()));
	json_object_set_new(doc, "findings", findings);
	json_emit(doc);
}

static int run_report(struct cli *cli, int argc, char **argv);

const struct command cmd_report = {
	.name = "report",
	.run = run_report,
	.summary = "one-screen health report with findings and advice",
	.usage = "[-i SECONDS]\n"
		 "  -i, --interval S   window for counter rates (default 1)\n",
};

static int run_report(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { { "interval", required_argument, NULL, 'i' },
					       { 0 } };
	struct mms_error err;
	struct report *r;
	double window = 1.0;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":i:", opts, NULL)) != -1) {
		if (c != 'i')
			return cli_bad_option(cli, c, argv[optind - 1]);
		/* A window, not a duration: at most an hour of waiting for one report. */
		if (cli_parse_seconds(cli, "--interval", optarg, 3600, &window))
			return EXIT_USAGE;
	}
	if (optind < argc)
		return cli_usage(cli, "report takes no arguments");
	r = calloc(1, sizeof(*r));
	if (!r)
		return cli_fail(cli, EXIT_RUNTIME, "out of memory");
	bool live = mms_host_is_live(&cli->host);
	uint64_t t0 = cli_now_ns();

	rc = read_kv(cli, "/proc/vmstat", &r->vmstat[0], mms_parse_vmstat);
	if (!rc)
		rc = read_kv(cli, "/proc/meminfo", &r->meminfo, mms_parse_meminfo);
	if (rc)
		goto out;
	rc = mms_frag_read(&cli->host, &r->frag, &err);
	if (rc) {
		rc = cli_fail_read(cli, rc, &err);
		goto out;
	}
	rc = mms_thp_read(&cli->host, &r->thp, &err);
	if (rc) {
		rc = cli_fail_read(cli, rc, &err);
		goto out;
	}
	rc = read_psi(cli, r);
	if (rc)
		goto out;
	/* The rest of the window; an interrupted window still reports what it saw. */
	if (live) {
		double spent = (cli_now_ns() - t0) / 1e9;

		if (spent < window)
			cli_sleep(window - spent);
		rc = read_kv(cli, "/proc/vmstat", &r->vmstat[1], mms_parse_vmstat);
		if (rc)
			goto out;
		r->in.vmstat_start = &r->vmstat[0];
		r->in.vmstat_end = &r->vmstat[1];
		r->in.window_s = (cli_now_ns() - t0) / 1e9;
	} else {
		r->vmstat[1] = r->vmstat[0];
		r->in.vmstat_end = &r->vmstat[1];
	}
	r->in.meminfo = &r->meminfo;
	r->in.psi = r->have_psi ? &r->psi : NULL;
	r->in.frag = &r->frag;
	r->in.thp = &r->thp;
	/* The THP advice rules take samples: settings from now, vmstat from each end. */
	r->thp_sample[0].settings = r->thp;
	r->thp_sample[0].vmstat = r->vmstat[0];
	r->thp_sample[1].settings = r->thp;
	r->thp_sample[1].vmstat = r->vmstat[1];
	mms_thp_window_compute(&r->thp_sample[0], &r->thp_sample[1],
			       r->in.vmstat_start ? r->in.window_s : 0, &r->thp_window);
	r->in.thp_window = &r->thp_window;
	r->nr_findings = mms_report_findings(&r->in, r->findings, MMS_FINDINGS_MAX);
	if (cli->json)
		print_json(r);
	else
		print_text(r);
	rc = EXIT_DONE;
out:
	free(r);
	return rc;
}
