// SPDX-License-Identifier: GPL-2.0
/*
 * bench/trace: what tracing reclaim and compaction costs the traced workload.
 *
 *   trace [-w memcg|global] [-r ROUNDS] [-t SECONDS] [-m MMSCOPE] [-D DRSNOOP] [-f FILE]
 *
 * -w memcg (the default): two workloads, each run for SECONDS in a child process
 * that counts its work:
 *   reclaim  reads FILE (256 MiB on a disk file system) over and over from a
 *            memory cgroup of its own limited to 32 MiB (v1 memory.limit_in_bytes
 *            or v2 memory.max): every read reclaims the cgroup's page cache, i.e.
 *            memcg reclaim stalls all the time. Throughput: MiB read per second.
 *   alloc    maps 4 MiB of anonymous memory, touches every page, unmaps, in a
 *            loop: the page allocator's hot path. Throughput: MiB per second.
 * under each tracer: none, `mmscope reclaim`, `mmscope compact`, `mmscope frag
 * --events`, and libbpf-tools' `drsnoop` when it is installed, each with its
 * default output going to a file. The order of the tracers rotates every round
 * and each traced run is compared with the untraced run of the same round (the
 * machines here are noisy: only ratios measured side by side mean anything); the
 * median of the ROUNDS ratios is printed as the overhead, with the range. The
 * tracers' output lines per second show how much each had to do.
 *
 * -w global (test VMs only, MMSCOPE_VM=1, like tests/workloads/reclaim.c): global
 * direct reclaim, the stalls drsnoop traces too (it never sees memcg reclaim), so
 * that mmscope and drsnoop are compared on the same events. Before each run, and
 * outside the tracer's window, FILE (a file or the VM's scratch block device, held
 * open for the whole benchmark: a block device's cache goes at its last close) is
 * read again, up to FILL_MB MiB, to refill the page cache. The run then does what
 * tests/workloads/reclaim.c does: two processes allocate and touch (4 KiB pages)
 * all free memory plus half of the file pages, then exit; the allocations outrun
 * kswapd and stall in direct reclaim. Throughput: MiB touched per second. Each run
 * also counts the stalls (allocstall_* in /proc/vmstat), and the tracer's cost is
 * printed per stall too. Only the untraced run, `mmscope reclaim` and drsnoop are
 * measured (the other tracers see nothing of this, and emulated time is dear).
 *
 * Throughput ratios cannot resolve 1% on a shared machine (rounds differ by
 * 10-20%), so each traced run also measures the CPU the tracer adds, as a
 * fraction of the CPU the workload used in the same window:
 *
 *   cpu cost = (run time of the tracer's BPF programs + the tracer process's
 *               user+sys CPU) / the workload's user+sys CPU
 *
 * BPF run time comes from the kernel's run-time statistics (bpfstats.h), on for
 * the whole benchmark and off again at exit; the tracer's CPU from its process
 * CPU clock (clock_getcpuclockid: all threads, nanoseconds, plus any children it
 * has); the workload's from wait4(). The window starts once the tracer has
 * attached and ends 200 ms after the workload exits (the tracer has drained what
 * the workload caused: mmscope reads its ring buffer every 100 ms). Both parts
 * count whatever else on the machine runs the tracer's programs meanwhile, and
 * the statistics' own clock reads: the cost is overestimated, never under.
 *
 * Needs root (BPF, cgroups). Exit 2 on bad usage, 3 when it cannot run here.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bpfstats.h"
#include "proccpu.h"

#define MIB (1024UL * 1024UL)
#define FILE_MB 256
#define LIMIT_MB 32
#define ALLOC_MB 4
#define ROUNDS_MAX 50
#define SETTLE_US 200000 /* after the workload: > mmscope's 100 ms ring buffer poll */
#define FILL_MB 256      /* -w global: page cache refilled before each run */
#define GLOBAL_PERCENT 50 /* -w global: of the file pages, allocated beyond free memory */
#define GLOBAL_WORKERS 2  /* -w global: one per vCPU of the test VMs */

enum { W_RECLAIM, W_ALLOC, W_GLOBAL, NR_WORKLOADS };
static const char *const workload_names[NR_WORKLOADS] = { "reclaim (memcg)", "alloc",
							   "global direct reclaim" };

