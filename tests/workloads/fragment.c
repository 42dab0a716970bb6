// SPDX-License-Identifier: GPL-2.0
/*
 * fragment: fragment free memory, then fault in transparent huge pages with
 * defrag=always, so the page allocator must compact memory directly in the
 * faulting task (what /proc/vmstat compact_stall counts). Test VMs only.
 *
 *   MMSCOPE_VM=1 fragment [-H] [FILL_MB]
 *
 * 1. Fill FILL_MB (default: MemFree less 48 MiB) with 4 KiB anon pages.
 * 2. Free every other page: the freed half is scattered order-0 holes that
 *    cannot merge into huge pages.
 * 3. Set /sys/kernel/mm/transparent_hugepage/defrag to "always" (and enabled
 *    to "madvise" if it was "never"; both restored on exit and on
 *    SIGINT/SIGTERM) and fault FILL_MB/2 of MADV_HUGEPAGE memory:
 *    once the few free order-9 blocks are used up, every fault compacts.
 * Prints how many huge pages it got. Exit 0 when the steps ran (whether
 * compaction succeeded is the kernel's business: the counters tell).
 * With -H, stops after step 2 and holds the fragmented memory until SIGINT or
 * SIGTERM ("fragment: holding"): free memory is then order-0 holes in movable
 * pageblocks, so an unmovable allocation must fall back into one of them (a
 * fragmenting fallback, which boosts the zone's watermarks).
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>

#include "workload.h"

#define THP_DIR "/sys/kernel/mm/transparent_hugepage/"
#define HPAGE (2 * MIB)

/* THP knobs this program changes, with the values to put back. */
static struct knob {
	const char *path;
	char saved[32];
} knobs[] = {
	{ THP_DIR "enabled", "" },
	{ THP_DIR "defrag", "" },
};

/* Async-signal-safe (open/write/close only): also called from on_signal(). */
static void restore_knobs(void)
{
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		int fd;

		if (!knobs[i].saved[0])
			continue;
		fd = open(knobs[i].path, O_WRONLY);
		if (fd >= 0) {
			/* A failure here cannot be reported anywhere useful: ignore it. */
			(void)!write(fd, knobs[i].saved, strlen(knobs[i].saved));
			close(fd);
		}
	}
}

static void on_signal(int sig)
{
	restore_knobs();
	_exit(128 + sig);
}

/*
 * Sets a THP knob unless it already reads @unless, remembering the old value.
 * The files read like "always defer defer+madvise [madvise] never": the
 * bracketed word is the current value.
 */
static void set_knob(struct knob *k, const char *value, const char *unless)
{
	char line[128], *open_br, *close_br;
	int err = read_text(k->path, line, sizeof(line));
	size_t len;

	if (err)
		die("%s: %s", k->path, strerror(-err));
	open_br = strchr(line, '[');
	close_br = open_br ? strchr(open_br, ']') : NULL;
	len = close_br ? (size_t)(close_br - open_br - 1) : 0;
	if (!close_br || len >= sizeof(k->saved))
		die("%s: unexpected contents '%s'", k->path, line);
	if (unless && strlen(unless) == len && !strncmp(open_br + 1, unless, len))
		return;
	memcpy(k->saved, open_br + 1, len);
	err = write_text(k->path, value);
	if (err)
		die("%s: %s", k->path, strerror(-err));
}

static long anon_huge_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "AnonHugePages:", 14))
			kb = atol(line + 14);
	fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), fill, thp_bytes;
	unsigned long fill_mb;
	char *mem, *thp;
	bool hold = argc > 1 && !strcmp(argv[1], "-H");

	prog = "fragment";
	if (hold) {
		argv++;
		argc--;
	}
	if (argc > 2)
		usage("[-H] [FILL_MB]");
	require_vm();
	if (argc == 2)
		fill_mb = parse_ulong(argv[1], "FILL_MB");
	else
		fill_mb = (unsigned long)(meminfo_kb("MemFree") / 1024 - 48);
	if (fill_mb < 32 || fill_mb > (unsigned long)LONG_MAX / MIB)
		die("FILL_MB %lu: need at least 32 MiB (MemFree is %ld MiB)", fill_mb,
		    meminfo_kb("MemFree") / 1024);
	fill = fill_mb * MIB;

	mem = map_anon(fill, MADV_NOHUGEPAGE);
	touch(mem, fill);
	for (size_t off = page; off < fill; off += 2 * page)
		if (madvise(mem + off, page, MADV_DONTNEED))
			die("madvise(MADV_DONTNEED): %s", strerror(errno));
	printf("fragment: filled %lu MiB, freed every other page, MemFree %ld MiB\n", fill_mb,
	       meminfo_kb("MemFree") / 1024);
	fflush(stdout);
	if (hold) {
		sigset_t set;
		int sig;

		sigemptyset(&set);
		sigaddset(&set, SIGINT);
		sigaddset(&set, SIGTERM);
		sigprocmask(SIG_BLOCK, &set, NULL);
		printf("fragment: holding\n");
		fflush(stdout);
		sigwait(&set, &sig);
		return 0;
	}

	atexit(restore_knobs);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/* MADV_HUGEPAGE needs THP enabled=madvise at least (the test kernel boots with never). */
	set_knob(&knobs[0], "madvise", "always");
	set_knob(&knobs[1], "always", NULL);
	/* Over-allocate by one huge page so the region can start on a 2 MiB boundary. */
	thp_bytes = fill / 2 / HPAGE * HPAGE;
	thp = map_anon(thp_bytes + HPAGE, 0);
	thp = (char *)(((unsigned long)thp + HPAGE - 1) & ~(HPAGE - 1));
	if (madvise(thp, thp_bytes, MADV_HUGEPAGE))
		die("madvise(MADV_HUGEPAGE): %s", strerror(errno));
	for (size_t off = 0; off < thp_bytes; off += HPAGE)
		thp[off] = 1;
	printf("fragment: faulted %zu MiB with defrag=always, got %ld MiB in huge pages\n",
	       thp_bytes / MIB, anon_huge_kb() / 1024);
	return 0;
}
