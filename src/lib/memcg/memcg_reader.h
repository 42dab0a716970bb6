/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The memcg reader's insides: the reader, the cgroup table every backend shares, the
 * text reading of a cgroup's statistics, and the operations struct of a backend.
 *
 * Files of src/lib/memcg, each using only those above it (no cycle):
 *
 *   memcg_catalog.c   the statistics catalog and the text parsers (memcg_int.h)
 *   memcg_zero.c      the root-total rule: 0 without text where the root's total is 0
 *   memcg_table.c     the cgroup table, text reading of a cgroup's statistics,
 *                     snapshot rows, the reader's notes
 *   memcg_probe.c     the verification cgroup (core slot verification)
 *   memcg_text.c      the text backend (memcg_text_ops): walks the directory tree
 *   memcg_iter.c      what the two iterator backends share (memcg_iter.h): loading,
 *                     running, planning sources, records -> rows
 *   memcg_kfunc.c     the kfunc backend (memcg_kfunc_ops): resolves the kernel's items
 *   memcg_core.c      the core backend (memcg_core_ops): verifies the vmstats slots
 *   memcg_backends.c  the backend table, best first (probe/backends.h)
 *   memcg.c           the public reader: open (the choice walks the table), read, close
 */
#ifndef MMS_MEMCG_READER_H
#define MMS_MEMCG_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "lib/memcg/memcg_int.h"

#define FD_ABSENT (-2) /* the cgroup has no such file (v2 root: memory.current) */

/* One row of the cgroup table: a cgroup seen in the last snapshot. */
struct cg_ent {
	uint64_t id;
	char *path;     /* relative to the reader's root: "/", "/a/b" */
	int fd[MF_NR];  /* -1 not opened yet, FD_ABSENT, or open */
	uint32_t gen;   /* the last snapshot it was in */
	uint32_t scanned; /* the snapshot its directory was last scanned for new children */
	/*
	 * The text backend's listing of its directory (memcg_text.c): the child cgroups'
	 * ids as last read; while its inotify watch reports nothing (or, without a watch,
	 * while the directory's stat is what it was before that read) the listing is
	 * reused instead of read again.
	 */
	int wd;           /* its inotify watch (0: none) */
	int dfd;          /* O_PATH descriptor of the directory (-1: none): fstat, no lookup */
	bool listed;
	bool dirty;       /* its watch reported a child created, removed or renamed */
	bool racy;        /* changed too recently for its timestamps to tell (not kernfs) */
	int nr_kids;
	uint64_t *kids;
	uint64_t dir_nlink;
	struct timespec dir_mtime, dir_ctime;
};

/* Which stats text serves, grouped by file: stats[f][k] lands in output slot slot[f][k]. */
struct text_plan {
	int nr[MF_NR];
	int stats[MF_NR][MMS_MEMCG_STATS_MAX];
	int slot[MF_NR][MMS_MEMCG_STATS_MAX];
};

struct mms_memcg_reader;

/*
 * A memcg backend (the `ops` of an entry of mms_memcg_backends[]). Every statistic
 * starts served by text (r->source[i] "text", or "none" when this cgroup version
 * lacks it); a backend's open takes over those it can serve (r->source[i], clearing
 * r->text_mask's bit) and keeps its state in r->be.
 */
struct memcg_backend_ops {
	const char *name;   /* "kfunc", "core", "text": as in the table */
	bool live_only;     /* reads the running kernel, never a --root tree */
	/* 0, or a negative errno with err filled; on failure nothing is left in r->be. */
	int (*open)(struct mms_memcg_reader *r, struct mms_error *err);
	/* One snapshot into s (r->gen is the new generation): 0 or a negative errno. */
	int (*read)(struct mms_memcg_reader *r, struct mms_memcg_snapshot *s);
	/* Frees r->be; r->be may be NULL. */
	void (*close)(struct mms_memcg_reader *r);
};

extern const struct memcg_backend_ops memcg_kfunc_ops;
extern const struct memcg_backend_ops memcg_core_ops;
extern const struct memcg_backend_ops memcg_text_ops;

#define MEMCG_NOTES_MAX 4

struct mms_memcg_reader {
	struct mms_host host;
	char root[4096 + 4096];   /* as opened (host root prefixed) */
	char root_display[4096];
	int rootfd;
	uint64_t root_id;
	int version;              /* 1 or 2 */
	bool self_only;
	enum mms_memcg_verify_cgroup verify_cgroup;
	const char *tmpdir;       /* the caller's, for the verification cgroup */
	const char *backend;
	int nr_stats;
	int stats[MMS_MEMCG_STATS_MAX];
	const char *source[MMS_MEMCG_STATS_MAX]; /* backend serving each stat */
	const char *why[MMS_MEMCG_STATS_MAX];    /* why text serves it, or absent */
	uint64_t text_mask;       /* stats text serves on every row */
	uint64_t root_text_mask;  /* ... and also on the hierarchy's root row */
	struct text_plan plan_all, plan_root;
	const struct memcg_backend_ops *ops; /* the backend chosen */
	void *be;                 /* its state */
	/* what the caller may want to tell the user (mms_memcg_reader_note()) */
	int nr_notes;
	char notes[MEMCG_NOTES_MAX][160];
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

/* memcg_table.c: the table (id -> row), rows appended to a snapshot, notes. */
struct cg_ent *memcg_ent_find(struct mms_memcg_reader *r, uint64_t id);
struct cg_ent *memcg_ent_add(struct mms_memcg_reader *r, uint64_t id, char *path);
/* Forgets rows not seen in generation r->gen. */
void memcg_table_prune(struct mms_memcg_reader *r);
void memcg_table_free(struct mms_memcg_reader *r);
/* "/a" + "b" -> "/a/b"; the root is "/". NULL on ENOMEM. */
char *memcg_child_path(const char *parent, const char *name);
/* The path under the reader's root for openat(rootfd, ...): "." for the root. */
const char *memcg_rel_path(const char *path);
void memcg_plan_build(struct mms_memcg_reader *r, uint64_t mask, struct text_plan *plan);
int memcg_text_fill(struct mms_memcg_reader *r, struct cg_ent *e, const struct text_plan *plan,
		    uint64_t *values, uint64_t *present);
void memcg_snap_add(struct mms_memcg_reader *r, struct mms_memcg_snapshot *s,
		    const struct cg_ent *e, const uint64_t *values, uint64_t present);
void memcg_note(struct mms_memcg_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * memcg_probe.c: the verification cgroup, "mmscope-verify-PID" beside the hierarchy's
 * root, holding a child that charges known, distinct amounts of each kind of memory
 * until memcg_probe_stop() lets it go and removes the cgroup. tmpdir (NULL: none) is
 * tried before /var/tmp for the dirty page cache.
 */
struct memcg_probe {
	pid_t pid;
	int ctl;      /* write end: closing it lets the child go */
	char name[64];
};
int memcg_probe_start(int hier_fd, const char *tmpdir, struct memcg_probe *p);
void memcg_probe_stop(int hier_fd, struct memcg_probe *p);
/* Removes the empty "mmscope-verify-PID" cgroups beside the hierarchy's root whose PID
 * no longer exists (left by a reader killed while its cgroup lived); the number removed. */
int memcg_probe_sweep(int hier_fd);

#endif
