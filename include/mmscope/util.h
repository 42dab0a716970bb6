/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libmmscope: Errors, where the kernel's files are, latency statistics, gfp names, cgroup ids to
 * paths, counter rates: what every other part of libmmscope builds on.
 * Part of the public interface; include <mmscope/mmscope.h> for all of it.
 */
#ifndef MMSCOPE_UTIL_H
#define MMSCOPE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ---------------------------------------------------------------- */

/* Where and why a read or parse failed. line is 1-based, 0 when not about a line. */
struct mms_error {
	char file[256];
	int line;
	char msg[200];
};

/* How much a finding or piece of advice matters (report findings, THP advice). */
enum mms_severity { MMS_INFO, MMS_WARNING, MMS_CRITICAL };

/* ---- where the kernel's files are ------------------------------------------ */

struct mms_host {
	char root[4096]; /* "" for the live system, else a directory holding proc/ and sys/ */
};

/* Fills host for root (NULL or "" = the live system). Returns -ENAMETOOLONG or 0. */
int mms_host_init(struct mms_host *host, const char *root);
/* True when host reads the live system (BPF and probes that act are allowed). */
bool mms_host_is_live(const struct mms_host *host);
/* Writes root + path into buf. Returns 0 or -ENAMETOOLONG. */
int mms_host_path(const struct mms_host *host, const char *path, char *buf, size_t size);
/*
 * Reads a whole file into a NUL-terminated malloc'd buffer (*text, *len).
 * Returns 0, or a negative errno with err filled (err->file = path under root).
 * Files larger than 64 MiB are refused with -EFBIG.
 */
int mms_host_read(const struct mms_host *host, const char *path, char **text, size_t *len,
		  struct mms_error *err);


/* ---- latency statistics for the tracing commands --------------------------- */

#define MMS_HIST_SLOTS 64

/*
 * A log2 histogram, as bcc/libbpf-tools print them: slot 0 counts the value 0,
 * slot i >= 1 counts [2^(i-1), 2^i - 1]. Also keeps count, sum, min and max.
 */
struct mms_hist {
	uint64_t slots[MMS_HIST_SLOTS];
	uint64_t count, sum, min, max;
};

int mms_hist_slot(uint64_t value);
/* The values slot holds: [*low, *high]. */
void mms_hist_slot_range(int slot, uint64_t *low, uint64_t *high);
void mms_hist_add(struct mms_hist *h, uint64_t value);
void mms_hist_merge(struct mms_hist *into, const struct mms_hist *from);
/* One past the highest slot in use; 0 when empty. */
int mms_hist_used(const struct mms_hist *h);

/* Nearest-rank percentile p (0 < p <= 100) of n sorted values; 0 when n is 0. */
uint64_t mms_percentile_sorted(const uint64_t *sorted, size_t n, double p);

#define MMS_LAT_SAMPLES_MAX 65536

/*
 * Latencies of one group (a process, a cgroup): the histogram plus the values
 * themselves for exact percentiles. Past MMS_LAT_SAMPLES_MAX values a uniform
 * reservoir of that many is kept (percentiles become estimates; max stays exact).
 * Zero-initialise; release with mms_lat_free().
 */
struct mms_lat {
	struct mms_hist hist;
	uint64_t *samples;
	size_t nr_samples, cap;
	uint64_t rng;
};

/* Returns 0, or -ENOMEM (the histogram still counted the value). */
int mms_lat_add(struct mms_lat *l, uint64_t value);
/*
 * The n percentiles ps[] (0..100] of what was added, into out[]. Sorts the
 * samples in place (their order carries no meaning). Cannot fail.
 */
void mms_lat_percentiles(struct mms_lat *l, const double *ps, int n, uint64_t *out);
void mms_lat_free(struct mms_lat *l);

/* ---- gfp flags, named as the kernel's trace output names them ---------------- */

