/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* The memcg reader's insides, shared by memcg.c (table, text) and memcg_bpf.c. */
#ifndef MMS_MEMCG_READER_H
#define MMS_MEMCG_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/memcg/memcg_int.h"

#define FD_ABSENT (-2) /* the cgroup has no such file (v2 root: memory.current) */

/* One row of the cgroup table: a cgroup seen in the last snapshot. */
struct cg_ent {
	uint64_t id;
	char *path;     /* relative to the reader's root: "/", "/a/b" */
	int fd[MF_NR];  /* -1 not opened yet, FD_ABSENT, or open */
	uint32_t gen;   /* the last snapshot it was in */
	uint32_t scanned; /* the snapshot its directory was last scanned for new children */
};

/* Which stats text serves, grouped by file: stats[f][k] lands in output slot slot[f][k]. */
struct text_plan {
	int nr[MF_NR];
	int stats[MF_NR][MMS_MEMCG_STATS_MAX];
	int slot[MF_NR][MMS_MEMCG_STATS_MAX];
};

struct memcg_be;

struct mms_memcg_reader {
	struct mms_host host;
	char root[4096 + 4096];   /* as opened (host root prefixed) */
	char root_display[4096];
	int rootfd;
	uint64_t root_id;
	int version;              /* 1 or 2 */
	bool self_only;
	int verbose;
	const char *backend;
	int nr_stats;
	int stats[MMS_MEMCG_STATS_MAX];
	const char *source[MMS_MEMCG_STATS_MAX]; /* backend serving each stat */
	const char *why[MMS_MEMCG_STATS_MAX];    /* why text serves it, or absent */
	uint64_t text_mask;       /* stats text serves on every row */
	uint64_t root_text_mask;  /* ... and also on the hierarchy's root row */
	struct text_plan plan_all, plan_root;
	struct memcg_be *bpf;     /* NULL: text backend */
	/* the table */
	struct cg_ent *ents;
	int nr_ents, cap_ents;
	int *slots;               /* open addressing: index into ents, -1 empty */
	size_t slot_cap;
	uint32_t gen;
	char *buf;
	size_t buf_size;
	struct mms_error err;     /* the last parse error */
};

struct cg_ent *memcg_ent_find(struct mms_memcg_reader *r, uint64_t id);
struct cg_ent *memcg_ent_add(struct mms_memcg_reader *r, uint64_t id, char *path);
void memcg_plan_build(struct mms_memcg_reader *r, uint64_t mask, struct text_plan *plan);
int memcg_text_fill(struct mms_memcg_reader *r, struct cg_ent *e, const struct text_plan *plan,
		    uint64_t *values, uint64_t *present);
void memcg_snap_add(struct mms_memcg_reader *r, struct mms_memcg_snapshot *s,
		    const struct cg_ent *e, const uint64_t *values, uint64_t present);

/*
 * memcg_probe.c: the verification cgroup, "mmscope-verify-PID" beside the hierarchy's
 * root, holding a child that charges known, distinct amounts of each kind of memory
 * until memcg_probe_stop() lets it go and removes the cgroup.
 */
struct memcg_probe {
	pid_t pid;
	int ctl;      /* write end: closing it lets the child go */
	char name[64];
};
int memcg_probe_start(int hier_fd, struct memcg_probe *p);
void memcg_probe_stop(int hier_fd, struct memcg_probe *p);

/* memcg_bpf.c: picks and opens the backend (text needs nothing), reads, closes. */
int memcg_backend_open(struct mms_memcg_reader *r, enum mms_memcg_backend want,
		       struct mms_error *err);
int memcg_bpf_read(struct mms_memcg_reader *r, struct mms_memcg_snapshot *s);
void memcg_bpf_close(struct mms_memcg_reader *r);

#endif
