// SPDX-License-Identifier: GPL-2.0
/*
 * bench/heatmap: what watching a process with `mmscope heatmap` costs it.
 *
 *   heatmap [-r ROUNDS] [-t SECONDS] [-s SETTLE] [-m MMSCOPE] [-w HOTCOLD] [-H HOT_MIB]
 *
 * The target is the hotcold helper in bench mode (`hotcold -b -t SECONDS`): it
 * writes one byte per page of a HOT_MIB (default 64) region over and over, a
 * memory-bound loop whose page touches per second it prints at the end. Each
 * round runs it once untraced and once under each heatmap source this kernel
 * offers, `MMSCOPE heatmap --source S -p PID -d N -j > /dev/null` at the default
 * aging and aggregation intervals, started as soon as the target has set up and
 * interrupted (SIGINT) before the target is stopped. The order rotates every
 * round, and each traced rate is compared with the untraced rate of the same
 * round (only ratios measured side by side mean anything on a shared, noisy
 * machine); the slowdown printed is 1 - the median of the ROUNDS ratios, with the
 * range. Two rates: page touches per second of wall time (what a user of the
 * target sees; includes CPU the monitor takes from the target when cores are
 * short) and per second of the target's own CPU time (user + system from
 * wait4(): the cost inside the target, such as re-setting cleared accessed bits
 * and the page-table walks of a monitor on another core, without the noise of
 * other load on a shared machine).
 *
 * Rates over a shared machine (and in TCG guests, whose wall clock varies by
 * hundreds of percent) cannot resolve a few percent, so each traced run also
 * measures the CPU the heatmap adds, over a window that starts SETTLE seconds
 * (default 1) after mmscope started (its set-up: BPF loading, the first pagemap
 * walk, is a one-off, not the cost at the default intervals) and ends just before
 * it is interrupted:
 *
 *   cpu cost = (mmscope's user+sys CPU, children included
 *               + the CPU of the kdamond that is ours
 *               + the run time of mmscope's BPF programs when no kdamond is ours)
 *              / the target's user+sys CPU in the same window
 *
 * mmscope's and the target's CPU from their process CPU clocks. The kdamond that
 * is ours is one whose pid appears in /sys/kernel/mm/damon/admin/kdamonds/N/pid
 * after mmscope started and was not there before; its CPU clock (a kthread's, or
 * utime+stime from /proc/PID/stat) is read at both ends of the window (from 0 when
 * it appeared inside it). A kdamond that ran before mmscope started is shared
 * (damon-paddr reads such a one read-only): its own monitoring is not our cost
 * and is never counted. But mmscope's BPF program on damon:damon_aggregated runs
 * in whichever kdamond fires it: that run time (bpfstats.h: the kernel's run-time
 * statistics, on for the benchmark and off again at exit) is ours, and is added
 * when no kdamond is ours; with a kdamond of ours it is already inside that
 * kdamond's CPU and only shown. The statistics' clock reads make it an
 * overestimate, never an under. The figure is the median of the ROUNDS per-round
 * percentages, with the range.
 *
 * A source is first tried for one second on a probe target; one that refuses
 * (exit 3: no DAMON, no page_idle, a kdamond that is not ours...) is listed with
 * its reason and not measured. Exit 0 when it ran (or when this mmscope has no
 * heatmap command, so `make bench` passes), 2 on bad usage, 1 on failure.
 * The issue's target: under 3% for the DAMON sources.
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bpfstats.h"
#include "proccpu.h"
#include "lib/heatmap/heatmap.h"
#include "lib/probe/backends.h"

#define ROUNDS_MAX 50
#define NSRC_MAX 8
#define KD_MAX 64     /* kdamonds */
#define KDAMONDS "/sys/kernel/mm/damon/admin/kdamonds"

struct child {
	pid_t pid;
	FILE *out; /* its stdout */
};

