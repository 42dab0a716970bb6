// SPDX-License-Identifier: GPL-2.0
/*
 * Compaction runs: one record per compact_zone() call, from mm_compaction_begin to
 * mm_compaction_end, with who asked (read from the struct compact_control the
 * tracepoints pass), the mode, the result and the zone's free block counts per
 * order at the start, read here with CO-RE from zone->free_area[]: the
 * fragmentation index of the requested order is then computed by the user side
 * for the moment compaction began, not for whenever the record is read (and
 * without the kprobe that compactsnoop -e needs for it).
 * mm_compaction_try_to_compact_pages marks a direct compaction (gfp, priority);
 * mm_compaction_suitable results are counted; mm_compaction_finished counts passes.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "events.bpf.h"
#include "filter.bpf.h"
#include "compact.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u64 min_ns = 0;

/*
 * Before the tracepoints took the struct compact_control (Debian 11's 5.10 has
 * the old ones), mm_compaction_begin/end passed (zone_start, migrate_pfn,
 * free_pfn, zone_end, sync[, status]): no cc, so no order, zone or who. The
 * loader picks the *_pfns programs there (from the tracepoint's BTF
 * prototype): they take the zone and order from the mm_compaction_suitable
 * that compact_zone() traces just before it begins (an order >= 0 run only;
 * whole-zone runs skip it), and who from whether a kernel thread runs it.
 */
const volatile bool pfn_args = false; /* the loader's choice of programs, below */

struct suit {
	__u64 zone;
	__s32 order;
};

/* The last mm_compaction_suitable of a thread that said "continue" (pfns programs). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct suit);
} suits SEC(".maps");

struct direct {
	__u64 gfp;
	__s32 prio;
	__s32 order;
};

/* Direct compaction in progress per thread (LRU: an entry is never deleted). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct direct);
} directs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct compact_event);
} runs SEC(".maps");

/* mm_compaction_suitable results, by enum compact_result value. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MMS_COMPACT_RESULTS);
	__type(key, __u32);
	__type(value, __u64);
} suitable SEC(".maps");

static const struct compact_event zero_event;

static __always_inline __u32 who_of(struct compact_control *cc, int order)
{
	if (BPF_CORE_READ_BITFIELD_PROBED(cc, direct_compaction))
		return MMS_COMPACT_DIRECT;
	/*
	 * CO-RE shim: proactive compaction and cc->proactive_compaction arrived in
	 * Linux 5.9 ("mm: proactive compaction"); before it, order -1 is manual only.
	 */
	if (bpf_core_field_exists(cc->proactive_compaction) &&
	    BPF_CORE_READ_BITFIELD_PROBED(cc, proactive_compaction))
		return MMS_COMPACT_PROACTIVE;
	return order < 0 ? MMS_COMPACT_MANUAL : MMS_COMPACT_KCOMPACTD;
}

static __always_inline void read_zone(struct compact_event *e, struct zone *zone)
{
	struct pglist_data *pgdat = BPF_CORE_READ(zone, zone_pgdat);
	__u32 n = bpf_core_field_size(zone->free_area) / bpf_core_type_size(struct free_area);
	const char *name = BPF_CORE_READ(zone, name);

	e->nid = BPF_CORE_READ(pgdat, node_id);
	/* zone_idx(): the zone's place in its node's node_zones[]. */
	e->zid = ((__u64)zone - (__u64)&pgdat->node_zones[0]) / bpf_core_type_size(struct zone);
	bpf_probe_read_kernel_str(e->zone, sizeof(e->zone), name);
	if (n > MMS_COMPACT_ORDERS)
		n = MMS_COMPACT_ORDERS;
	e->nr_orders = n;
	/* Racy like /proc/buddyinfo and the kernel's own fragmentation_index(). */
	for (__u32 o = 0; o < MMS_COMPACT_ORDERS; o++) {
		if (o >= n)
			break;
		e->free_blocks[o] = BPF_CORE_READ(zone, free_area[o].nr_free);
	}
}

SEC("raw_tp/mm_compaction_try_to_compact_pages")
int raw_tp_mm_compaction_try_to_compact_pages(__u64 *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct direct d = { .order = (__s32)ctx[0], .gfp = ctx[1], .prio = (__s32)ctx[2] };

	if (!task_selected())
		return 0;
	bpf_map_update_elem(&directs, &tid, &d, BPF_ANY);
	return 0;
}

/* The run's record, zeroed, for this thread; NULL when the map is full. */
static __always_inline struct compact_event *run_start(__u32 tid)
{
	if (bpf_map_update_elem(&runs, &tid, &zero_event, BPF_ANY))
		return NULL;
	return bpf_map_lookup_elem(&runs, &tid);
}

/* What a direct run adds: the request try_to_compact_pages traced. */
static __always_inline void run_direct(struct compact_event *e, __u32 tid)
{
	struct direct *d;

	e->prio = -1;
	if (e->who != MMS_COMPACT_DIRECT)
		return;
	d = bpf_map_lookup_elem(&directs, &tid);
	if (d) {
		e->gfp = d->gfp;
		e->prio = d->prio;
	}
}

