/* SPDX-License-Identifier: GPL-2.0 */
/*
 * workload.h: the few helpers the workload programs in this directory share
 * (each program is one .c file built statically on its own; this header holds
 * only static functions so no library is needed).
 *
 * Errors go to stderr prefixed with the program name and end the program with
 * exit status 1; bad usage exits 2, like mmscope itself.
 */
#ifndef MMSCOPE_WORKLOAD_H
#define MMSCOPE_WORKLOAD_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MIB (1024UL * 1024UL)

static const char *prog = "workload";

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void usage(const char *text)
{
	fprintf(stderr, "usage: %s %s\n", prog, text);
	exit(2);
}

/* A non-negative decimal argument; exits 2 naming the argument otherwise. */
static unsigned long parse_ulong(const char *arg, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-') {
		fprintf(stderr, "%s: %s must be a non-negative number, not '%s'\n", prog, what, arg);
		exit(2);
	}
	return v;
}

/* One field of /proc/meminfo in KiB ("MemFree", "Cached"...); -1 if absent. */
static long meminfo_kb(const char *field)
{
	char line[256];
	size_t len = strlen(field);
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		die("/proc/meminfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, len) && line[len] == ':') {
			kb = atol(line + len + 1);
			break;
		}
	fclose(f);
	return kb;
}

/*
 * Map @bytes of private anonymous memory. @thp is MADV_HUGEPAGE,
 * MADV_NOHUGEPAGE or 0 (leave the system's THP policy alone).
 */
static char *map_anon(size_t bytes, int thp)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap %zu MiB: %s", bytes / MIB, strerror(errno));
	if (thp && madvise(p, bytes, thp))
		die("madvise(%s): %s", thp == MADV_HUGEPAGE ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE",
		    strerror(errno));
	return p;
}

/* Write one byte per page so every page is really allocated (not the zero page). */
static void touch(char *p, size_t bytes)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	for (size_t off = 0; off < bytes; off += page)
		p[off] = 1;
}

/* Read a small sysfs/procfs file into @buf (trailing newline removed); 0 or -errno. */
static int read_text(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	int err = 0;

	buf[0] = '\0';
	if (!f)
		return -errno;
	if (!fgets(buf, (int)size, f))
		err = ferror(f) ? -EIO : -ENODATA;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return err;
}

/* Write @text to a sysfs/procfs/cgroupfs file; 0 or -errno. */
static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return -errno;
	if (fputs(text, f) < 0)
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

/* Global memory pressure is for throw-away VMs: the VM init exports MMSCOPE_VM=1. */
static void require_vm(void)
{
	const char *vm = getenv("MMSCOPE_VM");

	if (!vm || strcmp(vm, "1"))
		die("refusing to cause global memory pressure outside the test VM (set MMSCOPE_VM=1 there)");
}

#endif