struct tracer {
	const char *name;
	const char *argv[6]; /* argv[0] NULL: untraced; "MMSCOPE" is replaced */
	bool global;         /* measured under -w global too */
};

static struct tracer tracers[] = {
	{ "untraced", { NULL }, true },
	{ "mmscope reclaim", { "MMSCOPE", "reclaim", NULL }, true },
	{ "mmscope compact", { "MMSCOPE", "compact", NULL }, false },
	{ "mmscope frag --events", { "MMSCOPE", "frag", "--events", NULL }, false },
	{ "drsnoop", { "DRSNOOP", NULL }, true },
};
#define NR_TRACERS (int)(sizeof(tracers) / sizeof(tracers[0]))

/* A running tracer and the BPF programs it loaded. */
struct traced {
	pid_t pid;
	struct bpfstats_ids progs;
};

/* What one run (a workload under one tracer, or none) measured. */
struct run {
	double mibs;              /* the workload's throughput */
	double wall;              /* the workload's run, seconds */
	uint64_t workload_ns;     /* the workload's user+sys CPU */
	uint64_t tracer_ns;       /* the tracer's user+sys CPU in the window */
	uint64_t bpf_ns, bpf_runs; /* its BPF programs' run time and runs in the window */
	int nr_progs;
	long lines;               /* its output lines */
	uint64_t stalls;          /* allocstall_* over the workload's run (-w global) */
};

static struct {
	int rounds;
	double seconds;
	const char *mmscope, *drsnoop, *file;
	bool global, file_given;  /* -w global; -f given */
	int fill_fd;              /* -w global: FILE, held open */
	char cgroup[512];
	bool cgroup_v2;
	char out[64];             /* the tracers' output file */
	int stats_fd;             /* holds BPF run-time statistics on */
	const char *no_stats;     /* why BPF run time is not measured, or NULL */
} opt = { .rounds = 5, .seconds = 2, .mmscope = "./mmscope", .drsnoop = "/usr/sbin/drsnoop",
	  .file = "/var/tmp/mmscope-bench-trace.dat", .out = "/var/tmp/mmscope-bench-out.XXXXXX",
	  .stats_fd = -1, .fill_fd = -1 };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY), rc = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* ---- workloads: run in a child, the result (MiB/s) comes back through a pipe ---- */

static double reclaim_workload(void)
{
	char pid[32], procs[600];
	static char buf[MIB];
	uint64_t bytes = 0;
	double start, end;
	int fd;

	/* Join the limited cgroup first: every page read is charged to it. */
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", opt.cgroup);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (write_file(procs, pid))
		return -1;
	fd = open(opt.file, O_RDONLY);
	if (fd < 0)
		return -1;
	/*
	 * Cached pages stay charged to whoever read them first: drop them (clean,
	 * after make_file's fsync) so that every page read is charged here.
	 */
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	start = now_s();
	end = start + opt.seconds;
	while (now_s() < end) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n <= 0) {
			lseek(fd, 0, SEEK_SET);
			continue;
		}
		bytes += (uint64_t)n;
	}
	close(fd);
	return bytes / (double)MIB / (now_s() - start);
}

static double alloc_workload(void)
{
	size_t size = ALLOC_MB * MIB, page = (size_t)sysconf(_SC_PAGESIZE);
	uint64_t loops = 0;
	double start = now_s(), end = start + opt.seconds;

	while (now_s() < end) {
		char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return -1;
		madvise(p, size, MADV_NOHUGEPAGE); /* 4 KiB pages: the allocator's busiest path */
		for (size_t off = 0; off < size; off += page)
			p[off] = 1;
		munmap(p, size);
		loops++;
	}
	return loops * (double)ALLOC_MB / (now_s() - start);
}

/* A /proc/meminfo or /proc/vmstat figure: the sum of the fields starting with PREFIX. */
static long long proc_sum(const char *path, const char *prefix)
{
	char line[256];
	long long sum = 0, v;
	size_t len = strlen(prefix);
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, prefix, len) && sscanf(line + strcspn(line, " \t:"), "%*[ \t:]%lld", &v) == 1)
			sum += v;
	fclose(f);
	return sum;
}

