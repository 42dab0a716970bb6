// SPDX-License-Identifier: GPL-2.0
/*
 * bench/alloc: the allocinfo query table. For each query (no filter top 20, a file,
 * a function, a size, a file and a size), the text pipeline a user types today
 * (`sort -rn /proc/allocinfo | head`, grep, awk; seeds 002 and 003) against
 * `mmscope alloc --backend allocinfo` and `--backend bpf-tags` with the same
 * filter, and libmmscope in-process for both (allocinfo: read + parse with the
 * filter; bpf-tags: one query of a walker loaded once before the table, its load
 * timed apart): what an embedding agent, or `mmscope alloc INTERVAL`, pays per
 * query. Each is run ROUNDS times, alternating, in the same run; prints the median
 * wall time, the CPU time (user + sys of every process, from wait4/getrusage; the
 * BPF program runs in the caller's context, so its time is the caller's sys time)
 * per query, and the CPU ratios allocinfo / bpf-tags (command, in-process) and
 * pipeline / bpf-tags command. `cat /proc/allocinfo > /dev/null` is the floor: the
 * kernel's cost of the text.
 *
 *   alloc [-m MMSCOPE] [-r ROUNDS]
 *
 * Needs a readable /proc/allocinfo (the 7.2 test kernel, as root): without one the
 * table is skipped, so `make bench` passes on kernels without profiling.
 *
 * The bpf-trace backend's overhead is bench/alloc_overhead's.
 */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mmscope/mmscope.h>
#include "lib/alloc/alloc_tags.h"

#define ROUNDS_MAX 200

struct query {
	const char *name;
	const char *pipeline;       /* sh -c */
	const char *mmscope_args;   /* after "mmscope alloc" */
	struct mms_alloc_filter filter;
};

static const struct query queries[] = {
	{ "top 20 by bytes", "sort -rn /proc/allocinfo | head -n 20", "-n 20", { 0 } },
	{ "file mm/slub.c", "grep mm/slub.c /proc/allocinfo", "--file mm/slub.c -n 0",
	  { .file = "mm/slub.c" } },
	{ "func alloc_pipe_info", "grep func:alloc_pipe_info /proc/allocinfo",
	  "--func alloc_pipe_info -n 0", { .func = "alloc_pipe_info" } },
	{ "size >= 1 MiB", "awk '$1 >= 1048576' /proc/allocinfo", "--min-size 1M -n 0",
	  { .has_min = true, .min_size = 1 << 20 } },
	{ "file mm/ + size >= 64K", "grep ' mm/' /proc/allocinfo | awk '$1 >= 65536'",
	  "--file mm/ --min-size 64K -n 0",
	  { .file = "mm/", .has_min = true, .min_size = 64 << 10 } },
};
#define NR_QUERIES (int)(sizeof(queries) / sizeof(queries[0]))

struct sample {
	double wall_ms[ROUNDS_MAX], cpu_ms[ROUNDS_MAX];
	int n;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double tv_ms(struct timeval tv)
{
	return tv.tv_sec * 1e3 + tv.tv_usec / 1e3;
}

/* Runs `sh -c cmd` with stdout on /dev/null; adds its wall and CPU time (the shell
 * and everything it waited for) to s. */
static int run_shell(const char *cmd, struct sample *s)
{
	struct rusage ru;
	double t0 = now_ms();
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		return -errno;
	s->wall_ms[s->n] = now_ms() - t0;
	s->cpu_ms[s->n] = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime);
	s->n++;
	return WIFEXITED(status) && WEXITSTATUS(status) <= 1 ? 0 : -ECHILD;
}

static int count_site(const struct mms_alloc_site *site, void *ctx)
{
	(*(uint64_t *)ctx)++;
	return 0;
}

struct lib_timer {
	struct rusage r0;
	double t0;
};

