// SPDX-License-Identifier: GPL-2.0
/*
 * The "core" memcg backend: a cgroup iterator that reads struct mem_cgroup with CO-RE
 * on kernels without the memcg kfuncs (6.1 .. 6.19), on cgroup v1 and v2 hierarchies.
 * Page counters and memory_events[] are read directly; the vmstats state[] and
 * events[] arrays are read whole and picked by the slots user space verified against
 * the kernel's own memory.stat (see src/lib/memcg/memcg_core.c): the dense slot order is not in BTF.
 * Values are as fresh as the last rstat flush (the kernel flushes every 2 s, and each
 * memory.stat read flushes), exactly what memory.stat shows at that moment.
 *
 * One record per cgroup goes into an mmap-able array map; the seq_file carries only
 * the summary (see memcg.h for why).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "memcg.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1); /* sized by the loader */
	__type(key, __u32);
	__type(value, struct memcg_rec);
} records SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, MEMCG_DUMP_MAX);
	__type(key, __u32);
	__type(value, struct memcg_dump);
} dumps SEC(".maps");

struct raw {
	long long state[MEMCG_RAW_MAX];
	long long events[MEMCG_RAW_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct raw);
} scratch SEC(".maps");

struct memcg_cfg cfg = {};
__u32 nr_out, overflow;
__u64 self_cgrp; /* struct cgroup * of the self-only link's cgroup */

static __always_inline unsigned int state_bytes(void)
{
	unsigned int n = bpf_core_field_size(struct memcg_vmstats, state);

	return n > MEMCG_RAW_MAX * 8 ? MEMCG_RAW_MAX * 8 : n;
}

static __always_inline unsigned int events_bytes(void)
{
	unsigned int n = bpf_core_field_size(struct memcg_vmstats, events);

	return n > MEMCG_RAW_MAX * 8 ? MEMCG_RAW_MAX * 8 : n;
}

/*
 * The vmstats arrays. struct memcg_vmstats hangs off mem_cgroup by pointer since 6.1
 * ("memcg: extract memcg_vmstats from struct mem_cgroup"); cgroup iterators arrived in
 * 6.1 too, so no kernel this program loads on has the older embedded struct.
 */
static __always_inline int read_raw(struct memcg_vmstats *vm, long long *state,
				    long long *events)
{
	if (bpf_probe_read_kernel(state, state_bytes(),
				  (void *)vm + bpf_core_field_offset(struct memcg_vmstats, state)))
		return -1;
	return bpf_probe_read_kernel(events, events_bytes(),
				     (void *)vm + bpf_core_field_offset(struct memcg_vmstats, events));
}

static __always_inline struct mem_cgroup *memcg_of(struct cgroup *cgrp)
{
	int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	struct cgroup_subsys_state *css = NULL;

	bpf_probe_read_kernel(&css, sizeof(css),
			      (void *)cgrp + bpf_core_field_offset(struct cgroup, subsys) +
				      id * sizeof(css));
	/* css is the first member of mem_cgroup, but let CO-RE say so. */
	return css ? (void *)css - bpf_core_field_offset(struct mem_cgroup, css) : NULL;
}

static __always_inline void dump_one(struct mem_cgroup *memcg, __u64 id, __u64 parent_id)
{
	__u32 k = nr_out;
	struct memcg_dump *d = bpf_map_lookup_elem(&dumps, &k);
	struct memcg_vmstats *vm = BPF_CORE_READ(memcg, vmstats);

	if (!d || !vm) {
		overflow++;
		return;
	}
	d->id = id;
	d->parent_id = parent_id;
	d->nr_state = state_bytes() / 8;
	d->nr_events = events_bytes() / 8;
	if (!read_raw(vm, d->state, d->events))
		nr_out++;
}

