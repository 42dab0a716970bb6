// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Argument decoding for slow calls and flight records (see sysargs.h). The
 * constants are the UAPI's (sys/mman.h, fcntl.h, linux/futex.h, time.h): the same
 * numbers on x86_64 and arm64 for every flag decoded here.
 */
#include <fcntl.h>
#include <linux/futex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "lib/trace/sysargs.h"
#include "lib/trace/sysnames.h"

enum arg_type {
	A_END = 0,
	A_INT,      /* signed decimal */
	A_UINT,     /* unsigned decimal (sizes, counts) */
	A_PTR,      /* hex */
	A_FD,       /* decimal, AT_FDCWD named */
	A_PROT,     /* PROT_* */
	A_MAP,      /* MAP_* */
	A_MADV,     /* MADV_* */
	A_OFLAGS,   /* O_* */
	A_MODE,     /* octal */
	A_FUTEX,    /* FUTEX_* op */
	A_CLOCK,    /* CLOCK_* */
	A_HEX,      /* flags not decoded */
};

struct arg {
	const char *name;
	enum arg_type type;
};

struct sig {
	const char *syscall;
	struct arg args[6];
};

static const struct sig sigs[] = {
	{ "mmap", { { "addr", A_PTR }, { "len", A_UINT }, { "prot", A_PROT }, { "flags", A_MAP },
		    { "fd", A_FD }, { "off", A_UINT } } },
	{ "mmap2", { { "addr", A_PTR }, { "len", A_UINT }, { "prot", A_PROT }, { "flags", A_MAP },
		     { "fd", A_FD }, { "pgoff", A_UINT } } },
	{ "munmap", { { "addr", A_PTR }, { "len", A_UINT } } },
	{ "mremap", { { "addr", A_PTR }, { "old_len", A_UINT }, { "new_len", A_UINT },
		      { "flags", A_HEX }, { "new_addr", A_PTR } } },
	{ "brk", { { "brk", A_PTR } } },
	{ "madvise", { { "addr", A_PTR }, { "len", A_UINT }, { "advice", A_MADV } } },
	{ "process_madvise", { { "pidfd", A_FD }, { "iovec", A_PTR }, { "vlen", A_UINT },
			       { "advice", A_MADV }, { "flags", A_HEX } } },
	{ "mprotect", { { "addr", A_PTR }, { "len", A_UINT }, { "prot", A_PROT } } },
	{ "pkey_mprotect", { { "addr", A_PTR }, { "len", A_UINT }, { "prot", A_PROT },
			     { "pkey", A_INT } } },
	{ "mlock", { { "addr", A_PTR }, { "len", A_UINT } } },
	{ "mlock2", { { "addr", A_PTR }, { "len", A_UINT }, { "flags", A_HEX } } },
	{ "munlock", { { "addr", A_PTR }, { "len", A_UINT } } },
	{ "mlockall", { { "flags", A_HEX } } },
	{ "munlockall", { { NULL, A_END } } },
	{ "msync", { { "addr", A_PTR }, { "len", A_UINT }, { "flags", A_HEX } } },
	{ "mincore", { { "addr", A_PTR }, { "len", A_UINT }, { "vec", A_PTR } } },
	{ "move_pages", { { "pid", A_INT }, { "count", A_UINT }, { "pages", A_PTR },
			  { "nodes", A_PTR }, { "status", A_PTR }, { "flags", A_HEX } } },
	{ "mbind", { { "addr", A_PTR }, { "len", A_UINT }, { "mode", A_INT },
		     { "nodemask", A_PTR }, { "maxnode", A_UINT }, { "flags", A_HEX } } },
	{ "set_mempolicy", { { "mode", A_INT }, { "nodemask", A_PTR }, { "maxnode", A_UINT } } },
	{ "userfaultfd", { { "flags", A_OFLAGS } } },
	{ "memfd_create", { { "name", A_PTR }, { "flags", A_HEX } } },
	{ "read", { { "fd", A_FD }, { "buf", A_PTR }, { "count", A_UINT } } },
	{ "write", { { "fd", A_FD }, { "buf", A_PTR }, { "count", A_UINT } } },
	{ "pread64", { { "fd", A_FD }, { "buf", A_PTR }, { "count", A_UINT }, { "pos", A_INT } } },
	{ "pwrite64", { { "fd", A_FD }, { "buf", A_PTR }, { "count", A_UINT }, { "pos", A_INT } } },
	{ "openat", { { "dirfd", A_FD }, { "path", A_PTR }, { "flags", A_OFLAGS },
		      { "mode", A_MODE } } },
	{ "open", { { "path", A_PTR }, { "flags", A_OFLAGS }, { "mode", A_MODE } } },
	{ "close", { { "fd", A_FD } } },
	{ "futex", { { "uaddr", A_PTR }, { "op", A_FUTEX }, { "val", A_UINT },
		     { "timeout", A_PTR }, { "uaddr2", A_PTR }, { "val3", A_UINT } } },
	{ "epoll_wait", { { "epfd", A_FD }, { "events", A_PTR }, { "maxevents", A_INT },
			  { "timeout_ms", A_INT } } },
	{ "epoll_pwait", { { "epfd", A_FD }, { "events", A_PTR }, { "maxevents", A_INT },
			   { "timeout_ms", A_INT }, { "sigmask", A_PTR } } },
	{ "poll", { { "fds", A_PTR }, { "nfds", A_UINT }, { "timeout_ms", A_INT } } },
	{ "ppoll", { { "fds", A_PTR }, { "nfds", A_UINT }, { "timeout", A_PTR },
		     { "sigmask", A_PTR } } },
	{ "nanosleep", { { "req", A_PTR }, { "rem", A_PTR } } },
	{ "clock_nanosleep", { { "clock", A_CLOCK }, { "flags", A_HEX }, { "req", A_PTR },
			       { "rem", A_PTR } } },
	{ "fsync", { { "fd", A_FD } } },
	{ "fdatasync", { { "fd", A_FD } } },
	{ "io_uring_enter", { { "fd", A_FD }, { "to_submit", A_UINT },
			      { "min_complete", A_UINT }, { "flags", A_HEX },
			      { "sig", A_PTR }, { "sigsz", A_UINT } } },
};

