// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope export: a Prometheus endpoint (see export.h for the files). This file
 * holds the options, the collectors' table and their life: each is opened once
 * at start (one the kernel cannot serve is left off with a note), read on each
 * scrape, and closed on exit, SIGINT or SIGTERM, which detaches every BPF link.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/export/export.h"

static int run_export(struct cli *cli, int argc, char **argv);

const struct command cmd_export = {
	.name = "export",
	.run = run_export,
	.summary = "Prometheus/OpenMetrics endpoint: memcg, fragmentation, reclaim/compaction latency",
	.usage = "[--listen ADDR:PORT] [--cgroup-depth N] [--max-cgroups N] [--min-interval S]\n"
		 "       [--web-config FILE] [--no-trace | --trace-cgroup CG] [--collectors LIST]\n"
		 "       [--memcg-backend B] [--alloc-sites N] [--once [--openmetrics]]\n"
		 "  --listen ADDR:PORT   where to serve /metrics (default 127.0.0.1:9477)\n"
		 "  --cgroup-depth N     cgroups at most N levels below the root (default: all)\n"
		 "  --max-cgroups N      the N largest cgroups by usage get series, the rest are\n"
		 "                       summed into cgroup=\"other\" (default 1000)\n"
		 "  --min-interval S     a scrape within S seconds of the last one gets its body\n"
		 "                       again instead of a new collection (default 1)\n"
		 "  --web-config FILE    TLS and basic auth, exporter-toolkit's web-config.yml\n"
		 "  --no-trace           no BPF tracers (no reclaim/compaction histograms)\n"
		 "  --trace-cgroup CG    the tracers count only tasks of cgroup CG (and below)\n"
		 "  --collectors LIST    only these of memcg,frag,pagetype,vmstat,trace,alloc\n"
		 "                       (default: all)\n"
		 "  --memcg-backend B    auto (default), kfunc, core or text (benchmarks, tests)\n"
		 "  --alloc-sites N      the N call sites holding the most kernel memory\n"
		 "                       (/proc/allocinfo; default 0: none)\n"
		 "  --once               print one scrape's body on stdout and exit\n"
		 "  --openmetrics        with --once: OpenMetrics instead of text format 0.0.4\n",
};

struct col_slot {
	const struct collector *c;
	void *state;
	bool on;
	uint64_t errors;
	double duration_s;
	bool ok;
};

static struct col_slot slots[] = {
	{ .c = &col_memcg }, { .c = &col_frag }, { .c = &col_pagetype }, { .c = &col_vmstat },
	{ .c = &col_trace }, { .c = &col_alloc },
};
#define NR_SLOTS (int)(sizeof(slots) / sizeof(slots[0]))
static uint64_t collections;

/* Whether name is in the comma list (NULL: every collector is). */
static bool listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, name, n) && (p[n] == ',' || !p[n]))
			return true;
	return !list;
}

static int check_collectors(struct cli *cli, const char *list)
{
	for (const char *p = list; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		size_t n = strcspn(p, ",");
		bool known = false;

		for (int i = 0; i < NR_SLOTS; i++)
			known |= strlen(slots[i].c->name) == n && !strncmp(p, slots[i].c->name, n);
		if (!known) {
			cli_usage(cli, "--collectors: a comma list of memcg, frag, pagetype, vmstat, trace, alloc");
			return -1;
		}
	}
	return 0;
}

