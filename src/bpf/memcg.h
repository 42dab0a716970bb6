/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The contract between the memcg iterators (memcg.bpf.c: CO-RE, memcg_kfunc.bpf.c:
 * kfuncs) and their loader (src/lib/memcg/memcg_iter.c, memcg_core.c,
 * memcg_kfunc.c): what user space asks for (one source per output slot) and the
 * fixed-size record the iterator writes per cgroup.
 *
 * Records go into an mmap-able array map, not through the seq_file: bpf_seq_read()
 * has a fixed 8-page buffer and the cgroup iterator refuses to resume a walk in a
 * second read() (cgroup_mutex was dropped: -EOPNOTSUPP), so one pass through the
 * seq_file holds ~32 KiB, about 300 cgroups of a dozen statistics. The seq_file
 * carries only the summary written at the end of the walk.
 */
#ifndef MMS_BPF_MEMCG_H
#define MMS_BPF_MEMCG_H

#define MEMCG_REC_STATS 64   /* = MMS_MEMCG_STATS_MAX */
#define MEMCG_SUM_MAX 4      /* pgscan = kswapd + direct + khugepaged + proactive */
#define MEMCG_RAW_MAX 160    /* vmstats state[]/events[] entries a dump can hold */
#define MEMCG_DUMP_MAX 64    /* cgroups a verification dump covers */

/* Where one output slot comes from. */
enum memcg_src_kind {
	MSK_NONE,      /* not served by BPF (text serves it) */
	MSK_STATE,     /* core: vmstats->state[idx[..]] x mult, summed over nr */
	MSK_EVENT,     /* core: vmstats->events[idx[..]] x mult, summed over nr */
	MSK_MEMEV,     /* memory_events[idx[0]] */
	MSK_USAGE,     /* page counter memory.usage, pages -> bytes */
	MSK_LIMIT,     /* memory.max */
	MSK_HIGH,      /* memory.high */
	MSK_SWAP,      /* v2: the swap page counter's usage */
	MSK_ITEM,      /* kfunc: item ids idx[..] (enum memcg_item), summed over nr */
};

struct memcg_src {
	unsigned char kind;
	unsigned char nr;
	unsigned short idx[MEMCG_SUM_MAX];
	unsigned int mult;
};

#define MEMCG_REC_NO_MEMCG 1 /* the cgroup has no memory css (v2 controller off) */
#define MEMCG_REC_ROOT 2     /* the hierarchy's root cgroup (no parent) */

/* Values are raw (pages, counts): the loader scales them. */
struct memcg_rec {
	unsigned long long id;
	unsigned long long parent_id;
	unsigned long long present; /* bit i: v[i] was read (kfuncs say -1 for untracked) */
	unsigned int flags;
	unsigned int pad;
	unsigned long long v[MEMCG_REC_STATS];
};

/* What user space sets before each pass (a global, mmap-ed by the skeleton). */
struct memcg_cfg {
	unsigned int nr;       /* slots in src */
	unsigned int dump;     /* 1: write raw vmstats arrays into the dumps map instead */
	unsigned int self_only; /* core: the link is SELF_ONLY; remember its cgroup */
	/* core: the spans of state[] and events[] the slots in src use: only those are
	 * copied per cgroup (src idx are absolute; n = 0: none) */
	unsigned int state_lo, state_n, events_lo, events_n;
	struct memcg_src src[MEMCG_REC_STATS];
};

struct memcg_dump {
	unsigned long long id;
	unsigned long long parent_id;
	unsigned int nr_state, nr_events;
	long long state[MEMCG_RAW_MAX];
	long long events[MEMCG_RAW_MAX];
};

/* Written through the seq_file when the walk ends. */
struct memcg_summary {
	unsigned int nr;       /* records written */
	unsigned int overflow; /* cgroups that did not fit the records map */
	unsigned int nr_state; /* entries of vmstats state[] and events[] on this kernel */
	unsigned int nr_events;
};

/*
 * Statistics the kfunc backend names by kernel enumerator; the program relocates each
 * name against node_stat_item, memcg_stat_item, vm_event_item and
 * memcg_memory_event (whichever has it on the running kernel: PGSCAN_* moved from
 * vm_event_item to node_stat_item after 6.18, MEMCG_VMALLOC became NR_VMALLOC).
 */
#define MEMCG_ITEMS(X)                                                                 \
	X(NR_INACTIVE_ANON) X(NR_ACTIVE_ANON) X(NR_INACTIVE_FILE) X(NR_ACTIVE_FILE)     \
	X(NR_UNEVICTABLE) X(NR_SLAB_RECLAIMABLE_B) X(NR_SLAB_UNRECLAIMABLE_B)           \
	X(WORKINGSET_REFAULT_ANON) X(WORKINGSET_REFAULT_FILE)                           \
	X(WORKINGSET_ACTIVATE_ANON) X(WORKINGSET_ACTIVATE_FILE)                         \
	X(WORKINGSET_RESTORE_ANON) X(WORKINGSET_RESTORE_FILE) X(WORKINGSET_NODERECLAIM) \
	X(NR_ANON_MAPPED) X(NR_FILE_MAPPED) X(NR_FILE_PAGES) X(NR_FILE_DIRTY)           \
	X(NR_WRITEBACK) X(NR_SHMEM) X(NR_SHMEM_THPS) X(NR_FILE_THPS) X(NR_ANON_THPS)    \
	X(NR_KERNEL_STACK_KB) X(NR_PAGETABLE) X(NR_SECONDARY_PAGETABLE) X(NR_SWAPCACHE) \
	X(MEMCG_SWAP) X(MEMCG_SOCK) X(MEMCG_PERCPU_B) X(MEMCG_VMALLOC) X(NR_VMALLOC)    \
	X(MEMCG_KMEM) X(MEMCG_ZSWAP_B) X(MEMCG_ZSWAPPED)                                \
	X(PGPGIN) X(PGPGOUT) X(PSWPIN) X(PSWPOUT)                                       \
	X(PGSCAN_KSWAPD) X(PGSCAN_DIRECT) X(PGSCAN_KHUGEPAGED) X(PGSCAN_PROACTIVE)      \
	X(PGSTEAL_KSWAPD) X(PGSTEAL_DIRECT) X(PGSTEAL_KHUGEPAGED) X(PGSTEAL_PROACTIVE)  \
	X(PGFAULT) X(PGMAJFAULT) X(PGREFILL) X(PGACTIVATE) X(PGDEACTIVATE)              \
	X(THP_FAULT_ALLOC) X(THP_COLLAPSE_ALLOC)                                        \
	X(MEMCG_LOW) X(MEMCG_HIGH) X(MEMCG_MAX) X(MEMCG_OOM) X(MEMCG_OOM_KILL)          \
	X(MEMCG_OOM_GROUP_KILL) X(MEMCG_SOCK_THROTTLED)

#define MEMCG_ITEM_ENUM(n) MI_##n,
enum memcg_item { MEMCG_ITEMS(MEMCG_ITEM_ENUM) MI_NR };
#undef MEMCG_ITEM_ENUM

/* What an item resolved to on the running kernel (kfunc program, first call). */
enum memcg_item_kind { MIK_NONE, MIK_PAGE_STATE, MIK_VM_EVENT, MIK_MEMORY_EVENT };

#endif
