// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The capabilities `mmscope features` lists, each with its domain's backend table
 * (see backends.h), and the one walk every choice goes through.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <mmscope/mmscope.h>
#include "lib/probe/backends.h"

/* What `mmscope features` lists, in this order: one entry per command. */
static const struct mms_capability capabilities[] = {
	{ "report", { MMS_NEEDS_END }, mms_procfs_backends },
	{ "frag", { MMS_NEEDS_END }, mms_procfs_backends },
	{ "frag_events", { MMS_NEEDS_END }, mms_extfrag_backends },
	{ "reclaim", { MMS_NEEDS_END }, mms_reclaim_backends },
	{ "compact", { MMS_NEEDS_END }, mms_compact_backends },
	{ "memcg", { MMS_FEAT_MEMCG_V2, MMS_FEAT_MEMCG_V1, MMS_NEEDS_END }, mms_memcg_backends },
	{ "alloc", { MMS_NEEDS_END }, mms_alloc_backends },
	{ "heatmap", { MMS_NEEDS_END }, mms_heatmap_backends },
	{ "thp", { MMS_NEEDS_END }, mms_thp_backends },
	{ "syscalls", { MMS_NEEDS_END }, mms_syscalls_backends },
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

const struct mms_capability *mms_capability_find(const char *name)
{
	for (int i = 0; i < NR_CAPS; i++)
		if (!strcmp(capabilities[i].name, name))
			return &capabilities[i];
	return NULL;
}

const struct mms_backend *mms_backend_find(const struct mms_capability *cap, const char *name)
{
	for (const struct mms_backend *b = cap->backends; b->name; b++)
		if (!strcmp(b->name, name))
			return b;
	return NULL;
}

/* The capability's any_of: 0, or -EOPNOTSUPP with why when none is there. */
static int any_of_met(struct mms_features *fs, const struct mms_capability *cap, char *why,
		      size_t size)
{
	if (cap->any_of[0] == MMS_NEEDS_END)
		return 0;
	for (const enum mms_feature *f = cap->any_of; *f != MMS_NEEDS_END; f++)
		if (mms_feature_has(fs, *f))
			return 0;
	snprintf(why, size, "needs one of: %s (%s)", mms_feature_name(cap->any_of[0]),
		 mms_feature_probe(fs, cap->any_of[0])->detail);
	return -EOPNOTSUPP;
}

int mms_backend_usable(struct mms_features *fs, const struct mms_capability *cap,
		       const struct mms_backend *b, char *why, size_t size)
{
	int rc = any_of_met(fs, cap, why, size);

	if (rc)
		return rc;
	for (const enum mms_feature *f = b->needs; *f != MMS_NEEDS_END; f++) {
		if (!mms_feature_has(fs, *f)) {
			snprintf(why, size, "%s: %s", mms_feature_name(*f),
				 mms_feature_probe(fs, *f)->detail);
			return -EOPNOTSUPP;
		}
	}
	/* The backend's own probe, only once the shared features are there. */
	return b->probe ? b->probe(fs, why, size) : 0;
}

static void skipped(struct mms_backend_choice *out, const char *backend, const char *why)
{
	if (!out || out->nr_skipped >= MMS_BACKENDS_MAX)
		return;
	out->skipped[out->nr_skipped].backend = backend;
	snprintf(out->skipped[out->nr_skipped].reason, sizeof(out->skipped[0].reason), "%s", why);
	out->nr_skipped++;
}

/* Errors of open() that are about the run, not the backend: the walk ends there. */
static bool ends_walk(int rc)
{
	return rc == -ESRCH || rc == -EINVAL || rc == -ENOMEM || rc == -EINTR;
}

int mms_backend_walk(struct mms_features *fs, const struct mms_capability *cap,
		     int (*open)(const struct mms_backend *b, void *ctx, char *why, size_t size),
		     void *ctx, struct mms_backend_choice *out)
{
	char why[sizeof(out->skipped[0].reason)];
	int rc;

	if (out) {
		memset(out, 0, sizeof(*out));
		out->capability = cap->name;
	}
	why[0] = '\0';
	rc = any_of_met(fs, cap, why, sizeof(why));
	if (rc) {
		skipped(out, "*", why);
		return rc;
	}
	for (const struct mms_backend *b = cap->backends; b->name; b++) {
		why[0] = '\0';
		rc = mms_backend_usable(fs, cap, b, why, sizeof(why));
		if (!rc && open)
			rc = open(b, ctx, why, sizeof(why));
		if (!rc) {
			if (out)
				out->chosen = b->name;
			return 0;
		}
		if (open && ends_walk(rc))
			return rc;
		skipped(out, b->name, why);
	}
	return -EOPNOTSUPP;
}

void mms_backend_choose(struct mms_features *fs, int idx, struct mms_backend_choice *out)
{
	/* Without open: the first backend that is usable, as a command would try it. */
	mms_backend_walk(fs, &capabilities[idx], NULL, NULL, out);
}
