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

#define NEEDS_MAX 4
#define END MMS_FEAT_COUNT /* terminates a needs list */

struct backend_spec {
	const char *name;
	enum mms_feature needs[NEEDS_MAX];
};

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
	  { { "allocinfo", { MMS_FEAT_ALLOCINFO, END } },
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
		const enum mms_feature *missing = NULL;

		for (const enum mms_feature *f = b->needs; *f != END; f++) {
			if (!mms_feature_has(fs, *f)) {
				missing = f;
				break;
			}
		}
		if (!missing) {
			out->chosen = b->name;
			return;
		}
		out->skipped[out->nr_skipped].backend = b->name;
		snprintf(out->skipped[out->nr_skipped].reason,
			 sizeof(out->skipped[out->nr_skipped].reason), "%s: %s",
			 mms_feature_name(*missing), mms_feature_probe(fs, *missing)->detail);
		out->nr_skipped++;
	}
}
