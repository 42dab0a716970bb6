/* SPDX-License-Identifier: GPL-2.0 */
/* Counters extfrag.bpf.c keeps for mm_page_alloc_extfrag: the contract. */
#ifndef MMS_EXTFRAG_H
#define MMS_EXTFRAG_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* One fallback kind: migrate type asked for, the one stolen from, and the outcome. */
struct extfrag_key {
	__u8 alloc_mt;
	__u8 fallback_mt;
	__u8 fragmenting; /* fallback_order < pageblock_order: a block now mixes types */
	__u8 pad;
};

/*
 * The procs key that collects the events of processes that found the map full:
 * the loader inserts it before attaching, so it always exists and such events
 * keep their count, only without a process to blame.
 */
#define MMS_EXTFRAG_OTHER 0xffffffffu

struct extfrag_proc {
	__u64 events;
	__u64 fragmenting;
	char comm[16];
};

#endif
