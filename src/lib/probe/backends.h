/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Backend choice as data (internal to the library and the commands). Every
 * capability has one table of backends, best first: {name, what it needs, its own
 * probe, its operations}. Two readers walk the same table, so they cannot disagree:
 *
 *   - mms_backend_choose() (public, what `mmscope features` prints) takes the first
 *     backend whose needs are met and whose probe passes;
 *   - mms_backend_walk() (what a command or reader runs) does the same and then
 *     opens it through its operations, going on to the next backend when opening
 *     says this one cannot work here.
 *
 * A table lives with its domain (lib/memcg/memcg_backends.c, lib/alloc/
 * alloc_backends.c, lib/heatmap/heatmap_sources.c, lib/trace/trace_backends.c,
 * lib/procfs/procfs_backends.c), whose operations struct `ops` points to; this
 * folder only walks them.
 */
#ifndef MMS_PROBE_BACKENDS_H
#define MMS_PROBE_BACKENDS_H

#include <stddef.h>

#include <mmscope/probe.h>

#define MMS_NEEDS_MAX 4
#define MMS_NEEDS_END MMS_FEAT_COUNT /* terminates a needs list */

struct mms_backend {
	const char *name;
	/* Features it needs, all of them; MMS_NEEDS_END-terminated (empty: none). */
	enum mms_feature needs[MMS_NEEDS_MAX];
	/*
	 * Optional: beyond the needs, whether it can run here, found by trying (a
	 * program loads, an ioctl answers). Runs only once the needs are met.
	 * 0, or a negative errno with why.
	 */
	int (*probe)(struct mms_features *fs, char *why, size_t size);
	/* The capability's own operations struct (struct hm_source_ops, ...): NULL
	 * where the command reads files itself. */
	const void *ops;
};

struct mms_capability {
	const char *name; /* the command's name, or "frag_events" for frag --events */
	/* At least one of these must be there for any backend (memcg: v1 or v2). */
	enum mms_feature any_of[MMS_NEEDS_MAX];
	const struct mms_backend *backends; /* best first, ended by { NULL } */
};

/* Every domain's table (defined in the domain's folder). */
extern const struct mms_backend mms_procfs_backends[];   /* report, frag */
extern const struct mms_backend mms_thp_backends[];      /* thp */
extern const struct mms_backend mms_reclaim_backends[];
extern const struct mms_backend mms_compact_backends[];
extern const struct mms_backend mms_extfrag_backends[];  /* frag --events */
extern const struct mms_backend mms_memcg_backends[];
extern const struct mms_backend mms_alloc_backends[];
extern const struct mms_backend mms_heatmap_backends[];
extern const struct mms_backend mms_syscalls_backends[];

const struct mms_capability *mms_capability_find(const char *name);
const struct mms_backend *mms_backend_find(const struct mms_capability *cap, const char *name);

/* Whether b can run here (needs, then its probe): 0, or a negative errno with why. */
int mms_backend_usable(struct mms_features *fs, const struct mms_capability *cap,
		       const struct mms_backend *b, char *why, size_t size);

/*
 * Opens the first backend of cap that is usable and that open() accepts; open gets
 * the backend (its ops) and ctx. An open that fails with -ESRCH (the target is
 * gone), -EINVAL (bad input), -ENOMEM or -EINTR ends the walk with that error; any
 * other error means "not here" and the walk goes on. out (optional) says which
 * backend was chosen and why each better one was skipped, as mms_backend_choose()
 * does. Returns 0, the ending error, or -EOPNOTSUPP when no backend opened.
 */
int mms_backend_walk(struct mms_features *fs, const struct mms_capability *cap,
		     int (*open)(const struct mms_backend *b, void *ctx, char *why, size_t size),
		     void *ctx, struct mms_backend_choice *out);

#endif
