// SPDX-License-Identifier: GPL-2.0
/*
 * bench/alloc_overhead: what tracing every slab and page allocation costs a
 * kmalloc-heavy loop, in one run, as root. The loop is pipe2 and two closes: a
 * pipe_inode_info, its buffer array, an inode, a dentry and two files (plus their
 * security blobs) allocated and freed per cycle, about 18 allocation and free
 * events in 5 us here: a worst case, nearly all of its time is allocation.
 * Configurations, each against the untraced loop:
 *   floor       empty programs on the same six tracepoints (alloc_dispatch.bpf.c):
 *               the kernel's price of running any program per event, which no
 *               per-event tracer goes below
 *   bpf-trace   mmscope alloc --backend bpf-trace: every allocation matched to
 *               its free
 *   sample N    the same with --sample N (one allocation in about N tracked)
 * and what users run instead on a kernel without allocation profiling (issue 14):
 *   bpftrace    Debian's bpftrace on kmem:kmalloc/kmem_cache_alloc/kfree/
 *               kmem_cache_free, by call site, each allocation matched to its free
 *               (bpftrace_script below; slab only, where bpf-trace also traces pages)
 *   perf kmem   perf record -a -e 'kmem:*', then perf kmem stat --caller on it
 * Both find tracepoints in tracefs: each runs in a mount namespace of its own with
 * tracefs mounted there (never globally). Besides the loop's cost, the tracer's own
 * CPU from the start of the traced second to its report is shown ("tool": bpftrace
 * printing its maps, perf record writing every event and perf kmem reading them,
 * mmscope reading its maps), and the loop's extra CPU per allocation or free event
 * (perf stat counting the six tracepoints on the loop gives events per cycle).
 * A different configuration goes first in each round, so that load drifts alike.
 * Every round runs, per configuration, the loop untraced (0.5 s), traced (1 s) and
 * untraced again (0.5 s): the overhead is the loop thread's CPU time per cycle
 * traced over the mean of the two untraced ones (so that drift falls mostly
 * outside it), which for this CPU-bound loop is its slowdown.
 * Prints each round and the median per configuration.
 *
 * That measure is the whole cost, but it moves by 10-20 points from round to
 * round on this shared machine. So where Debian's perf is installed each
 * configuration is also measured from the inside: perf samples the loop
 * (cpu-clock, call graphs) and the share of its time spent under bpf_trace_run*
 * (the kernel's dispatch of the programs, inclusive of them) or perf_trace_<event>
 * (classic tracepoints' dispatch to perf events: bpftrace's tracepoint probes and
 * perf record) gives share / (1 - share). That is steady to about a point but a lower bound: it leaves out the
 * tracepoint code inlined in the allocator's own functions and the cache lines
 * the programs evict (profiled with empty programs: kmem_cache_free 3.0% -> 4.2%
 * of the loop, kmem_cache_alloc 1.8% -> 2.9%, 20K -> 24K samples in all for the
 * same cycles).
 *
 *   alloc_overhead [-m MMSCOPE] [-r ROUNDS] [-s N]
 *   alloc_overhead -L SECONDS      (the loop alone: what perf records)
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "alloc_dispatch.skel.h"

#define ROUNDS_MAX 50

enum config { FLOOR, TRACE, SAMPLE, BPFTRACE, PERF_KMEM, NR_CONFIGS };

/*
 * What users run instead on a kernel without allocation profiling, aggregating by
 * call site with each allocation matched to its free, as bpf-trace does (slab only:
 * bpf-trace also traces pages, so it has two more tracepoints to pay for).
 */
static const char bpftrace_script[] =
	"tracepoint:kmem:kmalloc, tracepoint:kmem:kmem_cache_alloc {\n"
	"	@site[args->ptr] = args->call_site;\n"
	"	@size[args->ptr] = args->bytes_alloc;\n"
	"	@bytes[ksym(args->call_site)] = sum(args->bytes_alloc);\n"
	"	@calls[ksym(args->call_site)] = count();\n"
	"}\n"
	"tracepoint:kmem:kfree, tracepoint:kmem:kmem_cache_free /@site[args->ptr]/ {\n"
	"	$s = ksym(@site[args->ptr]);\n"
	"	@bytes[$s] = sum(-@size[args->ptr]);\n"
	"	@frees[$s] = count();\n"
	"	delete(@site[args->ptr]);\n"
	"	delete(@size[args->ptr]);\n"
	"}\n"
	"END { clear(@site); clear(@size); }\n";