/*
 * tests/workloads/reclaim.c's load: GLOBAL_WORKERS processes allocate and touch
 * all free memory plus GLOBAL_PERCENT% of the file pages, so allocations must take
 * pages back from the page cache faster than kswapd does. MiB touched per second.
 */
static double global_workload(void)
{
	long long free_kb = proc_sum("/proc/meminfo", "MemFree:"),
		  file_kb = proc_sum("/proc/meminfo", "Active(file):") +
			    proc_sum("/proc/meminfo", "Inactive(file):");
	size_t want = (size_t)(free_kb + file_kb * GLOBAL_PERCENT / 100) * 1024 / GLOBAL_WORKERS;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	double start = now_s();
	int status, failed = 0;

	if (free_kb < 0 || file_kb < 0)
		return -1;
	for (int i = 0; i < GLOBAL_WORKERS; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return -1;
		if (pid == 0) {
			char *p = mmap(NULL, want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED)
				_exit(1);
			/* 4 KiB pages: THP faults under defrag=madvise fall back rather than reclaim. */
			madvise(p, want, MADV_NOHUGEPAGE);
			for (size_t off = 0; off < want; off += page)
				p[off] = 1;
			_exit(0);
		}
	}
	while (wait(&status) > 0) /* waited for: their CPU counts in our rusage */
		failed += !WIFEXITED(status) || WEXITSTATUS(status);
	if (failed)
		return -1; /* the OOM killer, most likely */
	return want * GLOBAL_WORKERS / (double)MIB / (now_s() - start);
}

/* -w global: page cache to reclaim, FILE read again (outside any tracer's window). */
static int fill_cache(void)
{
	static char buf[MIB];
	off_t off = 0;
	ssize_t n;

	while (off < (off_t)(FILL_MB * MIB) && (n = pread(opt.fill_fd, buf, sizeof(buf), off)) > 0)
		off += n;
	return off > 0 ? 0 : -1;
}

static uint64_t timeval_ns(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000000 + (uint64_t)tv.tv_usec * 1000;
}

/* Runs workload w in a child; returns its MiB/s (-1 on failure), its CPU in *cpu_ns. */
static double run_workload(int w, uint64_t *cpu_ns)
{
	struct rusage ru;
	int fds[2], status;
	double result = -1;
	pid_t pid;

	*cpu_ns = 0;
	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		double r = w == W_RECLAIM ? reclaim_workload() :
			   w == W_GLOBAL  ? global_workload() : alloc_workload();

		if (write(fds[1], &r, sizeof(r)) != sizeof(r))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], &result, sizeof(result)) != sizeof(result))
		result = -1;
	close(fds[0]);
	if (wait4(pid, &status, 0, &ru) == pid)
		*cpu_ns = timeval_ns(ru.ru_utime) + timeval_ns(ru.ru_stime);
	return result;
}

/* ---- tracers ---- */

/* BPF links and perf events in the process's file table: it is attached when > 0. */
static int attach_fds(pid_t pid)
{
	char dir[64], path[400], target[128];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		ssize_t len;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		n += strstr(target, "bpf_link") || strstr(target, "perf_event");
	}
	closedir(d);
	return n;
}

static void exec_tracer(const struct tracer *t, const char *out)
{
	const char *argv[6];
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600), null = open("/dev/null", O_WRONLY);

	for (int i = 0; i < 6; i++) {
		argv[i] = t->argv[i];
		if (argv[i] && !strcmp(argv[i], "MMSCOPE"))
			argv[i] = opt.mmscope;
		else if (argv[i] && !strcmp(argv[i], "DRSNOOP"))
			argv[i] = opt.drsnoop;
	}
	dup2(fd, 1);
	dup2(null, 2);
	execv(argv[0], (char **)argv);
	_exit(127);
}

/* Attached when the number of links has not changed for 200 ms (10 s at most). */
static bool wait_attached(pid_t pid)
{
	int prev = -1;

	for (int i = 0; i < 100; i++) {
		int n = attach_fds(pid);

		if (n < 0 || waitpid(pid, NULL, WNOHANG) == pid)
			return false;
		if (n > 0 && n == prev)
			return true;
		prev = n;
		usleep(100000);
	}
	return false;
}

