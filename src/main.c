// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope: entry point. Global options are accepted before or after the command
 * (up to a "--"), then the command named exactly (no prefix matching: a new
 * command must never change what an abbreviation meant) runs with what is left.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static const struct command commands[] = {
	{ "report", cmd_report, "one-screen health report with findings and advice",
	  "[-i SECONDS]\n"
	  "  -i, --interval S   window for counter rates (default 1)\n" },
	{ "features", cmd_features, "what this kernel offers and which backend each command uses",
	  "\n" },
	{ "frag", cmd_frag, "free blocks, fragmentation and unusable-free-space indices per zone",
	  "[INTERVAL [COUNT]]\n"
	  "       mmscope frag --events [-p PID] [-c CGROUP] [-d SECONDS] [-n N] [INTERVAL [COUNT]]\n"
	  "  INTERVAL           repeat every INTERVAL seconds, showing changes\n"
	  "  --events           count mm_page_alloc_extfrag events per INTERVAL (default 1 s) by\n"
	  "                     migrate types and by process, fragmenting (fallback order below\n"
	  "                     the pageblock order) or not; -p, -c, -d, -n as for reclaim\n" },
	{ "thp", cmd_thp, "THP and mTHP settings, counters, per-process huge pages, advice",
	  "[-p PID] [-n N] [INTERVAL [COUNT]]\n"
	  "  -p, --pid PID      only this process's AnonHugePages\n"
	  "  -n, --top N        processes listed (default 10)\n"
	  "  INTERVAL           rate window in seconds (default 1); with COUNT, repeat\n"
	  "                     (under --root: one reading, no rates, unless INTERVAL is given)\n" },
	{ "reclaim", cmd_reclaim, "direct and memcg reclaim stalls, kswapd runs: per stall or histograms",
	  "[-p PID] [-c CGROUP] [--min-ms MS] [-d SECONDS] [-H [--per-cgroup]] [-n N]\n"
	  "         [INTERVAL [COUNT]]\n"
	  "  -p, --pid PID      only this process\n"
	  "  -c, --cgroup PATH  only tasks in this cgroup or below (v1 memory or v2 path)\n"
	  "  --min-ms MS        only stalls at least this long\n"
	  "  -d, --duration S   stop after S seconds\n"
	  "  -H, --hist         log2 latency histograms per kind instead of one line per stall\n"
	  "  --per-cgroup       histograms per cgroup too (implies -H)\n"
	  "  -n, --top N        processes and cgroups in the summary (default 10)\n"
	  "  INTERVAL           print histograms every INTERVAL seconds (implies -H)\n" },
	{ "compact", cmd_compact, "compaction runs: who, zone, order, mode, result, latency, frag index",
	  "[-p PID] [-c CGROUP] [--min-ms MS] [-d SECONDS] [-H [--per-cgroup]] [-n N]\n"
	  "         [INTERVAL [COUNT]]\n"
	  "  (options as for reclaim)\n" },
	{ "memcg", cmd_memcg, "memory statistics of every cgroup under a root (v1 and v2)",
	  "[ROOT] [-s STAT,...] [--sort STAT] [-n N] [--backend B] [--self] [INTERVAL [COUNT]]\n"
	  "  ROOT               cgroup directory (default: the memory controller's mount)\n"
	  "  -s, --stats LIST   statistics, named as cgroup v2 names them (anon,file,pgfault,\n"
	  "                     usage,limit,high,swap,events_oom_kill,some_avg10,...)\n"
	  "  --sort STAT        largest first by STAT (default: by path)\n"
	  "  -n, --top N        only the first N rows\n"
	  "  --backend B        auto (default), kfunc, core or text\n"
	  "  --self             ROOT alone, not its descendants\n"
	  "  INTERVAL [COUNT]   repeat; counters are shown as rates per second\n" },
	{ "alloc", cmd_alloc, "kernel memory per allocation call site: bytes, calls, growth",
	  "[--file PAT] [--func PAT] [--module PAT] [--line N]\n"
	  "         [--min-size SIZE] [--max-size SIZE] [--accurate|--inaccurate]\n"
	  "         [--sort bytes|calls|growth]"
	  " [-n N] [--diff SECONDS] [--backend B] [--sample N]\n"
	  "         [INTERVAL [COUNT]]\n"
	  "  --file, --func, --module PAT\n"
	  "                     substring, or a glob (fnmatch) of the whole name when PAT has\n"
	  "                     * ? or [; --module '' selects built-in code\n"
	  "  --line N           only call sites on line N\n"
	  "  --min-size, --max-size SIZE\n"
	  "                     bytes outstanding at the site, inclusive (4096, 64K, 1.5M)\n"
	  "  --accurate, --inaccurate\n"
	  "                     only sites the kernel counts exactly, or only accurate:no ones\n"
	  "  --sort KEY         bytes (default), calls, or growth (with --diff or INTERVAL)\n"
	  "  -n, --top N        sites shown (default 20; 0: all)\n"
	  "  --diff SECONDS     two snapshots SECONDS apart: growth per site, per second\n"
	  "  --backend B        auto (default), allocinfo, bpf-tags, ioctl or bpf-trace\n"
	  "  --sample N         bpf-trace: track one allocation in about N (estimates, for\n"
	  "                     less overhead); default 1, every allocation\n"
	  "  INTERVAL [COUNT]   repeat: a snapshot, then growth over each INTERVAL\n" },
	{ "heatmap", cmd_heatmap, "page access heatmap of a process: live TUI, JSON, CSV, PNG/SVG",
	  "[-p PID | -- COMMAND [ARGS]] [--source S]\n"
	  "         [--aging MS] [--aggregate MS] [--range START-END | --mapping NAME]\n"
	  "         [-d SECONDS | --frames N] [--out FILE.png|FILE.svg] [--csv] [--tui|--no-tui]\n"
	  "  -p, --pid PID      watch this process (never signalled)\n"
	  "  -- COMMAND [ARGS]  start COMMAND, watch it, stop it at the end\n"
	  "  --source S         damon-vaddr, idle, damon-paddr or refs (default: the first\n"
	  "                     of these that works here)\n"
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
	  "  a/A aging shorter/longer, g/G aggregate shorter/longer, r re-read mappings\n" },
	{ "help", NULL, "help on a command", "COMMAND\n" },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int cli_print_help(const char *name, FILE *out)
{
	const struct command *c = find_command(name);

	if (!c)
		return -1;
	fprintf(out, "usage: mmscope [-j] [--root DIR] [-v] %s %s", c->name, c->usage);
	fprintf(out, "%s.\n", c->summary);
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mmscope [-j|--json] [--root DIR] [-v] [-h] [-V] [COMMAND [ARGS]]\n"
		"With no command, runs `report`.\n\ncommands:\n");
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n  -j, --json      JSON output (a document, or one object per line for streams)\n"
		     "  --root DIR      read procfs/sysfs from DIR instead of the live system\n"
		     "  -v, --verbose   libbpf and verifier messages on stderr\n"
		     "exit status: 0 done, 1 failed, 2 bad usage or input, 3 not possible here\n");
}

