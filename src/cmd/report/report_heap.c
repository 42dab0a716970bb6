// SPDX-License-Identifier: GPL-2.0
/*
 * The report's heap, made ready before the tracers load. Most of what the
 * tracers cost to load is libbpf parsing the kernel's BTF (5.5 MB on 6.18),
 * once per BPF object, into fresh heap: on the development machine (a
 * paravirtualised guest) each first touch of a page costs about 28 us, so
 * each parse faults in some 12 MB page by page, about 100 ms of wall time. Faulting the same memory in with one MADV_POPULATE_WRITE
 * costs about a tenth of that (6.7 ms for 16 MiB against 117 ms touched; see
 * docs/report.md, "Cost"). So the heap is grown once, populated in one call,
 * and kept (no trimming, no per-thread arenas, big blocks from the heap rather
 * than their own mmap) for the parses to reuse. Where the kernel has no
 * MADV_POPULATE_WRITE (before 5.14) nothing is populated and the pages fault
 * in as before: slower, never wrong.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cmd/report/report.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* linux/mman.h since 5.14 */
#endif

#define CHUNK (8u << 20)  /* under M_MMAP_THRESHOLD below: from the heap, not mmap */
/* 24 MiB: what the report's two parses (its object's and its own) fault in. With
 * 48 (sized for three objects) the peak RSS was 55 MiB against 31, for no gain in
 * time (bench/report, same run: overhead median 194-197 ms against 187-216 ms;
 * none populated: 256-350 ms, 24 MiB). */
#define CHUNKS 3

void report_heap_prepare(void)
{
	void *p[CHUNKS];
	long page = sysconf(_SC_PAGESIZE);

	/* One arena: the loader threads would each get a fresh one of their own. */
	mallopt(M_ARENA_MAX, 1);
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	for (int i = 0; i < CHUNKS; i++)
		p[i] = malloc(CHUNK);
	for (int i = 0; i < CHUNKS; i++) {
		uintptr_t a, b;

		if (!p[i])
			continue;
		a = ((uintptr_t)p[i] + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
		b = ((uintptr_t)p[i] + CHUNK) & ~((uintptr_t)page - 1);
		madvise((void *)a, b - a, MADV_POPULATE_WRITE);
	}
	for (int i = CHUNKS - 1; i >= 0; i--)
		free(p[i]);
}
