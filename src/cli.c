// SPDX-License-Identifier: GPL-2.0
/* Shared command-line plumbing: errors, intervals, signals (see cli.h). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "output/view.h"

volatile sig_atomic_t cli_stop;

/*
 * ---- standard output ----
 * When stdout is not a terminal it is a stream of ours over fd 1 (fopencookie), so
 * that the first failed write is seen as it happens, with its errno (stdio drops
 * both: a failed flush discards the buffer and leaves only ferror()), and ends
 * every stream at once through cli_stop. A terminal keeps glibc's stdout: the TUI
 * hands its fd to ncurses.
 */
static int out_errno;       /* the first failed write's errno; 0: none */
static bool out_was_closed; /* fd 1 was closed at start: /dev/null read-only now */
static bool out_wrapped;    /* stdout is the stream below */

static void out_failed(int err)
{
	if (!out_errno)
		out_errno = err ? err : EIO;
	cli_stop = 1;
}

static ssize_t out_write(void *cookie, const char *buf, size_t size)
{
	size_t done = 0;

	while (done < size) {
		ssize_t n = write(STDOUT_FILENO, buf + done, size - done);

		if (n < 0 && errno == EINTR)
			continue; /* a stop signal: the output still goes out */
		if (n <= 0) {
			out_failed(n < 0 ? errno : EIO);
			return -1;
		}
		done += (size_t)n;
	}
	return (ssize_t)size;
}

/* fd as /dev/null when closed: read-only for stdout, so writes fail (EBADF). */
static void fd_fill(int fd, int flags)
{
	int n;

	if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
		return;
	n = open("/dev/null", flags);
	if (n >= 0 && n != fd) { /* a lower fd was closed too: it is filled first */
		dup2(n, fd);
		close(n);
	}
}

void cli_stdio_setup(void)
{
	static const cookie_io_functions_t io = { .write = out_write };
	FILE *f;

	/* In order: an open() fills the lowest free fd. */
	fd_fill(STDIN_FILENO, O_RDONLY);
	if (fcntl(STDOUT_FILENO, F_GETFD) < 0 && errno == EBADF)
		out_was_closed = true;
	fd_fill(STDOUT_FILENO, O_RDONLY);
	fd_fill(STDERR_FILENO, O_WRONLY);
	/* EPIPE instead of death: the summary, BPF links and kdamonds are cleaned up. */
	signal(SIGPIPE, SIG_IGN);
	if (isatty(STDOUT_FILENO))
		return;
	f = fopencookie(NULL, "w", io);
	if (f) {
		stdout = f;
		out_wrapped = true;
	}
}

bool cli_output_failed(void)
{
	if (out_errno)
		return true;
	if (!ferror(stdout))
		return false;
	/* A terminal's stdout (not ours): the errno is gone; EIO is what a tty gives. */
	out_failed(EIO);
	return true;
}

int cli_output_close(struct cli *cli, int status)
{
	int err;

	if (fflush(stdout) == EOF && !out_errno)
		out_failed(errno);
	if (out_wrapped) {
		if (close(STDOUT_FILENO) && errno != EINTR && !out_errno)
			out_failed(errno);
	} else if (fclose(stdout) == EOF && !out_errno) {
		out_failed(errno);
	}
	if (!cli_output_failed())
		return status;
	err = out_errno;
	/* The reader has what it wanted (`| head`): quiet, but not "done" (see
	 * docs/output-errors.md). */
	if (err != EPIPE)
		fprintf(stderr, "mmscope%s%s: writing output: %s\n", cli->cmd ? " " : "",
			cli->cmd ? cli->cmd : "",
			out_was_closed ? "standard output is closed" : strerror(err));
	return status ? status : EXIT_RUNTIME;
}

/*
 * Shortens msg in place where it is long: each word (a run without spaces, such as
 * a path) over CLI_WORD_MAX keeps its head and tail around "...", so the reason
 * after it survives.
 */
#define CLI_WORD_MAX 160
#define CLI_WORD_HEAD 60
#define CLI_WORD_TAIL 90

static void shorten_words(char *msg)
{
	char *w = msg, *out = msg;

	while (*w) {
		size_t len = strcspn(w, " "), gap = strspn(w + len, " ");

		if (len > CLI_WORD_MAX) {
			memmove(out, w, CLI_WORD_HEAD);
			memcpy(out + CLI_WORD_HEAD, "...", 3);
			memmove(out + CLI_WORD_HEAD + 3, w + len - CLI_WORD_TAIL, CLI_WORD_TAIL);
			out += CLI_WORD_HEAD + 3 + CLI_WORD_TAIL;
		} else {
			memmove(out, w, len);
			out += len;
		}
		memmove(out, w + len, gap);
		out += gap;
		w += len + gap;
	}
	*out = '\0';
}

int cli_fail(struct cli *cli, int status, const char *fmt, ...)
{
	char buf[1024], esc[TEXT_ESC_SIZE(1024)], *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg)
		shorten_words(msg);
	/* Many long words still: the tail (the reason) is kept, the middle cut. */
	if (msg && strlen(msg) >= sizeof(buf))
		snprintf(buf, sizeof(buf), "%.400s...%s", msg, msg + strlen(msg) - 500);
	else
		snprintf(buf, sizeof(buf), "%s", msg ? msg : fmt);
	free(msg);
	/* Messages quote input (paths, names): JSON gets it as valid UTF-8 whatever its
	 * bytes, the terminal gets its control bytes escaped (docs/names.md). */
	if (cli->json && !cli_output_failed()) {
		json_emit(json_pack("{s:{s:o,s:i,s:s?}}", "error", "message", json_text(buf),
				    "status", status, "command", cli->cmd));
		/* Written, or it goes to stderr below. */
		if (!cli_output_failed())
			return status;
	}
	fprintf(stderr, "mmscope%s%s: %s\n", cli->cmd ? " " : "", cli->cmd ? cli->cmd : "",
		text_esc(buf, esc, sizeof(esc)));
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
	/* One line, not the whole usage: the reason stays the last thing on screen. */
	if (cli->command)
		fprintf(stderr, "Run 'mmscope help %s' for its usage.\n", cli->command->name);
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

	if (errno || end == argv[optind] || *end || !isfinite(v) || v < CLI_INTERVAL_MIN ||
	    v > CLI_INTERVAL_MAX) {
		char why[160];

		snprintf(why, sizeof(why), "INTERVAL '%.20s': expected seconds from %g to %g",
			 argv[optind], CLI_INTERVAL_MIN, CLI_INTERVAL_MAX);
		return cli_usage(cli, why);
	}
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
	/* A closed terminal or ssh session: end with the summary, as on SIGTERM. */
	sigaction(SIGHUP, &sa, NULL);
}

bool cli_sleep(double seconds)
{
	struct timespec ts = { (time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9) };

	if (cli_output_failed())
		return false;
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
