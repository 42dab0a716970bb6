// SPDX-License-Identifier: GPL-2.0
/*
 * DAMON region snapshots for `mmscope heatmap`: at the end of every aggregation
 * interval each kdamond emits damon:damon_aggregated once per region of each
 * target, in address order, target after target, from its own thread. We send
 * one fixed-size record per region of one kdamond only (its thread id, set by
 * user space in kdamond_tid after the kdamond started): other kdamonds' regions
 * (someone else's) are ignored in the kernel and cost no ring buffer space.
 *
 * Raw tracepoint, attached by name: no tracefs mount needed. Raw tracepoint
 * arguments are the TP_PROTO's, with no field relocation, and the prototype
 * changed after 6.1 (CO-RE shim): 6.1 passes (struct damon_target *t, unsigned
 * int target_id, struct damon_region *r, unsigned int nr_regions), 6.18 and 7.2
 * drop t. Both
 * programs are here; the loader reads btf_trace_damon_aggregated from the
 * kernel's BTF and autoloads only the matching one. struct damon_region itself
 * is read with CO-RE.
 *
 * Frames: kdamond_reset_aggregated() walks targets in order and their regions
 * in address order, so a new aggregation starts where the target index goes
 * down or, within one target, the address does not go up. That is counted here
 * (aggr, idx) rather than in user space, so a full ring buffer (lost records,
 * counted in "lost") cannot shift the frame boundaries.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "events.bpf.h"
#include "damon.h"

char LICENSE[] SEC("license") = "GPL";

/* Written by user space after load: 0 sends nothing. */
__u32 kdamond_tid = 0;

/* Only the watched kdamond's thread runs past the filter: no concurrency. */
static __u64 aggr_seq;
static __u64 last_start;
static __u32 last_target;
static __u32 next_idx;

static __always_inline int on_aggregated(__u32 target_id, struct damon_region *r,
					 __u32 nr_regions)
{
	struct damon_record *e;
	__u64 start;

	if (!kdamond_tid || (__u32)bpf_get_current_pid_tgid() != kdamond_tid)
		return 0;
	start = BPF_CORE_READ(r, ar.start);
	if (target_id < last_target || (target_id == last_target && start <= last_start) ||
	    !aggr_seq) {
		aggr_seq++;
		next_idx = 0;
	} else if (target_id != last_target) {
		next_idx = 0;
	}
	last_target = target_id;
	last_start = start;
	e = event_reserve(sizeof(*e));
	if (!e) {
		next_idx++;
		return 0;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->start = start;
	e->end = BPF_CORE_READ(r, ar.end);
	e->aggr = aggr_seq;
	e->nr_accesses = BPF_CORE_READ(r, nr_accesses);
	e->age = BPF_CORE_READ(r, age);
	e->target_id = target_id;
	e->nr_regions = nr_regions;
	e->idx = next_idx++;
	e->pad = 0;
	event_submit(e);
	return 0;
}

/* 6.2+: TP_PROTO(unsigned int target_id, struct damon_region *r, unsigned int nr_regions) */
SEC("raw_tp/damon_aggregated")
int raw_tp_damon_aggregated(__u64 *ctx)
{
	return on_aggregated((__u32)ctx[0], (struct damon_region *)ctx[1], (__u32)ctx[2]);
}

/* Before: TP_PROTO(struct damon_target *t, unsigned int target_id, struct damon_region *r,
 * unsigned int nr_regions) */
SEC("raw_tp/damon_aggregated")
int raw_tp_damon_aggregated_old(__u64 *ctx)
{
	return on_aggregated((__u32)ctx[1], (struct damon_region *)ctx[2], (__u32)ctx[3]);
}
