// SPDX-License-Identifier: GPL-2.0
/*
 * hog: allocate N MiB of anonymous memory, touch every page and hold it, so a
 * test has a known amount of anon memory charged to a process (and its cgroup).
 *
 *   hog [-n] [-N NODE] MB [SECONDS]
 *
 * -n maps with MADV_NOHUGEPAGE (4 KiB pages only). -N binds the memory to NUMA
 * node NODE (set_mempolicy MPOL_BIND): one node filled, the others left alone. Holds the memory until
 * SIGINT/SIGTERM, or for SECONDS (0: exit as soon as it is touched). Prints
 * "hog: holding N MiB pid P" once touched, so a script can wait for that line.
 */
#include <signal.h>
#include <sys/syscall.h>

#include "workload.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

int main(int argc, char **argv)
{
	int thp = 0, opt, node = -1;
	unsigned long mb, seconds = 0;
	int forever = 1;
	char *mem;

	prog = "hog";
	while ((opt = getopt(argc, argv, "nN:")) != -1) {
		if (opt == 'n')
			thp = MADV_NOHUGEPAGE;
		else if (opt == 'N')
			node = (int)parse_ulong(optarg, "NODE");
		else
			usage("[-n] [-N NODE] MB [SECONDS]");
	}
	if (argc - optind < 1 || argc - optind > 2)
		usage("[-n] [-N NODE] MB [SECONDS]");
	mb = parse_ulong(argv[optind], "MB");
	if (argc - optind == 2) {
		seconds = parse_ulong(argv[optind + 1], "SECONDS");
		forever = 0;
	}
	if (!mb)
		usage("[-n] MB [SECONDS]   (MB > 0)");

	if (node >= 0) {
		unsigned long mask = 1ul << node;

		/* MPOL_BIND (2): no libnuma in a static helper. */
		if (node >= 64 || syscall(SYS_set_mempolicy, 2, &mask, 64))
			die("set_mempolicy(MPOL_BIND, node %d): %s", node, strerror(errno));
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	mem = map_anon(mb * MIB, thp);
	touch(mem, mb * MIB);
	printf("hog: holding %lu MiB pid %d\n", mb, (int)getpid());
	fflush(stdout);

	/* sleep() returns early on a signal (and, unlike pause(), cannot miss one
	 * that came just before it for longer than a second). */
	while (!stop && (forever || seconds > 0)) {
		if (forever)
			sleep(1);
		else
			seconds = sleep((unsigned int)seconds);
	}
	return 0;
}
