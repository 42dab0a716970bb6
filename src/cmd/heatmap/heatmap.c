// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope heatmap: which pages of a process are accessed, over time (seed 001).
 *
 *   mmscope heatmap [-p PID | -- COMMAND [ARGS]] [--source S] [--aging MS]
 *                   [--aggregate MS] [--range START-END | --mapping NAME]
 *                   [-d SECONDS | --frames N] [--out FILE.png|FILE.svg] [--csv]
 *                   [--tui | --no-tui]
 *
 * Options are checked before anything is set up (bad input is exit 2 naming the
 * argument); then the target is started (-- COMMAND) or found (-p), a source is
 * opened (--source, or the best of mms_heatmap_backends[] that opens, keeping why
 * the better ones refused: none opens is exit 3 with every reason), frames are collected
 * until --frames, -d, SIGINT/SIGTERM, the target's exit or the TUI's q, and then
 * shown: text lines and a summary, one JSON document (-j), CSV rows, a picture.
 * Every path out closes the source (which undoes what it set up) and stops the
 * target if it is ours; a target given with -p is never signalled.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/heatmap/heatmap_cmd.h"
#include "output/view.h"

struct hm_args {
	const char *out;
	bool csv, tui, no_tui;
	const char *range, *mapping;
};

enum { OPT_SOURCE = 256, OPT_AGING, OPT_AGGR, OPT_RANGE, OPT_MAPPING, OPT_FRAMES, OPT_CSV,
       OPT_TUI, OPT_NO_TUI };

static int parse_ms(struct cli *cli, const char *opt, const char *s, uint64_t *us)
{
	long v;

	if (cli_parse_long(cli, opt, s, 1, 3600000, &v))
		return -1;
	*us = (uint64_t)v * 1000;
	return 0;
}

static int run_heatmap(struct cli *cli, int argc, char **argv);

const struct command cmd_heatmap = {
	.name = "heatmap",
	.run = run_heatmap,
	.summary = "page access heatmap of a process: live TUI, JSON, CSV, PNG/SVG",
	.usage = "[-p PID | -- COMMAND [ARGS]] [--source S]\n"
		 "         [--aging MS] [--aggregate MS] [--range START-END | --mapping NAME]\n"
		 "         [-d SECONDS | --frames N] [--out FILE.png|FILE.svg] [--csv] [--tui|--no-tui]\n"
		 "  -p, --pid PID      watch this process (never signalled)\n"
		 "  -- COMMAND [ARGS]  start COMMAND, watch it, stop it at the end\n"
		 "  --source S         damon-vaddr, idle, young, mglru, damon-paddr or refs (default:\n"
		 "                     the first of these that works here)\n"
		 "  --aging MS         how often accesses are checked (default 100)\n"
		 "  --aggregate MS     one frame every MS (default 1000; above --aging)\n"
		 "  --range START-END  only these addresses (hex, end exclusive)\n"
		 "  --mapping NAME     only heap, stack, anon, or mappings of a file (glob/substring)\n"
		 "  -d, --duration S   stop after S seconds\n"
		 "  --frames N         stop after N frames\n"
		 "  -o, --out FILE     write a picture at the end: FILE.png or FILE.svg\n"
		 "  --csv              t_ns,start,end,accesses rows instead of text\n"
		 "  --tui, --no-tui    live view (default when stdout is a terminal and neither\n"
		 "                     -j, --csv nor --out is given)\n"
		 "  TUI keys: q quit, p/space pause, +/- zoom, arrows/j/k scroll, Home reset,\n"
		 "  a/A aging shorter/longer, g/G aggregate shorter/longer, r re-read mappings\n",
};