/* Its programs: loaded after BEFORE and held by it (2 s at most for them to show). */
static void find_programs(struct traced *tr, const struct bpfstats_ids *before)
{
	for (int i = 0; i < 20; i++) {
		if (bpfstats_owned(tr->pid, before, &tr->progs) || tr->progs.n > 0)
			return;
		usleep(100000);
	}
}

static void stop_tracer(pid_t pid)
{
	kill(pid, SIGINT);
	waitpid(pid, NULL, 0);
}

/* Starts tracer t with its output to opt.out; 0 once attached, -1 if it did not. */
static int start_tracer(const struct tracer *t, struct traced *tr)
{
	static struct bpfstats_ids before;

	tr->progs.n = 0;
	if (bpfstats_snapshot(&before))
		before.n = 0; /* no walk: no programs will be found, cost shows "n/a" */
	tr->pid = fork();
	if (tr->pid < 0)
		return -1;
	if (tr->pid == 0)
		exec_tracer(t, opt.out);
	if (!wait_attached(tr->pid)) {
		stop_tracer(tr->pid);
		return -1;
	}
	find_programs(tr, &before);
	return 0;
}

static long count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	long n = 0;
	int c;

	if (!f)
		return 0;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* ---- one measured run ---- */

/* The tracer's cumulative CPU and BPF counters at one moment. */
struct reading {
	uint64_t tracer_ns;
	struct bpfstats bpf;
};

static void take_reading(const struct traced *tr, struct reading *r)
{
	memset(r, 0, sizeof(*r));
	if (tr->pid > 0) {
		bpfstats_read(&tr->progs, &r->bpf);
		r->tracer_ns = proc_tree_cpu_ns(tr->pid);
	}
}

/* Workload w under tracer t (0: none) into *run; -1 when the tracer did not attach. */
static int measure(int w, int t, struct run *run)
{
	struct traced tr = { .pid = -1 };
	struct reading a, b;

	long long stalls = 0;

	memset(run, 0, sizeof(*run));
	if (w == W_GLOBAL)
		fill_cache(); /* before the tracer starts: its window sees the workload only */
	if (t && start_tracer(&tracers[t], &tr))
		return -1;
	take_reading(&tr, &a);
	if (w == W_GLOBAL)
		stalls = proc_sum("/proc/vmstat", "allocstall_");
	run->wall = now_s();
	run->mibs = run_workload(w, &run->workload_ns);
	run->wall = now_s() - run->wall;
	if (w == W_GLOBAL)
		run->stalls = (uint64_t)(proc_sum("/proc/vmstat", "allocstall_") - stalls);
	if (t)
		usleep(SETTLE_US); /* let it drain what the workload caused */
	take_reading(&tr, &b);
	if (t) {
		stop_tracer(tr.pid);
		run->lines = count_lines(opt.out);
	}
	run->tracer_ns = b.tracer_ns - a.tracer_ns;
	run->bpf_ns = b.bpf.run_time_ns - a.bpf.run_time_ns;
	run->bpf_runs = b.bpf.run_cnt - a.bpf.run_cnt;
	run->nr_progs = tr.progs.n;
	return 0;
}

/* ---- setup ---- */

/* A memory cgroup of our own, limited: under the v1 memory mount, else cgroup2. */
static int make_cgroup(void)
{
	char path[600], limit[32];

	snprintf(limit, sizeof(limit), "%lu", LIMIT_MB * MIB);
	if (!access("/sys/fs/cgroup/memory/memory.limit_in_bytes", F_OK)) {
		snprintf(opt.cgroup, sizeof(opt.cgroup), "/sys/fs/cgroup/memory/mmscope-bench-%d",
			 (int)getpid());
		snprintf(path, sizeof(path), "%s/memory.limit_in_bytes", opt.cgroup);
	} else if (!access("/sys/fs/cgroup/cgroup.subtree_control", F_OK)) {
		opt.cgroup_v2 = true;
		write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
		snprintf(opt.cgroup, sizeof(opt.cgroup), "/sys/fs/cgroup/mmscope-bench-%d",
			 (int)getpid());
		snprintf(path, sizeof(path), "%s/memory.max", opt.cgroup);
	} else {
		fprintf(stderr, "trace: no memory cgroup hierarchy (v1 memory or cgroup2)\n");
		return -1;
	}
	if (mkdir(opt.cgroup, 0755) || write_file(path, limit)) {
		fprintf(stderr, "trace: cannot make %s with a %d MiB limit: %s\n", opt.cgroup,
			LIMIT_MB, strerror(errno));
		rmdir(opt.cgroup);
		return -1;
	}
	return 0;
}