/* Sums the slots of s from arr, which holds the array's entries from lo on. */
static __always_inline __u64 sum_slots(const struct memcg_src *s, const long long *arr,
				       unsigned int lo, bool clamp)
{
	__u64 sum = 0;

	for (int k = 0; k < MEMCG_SUM_MAX; k++) {
		unsigned int idx = s->idx[k] - lo;
		long long v;

		if (k >= s->nr || idx >= MEMCG_RAW_MAX)
			break;
		v = arr[idx];
		/* memcg_page_state() shows a transiently negative sum as 0, so do we. */
		sum += clamp && v < 0 ? 0 : v;
	}
	return sum;
}

/*
 * Copies the spans of state[] and events[] that the configured slots use (a dozen
 * statistics touch a few hundred bytes of the 1-2 KiB arrays: the copy was most of the
 * per-cgroup cost).
 */
static __always_inline int read_spans(struct memcg_vmstats *vm, long long *state,
				      long long *events)
{
	unsigned int lo = cfg.state_lo, n = cfg.state_n, max = state_bytes() / 8;
	void *base;

	if (n) {
		if (lo >= max || n > max - lo || n > MEMCG_RAW_MAX)
			return -1;
		base = (void *)vm + bpf_core_field_offset(struct memcg_vmstats, state);
		if (bpf_probe_read_kernel(state, n * 8, base + lo * 8))
			return -1;
	}
	lo = cfg.events_lo;
	n = cfg.events_n;
	max = events_bytes() / 8;
	if (n) {
		if (lo >= max || n > max - lo || n > MEMCG_RAW_MAX)
			return -1;
		base = (void *)vm + bpf_core_field_offset(struct memcg_vmstats, events);
		if (bpf_probe_read_kernel(events, n * 8, base + lo * 8))
			return -1;
	}
	return 0;
}

/*
 * Fills rec from cgroup cgrp: the iterator's (direct: a trusted BTF pointer, so the
 * cgroup side is read with plain loads, relocated by CO-RE and checked by the
 * verifier, no helper call), or the one a self-only link pins (an address kept in a
 * global: every read through bpf_probe_read_kernel). The memcg side is always read
 * with bpf_probe_read_kernel: from the css, mem_cgroup is a container_of away, which
 * the verifier cannot follow on 6.1 (bpf_rdonly_cast came in 6.2).
 */
static __always_inline void fill_rec(struct cgroup *cgrp, struct memcg_rec *rec,
				    struct raw *raw, bool direct)
{
	struct cgroup_subsys_state *parent;
	struct mem_cgroup *memcg;
	struct memcg_vmstats *vm;

	if (direct) {
		/* Each helper call was ~45 ns here, 11 of them per cgroup: most of a
		 * cgroup's cost, not its cache misses (measured: a second fill_rec of
		 * the same, cached cgroup cost more than the first's whole time). */
		struct cgroup_subsys_state *css =
			cgrp->subsys[bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id)];

		parent = cgrp->self.parent;
		rec->id = cgrp->kn->id;
		rec->parent_id = parent ? parent->cgroup->kn->id : 0;
		memcg = css ? (void *)css - bpf_core_field_offset(struct mem_cgroup, css) : NULL;
	} else {
		parent = BPF_CORE_READ(cgrp, self.parent);
		rec->id = BPF_CORE_READ(cgrp, kn, id);
		rec->parent_id = parent ? BPF_CORE_READ(parent, cgroup, kn, id) : 0;
		memcg = memcg_of(cgrp);
	}
	rec->flags = parent ? 0 : MEMCG_REC_ROOT;
	rec->present = 0;
	if (!memcg) {
		rec->flags |= MEMCG_REC_NO_MEMCG;
		return;
	}
	vm = BPF_CORE_READ(memcg, vmstats);
	if (!vm || read_spans(vm, raw->state, raw->events))
		return;
	for (int i = 0; i < MEMCG_REC_STATS; i++) {
		const struct memcg_src *s = &cfg.src[i];
		unsigned int idx = s->idx[0];
		__u64 v = 0;

		if (i >= cfg.nr)
			break;
		switch (s->kind) {
		case MSK_STATE:
			v = sum_slots(s, raw->state, cfg.state_lo, true);
			break;
		case MSK_EVENT:
			v = sum_slots(s, raw->events, cfg.events_lo, false);
			break;
		case MSK_MEMEV:
			if (idx * 8 >= bpf_core_field_size(struct mem_cgroup, memory_events))
				continue;
			bpf_probe_read_kernel(&v, sizeof(v),
					      (void *)memcg +
						      bpf_core_field_offset(struct mem_cgroup,
									    memory_events) +
						      idx * 8);
			break;
		case MSK_USAGE:
			v = BPF_CORE_READ(memcg, memory.usage.counter);
			break;
		case MSK_LIMIT:
			v = BPF_CORE_READ(memcg, memory.max);
			break;
		case MSK_HIGH:
			v = BPF_CORE_READ(memcg, memory.high);
			break;
		case MSK_SWAP:
			v = BPF_CORE_READ(memcg, swap.usage.counter);
			break;
		default:
			continue;
		}
		rec->v[i] = v;
		rec->present |= 1ull << i;
	}
}

