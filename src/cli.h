/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every command shares: the global options, the exit statuses of the
 * command-line contract, error reporting in both dialects (a one-line message on
 * stderr, or a JSON error object on stdout under -j), INTERVAL [COUNT] parsing and
 * a stop flag set by SIGINT/SIGTERM so streams end cleanly with their summary.
 */
#ifndef MMS_CLI_H
#define MMS_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <mmscope/mmscope.h>

enum {
	EXIT_DONE = 0,
	EXIT_RUNTIME = 1,     /* failed at run time */
	EXIT_USAGE = 2,       /* bad usage or bad input */
	EXIT_UNSUPPORTED = 3, /* not possible on this kernel or system */
};

struct cli {
	bool json;
	int verbose;
	const char *root;
	struct mms_host host;
	const char *cmd; /* the command's name, for messages */
};

struct command {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *summary;
	const char *usage; /* option lines after "usage: mmscope NAME " */
};

extern volatile sig_atomic_t cli_stop;

/* Prints an error the way the output mode wants and returns status. */
int cli_fail(struct cli *cli, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * Turns a library read/parse failure into the contract's status and message:
 * a missing file -> 3 ("missing: FILE"), no permission -> 3 ("needs root"), bad
 * content -> 2 ("FILE:LINE: why"), anything else -> 1.
 */
int cli_fail_read(struct cli *cli, int rc, const struct mms_error *err);
/* The command's usage on stderr (or stdout when asked for), returning EXIT_USAGE. */
int cli_usage(struct cli *cli, const char *why);
/* getopt_long returned '?' or ':' (c) for arg: the usage with what was wrong. */
int cli_bad_option(struct cli *cli, int c, const char *arg);
int cli_print_help(const char *name, FILE *out);

/*
 * Parses the positional INTERVAL [COUNT] left in argv[optind..]. Defaults are kept
 * when absent. INTERVAL is seconds (decimals allowed, > 0); COUNT a positive integer.
 */
int cli_parse_interval(struct cli *cli, int argc, char **argv, int optind, double *interval,
		       long *count, bool *given);
/* Parses a positive integer option value; on error prints and returns -1. */
int cli_parse_long(struct cli *cli, const char *opt, const char *s, long min, long max,
		   long *out);
/* Sleeps for seconds unless a stop signal arrives; returns false when stopped. */
bool cli_sleep(double seconds);
void cli_install_signals(void);
/* Monotonic nanoseconds. */
uint64_t cli_now_ns(void);

int cmd_report(struct cli *cli, int argc, char **argv);
int cmd_features(struct cli *cli, int argc, char **argv);
int cmd_frag(struct cli *cli, int argc, char **argv);
int cmd_thp(struct cli *cli, int argc, char **argv);
int cmd_memcg(struct cli *cli, int argc, char **argv);
int cmd_reclaim(struct cli *cli, int argc, char **argv);
int cmd_compact(struct cli *cli, int argc, char **argv);
int cmd_alloc(struct cli *cli, int argc, char **argv);
int cmd_heatmap(struct cli *cli, int argc, char **argv);
/* frag --events (src/cmd/frag_events.c) */
int cmd_frag_events(struct cli *cli, int argc, char **argv);

#endif