/* The file the reclaim workload reads: FILE_MB MiB of real blocks (not holes). */
static int make_file(void)
{
	struct stat st;
	static char buf[MIB];
	int fd;

	if (!stat(opt.file, &st) && st.st_size == (off_t)(FILE_MB * MIB))
		return 0;
	fd = open(opt.file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		fprintf(stderr, "trace: %s: %s\n", opt.file, strerror(errno));
		return -1;
	}
	memset(buf, 0x5a, sizeof(buf));
	for (int i = 0; i < FILE_MB; i++)
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
			fprintf(stderr, "trace: writing %s: %s\n", opt.file, strerror(errno));
			close(fd);
			return -1;
		}
	fsync(fd);
	close(fd);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int usage(void)
{
	fprintf(stderr, "usage: trace [-w memcg|global] [-r ROUNDS] [-t SECONDS] [-m MMSCOPE] [-D DRSNOOP] [-f FILE]\n"
			"  -w global: global direct reclaim, test VMs only (MMSCOPE_VM=1); -f FILE (a file or\n"
			"  block device) fills the page cache before each run\n");
	return 2;
}

/* ---- report ---- */

static struct run runs[NR_WORKLOADS][NR_TRACERS][ROUNDS_MAX];
static bool have[NR_TRACERS];

static double run_cost(const struct run *r)
{
	return r->workload_ns ? (double)(r->bpf_ns + r->tracer_ns) / r->workload_ns : 0;
}

/* Throughput ratio to the untraced run of each round: median and range. */
static void print_ratio(int w, int t)
{
	double ratio[ROUNDS_MAX], mibs[ROUNDS_MAX], m, wall = 0;
	long lines = 0;

	for (int r = 0; r < opt.rounds; r++) {
		ratio[r] = runs[w][t][r].mibs / runs[w][0][r].mibs;
		mibs[r] = runs[w][t][r].mibs;
		lines += runs[w][t][r].lines;
		wall += runs[w][t][r].wall;
	}
	m = median(ratio, opt.rounds);
	printf("  %-22s %10.0f %10.4f   [%.4f, %.4f] %12.0f   overhead %+.2f%%\n", tracers[t].name,
	       median(mibs, opt.rounds), m, ratio[0], ratio[opt.rounds - 1],
	       wall > 0 ? lines / wall : 0, (1 - m) * 100);
}

/*
 * The CPU the tracer added, over all rounds (sums: every round weighs by its
 * workload CPU), with the range of the per-round figures. events/s: runs of its
 * BPF programs (one per tracepoint hit) per second of workload, like lines/s.
 * With stalls counted (-w global), the cost per stall too; *per_stall gets the
 * BPF and process ns per stall (-1: not measured).
 */
static void print_cost(int w, int t, double per_stall[2])
{
	uint64_t bpf = 0, proc = 0, work = 0, events = 0, stalls = 0;
	double lo = 1e9, hi = 0, wall = 0;
	int progs = 0;

	for (int r = 0; r < opt.rounds; r++) {
		const struct run *run = &runs[w][t][r];
		double c = run_cost(run);

		bpf += run->bpf_ns;
		proc += run->tracer_ns;
		work += run->workload_ns;
		events += run->bpf_runs;
		stalls += run->stalls;
		wall += run->wall;
		progs = run->nr_progs > progs ? run->nr_progs : progs;
		lo = c < lo ? c : lo;
		hi = c > hi ? c : hi;
	}
	per_stall[0] = per_stall[1] = -1;
	if (!work)
		return;
	if (opt.no_stats || !progs) {
		printf("  %-22s cpu cost n/a: process %.2f%%, bpf not measured (%s)\n", "",
		       100.0 * proc / work, opt.no_stats ? opt.no_stats : "no programs found");
		return;
	}
	printf("  %-22s cpu cost %.2f%% [%.2f, %.2f] (bpf %.2f%%, process %.2f%%), %.0f events/s, %d progs\n",
	       "", 100.0 * (bpf + proc) / work, 100 * lo, 100 * hi, 100.0 * bpf / work,
	       100.0 * proc / work, wall > 0 ? events / wall : 0, progs);
	if (w != W_GLOBAL)
		return;
	if (!stalls) {
		printf("  %-22s per stall: n/a, no direct reclaim stall in its runs\n", "");
		return;
	}
	per_stall[0] = (double)bpf / stalls;
	per_stall[1] = (double)proc / stalls;
	printf("  %-22s per stall: bpf %.0f ns, process %.1f us, total %.1f us (%.0f stalls per run, %.1f BPF runs per stall)\n",
	       "", per_stall[0], per_stall[1] / 1000, (per_stall[0] + per_stall[1]) / 1000,
	       (double)stalls / opt.rounds, (double)events / stalls);
}