struct flag {
	unsigned long v;
	const char *name;
};

#define F(x) { x, #x }

static const struct flag prot_flags[] = {
	F(PROT_READ), F(PROT_WRITE), F(PROT_EXEC), F(PROT_GROWSDOWN), F(PROT_GROWSUP), { 0 },
};

static const struct flag map_flags[] = {
	F(MAP_SHARED), F(MAP_PRIVATE), F(MAP_FIXED), F(MAP_ANONYMOUS), F(MAP_GROWSDOWN),
	F(MAP_DENYWRITE), F(MAP_EXECUTABLE), F(MAP_LOCKED), F(MAP_NORESERVE), F(MAP_POPULATE),
	F(MAP_NONBLOCK), F(MAP_STACK), F(MAP_HUGETLB), F(MAP_SYNC), F(MAP_FIXED_NOREPLACE), { 0 },
};

static const struct flag madv_values[] = {
	F(MADV_NORMAL), F(MADV_RANDOM), F(MADV_SEQUENTIAL), F(MADV_WILLNEED), F(MADV_DONTNEED),
	F(MADV_FREE), F(MADV_REMOVE), F(MADV_DONTFORK), F(MADV_DOFORK), F(MADV_MERGEABLE),
	F(MADV_UNMERGEABLE), F(MADV_HUGEPAGE), F(MADV_NOHUGEPAGE), F(MADV_DONTDUMP),
	F(MADV_DODUMP), F(MADV_WIPEONFORK), F(MADV_KEEPONFORK), F(MADV_COLD), F(MADV_PAGEOUT),
	F(MADV_HWPOISON), { 22, "MADV_POPULATE_READ" }, { 23, "MADV_POPULATE_WRITE" },
	{ 24, "MADV_DONTNEED_LOCKED" }, { 25, "MADV_COLLAPSE" }, { 0 },
};

/* O_ACCMODE's values first, then the bits. */
static const struct flag open_flags[] = {
	F(O_CREAT), F(O_EXCL), F(O_NOCTTY), F(O_TRUNC), F(O_APPEND), F(O_NONBLOCK), F(O_DSYNC),
	F(O_DIRECT), F(O_LARGEFILE), F(O_DIRECTORY), F(O_NOFOLLOW), F(O_NOATIME), F(O_CLOEXEC),
	F(O_PATH), { 0 },
};

static const struct flag futex_ops[] = {
	F(FUTEX_WAIT), F(FUTEX_WAKE), F(FUTEX_FD), F(FUTEX_REQUEUE), F(FUTEX_CMP_REQUEUE),
	F(FUTEX_WAKE_OP), F(FUTEX_LOCK_PI), F(FUTEX_UNLOCK_PI), F(FUTEX_TRYLOCK_PI),
	F(FUTEX_WAIT_BITSET), F(FUTEX_WAKE_BITSET), F(FUTEX_WAIT_REQUEUE_PI),
	F(FUTEX_CMP_REQUEUE_PI), { 13, "FUTEX_LOCK_PI2" }, { 0 },
};