static const char *mmscope = "./mmscope", *hotcold = "build/workloads/hotcold";
static unsigned long hot_mib = 64, settle = 1;
static int stats_fd = -1; /* BPF run-time statistics on while open */

/*
 * Starts argv with stdout on a pipe (pipe_out), into errfile (out_to_err) or to
 * /dev/null, and stderr to errfile (or inherited).
 */
static int spawn(char *const argv[], bool pipe_out, bool out_to_err, const char *errfile,
		 struct child *c)
{
	int fds[2] = { -1, -1 };

	if (pipe_out && pipe(fds))
		return -errno;
	fflush(NULL); /* or the child inherits unwritten output */
	c->pid = fork();
	if (c->pid < 0)
		return -errno;
	if (!c->pid) {
		int null = open("/dev/null", O_WRONLY);

		dup2(pipe_out ? fds[1] : null, 1);
		if (errfile) {
			int e = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);

			if (e >= 0) {
				dup2(e, 2);
				if (out_to_err)
					dup2(e, 1);
			}
		}
		if (pipe_out) {
			close(fds[0]);
			close(fds[1]);
		}
		execv(argv[0], argv);
		fprintf(stderr, "bench heatmap: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	c->out = NULL;
	if (pipe_out) {
		close(fds[1]);
		c->out = fdopen(fds[0], "r");
	}
	return 0;
}

static int wait_status(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Starts hotcold -b (-t seconds, 0: until SIGTERM) and waits for its set-up line. */
static int start_target(unsigned long seconds, struct child *t)
{
	char h[32], s[32], line[256];
	char *argv[] = { (char *)hotcold, "-b", "-H", h, "-C", "16", "-t", s, NULL };

	snprintf(h, sizeof(h), "%lu", hot_mib);
	snprintf(s, sizeof(s), "%lu", seconds);
	if (spawn(argv, true, false, NULL, t))
		return -1;
	if (!fgets(line, sizeof(line), t->out) || strncmp(line, "hot 0x", 6)) {
		kill(t->pid, SIGKILL);
		wait_status(t->pid);
		fclose(t->out);
		return -1;
	}
	return 0;
}

struct rates {
	double wall, cpu; /* page touches per second of wall time, of the target's CPU time */
};

/* Reaps the target: its "touches N seconds S rate R" line and its CPU time. */
static int finish_target(struct child *t, struct rates *r)
{
	char line[256];
	double touches = -1, rate = -1, cpu;
	struct rusage ru;
	int status;

	while (fgets(line, sizeof(line), t->out))
		if (!strncmp(line, "touches ", 8)) {
			const char *p = strstr(line, " rate ");

			touches = atof(line + 8);
			if (p)
				rate = atof(p + 6);
		}
	fclose(t->out);
	while (wait4(t->pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) || touches <= 0 || rate <= 0)
		return -1;
	cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	      ru.ru_stime.tv_usec / 1e6;
	r->wall = rate;
	r->cpu = cpu > 0 ? touches / cpu : 0;
	return r->cpu > 0 ? 0 : -1;
}

/* ---- CPU time: the target, mmscope's process tree, kdamonds ---- */


/* The pids of the kdamonds running now (kdamonds/N/pid > 0), with their N. */
struct kdamonds {
	pid_t pid[KD_MAX];
	int idx[KD_MAX];
	int n;
};

static void kdamonds_now(struct kdamonds *k)
{
	DIR *d = opendir(KDAMONDS);
	struct dirent *de;

	k->n = 0;
	if (!d)
		return; /* no DAMON sysfs: no kdamonds */
	while ((de = readdir(d)) && k->n < KD_MAX) {
		char path[300];
		int pid = -1;
		FILE *f;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), KDAMONDS "/%s/pid", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%d", &pid) == 1 && pid > 0) {
			k->idx[k->n] = atoi(de->d_name);
			k->pid[k->n++] = pid;
		}
		fclose(f);
	}
	closedir(d);
}