enum mms_gfp_flag {
	MMS_GFP_DMA, MMS_GFP_HIGHMEM, MMS_GFP_DMA32, MMS_GFP_MOVABLE, MMS_GFP_RECLAIMABLE,
	MMS_GFP_HIGH, MMS_GFP_IO, MMS_GFP_FS, MMS_GFP_ZERO, MMS_GFP_ATOMIC,
	MMS_GFP_DIRECT_RECLAIM, MMS_GFP_KSWAPD_RECLAIM, MMS_GFP_WRITE, MMS_GFP_NOWARN,
	MMS_GFP_RETRY_MAYFAIL, MMS_GFP_NOFAIL, MMS_GFP_NORETRY, MMS_GFP_MEMALLOC, MMS_GFP_COMP,
	MMS_GFP_NOMEMALLOC, MMS_GFP_HARDWALL, MMS_GFP_THISNODE, MMS_GFP_ACCOUNT,
	MMS_GFP_ZEROTAGS, MMS_GFP_NO_OBJ_EXT, MMS_GFP_SKIP_ZERO, MMS_GFP_SKIP_KASAN,
	MMS_GFP_NOLOCKDEP,
	MMS_GFP_NR
};

/*
 * Which bit each flag has on one kernel (-1: the kernel has no such flag). The
 * bits moved across versions (__GFP_ATOMIC went in 6.4, config options insert
 * bits), so they are read from the kernel's BTF enum ___GFP_*_BIT where it has one.
 */
struct mms_gfp_layout {
	int bit[MMS_GFP_NR];
	bool nowait_nowarn; /* GFP_NOWAIT includes __GFP_NOWARN (kernels with the BTF enum) */
	bool from_btf;
};

/* The layout of kernels without the BTF enum (6.1's, with __GFP_ATOMIC at bit 9). */
void mms_gfp_layout_legacy(struct mms_gfp_layout *l);
/* Sets a flag's bit by its kernel name without underscores ("DIRECT_RECLAIM"); -ENOENT if unknown. */
int mms_gfp_layout_set(struct mms_gfp_layout *l, const char *name, int bit);
/* From the running kernel's BTF, else the legacy layout. Cannot fail. */
void mms_gfp_layout_read(struct mms_gfp_layout *l);
/*
 * Names gfp as the kernel's __print_flags does: composites first (GFP_KERNEL...),
 * then single flags, "|"-joined, leftover bits in hex; "none" for 0. Returns the
 * length it needed (like snprintf); truncates to size.
 */
int mms_gfp_format(const struct mms_gfp_layout *l, uint64_t gfp, char *buf, size_t size);

/* ---- cgroup ids to paths ------------------------------------------------------ */

#define MMS_CGROUP_MOUNTS_MAX 32

struct mms_cgroup_mounts {
	int nr;
	struct {
		char path[512];
		int version;  /* 1 or 2 */
		bool memory;  /* a v1 hierarchy with the memory controller */
	} m[MMS_CGROUP_MOUNTS_MAX];
	int memory_idx;       /* the hierarchy holding memory cgroups: v1 memory, else cgroup2; -1 */
};

/* Parses /proc/self/mounts text for cgroup and cgroup2 mounts. Returns 0 or -EINVAL. */
int mms_parse_cgroup_mounts(const char *text, size_t len, struct mms_cgroup_mounts *out,
			    struct mms_error *err);

/*
 * A cgroup id is the kernfs id of the cgroup's directory, which is its inode
 * number in the hierarchy's mount (64-bit kernels): a resolver walks the mount
 * once, remembers id -> path, and walks again when asked an id it does not know
 * (at most once a second, so a vanished cgroup does not cost a walk per event).
 */
struct mms_cgroup_paths;

/* Over the hierarchy mounted at mount_point. Returns 0, -ENOENT or -ENOMEM. */
int mms_cgroup_paths_open(const char *mount_point, struct mms_cgroup_paths **out);
/* "/" for the root, "/a/b" below it; NULL when id is not (or no longer) there. */
const char *mms_cgroup_paths_lookup(struct mms_cgroup_paths *p, uint64_t id);
void mms_cgroup_paths_close(struct mms_cgroup_paths *p);


/* ---- counter rates ----------------------------------------------------------- */

/*
 * Rate of a counter that went from start to end in window_s seconds. False (no rate)
 * when window_s <= 0 or end < start: an event counter never goes back, so a smaller
 * value is a reset or another boot, not a negative rate.
 */
bool mms_counter_rate(uint64_t start, uint64_t end, double window_s, double *rate);

#ifdef __cplusplus
}
#endif
#endif /* MMSCOPE_UTIL_H */
