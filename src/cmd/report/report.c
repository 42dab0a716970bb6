// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope report (and mmscope with no command): the one-screen health report.
 * Over a window (-i/-d SECONDS, 1 s by default) it keeps the reclaim,
 * compaction and extfrag tracers attached (root, BPF) to name who stalled and
 * where, reads every memory cgroup at both ends, watches the kernel log for
 * OOM kills, and samples /proc/vmstat and meminfo at both ends; zones, THP
 * settings and PSI are read once. Findings come first, worst first, each with
 * its figures and the command to run next. What could not be collected
 * (no root, no BPF, --root) is said in the header, and the rest still runs.
 * Under --root a recorded tree has one sample: rates are reported as
 * unavailable rather than as zeros.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/report/report.h"
#include "output/view.h"

static int run_report(struct cli *cli, int argc, char **argv);

const struct command cmd_report = {
	.name = "report",
	.run = run_report,
	.summary = "one-screen health report with findings and advice",
	.usage = "[-i SECONDS]\n"
		 "  -i, -d, --interval, --duration S\n"
		 "                     the window: tracers attached, counters sampled (default 1)\n",
};

/* With -v, each phase's wall time on stderr: where the overhead goes. */
static void phase(const struct cli *cli, const char *what, uint64_t *t)
{
	uint64_t now = cli_now_ns();

	if (cli->verbose)
		fprintf(stderr, "report: %-16s %7.1f ms\n", what, (now - *t) / 1e6);
	*t = now;
}

/* The window: procfs, cgroups and the kernel log at both ends, tracers between. */
static int collect(struct cli *cli, struct report *r, double window)
{
	bool live = mms_host_is_live(&cli->host);
	uint64_t t0 = cli_now_ns(), t1, t2, tp = t0;
	/* The cgroups' first read runs on a thread while the tracers load. */
	struct report_cgroups *cg = report_cgroups_start(cli, r);
	struct report_trace *trace = report_trace_start(cli, r);
	struct report_oom *oom;
	struct report_alloc *alloc;
	uint64_t a, b;
	int rc;

	phase(cli, "tracers attached", &tp);
	oom = report_oom_start(cli, r);
	phase(cli, "kernel log", &tp);
	report_cgroups_started(cg);
	phase(cli, "cgroups (start)", &tp);
	alloc = report_alloc_start(cli, r);
	rc = report_read_start(cli, r);
	t1 = cli_now_ns();
	phase(cli, "procfs (start)", &tp);
	if (!rc)
		rc = report_read_state(cli, r);
	phase(cli, "procfs (state)", &tp);
	if (!rc && live) {
		double left = window - (cli_now_ns() - t1) / 1e9;

		report_trace_wait(trace, left > 0 ? left : 0);
		t2 = cli_now_ns();
		tp = t2;
		rc = report_read_kv(cli, "/proc/vmstat", &r->vmstat[1], mms_parse_vmstat);
		if (!rc)
			rc = report_read_kv(cli, "/proc/meminfo", &r->meminfo[1], mms_parse_meminfo);
		if (!rc)
			rc = report_read_psi_end(cli, r);
		if (!rc)
			rc = report_read_boost_end(cli, r);
		r->in.vmstat_start = &r->vmstat[0];
		r->in.window_s = (cli_now_ns() - t1) / 1e9;
		r->in.meminfo = &r->meminfo[1];
		r->win.meminfo_start = &r->meminfo[0];
	} else {
		t2 = t1;
		tp = t2;
		r->vmstat[1] = r->vmstat[0];
		r->in.meminfo = &r->meminfo[0];
	}
	r->in.vmstat_end = &r->vmstat[1];
	phase(cli, "procfs (end)", &tp);
	report_cgroups_end(cg); /* on its thread while the tracers detach */
	report_trace_finish(trace, r);
	phase(cli, "tracers detached", &tp);
	report_oom_finish(oom, r);
	report_cgroups_finish(cg, r);
	phase(cli, "cgroups (end)", &tp);
	report_alloc_finish(alloc, cli, r);
	if (mms_kv_get(&r->vmstat[1], "oom_kill", &b)) {
		r->oom_kill_boot = b;
		if (live && mms_kv_get(&r->vmstat[0], "oom_kill", &a) && b > a)
			r->win.oom_kills = b - a;
	}
	if (r->win.nr_ooms > (int)r->win.oom_kills) /* logged just before the window */
		r->win.oom_kills = (uint64_t)r->win.nr_ooms;
	r->in.window = &r->win;
	r->cost_ns = (cli_now_ns() - t0) - (t2 - t1);
	return rc;
}

static bool colour_wanted(struct cli *cli)
{
	const char *no = getenv("NO_COLOR");

	/* https://no-color.org: set and not empty disables colour. */
	return !cli->json && isatty(STDOUT_FILENO) && !(no && no[0]);
}

static int run_report(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { { "interval", required_argument, NULL, 'i' },
					       { "duration", required_argument, NULL, 'd' },
					       { 0 } };
	struct report *r;
	double window = 1.0;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":i:d:", opts, NULL)) != -1) {
		if (c != 'i' && c != 'd')
			return cli_bad_option(cli, c, argv[optind - 1]);
		/* A window, not a duration: at most an hour of waiting for one report. */
		if (cli_parse_seconds(cli, c == 'i' ? "--interval" : "--duration", optarg, 3600,
				      &window))
			return EXIT_USAGE;
	}
	if (optind < argc)
		return cli_usage(cli, "report takes no arguments");
	r = calloc(1, sizeof(*r));
	if (!r)
		return cli_fail(cli, EXIT_RUNTIME, "out of memory");
	rc = collect(cli, r, window);
	if (rc)
		goto out;
	r->in.psi = r->have_psi ? &r->psi : NULL;
	r->in.psi_start = r->have_psi && r->have_psi_start ? &r->psi_start : NULL;
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
		report_print_json(r);
	else
		report_print_text(r, colour_wanted(cli));
	rc = EXIT_DONE;
out:
	free(r);
	return rc;
}
