// SPDX-License-Identifier: GPL-2.0
/*
 * System calls counted, timed and summed in the kernel: raw_syscalls sys_enter
 * notes when a call of a selected task starts, sys_exit adds the call to a per-CPU
 * slot (calls, errors, latency total/max and a log2 histogram, --mm bytes) and,
 * only on request, sends a slow call through the ring buffer (--slow) or keeps it
 * in the thread's flight record (--record). Nothing per call crosses to user
 * space in the default summary: user space reads the maps when it prints.
 *
 * Raw tracepoints, attached by name: they need no tracefs and cost far less per
 * call than the perf-event tracepoints libbpf-tools' syscount uses. Every filter
 * is read-only data set before load, so filters that are off cost nothing.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "events.bpf.h"
#include "filter.bpf.h"
#include "pt_regs.bpf.h"
#include "syscalls.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 group_by = MMS_SYS_BY_SYSCALL;
const volatile bool filter_sys = false;     /* -e: only slots with MMS_SYSF_TRACED */
const volatile bool errors_only = false;    /* --errors */
const volatile bool mm_bytes = false;       /* --mm */
const volatile bool want_args = false;      /* --slow, --record: keep the arguments */
const volatile __u64 slow_ns = 0;           /* --slow: 0 off */
const volatile __u32 record_n = 0;          /* --record N: 0 off */
const volatile bool filter_comm = false;    /* --comm */
const volatile char targ_comm[16] = {};
const volatile __u8 sys_flags[MMS_SYS_SLOTS] = {};

/* ---- the call in progress, per thread ---- */

struct inflight {
	__u64 tid;      /* the slot's owner; kept after the call so its next call needs no atomic */
	__u64 ts_ns;    /* 0: no call in progress */
	__u32 slot;
	__u32 pad;
	__u64 len;      /* --mm: the length argument */
	__u64 args[6];  /* --slow, --record */
};

/*
 * An array slot by the tid's low bits, as reclaim.bpf.c does: the verifier inlines
 * an array lookup, where a hash map or task storage costs a helper call per enter
 * and per exit. Unlike reclaim, the owner keeps its slot between calls (ts_ns 0
 * marks it idle), so the steady state of a thread making calls is plain loads and
 * stores; an idle slot of another tid is taken over with a compare-and-swap, a busy
 * one sends the thread to the hash map "spill".
 */
#define INFLIGHT_SLOTS 32768 /* a power of two */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, INFLIGHT_SLOTS);
	__type(key, __u32);
	__type(value, struct inflight);
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct inflight);
} spill SEC(".maps");

__u64 nr_spilled = 0; /* exits look in spill only when something ever went there */

static const struct inflight empty_inflight;

static __always_inline struct inflight *inflight_of(__u32 tid, bool claim)
{
	__u32 idx = tid & (INFLIGHT_SLOTS - 1);
	struct inflight *s = bpf_map_lookup_elem(&inflight, &idx);
	__u64 owner;

	if (!s || !tid)
		return NULL;
	owner = s->tid;
	if (owner == tid)
		return s;
#ifndef MMS_BPF_NO_CMPXCHG
	if (claim && !s->ts_ns && __sync_val_compare_and_swap(&s->tid, owner, tid) == owner)
		return s;
#else
	/* No compare-and-swap on this kernel (before 5.12): every thread takes the
	 * spill path, whose BPF_NOEXIST insert is the atomic claim. */
#endif
	if (!claim && !nr_spilled)
		return NULL;
	if (claim && bpf_map_update_elem(&spill, &tid, &empty_inflight, BPF_NOEXIST) == 0)
		__sync_fetch_and_add(&nr_spilled, 1);
	s = bpf_map_lookup_elem(&spill, &tid);
	if (s && claim)
		s->tid = tid;
	return s;
}

/* ---- the counters ---- */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MMS_SYS_SLOTS);
	__type(key, __u32);
	__type(value, struct mms_sys_stat);
} stats SEC(".maps");

