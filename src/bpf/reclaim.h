/* SPDX-License-Identifier: GPL-2.0 */
/* The record reclaim.bpf.c sends per reclaim stall or kswapd run: the contract. */
#ifndef MMS_RECLAIM_H
#define MMS_RECLAIM_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

enum mms_reclaim_kind {
	MMS_RECLAIM_DIRECT = 0, /* mm_vmscan_direct_reclaim_begin/end: global direct reclaim */
	MMS_RECLAIM_MEMCG = 1,  /* mm_vmscan_memcg_reclaim_begin/end: a cgroup's limit */
	MMS_RECLAIM_KSWAPD = 2, /* mm_vmscan_kswapd_wake .. _sleep: one kswapd run */
	MMS_RECLAIM_KINDS
};

struct reclaim_event {
	__u64 ts_ns;        /* at the end, bpf_ktime_get_ns() (CLOCK_MONOTONIC) */
	__u64 latency_ns;
	__u64 gfp;          /* 0 for kswapd */
	__u64 nr_reclaimed; /* 0 for kswapd (its events carry no count) */
	__u64 memcg_id;     /* the task's memory cgroup (kernfs id); 0 when unknown */
	__u32 pid;          /* thread id */
	__u32 tgid;
	__s32 order;
	__u32 kind;         /* enum mms_reclaim_kind */
	__s32 nid;          /* kswapd: node; -1 otherwise */
	__s32 zid;          /* kswapd: highest zone index asked for; -1 otherwise */
	char comm[16];
};

#endif
