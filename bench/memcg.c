// SPDX-License-Identifier: GPL-2.0
/*
 * bench/memcg: CPU time (user + sys, getrusage) to read a dozen memcg statistics of N
 * cgroups with each available libmmscope backend, against the seed's control done
 * properly: every memory.stat and memory.events (v1: memory.oom_control) opened once,
 * pread from offset 0 and the chosen keys decoded. N = 1, 10, 100, 1000, 10000; the
 * cgroups are created under a parent of our own and removed at the end. Same process,
 * same run; prints microseconds per snapshot and the ratios control / backend.
 *
 *   memcg [MAX_N]
 *
 * MMSCOPE_BENCH_N=1000 measures that N alone; MMSCOPE_BENCH_BACKENDS=core (a list:
 * "control,core,text") skips the others; MMSCOPE_BENCH_SECONDS (default 0.2) is the
 * CPU time per measurement (for `perf record -g` on one backend: a longer one);
 * MMSCOPE_BENCH_ROUNDS (default 5, at most 15) the rounds, each measuring the control
 * and every backend in turn: the figures are the medians over the rounds.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mmscope/mmscope.h>

static const char *const stat_names[] = {
	"anon", "file", "shmem", "file_mapped", "file_dirty", "inactive_anon", "active_anon",
	"inactive_file", "active_file", "unevictable", "pgfault", "pgmajfault", "events_oom_kill",
};
#define NSTATS ((int)(sizeof(stat_names) / sizeof(stat_names[0])))
/* The same keys as the kernel prints them, for the control. */
static const char *const v1_keys[] = {
	"total_rss", "total_cache", "total_shmem", "total_mapped_file", "total_dirty",
	"total_inactive_anon", "total_active_anon", "total_inactive_file", "total_active_file",
	"total_unevictable", "total_pgfault", "total_pgmajfault", "oom_kill",
};

static char parent[512];
static int nr_children;
static volatile sig_atomic_t stop;
static double min_seconds = 0.2;
#define MAX_ROUNDS 15

static void on_signal(int sig)
{
	stop = 1;
}

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static void cleanup(void)
{
	char path[600];

	for (int i = nr_children - 1; i >= 0; i--) {
		snprintf(path, sizeof(path), "%s/c%05d", parent, i);
		rmdir(path);
	}
	if (parent[0])
		rmdir(parent);
}

/* The control's decoding: the wanted keys of "key value" lines, strtoull. */
static uint64_t decode(const char *buf, ssize_t n, int version, uint64_t *out)
{
	const char *p = buf, *end = buf + n;
	uint64_t sum = 0;

	while (p < end) {
		const char *sp = memchr(p, ' ', end - p), *nl;

		if (!sp)
			break;
		nl = memchr(sp, '\n', end - sp);
		if (!nl)
			nl = end;
		for (int k = 0; k < NSTATS; k++) {
			const char *key = version == 1 ? v1_keys[k] :
				k == NSTATS - 1 ? "oom_kill" : stat_names[k];
			size_t kl = strlen(key);

			if ((size_t)(sp - p) == kl && !memcmp(p, key, kl)) {
				out[k] = strtoull(sp + 1, NULL, 10);
				sum += out[k];
				break;
			}
		}
		p = nl + 1;
	}
	return sum;
}

struct control {
	int n;
	int *fd; /* 2 per cgroup */
};

static int control_open(struct control *c, int n, int version)
{
	const char *ev = version == 1 ? "memory.oom_control" : "memory.events";
	char path[700];

	c->n = n;
	c->fd = malloc(sizeof(int) * 2 * n);
	for (int i = 0; i < n; i++) {
		const char *dir = parent;
		char child[600];

		if (n == 1 || i > 0) {
			snprintf(child, sizeof(child), "%s/c%05d", parent, n == 1 ? 0 : i - 1);
			dir = child;
		}
		snprintf(path, sizeof(path), "%s/memory.stat", dir);
		c->fd[2 * i] = open(path, O_RDONLY);
		snprintf(path, sizeof(path), "%s/%s", dir, ev);
		c->fd[2 * i + 1] = open(path, O_RDONLY);
		if (c->fd[2 * i] < 0 || c->fd[2 * i + 1] < 0)
			return -errno;
	}
	return 0;
}

static void control_close(struct control *c)
{
	for (int i = 0; i < 2 * c->n; i++)
		close(c->fd[i]);
	free(c->fd);
}

static int control_read(struct control *c, int version)
{
	static char buf[16384];
	uint64_t out[NSTATS];

	for (int i = 0; i < 2 * c->n; i++) {
		ssize_t n = pread(c->fd[i], buf, sizeof(buf), 0);

		if (n <= 0)
			return -1;
		decode(buf, n, version, out);
	}
	return 0;
}

