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
	__u64 ts_ns;
	__u64 gfp;
	__s32 order;
	__u32 kind;
	__s32 nid;
	__s32 zid;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct start);
} starts SEC(".maps");

static __always_inline int on_begin(__u64 *ctx, __u32 kind)
{
	struct start s = { .kind = kind, .nid = -1, .zid = -1 };
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (!task_selected())
		return 0;
	if (begin_gfp_first) {
		s.gfp = ctx[0];
		s.order = (__s32)ctx[1];
	} else {
		s.order = (__s32)ctx[0];
		s.gfp = ctx[1];
	}
	s.ts_ns = bpf_ktime_get_ns();
	bpf_map_update_elem(&starts, &tid, &s, BPF_ANY);
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

static __always_inline int on_end(__u64 *ctx, __u32 kind)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct start *s = bpf_map_lookup_elem(&starts, &tid);

	/* A begin of another kind would be a nesting the kernel does not do: drop it. */
	if (!s || s->kind != kind)
		return 0;
	send(s, ctx[0]);
	bpf_map_delete_elem(&starts, &tid);
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
	return on_end(ctx, MMS_RECLAIM_DIRECT);
}

SEC("raw_tp/mm_vmscan_memcg_reclaim_begin")
int raw_tp_mm_vmscan_memcg_reclaim_begin(__u64 *ctx)
{
	return on_begin(ctx, MMS_RECLAIM_MEMCG);
}

SEC("raw_tp/mm_vmscan_memcg_reclaim_end")
int raw_tp_mm_vmscan_memcg_reclaim_end(__u64 *ctx)
{
	return on_end(ctx, MMS_RECLAIM_MEMCG);
}

/*
 * kswapd_wake fires in kswapd itself each time it starts balancing; it may balance
 * again without sleeping, so a run is from the first wake after a sleep to the
 * sleep. The thread is the kswapd of the node, so the tid keys the run too.
 */
SEC("raw_tp/mm_vmscan_kswapd_wake")
int raw_tp_mm_vmscan_kswapd_wake(__u64 *ctx)
{
	struct start s = { .kind = MMS_RECLAIM_KSWAPD };
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (!task_selected())
		return 0;
	s.nid = (__s32)ctx[0];
	s.zid = (__s32)ctx[1];
	s.order = (__s32)ctx[2];
	s.ts_ns = bpf_ktime_get_ns();
	bpf_map_update_elem(&starts, &tid, &s, BPF_NOEXIST);
	return 0;
}

SEC("raw_tp/mm_vmscan_kswapd_sleep")
int raw_tp_mm_vmscan_kswapd_sleep(__u64 *ctx)
{
	return on_end((__u64[]){ 0 }, MMS_RECLAIM_KSWAPD);
}
