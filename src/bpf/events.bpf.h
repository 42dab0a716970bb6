/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The event stream every tracing program shares: one BPF ring buffer named
 * "events" (its size is set by the loader before load) and a per-CPU counter
 * named "lost" of events that did not fit. Losing an event is never silent: the
 * user side (mms_evloop_lost() in src/lib/tracing.c) sums "lost" for the summary.
 */
#ifndef MMS_EVENTS_BPF_H
#define MMS_EVENTS_BPF_H

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

static __always_inline void count_lost(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&lost, &zero);

	if (n)
		(*n)++; /* per-CPU slot: no atomic needed */
}

/* Reserves size bytes in the ring buffer, counting a loss when it is full. */
static __always_inline void *event_reserve(__u64 size)
{
	void *e = bpf_ringbuf_reserve(&events, size, 0);

	if (!e)
		count_lost();
	return e;
}

/*
 * Bytes in use above which a record wakes the reader; 0: a quarter of the buffer,
 * asked of the kernel per record. Loaders that know the buffer's size set it
 * (one query per record instead of two).
 */
const volatile __u64 events_wakeup_bytes = 0;

/*
 * Submits a reserved record without waking the reader, unless the buffer is
 * getting full: a wakeup is an irq_work plus a reader wake-up per event, paid
 * in the traced task's context; the reader drains at least every 100 ms
 * (mms_evloop_run), so a record waits at most that long, and never overflows
 * unless more than the rest of the buffer arrives before the reader runs.
 */
static __always_inline void event_submit(void *e)
{
	__u64 used = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 limit = events_wakeup_bytes;

	if (!limit)
		limit = bpf_ringbuf_query(&events, BPF_RB_RING_SIZE) / 4;
	bpf_ringbuf_submit(e, used < limit ? BPF_RB_NO_WAKEUP : BPF_RB_FORCE_WAKEUP);
}

#endif
