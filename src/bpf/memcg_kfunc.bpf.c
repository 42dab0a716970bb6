// SPDX-License-Identifier: GPL-2.0
/*
 * The "kfunc" memcg backend (Linux 7.0+): a sleepable cgroup iterator that asks the
 * kernel for each statistic through the memcg kfuncs, so no slot layout is needed:
 * bpf_mem_cgroup_page_state() takes the enum value and does the dense-index lookup
 * itself. It flushes each cgroup's stats first (the same rate-limited flush a
 * memory.stat read does), which is why it must be sleepable.
 *
 * The build machine's vmlinux.h predates the kfuncs: they are declared here __weak and
 * the loader never loads this program where vmlinux BTF lacks them.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "memcg.h"

char LICENSE[] SEC("license") = "GPL";

/* libbpf 1.1 lacks bpf_ksym_exists() (1.2+); the same definition. */
#ifndef bpf_ksym_exists
#define bpf_ksym_exists(sym) ({ !!(sym); })
#endif

extern struct mem_cgroup *bpf_get_mem_cgroup(struct cgroup_subsys_state *css) __ksym __weak;
extern void bpf_put_mem_cgroup(struct mem_cgroup *memcg) __ksym __weak;
extern void bpf_mem_cgroup_flush_stats(struct mem_cgroup *memcg) __ksym __weak;
extern unsigned long bpf_mem_cgroup_page_state(struct mem_cgroup *memcg, int idx) __ksym __weak;
extern unsigned long bpf_mem_cgroup_vm_events(struct mem_cgroup *memcg,
					      enum vm_event_item event) __ksym __weak;
extern unsigned long bpf_mem_cgroup_memory_events(struct mem_cgroup *memcg,
						  enum memcg_memory_event event) __ksym __weak;
extern unsigned long bpf_mem_cgroup_usage(struct mem_cgroup *memcg) __ksym __weak;
extern struct cgroup *bpf_cgroup_from_id(u64 cgid) __ksym __weak;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym __weak;

/*
 * Local flavours of the four enums holding every item name, so each name can be
 * looked up in each enum of the running kernel: items move between them across
 * versions (PGSCAN_*, PGSTEAL_*, PGREFILL left vm_event_item for node_stat_item
 * after 6.18; MEMCG_VMALLOC became node item NR_VMALLOC), and some exist only on newer
 * kernels (MEMCG_SOCK_THROTTLED). libbpf matches names up to the "___" suffix.
 */
#define FLAVOUR_N(n) n##___n,
#define FLAVOUR_M(n) n##___m,
#define FLAVOUR_V(n) n##___v,
#define FLAVOUR_E(n) n##___e,
enum node_stat_item___n { MEMCG_ITEMS(FLAVOUR_N) };
enum memcg_stat_item___m { MEMCG_ITEMS(FLAVOUR_M) };
enum vm_event_item___v { MEMCG_ITEMS(FLAVOUR_V) };
enum memcg_memory_event___e { MEMCG_ITEMS(FLAVOUR_E) };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1); /* sized by the loader */
	__type(key, __u32);
	__type(value, struct memcg_rec);
} records SEC(".maps");

struct memcg_cfg cfg = {};
__u32 nr_out, overflow;
/* The cgroup id of a one-cgroup reader on the v2 hierarchy, for memcg_kfunc_self. */
__u64 self_id;
/* What each item is on this kernel: enum memcg_item_kind and the enum value. */
__u8 item_kind[MI_NR];
int item_val[MI_NR];

