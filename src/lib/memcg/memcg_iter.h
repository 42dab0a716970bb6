/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * What the two iterator backends share (memcg_iter.c), and what tells them apart: a
 * struct memcg_iter_kind each (memcg_kfunc.c, memcg_core.c), which opens its own
 * skeleton and points the shared struct memcg_iter into it, so the shared code never
 * asks which one it runs.
 */
#ifndef MMS_MEMCG_ITER_H
#define MMS_MEMCG_ITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>
#include <bpf/libbpf.h>

#include "lib/memcg/memcg_reader.h"

struct memcg_iter;

struct memcg_iter_kind {
	const char *name;    /* "kfunc", "core" */
	/* Statistics by kernel item (kfunc: memcg_items), else by vmstats slot (core). */
	bool by_item;
	/* The usage counter in pages (core: the page counter), else in bytes (kfunc). */
	bool usage_in_pages;
	/* memory.events by memcg_memory_event's value in vmlinux BTF (core). */
	bool events_by_btf;
	/* A SELF_ONLY pass remembers its cgroup for the one-cgroup program (core). */
	bool pass_finds_self;
	/*
	 * Opens the skeleton (it->skel) and points it->records and the programs into it;
	 * loads it and points it->cfg and the counters into its bss; destroys it
	 * (NULL-safe). 0 or a negative errno.
	 */
	int (*skel_open)(struct memcg_iter *it);
	int (*skel_load)(struct memcg_iter *it);
	void (*skel_destroy)(struct memcg_iter *it);
	/* Whether the one-cgroup program can serve reader r. */
	bool (*self_possible)(const struct mms_memcg_reader *r);
	/*
	 * Once loaded, finds what this kernel really serves (kfunc: the items it has;
	 * core: the vmstats slots, verified), handing the rest to text with r->why.
	 */
	int (*settle)(struct mms_memcg_reader *r, struct memcg_iter *it, struct mms_error *err);
};

struct memcg_iter {
	const struct memcg_iter_kind *kind;
	void *skel;                  /* the kind's skeleton */
	struct bpf_map *records;
	struct bpf_program *iter_prog, *self_prog;
	struct memcg_cfg *cfg;       /* in the skeleton's bss */
	__u32 *nr_out, *overflow;   /* ... zeroed before each pass */
	__u64 *self_key;            /* ... the one-cgroup program's cgroup: 0 until known */
	struct bpf_link *link;
	struct memcg_rec *recs;      /* the records map, mmap-ed */
	size_t recs_len;
	unsigned int cap;
	uint64_t page_size;
	uint64_t bpf_mask;           /* stats the iterator serves */
	bool no_self_run;            /* the one-cgroup program cannot run: iterator only */
	struct memcg_src src[MMS_MEMCG_STATS_MAX];
	uint64_t mult[MMS_MEMCG_STATS_MAX];
	/*
	 * The root-total rule (memcg_zero.c): the text-served statistics a read serves as
	 * 0 when the reader's root's memory.stat (root_stat, -1: none) shows 0; the text
	 * plans without those of the last read that were (zero_plans_for).
	 */
	uint64_t zero_mask;
	int root_stat;
	uint64_t zero_plans_for;
	struct text_plan zero_plan_all, zero_plan_root;
	char zero_why[MMS_MEMCG_STATS_MAX][200];
};

/* The memcg_backend_ops of an iterator backend: open with kind, then the shared read/close. */
int memcg_iter_open(struct mms_memcg_reader *r, const struct memcg_iter_kind *kind,
		    struct mms_error *err);
int memcg_iter_read(struct mms_memcg_reader *r, struct mms_memcg_snapshot *s);
void memcg_iter_close(struct mms_memcg_reader *r);

/* For settle(): one pass of the iterator behind link, or of it->link. */
int memcg_iter_run_link(struct memcg_iter *it, struct bpf_link *link, struct memcg_summary *sum);
int memcg_iter_run(struct memcg_iter *it, struct memcg_summary *sum);
/* Attaches the iterator program to the cgroup directory dir_fd (pre-order or self only). */
struct bpf_link *memcg_iter_attach(struct memcg_iter *it, int dir_fd, bool self_only);
/* Whether the one-cgroup program is wanted on r (and has not failed). */
bool memcg_iter_want_self(const struct mms_memcg_reader *r, const struct memcg_iter *it);

void memcg_set_err(struct mms_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
