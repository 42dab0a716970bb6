/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libmmscope: Memory statistics of every cgroup under a root (cgroup v1 and v2).
 * Part of the public interface; include <mmscope/mmscope.h> for all of it.
 */
#ifndef MMSCOPE_MEMCG_H
#define MMSCOPE_MEMCG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mmscope/util.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- memcg statistics of every cgroup under a root ------------------------- */

/*
 * A reader is opened once for a cgroup directory (a cgroup v1 memory hierarchy
 * directory or a cgroup v2 directory) and a set of statistics, then reads a snapshot
 * of the root and every cgroup below it (or the root alone) as often as wanted into
 * caller-owned arrays. Statistics are named as cgroup v2 spells them ("anon", "file",
 * "pgfault", "usage", "limit", "events_oom_kill", "some_avg10", ...; see
 * mms_memcg_stat_name()); on v1 each maps to its v1 counterpart (rss -> anon,
 * cache -> file, ...; the hierarchical total_* keys, since v2's values are
 * hierarchical). A statistic the kernel cannot provide for a cgroup is absent (its
 * bit in present[] is clear), never 0. Sizes are bytes.
 *
 * Backends, best first: "kfunc" (a sleepable cgroup iterator calling the memcg
 * kfuncs, Linux 7.0+), "core" (a cgroup iterator reading struct mem_cgroup with
 * CO-RE, its vmstats slots verified against the kernel's own text at open), "text"
 * (memory.stat and friends, each file opened once and pread from offset 0).
 * A statistic the chosen BPF backend cannot serve (an unverified slot, PSI) is served
 * by text; mms_memcg_reader_stat_source() says which served each.
 */

enum mms_memcg_backend {
	MMS_MEMCG_AUTO,
	MMS_MEMCG_KFUNC,
	MMS_MEMCG_CORE,
	MMS_MEMCG_TEXT,
};

enum mms_memcg_unit {
	MMS_MEMCG_BYTES,
	MMS_MEMCG_COUNT,       /* events, pages scanned, ...: cumulative unless a gauge */
	MMS_MEMCG_PERCENT_X100, /* PSI averages: 123 = 1.23 % */
	MMS_MEMCG_USEC,        /* PSI totals */
};

#define MMS_MEMCG_STATS_MAX 64
/* A limit of "max" (v2) or PAGE_COUNTER_MAX pages (v1's 9223372036854771712). */
#define MMS_MEMCG_UNLIMITED UINT64_MAX

/* The catalog of statistics, by index. */
int mms_memcg_stat_count(void);
const char *mms_memcg_stat_name(int idx);
/* Catalog index of name (aliases accepted: "oom_kill" = "events_oom_kill"), or -ENOENT. */
int mms_memcg_stat_find(const char *name);
enum mms_memcg_unit mms_memcg_stat_unit(int idx);
/* True for counters that only grow (events, pgfault, PSI totals): deltas and rates mean
 * something; false for gauges (anon, usage, limit, PSI averages). */
bool mms_memcg_stat_cumulative(int idx);

/*
 * The core backend's verification cgroup (see docs/memcg.md): made only when some
 * slot could not be verified without it (AUTO), never, always, or sampled alone as
 * if the system held nothing (ONLY: tests).
 */
enum mms_memcg_verify_cgroup {
	MMS_MEMCG_VERIFY_AUTO,
	MMS_MEMCG_VERIFY_NEVER,
	MMS_MEMCG_VERIFY_ALWAYS,
	MMS_MEMCG_VERIFY_ONLY,
};

struct mms_memcg_opts {
	size_t sz;                     /* sizeof(struct mms_memcg_opts): MMS_MEMCG_OPTS() */
	const struct mms_host *host;   /* NULL: the live system; BPF backends need it live */
	enum mms_memcg_backend backend;
	const int *stats;              /* catalog indices; NULL: the default dozen */
	int nr_stats;                  /* at most MMS_MEMCG_STATS_MAX */
	bool self_only;                /* the root alone, not its descendants */
	/* Optional (0/NULL: the default): */
	enum mms_memcg_verify_cgroup verify_cgroup;
	/* A writable, disk-backed directory tried before /var/tmp for the verification
	 * cgroup's dirty page cache (an unnamed O_TMPFILE file); the command passes $TMPDIR. */
	const char *tmpdir;
};
#define MMS_MEMCG_OPTS(name, ...) \
	struct mms_memcg_opts name = { .sz = sizeof(struct mms_memcg_opts), __VA_ARGS__ }