#define RESOLVE(n)                                                                          \
	if (bpf_core_enum_value_exists(enum node_stat_item___n, n##___n)) {                \
		item_kind[MI_##n] = MIK_PAGE_STATE;                                         \
		item_val[MI_##n] = bpf_core_enum_value(enum node_stat_item___n, n##___n);   \
	} else if (bpf_core_enum_value_exists(enum memcg_stat_item___m, n##___m)) {        \
		item_kind[MI_##n] = MIK_PAGE_STATE;                                         \
		item_val[MI_##n] = bpf_core_enum_value(enum memcg_stat_item___m, n##___m);  \
	} else if (bpf_core_enum_value_exists(enum vm_event_item___v, n##___v)) {          \
		item_kind[MI_##n] = MIK_VM_EVENT;                                           \
		item_val[MI_##n] = bpf_core_enum_value(enum vm_event_item___v, n##___v);    \
	} else if (bpf_core_enum_value_exists(enum memcg_memory_event___e, n##___e)) {     \
		item_kind[MI_##n] = MIK_MEMORY_EVENT;                                       \
		item_val[MI_##n] = bpf_core_enum_value(enum memcg_memory_event___e, n##___e); \
	} else {                                                                            \
		item_kind[MI_##n] = MIK_NONE;                                               \
	}

static __noinline void resolve_items(void)
{
	MEMCG_ITEMS(RESOLVE)
}

/* One item of memcg: false when the kernel lacks it or does not track it per memcg. */
static __always_inline bool read_item(struct mem_cgroup *memcg, unsigned int item, __u64 *v)
{
	unsigned long x;

	if (item >= MI_NR)
		return false;
	switch (item_kind[item]) {
	case MIK_PAGE_STATE:
		x = bpf_mem_cgroup_page_state(memcg, item_val[item]);
		break;
	case MIK_VM_EVENT:
		x = bpf_mem_cgroup_vm_events(memcg, item_val[item]);
		break;
	case MIK_MEMORY_EVENT:
		x = bpf_mem_cgroup_memory_events(memcg, item_val[item]);
		break;
	default:
		return false;
	}
	if (x == (unsigned long)-1)
		return false;
	*v += x;
	return true;
}

/* Fills rec from cgrp (trusted: the iterator's, or acquired by id). */
static __always_inline void fill_rec(struct cgroup *cgrp, struct memcg_rec *rec)
{
	struct cgroup_subsys_state *parent;
	struct mem_cgroup *memcg;

	rec->id = BPF_CORE_READ(cgrp, kn, id);
	parent = BPF_CORE_READ(cgrp, self.parent);
	rec->parent_id = parent ? BPF_CORE_READ(parent, cgroup, kn, id) : 0;
	rec->flags = parent ? 0 : MEMCG_REC_ROOT;
	rec->present = 0;
	memcg = bpf_get_mem_cgroup(&cgrp->self);
	if (!memcg) {
		rec->flags |= MEMCG_REC_NO_MEMCG;
		return;
	}
	bpf_mem_cgroup_flush_stats(memcg);
	for (int i = 0; i < MEMCG_REC_STATS; i++) {
		const struct memcg_src *s = &cfg.src[i];
		bool got = false;
		__u64 v = 0;

		if (i >= cfg.nr)
			break;
		switch (s->kind) {
		case MSK_ITEM:
			for (int p = 0; p < MEMCG_SUM_MAX; p++) {
				if (p >= s->nr)
					break;
				got |= read_item(memcg, s->idx[p], &v);
			}
			break;
		case MSK_USAGE:
			v = bpf_mem_cgroup_usage(memcg);
			got = true;
			break;
		case MSK_LIMIT:
			v = BPF_CORE_READ(memcg, memory.max);
			got = true;
			break;
		case MSK_HIGH:
			v = BPF_CORE_READ(memcg, memory.high);
			got = true;
			break;
		case MSK_SWAP:
			v = BPF_CORE_READ(memcg, swap.usage.counter);
			got = true;
			break;
		}
		if (got) {
			rec->v[i] = v;
			rec->present |= 1ull << i;
		}
	}
	bpf_put_mem_cgroup(memcg);
}

SEC("iter.s/cgroup")
int memcg_kfunc(struct bpf_iter__cgroup *ctx)
{
	struct cgroup *cgrp = ctx->cgroup;
	struct memcg_rec *rec;
	__u32 k;

	/* nr_out and overflow are zeroed by user space before each pass. */
	if (ctx->meta->seq_num == 0)
		resolve_items();
	if (!cgrp) {
		struct memcg_summary sum = { nr_out, overflow, 0, 0 };

		bpf_seq_write(ctx->meta->seq, &sum, sizeof(sum));
		return 0;
	}
	if (!bpf_ksym_exists(bpf_get_mem_cgroup))
		return 1;
	k = nr_out;
	rec = bpf_map_lookup_elem(&records, &k);
	if (!rec) {
		overflow++;
		return 0;
	}
	nr_out++;
	fill_rec(cgrp, rec);
	return 0;
}

/*
 * The one-cgroup fast path (cgroup v2): the same record in one BPF_PROG_TEST_RUN call
 * instead of the iterator's create + read + close (an anonymous inode, a seq_file and
 * its 8-page buffer per snapshot). A syscall program is sleepable (the flush may
 * sleep) and test-runnable, and the memcg kfuncs are registered for every program
 * type. bpf_cgroup_from_id() looks the id up in the default (v2) hierarchy only,
 * which is why v1 readers keep the iterator; a cgroup removed meanwhile is not found
 * and gives no record. The items were resolved by the iterator's first pass (the
 * loader always runs one at open). Returns the records written.
 */
SEC("syscall")
int memcg_kfunc_self(void *ctx)
{
	struct memcg_rec *rec;
	struct cgroup *cgrp;
	__u32 k = 0;

	if (!bpf_ksym_exists(bpf_cgroup_from_id) || !bpf_ksym_exists(bpf_get_mem_cgroup))
		return 0;
	rec = bpf_map_lookup_elem(&records, &k);
	if (!rec)
		return 0;
	cgrp = bpf_cgroup_from_id(self_id);
	if (!cgrp)
		return 0;
	fill_rec(cgrp, rec);
	bpf_cgroup_release(cgrp);
	return 1;
}