static void write_self(struct expo *e)
{
	char lbl[128];

	expo_family(e, "mmscope_collector_enabled", "gauge",
		    "Whether the collector runs (0: the kernel or privileges cannot serve it; see the exporter's stderr).");
	for (int i = 0; i < NR_SLOTS; i++) {
		snprintf(lbl, sizeof(lbl), "collector=\"%s\"", slots[i].c->name);
		expo_sample_u64(e, "", lbl, slots[i].on);
	}
	expo_family(e, "mmscope_collector_duration_seconds", "gauge",
		    "Time the collector took in this scrape.");
	for (int i = 0; i < NR_SLOTS; i++)
		if (slots[i].on) {
			snprintf(lbl, sizeof(lbl), "collector=\"%s\"", slots[i].c->name);
			expo_sample(e, "", lbl, slots[i].duration_s);
		}
	expo_family(e, "mmscope_collector_success", "gauge",
		    "1 when the collector's last collection succeeded.");
	for (int i = 0; i < NR_SLOTS; i++)
		if (slots[i].on) {
			snprintf(lbl, sizeof(lbl), "collector=\"%s\"", slots[i].c->name);
			expo_sample_u64(e, "", lbl, slots[i].ok);
		}
	expo_family(e, "mmscope_collector_errors_total", "counter",
		    "Collections that failed, per collector.");
	for (int i = 0; i < NR_SLOTS; i++)
		if (slots[i].on) {
			snprintf(lbl, sizeof(lbl), "collector=\"%s\"", slots[i].c->name);
			expo_sample_u64(e, "", lbl, slots[i].errors);
		}
	expo_family(e, "mmscope_exporter_collections_total", "counter",
		    "Collections made (scrapes within --min-interval of the last one reuse its body).");
	expo_sample_u64(e, "", "", collections);
	expo_family(e, "mmscope_build_info", "gauge", "The exporter's version; value 1.");
	lbl[0] = 0;
	expo_label(lbl, sizeof(lbl), "version", MMSCOPE_VERSION);
	expo_sample_u64(e, "", lbl, 1);
	/* Last, so it can count every sample before it, itself included. */
	expo_family(e, "mmscope_exporter_series", "gauge", "Samples in this scrape's body, this one included.");
	expo_sample_u64(e, "", "", (uint64_t)e->series + 1);
}

void export_collect(struct expo *e, const struct export_opts *o)
{
	collections++;
	for (int i = 0; i < NR_SLOTS; i++) {
		struct col_slot *s = &slots[i];
		uint64_t t0;
		int rc;

		if (!s->on)
			continue;
		t0 = cli_now_ns();
		rc = s->c->collect(s->state, e, o);
		s->duration_s = (double)(cli_now_ns() - t0) / 1e9;
		s->ok = !rc;
		if (rc) {
			s->errors++;
			if (o->cli->verbose)
				fprintf(stderr, "mmscope export: %s: %s\n", s->c->name, strerror(-rc));
		}
	}
	write_self(e);
}

void export_poll(const struct export_opts *o)
{
	for (int i = 0; i < NR_SLOTS; i++)
		if (slots[i].on && slots[i].c->poll)
			slots[i].c->poll(slots[i].state);
}

static void close_all(void)
{
	for (int i = 0; i < NR_SLOTS; i++)
		if (slots[i].on) {
			slots[i].c->close(slots[i].state);
			slots[i].on = false;
		}
}

static int open_all(struct export_opts *o)
{
	char why[1024];

	for (int i = 0; i < NR_SLOTS; i++) {
		int rc;

		why[0] = 0;
		if (!listed(o->collectors, slots[i].c->name))
			continue;
		rc = slots[i].c->open(&slots[i].state, o, why, sizeof(why));
		slots[i].on = !rc;
		if (rc == -EOPNOTSUPP) {
			if (why[0] && (!o->once || o->cli->verbose))
				fprintf(stderr, "mmscope export: %s collector off: %s\n",
					slots[i].c->name, why);
		} else if (rc) {
			close_all();
			return cli_fail(o->cli, rc == -EINVAL ? EXIT_USAGE :
					rc == -ENOMEM ? EXIT_RUNTIME : EXIT_UNSUPPORTED,
					"%s: %s", slots[i].c->name, why[0] ? why : strerror(-rc));
		}
	}
	return 0;
}