static void print_workload(int w)
{
	double base[ROUNDS_MAX], cpu = 0, wall = 0, stalls = 0, per_stall[NR_TRACERS][2];

	for (int r = 0; r < opt.rounds; r++) {
		base[r] = runs[w][0][r].mibs;
		cpu += runs[w][0][r].workload_ns / 1e9;
		wall += runs[w][0][r].wall;
		stalls += runs[w][0][r].stalls;
	}
	printf("\n%s: untraced %.0f MiB/s (median), workload cpu %.2f s per %.2f s run",
	       workload_names[w], median(base, opt.rounds), cpu / opt.rounds, wall / opt.rounds);
	if (w == W_GLOBAL)
		printf(", %.0f stalls per run", stalls / opt.rounds);
	printf("\n  %-22s %10s %10s %18s %12s\n", "tracer", "MiB/s", "ratio", "range", "lines/s");
	for (int t = 1; t < NR_TRACERS; t++) {
		per_stall[t][0] = per_stall[t][1] = -1;
		if (!have[t])
			continue;
		print_ratio(w, t);
		print_cost(w, t, per_stall[t]);
	}
	/* The comparison issue 5 asks for: mmscope reclaim against drsnoop, per stall. */
	if (w == W_GLOBAL && per_stall[1][0] >= 0 && per_stall[NR_TRACERS - 1][0] > 0)
		printf("  per stall, mmscope reclaim / drsnoop: total %.2f (bpf %.2f, process %.2f)\n",
		       (per_stall[1][0] + per_stall[1][1]) /
			       (per_stall[NR_TRACERS - 1][0] + per_stall[NR_TRACERS - 1][1]),
		       per_stall[1][0] / per_stall[NR_TRACERS - 1][0],
		       per_stall[NR_TRACERS - 1][1] > 0 ? per_stall[1][1] / per_stall[NR_TRACERS - 1][1] : 0);
}

/* ---- main ---- */

static int parse_args(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "w:r:t:m:D:f:")) != -1) {
		switch (c) {
		case 'w':
			if (strcmp(optarg, "memcg") && strcmp(optarg, "global")) {
				fprintf(stderr, "trace: -w %s: memcg or global\n", optarg);
				return -1;
			}
			opt.global = !strcmp(optarg, "global");
			break;
		case 'r':
			opt.rounds = atoi(optarg);
			break;
		case 't':
			opt.seconds = atof(optarg);
			break;
		case 'm':
			opt.mmscope = optarg;
			break;
		case 'D':
			opt.drsnoop = optarg;
			break;
		case 'f':
			opt.file = optarg;
			opt.file_given = true;
			break;
		default:
			return -1;
		}
	}
	if (optind != argc || opt.rounds < 1 || opt.rounds > ROUNDS_MAX || opt.seconds <= 0)
		return -1;
	if (opt.global && !opt.file_given) {
		fprintf(stderr, "trace: -w global needs -f FILE, a file or block device to fill the page cache from\n");
		return -1;
	}
	/* Global memory pressure: only where it harms no one (tests/workloads/reclaim.c's rule). */
	if (opt.global && (!getenv("MMSCOPE_VM") || strcmp(getenv("MMSCOPE_VM"), "1"))) {
		fprintf(stderr, "trace: -w global: refusing to cause global memory pressure outside the test VM (set MMSCOPE_VM=1 there)\n");
		return -1;
	}
	return 0;
}

/*
 * BPF run-time statistics on for the whole benchmark (the fd is closed at exit,
 * by us or by the kernel). Already on through the sysctl is as good; without
 * them the cost shows the tracer's process CPU only, marked "n/a".
 */