static int parse_options(struct hm_cmd *c, struct hm_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ "aging", required_argument, NULL, OPT_AGING },
		{ "aggregate", required_argument, NULL, OPT_AGGR },
		{ "range", required_argument, NULL, OPT_RANGE },
		{ "mapping", required_argument, NULL, OPT_MAPPING },
		{ "duration", required_argument, NULL, 'd' },
		{ "frames", required_argument, NULL, OPT_FRAMES },
		{ "out", required_argument, NULL, 'o' },
		{ "csv", no_argument, NULL, OPT_CSV },
		{ "tui", no_argument, NULL, OPT_TUI },
		{ "no-tui", no_argument, NULL, OPT_NO_TUI },
		{ 0 },
	};
	struct cli *cli = c->cli;
	int opt;
	long v;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+:p:d:o:", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (cli_parse_long(cli, "-p", optarg, 1, INT_MAX, &v))
				return EXIT_USAGE;
			c->o.pid = (pid_t)v;
			break;
		case OPT_SOURCE:
			c->want_source = optarg;
			break;
		case OPT_AGING:
			if (parse_ms(cli, "--aging", optarg, &c->o.aging_us))
				return EXIT_USAGE;
			break;
		case OPT_AGGR:
			if (parse_ms(cli, "--aggregate", optarg, &c->o.aggregate_us))
				return EXIT_USAGE;
			break;
		case OPT_RANGE:
			a->range = optarg;
			break;
		case OPT_MAPPING:
			a->mapping = optarg;
			break;
		case 'd':
			if (cli_parse_duration(cli, optarg, &c->duration))
				return EXIT_USAGE;
			break;
		case OPT_FRAMES:
			if (cli_parse_long(cli, "--frames", optarg, 1, 1000000000L, &c->max_frames))
				return EXIT_USAGE;
			break;
		case 'o':
			a->out = optarg;
			break;
		case OPT_CSV:
			a->csv = true;
			break;
		case OPT_TUI:
			a->tui = true;
			break;
		case OPT_NO_TUI:
			a->no_tui = true;
			break;
		default:
			return cli_bad_option(cli, opt, argv[optind - 1]);
		}
	}
	if (optind < argc) {
		if (strcmp(argv[optind - 1], "--"))
			return cli_fail(cli, EXIT_USAGE,
					"unexpected argument '%s' (a command goes after --)",
					argv[optind]);
		c->command = &argv[optind];
	}
	return 0;
}

/* Everything that can be said about the options without touching the system. */
static int check_options(struct hm_cmd *c, struct hm_args *a)
{
	struct cli *cli = c->cli;
	char dir[PATH_MAX], *slash;

	if (cli->root)
		return cli_fail(cli, EXIT_UNSUPPORTED,
				"a heatmap watches a live process: not possible under --root");
	if (c->o.pid && c->command)
		return cli_usage(cli, "-p PID and -- COMMAND: give one target, not both");
	if (!c->o.pid && !c->command)
		return cli_usage(cli, "no target: give -p PID or -- COMMAND [ARGS]");
	if (!c->o.aging_us)
		c->o.aging_us = HM_DEFAULT_AGING_US;
	if (!c->o.aggregate_us)
		c->o.aggregate_us = HM_DEFAULT_AGGREGATE_US;
	if (c->o.aging_us >= c->o.aggregate_us)
		return cli_fail(cli, EXIT_USAGE,
				"--aging %llu ms must be shorter than --aggregate %llu ms",
				(unsigned long long)c->o.aging_us / 1000,
				(unsigned long long)c->o.aggregate_us / 1000);
	if (c->duration && c->max_frames)
		return cli_usage(cli, "-d SECONDS and --frames N: give one limit, not both");
	if (a->range && a->mapping)
		return cli_usage(cli, "--range and --mapping: give one region of interest");
	if (a->range && hm_roi_parse_range(a->range, &c->o.roi.start, &c->o.roi.end))
		return cli_fail(cli, EXIT_USAGE,
				"--range '%s': expected START-END in hex, START below END", a->range);
	c->o.roi.mapping = a->mapping;
	/* The tests' hook (read here: the library never reads the environment):
	 * MMSCOPE_FAULT=fexit makes young take its kprobe way where fexit works. */
	c->o.no_fexit = getenv("MMSCOPE_FAULT") && !strcmp(getenv("MMSCOPE_FAULT"), "fexit");
	if (a->mapping && !a->mapping[0])
		return cli_fail(cli, EXIT_USAGE, "--mapping: empty name");
	if (c->want_source &&
	    !mms_backend_find(mms_capability_find("heatmap"), c->want_source))
		return cli_fail(cli, EXIT_USAGE,
				"--source '%s': unknown (damon-vaddr, idle, young, mglru, damon-paddr or refs)",
				c->want_source);
	if (a->out) {
		if (hm_pic_format_of(a->out) == HM_PIC_NONE)
			return cli_fail(cli, EXIT_USAGE, "--out %s: expected a .png or .svg file name",
					a->out);
		snprintf(dir, sizeof(dir), "%s", a->out);
		slash = strrchr(dir, '/');
		if (slash)
			*(slash == dir ? slash + 1 : slash) = '\0';
		if (access(slash ? dir : ".", W_OK))
			return cli_fail(cli, EXIT_USAGE, "--out %s: cannot write in %s (%s)", a->out,
					slash ? dir : ".", strerror(errno));
	}
	if (a->csv && cli->json)
		return cli_usage(cli, "--csv and -j: choose one output on stdout");
	if (a->tui && a->no_tui)
		return cli_usage(cli, "--tui and --no-tui: choose one");
	if (a->tui && (a->csv || cli->json))
		return cli_usage(cli, "--tui draws on stdout: not with --csv or -j");
	if (a->tui && (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)))
		return cli_usage(cli, "--tui needs a terminal on stdin and stdout");
	return 0;
}

