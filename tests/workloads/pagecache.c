// SPDX-License-Identifier: GPL-2.0
/*
 * pagecache: fill the page cache by reading a file (or a block device, whose
 * pages land in the page cache of the device) so the kernel has clean,
 * reclaimable file pages; the reclaim test needs them to see real direct
 * reclaim rather than an OOM kill.
 *
 *   pagecache FILE [MB]
 *
 * Reads MB MiB (default: the whole file) with plain read() and reports how much.
 */
#include <fcntl.h>

#include "workload.h"

int main(int argc, char **argv)
{
	static char buf[1 << 20];
	unsigned long limit = 0, done = 0;
	ssize_t n;
	int fd;

	prog = "pagecache";
	if (argc < 2 || argc > 3)
		usage("FILE [MB]");
	if (argc == 3)
		limit = parse_ulong(argv[2], "MB") * MIB;
	fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		die("%s: %s", argv[1], strerror(errno));
	while ((!limit || done < limit) && (n = read(fd, buf, sizeof(buf))) > 0)
		done += (unsigned long)n;
	if (n < 0)
		die("%s: read: %s", argv[1], strerror(errno));
	close(fd);
	printf("pagecache: read %lu MiB of %s\n", done / MIB, argv[1]);
	return 0;
}