static void lib_start(struct lib_timer *t)
{
	getrusage(RUSAGE_SELF, &t->r0);
	t->t0 = now_ms();
}

static void lib_stop(const struct lib_timer *t, struct sample *s)
{
	struct rusage r1;

	s->wall_ms[s->n] = now_ms() - t->t0;
	getrusage(RUSAGE_SELF, &r1);
	s->cpu_ms[s->n] = tv_ms(r1.ru_utime) - tv_ms(t->r0.ru_utime) + tv_ms(r1.ru_stime) -
			  tv_ms(t->r0.ru_stime);
	s->n++;
}

/* libmmscope in-process: one read into a reused buffer, one filtered parse. */
static int run_library(const struct query *q, struct mms_text_buf *buf, struct sample *s,
		       uint64_t *n)
{
	struct mms_host host = { .root = "" };
	struct lib_timer t;
	struct mms_error err;
	int rc;

	*n = 0;
	lib_start(&t);
	rc = mms_allocinfo_read(&host, buf, &err);
	if (!rc)
		rc = mms_parse_allocinfo(buf->text, buf->len, &q->filter, count_site, n, NULL,
					 &err);
	lib_stop(&t, s);
	if (rc)
		fprintf(stderr, "alloc: %s:%d: %s\n", err.file, err.line, err.msg);
	return rc;
}

/* libmmscope in-process, bpf-tags: one query of the walker loaded once. */
static int run_tags(const struct query *q, struct mms_alloc_tags *tags,
		    struct mms_alloc_tags_buf *buf, struct sample *s, uint64_t *n)
{
	struct lib_timer t;
	int rc;

	*n = 0;
	lib_start(&t);
	rc = mms_alloc_tags_read(tags, &q->filter, buf, count_site, n, NULL);
	lib_stop(&t, s);
	if (rc)
		fprintf(stderr, "alloc: bpf-tags query: %s\n", strerror(-rc));
	return rc;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n ? (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2) : 0;
}