/*
 * Runs call until it has used min_seconds of CPU (at least 3 times); CPU us per call.
 * getrusage() costs about a microsecond, as much as a one-cgroup snapshot: it is read
 * between batches of calls (doubling while a batch takes under 10 ms), not per call.
 */
#define MEASURE(result, call)                                                   \
	do {                                                                    \
		double t0 = cpu_seconds(), t = 0, tb = t0;                      \
		long iters = 0, batch = 1;                                      \
		do {                                                            \
			for (long b_ = 0; b_ < batch; b_++) {                   \
				if ((call) < 0) {                               \
					result = -1;                            \
					iters = 0;                              \
					break;                                  \
				}                                               \
				iters++;                                        \
			}                                                       \
			if (!iters)                                             \
				break;                                          \
			t = cpu_seconds();                                      \
			if (t - tb < 0.01)                                      \
				batch *= 2;                                     \
			tb = t;                                                 \
			t -= t0;                                                \
		} while (!stop && (t < min_seconds || iters < 3));              \
		if (iters)                                                      \
			result = t / iters * 1e6;                               \
	} while (0)

/*
 * One measurement of backend b at N: opened, read once (the text backend lists its
 * tree, the iterators size their map), then timed; the open is not timed.
 */
static double bench_backend(enum mms_memcg_backend b, int n, const int *stats,
			    const char **used, bool quiet)
{
	char root[600];
	MMS_MEMCG_OPTS(o, .backend = b, .stats = stats, .nr_stats = NSTATS, .self_only = n == 1,
		       .tmpdir = getenv("TMPDIR"));
	struct mms_memcg_snapshot s;
	struct mms_memcg_reader *r;
	double us = -1;

	if (n == 1)
		snprintf(root, sizeof(root), "%s/c00000", parent);
	else
		snprintf(root, sizeof(root), "%s", parent);
	if (mms_memcg_reader_open(root, &o, &r, NULL))
		return -1;
	*used = mms_memcg_reader_backend(r);
	for (int i = 0; i < NSTATS && !quiet; i++) {
		const char *why, *src = mms_memcg_reader_stat_source(r, i, &why);

		if (strcmp(src, *used) && b != MMS_MEMCG_TEXT)
			fprintf(stderr, "  note: %s served by %s (%s)\n", stat_names[i], src,
				why ? why : "");
	}
	if (mms_memcg_snapshot_alloc(&s, n + 16, NSTATS) ||
	    mms_memcg_reader_read(r, &s) || s.nr_cgroups != (n == 1 ? 1 : n + 1)) {
		fprintf(stderr, "  %s: read %d cgroups, expected %d\n", *used, s.nr_cgroups,
			n == 1 ? 1 : n + 1);
	} else {
		MEASURE(us, mms_memcg_reader_read(r, &s));
	}
	mms_memcg_snapshot_free(&s);
	mms_memcg_reader_close(r);
	return us;
}

