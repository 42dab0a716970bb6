/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPU time of processes for the benchmarks that charge a tool's cost to it
 * (bench/trace, bench/heatmap). Header-only: bench/bench.mk builds every
 * benchmark source into a binary of its own.
 */
#ifndef MMS_BENCH_PROCCPU_H
#define MMS_BENCH_PROCCPU_H

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROC_TREE_MAX 8192

/* "pid (comm) state ppid ... utime stime": the fields after comm, which may hold
 * spaces and parentheses. 0, or -1 when the process is gone. */
static int proc_read_stat(pid_t pid, int *ppid, uint64_t *ticks)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	int pp = -1, ok = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		ok = sscanf(p + 1, " %*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &pp,
			    &ut, &st) == 3;
	fclose(f);
	if (ppid)
		*ppid = pp;
	if (ticks)
		*ticks = ut + st;
	return ok ? 0 : -1;
}

/* A process's user+sys CPU in ns: its CPU clock (all threads; a kthread's own),
 * else utime+stime from /proc/PID/stat (10 ms ticks); 0 once it is gone. */
static uint64_t proc_cpu_ns(pid_t pid)
{
	struct timespec ts;
	clockid_t clk;
	uint64_t ticks;

	if (!clock_getcpuclockid(pid, &clk) && !clock_gettime(clk, &ts))
		return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
	if (proc_read_stat(pid, NULL, &ticks))
		return 0;
	return ticks * (1000000000 / (uint64_t)sysconf(_SC_CLK_TCK));
}

/*
 * The CPU of root and its descendants now, found through /proc/N/stat (this
 * kernel has no /proc/PID/task/TID/children). The tools measured do not fork; a
 * child that ends inside a window would lose its time (an underestimate only for
 * such a child).
 */
static uint64_t proc_tree_cpu_ns(pid_t root)
{
	static pid_t tree[PROC_TREE_MAX];
	uint64_t ns = proc_cpu_ns(root);
	int n = 1, added = 1;

	tree[0] = root;
	while (added) { /* a fixed point: each pass adds the children of what is in */
		struct dirent *de;
		DIR *d = opendir("/proc");

		added = 0;
		if (!d)
			break;
		while ((de = readdir(d)) && n < PROC_TREE_MAX) {
			pid_t pid = atoi(de->d_name);
			bool in = false, parent_in = false;
			int ppid;

			if (pid <= 0 || proc_read_stat(pid, &ppid, NULL))
				continue;
			for (int i = 0; i < n; i++) {
				in |= tree[i] == pid;
				parent_in |= tree[i] == ppid;
			}
			if (parent_in && !in) {
				tree[n++] = pid;
				ns += proc_cpu_ns(pid);
				added = 1;
			}
		}
		closedir(d);
	}
	return ns;
}

#endif