/* -p: the process must exist and have at least one mapping the roi selects. */
static int check_target(struct hm_cmd *c, struct hm_args *a)
{
	struct mms_error err = { 0 };
	int rc;

	if (!hm_target_alive(c->o.pid))
		return cli_fail(c->cli, EXIT_USAGE, "-p %d: no such process", (int)c->o.pid);
	rc = hm_maps_read(c->o.pid, &c->all, &err);
	if (rc == -ESRCH)
		return cli_fail(c->cli, EXIT_USAGE, "-p %d: no such process", (int)c->o.pid);
	if (rc)
		return cli_fail(c->cli, rc == -EACCES || rc == -EPERM ? EXIT_UNSUPPORTED : EXIT_RUNTIME,
				"/proc/%d/maps: %s", (int)c->o.pid,
				err.msg[0] ? err.msg : strerror(-rc));
	if (hm_roi_select(&c->o.roi, &c->all, &c->sel))
		return cli_fail(c->cli, EXIT_RUNTIME, "out of memory");
	if (!c->sel.n) {
		char arg[TEXT_ESC_SIZE(256)];

		if (a->mapping)
			return cli_fail(c->cli, EXIT_USAGE, "no mapping of %d matches --mapping %s",
					(int)c->o.pid, text_esc(a->mapping, arg, sizeof(arg)));
		return cli_fail(c->cli, EXIT_USAGE, "no mapping of %d %s%s", (int)c->o.pid,
				a->range ? "overlaps --range " : "can be monitored",
				text_esc(a->range, arg, sizeof(arg)));
	}
	return 0;
}

static void target_name(struct hm_cmd *c)
{
	char path[64];
	size_t len = 0;
	FILE *fp;

	if (c->command) {
		/* The command's own name, not its path, then its arguments. */
		const char *slash = strrchr(c->command[0], '/');

		len = snprintf(c->run.target, sizeof(c->run.target), "%s",
			       slash ? slash + 1 : c->command[0]);
		for (char **p = c->command + 1; *p && len < sizeof(c->run.target) - 1; p++)
			len += snprintf(c->run.target + len, sizeof(c->run.target) - len, " %s", *p);
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)c->o.pid);
	fp = fopen(path, "r");
	if (fp) {
		if (fgets(c->run.target, sizeof(c->run.target), fp))
			c->run.target[strcspn(c->run.target, "\n")] = '\0';
		fclose(fp);
	}
}

/* The batch loop: frames until a limit, a signal or the target's exit. */
static int run_batch(struct hm_cmd *c, bool text, bool csv)
{
	struct hm_frame f = { 0 };
	char why[512];
	int status = EXIT_DONE;

	if (csv)
		hm_csv_header(stdout);
	for (;;) {
		int rc;

		hm_frame_reset(&f);
		why[0] = '\0';
		rc = hm_cmd_next(c, &f, why, sizeof(why));
		if (rc == -EINTR || cli_stop) {
			snprintf(c->run.note, sizeof(c->run.note), "stopped by a signal after %llu frames",
				 (unsigned long long)c->run.frames_total);
			break;
		}
		if (rc == -ESRCH) {
			c->exited = true;
			break;
		}
		if (rc) {
			status = cli_fail(c->cli, EXIT_RUNTIME, "source %s: %s", c->ops->name,
					  why[0] ? why : strerror(-rc));
			snprintf(c->run.note, sizeof(c->run.note), "failed: %s", why);
			break;
		}
		if (hm_run_add(&c->run, &f)) {
			status = cli_fail(c->cli, EXIT_RUNTIME, "out of memory");
			break;
		}
		if (text)
			hm_text_frame(&c->run, &c->run.f[c->run.n - 1], stdout);
		if (csv)
			hm_csv_frame(&c->run.f[c->run.n - 1], stdout);
		if (cli_output_failed()) /* main() says why and exits 1 (docs/output-errors.md) */
			break;
		if (hm_cmd_done(c))
			break;
	}
	hm_frame_free(&f);
	return status;
}

