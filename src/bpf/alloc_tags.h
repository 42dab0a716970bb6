/* SPDX-License-Identifier: GPL-2.0 */
/*
 * alloc bpf-tags backend: what alloc_tags.bpf.c and its loader share. The program
 * walks the kernel's allocation tags (struct alloc_tag, one per call site, in the
 * alloc_tags section between __start_alloc_tags and __stop_alloc_tags) and writes
 * one fixed-size record per tag that passes the filter into the recs array of its
 * .bss, which user space reads in place (the skeleton maps it). When recs fills,
 * the walk stops and next_tag says where the next run resumes. Section bounds and
 * __per_cpu_offset come from bpf_kallsyms_lookup_name() in the program itself.
 */
#ifndef MMS_ALLOC_TAGS_H
#define MMS_ALLOC_TAGS_H

#define ALLOC_TAGS_BATCH 512       /* records per program run */
#define ALLOC_TAGS_MAX_CPUS 512    /* possible CPUs summed (more: the loader refuses) */
#define ALLOC_TAGS_FILE_LEN 256
#define ALLOC_TAGS_FUNC_LEN 128
#define ALLOC_TAGS_MOD_LEN 64      /* MODULE_NAME_LEN */
#define ALLOC_TAGS_PAT_LEN 64      /* a prefilter's literal, NUL included */
#define ALLOC_TAGS_TAG_MAX 64      /* sizeof(struct alloc_tag) read at once, at most */

/* include/linux/codetag.h: CODETAG_FLAG_INACCURATE ("accurate:no" in allocinfo 2.0) */
#define ALLOC_TAGS_FLAG_INACCURATE 0x1

/* alloc_tags_walk's return value. */
enum alloc_tags_err {
	ALLOC_TAGS_OK,
	ALLOC_TAGS_ERR_NO_SECTION,        /* no __start_alloc_tags/__stop_alloc_tags */
	ALLOC_TAGS_ERR_NO_PER_CPU_OFFSET, /* no __per_cpu_offset (CONFIG_KALLSYMS_ALL) */
	ALLOC_TAGS_ERR_READ,              /* __per_cpu_offset[] unreadable */
	ALLOC_TAGS_ERR_LAYOUT,            /* zero-sized tags or reversed bounds */
};

/* What a name must hold to survive the kernel-side prefilter. */
enum alloc_tags_str_op {
	ALLOC_TAGS_STR_ANY,       /* no condition */
	ALLOC_TAGS_STR_CONTAINS,  /* the literal occurs in the name */
	ALLOC_TAGS_STR_NULL,      /* the pointer is NULL (modname of built-in code) */
	ALLOC_TAGS_STR_NONNULL,   /* the pointer is set (a module's tag) */
};

struct alloc_tags_str_filter {
	unsigned int op;          /* enum alloc_tags_str_op */
	unsigned int len;         /* of lit, without the NUL; < ALLOC_TAGS_PAT_LEN */
	char lit[ALLOC_TAGS_PAT_LEN];
};

/*
 * The kernel-side filter: exact for line, sizes and accuracy, a superset for the
 * names (user space applies the exact substring or glob to the survivors).
 */
struct alloc_tags_filter {
	unsigned int has_line, has_min, has_max, accuracy; /* 0 any, 1 accurate, 2 not */
	unsigned int line;
	unsigned int pad;
	long long min_size, max_size;
	struct alloc_tags_str_filter file, func, module;
};

/* One matching tag. Strings are NUL-terminated (truncated names end in a NUL too). */
struct alloc_tags_rec {
	long long bytes;               /* summed over possible CPUs (the kernel's u64, signed) */
	unsigned long long calls;
	unsigned long long tag;        /* the tag's kernel address: its identity */
	unsigned int lineno, flags;
	char filename[ALLOC_TAGS_FILE_LEN];
	char function[ALLOC_TAGS_FUNC_LEN];
	char modname[ALLOC_TAGS_MOD_LEN]; /* "" for built-in code */
};

#endif