/*
 * Takes the global options out of argv wherever they are (before "--"), leaving the
 * command and its own arguments in order. Returns the new argc, or -1 on a bad one.
 */
static int take_globals(struct cli *cli, int argc, char **argv, bool *help, bool *version)
{
	int out = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		} else if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			cli->json = true;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			cli->verbose++;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			*help = true;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			*version = true;
		} else if (!strcmp(a, "--root")) {
			if (i + 1 == argc) {
				fprintf(stderr, "mmscope: --root needs a directory\n");
				return -1;
			}
			cli->root = argv[++i];
		} else if (!strncmp(a, "--root=", 7)) {
			cli->root = a + 7;
		} else {
			argv[out++] = argv[i];
		}
	}
	argv[out] = NULL;
	return out;
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	bool help = false, version = false;
	const struct command *c;
	const char *name;

	argc = take_globals(&cli, argc, argv, &help, &version);
	if (argc < 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (version) {
		printf("mmscope %s\n", MMSCOPE_VERSION);
		return EXIT_DONE;
	}
	name = argc > 1 ? argv[1] : "report";
	if (help && argc <= 1) {
		usage(stdout);
		return EXIT_DONE;
	}
	if (!strcmp(name, "help")) {
		if (argc < 3) {
			usage(stdout);
			return EXIT_DONE;
		}
		if (cli_print_help(argv[2], stdout)) {
			fprintf(stderr, "mmscope: no command '%s'\n", argv[2]);
			return EXIT_USAGE;
		}
		return EXIT_DONE;
	}
	c = find_command(name);
	if (!c) {
		fprintf(stderr, "mmscope: unknown %s '%s'\n", name[0] == '-' ? "option" : "command",
			name);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (help) {
		cli_print_help(name, stdout);
		return EXIT_DONE;
	}
	cli.cmd = c->name;
	if (cli.root) {
		struct stat st;

		if (stat(cli.root, &st) || !S_ISDIR(st.st_mode))
			return cli_fail(&cli, EXIT_USAGE, "--root %s: not a directory", cli.root);
		if (mms_host_init(&cli.host, cli.root))
			return cli_fail(&cli, EXIT_USAGE, "--root %s: path too long", cli.root);
	}
	cli_install_signals();
	/* The command sees argv[0] = its name, as getopt expects. */
	return c->run(&cli, argc > 1 ? argc - 1 : 1, argc > 1 ? argv + 1 : (char *[]){ "report", NULL });
}