static bool kdamonds_has(const struct kdamonds *k, pid_t pid)
{
	for (int i = 0; i < k->n; i++)
		if (k->pid[i] == pid)
			return true;
	return false;
}

/* What one traced run's window cost, in ns. */
struct cost {
	uint64_t target, mmscope, kdamond, bpf;
	int nr_kdamonds; /* of ours seen in the window */
	int nr_progs;    /* mmscope's BPF programs found */
	int shared;      /* kdamonds that ran before mmscope: not ours, not counted */
};

/* The counters at one end of the window. */
struct reading {
	uint64_t target, mmscope, bpf;
	struct kdamonds kd;
	uint64_t kd_ns[KD_MAX];
};

static void take_reading(pid_t target, pid_t heatmap, const struct bpfstats_ids *progs,
			 struct reading *r)
{
	struct bpfstats b = { 0 };

	kdamonds_now(&r->kd);
	for (int i = 0; i < r->kd.n; i++)
		r->kd_ns[i] = proc_cpu_ns(r->kd.pid[i]);
	r->target = proc_cpu_ns(target);
	r->mmscope = proc_tree_cpu_ns(heatmap);
	if (progs->n)
		bpfstats_read(progs, &b);
	r->bpf = b.run_time_ns;
}

/* The window's cost: kdamonds new since before (taken before mmscope started). */
static void window_cost(const struct kdamonds *before, const struct reading *a,
			const struct reading *b, struct cost *c)
{
	c->target = b->target - a->target;
	c->mmscope = b->mmscope > a->mmscope ? b->mmscope - a->mmscope : 0;
	c->bpf = b->bpf > a->bpf ? b->bpf - a->bpf : 0;
	c->kdamond = 0;
	c->nr_kdamonds = 0;
	c->shared = before->n;
	for (int i = 0; i < b->kd.n; i++) {
		uint64_t start = 0; /* appeared inside the window: all its CPU is in it */

		if (kdamonds_has(before, b->kd.pid[i]))
			continue; /* shared: ran before mmscope, its cost is not ours */
		for (int j = 0; j < a->kd.n; j++)
			if (a->kd.pid[j] == b->kd.pid[i])
				start = a->kd_ns[j];
		c->kdamond += b->kd_ns[i] > start ? b->kd_ns[i] - start : 0;
		c->nr_kdamonds++;
	}
}

/* The cpu cost in percent of the target's CPU: BPF run time is added only when no
 * kdamond is ours (with one, the programs ran inside it: counted already). */
static double cost_pct(const struct cost *c)
{
	uint64_t ns = c->mmscope + c->kdamond + (c->nr_kdamonds ? 0 : c->bpf);

	return c->target ? 100.0 * (double)ns / (double)c->target : 0;
}