/* One measurement of the control at N: files opened, then timed. */
static double bench_control(int rows, int version)
{
	struct control c;
	double us = -1;

	if (control_open(&c, rows, version)) {
		fprintf(stderr, "control: cannot open files: %s\n", strerror(errno));
		return -1;
	}
	MEASURE(us, control_read(&c, version));
	control_close(&c);
	return us;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of v[0..n-1] (sorted in place); -1 when any is missing. */
static double median(double *v, int n)
{
	for (int i = 0; i < n; i++)
		if (v[i] < 0)
			return -1;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int make_parent(int *version)
{
	const char *v2 = "/sys/fs/cgroup", *v1 = "/sys/fs/cgroup/memory";
	char buf[256] = "";
	int fd = open("/sys/fs/cgroup/cgroup.subtree_control", O_RDONLY);

	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) < 0)
			buf[0] = '\0';
		close(fd);
	}
	*version = strstr(buf, "memory") ? 2 : 1;
	snprintf(parent, sizeof(parent), "%s/mmscope-bench-%d", *version == 2 ? v2 : v1,
		 (int)getpid());
	if (mkdir(parent, 0755))
		return -errno;
	if (*version == 2) {
		char ctl[600];

		snprintf(ctl, sizeof(ctl), "%s/cgroup.subtree_control", parent);
		fd = open(ctl, O_WRONLY);
		if (fd < 0 || write(fd, "+memory", 7) != 7)
			return -EIO;
		close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const int sizes[] = { 1, 10, 100, 1000, 10000 };
	static const enum mms_memcg_backend backends[] = { MMS_MEMCG_KFUNC, MMS_MEMCG_CORE,
							   MMS_MEMCG_TEXT };
	int max_n = argc > 1 ? atoi(argv[1]) : 10000, version, stats[NSTATS];
	const char *only_n = getenv("MMSCOPE_BENCH_N"), *only_b = getenv("MMSCOPE_BENCH_BACKENDS");
	const char *secs = getenv("MMSCOPE_BENCH_SECONDS");
	int rounds = 5;
	struct rlimit rl;

	if (secs && atof(secs) > 0)
		min_seconds = atof(secs);
	if (getenv("MMSCOPE_BENCH_ROUNDS"))
		rounds = atoi(getenv("MMSCOPE_BENCH_ROUNDS"));
	if (rounds < 1 || rounds > MAX_ROUNDS)
		rounds = 5;

	for (int i = 0; i < NSTATS; i++)
		stats[i] = mms_memcg_stat_find(stat_names[i]);
	/* 10,000 cgroups x 2 files, for the control and the text backend at once. */
	rl.rlim_cur = rl.rlim_max = 1 << 17;
	if (setrlimit(RLIMIT_NOFILE, &rl) && !getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (make_parent(&version)) {
		fprintf(stderr, "memcg bench: cannot create %s: %s\n", parent, strerror(errno));
		return 1;
	}
	atexit(cleanup);
	printf("memcg bench: cgroup v%d, %d statistics, CPU us (user+sys) per snapshot of N "
	       "cgroups, median of %d rounds (the control and each backend in turn in each "
	       "round); ratio = control / backend per round: its median and range\n",
	       version, NSTATS, rounds);
	printf("%6s %12s %12s %12s %12s %9s %9s %9s   %s\n", "N", "control", "kfunc", "core",
	       "text", "x kfunc", "x core", "x text", "range of x kfunc, x core, x text");
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]) && !stop; k++) {
		int n = sizes[k], rows = n == 1 ? 1 : n + 1;
		double us[4][MAX_ROUNDS], ratio[3][MAX_ROUNDS], med[4], rmed[3];
		const char *used;

		if (n > max_n)
			break;
		if (only_n && atoi(only_n) != n)
			continue;
		/* Two descriptors per cgroup (control, text backend): stay under RLIMIT_NOFILE. */
		if ((rlim_t)(2 * rows + 64) > rl.rlim_cur) {
			n = (int)((rl.rlim_cur - 64) / 2) - 1;
			rows = n + 1;
			printf("(N=%d: RLIMIT_NOFILE %llu allows %d)\n", sizes[k],
			       (unsigned long long)rl.rlim_cur, n);
		}
		while (nr_children < n) {
			char path[600];

			snprintf(path, sizeof(path), "%s/c%05d", parent, nr_children);
			if (mkdir(path, 0755)) {
				fprintf(stderr, "mkdir %s: %s\n", path, strerror(errno));
				return 1;
			}
			nr_children++;
		}
		/*
		 * The machine may be shared: each round measures the control and every
		 * backend one after the other, starting with a different one each round,
		 * so that load changes weigh on all of them alike; one at a time, so that
		 * the descriptors of only one of them are open.
		 */
		for (int rd = 0; rd < rounds && !stop; rd++) {
			for (int j = 0; j < 4; j++) {
				int b = (j + rd) % 4; /* 0: control, 1..3: kfunc, core, text */
				const char *name = b == 0 ? "control" : b == 1 ? "kfunc" :
						   b == 2 ? "core" : "text";

				us[b][rd] = -1;
				if (only_b && !strstr(only_b, name))
					continue;
				if (b == 0) {
					us[0][rd] = bench_control(rows, version);
					continue;
				}
				us[b][rd] = bench_backend(backends[b - 1], n, stats, &used, rd > 0);
				if (us[b][rd] >= 0 && strcmp(used, name))
					us[b][rd] = -1;
			}
			for (int b = 0; b < 3; b++)
				ratio[b][rd] = us[0][rd] > 0 && us[b + 1][rd] > 0 ?
						       us[0][rd] / us[b + 1][rd] : -1;
		}
		if (stop)
			break;
		for (int b = 0; b < 4; b++)
			med[b] = median(us[b], rounds);
		for (int b = 0; b < 3; b++)
			rmed[b] = median(ratio[b], rounds); /* sorts: the range is at the ends */
		printf("%6d %12.1f", n, med[0]);
		for (int b = 1; b < 4; b++)
			med[b] < 0 ? printf(" %12s", "-") : printf(" %12.1f", med[b]);
		for (int b = 0; b < 3; b++)
			rmed[b] <= 0 ? printf(" %9s", "-") : printf(" %9.1f", rmed[b]);
		printf("  ");
		for (int b = 0; b < 3; b++)
			rmed[b] <= 0 ? printf(" -") :
				       printf(" %.1f-%.1f", ratio[b][0], ratio[b][rounds - 1]);
		putchar('\n');
		fflush(stdout);
	}
	return 0;
}
