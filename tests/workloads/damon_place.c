// SPDX-License-Identifier: GPL-2.0
/*
 * damon_place: a heatmap test target whose hot and cold memory lie inside a given
 * physical address range, for damon-paddr in shared mode, where the kdamond that
 * is not ours monitors only part of physical memory:
 *
 *   damon_place -r START-END [-H HOT_MIB] [-C COLD_MIB] [-A MAX_MIB] -o FILE
 *
 * It faults in up to MAX_MIB (default 2048) of anonymous 4 KiB pages, reads their
 * physical addresses from its own /proc/self/pagemap (root), and keeps as hot up
 * to HOT_MIB (default 128) of pages in the lower half of [START, END) and as cold
 * up to COLD_MIB (default 128) in the upper half; every other page is released
 * (MADV_DONTNEED) only once the choice is made, so the allocator cannot hand the
 * same frames back meanwhile. Halves of the physical range, so DAMON's regions,
 * which are physical, can separate hot from cold. FILE gets one line per run of
 * virtually contiguous kept pages, "hot 0xSTART 0xEND" or "cold 0xSTART 0xEND"
 * (end exclusive), then stdout gets, flushed,
 *
 *   placed hot BYTES cold BYTES mapping 0xSTART-0xEND
 *
 * The cold pages were written once (when faulted in); the hot ones are written
 * over and over until SIGINT/SIGTERM. Exits 1 when fewer than 1 MiB of either
 * kind could be placed.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>

#include "workload.h"

#define PM_PRESENT (1ULL << 63)
#define PM_PFN_MASK ((1ULL << 55) - 1)

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

enum kind { OTHER, HOT, COLD };

static void parse_range(const char *s, uint64_t *start, uint64_t *end)
{
	char *p;

	*start = strtoull(s, &p, 16);
	if (*p != '-')
		usage("-r START-END (hex physical addresses)");
	*end = strtoull(p + 1, &p, 16);
	if (*p || *start >= *end)
		usage("-r START-END (hex physical addresses, START < END)");
}

/* Writes the runs of pages of kind k to f. */
static void write_runs(FILE *f, const char *name, const unsigned char *kinds, size_t n,
		       char *base, size_t page, enum kind k)
{
	for (size_t i = 0; i < n;) {
		size_t j = i;

		if (kinds[i] != k) {
			i++;
			continue;
		}
		while (j < n && kinds[j] == k)
			j++;
		fprintf(f, "%s %p %p\n", name, (void *)(base + i * page), (void *)(base + j * page));
		i = j;
	}
}

int main(int argc, char **argv)
{
	static const char use[] = "-r START-END [-H HOT_MIB] [-C COLD_MIB] [-A MAX_MIB] -o FILE";
	unsigned long hot_mib = 128, cold_mib = 128, max_mib = 2048;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), npages, hot_want, cold_want, nhot = 0,
	       ncold = 0, done = 0;
	uint64_t lo = 0, hi = 0, mid, *pm;
	const char *out = NULL;
	unsigned char *kinds;
	char *base;
	int opt, fd;
	FILE *f;

	prog = "damon_place";
	while ((opt = getopt(argc, argv, "r:H:C:A:o:")) != -1) {
		switch (opt) {
		case 'r': parse_range(optarg, &lo, &hi); break;
		case 'H': hot_mib = parse_ulong(optarg, "HOT_MIB"); break;
		case 'C': cold_mib = parse_ulong(optarg, "COLD_MIB"); break;
		case 'A': max_mib = parse_ulong(optarg, "MAX_MIB"); break;
		case 'o': out = optarg; break;
		default: usage(use);
		}
	}
	if (optind != argc || !hi || !out || !max_mib)
		usage(use);
	mid = lo + (hi - lo) / 2;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	npages = max_mib * MIB / page;
	hot_want = hot_mib * MIB / page;
	cold_want = cold_mib * MIB / page;
	base = mmap(NULL, npages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		    0);
	kinds = calloc(npages, 1);
	pm = malloc(4096 * sizeof(*pm));
	if (base == MAP_FAILED || !kinds || !pm)
		die("allocating %lu MiB: %s", max_mib, strerror(errno));
	/* 4 KiB pages: each page's own physical address must decide its kind. */
	madvise(base, npages * page, MADV_NOHUGEPAGE);
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		die("/proc/self/pagemap: %s", strerror(errno));
	/* Fault in 16 MiB at a time and classify, until both kinds are full. */
	while (done < npages && (nhot < hot_want || ncold < cold_want)) {
		size_t chunk = npages - done < 4096 ? npages - done : 4096;

		for (size_t i = 0; i < chunk; i++)
			base[(done + i) * page] = 1;
		if (pread(fd, pm, chunk * 8, (off_t)((uintptr_t)(base + done * page) / page * 8)) !=
		    (ssize_t)(chunk * 8))
			die("reading pagemap: %s", strerror(errno));
		for (size_t i = 0; i < chunk; i++) {
			uint64_t pa = (pm[i] & PM_PFN_MASK) * page;

			if (!(pm[i] & PM_PRESENT))
				continue;
			if (!(pm[i] & PM_PFN_MASK))
				die("pagemap hides PFNs: run as root");
			if (pa >= lo && pa < mid && nhot < hot_want) {
				kinds[done + i] = HOT;
				nhot++;
			} else if (pa >= mid && pa < hi && ncold < cold_want) {
				kinds[done + i] = COLD;
				ncold++;
			}
		}
		done += chunk;
	}
	close(fd);
	/* Release the rest (runs, not page by page). */
	for (size_t i = 0; i < npages;) {
		size_t j = i;

		while (j < npages && kinds[j] == OTHER)
			j++;
		if (j > i)
			madvise(base + i * page, (j - i) * page, MADV_DONTNEED);
		i = j + 1;
	}
	if (nhot * page < MIB || ncold * page < MIB)
		die("only %zu KiB hot and %zu KiB cold of %lu MiB placed in 0x%lx-0x%lx", nhot * page / 1024,
		    ncold * page / 1024, max_mib, (unsigned long)lo, (unsigned long)hi);
	f = fopen(out, "w");
	if (!f)
		die("%s: %s", out, strerror(errno));
	write_runs(f, "hot", kinds, npages, base, page, HOT);
	write_runs(f, "cold", kinds, npages, base, page, COLD);
	if (fclose(f))
		die("%s: %s", out, strerror(errno));
	printf("placed hot %zu cold %zu mapping %p-%p\n", nhot * page, ncold * page, (void *)base,
	       (void *)(base + npages * page));
	fflush(stdout);
	while (!stop)
		for (size_t i = 0; i < npages && !stop; i++)
			if (kinds[i] == HOT)
				base[i * page]++;
	return 0;
}