static int parse_options(struct export_opts *o, int argc, char **argv)
{
	enum { O_LISTEN = 256, O_DEPTH, O_MAX, O_MIN, O_WEB, O_NOTRACE, O_ONCE, O_OM, O_TRACECG,
	       O_COLLECTORS, O_MEMCG_BACKEND, O_ALLOC };
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "cgroup-depth", required_argument, NULL, O_DEPTH },
		{ "max-cgroups", required_argument, NULL, O_MAX },
		{ "min-interval", required_argument, NULL, O_MIN },
		{ "web-config", required_argument, NULL, O_WEB },
		{ "no-trace", no_argument, NULL, O_NOTRACE },
		{ "trace-cgroup", required_argument, NULL, O_TRACECG },
		{ "collectors", required_argument, NULL, O_COLLECTORS },
		{ "memcg-backend", required_argument, NULL, O_MEMCG_BACKEND },
		{ "alloc-sites", required_argument, NULL, O_ALLOC },
		{ "once", no_argument, NULL, O_ONCE },
		{ "openmetrics", no_argument, NULL, O_OM },
		{ 0 },
	};
	struct cli *cli = o->cli;
	long v;
	int c;

	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case O_LISTEN:
			o->listen = optarg;
			break;
		case O_DEPTH:
			if (cli_parse_long(cli, "--cgroup-depth", optarg, 1, 1000, &v))
				return EXIT_USAGE;
			o->cgroup_depth = (int)v;
			break;
		case O_MAX:
			if (cli_parse_long(cli, "--max-cgroups", optarg, 1, 1000000, &v))
				return EXIT_USAGE;
			o->max_cgroups = (int)v;
			break;
		case O_MIN:
			if (!strcmp(optarg, "0"))
				o->min_interval = 0;
			else if (cli_parse_seconds(cli, "--min-interval", optarg, 3600, &o->min_interval))
				return EXIT_USAGE;
			break;
		case O_WEB:
			o->web_config = optarg;
			break;
		case O_NOTRACE:
			o->no_trace = true;
			break;
		case O_TRACECG:
			o->trace_cgroup = optarg;
			break;
		case O_ALLOC:
			if (!strcmp(optarg, "0"))
				o->alloc_sites = 0;
			else if (cli_parse_long(cli, "--alloc-sites", optarg, 1, 10000, &v))
				return EXIT_USAGE;
			else
				o->alloc_sites = (int)v;
			break;
		case O_COLLECTORS:
			if (check_collectors(cli, optarg))
				return EXIT_USAGE;
			o->collectors = optarg;
			break;
		case O_MEMCG_BACKEND:
			if (!strcmp(optarg, "auto"))
				o->memcg_backend = MMS_MEMCG_AUTO;
			else if (!strcmp(optarg, "kfunc"))
				o->memcg_backend = MMS_MEMCG_KFUNC;
			else if (!strcmp(optarg, "core"))
				o->memcg_backend = MMS_MEMCG_CORE;
			else if (!strcmp(optarg, "text"))
				o->memcg_backend = MMS_MEMCG_TEXT;
			else
				return cli_usage(cli, "--memcg-backend: auto, kfunc, core or text");
			break;
		case O_ONCE:
			o->once = true;
			break;
		case O_OM:
			o->openmetrics = true;
			break;
		default:
			return cli_bad_option(cli, c, argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage(cli, "export takes no operands");
	if (o->openmetrics && !o->once)
		return cli_usage(cli, "--openmetrics goes with --once (a scraper asks for it with Accept)");
	if (cli->json)
		return cli_fail(cli, EXIT_USAGE, "export speaks the Prometheus formats, not -j JSON");
	return 0;
}

static int run_once(struct export_opts *o)
{
	struct expo e;

	expo_init(&e, o->openmetrics);
	export_collect(&e, o);
	expo_end(&e);
	if (e.failed) {
		expo_free(&e);
		return cli_fail(o->cli, EXIT_RUNTIME, "out of memory");
	}
	fwrite(e.buf, 1, e.len, stdout);
	expo_free(&e);
	return EXIT_DONE;
}

static int run_export(struct cli *cli, int argc, char **argv)
{
	struct export_opts o = {
		.cli = cli,
		.listen = "127.0.0.1:9477",
		.min_interval = 1,
		.max_cgroups = 1000,
	};
	struct mms_http *h = NULL;
	char why[1024];
	int rc = parse_options(&o, argc, argv);

	if (rc)
		return rc;
	/* One scrape has nothing to trace over: the histograms would be empty. */
	if (o.once)
		o.no_trace = true;
	/* Listen first: a taken port or a bad --web-config fails before BPF loads. */
	if (!o.once) {
		static const struct http_hooks hk = { export_collect, export_poll };

		rc = http_start(&h, &o, &hk, why, sizeof(why));
		if (rc)
			return cli_fail(cli, rc == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME, "%s", why);
	}
	rc = open_all(&o);
	if (rc) {
		http_stop(h);
		return rc;
	}
	if (o.once) {
		rc = run_once(&o);
	} else {
		fprintf(stderr, "mmscope export: serving %s://%s/metrics\n", http_scheme(h), o.listen);
		rc = http_run(h);
		rc = rc ? cli_fail(cli, EXIT_RUNTIME, "serving: %s", strerror(-rc)) : EXIT_DONE;
	}
	http_stop(h);
	close_all();
	return rc;
}