/* -P, --by-cgroup; max_entries set by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct mms_sys_gkey);
	__type(value, struct mms_sys_stat);
} gstats SEC(".maps");

/* Failed calls per errno, per (group,) syscall. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct mms_sys_ekey);
	__type(value, __u64);
} errnos SEC(".maps");

/* -P: the command name of each process seen (the thread's at its first call). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, char[16]);
} comms SEC(".maps");

/* Calls that found gstats or errnos full: counted nowhere else, so shown as lost. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} overflow SEC(".maps");

static const struct mms_sys_stat zero_stat;

#define MMS_E2BIG 7 /* a full hash map refuses a new key with -E2BIG */

static __always_inline void count_overflow(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&overflow, &zero);

	if (n)
		(*n)++;
}

static __always_inline __u64 group_of(__u64 pid_tgid)
{
	if (group_by == MMS_SYS_BY_PROCESS)
		return pid_tgid >> 32;
	if (group_by == MMS_SYS_BY_CGROUP)
		return current_memcg_id();
	return 0;
}

static __always_inline struct mms_sys_stat *stat_of(__u32 slot, __u64 group)
{
	struct mms_sys_gkey key = { .group = group, .slot = slot };
	struct mms_sys_stat *s;

	if (group_by == MMS_SYS_BY_SYSCALL)
		return bpf_map_lookup_elem(&stats, &slot);
	s = bpf_map_lookup_elem(&gstats, &key);
	if (s)
		return s;
	if (bpf_map_update_elem(&gstats, &key, &zero_stat, BPF_NOEXIST) == -MMS_E2BIG) {
		count_overflow();
		return NULL;
	}
	if (group_by == MMS_SYS_BY_PROCESS) {
		char comm[16];

		bpf_get_current_comm(comm, sizeof(comm));
		bpf_map_update_elem(&comms, &group, comm, BPF_NOEXIST);
	}
	return bpf_map_lookup_elem(&gstats, &key);
}

static __always_inline void count_errno(__u32 slot, __u64 group, long ret)
{
	struct mms_sys_ekey key = { .group = group, .slot = slot, .err = (__u32)-ret };
	__u64 one = 1, *n = bpf_map_lookup_elem(&errnos, &key);

	if (n)
		(*n)++;
	else if (bpf_map_update_elem(&errnos, &key, &one, BPF_NOEXIST) == -MMS_E2BIG)
		count_overflow();
}

/* log2 slot of v, as mms_hist_slot(): 0 for 0, else 1 + floor(log2(v)), clamped. */
static __always_inline __u32 hist_slot(__u64 v)
{
	__u32 r = 0;

	if (!v)
		return 0;
	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) r += 1;
	r += 1;
	return r < MMS_SYS_BUCKETS ? r : MMS_SYS_BUCKETS - 1;
}

static __always_inline bool is_error(long ret)
{
	return ret < 0 && ret >= -MMS_SYS_ERRNO_MAX;
}

/* ---- which calls ---- */

