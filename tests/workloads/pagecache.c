// SPDX-License-Identifier: GPL-2.0
/*
 * pagecache: fill the page cache by reading a file or a block device, so the
 * kernel has clean, reclaimable file pages; the reclaim test needs them to see
 * real direct reclaim rather than an OOM kill.
 *
 *   pagecache [-k] FILE [MB]
 *
 * Reads MB MiB (default: all of it) with plain read() and reports how much.
 * -k keeps FILE open afterwards and holds until SIGINT/SIGTERM, printing
 * "pagecache: holding" first: a block device's page cache is dropped at its
 * last close, so without -k reading /dev/vda leaves nothing cached.
 */
#include <fcntl.h>
#include <signal.h>

#include "workload.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

int main(int argc, char **argv)
{
	static char buf[1 << 20];
	unsigned long limit = 0, done = 0;
	int keep = 0, fd, opt;
	ssize_t n = 0;

	prog = "pagecache";
	while ((opt = getopt(argc, argv, "k")) != -1) {
		if (opt != 'k')
			usage("[-k] FILE [MB]");
		keep = 1;
	}
	if (argc - optind < 1 || argc - optind > 2)
		usage("[-k] FILE [MB]");
	if (argc - optind == 2)
		limit = parse_ulong(argv[optind + 1], "MB") * MIB;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fd = open(argv[optind], O_RDONLY);
	if (fd < 0)
		die("%s: %s", argv[optind], strerror(errno));
	while ((!limit || done < limit) && (n = read(fd, buf, sizeof(buf))) > 0)
		done += (unsigned long)n;
	if (n < 0)
		die("%s: read: %s", argv[optind], strerror(errno));
	printf("pagecache: read %lu MiB of %s%s\n", done / MIB, argv[optind],
	       keep ? ", holding it open" : "");
	fflush(stdout);
	while (keep && !stop)
		sleep(1); /* not pause(): a signal just before it would be missed */
	close(fd);
	return 0;
}