/* One read's result, in arrays the caller owns (mms_memcg_snapshot_alloc() helps). */
struct mms_memcg_snapshot {
	int max_cgroups;      /* capacity of ids, present, path_off; values holds
			       * max_cgroups * nr_stats */
	size_t paths_size;    /* capacity of paths */
	uint64_t *ids;        /* cgroup ids (the directory's inode number) */
	uint64_t *present;    /* bit i: the reader's stat i is present for this cgroup */
	uint64_t *values;     /* row-major: values[c * nr_stats + i] */
	uint32_t *path_off;   /* the cgroup's path relative to the root ("/", "/a/b"),
			       * at paths + path_off[c] */
	char *paths;
	/* Filled by mms_memcg_reader_read(): */
	int nr_cgroups;
	int needed_cgroups;   /* on -ENOBUFS: the capacity that would have been enough */
	size_t needed_paths;
	uint64_t ts_ns;       /* CLOCK_MONOTONIC when the read started */
};

struct mms_memcg_reader;

/*
 * Opens a reader for root (NULL: the memory controller's mount, v2 if it has the
 * memory controller, else v1) into *out. Returns 0 or a negative errno: -ENOTDIR/
 * -ENOENT (root is not a cgroup directory), -ENODEV (no memory controller there),
 * -EOPNOTSUPP (the backend asked for cannot work here), -EINVAL (bad options), or
 * another; err (optional) says why.
 */
int mms_memcg_reader_open(const char *root, const struct mms_memcg_opts *opts,
			  struct mms_memcg_reader **out, struct mms_error *err);
/*
 * Reads a snapshot. Cgroups created or removed meanwhile are handled: a cgroup that
 * vanishes mid-read is left out, never reported with stale or another's values.
 * Returns 0, -ENOBUFS (snap too small: needed_* say how large), or a negative errno.
 */
int mms_memcg_reader_read(struct mms_memcg_reader *r, struct mms_memcg_snapshot *snap);
void mms_memcg_reader_close(struct mms_memcg_reader *r);

const char *mms_memcg_reader_backend(const struct mms_memcg_reader *r); /* "core", ... */
const char *mms_memcg_reader_root(const struct mms_memcg_reader *r);
int mms_memcg_reader_version(const struct mms_memcg_reader *r);          /* 1 or 2 */
int mms_memcg_reader_nr_stats(const struct mms_memcg_reader *r);
int mms_memcg_reader_stat(const struct mms_memcg_reader *r, int i);      /* catalog idx */
/* Which backend serves the reader's stat i ("core", "text"), and if text, why. */
const char *mms_memcg_reader_stat_source(const struct mms_memcg_reader *r, int i,
					 const char **why);
/*
 * What happened that the user may want to know, in order (the library never prints):
 * "one-cgroup program refused (...): the iterator serves every read". New notes can
 * appear after open and after a read; mmscope -v prints them.
 */
int mms_memcg_reader_nr_notes(const struct mms_memcg_reader *r);
const char *mms_memcg_reader_note(const struct mms_memcg_reader *r, int i);
/*
 * Why the last mms_memcg_reader_read() failed on a file (file, line when about a
 * line, why), or NULL when it did not fail on a file (no error, or not about a file).
 */
const struct mms_error *mms_memcg_reader_error(const struct mms_memcg_reader *r);

/* Allocates arrays for max_cgroups cgroups of r's stats; 0 or -ENOMEM. */
int mms_memcg_snapshot_alloc(struct mms_memcg_snapshot *snap, int max_cgroups, int nr_stats);
void mms_memcg_snapshot_free(struct mms_memcg_snapshot *snap);
static inline const char *mms_memcg_snapshot_path(const struct mms_memcg_snapshot *s, int c)
{
	return s->paths + s->path_off[c];
}

/*
 * The pure parsers behind the text backend, for tests and fuzzers: memory.stat of a
 * cgroup v1 (version 1: total_* keys) or v2 (version 2) hierarchy, and memory.events
 * (v2). For each of stats[0..nr-1] found, sets values[i] (bytes, counts) and bit i of
 * *present; stats the file does not hold are left absent. Returns 0 or -EINVAL/-ERANGE
 * with err naming the line.
 */
int mms_parse_memcg_stat(const char *text, size_t len, int version, const int *stats, int nr,
			 uint64_t *values, uint64_t *present, struct mms_error *err);
int mms_parse_memcg_events(const char *text, size_t len, const int *stats, int nr,
			   uint64_t *values, uint64_t *present, struct mms_error *err);

#ifdef __cplusplus
}
#endif
#endif /* MMSCOPE_MEMCG_H */