static int start_heatmap(const char *src, pid_t target, unsigned long seconds, bool probe,
			 const char *errfile, struct child *c)
{
	char p[32], d[32];
	char *argv[] = { (char *)mmscope, "heatmap", "--source", (char *)src, "-p", p, "-d", d,
			 "-j", NULL };

	snprintf(p, sizeof(p), "%d", (int)target);
	snprintf(d, sizeof(d), "%lu", seconds);
	return spawn(argv, false, probe, errfile, c);
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * One run: the target for settle + seconds, under src (NULL: untraced), the
 * cost window being the last seconds of it (cost: NULL when untraced). The
 * heatmap is interrupted before the target is stopped, so that it never sees the
 * target exit. 0 with the target's rates, or -1 with why.
 */
static int run(const char *src, unsigned long seconds, struct rates *r, struct cost *cost,
	       char *why, size_t size)
{
	static struct bpfstats_ids before_progs, progs;
	static struct reading a, b;
	struct kdamonds before_kd;
	struct child t, h = { 0 };
	int rc = 0;

	if (start_target(0, &t)) {
		snprintf(why, size, "%s did not start", hotcold);
		return -1;
	}
	if (src) {
		kdamonds_now(&before_kd);
		progs.n = 0;
		if (stats_fd < 0 || bpfstats_snapshot(&before_progs))
			before_progs.n = -1; /* no statistics: BPF run time not measured */
	}
	if (src && start_heatmap(src, t.pid, settle + seconds + 10, false,
				 "/tmp/bench-heatmap.err", &h)) {
		snprintf(why, size, "cannot start %s", mmscope);
		kill(t.pid, SIGKILL);
		finish_target(&t, r);
		return -1;
	}
	sleep_s((double)settle);
	if (src) {
		if (before_progs.n >= 0 && bpfstats_owned(h.pid, &before_progs, &progs))
			progs.n = 0;
		take_reading(t.pid, h.pid, &progs, &a);
	}
	sleep_s((double)seconds);
	if (src) {
		take_reading(t.pid, h.pid, &progs, &b);
		window_cost(&before_kd, &a, &b, cost);
		cost->nr_progs = progs.n;
		/* Still running is the expected state; exited already means it failed. */
		if (waitpid(h.pid, &rc, WNOHANG) == h.pid) {
			snprintf(why, size, "mmscope heatmap --source %s ended early (status %d)", src,
				 WIFEXITED(rc) ? WEXITSTATUS(rc) : 128 + WTERMSIG(rc));
			rc = -1;
		} else {
			kill(h.pid, SIGINT);
			rc = wait_status(h.pid);
			if (rc)
				snprintf(why, size, "mmscope heatmap --source %s exit %d on SIGINT", src,
					 rc);
		}
	}
	kill(t.pid, SIGTERM);
	if (finish_target(&t, r) && !rc) {
		snprintf(why, size, "%s printed no rate", hotcold);
		rc = -1;
	}
	return rc ? -1 : 0;
}

/* The refusal reason: the "message" of a JSON error, else the first line of path. */
static void reason(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	char *m;

	buf[0] = '\0';
	if (f) {
		if (fgets(buf, (int)size, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
	m = strstr(buf, "\"message\":\"");
	if (m) {
		memmove(buf, m + 11, strlen(m + 11) + 1);
		buf[strcspn(buf, "\"")] = '\0';
	}
}

/* Tries src for one second; 0, or its exit status with the reason in why. */
static int probe(const char *src, char *why, size_t size)
{
	struct child t, h;
	struct rates r;
	int rc;

	if (start_target(0, &t)) {
		snprintf(why, size, "%s did not start", hotcold);
		return -1;
	}
	if (start_heatmap(src, t.pid, 1, true, "/tmp/bench-heatmap.err", &h)) {
		rc = -1;
	} else {
		rc = wait_status(h.pid);
		reason("/tmp/bench-heatmap.err", why, size);
	}
	kill(t.pid, SIGTERM);
	finish_target(&t, &r);
	return rc;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* 1 - median of v[0..n) (sorted here), and the range, in percent. */
static void slowdown(double *v, unsigned long n, double out[3])
{
	double med;

	qsort(v, n, sizeof(v[0]), cmp_double);
	med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	out[0] = (1 - med) * 100;
	out[1] = (1 - v[n - 1]) * 100;
	out[2] = (1 - v[0]) * 100;
}

/* Median of v[0..n) (sorted here) and the range. */
static void median_range(double *v, unsigned long n, double out[3])
{
	qsort(v, n, sizeof(v[0]), cmp_double);
	out[0] = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	out[1] = v[0];
	out[2] = v[n - 1];
}

/* One source's cpu cost line: median and range of the rounds, and the parts over
 * all rounds (sums: each round weighs by the target's CPU in it). */
static void print_cost(const char *name, double *pct, const struct cost *c, unsigned long rounds)
{
	uint64_t target = 0, mm = 0, kd = 0, bpf = 0;
	int nr_kd = 0, nr_progs = 0, shared = 0;
	double m[3];
	char kds[160], bpfs[96];

	for (unsigned long r = 0; r < rounds; r++) {
		target += c[r].target;
		mm += c[r].mmscope;
		kd += c[r].kdamond;
		bpf += c[r].bpf;
		nr_kd = c[r].nr_kdamonds > nr_kd ? c[r].nr_kdamonds : nr_kd;
		nr_progs = c[r].nr_progs > nr_progs ? c[r].nr_progs : nr_progs;
		shared = c[r].shared > shared ? c[r].shared : shared;
	}
	if (!target)
		target = 1;
	median_range(pct, rounds, m);
	if (nr_kd)
		snprintf(kds, sizeof(kds), ", own kdamond %.2f%%", 100.0 * (double)kd / (double)target);
	else if (strncmp(name, "damon", 5))
		kds[0] = '\0'; /* not a DAMON source: no kdamond to speak of */
	else if (shared)
		snprintf(kds, sizeof(kds), ", no own kdamond (a shared kdamond's cost is not ours)");
	else
		snprintf(kds, sizeof(kds), ", no kdamond");
	if (stats_fd < 0)
		snprintf(bpfs, sizeof(bpfs), "bpf not measured");
	else if (!nr_progs)
		snprintf(bpfs, sizeof(bpfs), "no bpf");
	else
		snprintf(bpfs, sizeof(bpfs), "bpf %.3f%%%s (%d prog%s)",
			 100.0 * (double)bpf / (double)target, nr_kd ? " inside it" : "", nr_progs,
			 nr_progs == 1 ? "" : "s");
	printf("  %-12s cpu cost %5.2f%% (range %.2f%% .. %.2f%%): mmscope %.2f%%%s, %s\n", name,
	       m[0], m[1], m[2], 100.0 * (double)mm / (double)target, kds, bpfs);
}

int main(int argc, char **argv)
{
	unsigned long rounds = 5, seconds = 4;
	const char *names[NSRC_MAX];
	static double wall[NSRC_MAX][ROUNDS_MAX], cpu[NSRC_MAX][ROUNDS_MAX], pct[NSRC_MAX][ROUNDS_MAX];
	static struct cost costs[NSRC_MAX][ROUNDS_MAX];
	struct kdamonds kd;
	struct rates base[ROUNDS_MAX];
	double bw[ROUNDS_MAX], bc[ROUNDS_MAX];
	int nsrc = 0, opt;
	char why[512], cmd[1024];

	while ((opt = getopt(argc, argv, "r:t:s:m:w:H:")) != -1) {
		switch (opt) {
		case 'r': rounds = strtoul(optarg, NULL, 10); break;
		case 't': seconds = strtoul(optarg, NULL, 10); break;
		case 's': settle = strtoul(optarg, NULL, 10); break;
		case 'm': mmscope = optarg; break;
		case 'w': hotcold = optarg; break;
		case 'H': hot_mib = strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: heatmap [-r ROUNDS] [-t SECONDS] [-s SETTLE] [-m MMSCOPE] "
					"[-w HOTCOLD] [-H HOT_MIB]\n");
			return 2;
		}
	}
	if (!rounds || rounds > ROUNDS_MAX || !seconds || !hot_mib) {
		fprintf(stderr, "bench heatmap: ROUNDS 1..%d, SECONDS and HOT_MIB > 0\n", ROUNDS_MAX);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	snprintf(cmd, sizeof(cmd), "%s heatmap -h > /dev/null 2>&1", mmscope);
	if (access(hotcold, X_OK) || system(cmd)) {
		printf("bench heatmap: skipped: needs %s and '%s heatmap' (make %s workloads)\n",
		       hotcold, mmscope, mmscope);
		return 0;
	}
	printf("bench heatmap: hotcold -b -H %lu, %lu rounds of %lu+%lu s (cpu cost over the last "
	       "%lu s), default intervals (%llu ms aging, %llu ms frames)\n",
	       hot_mib, rounds, settle, seconds, seconds, HM_DEFAULT_AGING_US / 1000,
	       HM_DEFAULT_AGGREGATE_US / 1000);
	kdamonds_now(&kd);
	for (int i = 0; i < kd.n; i++)
		printf("  kdamond %d (pid %d) runs already: shared, not ours; its CPU is never "
		       "counted\n", kd.idx[i], (int)kd.pid[i]);
	/* BPF run-time statistics on for the whole benchmark; the kernel turns them off
	 * again when this fd closes (at exit), unless someone else holds them on. */
	stats_fd = bpfstats_enable();
	if (stats_fd < 0)
		printf("  bpf run time: not measured (BPF_ENABLE_STATS: %s)\n", strerror(-stats_fd));
	for (int i = 0; mms_heatmap_backends[i].name && nsrc < NSRC_MAX; i++) {
		int rc = probe(mms_heatmap_backends[i].name, why, sizeof(why));

		if (rc) {
			printf("  %-12s refused (exit %d): %s\n", mms_heatmap_backends[i].name, rc,
			       why);
			continue;
		}
		names[nsrc++] = mms_heatmap_backends[i].name;
	}
	fflush(stdout);
	if (!nsrc) {
		printf("bench heatmap: no source works here\n");
		return 0;
	}

	/* A warm-up run, not counted: the first run after start-up (page cache, a
	 * VM's code translation) is often far off the others. */
	if (run(NULL, 1, &base[0], NULL, why, sizeof(why))) {
		fprintf(stderr, "bench heatmap: warm-up: %s\n", why);
		return 1;
	}
	for (unsigned long r = 0; r < rounds; r++) {
		struct rates traced[NSRC_MAX];

		/* Rotate: the untraced run is at a different place every round. */
		for (int k = 0; k <= nsrc; k++) {
			int s = (int)((k + r) % (unsigned long)(nsrc + 1)) - 1; /* -1: untraced */

			if (run(s < 0 ? NULL : names[s], seconds, s < 0 ? &base[r] : &traced[s],
				s < 0 ? NULL : &costs[s][r], why, sizeof(why))) {
				fprintf(stderr, "bench heatmap: round %lu: %s\n", r + 1,
					s < 0 ? "untraced run failed" : why);
				return 1;
			}
		}
		for (int s = 0; s < nsrc; s++) {
			wall[s][r] = traced[s].wall / base[r].wall;
			cpu[s][r] = traced[s].cpu / base[r].cpu;
			pct[s][r] = cost_pct(&costs[s][r]);
		}
		bw[r] = base[r].wall;
		bc[r] = base[r].cpu;
	}

	qsort(bw, rounds, sizeof(bw[0]), cmp_double);
	qsort(bc, rounds, sizeof(bc[0]), cmp_double);
	printf("  %-12s %.1f M page touches/s of wall time, %.1f M per CPU second (medians)\n",
	       "untraced", bw[rounds / 2] / 1e6, bc[rounds / 2] / 1e6);
	for (int s = 0; s < nsrc; s++) {
		double w[3], c[3];

		slowdown(wall[s], rounds, w);
		slowdown(cpu[s], rounds, c);
		printf("  %-12s slowdown %5.1f%% wall (range %.1f%% .. %.1f%%), %5.1f%% per CPU "
		       "second (range %.1f%% .. %.1f%%), median of %lu rounds\n",
		       names[s], w[0], w[1], w[2], c[0], c[1], c[2], rounds);
		print_cost(names[s], pct[s], costs[s], rounds);
	}
	printf("  cpu cost: (mmscope's user+sys CPU + its own kdamond's CPU + its BPF run time "
	       "when no kdamond is its own) / the target's user+sys CPU, same window\n");
	if (stats_fd >= 0)
		close(stats_fd);
	return 0;
}
