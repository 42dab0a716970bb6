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

struct cli;

/*
 * A command, defined in its own file beside its option table (src/cmd/NAME.c:
 * const struct command cmd_NAME), so its usage cannot drift from what it parses.
 */
struct command {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *summary;
	const char *usage; /* option lines after "usage: mmscope NAME " */
};

struct cli {
	bool json;
	int verbose;
	const char *root;
	struct mms_host host;
	const struct command *command; /* the one running: its usage for errors */
	const char *cmd; /* the command's name, for messages */
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
/* The running command's usage on stderr after why (if any); returns EXIT_USAGE. */
int cli_usage(struct cli *cli, const char *why);
/*
 * The one path for an option getopt_long did not take: it returned '?' (unknown,
 * or a value where none goes) or ':' (a value missing) as c, and arg is
 * argv[optind - 1]. Says which option, then the usage; returns EXIT_USAGE.
 * getopt's own messages are off (opterr = 0, set once in main), and every
 * optstring starts with ':' (after a '+' where wanted) so a missing value is ':'.
 */
int cli_bad_option(struct cli *cli, int c, const char *arg);
/* "usage: mmscope ... NAME USAGE" and the summary, for help and for errors. */
void cli_print_usage(const struct command *c, FILE *out);

/*
 * Parses the positional INTERVAL [COUNT] left in argv[optind..]. Defaults are kept
 * when absent. INTERVAL is seconds (decimals allowed, > 0); COUNT a positive integer.
 */
int cli_parse_interval(struct cli *cli, int argc, char **argv, int optind, double *interval,
		       long *count, bool *given);
/* Parses a positive integer option value; on error prints and returns -1. */
int cli_parse_long(struct cli *cli, const char *opt, const char *s, long min, long max,
		   long *out);
/* Parses seconds (decimals allowed) above 0 and at most max; on error prints, -1. */
int cli_parse_seconds(struct cli *cli, const char *opt, const char *s, double max,
		      double *out);
/*
 * The longest -d/--duration any command takes: a year, the longest any of them
 * took before they shared this parser (the tracers; heatmap took 31 days).
 */
#define CLI_DURATION_MAX (365 * 86400.0)
/* -d/--duration SECONDS, the same for every command that has it. */
int cli_parse_duration(struct cli *cli, const char *s, double *out);
/* Sleeps for seconds unless a stop signal arrives; returns false when stopped. */
bool cli_sleep(double seconds);
void cli_install_signals(void);
/* Monotonic nanoseconds. */
uint64_t cli_now_ns(void);

/* The commands (src/cmd/), in the order `mmscope -h` lists them. */
extern const struct command cmd_report, cmd_features, cmd_frag, cmd_thp, cmd_reclaim,
	cmd_compact, cmd_memcg, cmd_alloc, cmd_heatmap;
/* frag --events (src/cmd/frag_events.c): a mode of frag, under frag's usage. */
int frag_events_run(struct cli *cli, int argc, char **argv);

#endif