SEC("iter/cgroup")
int memcg_core(struct bpf_iter__cgroup *ctx)
{
	struct cgroup *cgrp = ctx->cgroup;
	struct memcg_rec *rec;
	struct raw *raw;
	__u32 k = 0;

	/* nr_out and overflow are zeroed by user space before each pass: the last call
	 * of a one-cgroup walk also has seq_num 0, so a reset here would lose it. */
	if (!cgrp) {
		struct memcg_summary sum = { nr_out, overflow, state_bytes() / 8,
					     events_bytes() / 8 };

		bpf_seq_write(ctx->meta->seq, &sum, sizeof(sum));
		return 0;
	}
	if (cfg.dump) {
		struct mem_cgroup *memcg = memcg_of(cgrp);
		struct cgroup_subsys_state *parent = BPF_CORE_READ(cgrp, self.parent);

		if (memcg)
			dump_one(memcg, BPF_CORE_READ(cgrp, kn, id),
				 parent ? BPF_CORE_READ(parent, cgroup, kn, id) : 0);
		return 0;
	}
	/* The link of a one-cgroup reader holds a reference on its cgroup for the link's
	 * lifetime (bpf_iter_attach_cgroup: cgroup_get), so the pointer stays valid for
	 * memcg_core_self below as long as user space keeps that link. */
	if (cfg.self_only)
		self_cgrp = (__u64)cgrp;
	raw = bpf_map_lookup_elem(&scratch, &k);
	k = nr_out;
	rec = bpf_map_lookup_elem(&records, &k);
	if (!rec || !raw) {
		overflow++;
		return 0;
	}
	nr_out++;
	fill_rec(cgrp, rec, raw, true);
	return 0;
}

/*
 * The one-cgroup fast path: the same record for the cgroup a self-only link pinned,
 * run by BPF_PROG_TEST_RUN, one bpf() call instead of the iterator's create + read +
 * close (an anonymous inode, a seq_file and its 8-page buffer per snapshot). The test
 * run holds rcu_read_lock() around the program: the memory css and its vmstats are
 * freed only after an RCU grace period, and the cgroup itself is pinned by the link,
 * so every pointer read here stays valid. A cgroup removed meanwhile (no longer
 * online) yields no record. Returns the records written.
 */
SEC("raw_tp")
int memcg_core_self(void *ctx)
{
	struct cgroup *cgrp = (struct cgroup *)self_cgrp;
	struct memcg_rec *rec;
	struct raw *raw;
	__u32 k = 0;

	if (!cgrp || !(BPF_CORE_READ(cgrp, self.flags) & CSS_ONLINE))
		return 0;
	raw = bpf_map_lookup_elem(&scratch, &k);
	rec = bpf_map_lookup_elem(&records, &k);
	if (!rec || !raw)
		return 0;
	fill_rec(cgrp, rec, raw, false);
	return 1;
}
