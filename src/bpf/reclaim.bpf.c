// SPDX-License-Identifier: GPL-2.0
/*
 * Reclaim stalls: direct reclaim and memcg (limit) reclaim of a task, from the
 * begin/end tracepoint pair around each, and kswapd runs from wake to sleep.
 * Raw tracepoints: they attach by name through bpf() and need no tracefs mount,
 * and unlike fentry they load on every kernel we support. A begin stores the
 * request per thread; the end sends one record with the latency.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "events.bpf.h"
#include "filter.bpf.h"
#include "reclaim.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u64 min_ns = 0;
/*
 * CO-RE shim: after 6.18 (seen in 7.2's BTF) the kernel added the memcg to the
 * vmscan reclaim tracepoints, and the *_reclaim_begin prototypes went from
 * (int order, gfp_t gfp) to (gfp_t gfp, int order, struct mem_cgroup *memcg).
 * Raw tracepoint arguments have no field relocation, so the loader reads the
 * prototype from BTF (btf_trace_mm_vmscan_direct_reclaim_begin) and sets this.
 */
const volatile bool begin_gfp_first = false;

struct start {
	__u64 tid;   /* the slot's owner; 0: free (tid 0 is the idle task, which never reclaims);
		      * 64 bits: clang before 15 has no 32-bit compare-and-swap for BPF */
	__u64 ts_ns; /* 0: no stall or run in progress */
	__u32 kind;
	__u64 gfp;
	__s32 order;
	__s32 nid;
	__s32 zid;
};

/*
 * The request in progress, per thread, in an array slot indexed by the tid's low
 * bits: the verifier inlines an array lookup (a few instructions), where a hash
 * map costs a helper call, hashing, a bucket lock and a free-list pop and push per
 * stall (~0.5 us per begin here, measured with bpf_stats) and task storage a
 * helper call. A thread claims a free slot with a compare-and-swap and frees it at
 * the end; a thread whose slot another thread holds (tids equal modulo the size,
 * both mid-stall, or a slot left behind by an end the kernel skipped) uses the
 * hash map "spill" instead, so no stall is lost to a collision.
 */
#define START_SLOTS 16384 /* a power of two */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, START_SLOTS);
	__type(key, __u32);
	__type(value, struct start);
} starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct start);
} spill SEC(".maps");

__u64 nr_spilled = 0; /* threads ever sent to spill: ends look there only when > 0 */

static const struct start empty_start;

/* The current thread's slot: with claim, taken when free (NULL: no room at all). */
static __always_inline struct start *start_of(bool claim)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), idx = tid & (START_SLOTS - 1);
	struct start *s = bpf_map_lookup_elem(&starts, &idx);

	if (!s || !tid)
		return NULL;
	if (s->tid == tid)
		return s;
#ifndef MMS_BPF_NO_CMPXCHG
	if (claim && __sync_val_compare_and_swap(&s->tid, 0, tid) == 0)
		return s;
#else
	/* No compare-and-swap on this kernel (before 5.12): every thread takes the
	 * spill path, whose BPF_NOEXIST insert is the atomic claim. */
#endif
	if (!claim && !nr_spilled)
		return NULL;
	if (claim) {
		if (bpf_map_update_elem(&spill, &tid, &empty_start, BPF_NOEXIST) == 0)
			__sync_fetch_and_add(&nr_spilled, 1);
	}
	s = bpf_map_lookup_elem(&spill, &tid);
	if (s)
		s->tid = tid;
	return s;
}

/* After the end: the slot is free again (a spill entry just goes idle). */
static __always_inline void start_done(struct start *s)
{
	s->ts_ns = 0;
	s->tid = 0;
}

static __always_inline int on_begin(__u64 *ctx, __u32 kind)
{
	struct start *s;

	if (!task_selected())
		return 0;
	s = start_of(true);
	if (!s) { /* slot taken and the spill map full: the stall cannot be timed */
		count_lost();
		return 0;
	}
	if (begin_gfp_first) {
		s->gfp = ctx[0];
		s->order = (__s32)ctx[1];
	} else {
		s->order = (__s32)ctx[0];
		s->gfp = ctx[1];
	}
	s->kind = kind;
	s->nid = -1;
	s->zid = -1;
	s->ts_ns = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int send(struct start *s, __u64 nr_reclaimed, __u64 now)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct reclaim_event *e;

	if (now - s->ts_ns < min_ns)
		return 0;
	e = event_reserve(sizeof(*e));
	if (!e)
		return 0;
	e->ts_ns = now;
	e->latency_ns = now - s->ts_ns;
	e->gfp = s->gfp;
	e->nr_reclaimed = nr_reclaimed;
	e->memcg_id = current_memcg_id();
	e->pid = (__u32)id;
	e->tgid = id >> 32;
	e->order = s->order;
	e->kind = s->kind;
	e->nid = s->nid;
	e->zid = s->zid;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	event_submit(e);
	return 0;
}

static __always_inline int on_end(__u64 nr_reclaimed, __u32 kind)
{
	/* The clock first, as begin reads it last: the slot's lookup (a hash map's
	 * in the build without compare-and-swap) is not part of the stall. */
	__u64 now = bpf_ktime_get_ns();
	struct start *s = start_of(false);

	/* A begin of another kind would be a nesting the kernel does not do: drop it. */
	if (!s || !s->ts_ns || s->kind != kind)
		return 0;
	send(s, nr_reclaimed, now);
	start_done(s);
	return 0;
}

SEC("raw_tp/mm_vmscan_direct_reclaim_begin")
int raw_tp_mm_vmscan_direct_reclaim_begin(__u64 *ctx)
{
	return on_begin(ctx, MMS_RECLAIM_DIRECT);
}

SEC("raw_tp/mm_vmscan_direct_reclaim_end")
int raw_tp_mm_vmscan_direct_reclaim_end(__u64 *ctx)
{
	return on_end(ctx[0], MMS_RECLAIM_DIRECT);
}

SEC("raw_tp/mm_vmscan_memcg_reclaim_begin")
int raw_tp_mm_vmscan_memcg_reclaim_begin(__u64 *ctx)
{
	return on_begin(ctx, MMS_RECLAIM_MEMCG);
}

SEC("raw_tp/mm_vmscan_memcg_reclaim_end")
int raw_tp_mm_vmscan_memcg_reclaim_end(__u64 *ctx)
{
	return on_end(ctx[0], MMS_RECLAIM_MEMCG);
}

/*
 * kswapd_wake fires in kswapd itself each time it starts balancing; it may balance
 * again without sleeping, so a run is from the first wake after a sleep to the
 * sleep. The thread is the kswapd of the node, so the tid keys the run too.
 */
SEC("raw_tp/mm_vmscan_kswapd_wake")
int raw_tp_mm_vmscan_kswapd_wake(__u64 *ctx)
{
	struct start *s;

	if (!task_selected())
		return 0;
	s = start_of(true);
	if (!s) {
		count_lost();
		return 0;
	}
	if (s->ts_ns) /* a run in progress goes on */
		return 0;
	s->kind = MMS_RECLAIM_KSWAPD;
	s->gfp = 0;
	s->nid = (__s32)ctx[0];
	s->zid = (__s32)ctx[1];
	s->order = (__s32)ctx[2];
	s->ts_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("raw_tp/mm_vmscan_kswapd_sleep")
int raw_tp_mm_vmscan_kswapd_sleep(__u64 *ctx)
{
	return on_end(0, MMS_RECLAIM_KSWAPD);
}