static double mean(const double *v, int n)
{
	double sum = 0;

	for (int i = 0; i < n; i++)
		sum += v[i];
	return n ? sum / n : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: alloc [-m MMSCOPE] [-r ROUNDS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *mmscope = "mmscope";
	struct mms_text_buf buf = { 0 };
	struct mms_alloc_tags_buf tbuf = { 0 };
	struct mms_alloc_tags *tags = NULL;
	struct sample floor_s = { 0 };
	char cmd[512];
	int rounds = 15, opt, sites, rc;
	FILE *f;

	while ((opt = getopt(argc, argv, "m:r:")) != -1) {
		if (opt == 'm')
			mmscope = optarg;
		else if (opt == 'r' && atoi(optarg) > 0 && atoi(optarg) <= ROUNDS_MAX)
			rounds = atoi(optarg);
		else
			usage();
	}
	f = fopen("/proc/allocinfo", "r");
	if (!f) {
		printf("bench alloc: query table skipped: /proc/allocinfo: %s (needs "
		       "CONFIG_MEM_ALLOC_PROFILING and root)\n", strerror(errno));
		return 0;
	}
	sites = -2;
	while (fgets(cmd, sizeof(cmd), f))
		sites += strchr(cmd, '\n') != NULL;
	fclose(f);
	printf("bench alloc: /proc/allocinfo %d sites, %d rounds each, alternating; "
	       "median wall ms, mean CPU ms (user+sys, all processes)\n", sites, rounds);
	{
		struct sample open_s = { 0 };
		struct mms_host host = { .root = "" };
		struct lib_timer t;
		char why[300];

		lib_start(&t);
		rc = mms_alloc_tags_open(&host, &tags, why, sizeof(why));
		lib_stop(&t, &open_s);
		if (rc)
			printf("bpf-tags: not available here: %s\n", why);
		else
			printf("bpf-tags in-process: open (BTF, load, verify, first run) once: "
			       "%.2f ms wall, %.2f ms CPU\n", open_s.wall_ms[0], open_s.cpu_ms[0]);
	}
	for (int i = 0; i < rounds; i++)
		if (run_shell("cat /proc/allocinfo", &floor_s))
			return 1;
	printf("\n%-24s | %-15s | %-15s | %-15s | %-15s | %-15s | %s\n", "", "pipeline",
	       "mmscope alloc", "mmscope alloc", "libmmscope", "libmmscope",
	       "CPU ratios");
	printf("%-24s | %-15s | %-15s | %-15s | %-15s | %-15s | %s\n", "", "",
	       "allocinfo", "bpf-tags", "allocinfo", "bpf-tags",
	       "ai/tags ai/tags pipe/tags");
	printf("%-24s | %7s %7s | %7s %7s | %7s %7s | %7s %7s | %7s %7s | %7s %7s %9s\n",
	       "query", "wall", "cpu", "wall", "cpu", "wall", "cpu", "wall", "cpu", "wall", "cpu",
	       "cmd", "lib", "cmd");
	for (int q = 0; q < NR_QUERIES; q++) {
		struct sample pipe_s = { 0 }, ai_s = { 0 }, tg_s = { 0 }, lib_s = { 0 },
			      tlib_s = { 0 };
		char cmd_tags[512];
		uint64_t n_ai = 0, n_tags = 0;

		snprintf(cmd, sizeof(cmd), "%s alloc --backend allocinfo %s", mmscope,
			 queries[q].mmscope_args);
		snprintf(cmd_tags, sizeof(cmd_tags), "%s alloc --backend bpf-tags %s", mmscope,
			 queries[q].mmscope_args);
		for (int i = 0; i < rounds; i++) {
			if (run_shell(queries[q].pipeline, &pipe_s) || run_shell(cmd, &ai_s) ||
			    run_library(&queries[q], &buf, &lib_s, &n_ai) ||
			    (tags && (run_shell(cmd_tags, &tg_s) ||
				      run_tags(&queries[q], tags, &tbuf, &tlib_s, &n_tags)))) {
				fprintf(stderr, "alloc: query '%s' failed\n", queries[q].name);
				return 1;
			}
		}
		if (tags && n_ai != n_tags)
			printf("(%s: allocinfo %llu sites, bpf-tags %llu: they moved meanwhile)\n",
			       queries[q].name, (unsigned long long)n_ai,
			       (unsigned long long)n_tags);
		double pw = median(pipe_s.wall_ms, rounds), pc = mean(pipe_s.cpu_ms, rounds);
		double aw = median(ai_s.wall_ms, rounds), ac = mean(ai_s.cpu_ms, rounds);
		double lw = median(lib_s.wall_ms, rounds), lc = mean(lib_s.cpu_ms, rounds);
		double tw = median(tg_s.wall_ms, tg_s.n), tc = mean(tg_s.cpu_ms, tg_s.n);
		double uw = median(tlib_s.wall_ms, tlib_s.n), uc = mean(tlib_s.cpu_ms, tlib_s.n);

		printf("%-24s | %7.2f %7.2f | %7.2f %7.2f | %7.2f %7.2f | %7.2f %7.2f | %7.2f %7.2f "
		       "| %6.1fx %6.1fx %8.1fx\n",
		       queries[q].name, pw, pc, aw, ac, tw, tc, lw, lc, uw, uc,
		       tc > 0 ? ac / tc : 0, uc > 0 ? lc / uc : 0, tc > 0 ? pc / tc : 0);
	}
	printf("%-24s | %7.2f %7.2f   (cat /proc/allocinfo > /dev/null: the kernel's text)\n",
	       "floor", median(floor_s.wall_ms, rounds), mean(floor_s.cpu_ms, rounds));
	mms_alloc_tags_buf_free(&tbuf);
	mms_alloc_tags_close(tags);
	mms_text_buf_free(&buf);
	return 0;
}
