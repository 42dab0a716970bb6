// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Strategies as data: each capability lists its backends best first, with the
 * features each needs. Choosing takes the first backend whose needs are all met and
 * records why each better one was skipped, so `features`, -v and JSON can say
 * "text, because core: no cgroup iterator (...)". A capability may also need one of
 * several features (memcg needs a memory controller on v1 or v2). Tracing backends
 * attach raw/BTF tracepoints by name, so they do not need tracefs mounted.
 */
#include <stdio.h>
#include <string.h>

#include <mmscope/mmscope.h>
#include "lib/alloc/alloc_ioctl.h"
#include "lib/alloc/alloc_tags.h"

#define NEEDS_MAX 4
#define END MMS_FEAT_COUNT /* terminates a needs list */

struct backend_spec {
	const char *name;
	enum mms_feature needs[NEEDS_MAX];
};

/* alloc: the kernel answers the /proc/allocinfo ioctl (seed 002; no kernel yet). */
static int probe_alloc_ioctl(struct mms_features *fs, char *why, size_t size)
{
	return mms_alloc_ioctl_probe(&fs->host, why, size);
}

/* alloc: the tag walker loads, finds the tag section and the per-CPU offsets. */
static int probe_alloc_tags(struct mms_features *fs, char *why, size_t size)
{
	return mms_alloc_tags_probe(&fs->host, fs->verbose, why, size);
}

/*
 * Backends that, beyond the shared features, probe for themselves by trying, run
 * only once those features are there: 0, or a negative errno with why.
 */
static const struct {
	const char *capability, *backend;
	int (*probe)(struct mms_features *fs, char *why, size_t size);
} own_probes[] = {
	{ "alloc", "ioctl", probe_alloc_ioctl },
	{ "alloc", "bpf-tags", probe_alloc_tags },
};

static int own_probe(struct mms_features *fs, const char *cap, const char *backend, char *why,
		     size_t size)
{
	for (size_t i = 0; i < sizeof(own_probes) / sizeof(own_probes[0]); i++)
		if (!strcmp(own_probes[i].capability, cap) &&
		    !strcmp(own_probes[i].backend, backend))
			return own_probes[i].probe(fs, why, size);
	return 0;
}

struct capability_spec {
	const char *name;
	enum mms_feature any_of[NEEDS_MAX]; /* at least one must be present; END-terminated */
	struct backend_spec backends[MMS_BACKENDS_MAX];
};

static const struct capability_spec capabilities[] = {
	{ "report", { END }, { { "procfs", { END } } } },
	{ "frag", { END }, { { "procfs", { END } } } },
	{ "frag_events", { END },
	  { { "tracepoint", { MMS_FEAT_BPF_TRACEPOINT, END } } } },
	{ "reclaim", { END },
	  { { "fentry", { MMS_FEAT_FENTRY, MMS_FEAT_BTF, END } },
	    { "tracepoint", { MMS_FEAT_BPF_TRACEPOINT, END } } } },
	{ "compact", { END },
	  { { "tracepoint", { MMS_FEAT_BPF_TRACEPOINT, END } } } },
	{ "memcg", { MMS_FEAT_MEMCG_V2, MMS_FEAT_MEMCG_V1, END },
	  { { "kfunc", { MMS_FEAT_BPF_CGROUP_ITER, MMS_FEAT_MEMCG_KFUNCS, END } },
	    { "core", { MMS_FEAT_BPF_CGROUP_ITER, MMS_FEAT_BTF, END } },
	    { "text", { END } } } },
	{ "alloc", { END },
	  { { "ioctl", { MMS_FEAT_ALLOCINFO, END } },
	    { "bpf-tags", { MMS_FEAT_ALLOCINFO, MMS_FEAT_BTF, END } },
	    { "allocinfo", { MMS_FEAT_ALLOCINFO, END } },
	    { "bpf-trace", { MMS_FEAT_BPF_TRACEPOINT, END } } } },
	{ "heatmap", { END },
	  { { "damon-vaddr", { MMS_FEAT_DAMON_VADDR, END } },
	    { "idle", { MMS_FEAT_PAGE_IDLE, END } },
	    { "damon-paddr", { MMS_FEAT_DAMON_PADDR, END } },
	    { "refs", { END } } } },
	{ "thp", { END }, { { "sysfs", { MMS_FEAT_THP, END } } } },
	{ "syscalls", { END },
	  { { "tracepoint", { MMS_FEAT_BPF_TRACEPOINT, END } } } },
};

#define NR_CAPS ((int)(sizeof(capabilities) / sizeof(capabilities[0])))

int mms_capability_count(void)
{
	return NR_CAPS;
}

const char *mms_capability_name(int idx)
{
	return idx >= 0 && idx < NR_CAPS ? capabilities[idx].name : NULL;
}

void mms_backend_choose(struct mms_features *fs, int idx, struct mms_backend_choice *out)
{
	const struct capability_spec *cap = &capabilities[idx];
	const struct backend_spec *b;

	memset(out, 0, sizeof(*out));
	out->capability = cap->name;
	if (cap->any_of[0] != END) {
		bool any = false;

		for (const enum mms_feature *f = cap->any_of; *f != END && !any; f++)
			any = mms_feature_has(fs, *f);
		if (!any) {
			out->nr_skipped = 1;
			out->skipped[0].backend = "*";
			snprintf(out->skipped[0].reason, sizeof(out->skipped[0].reason),
				 "needs one of: %s (%s)", mms_feature_name(cap->any_of[0]),
				 mms_feature_probe(fs, cap->any_of[0])->detail);
			return;
		}
	}
	for (b = cap->backends; b < cap->backends + MMS_BACKENDS_MAX && b->name; b++) {
		char *why = out->skipped[out->nr_skipped].reason;
		size_t size = sizeof(out->skipped[0].reason);
		bool skip = false;

		for (const enum mms_feature *f = b->needs; *f != END && !skip; f++) {
			if (!mms_feature_has(fs, *f)) {
				snprintf(why, size, "%s: %s", mms_feature_name(*f),
					 mms_feature_probe(fs, *f)->detail);
				skip = true;
			}
		}
		/* The backend's own probe, only once the shared features are there. */
		if (!skip)
			skip = own_probe(fs, cap->name, b->name, why, size) != 0;
		if (!skip) {
			out->chosen = b->name;
			return;
		}
		out->skipped[out->nr_skipped].backend = b->name;
		out->nr_skipped++;
	}
}