/* (struct compact_control *cc, unsigned long zone_start, unsigned long zone_end, bool sync) */
SEC("raw_tp/mm_compaction_begin")
int raw_tp_mm_compaction_begin(__u64 *ctx)
{
	struct compact_control *cc = (struct compact_control *)ctx[0];
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct compact_event *e;

	if (!task_selected())
		return 0;
	e = run_start(tid);
	if (!e)
		return 0;
	e->order = BPF_CORE_READ(cc, order);
	e->mode = BPF_CORE_READ(cc, mode);
	e->who = who_of(cc, e->order);
	run_direct(e, tid);
	read_zone(e, BPF_CORE_READ(cc, zone));
	e->ts_ns = bpf_ktime_get_ns();
	return 0;
}

#define MMS_PF_KTHREAD 0x00200000 /* include/linux/sched.h, unchanged since 2.6 */

/* (unsigned long zone_start, migrate_pfn, free_pfn, zone_end, bool sync): see struct suit */
SEC("raw_tp/mm_compaction_begin")
int raw_tp_mm_compaction_begin_pfns(__u64 *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	bool kthread = BPF_CORE_READ(task, flags) & MMS_PF_KTHREAD;
	struct compact_event *e;
	struct suit *s;

	if (!task_selected())
		return 0;
	e = run_start(tid);
	if (!e)
		return 0;
	e->mode = ctx[4] & 0xff ? bpf_core_enum_value(enum migrate_mode, MIGRATE_SYNC_LIGHT) :
				  bpf_core_enum_value(enum migrate_mode, MIGRATE_ASYNC);
	s = bpf_map_lookup_elem(&suits, &tid);
	if (s) {
		/* An order's run: kcompactd's, or an allocating task's. */
		e->order = s->order;
		e->who = kthread ? MMS_COMPACT_KCOMPACTD : MMS_COMPACT_DIRECT;
		read_zone(e, (struct zone *)s->zone);
		bpf_map_delete_elem(&suits, &tid);
	} else {
		/* A whole-zone run (order -1): proactive in kcompactd, else manual. */
		e->order = -1;
		e->who = kthread ? MMS_COMPACT_PROACTIVE : MMS_COMPACT_MANUAL;
		e->nid = -1;
		e->zid = -1;
	}
	run_direct(e, tid);
	e->ts_ns = bpf_ktime_get_ns();
	return 0;
}

static __always_inline void run_end(__s32 status)
{
	__u64 id = bpf_get_current_pid_tgid(), now = bpf_ktime_get_ns();
	__u32 tid = (__u32)id;
	struct compact_event *run = bpf_map_lookup_elem(&runs, &tid), *e;

	if (!run)
		return;
	if (now - run->ts_ns >= min_ns) {
		e = event_reserve(sizeof(*e));
		if (e) {
			__builtin_memcpy(e, run, sizeof(*e));
			e->latency_ns = now - run->ts_ns;
			e->ts_ns = now;
			e->status = status;
			e->memcg_id = current_memcg_id();
			e->pid = tid;
			e->tgid = id >> 32;
			bpf_get_current_comm(e->comm, sizeof(e->comm));
			event_submit(e);
		}
	}
	bpf_map_delete_elem(&runs, &tid);
}

/* (..., bool sync, int status) */
SEC("raw_tp/mm_compaction_end")
int raw_tp_mm_compaction_end(__u64 *ctx)
{
	run_end((__s32)ctx[4]);
	return 0;
}

/* (zone_start, migrate_pfn, free_pfn, zone_end, bool sync, int status) */
SEC("raw_tp/mm_compaction_end")
int raw_tp_mm_compaction_end_pfns(__u64 *ctx)
{
	run_end((__s32)ctx[5]);
	return 0;
}

/* (struct zone *zone, int order, int ret) */
SEC("raw_tp/mm_compaction_suitable")
int raw_tp_mm_compaction_suitable(__u64 *ctx)
{
	__u32 ret = (__u32)ctx[2];
	__u64 *n;

	if (!task_selected())
		return 0;
	n = bpf_map_lookup_elem(&suitable, &ret);
	if (n)
		(*n)++;
	if (!pfn_args)
		return 0;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (ret == bpf_core_enum_value(enum compact_result, COMPACT_CONTINUE)) {
		struct suit s = { .zone = ctx[0], .order = (__s32)ctx[1] };

		bpf_map_update_elem(&suits, &tid, &s, BPF_ANY);
	} else {
		bpf_map_delete_elem(&suits, &tid); /* no run follows */
	}
	return 0;
}

SEC("raw_tp/mm_compaction_finished")
int raw_tp_mm_compaction_finished(__u64 *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct compact_event *run = bpf_map_lookup_elem(&runs, &tid);

	if (run)
		run->passes++;
	return 0;
}
