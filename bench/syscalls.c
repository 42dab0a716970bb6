// SPDX-License-Identifier: GPL-2.0
/*
 * bench/syscalls: what tracing system calls costs the traced program.
 *
 *   syscalls [-r ROUNDS] [-n CALLS] [-m MMSCOPE]
 *
 * Two loops, each run in a child that times itself (CLOCK_MONOTONIC around the
 * loop, so waiting for a tracer counts, as it would for the user):
 *   getppid  CALLS getppid() calls: the null syscall, where a tracer's per-call
 *            cost shows whole (70 ns untraced here);
 *   pipe     CALLS/2 rounds of write(64 bytes) then read(64 bytes) on a pipe: a
 *            realistic small-I/O loop.
 * under each setup: untraced; the floor (empty BPF programs on raw_syscalls
 * sys_enter and sys_exit, loaded here: what any tracer on those tracepoints pays);
 * `mmscope syscalls` (summary) and `mmscope syscalls -H`; libbpf-tools' `syscount`
 * (counts) and `syscount -L` (counts and latency); `perf trace -s`; `strace -c -f`.
 * BPF tracers are system-wide and started first (the loop starts once they have
 * attached); perf trace and strace start the loop themselves and, being two
 * orders of magnitude slower, run CALLS/50 calls. The setups' order rotates every
 * round; each result is ns per call and its ratio to the untraced run of the same
 * round, printed as the median over ROUNDS (and the range of ratios).
 *
 * Then one more pass, for the BPF tracers only, with the kernel's BPF run-time
 * statistics on (bpfstats.h; off during the timed rounds, since they add two
 * clock reads per program run): the time their programs take per syscall (enter
 * + exit, or exit alone for mmscope's default untimed count; averaged over every
 * call on the machine while the getppid loop runs).
 * It leaves out the dispatch before a program runs, which is where syscount's
 * perf-event tracepoints pay more than raw tracepoints (the record they build).
 *
 * Needs root. A missing peer (syscount, perf, strace) is skipped with a note.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bpfstats.h"
#include "syscalls_floor.skel.h"

#define ROUNDS_MAX 50
#define SLOW_DIV 50 /* perf trace, strace: CALLS / SLOW_DIV calls */

enum setup { UNTRACED, FLOOR, MMSCOPE, MMSCOPE_H, SYSCOUNT, SYSCOUNT_L, PERF_TRACE, STRACE,
	     NR_SETUPS };
static const char *const setup_names[NR_SETUPS] = {
	"untraced", "floor (empty programs)", "mmscope syscalls", "mmscope syscalls -H",
	"syscount", "syscount -L", "perf trace -s", "strace -c -f",
};
enum loop { GETPPID, PIPE, NR_LOOPS };
static const char *const loop_names[NR_LOOPS] = { "getppid", "pipe" };

static const char *mmscope = "./mmscope";
static const char *self;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The child's loop: prints wall and CPU ns per call to stdout. */
static int run_loop(const char *which, long calls)
{
	uint64_t t0, t1, c0 = cpu_ns();
	char buf[64] = { 0 };
	int p[2];

	if (!strcmp(which, "getppid")) {
		t0 = now_ns();
		for (long i = 0; i < calls; i++)
			syscall(SYS_getppid);
		t1 = now_ns();
	} else {
		if (pipe(p))
			return 1;
		t0 = now_ns();
		for (long i = 0; i < calls / 2; i++) {
			if (write(p[1], buf, sizeof(buf)) != sizeof(buf) ||
			    read(p[0], buf, sizeof(buf)) != sizeof(buf))
				return 1;
		}
		t1 = now_ns();
	}
	printf("%.3f %.3f\n", (double)(t1 - t0) / (double)calls,
	       (double)(cpu_ns() - c0) / (double)calls);
	return 0;
}

