/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between syscalls.bpf.c and its loader (src/lib/trace/syscalls.c).
 *
 * A syscall is counted in a "slot": its number for a native call, COMPAT_BASE +
 * its number for a 32-bit call on a 64-bit kernel (x86_64's int 0x80/sysenter
 * entry, named from the i386 table), SYS_SLOT_OTHER for numbers outside both
 * (x32 calls, -1 from a ptrace/seccomp skip). Slots index a per-CPU array (no
 * atomics, no hashing on the hot path) or, per process or cgroup, a per-CPU hash.
 */
#ifndef MMS_SYSCALLS_H
#define MMS_SYSCALLS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define MMS_SYS_NATIVE_MAX 512        /* native numbers 0..511 */
#define MMS_SYS_COMPAT_BASE 512       /* compat numbers 0..510 at 512.. */
#define MMS_SYS_SLOT_OTHER 1023       /* everything else */
#define MMS_SYS_SLOTS 1024
#define MMS_SYS_BUCKETS 40            /* log2 ns: slot 39 holds >= 2^38 ns (275 s) */
#define MMS_SYS_ERRNO_MAX 4095        /* a return in [-4095, -1] is an error */

/* sys_flags[slot] bits, set by the loader (rodata). */
#define MMS_SYSF_TRACED 0x01          /* -e: this syscall is traced */
#define MMS_SYSF_NORETURN 0x02        /* exit, exit_group: counted at entry */
#define MMS_SYSF_LEN_SHIFT 4          /* --mm: 1 + index of the length argument */
#define MMS_SYSF_LEN_MASK 0x70
#define MMS_SYSF_LEN_RET 0x80         /* --mm: the bytes are the return value (process_madvise) */

enum mms_sys_group {
	MMS_SYS_BY_SYSCALL = 0,       /* the per-CPU array */
	MMS_SYS_BY_PROCESS = 1,       /* -P: group = tgid */
	MMS_SYS_BY_CGROUP = 2,        /* --by-cgroup: group = memory cgroup id */
};

struct mms_sys_stat {
	__u64 calls;
	__u64 errors;
	__u64 total_ns;               /* over the timed calls (all but exit/exit_group) */
	__u64 max_ns;
	__u64 bytes;                  /* --mm: length arguments summed */
	__u64 hist[MMS_SYS_BUCKETS];  /* slot = 64 - clz(ns), as mms_hist_slot() */
};

struct mms_sys_gkey {
	__u64 group;
	__u32 slot;
	__u32 pad;
};

/* Errors per errno: group as above (0 by syscall), err = -return. */
struct mms_sys_ekey {
	__u64 group;
	__u32 slot;
	__u32 err;
};

/* One call as --slow prints it and --record keeps it. */
struct mms_sys_call {
	__u64 ts_ns;                  /* at exit */
	__u64 latency_ns;
	__s64 ret;
	__u64 args[6];
	__u32 slot;
	__u32 pad;
};

enum mms_sys_event_kind {
	MMS_SYS_EV_SLOW = 1,          /* one struct mms_sys_event */
	MMS_SYS_EV_DUMP = 2,          /* a flight record of a thread that died by a signal */
};

struct mms_sys_event {
	__u32 kind;                   /* MMS_SYS_EV_SLOW */
	__u32 pid, tgid;
	__u32 pad;
	__u64 cgroup_id;
	char comm[16];
	struct mms_sys_call call;
};

#define MMS_SYS_RECORD_MAX 64         /* --record N: at most this many per thread */

struct mms_sys_record {
	__u32 kind;                   /* MMS_SYS_EV_DUMP in a dump event */
	__u32 pid, tgid;
	__s32 exit_signal;            /* the signal the process died of (dump), else 0 */
	__u64 cgroup_id;
	char comm[16];
	__u64 n;                      /* calls ever recorded: the last min(n, N) are in ring */
	struct mms_sys_call ring[MMS_SYS_RECORD_MAX]; /* call i at ring[i % N] */
};

#endif
