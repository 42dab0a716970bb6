// SPDX-License-Identifier: GPL-2.0
/*
 * reclaim: cause global direct reclaim (test VMs only). Allocates and touches
 * all free memory plus PERCENT% of the file pages (Active(file) +
 * Inactive(file)), so allocations must take pages back from the page cache;
 * when they outrun kswapd the allocating task reclaims by itself, which is
 * what /proc/vmstat allocstall_* counts. Then it exits, freeing everything.
 *
 *   MMSCOPE_VM=1 reclaim [PERCENT]      (default 50; fill the page cache first)
 *
 * Two processes allocate at once where there are two CPUs or more (the test
 * guests), so that allocation outpaces kswapd; one on a one-CPU guest (the
 * timing guest of 22-drsnoop). With two there, their stalls overlapped on the
 * one CPU, and a task preempted inside the begin tracepoint's probes (they run
 * preemptible on the 7.2 kernel) let the other run its whole begin meanwhile:
 * the probe it was in took that as recursion and skipped it (drsnoop lost the
 * stall: 9 against 10 from mmscope and tracefs), and the tools' timestamps of
 * the preempted stall differed by the time the other ran (BPF's begin stamped
 * before the other task's begin, tracefs's after it).
 */
#include <sys/wait.h>

#include "workload.h"

int main(int argc, char **argv)
{
	unsigned long percent = 50, free_mb, file_mb, want_mb;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int workers = cpus > 1 ? 2 : 1, status, failed = 0;

	prog = "reclaim";
	if (argc > 2)
		usage("[PERCENT]");
	if (argc == 2)
		percent = parse_ulong(argv[1], "PERCENT");
	if (percent > 90)
		usage("[PERCENT]   (at most 90: beyond the page cache is an OOM kill)");
	require_vm();

	free_mb = (unsigned long)meminfo_kb("MemFree") / 1024;
	file_mb = (unsigned long)(meminfo_kb("Active(file)") + meminfo_kb("Inactive(file)")) / 1024;
	if (file_mb < 32)
		die("only %lu MiB of page cache: fill it first (pagecache FILE)", file_mb);
	want_mb = free_mb + file_mb * percent / 100;
	printf("reclaim: free %lu MiB, file pages %lu MiB, allocating %lu MiB in %d processes\n",
	       free_mb, file_mb, want_mb, workers);
	fflush(stdout);

	for (int i = 0; i < workers; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid == 0) {
			size_t bytes = want_mb / workers * MIB;

			/* 4 KiB pages: THP faults under defrag=madvise fall back rather than reclaim. */
			touch(map_anon(bytes, MADV_NOHUGEPAGE), bytes);
			_exit(0);
		}
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	if (failed)
		die("%d of %d allocating processes failed (killed by the OOM killer?)", failed, workers);
	printf("reclaim: done, free now %ld MiB, file pages %ld MiB\n", meminfo_kb("MemFree") / 1024,
	       (meminfo_kb("Active(file)") + meminfo_kb("Inactive(file)")) / 1024);
	return 0;
}
