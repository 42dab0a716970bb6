// SPDX-License-Identifier: GPL-2.0
/* Shared command-line plumbing: errors, intervals, signals (see cli.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli.h"
#include "output/view.h"

volatile sig_atomic_t cli_stop;

int cli_fail(struct cli *cli, int status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cli->json) {
		json_emit(json_pack("{s:{s:s,s:i,s:s?}}", "error", "message", msg, "status", status,
				    "command", cli->cmd));
	} else {
		fprintf(stderr, "mmscope%s%s: %s\n", cli->cmd ? " " : "", cli->cmd ? cli->cmd : "",
			msg);
	}
	return status;
}

int cli_fail_read(struct cli *cli, int rc, const struct mms_error *err)
{
	switch (rc) {
	case -ENOENT:
		return cli_fail(cli, EXIT_UNSUPPORTED, "missing: %s (%s)", err->file,
				err->msg[0] ? err->msg : "not found");
	case -EACCES:
	case -EPERM:
		return cli_fail(cli, EXIT_UNSUPPORTED, "%s: permission denied (needs root)",
				err->file);
	case -EINVAL:
	case -ERANGE:
	case -EFBIG:
	case -EOVERFLOW:
		if (err->line)
			return cli_fail(cli, EXIT_USAGE, "%s:%d: %s", err->file, err->line, err->msg);
		return cli_fail(cli, EXIT_USAGE, "%s: %s", err->file, err->msg);
	default:
		return cli_fail(cli, EXIT_RUNTIME, "%s: %s", err->file,
				err->msg[0] ? err->msg : strerror(-rc));
	}
}

int cli_usage(struct cli *cli, const char *why)
{
	if (why)
		cli_fail(cli, EXIT_USAGE, "%s", why);
	cli_print_help(cli->cmd, stderr);
	return EXIT_USAGE;
}

int cli_parse_long(struct cli *cli, const char *opt, const char *s, long min, long max,
		   long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		cli_fail(cli, EXIT_USAGE, "%s '%s': expected an integer from %ld to %ld", opt, s,
			 min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int cli_parse_interval(struct cli *cli, int argc, char **argv, int optind, double *interval,
		       long *count, bool *given)
{
	char *end;

	if (given)
		*given = false;
	if (optind >= argc)
		return 0;
	errno = 0;
	double v = strtod(argv[optind], &end);

	if (errno || end == argv[optind] || *end || !isfinite(v) || v <= 0 || v > 86400)
		return cli_usage(cli, "INTERVAL must be a number of seconds above 0 and at most 86400");
	*interval = v;
	if (given)
		*given = true;
	if (optind + 1 < argc &&
	    cli_parse_long(cli, "COUNT", argv[optind + 1], 1, 1000000000L, count))
		return EXIT_USAGE;
	if (optind + 2 < argc)
		return cli_usage(cli, "too many arguments");
	return 0;
}

static void on_stop(int sig)
{
	cli_stop = 1;
}

void cli_install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop };

	/* No SA_RESTART: a blocking sleep or read returns so the loop can end. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

bool cli_sleep(double seconds)
{
	struct timespec ts = { (time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9) };

	while (!cli_stop && nanosleep(&ts, &ts) && errno == EINTR)
		;
	return !cli_stop;
}

uint64_t cli_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int cli_bad_option(struct cli *cli, int c, const char *arg)
{
	char why[128];

	/* optopt is the short option's letter; for a long option it is its value
	 * (>= 256 for ours) or 0, and the argument itself names it. */
	if (optopt && optopt < 256)
		snprintf(why, sizeof(why), c == ':' ? "option -%c needs a value" :
			 "unknown option -%c", optopt);
	else
		snprintf(why, sizeof(why), c == ':' ? "option %s needs a value" :
			 "unknown option %s", arg);
	return cli_usage(cli, why);
}
