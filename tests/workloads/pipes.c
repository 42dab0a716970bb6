// SPDX-License-Identifier: GPL-2.0
/*
 * pipes: create N pipes and hold them open, a known burst of kernel allocations
 * at known call sites (fs/pipe.c alloc_pipe_info: the pipe_inode_info and its
 * buffer array, two allocations per pipe; plus an inode, a dentry and two files).
 *
 *   pipes N [SECONDS]
 *
 * Raises RLIMIT_NOFILE to fit 2N descriptors. Prints "pipes: holding N pipes pid P"
 * once created, then holds until SIGINT/SIGTERM, or for SECONDS.
 */
#include <signal.h>
#include <sys/resource.h>

#include "workload.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

int main(int argc, char **argv)
{
	unsigned long n, seconds = 0;
	struct rlimit rl;
	int fds[2];

	prog = "pipes";
	if (argc < 2 || argc > 3)
		usage("N [SECONDS]");
	n = parse_ulong(argv[1], "N");
	if (argc == 3)
		seconds = parse_ulong(argv[2], "SECONDS");
	rl.rlim_cur = rl.rlim_max = 2 * n + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("RLIMIT_NOFILE %lu: %s", 2 * n + 64, strerror(errno));
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (unsigned long i = 0; i < n; i++)
		if (pipe(fds))
			die("pipe %lu of %lu: %s", i + 1, n, strerror(errno));
	printf("pipes: holding %lu pipes pid %d\n", n, (int)getpid());
	fflush(stdout);
	if (seconds) {
		for (unsigned long s = 0; s < seconds && !stop; s++)
			sleep(1);
	} else {
		while (!stop)
			pause();
	}
	return 0;
}
