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
	case -EINVAL: /* also a FIFO, socket or device where a file belongs */
	case -EISDIR: /* a directory where a file belongs (a --root tree) */
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

void cli_print_usage(const struct command *c, FILE *out)
{
	fprintf(out, "usage: mmscope [-j] [--root DIR] [-v] %s %s", c->name, c->usage);
	fprintf(out, "%s.\n", c->summary);
}

int cli_usage(struct cli *cli, const char *why)
{
	if (why)
		cli_fail(cli, EXIT_USAGE, "%s", why);
	if (cli->command)
		cli_print_usage(cli->command, stderr);
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

int cli_parse_seconds(struct cli *cli, const char *opt, const char *s, double max,
		      double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v <= 0 || v > max) {
		cli_fail(cli, EXIT_USAGE, "%s '%s': expected seconds above 0 and at most %.15g", opt, s,
			 max);
		return -1;
	}
	*out = v;
	return 0;
}

int cli_parse_duration(struct cli *cli, const char *s, double *out)
{
	return cli_parse_seconds(cli, "-d", s, CLI_DURATION_MAX, out);
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

/*
 * The option getopt_long stopped at, into buf. optopt is the letter of a short
 * option; for a long one it is 0 when unknown, else the option's value (a letter,
 * or >= 256: no name), so the argument names a long option. A short option inside
 * a cluster ("-Hx") leaves optind on its word: arg is then the word before it.
 */
static const char *bad_option_name(int c, const char *arg, char *buf, size_t size)
{
	bool is_long = !strncmp(arg, "--", 2) && arg[2];

	if (is_long && (c == ':' || !optopt || strchr(arg, '=')))
		snprintf(buf, size, "%.*s", (int)strcspn(arg, "="), arg);
	else
		snprintf(buf, size, "-%c", optopt);
	return buf;
}

int cli_bad_option(struct cli *cli, int c, const char *arg)
{
	char why[160], name[100];

	bad_option_name(c, arg, name, sizeof(name));
	if (c == ':')
		snprintf(why, sizeof(why), "option %s needs a value", name);
	else if (optopt && name[1] == '-')
		snprintf(why, sizeof(why), "option %s takes no value", name);
	else
		snprintf(why, sizeof(why), "unknown option %s", name);
	return cli_usage(cli, why);
}
