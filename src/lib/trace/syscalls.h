/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The syscalls tracer (syscalls.bpf.c): its knobs, and readers of what the kernel
 * aggregated. Counters are running totals summed over CPUs when read; a reader of
 * intervals subtracts the previous read.
 */
#ifndef MMS_TRACE_SYSCALLS_H
#define MMS_TRACE_SYSCALLS_H

#include <stdbool.h>
#include <stdint.h>

#include "bpf/syscalls.h"
#include "lib/trace/tracers.h"

struct mms_syscalls_opts {
	enum mms_sys_group group_by;
	bool latency;              /* time each call (a second program, on sys_enter);
				    * off: calls, errors and bytes only, counted on sys_exit,
				    * and exit/exit_group (which never return) not seen */
	bool errors_only;          /* --errors: failed calls only */
	bool mm_bytes;             /* --mm: sum the length arguments */
	uint64_t slow_ns;          /* --slow: 0 off */
	uint32_t record_n;         /* --record N: 0 off, at most MMS_SYS_RECORD_MAX */
	const char *comm;          /* --comm: NULL off (at most 15 bytes are compared) */
	const bool *traced;        /* [MMS_SYS_SLOTS]: -e; NULL traces every syscall */
	uint32_t max_groups;       /* -P/--by-cgroup: (group, syscall) pairs kept; 0: 16384 */
};

/*
 * The --mm preset: the memory-management syscalls (NULL-terminated), and which
 * argument of one is its length in bytes (0-based), -2 when the return value is
 * (process_madvise), -1 when it has none (brk, mlockall, ...).
 */
extern const char *const mms_sys_mm_names[];
int mms_sys_len_arg(const char *name);

/* Running totals of one (group, syscall); group is 0, a tgid or a cgroup id. */
typedef void (*mms_sys_stat_fn)(void *ctx, uint64_t group, uint32_t slot,
				const struct mms_sys_stat *s);
/* Calls fn for every slot or pair with calls. Returns 0 or a negative errno. */
int mms_syscalls_read(const struct mms_tracer *t, const struct mms_syscalls_opts *o,
		      mms_sys_stat_fn fn, void *ctx);
/* Running failed calls per errno: fn(ctx, group, slot, err, n). */
int mms_syscalls_read_errnos(const struct mms_tracer *t,
			     void (*fn)(void *ctx, uint64_t group, uint32_t slot, uint32_t err,
					uint64_t n),
			     void *ctx);
/* -P: the command name a process had at its first call, into comm[16]; -ENOENT. */
int mms_syscalls_comm(const struct mms_tracer *t, uint64_t tgid, char comm[16]);
/* Calls not counted because a map was full (reported with the lost records). */
uint64_t mms_syscalls_overflow(const struct mms_tracer *t);
/* --record: every live thread's flight record (fn gets it with kind 0). */
int mms_syscalls_read_records(const struct mms_tracer *t,
			      void (*fn)(void *ctx, const struct mms_sys_record *r), void *ctx);

/* The log2 slot's range in ns as mms_hist_slot_range(); the percentile p (0..100]
 * of a histogram, interpolated in its bucket and capped at max_ns; 0 when empty. */
uint64_t mms_sys_percentile(const __u64 hist[MMS_SYS_BUCKETS], uint64_t max_ns, double p);

#endif
