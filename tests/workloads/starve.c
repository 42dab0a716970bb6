// SPDX-License-Identifier: GPL-2.0
/*
 * starve: keep the tasks PID... from running for a while, by moving them to CPU
 * and occupying CPU with a SCHED_FIFO busy loop. A test uses it to hold kswapd
 * off: the watermark boost the allocator sets on a fragmenting fallback lasts
 * until kswapd's next balancing pass, which then resets it (mm/vmscan.c), so a
 * boost is only there to be read while kswapd cannot run.
 *
 *   starve CPU SECONDS PID...
 *
 * For VMs only: nothing else runs on CPU either, apart from the 5% the kernel
 * leaves beside a real-time task (real-time throttling, kernel.sched_rt_runtime_us,
 * or the fair deadline server since 6.12): the tasks are held off, not stopped,
 * which is what the test can stand and the guest needs. Prints "starve: holding cpu
 * CPU" once in place, spins until SIGINT/SIGTERM or SECONDS, then gives the
 * tasks back the CPUs they had.
 */
#include <sched.h>
#include <signal.h>
#include <time.h>

#include "workload.h"

#define MAX_PIDS 16

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct sched_param rt = { .sched_priority = 1 };
	cpu_set_t one, old[MAX_PIDS];
	unsigned long cpu, seconds;
	pid_t pids[MAX_PIDS];
	int n = argc - 3;
	double end;

	prog = "starve";
	if (argc < 4 || n > MAX_PIDS)
		usage("CPU SECONDS PID... (at most 16 PIDs)");
	cpu = parse_ulong(argv[1], "CPU");
	seconds = parse_ulong(argv[2], "SECONDS");
	if (cpu >= CPU_SETSIZE)
		usage("CPU SECONDS PID...: no such CPU");
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (int i = 0; i < n; i++) {
		pids[i] = (pid_t)parse_ulong(argv[3 + i], "PID");
		if (sched_getaffinity(pids[i], sizeof(old[i]), &old[i]))
			die("pid %d: %s", (int)pids[i], strerror(errno));
	}
	if (sched_setaffinity(0, sizeof(one), &one))
		die("cpu %lu: %s", cpu, strerror(errno));
	if (sched_setscheduler(0, SCHED_FIFO, &rt))
		die("SCHED_FIFO: %s", strerror(errno));
	for (int i = 0; i < n; i++)
		if (sched_setaffinity(pids[i], sizeof(one), &one)) {
			int err = errno, bad = (int)pids[i];

			while (i-- > 0)
				sched_setaffinity(pids[i], sizeof(old[i]), &old[i]);
			die("pid %d to cpu %lu: %s", bad, cpu, strerror(err));
		}
	printf("starve: holding cpu %lu\n", cpu);
	fflush(stdout);
	end = now() + (double)seconds;
	while (!stop && now() < end)
		;
	for (int i = 0; i < n; i++)
		sched_setaffinity(pids[i], sizeof(old[i]), &old[i]);
	return 0;
}