#define BT_FILE "/tmp/mmscope-alloc-overhead.bt"
#define KMEM_DATA "/tmp/mmscope-alloc-overhead-kmem.data"
#define PEER_OUT "/tmp/mmscope-alloc-overhead-peer.out"
#define CTL_FIFO "/tmp/mmscope-alloc-overhead-perf.ctl"
#define ACK_FIFO "/tmp/mmscope-alloc-overhead-perf.ack"
/* bpftrace and perf find tracepoints in tracefs, which is not mounted here: each
 * runs in a mount namespace of its own with tracefs mounted there. */
#define TRACEFS "mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null; exec "

static double clock_s(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/*
 * Pipe create-and-close cycles for secs of wall time; returns this thread's CPU
 * time per cycle in ns. The tracing programs run in the thread's own context, so
 * their cost is in it; time the host took the vCPU away (steal) is not, which
 * makes this far steadier here than the cycle rate.
 */
static unsigned long loop_cycles; /* of the last pipe_loop_cost() */

static double pipe_loop_cost(double secs)
{
	double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
	unsigned long n = 0;
	int fds[2];

	do {
		for (int i = 0; i < 256; i++) {
			if (pipe2(fds, O_CLOEXEC)) {
				perror("alloc_overhead: pipe2");
				exit(1);
			}
			close(fds[0]);
			close(fds[1]);
		}
		n += 256;
	} while (clock_s(CLOCK_MONOTONIC) - t0 < secs);
	loop_cycles = n;
	return (clock_s(CLOCK_THREAD_CPUTIME_ID) - c0) * 1e9 / n;
}

/* The BPF links process pid holds (its fds whose fdinfo has a link_type). */
static int count_links(pid_t pid)
{
	char path[96], line[128];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo", (int)pid);
	d = opendir(path);
	while (d && (de = readdir(d))) {
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", (int)pid, de->d_name);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "link_type:", 10)) {
				n++;
				break;
			}
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return n;
}

/* Starts `mmscope alloc --backend bpf-trace [--sample N]` reporting in an hour
 * (it is stopped with SIGINT long before); -1 when it did not come up. */
static pid_t start_mmscope(const char *mmscope, int sample)
{
	char every[16];
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		snprintf(every, sizeof(every), "%d", sample);
		execlp(mmscope, mmscope, "alloc", "--backend", "bpf-trace", "--sample", every,
		       "--diff", "3600", "-n", "1", (char *)NULL);
		_exit(127);
	}
	/* Until its six BPF links are up (a fixed wait was sometimes too short on this
	 * busy machine), then a second for the kallsyms it reads once attached. */
	for (int i = 0; i < 600 && count_links(pid) < 6; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(50 * 1000);
	}
	usleep(1000 * 1000);
	if (waitpid(pid, &status, WNOHANG) == pid) {
		fprintf(stderr, "alloc_overhead: %s alloc --backend bpf-trace exited %d\n",
			mmscope, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -1;
	}
	return pid;
}

/* Stops mmscope with SIGINT: the CPU seconds it used in all, or -1. */
static double stop_mmscope(pid_t pid)
{
	struct rusage ru;
	int status;

	kill(pid, SIGINT);
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "alloc_overhead: mmscope did not end cleanly (status %d)\n", status);
		return -1;
	}
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

/* CPU seconds (user + sys) process pid has used so far, from /proc; -1 if gone. */
static double proc_cpu(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut,
			 &st) != 2)
		return -1;
	return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}

/*
 * Starts a peer (sh -c CMD, which ends by exec-ing the tracer, so the pid is the
 * tracer's) with its output to OUT, and waits until it traces: bpftrace prints
 * "Attaching N probes" once its script is compiled (seconds under load: a fixed wait
 * once measured a bpftrace not yet attached); perf record starts with its events
 * disabled (-D -1) and is enabled through its control fifo, which acknowledges.
 * -1 when it did not come up.
 */
