// SPDX-License-Identifier: GPL-2.0
/*
 * syscalls: a known mix of system calls for mmscope syscalls' tests: N getppid,
 * M openat of a file that does not exist (ENOENT), K mmap/munmap pairs of LEN
 * bytes each, then optionally one nanosleep of SLEEP_MS milliseconds, and
 * optionally a SIGSEGV (a write to address 0) to die of. After the sleep it
 * prints "nanosleep_ns NS", the sleep as it measured it.
 *
 *   syscalls N M K LEN [SLEEP_MS [segv]]
 *   syscalls int80 N      (x86_64) N getppid calls of the i386 ABI (int 0x80 from
 *                         64-bit code: the kernel runs them as 32-bit compat
 *                         calls); prints "int80 ok", or "int80 ENOSYS" when the
 *                         kernel has no 32-bit emulation
 *
 * Raw syscall() calls, so no library cache or wrapper changes the counts; a
 * static binary, so no dynamic loader adds mmaps before main.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <time.h>

#include "workload.h"

/* The i386 ABI's getppid (64) through int 0x80: a compat call on x86_64. */
static int int80(unsigned long n)
{
#if defined(__x86_64__)
	long ret = 0;

	for (unsigned long i = 0; i < n; i++)
		__asm__ volatile("int $0x80" : "=a"(ret) : "a"(64L) : "memory", "rcx", "r11");
	printf("int80 %s\n", ret == -ENOSYS ? "ENOSYS" : "ok");
	return 0;
#else
	printf("int80 not x86_64\n");
	return 0;
#endif
}

int main(int argc, char **argv)
{
	unsigned long n, m, k, len, sleep_ms = 0;
	bool segv = false;

	prog = "syscalls";
	if (argc == 3 && !strcmp(argv[1], "int80"))
		return int80(parse_ulong(argv[2], "N"));
	if (argc < 5 || argc > 7)
		usage("N M K LEN [SLEEP_MS [segv]]");
	n = parse_ulong(argv[1], "N");
	m = parse_ulong(argv[2], "M");
	k = parse_ulong(argv[3], "K");
	len = parse_ulong(argv[4], "LEN");
	if (argc > 5)
		sleep_ms = parse_ulong(argv[5], "SLEEP_MS");
	if (argc > 6) {
		if (strcmp(argv[6], "segv"))
			usage("N M K LEN [SLEEP_MS [segv]]");
		segv = true;
	}
	for (unsigned long i = 0; i < n; i++)
		syscall(SYS_getppid);
	for (unsigned long i = 0; i < m; i++)
		if (syscall(SYS_openat, AT_FDCWD, "/nonexistent/mmscope-syscalls-test", O_RDONLY) >= 0)
			die("openat of a missing file succeeded");
	for (unsigned long i = 0; i < k; i++) {
		long p = syscall(SYS_mmap, NULL, len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p < 0 && p > -4096)
			die("mmap: %s", strerror((int)-p));
		if (syscall(SYS_munmap, p, len))
			die("munmap: %s", strerror(errno));
	}
	if (sleep_ms) {
		struct timespec ts = { (time_t)(sleep_ms / 1000), (long)(sleep_ms % 1000) * 1000000L };

		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		syscall(SYS_nanosleep, &ts, NULL);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		/* What the sleep took as the caller saw it (vDSO clock: no syscalls). */
		printf("nanosleep_ns %lld\n", (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL +
						 (t1.tv_nsec - t0.tv_nsec));
		fflush(stdout);
	}
	if (segv)
		*(volatile int *)0 = 1;
	return 0;
}