static __always_inline bool comm_selected(void)
{
	char comm[16];

	bpf_get_current_comm(comm, sizeof(comm));
	for (int i = 0; i < 16; i++) {
		if (comm[i] != targ_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

/*
 * 32-bit calls on a 64-bit x86 kernel (int 0x80, sysenter, and int 0x80 from
 * 64-bit code) carry i386 numbers; the entry code marks them with TS_COMPAT in
 * thread_info.status for the duration of the call.
 */
#define MMS_TS_COMPAT 0x0002

/* The current task: BTF-typed where the kernel has bpf_get_current_task_btf()
 * (5.11+), else a plain pointer read with BPF_CORE_READ (mms_task_btf,
 * filter.bpf.h: the verifier sees only one of the two ways). */
static __always_inline struct task_struct *current_task(void)
{
	if (mms_task_btf)
		return bpf_get_current_task_btf();
	return (struct task_struct *)bpf_get_current_task();
}

/*
 * An AArch32 task on arm64 (a compat task: its calls carry arm EABI numbers)
 * runs with PSR_MODE32_BIT set in the saved pstate of its user registers: the
 * kernel's own compat_user_mode() test, from a UAPI constant, where TIF_32BIT's
 * bit number changes between kernel versions.
 */
#define MMS_PSR_MODE32_BIT 0x00000010

static __always_inline bool in_compat_call(struct task_struct *t, struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	if (bpf_core_field_exists(t->thread_info.status))
		return (mms_task_btf ? t->thread_info.status : BPF_CORE_READ(t, thread_info.status)) &
		       MMS_TS_COMPAT;
#elif defined(__TARGET_ARCH_arm64)
	return BPF_CORE_READ((struct user_pt_regs *)regs, pstate) & MMS_PSR_MODE32_BIT;
#endif
	return false;
}

static __always_inline __u32 slot_of(struct task_struct *t, struct pt_regs *regs, long id)
{
	if (id < 0)
		return MMS_SYS_SLOT_OTHER;
	if (in_compat_call(t, regs))
		return id < MMS_SYS_SLOT_OTHER - MMS_SYS_COMPAT_BASE ? MMS_SYS_COMPAT_BASE + id
								  : MMS_SYS_SLOT_OTHER;
	return id < MMS_SYS_NATIVE_MAX ? id : MMS_SYS_SLOT_OTHER;
}

static __always_inline __u8 flags_of(__u32 slot)
{
	/* The mask is what bounds the index for the verifier: kept from clang, which
	 * drops it where it proved the slot in range another way (slot_of on arm64's
	 * sys_exit number, where the verifier could not follow: "R2 unbounded memory
	 * access" on Debian's 6.1 arm64). */
	barrier_var(slot);
	return sys_flags[slot & (MMS_SYS_SLOTS - 1)];
}

/* libbpf has no sixth syscall argument macro: x86_64 passes it in r9, arm64 in x5. */
#if defined(__TARGET_ARCH_x86)
#define SYSCALL_ARG6(regs) BPF_CORE_READ((regs), r9)
#elif defined(__TARGET_ARCH_arm64)
#define SYSCALL_ARG6(regs) BPF_CORE_READ((struct user_pt_regs *)(regs), regs[5])
#else
#define SYSCALL_ARG6(regs) 0
#endif

static __always_inline __u64 syscall_arg(struct pt_regs *regs, int i)
{
	switch (i) {
	case 0: return PT_REGS_PARM1_CORE_SYSCALL(regs);
	case 1: return PT_REGS_PARM2_CORE_SYSCALL(regs);
	case 2: return PT_REGS_PARM3_CORE_SYSCALL(regs);
	case 3: return PT_REGS_PARM4_CORE_SYSCALL(regs);
	case 4: return PT_REGS_PARM5_CORE_SYSCALL(regs);
	default: return SYSCALL_ARG6(regs);
	}
}

/*
 * The filters a call passes to be counted, cheapest first (read-only data set
 * before load: the verifier drops those that are off); *pid_tgid is set for the
 * caller from the task it already has.
 */
static __always_inline bool call_selected(struct task_struct *task, __u8 f, __u64 *pid_tgid)
{
	if (filter_sys && !(f & MMS_SYSF_TRACED))
		return false;
	*pid_tgid = mms_task_btf ? (__u64)task->tgid << 32 | (__u32)task->pid :
				   bpf_get_current_pid_tgid();
	if (!task_selected_tgid(*pid_tgid >> 32))
		return false;
	return !filter_comm || comm_selected();
}

/* The counters of a returned call, its call counted; NULL when --errors leaves it
 * out, or when its group's table is full (counted as overflow by stat_of). */
static __always_inline struct mms_sys_stat *count_call(__u32 slot, __u64 pid_tgid, long ret,
							__u64 *group)
{
	struct mms_sys_stat *st;

	if (errors_only && !is_error(ret))
		return NULL;
	*group = group_of(pid_tgid);
	st = stat_of(slot, *group);
	if (st)
		st->calls++;
	return st;
}

/* A returned call's result into its counters: --mm bytes (len, or the return
 * value where that is the length), and a failure with its errno. */
static __always_inline void count_result(struct mms_sys_stat *st, __u32 slot, __u64 group, __u8 f,
					 long ret, __u64 len)
{
	if (mm_bytes) {
		if ((f & MMS_SYSF_LEN_RET) && ret > 0)
			st->bytes += ret;
		else if (!is_error(ret))
			st->bytes += len;
	}
	if (is_error(ret)) {
		st->errors++;
		count_errno(slot, group, ret);
	}
}

/* ---- the flight recorder ---- */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct mms_sys_record);
} records SEC(".maps");

static const struct mms_sys_record empty_record;

static __always_inline void record_call(__u64 pid_tgid, const struct mms_sys_call *c)
{
	__u32 tid = (__u32)pid_tgid;
	struct mms_sys_record *r = bpf_map_lookup_elem(&records, &tid);
	__u32 i;

	if (!r) {
		if (bpf_map_update_elem(&records, &tid, &empty_record, BPF_NOEXIST) == -MMS_E2BIG) {
			count_overflow();
			return;
		}
		r = bpf_map_lookup_elem(&records, &tid);
		if (!r)
			return;
		r->pid = tid;
		r->tgid = pid_tgid >> 32;
		r->cgroup_id = current_memcg_id();
		bpf_get_current_comm(r->comm, sizeof(r->comm));
	}
	i = (__u32)(r->n % record_n);
	if (i >= MMS_SYS_RECORD_MAX)
		return;
	r->ring[i] = *c;
	r->n++;
}

/* ---- the programs ---- */

SEC("raw_tp/sys_enter")
int BPF_PROG(raw_tp_sys_enter, struct pt_regs *regs, long id)
{
	/* One helper call gives the task for the compat check and the ids (where
	 * bpf_get_current_pid_tgid() would be a second call; it is, before 5.11). */
	struct task_struct *task = current_task();
	__u64 pid_tgid;
	struct inflight *s;
	__u32 slot = slot_of(task, regs, id);
	__u8 f = flags_of(slot);

	if (!call_selected(task, f, &pid_tgid))
		return 0;
	if (f & MMS_SYSF_NORETURN) {
		/* exit and exit_group never reach sys_exit: a call without a latency. */
		struct mms_sys_stat *st;

		if (errors_only)
			return 0;
		st = stat_of(slot, group_of(pid_tgid));
		if (st)
			st->calls++;
		return 0;
	}
	s = inflight_of((__u32)pid_tgid, true);
	if (!s) {
		count_lost();
		return 0;
	}
	s->slot = slot;
	if (mm_bytes && (f & MMS_SYSF_LEN_MASK))
		s->len = syscall_arg(regs, ((f & MMS_SYSF_LEN_MASK) >> MMS_SYSF_LEN_SHIFT) - 1);
	else
		s->len = 0;
	if (want_args) {
		for (int i = 0; i < 6; i++)
			s->args[i] = syscall_arg(regs, i);
	}
	s->ts_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("raw_tp/sys_exit")
int BPF_PROG(raw_tp_sys_exit, struct pt_regs *regs, long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid(), now, lat, group, len;
	struct inflight *s = inflight_of((__u32)pid_tgid, false);
	struct mms_sys_stat *st;
	__u32 slot;

	if (!s || !s->ts_ns)
		return 0;
	now = bpf_ktime_get_ns();
	lat = now - s->ts_ns;
	s->ts_ns = 0;
	slot = s->slot;
	len = s->len;
	st = count_call(slot, pid_tgid, ret, &group);
	if (!st)
		return 0;
	st->total_ns += lat;
	if (lat > st->max_ns)
		st->max_ns = lat;
	st->hist[hist_slot(lat)]++;
	count_result(st, slot, group, mm_bytes ? flags_of(slot) : 0, ret, len);
	if (!want_args)
		return 0;
	{
		struct mms_sys_call c = { .ts_ns = now, .latency_ns = lat, .ret = ret, .slot = slot };

		for (int i = 0; i < 6; i++)
			c.args[i] = s->args[i];
		if (record_n)
			record_call(pid_tgid, &c);
		if (slow_ns && lat >= slow_ns) {
			struct mms_sys_event *e = event_reserve(sizeof(*e));

			if (!e)
				return 0;
			e->kind = MMS_SYS_EV_SLOW;
			e->pid = (__u32)pid_tgid;
			e->tgid = pid_tgid >> 32;
			e->cgroup_id = current_memcg_id();
			bpf_get_current_comm(e->comm, sizeof(e->comm));
			e->call = c;
			event_submit(e);
		}
	}
	return 0;
}

/*
 * The number of the call a thread returns from: what the kernel's own
 * syscall_get_nr() reads, x86's orig_ax, arm64's syscallno (a field of the
 * arm64 struct pt_regs, relocated by CO-RE through a flavour of our own when
 * vmlinux.h is another CPU's; bpf_tracing.h already has a ___arm64 one).
 */
#if defined(__TARGET_ARCH_arm64)
struct pt_regs___mms_arm64 {
	__s32 syscallno;
} __attribute__((preserve_access_index));
#endif

static __always_inline long syscall_nr_at_exit(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return BPF_CORE_READ(regs, orig_ax);
#elif defined(__TARGET_ARCH_arm64)
	return BPF_CORE_READ((struct pt_regs___mms_arm64 *)regs, syscallno);
#else
	return -1;
#endif
}

/*
 * Counting without timing (the default: no -L, -H, --slow, --record, --sort
 * time or p99): this program alone, on sys_exit, so a call costs one program
 * run where timing costs two (the entry's dispatch alone is most of the
 * difference). Calls, errors per errno and --mm bytes need nothing from the
 * entry: the number is in the saved registers, and so are the arguments (a
 * call does not change them, arm64's x0 aside, whose value at entry is
 * orig_x0, which PT_REGS_PARM1_CORE_SYSCALL reads). exit and exit_group never
 * return, so they are not counted here.
 */
SEC("raw_tp/sys_exit")
int BPF_PROG(raw_tp_sys_exit_count, struct pt_regs *regs, long ret)
{
	struct task_struct *task = current_task();
	__u32 slot = slot_of(task, regs, syscall_nr_at_exit(regs));
	__u8 f = flags_of(slot);
	struct mms_sys_stat *st;
	__u64 pid_tgid, group, len = 0;

	if (!call_selected(task, f, &pid_tgid))
		return 0;
	st = count_call(slot, pid_tgid, ret, &group);
	if (!st)
		return 0;
	if (mm_bytes && (f & MMS_SYSF_LEN_MASK) && !is_error(ret))
		len = syscall_arg(regs, ((f & MMS_SYSF_LEN_MASK) >> MMS_SYSF_LEN_SHIFT) - 1);
	count_result(st, slot, group, f, ret, len);
	return 0;
}

/*
 * A thread's end: its flight record goes to user space when its process dies of
 * a signal (exit_code holds the signal: a fatal signal, SIGKILL of the OOM killer
 * included, makes every thread exit with it), and is dropped otherwise.
 */
SEC("raw_tp/sched_process_exit")
int raw_tp_sched_process_exit(__u64 *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct task_struct *task = current_task();
	struct mms_sys_record *r;
	int sig;

	if (!record_n)
		return 0;
	r = bpf_map_lookup_elem(&records, &tid);
	if (!r)
		return 0;
	sig = (mms_task_btf ? task->exit_code : BPF_CORE_READ(task, exit_code)) & 0x7f;
	if (sig) {
		r->kind = MMS_SYS_EV_DUMP;
		r->exit_signal = sig;
		bpf_get_current_comm(r->comm, sizeof(r->comm));
		if (bpf_ringbuf_output(&events, r, sizeof(*r), 0))
			count_lost();
	}
	bpf_map_delete_elem(&records, &tid);
	return 0;
}