/* Ends the run: the source's last words, close, the target, the exit message. */
static void finish_run(struct hm_cmd *c, char *how, size_t size)
{
	const char *d = c->src && c->ops->describe ? c->ops->describe(c->src) : NULL;

	snprintf(how, size, "%s", d ? d : "");
	c->run.how = how[0] ? how : NULL;
	if (c->src && c->ops->lost)
		c->run.lost = c->ops->lost(c->src);
	if (c->src)
		c->ops->close(c->src);
	c->src = NULL;
	if (c->child)
		hm_target_stop(c->child);
	c->child = 0;
	if (c->exited) {
		snprintf(c->run.note, sizeof(c->run.note), "target %d exited after %llu frames",
			 (int)c->o.pid, (unsigned long long)c->run.frames_total);
		fprintf(stderr, "mmscope heatmap: %s\n", c->run.note);
	}
	hm_summary_finish(&c->run.sum);
}

static int show(struct hm_cmd *c, struct hm_args *a, bool summary, int status)
{
	char why[512], esc[TEXT_ESC_SIZE(sizeof(why))];

	if (c->cli->json)
		json_emit(hm_json(&c->run));
	else if (summary)
		hm_text_summary(&c->run, stdout);
	if (a->out && c->run.n) {
		if (hm_pic_write(&c->run, a->out, why, sizeof(why)))
			return cli_fail(c->cli, EXIT_RUNTIME, "%s",
					text_esc(why, esc, sizeof(esc)));
	} else if (a->out) {
		fputs("mmscope heatmap: no frames collected: ", stderr);
		text_put(stderr, a->out, 0);
		fputs(" not written\n", stderr);
	}
	return status;
}

static int run_heatmap(struct cli *cli, int argc, char **argv)
{
	struct hm_cmd c = { .cli = cli };
	struct hm_args a = { 0 };
	char why[512], how[512], esc[TEXT_ESC_SIZE(sizeof(why))];
	bool tui, text;
	int status;

	hm_run_init(&c.run);
	/* A closed stdout must end the run through the paths that undo what the
	 * source set up and stop our command, not kill us mid-way. */
	signal(SIGPIPE, SIG_IGN);
	status = parse_options(&c, &a, argc, argv);
	if (!status)
		status = check_options(&c, &a);
	if (status)
		goto out;
	tui = a.tui || (!a.no_tui && !cli->json && !a.csv && !a.out && isatty(STDOUT_FILENO) &&
			isatty(STDIN_FILENO));
	text = !tui && !cli->json && !a.csv;
	if (c.command) {
		if (hm_target_spawn(c.command, tui ? HM_STDIO_NULL
					      : text ? HM_STDIO_INHERIT : HM_STDIO_TO_STDERR,
				    &c.child, why, sizeof(why))) {
			status = cli_fail(cli, EXIT_USAGE, "-- %s", text_esc(why, esc, sizeof(esc)));
			goto out;
		}
		c.o.pid = c.child;
	} else if ((status = check_target(&c, &a))) {
		goto out;
	}
	target_name(&c);
	c.o.stop = tui ? &c.src_stop : &cli_stop;
	if ((status = hm_cmd_open_source(&c)))
		goto out;
	c.run.source = c.ops->name;
	c.run.pid = c.o.pid;
	c.run.aging_us = c.o.aging_us;
	c.run.aggregate_us = c.o.aggregate_us;
	if (text) {
		printf("heatmap of %d (", (int)c.o.pid);
		text_put(stdout, c.run.target, 0);
		printf("), source %s%s%s\n", c.ops->name, c.ops->describe ? ": " : "",
		       c.ops->describe ? c.ops->describe(c.src) : "");
		fflush(stdout);
	}
	if (tui) {
		/* Only the TUI-only run keeps a bounded history (a day at 1 s frames is a lot). */
		c.run.keep_max = a.out ? 0 : 4096;
		status = hm_live_run(&c);
	} else {
		status = run_batch(&c, text, a.csv);
	}
	finish_run(&c, how, sizeof(how));
	/* After the TUI, the summary stays on the terminal it gave back. */
	status = show(&c, &a, text || tui, status);
out:
	if (c.src)
		c.ops->close(c.src);
	if (c.child)
		hm_target_stop(c.child);
	hm_maps_free(&c.all);
	hm_maps_free(&c.sel);
	hm_run_free(&c.run);
	return status;
}
