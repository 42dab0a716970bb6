// SPDX-License-Identifier: GPL-2.0
/*
 * bench/trace: what tracing reclaim and compaction costs the traced workload.
 *
 *   trace [-r ROUNDS] [-t SECONDS] [-m MMSCOPE] [-D DRSNOOP] [-f FILE]
 *
 * Two workloads, each run for SECONDS in a child process that counts its work:
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024UL * 1024UL)
#define FILE_MB 256
#define LIMIT_MB 32
#define ALLOC_MB 4
#define ROUNDS_MAX 50

enum { W_RECLAIM, W_ALLOC, NR_WORKLOADS };
static const char *const workload_names[NR_WORKLOADS] = { "reclaim (memcg)", "alloc" };

struct tracer {
	const char *name;
	const char *argv[6]; /* argv[0] NULL: untraced; "MMSCOPE" is replaced */
};

static struct tracer tracers[] = {
	{ "untraced", { NULL } },
	{ "mmscope reclaim", { "MMSCOPE", "reclaim", NULL } },
	{ "mmscope compact", { "MMSCOPE", "compact", NULL } },
	{ "mmscope frag --events", { "MMSCOPE", "frag", "--events", NULL } },
	{ "drsnoop", { "DRSNOOP", NULL } },
};
#define NR_TRACERS (int)(sizeof(tracers) / sizeof(tracers[0]))

static struct {
	int rounds;
	double seconds;
	const char *mmscope, *drsnoop, *file;
	char cgroup[512];
	bool cgroup_v2;
} opt = { .rounds = 5, .seconds = 2, .mmscope = "./mmscope", .drsnoop = "/usr/sbin/drsnoop",
	  .file = "/var/tmp/mmscope-bench-trace.dat" };

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

static double run_workload(int w)
{
	int fds[2], status;
	double result = -1;
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		double r = w == W_RECLAIM ? reclaim_workload() : alloc_workload();

		if (write(fds[1], &r, sizeof(r)) != sizeof(r))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], &result, sizeof(result)) != sizeof(result))
		result = -1;
	close(fds[0]);
	waitpid(pid, &status, 0);
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

/* Starts tracer t with its output to out; returns its pid once attached, or -1. */
static pid_t start_tracer(const struct tracer *t, const char *out)
{
	int prev = -1;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
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
	for (int i = 0; i < 100; i++) {
		int n = attach_fds(pid);

		if (n < 0 || waitpid(pid, NULL, WNOHANG) == pid)
			return -1;
		if (n > 0 && n == prev)
			return pid;
		prev = n;
		usleep(100000);
	}
	kill(pid, SIGINT);
	waitpid(pid, NULL, 0);
	return -1;
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
	fprintf(stderr, "usage: trace [-r ROUNDS] [-t SECONDS] [-m MMSCOPE] [-D DRSNOOP] [-f FILE]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static double tput[NR_WORKLOADS][NR_TRACERS][ROUNDS_MAX];
	static double lines[NR_WORKLOADS][NR_TRACERS];
	char out[] = "/var/tmp/mmscope-bench-out.XXXXXX";
	bool have[NR_TRACERS];
	int c, out_fd;

	while ((c = getopt(argc, argv, "r:t:m:D:f:")) != -1) {
		switch (c) {
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
			break;
		default:
			return usage();
		}
	}
	if (optind != argc || opt.rounds < 1 || opt.rounds > ROUNDS_MAX || opt.seconds <= 0)
		return usage();
	if (geteuid()) {
		fprintf(stderr, "trace: needs root (BPF, cgroups)\n");
		return 3;
	}
	if (access(opt.mmscope, X_OK)) {
		fprintf(stderr, "trace: no mmscope at %s (make, or -m PATH)\n", opt.mmscope);
		return 3;
	}
	for (int t = 0; t < NR_TRACERS; t++)
		have[t] = true;
	if (access(opt.drsnoop, X_OK)) {
		have[NR_TRACERS - 1] = false;
		printf("drsnoop: not measured, %s not found (Debian package libbpf-tools)\n",
		       opt.drsnoop);
	}
	if (make_file() || make_cgroup())
		return 3;
	out_fd = mkstemp(out);
	if (out_fd < 0) {
		fprintf(stderr, "trace: mkstemp: %s\n", strerror(errno));
		rmdir(opt.cgroup);
		return 1;
	}
	close(out_fd);
	signal(SIGINT, SIG_IGN); /* the tracers' Ctrl-C must not stop us */
	printf("%d rounds of %.1f s per workload and tracer; cgroup %s (v%d, limit %d MiB), file %d MiB\n",
	       opt.rounds, opt.seconds, opt.cgroup, opt.cgroup_v2 ? 2 : 1, LIMIT_MB, FILE_MB);
	for (int r = 0; r < opt.rounds; r++) {
		for (int w = 0; w < NR_WORKLOADS; w++) {
			for (int i = 0; i < NR_TRACERS; i++) {
				int t = (i + r) % NR_TRACERS; /* rotate: no tracer always goes first */
				pid_t pid = -1;

				if (!have[t])
					continue;
				if (t && (pid = start_tracer(&tracers[t], out)) < 0) {
					printf("%s: not measured, it did not attach\n", tracers[t].name);
					have[t] = false;
					continue;
				}
				tput[w][t][r] = run_workload(w);
				if (pid > 0) {
					kill(pid, SIGINT);
					waitpid(pid, NULL, 0);
					lines[w][t] += count_lines(out);
				}
			}
		}
	}
	unlink(out);
	rmdir(opt.cgroup);
	for (int w = 0; w < NR_WORKLOADS; w++) {
		double base[ROUNDS_MAX];

		memcpy(base, tput[w][0], sizeof(base));
		printf("\n%s: untraced %.0f MiB/s (median)\n", workload_names[w],
		       median(base, opt.rounds));
		printf("  %-22s %10s %10s %18s %12s\n", "tracer", "MiB/s", "ratio", "range", "lines/s");
		for (int t = 1; t < NR_TRACERS; t++) {
			double ratio[ROUNDS_MAX], mibs[ROUNDS_MAX], m;

			if (!have[t])
				continue;
			for (int r = 0; r < opt.rounds; r++) {
				ratio[r] = tput[w][t][r] / tput[w][0][r];
				mibs[r] = tput[w][t][r];
			}
			m = median(ratio, opt.rounds);
			printf("  %-22s %10.0f %10.4f   [%.4f, %.4f] %12.0f   overhead %+.2f%%\n",
			       tracers[t].name, median(mibs, opt.rounds), m, ratio[0],
			       ratio[opt.rounds - 1], lines[w][t] / (opt.rounds * opt.seconds),
			       (1 - m) * 100);
		}
	}
	return 0;
}
