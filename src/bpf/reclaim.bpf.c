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
	__u64 ts_ns; /* 0: no stall or run in progress */
	__u64 gfp;
	__s32 order;
	__u32 kind;
	__s32 nid;
	__s32 zid;
};

/*
 * The request in progress, per thread: task-local storage rather than a hash map
 * keyed by tid. After the first stall of a thread a lookup is a pointer chase
 * from the task (no hashing, no bucket lock, no free-list pop and push per stall:
 * that cost ~0.5 us per begin here), and a thread that exits mid-stall leaves
 * nothing behind.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct start);
} starts SEC(".maps");

static __always_inline struct start *start_of(bool create)
{
	return bpf_task_storage_get(&starts, bpf_get_current_task_btf(), NULL,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

static __always_inline int on_begin(__u64 *ctx, __u32 kind)
{
	struct start *s;

	if (!task_selected())
		return 0;
	s = start_of(true);
	if (!s)
		return 0;
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

static __always_inline int send(struct start *s, __u64 nr_reclaimed)
{
	__u64 id = bpf_get_current_pid_tgid(), now = bpf_ktime_get_ns();
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
	struct start *s = start_of(false);

	/* A begin of another kind would be a nesting the kernel does not do: drop it. */
	if (!s || !s->ts_ns || s->kind != kind)
		return 0;
	send(s, nr_reclaimed);
	s->ts_ns = 0;
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
	if (!s || s->ts_ns) /* a run in progress goes on */
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