static pid_t spawn(char *const argv[], int out_fd, int err_fd)
{
	pid_t pid = fork();

	if (!pid) {
		if (out_fd >= 0)
			dup2(out_fd, 1);
		if (err_fd >= 0)
			dup2(err_fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/*
 * Runs the loop (under a command-form tracer when prefix is given): wall ns per
 * call, and into *cpu the loop's own CPU ns per call; < 0 on failure.
 */
static double measure(enum loop l, long calls, char *const *prefix, int nprefix, double *cpu)
{
	char ncalls[32], *argv[24];
	int p[2], n = 0, st;
	char out[64] = { 0 };
	double wall;
	ssize_t got;
	pid_t pid;

	snprintf(ncalls, sizeof(ncalls), "%ld", calls);
	for (int i = 0; i < nprefix; i++)
		argv[n++] = prefix[i];
	argv[n++] = (char *)self;
	argv[n++] = "--loop";
	argv[n++] = (char *)loop_names[l];
	argv[n++] = ncalls;
	argv[n] = NULL;
	if (pipe(p))
		return -1;
	pid = spawn(argv, p[1], open("/dev/null", O_WRONLY));
	close(p[1]);
	got = read(p[0], out, sizeof(out) - 1);
	close(p[0]);
	waitpid(pid, &st, 0);
	if (got <= 0 || sscanf(out, "%lf %lf", &wall, cpu) != 2)
		return -1;
	return wall;
}

/* A BPF tracer in the background; waits until it has attached. */
static pid_t start_tracer(enum setup s, struct syscalls_floor_bpf **floor)
{
	char *mm[] = { (char *)mmscope, "syscalls", NULL, NULL };
	/* syscount attaches perf-event tracepoints, which need tracefs: mounted in a
	 * private mount namespace only, never on the host. */
	char *sc[] = { "unshare", "-m", "--propagation", "private", "sh", "-c",
		       "mount -t tracefs none /sys/kernel/tracing && exec syscount \"$@\"",
		       "sh", NULL, NULL };
	char errpath[] = "/tmp/mmscope-bench-syscalls.XXXXXX";
	int errfd, devnull = open("/dev/null", O_WRONLY);
	pid_t pid;

	switch (s) {
	case FLOOR:
		*floor = syscalls_floor_bpf__open_and_load();
		if (!*floor || syscalls_floor_bpf__attach(*floor))
			return -1;
		return 0;
	case MMSCOPE_H:
		mm[2] = "-H";
		/* fall through */
	case MMSCOPE:
		errfd = mkstemp(errpath);
		pid = spawn(mm, devnull, errfd);
		/* "Tracing syscalls..." on stderr: the programs are attached. */
		for (int i = 0; i < 200; i++) {
			char buf[16] = { 0 };

			if (pread(errfd, buf, 7, 0) == 7 && !strcmp(buf, "Tracing"))
				break;
			usleep(50000);
		}
		close(errfd);
		unlink(errpath);
		return pid;
	case SYSCOUNT_L:
		sc[8] = "-L";
		/* fall through */
	case SYSCOUNT:
		pid = spawn(sc, devnull, devnull);
		sleep(3); /* its "Tracing" line is in a buffered stdout: give it time */
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -1; /* it failed to attach */
		return pid;
	default:
		return 0;
	}
}

static void stop_tracer(pid_t pid, struct syscalls_floor_bpf **floor)
{
	if (*floor) {
		syscalls_floor_bpf__destroy(*floor);
		*floor = NULL;
	}
	if (pid > 0) {
		kill(pid, SIGINT);
		waitpid(pid, NULL, 0);
	}
}

/*
 * The BPF ns per syscall of setup s (its programs on both tracepoints, or on
 * sys_exit alone for mmscope's untimed count); < 0 if unknown. Every program of
 * the setup runs once per syscall, so a syscall costs run time / runs times the
 * number of programs.
 */
static double bpf_ns_per_call(enum setup s, long calls)
{
	struct syscalls_floor_bpf *floor = NULL;
	struct bpfstats_ids before, progs;
	struct bpfstats a, b;
	double cpu, ns = -1;
	pid_t tracer;

	if (bpfstats_snapshot(&before))
		return -1;
	tracer = start_tracer(s, &floor);
	if (tracer < 0)
		return -1;
	if (!bpfstats_owned(tracer ? tracer : getpid(), &before, &progs) && progs.n &&
	    !bpfstats_read(&progs, &a)) {
		measure(GETPPID, calls, NULL, 0, &cpu);
		if (!bpfstats_read(&progs, &b) && b.run_cnt > a.run_cnt)
			ns = (double)progs.n * (double)(b.run_time_ns - a.run_time_ns) /
			     (double)(b.run_cnt - a.run_cnt);
	}
	stop_tracer(tracer, &floor);
	return ns;
}

static bool have(const char *prog)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
	return !system(cmd);
}

static double results[NR_SETUPS][NR_LOOPS][ROUNDS_MAX];
static double ratios[NR_SETUPS][NR_LOOPS][ROUNDS_MAX];
static double cpus[NR_SETUPS][NR_LOOPS][ROUNDS_MAX];
static double cpu_ratios[NR_SETUPS][NR_LOOPS][ROUNDS_MAX];

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n, double *lo, double *hi)
{
	double s[ROUNDS_MAX];

	memcpy(s, v, sizeof(double) * (size_t)n);
	qsort(s, (size_t)n, sizeof(double), cmp_double);
	*lo = s[0];
	*hi = s[n - 1];
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	char *perf[] = { "unshare", "-m", "--propagation", "private", "sh", "-c",
			 "mount -t tracefs none /sys/kernel/tracing && exec \"$@\"", "sh",
			 "perf", "trace", "-s", "-o", "/dev/null", "--" };
	char *strace[] = { "strace", "-c", "-f", "-o", "/dev/null", "--" };
	bool skip[NR_SETUPS] = { 0 };
	long calls = 2000000;
	int rounds = 5, c;

	self = argv[0];
	if (argc == 4 && !strcmp(argv[1], "--loop"))
		return run_loop(argv[2], atol(argv[3]));
	while ((c = getopt(argc, argv, "r:n:m:")) != -1) {
		switch (c) {
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'n':
			calls = atol(optarg);
			break;
		case 'm':
			mmscope = optarg;
			break;
		default:
			fprintf(stderr, "usage: syscalls [-r ROUNDS] [-n CALLS] [-m MMSCOPE]\n");
			return 2;
		}
	}
	if (rounds < 1 || rounds > ROUNDS_MAX || calls < 1000) {
		fprintf(stderr, "syscalls: -r 1..%d, -n at least 1000\n", ROUNDS_MAX);
		return 2;
	}
	if (geteuid()) {
		printf("bench/syscalls: skipped: needs root\n");
		return 0;
	}
	if (access(mmscope, X_OK)) {
		fprintf(stderr, "syscalls: %s: %s\n", mmscope, strerror(errno));
		return 3;
	}
	skip[SYSCOUNT] = skip[SYSCOUNT_L] = !have("syscount");
	skip[PERF_TRACE] = !have("perf");
	skip[STRACE] = !have("strace");
	for (int r = 0; r < rounds; r++) {
		double base[NR_LOOPS] = { 0 }, cpu_base[NR_LOOPS] = { 0 };

		for (int k = 0; k < NR_SETUPS; k++) {
			/* Untraced first in every round (the base), then the rest rotated. */
			enum setup s = k ? (enum setup)(1 + (k - 1 + r) % (NR_SETUPS - 1)) : UNTRACED;
			struct syscalls_floor_bpf *floor = NULL;
			pid_t tracer;

			if (skip[s])
				continue;
			tracer = start_tracer(s, &floor);
			if (tracer < 0) {
				fprintf(stderr, "syscalls: %s did not start\n", setup_names[s]);
				skip[s] = true;
				continue;
			}
			for (int l = 0; l < NR_LOOPS; l++) {
				double ns, cpu = 0;

				if (s == PERF_TRACE)
					ns = measure(l, calls / SLOW_DIV, perf, 14, &cpu);
				else if (s == STRACE)
					ns = measure(l, calls / SLOW_DIV, strace, 6, &cpu);
				else
					ns = measure(l, calls, NULL, 0, &cpu);
				results[s][l][r] = ns;
				cpus[s][l][r] = cpu;
				if (s == UNTRACED) {
					base[l] = ns;
					cpu_base[l] = cpu;
				}
				ratios[s][l][r] = base[l] > 0 ? ns / base[l] : 0;
				cpu_ratios[s][l][r] = cpu_base[l] > 0 ? cpu / cpu_base[l] : 0;
			}
			stop_tracer(tracer, &floor);
		}
	}
	printf("bench/syscalls: %d rounds, %ld calls per loop (perf trace, strace: %ld); "
	       "median ns per call and slowdown vs untraced in the same round [range]\n",
	       rounds, calls, calls / SLOW_DIV);
	printf("(wall: the loop's elapsed time per call; cpu: its own CPU time per call, where\n"
	       " BPF programs run, less sensitive to a busy machine; strace and perf trace do\n"
	       " their work in another process: only their wall time means anything)\n");
	printf("| setup | getppid wall ns | slowdown | getppid cpu ns | cpu slowdown "
	       "| pipe wall ns | slowdown | pipe cpu ns | cpu slowdown |\n");
	printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
	for (int s = 0; s < NR_SETUPS; s++) {
		if (skip[s]) {
			printf("| %s | skipped (not installed or failed) | | | | | | | |\n",
			       setup_names[s]);
			continue;
		}
		printf("| %s", setup_names[s]);
		for (int l = 0; l < NR_LOOPS; l++) {
			double lo, hi, ns = median(results[s][l], rounds, &lo, &hi);
			double rm = median(ratios[s][l], rounds, &lo, &hi);
			double clo, chi, cpu = median(cpus[s][l], rounds, &clo, &chi);
			double cm = median(cpu_ratios[s][l], rounds, &clo, &chi);

			printf(" | %.1f | %.2fx [%.2f-%.2f] | %.1f | %.2fx [%.2f-%.2f]", ns, rm, lo,
			       hi, cpu, cm, clo, chi);
		}
		printf(" |\n");
	}
	{
		int fd = bpfstats_enable();

		if (fd < 0) {
			printf("BPF run-time statistics: not available (%s)\n", strerror(-fd));
			return 0;
		}
		printf("\nBPF programs' own time per syscall (all of a setup's programs; kernel BPF statistics, "
		       "one pass, getppid loop):\n");
		for (int s = FLOOR; s <= SYSCOUNT_L; s++) {
			double ns = skip[s] ? -1 : bpf_ns_per_call((enum setup)s, calls);

			if (ns < 0)
				printf("  %-24s -\n", setup_names[s]);
			else
				printf("  %-24s %.1f ns\n", setup_names[s], ns);
		}
		close(fd);
	}
	return 0;
}