static pid_t start_peer(const char *cmd, const char *name, bool perf)
{
	char line[256];
	int status, fd;
	pid_t pid;

	unlink(CTL_FIFO);
	unlink(ACK_FIFO);
	if (perf && (mkfifo(CTL_FIFO, 0600) || mkfifo(ACK_FIFO, 0600)))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		fd = open(PEER_OUT, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		execlp("unshare", "unshare", "-m", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 600; i++) { /* 30 s */
		FILE *f;
		bool up = false;

		if (waitpid(pid, &status, WNOHANG) == pid) {
			fprintf(stderr, "alloc_overhead: %s exited %d (%s)\n", name,
				WIFEXITED(status) ? WEXITSTATUS(status) : -1, PEER_OUT);
			return -1;
		}
		if (perf) {
			int ctl = open(CTL_FIFO, O_WRONLY | O_NONBLOCK), ack;

			if (ctl < 0) {
				usleep(50 * 1000);
				continue;
			}
			up = write(ctl, "enable\n", 7) == 7;
			close(ctl);
			ack = open(ACK_FIFO, O_RDONLY);
			up = up && ack >= 0 && read(ack, line, sizeof(line)) > 0;
			if (ack >= 0)
				close(ack);
			if (!up)
				break;
			return pid;
		}
		f = fopen(PEER_OUT, "r");
		while (f && fgets(line, sizeof(line), f))
			up |= !strncmp(line, "Attaching", 9);
		if (f)
			fclose(f);
		if (up) {
			usleep(500 * 1000); /* the attaching itself */
			return pid;
		}
		usleep(50 * 1000);
	}
	fprintf(stderr, "alloc_overhead: %s did not start tracing\n", name);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/* Stops a peer with SIGINT: the CPU seconds it used in all (its rusage), or -1. */
static double stop_peer(pid_t pid)
{
	struct rusage ru;
	int status;

	kill(pid, SIGINT);
	if (wait4(pid, &status, 0, &ru) != pid)
		return -1;
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

/* CPU seconds of `perf kmem stat --caller` on what perf record wrote, or -1. */
static double perf_kmem_report(void)
{
	struct rusage ru;
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		dup2(fd, 2);
		execlp("perf", "perf", "kmem", "-i", KMEM_DATA, "stat", "--caller", (char *)NULL);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

/*
 * The loop's allocation and free events per cycle, on the six tracepoints bpf-trace
 * uses (perf stat counting them on `alloc_overhead -L`, which prints its cycles):
 * the unit of the per-event figures. -1 when perf cannot count them.
 */
static double events_per_cycle(const char *self)
{
	char cmd[1024], line[512];
	double events = 0, cycles = 0, v;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "unshare -m sh -c '" TRACEFS "perf stat -x, -e "
		 "kmem:kmalloc,kmem:kmem_cache_alloc,kmem:kfree,kmem:kmem_cache_free,"
		 "kmem:mm_page_alloc,kmem:mm_page_free -- %s -L 0.5' 2>&1", self);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		if (sscanf(line, "cycles %lf", &v) == 1)
			cycles = v;
		else if (strstr(line, ",kmem:") && sscanf(line, "%lf,", &v) == 1)
			events += v;
	}
	pclose(p);
	return cycles > 0 && events > 0 ? events / cycles : -1;
}

/*
 * The share of a loop's CPU time under bpf_trace_run*, from perf: the loop (this
 * binary with -L) recorded for secs while the tracing is on. -1 when perf is
 * missing or failed.
 */
static double perf_share(const char *self, double secs)
{
	char cmd[1024], line[512], sym[256];
	double children, self_pct, share = 0;
	bool any = false;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "perf record -q -e cpu-clock -F 4999 -g "
		 "-o /tmp/mmscope-alloc-overhead.perf -- %s -L %.1f > /dev/null 2>&1 && "
		 "perf report -i /tmp/mmscope-alloc-overhead.perf --children --sort sym "
		 "--stdio -g none 2> /dev/null", self, secs);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		any |= strstr(line, "%") != NULL;
		/* BPF on raw tracepoints (bpf_trace_run*), or on classic ones through
		 * perf (perf_trace_<event>, which bpftrace's tracepoint: probes and perf
		 * record both go through), without their own callees. */
		if (sscanf(line, " %lf%% %lf%% [k] %255s", &children, &self_pct, sym) == 3 &&
		    (!strncmp(sym, "bpf_trace_run", 13) ||
		     (!strncmp(sym, "perf_trace_", 11) && strncmp(sym, "perf_trace_buf", 14) &&
		      strncmp(sym, "perf_trace_run", 14))))
			share += children;
	}
	unlink("/tmp/mmscope-alloc-overhead.perf");
	return pclose(p) || !any ? -1 : share / 100;
}

