// SPDX-License-Identifier: GPL-2.0
/*
 * hotcold: the heatmap's test target. One hot and one cold anonymous region,
 * each its own mapping, at addresses it prints:
 *
 *   hotcold [-H HOT_MIB] [-C COLD_MIB] [-t SECONDS] [-b] [-m] [-c FILE]
 *
 * The cold region (default 64 MiB) is written once, one byte per page, then left
 * alone; the hot region (default 64 MiB) is written one byte per page over and
 * over. Once both are set up it prints, flushed,
 *
 *   hot 0xSTART-0xEND cold 0xSTART-0xEND
 *
 * (ends exclusive) and keeps touching hot until SIGINT/SIGTERM or SECONDS have
 * passed (0 or no -t: until a signal). -b (bench) then prints
 *
 *   touches N seconds S rate R
 *
 * (page touches, seconds spent touching, touches per second): the memory-bound
 * target whose slowdown bench/heatmap measures. -c FILE: after every pass over
 * the hot region the page touches so far are written to FILE (20 digits and a
 * newline, rewritten in place), so a test can prove the target ran during its
 * window (read it before and after) instead of guessing from a quiet heatmap.
 *
 * Both regions are carved out of one reservation as cold | guard | hot, with a
 * PROT_NONE guard page between them: two adjacent anonymous mappings with the
 * same protections would be merged into one VMA by the kernel, and the heatmap
 * tests need to see them as two mappings. -m (merged) leaves the guard out and
 * maps cold then hot as two adjacent mmaps, which the kernel merges into one VMA
 * (hot right after cold): the case where a per-mapping source must not call the
 * whole mapping the working set. MADV_NOHUGEPAGE keeps them in 4 KiB
 * pages so page-level sources see what was touched, not a 2 MiB page around it.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>

#include "workload.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const char use[] = "[-H HOT_MIB] [-C COLD_MIB] [-t SECONDS] [-b] [-m] [-c FILE]";
	unsigned long hot_mib = 64, cold_mib = 64, seconds = 0;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), hot_len, cold_len;
	unsigned long long touches = 0;
	int bench = 0, merged = 0, counter = -1, opt;
	char line[32];
	size_t guard;
	double t0, t1, deadline;
	char *base, *cold, *hot;

	prog = "hotcold";
	while ((opt = getopt(argc, argv, "H:C:t:bmc:")) != -1) {
		switch (opt) {
		case 'H': hot_mib = parse_ulong(optarg, "HOT_MIB"); break;
		case 'C': cold_mib = parse_ulong(optarg, "COLD_MIB"); break;
		case 't': seconds = parse_ulong(optarg, "SECONDS"); break;
		case 'b': bench = 1; break;
		case 'm': merged = 1; break;
		case 'c':
			counter = open(optarg, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			if (counter < 0)
				die("%s: %s", optarg, strerror(errno));
			break;
		default: usage(use);
		}
	}
	if (optind != argc || !hot_mib || !cold_mib)
		usage(use);
	hot_len = hot_mib * MIB;
	cold_len = cold_mib * MIB;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	/* Reserve everything PROT_NONE, then open up cold and hot, leaving the guard
	 * (or, merged, mapping both over the reservation, adjacent). */
	guard = merged ? 0 : page;
	base = mmap(NULL, cold_len + guard + hot_len, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		die("mmap %lu MiB: %s", (cold_len + hot_len) / MIB, strerror(errno));
	cold = base;
	hot = base + cold_len + guard;
	if (merged) {
		if (mmap(cold, cold_len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED ||
		    mmap(hot, hot_len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
			die("mmap: %s", strerror(errno));
	} else if (mprotect(cold, cold_len, PROT_READ | PROT_WRITE) ||
		   mprotect(hot, hot_len, PROT_READ | PROT_WRITE)) {
		die("mprotect: %s", strerror(errno));
	}
	/* Not fatal: a kernel without THP has nothing to turn off. */
	madvise(cold, cold_len, MADV_NOHUGEPAGE);
	madvise(hot, hot_len, MADV_NOHUGEPAGE);
	touch(cold, cold_len);
	touch(hot, hot_len);

	printf("hot 0x%lx-0x%lx cold 0x%lx-0x%lx\n", (unsigned long)(uintptr_t)hot,
	       (unsigned long)(uintptr_t)(hot + hot_len), (unsigned long)(uintptr_t)cold,
	       (unsigned long)(uintptr_t)(cold + cold_len));
	fflush(stdout);

	t0 = now_s();
	deadline = seconds ? t0 + seconds : 0;
	while (!stop) {
		/* volatile: the compiler must not fold repeated passes into one. */
		for (size_t off = 0; off < hot_len; off += page)
			((volatile char *)hot)[off]++;
		touches += hot_len / page;
		if (counter >= 0) {
			snprintf(line, sizeof(line), "%020llu\n", touches);
			if (pwrite(counter, line, 21, 0) != 21)
				die("-c: %s", strerror(errno));
		}
		if (deadline && now_s() >= deadline)
			break;
	}
	t1 = now_s();
	if (bench) {
		printf("touches %llu seconds %.3f rate %.0f\n", touches, t1 - t0,
		       t1 > t0 ? touches / (t1 - t0) : 0.0);
		fflush(stdout);
	}
	return 0;
}