static const struct flag clocks[] = {
	F(CLOCK_REALTIME), F(CLOCK_MONOTONIC), F(CLOCK_PROCESS_CPUTIME_ID),
	F(CLOCK_THREAD_CPUTIME_ID), F(CLOCK_MONOTONIC_RAW), F(CLOCK_REALTIME_COARSE),
	F(CLOCK_MONOTONIC_COARSE), F(CLOCK_BOOTTIME), F(CLOCK_REALTIME_ALARM),
	F(CLOCK_BOOTTIME_ALARM), F(CLOCK_TAI), { 0 },
};

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len >= o->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len = o->len + (size_t)n < o->size ? o->len + (size_t)n : o->size - 1;
}

/* Bits named "A|B|0x40"; "0" when none. */
static void put_bits(struct out *o, const struct flag *f, unsigned long v)
{
	bool any = false;

	for (; f->name; f++) {
		if (f->v && (v & f->v) == f->v) {
			put(o, "%s%s", any ? "|" : "", f->name);
			v &= ~f->v;
			any = true;
		}
	}
	if (v || !any)
		put(o, any ? "|%#lx" : "%#lx", v);
}

static void put_value(struct out *o, const struct flag *f, unsigned long v)
{
	for (; f->name; f++) {
		if (f->v == v) {
			put(o, "%s", f->name);
			return;
		}
	}
	put(o, "%lu", v);
}

static void put_arg(struct out *o, enum arg_type t, uint64_t v)
{
	switch (t) {
	case A_INT:
		put(o, "%lld", (long long)v);
		break;
	case A_FD:
		if ((int)v == AT_FDCWD)
			put(o, "AT_FDCWD");
		else
			put(o, "%d", (int)v);
		break;
	case A_UINT:
		put(o, "%llu", (unsigned long long)v);
		break;
	case A_PROT:
		if (!v)
			put(o, "PROT_NONE");
		else
			put_bits(o, prot_flags, (unsigned long)v);
		break;
	case A_MAP:
		put_bits(o, map_flags, (unsigned long)v);
		break;
	case A_MADV:
		put_value(o, madv_values, (unsigned long)v);
		break;
	case A_OFLAGS: {
		static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
		unsigned long rest = (unsigned long)v & ~(unsigned long)O_ACCMODE;

		put(o, "%s", acc[v & O_ACCMODE]);
		if (rest) {
			put(o, "|");
			put_bits(o, open_flags, rest);
		}
		break;
	}
	case A_MODE:
		put(o, "%#llo", (unsigned long long)v);
		break;
	case A_FUTEX: {
		unsigned long op = (unsigned long)v;

		put_value(o, futex_ops, op & FUTEX_CMD_MASK);
		if (op & FUTEX_PRIVATE_FLAG)
			put(o, "|FUTEX_PRIVATE_FLAG");
		if (op & FUTEX_CLOCK_REALTIME)
			put(o, "|FUTEX_CLOCK_REALTIME");
		break;
	}
	case A_CLOCK:
		put_value(o, clocks, (unsigned long)v);
		break;
	default:
		put(o, "%#llx", (unsigned long long)v);
	}
}

static const struct sig *sig_of(const char *base)
{
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (!strcmp(sigs[i].syscall, base))
			return &sigs[i];
	return NULL;
}

const char *mms_sys_args_format(const char *base, const __u64 args[6], char *buf,
				size_t size)
{
	const struct sig *s = sig_of(base);
	struct out o = { buf, size, 0 };

	if (!size)
		return buf;
	buf[0] = '\0';
	for (int i = 0; i < 6; i++) {
		if (s && !s->args[i].name)
			break;
		if (i)
			put(&o, ", ");
		if (s) {
			put(&o, "%s=", s->args[i].name);
			put_arg(&o, s->args[i].type, args[i]);
		} else {
			put_arg(&o, A_HEX, args[i]);
		}
	}
	return buf;
}

const char *mms_sys_ret_format(const char *base, int64_t ret, char *buf, size_t size)
{
	const char *name;

	if (ret < 0 && ret >= -4095) {
		name = mms_errno_name((unsigned)-ret);
		if (name)
			snprintf(buf, size, "-1 %s", name);
		else
			snprintf(buf, size, "-1 errno %lld", (long long)-ret);
	} else if (!strcmp(base, "mmap") || !strcmp(base, "mmap2") || !strcmp(base, "mremap") ||
		   !strcmp(base, "brk")) {
		snprintf(buf, size, "%#llx", (unsigned long long)ret);
	} else {
		snprintf(buf, size, "%lld", (long long)ret);
	}
	return buf;
}
