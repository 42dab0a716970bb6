/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every command shares: the global options, the exit statuses of the
 * command-line contract, error reporting in both dialects (a one-line message on
 * stderr, or a JSON error object on stdout under -j), INTERVAL [COUNT] parsing, a
 * stop flag set by SIGINT/SIGTERM/SIGHUP so streams end cleanly with their summary,
 * and the standard descriptors: made safe at start, write errors turned into exit 1
 * at the end (docs/output-errors.md).
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

/*
 * Prints an error the way the output mode wants and returns status. A long word
 * (a path) is shortened in its middle with "..." so the reason after it is kept;
 * under -j the JSON error goes to stderr as text when stdout cannot be written.
 */
int cli_fail(struct cli *cli, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * Turns a library read/parse failure into the contract's status and message:
 * a missing file -> 3 ("missing: FILE"), no permission -> 3 ("needs root"), bad
 * content -> 2 ("FILE:LINE: why"), anything else -> 1.
 */
int cli_fail_read(struct cli *cli, int rc, const struct mms_error *err);
/*
 * why (if any) as cli_fail does, then one line on stderr pointing at
 * `mmscope help NAME` (the usage itself is for help); returns EXIT_USAGE.
 */
int cli_usage(struct cli *cli, const char *why);
/*
 * The one path for an option getopt_long did not take: it returned '?' (unknown,
 * or a value where none goes) or ':' (a value missing) as c, and arg is
 * argv[optind - 1]. Says which option, then where the usage is (cli_usage);
 * returns EXIT_USAGE.
 * getopt's own messages are off (opterr = 0, set once in main), and every
 * optstring starts with ':' (after a '+' where wanted) so a missing value is ':'.
 */
int cli_bad_option(struct cli *cli, int c, const char *arg);
/* "usage: mmscope ... NAME USAGE" and the summary, for help and for errors. */
void cli_print_usage(const struct command *c, FILE *out);

/*
 * Parses the positional INTERVAL [COUNT] left in argv[optind..]. Defaults are kept
 * when absent. INTERVAL is seconds (decimals allowed) from CLI_INTERVAL_MIN to
 * CLI_INTERVAL_MAX; COUNT a positive integer.
 */
int cli_parse_interval(struct cli *cli, int argc, char **argv, int optind, double *interval,
		       long *count, bool *given);
/*
 * The shortest INTERVAL of every command that takes one: 10 ms. Below it a stream
 * is a busy loop of reads (frag 0.0001 printed 2,702 snapshots in 2 s) of counters
 * the kernel itself folds far more slowly (per-CPU vmstat every
 * vm.stat_interval, 1 s; memcg rstat flushes every 2 s), and the read itself (a
 * cgroup tree, every zone) takes a sizeable part of it. 100 lines a second is
 * already more than anyone reads, and the tests' 0.02-0.05 s stay possible.
 */
#define CLI_INTERVAL_MIN 0.01
/* The longest: a day. */
#define CLI_INTERVAL_MAX 86400.0
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
/*
 * Sleeps for seconds unless a stop signal arrives or stdout has failed; returns
 * false when stopped.
 */
bool cli_sleep(double seconds);
/* SIGINT, SIGTERM and SIGHUP set cli_stop: streams end with their summary. */
void cli_install_signals(void);

/*
 * Standard descriptors, first thing in main(), before anything opens a file: a
 * closed fd 0 or 2 becomes /dev/null, a closed fd 1 /dev/null read-only (every
 * write fails, so nothing the program opens later becomes its stdout); SIGPIPE is
 * ignored (EPIPE instead); a stdout that is not a terminal records the first write
 * error and sets cli_stop, so every stream ends at its first failed write.
 */
void cli_stdio_setup(void);
/*
 * Whether a write to stdout has failed (cheap: for loops between outputs; a
 * failure also sets cli_stop).
 */
bool cli_output_failed(void);
/*
 * The last step of main(): flushes and closes stdout. On a write error at any
 * time: "mmscope CMD: writing output: WHY" on stderr and status, or 1 when status
 * was 0; a closed pipe (EPIPE) the same without the message.
 */
int cli_output_close(struct cli *cli, int status);
/* Monotonic nanoseconds. */
uint64_t cli_now_ns(void);

/* The commands (src/cmd/), in the order `mmscope -h` lists them. */
extern const struct command cmd_report, cmd_features, cmd_frag, cmd_thp, cmd_reclaim,
	cmd_compact, cmd_memcg, cmd_alloc, cmd_heatmap, cmd_syscalls;
/* src/cmd/export/export.c */
extern const struct command cmd_export;
/* frag --events (src/cmd/frag_events.c): a mode of frag, under frag's usage. */
int frag_events_run(struct cli *cli, int argc, char **argv);

#endif
