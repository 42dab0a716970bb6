// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Virtual -> physical page numbers of a process from /proc/PID/pagemap: one
 * 64-bit entry per virtual page, at offset (vaddr / page size) * 8. Bit 63 says
 * the page is present in RAM, bit 62 that it is swapped, bits 0-54 hold the PFN
 * (Documentation/admin-guide/mm/pagemap.rst). Since Linux 4.2 the PFN field reads
 * as 0 without CAP_SYS_ADMIN, which would silently make every page "PFN 0": that
 * is reported as -EPERM instead.
 *
 * The idle and damon-paddr sources call this every aging interval over the whole
 * selected address space, so it reads in large batches (one pread per 4096 pages)
 * and keeps the file open between calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "lib/heatmap/heatmap.h"

#define PM_PRESENT (1ULL << 63)
#define PM_PFN_MASK ((1ULL << 55) - 1)
#define BATCH 4096

int hm_pagemap_pfns(pid_t pid, int *pfd, uint64_t start, uint64_t end, uint64_t *pfns)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), entries[BATCH];
	uint64_t first = start / page, npages = (end - start) / page;

	if (*pfd < 0) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
		*pfd = open(path, O_RDONLY | O_CLOEXEC);
		if (*pfd < 0)
			return errno == ENOENT ? -ESRCH : -errno;
	}
	for (uint64_t done = 0; done < npages;) {
		uint64_t want = npages - done < BATCH ? npages - done : BATCH;
		ssize_t got = pread(*pfd, entries, want * 8, (off_t)((first + done) * 8));

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return errno == ENOENT ? -ESRCH : -errno;
		/* pagemap of a process whose address space is gone reads as empty. */
		if (got == 0 || got % 8)
			return -ESRCH;
		for (uint64_t i = 0; i < (uint64_t)got / 8; i++) {
			uint64_t e = entries[i];

			if (!(e & PM_PRESENT)) {
				pfns[done + i] = HM_PFN_NONE;
				continue;
			}
			if (!(e & PM_PFN_MASK))
				return -EPERM; /* PFNs hidden: not CAP_SYS_ADMIN */
			pfns[done + i] = e & PM_PFN_MASK;
		}
		done += (uint64_t)got / 8;
	}
	return 0;
}
