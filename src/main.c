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

#include "bpf_log.h"
#include "cli.h"

/* help is main's own: it prints the others' usage. */
static const struct command cmd_help = { .name = "help", .summary = "help on a command",
					 .usage = "COMMAND\n" };

/* In the order `mmscope -h` lists them; each is defined beside its options. */
static const struct command *const commands[] = {
	&cmd_report, &cmd_features, &cmd_frag, &cmd_thp, &cmd_reclaim, &cmd_compact,
	&cmd_memcg, &cmd_alloc, &cmd_heatmap, &cmd_syscalls, &cmd_export, &cmd_help,
};

/* After a usage error: where the usage is, in one line (cli_usage's for commands). */
#define TRY_HELP "Run 'mmscope -h' for the commands and global options.\n"

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mmscope [-j|--json] [--root DIR] [-v] [-h] [-V] [COMMAND [ARGS]]\n"
		"With no command, runs `report`.\n\ncommands:\n");
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
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
	int status;

	/* Before anything opens a file: a closed fd 1 must not become one. */
	cli_stdio_setup();
	argc = take_globals(&cli, argc, argv, &help, &version);
	if (argc < 0) {
		fputs(TRY_HELP, stderr);
		return EXIT_USAGE;
	}
	if (version) {
		/* Release, the commit built and the CPU it was built for (make dist). */
		printf("mmscope %s (commit %s, %s)\n", MMSCOPE_RELEASE, MMSCOPE_COMMIT, MMSCOPE_ARCH);
		return cli_output_close(&cli, EXIT_DONE);
	}
	name = argc > 1 ? argv[1] : "report";
	if (help && argc <= 1) {
		usage(stdout);
		return cli_output_close(&cli, EXIT_DONE);
	}
	if (!strcmp(name, "help")) {
		if (argc < 3) {
			usage(stdout);
			return cli_output_close(&cli, EXIT_DONE);
		}
		c = find_command(argv[2]);
		if (!c) {
			fprintf(stderr, "mmscope: no command '%s'\n", argv[2]);
			return EXIT_USAGE;
		}
		cli_print_usage(c, stdout);
		return cli_output_close(&cli, EXIT_DONE);
	}
	c = find_command(name);
	if (!c) {
		fprintf(stderr, "mmscope: unknown %s '%s'\n", name[0] == '-' ? "option" : "command",
			name);
		fputs(TRY_HELP, stderr);
		return EXIT_USAGE;
	}
	if (help) {
		cli_print_usage(c, stdout);
		return cli_output_close(&cli, EXIT_DONE);
	}
	cli.command = c;
	cli.cmd = c->name;
	if (cli.root) {
		struct stat st;

		if (stat(cli.root, &st) || !S_ISDIR(st.st_mode))
			return cli_fail(&cli, EXIT_USAGE, "--root %s: not a directory", cli.root);
		if (mms_host_init(&cli.host, cli.root))
			return cli_fail(&cli, EXIT_USAGE, "--root %s: path too long", cli.root);
	}
	/* Before any command: the library never sets libbpf's printer itself. */
	bpf_log_install(cli.verbose);
	/* getopt's own messages never: every command reports through cli_bad_option(). */
	opterr = 0;
	cli_install_signals();
	/* The command sees argv[0] = its name, as getopt expects. */
	status = c->run(&cli, argc > 1 ? argc - 1 : 1,
			argc > 1 ? argv + 1 : (char *[]){ "report", NULL });
	/* Output lost is a failure, whatever the command thought. */
	return cli_output_close(&cli, status);
}