/*
 * The traced loop's CPU time per cycle under one configuration (< 0 on failure),
 * and with perf (self: this binary; NULL: not measured) the share of the loop's
 * time in the tracing, into *share.
 */
static double traced_cost(enum config c, const char *mmscope, int sample,
			  struct alloc_dispatch_bpf *floor, const char *self, double *share,
			  double *tool_cpu)
{
	char cmd[512];
	double cost, c0, total, report;
	pid_t pid;

	*share = -1;
	*tool_cpu = -1;
	if (c == BPFTRACE || c == PERF_KMEM) {
		if (c == BPFTRACE)
			snprintf(cmd, sizeof(cmd), TRACEFS "bpftrace %s", BT_FILE);
		else
			snprintf(cmd, sizeof(cmd), TRACEFS "perf record -q -a -e 'kmem:*' -D -1 "
				 "--control fifo:%s,%s -o %s", CTL_FIFO, ACK_FIFO, KMEM_DATA);
		pid = start_peer(cmd, c == BPFTRACE ? "bpftrace" : "perf record",
				 c == PERF_KMEM);
		if (pid < 0)
			return -1;
		c0 = proc_cpu(pid);
		cost = pipe_loop_cost(1.0);
		if (self)
			*share = perf_share(self, 0.5);
		total = stop_peer(pid);
		report = c == PERF_KMEM ? perf_kmem_report() : 0;
		unlink(KMEM_DATA);
		unlink(PEER_OUT);
		unlink(CTL_FIFO);
		unlink(ACK_FIFO);
		if (c0 < 0 || total < 0 || report < 0)
			return -1;
		/* From the start of the traced second to the report: tracing, the
		 * tracer's exit (bpftrace prints its maps) and perf kmem's analysis. */
		*tool_cpu = total - c0 + report;
		return cost;
	}
	if (c == FLOOR) {
		if (alloc_dispatch_bpf__attach(floor))
			return -1;
		cost = pipe_loop_cost(1.0);
		if (self)
			*share = perf_share(self, 0.5);
		alloc_dispatch_bpf__detach(floor);
		return cost;
	}
	pid = start_mmscope(mmscope, c == SAMPLE ? sample : 1);
	if (pid < 0)
		return -1;
	c0 = proc_cpu(pid);
	cost = pipe_loop_cost(1.0);
	if (self)
		*share = perf_share(self, 0.5);
	total = stop_mmscope(pid);
	if (total < 0)
		return -1;
	*tool_cpu = total - c0; /* mmscope's own: it reads its maps and reports at the end */
	return cost;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorts v; the median, or -1 when any value is missing (< 0 is "not measured"). */
static double median(double *v, int n)
{
	for (int i = 0; i < n; i++)
		if (v[i] == -1)
			return -1;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void usage(void)
{
	fprintf(stderr, "usage: alloc_overhead [-m MMSCOPE] [-r ROUNDS] [-s N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const char *const names[NR_CONFIGS] = {
		"floor (empty programs)", "bpf-trace", "bpf-trace --sample",
		"bpftrace script", "perf record kmem:* + perf kmem stat --caller" };
	double slow[NR_CONFIGS][ROUNDS_MAX], inside[NR_CONFIGS][ROUNDS_MAX];
	double extra[NR_CONFIGS][ROUNDS_MAX], tool[NR_CONFIGS][ROUNDS_MAX];
	const char *mmscope = "mmscope", *self = NULL;
	bool have[NR_CONFIGS];
	double per_cycle = -1;
	char exe[4096];
	ssize_t len;
	struct alloc_dispatch_bpf *floor;
	int rounds = 5, sample = 64, opt;
	FILE *bt;

	while ((opt = getopt(argc, argv, "m:r:s:L:")) != -1) {
		if (opt == 'L') {
			pipe_loop_cost(atof(optarg));
			fprintf(stderr, "cycles %lu\n", loop_cycles);
			return 0;
		}
		if (opt == 'm')
			mmscope = optarg;
		else if (opt == 'r' && atoi(optarg) > 0 && atoi(optarg) <= ROUNDS_MAX)
			rounds = atoi(optarg);
		else if (opt == 's' && atoi(optarg) > 1)
			sample = atoi(optarg);
		else
			usage();
	}
	if (geteuid()) {
		printf("bench alloc_overhead: skipped: tracing needs root\n");
		return 0;
	}
	floor = alloc_dispatch_bpf__open_and_load();
	if (!floor) {
		fprintf(stderr, "alloc_overhead: loading the empty programs: %s\n",
			strerror(errno));
		return 1;
	}
	for (int c = 0; c < NR_CONFIGS; c++)
		have[c] = true;
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0 && !system("perf --version > /dev/null 2>&1")) {
		exe[len] = '\0';
		self = exe;
		per_cycle = events_per_cycle(self);
	} else {
		printf("(no perf: the measure from the inside and perf kmem are skipped)\n");
		have[PERF_KMEM] = false;
	}
	bt = fopen(BT_FILE, "w");
	if (system("bpftrace --version > /dev/null 2>&1") || !bt ||
	    fputs(bpftrace_script, bt) < 0) {
		printf("(no bpftrace: its column is skipped; Debian's bpftrace package)\n");
		have[BPFTRACE] = false;
	}
	if (bt)
		fclose(bt);
	printf("bench alloc_overhead: pipe2 + 2 closes, %d rounds; per configuration 0.5 s "
	       "untraced, 1 s traced, 0.5 s untraced; CPU time per cycle, traced over "
	       "untraced; %.1f allocation and free events per cycle\n", rounds, per_cycle);
	for (int r = 0; r < rounds; r++) {
		printf("  round %d:", r + 1);
		/* A different configuration first in each round: load drifts alike. */
		for (int j = 0; j < NR_CONFIGS; j++) {
			int c = (j + r) % NR_CONFIGS;
			double before, traced, after, share, cpu;

			slow[c][r] = extra[c][r] = tool[c][r] = inside[c][r] = -1;
			if (!have[c])
				continue;
			before = pipe_loop_cost(0.5);
			traced = traced_cost(c, mmscope, sample, floor, self, &share, &cpu);
			after = pipe_loop_cost(0.5);
			if (traced < 0) {
				alloc_dispatch_bpf__destroy(floor);
				unlink(BT_FILE);
				return 1;
			}
			slow[c][r] = traced / ((before + after) / 2) - 1;
			extra[c][r] = traced - (before + after) / 2;
			inside[c][r] = share >= 0 ? share / (1 - share) : -1;
			tool[c][r] = cpu;
			printf(" %s +%.1f%% (%.0f ns", names[c], 100 * slow[c][r], traced);
			if (share >= 0)
				printf(", inside +%.1f%%", 100 * inside[c][r]);
			if (cpu >= 0)
				printf(", tool %.0f ms", 1000 * cpu);
			printf(")%s", j + 1 < NR_CONFIGS ? ";" : "\n");
		}
		fflush(stdout);
	}
	alloc_dispatch_bpf__destroy(floor);
	unlink(BT_FILE);
	printf("\nmedians over %d rounds (range); per event = the loop's extra CPU per cycle "
	       "/ %.1f events; tool = the tracer's own CPU from the start of the traced "
	       "second to its report\n", rounds, per_cycle);
	printf("%-46s %18s %16s %12s %12s\n", "configuration", "loop overhead", "ns per event",
	       "tool ms", "inside");
	double per_event[NR_CONFIGS];
	for (int c = 0; c < NR_CONFIGS; c++) {
		double lo, hi, m, t, in;

		per_event[c] = -1;
		if (!have[c])
			continue;
		m = median(slow[c], rounds);
		lo = slow[c][0];
		hi = slow[c][rounds - 1];
		per_event[c] = per_cycle > 0 ? median(extra[c], rounds) / per_cycle : -1;
		t = median(tool[c], rounds);
		in = median(inside[c], rounds);
		printf("%-46s %6.1f%% (%.0f..%.0f) %16.1f", names[c], 100 * m, 100 * lo, 100 * hi,
		       per_event[c]);
		t >= 0 ? printf(" %12.0f", 1000 * t) : printf(" %12s", "-");
		in >= 0 ? printf(" %11.1f%%\n", 100 * in) : printf(" %12s\n", "-");
	}
	for (int c = BPFTRACE; c <= PERF_KMEM; c++)
		if (per_event[c] > 0 && per_event[TRACE] > 0)
			printf("bpf-trace per event against %s: %.1f ns vs %.1f ns, %.1fx cheaper\n",
			       names[c], per_event[TRACE], per_event[c],
			       per_event[c] / per_event[TRACE]);
	return 0;
}
