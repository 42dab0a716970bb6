/* SPDX-License-Identifier: GPL-2.0 */
/* The record compact.bpf.c sends per compaction run of one zone: the contract. */
#ifndef MMS_COMPACT_H
#define MMS_COMPACT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define MMS_COMPACT_ORDERS 16 /* free_area[] entries copied (NR_PAGE_ORDERS is 11 on x86) */
#define MMS_COMPACT_RESULTS 16 /* enum compact_result values counted for "suitable" */

enum mms_compact_who {
	MMS_COMPACT_DIRECT = 0,    /* an allocating task (try_to_compact_pages) */
	MMS_COMPACT_KCOMPACTD = 1, /* kcompactd woken for an order */
	MMS_COMPACT_PROACTIVE = 2, /* kcompactd, proactive (vm.compaction_proactiveness) */
	MMS_COMPACT_MANUAL = 3,    /* /proc/sys/vm/compact_memory or a node's compact file */
	MMS_COMPACT_WHO
};

struct compact_event {
	__u64 ts_ns;      /* at the end */
	__u64 latency_ns;
	__u64 gfp;        /* direct: the allocation's gfp mask; else 0 */
	__u64 memcg_id;
	__u64 free_blocks[MMS_COMPACT_ORDERS]; /* zone free_area[o].nr_free at the start */
	__u32 pid;
	__u32 tgid;
	__s32 order;      /* -1 for whole-zone (manual, proactive) */
	__u32 mode;       /* enum migrate_mode value; named from BTF by the user side */
	__s32 status;     /* enum compact_result value; named from BTF by the user side */
	__u32 who;        /* enum mms_compact_who */
	__s32 nid;
	__s32 zid;
	__s32 prio;       /* direct: enum compact_priority; else -1 */
	__u32 nr_orders;  /* entries of free_blocks that are valid */
	__u32 passes;     /* mm_compaction_finished checks during the run */
	__u32 pad;
	char comm[16];
	char zone[16];
};

#endif