static void enable_stats(void)
{
	static char why[128];
	char on = '0';
	int fd = open("/proc/sys/kernel/bpf_stats_enabled", O_RDONLY);

	if (fd >= 0) {
		if (read(fd, &on, 1) != 1)
			on = '0';
		close(fd);
	}
	opt.stats_fd = bpfstats_enable();
	if (opt.stats_fd >= 0 || on == '1')
		return;
	snprintf(why, sizeof(why), "BPF_ENABLE_STATS: %s", strerror(-opt.stats_fd));
	opt.no_stats = why;
	printf("bpf run time: not measured (%s)\n", why);
}

static int check_tools(void)
{
	if (geteuid()) {
		fprintf(stderr, "trace: needs root (BPF, cgroups)\n");
		return -1;
	}
	if (access(opt.mmscope, X_OK)) {
		fprintf(stderr, "trace: no mmscope at %s (make, or -m PATH)\n", opt.mmscope);
		return -1;
	}
	for (int t = 0; t < NR_TRACERS; t++)
		have[t] = !opt.global || tracers[t].global;
	if (access(opt.drsnoop, X_OK)) {
		have[NR_TRACERS - 1] = false;
		printf("drsnoop: not measured, %s not found (Debian package libbpf-tools)\n",
		       opt.drsnoop);
	}
	return 0;
}

static void run_rounds(void)
{
	for (int r = 0; r < opt.rounds; r++) {
		for (int w = 0; w < NR_WORKLOADS; w++) {
			if ((w == W_GLOBAL) != opt.global)
				continue;
			for (int i = 0; i < NR_TRACERS; i++) {
				int t = (i + r) % NR_TRACERS; /* rotate: no tracer always goes first */

				if (!have[t] || !measure(w, t, &runs[w][t][r]))
					continue;
				printf("%s: not measured, it did not attach\n", tracers[t].name);
				have[t] = false;
			}
		}
	}
}

int main(int argc, char **argv)
{
	int out_fd;

	if (parse_args(argc, argv))
		return usage();
	if (check_tools())
		return 3;
	if (opt.global) {
		/* Held open to the end: a block device's page cache goes at its last close. */
		opt.fill_fd = open(opt.file, O_RDONLY);
		if (opt.fill_fd < 0 || fill_cache()) {
			fprintf(stderr, "trace: cannot read %s to fill the page cache: %s\n", opt.file,
				opt.fill_fd < 0 ? strerror(errno) : "empty");
			return 3;
		}
	} else if (make_file() || make_cgroup()) {
		return 3;
	}
	out_fd = mkstemp(opt.out);
	if (out_fd < 0) {
		fprintf(stderr, "trace: mkstemp: %s\n", strerror(errno));
		if (!opt.global)
			rmdir(opt.cgroup);
		return 1;
	}
	close(out_fd);
	signal(SIGINT, SIG_IGN); /* the tracers' Ctrl-C must not stop us */
	enable_stats();
	if (opt.global)
		printf("%d rounds of one allocation pass (free memory + %d%% of the file pages, %d processes) per tracer; page cache refilled from %s (up to %d MiB) before each\n",
		       opt.rounds, GLOBAL_PERCENT, GLOBAL_WORKERS, opt.file, FILL_MB);
	else
		printf("%d rounds of %.1f s per workload and tracer; cgroup %s (v%d, limit %d MiB), file %d MiB\n",
		       opt.rounds, opt.seconds, opt.cgroup, opt.cgroup_v2 ? 2 : 1, LIMIT_MB, FILE_MB);
	fflush(stdout);
	run_rounds();
	if (opt.stats_fd >= 0)
		close(opt.stats_fd); /* statistics off again, unless someone else holds them */
	unlink(opt.out);
	if (!opt.global)
		rmdir(opt.cgroup);
	for (int w = 0; w < NR_WORKLOADS; w++)
		if ((w == W_GLOBAL) == opt.global)
			print_workload(w);
	printf("\ncpu cost: (tracer's BPF run time + tracer's user+sys CPU) / workload's user+sys CPU,\n"
	       "over each traced window; BPF statistics add two clock reads per program run (an overestimate).\n");
	return 0;
}
