/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The record young.bpf.c sends per page table entry whose accessed bit the kernel
 * tested and cleared for the watched walk: the contract between the BPF program and
 * src/lib/heatmap/heatmap_young.c. One __u64: the virtual address (page aligned)
 * with flags in its low bits.
 */
#ifndef MMS_YOUNG_H
#define MMS_YOUNG_H

#define YOUNG_ACCESSED 1ULL /* the accessed bit was set (the page was touched) */
#define YOUNG_PMD 2ULL      /* a PMD entry: 2 MiB (a transparent huge page) */
#define YOUNG_FLAGS 0xfffULL

#endif
