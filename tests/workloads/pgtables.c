// SPDX-License-Identifier: GPL-2.0
/*
 * pgtables: allocate MB MiB of page tables, free them, ROUNDS times. Page-table
 * pages are unmovable; the unmovable free lists are short, so the allocator
 * soon falls back to movable pageblocks (kmem:mm_page_alloc_extfrag) without
 * any memory pressure, which makes it safe on a shared machine.
 *
 *   pgtables [-k] MB [ROUNDS]
 *
 * -k keeps every round's tables until the end: each round then needs new
 * unmovable pageblocks, so the fallbacks grow with ROUNDS (about one per 2 MiB
 * pageblock taken over, when free memory is plentiful).
 * Touches one 4 KiB page per 2 MiB of address space (MAP_NORESERVE, no THP):
 * each touch needs a new last-level page table, so MB MiB of page tables cost
 * only MB MiB of data pages. Prints "pgtables: N page tables" per round.
 */
#include "workload.h"

#define PMD_SPAN (2 * MIB) /* address space one x86-64 last-level page table maps */

int main(int argc, char **argv)
{
	unsigned long mb, rounds = 1;
	size_t tables, span;
	int keep = 0, opt;

	prog = "pgtables";
	while ((opt = getopt(argc, argv, "k")) != -1) {
		if (opt != 'k')
			usage("[-k] MB [ROUNDS]");
		keep = 1;
	}
	if (argc - optind < 1 || argc - optind > 2)
		usage("[-k] MB [ROUNDS]");
	mb = parse_ulong(argv[optind], "MB");
	if (argc - optind == 2)
		rounds = parse_ulong(argv[optind + 1], "ROUNDS");
	if (!mb || mb > 4096)
		usage("[-k] MB [ROUNDS]   (0 < MB <= 4096)");
	tables = mb * MIB / 4096;
	span = tables * PMD_SPAN;
	for (unsigned long r = 0; r < rounds; r++) {
		char *p = mmap(NULL, span, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (p == MAP_FAILED)
			die("mmap %zu MiB: %s", span / MIB, strerror(errno));
		/* A huge page would need no last-level table: keep them out. */
		madvise(p, span, MADV_NOHUGEPAGE);
		for (size_t off = 0; off < span; off += PMD_SPAN)
			p[off] = 1;
		printf("pgtables: %zu page tables\n", tables);
		fflush(stdout);
		if (!keep)
			munmap(p, span);
	}
	return 0;
}
