/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The record damon.bpf.c sends per DAMON region per aggregation interval (one
 * damon:damon_aggregated event of the watched kdamond): the contract between the
 * BPF program and src/lib/heatmap_damon_bpf.c. Fixed size.
 */
#ifndef MMS_DAMON_H
#define MMS_DAMON_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

struct damon_record {
	__u64 ts_ns;       /* bpf_ktime_get_ns() (CLOCK_MONOTONIC) when sent */
	__u64 start, end;  /* the region, [start, end): virtual or physical bytes */
	__u64 aggr;        /* aggregation number, counted in BPF: a frame's key */
	__u32 nr_accesses; /* samples of this aggregation in which the region was accessed */
	__u32 age;         /* aggregations since the region's size or accesses last changed */
	__u32 target_id;   /* index of the target in the kdamond's context */
	__u32 nr_regions;  /* regions of that target in this aggregation */
	__u32 idx;         /* index of the region within its target in this aggregation */
	__u32 pad;
};

#endif
