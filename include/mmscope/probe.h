/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libmmscope: Kernel features, probed by trying, and the backend each capability would use.
 * Part of the public interface; include <mmscope/mmscope.h> for all of it.
 */
#ifndef MMSCOPE_PROBE_H
#define MMSCOPE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mmscope/util.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- kernel features ------------------------------------------------------- */

enum mms_feature {
	MMS_FEAT_BTF,
	MMS_FEAT_BPF_TRACEPOINT,
	MMS_FEAT_BPF_CGROUP_ITER,
	MMS_FEAT_FENTRY,
	MMS_FEAT_KPROBES,
	MMS_FEAT_MEMCG_KFUNCS,
	MMS_FEAT_ALLOCINFO,
	MMS_FEAT_DAMON,
	MMS_FEAT_DAMON_VADDR,
	MMS_FEAT_DAMON_PADDR,
	MMS_FEAT_PAGE_IDLE,
	MMS_FEAT_MGLRU,         /* built in */
	MMS_FEAT_MGLRU_ENABLED, /* and switched on */
	MMS_FEAT_PSI,
	MMS_FEAT_MEMCG_V1,
	MMS_FEAT_MEMCG_V2,
	MMS_FEAT_TRACEFS,
	MMS_FEAT_DEBUGFS,
	MMS_FEAT_THP,
	MMS_FEAT_PAGETYPEINFO,
	MMS_FEAT_COUNT
};

enum mms_probe_state { MMS_PROBE_UNKNOWN, MMS_PROBE_YES, MMS_PROBE_NO };

struct mms_feature_result {
	enum mms_probe_state state;
	char detail[200]; /* yes: what was found (a path, a version); no: why not */
};

struct mms_features {
	struct mms_host host;
	struct mms_feature_result r[MMS_FEAT_COUNT];
};

/* The JSON key of a feature ("memcg_kfuncs"). */
const char *mms_feature_name(enum mms_feature f);
/* Probes f once (by trying) and caches the result. Never fails: "no" has a reason. */
const struct mms_feature_result *mms_feature_probe(struct mms_features *fs, enum mms_feature f);
static inline bool mms_feature_has(struct mms_features *fs, enum mms_feature f)
{
	return mms_feature_probe(fs, f)->state == MMS_PROBE_YES;
}

/*
 * Backend choice: each capability lists its backends best first with the features
 * they need. Choosing takes the first whose needs are all met and keeps why the
 * better ones were skipped.
 */
#define MMS_BACKENDS_MAX 6
struct mms_backend_choice {
	const char *capability;      /* "memcg", "reclaim", ... */
	const char *chosen;          /* NULL when none fits */
	int nr_skipped;
	struct {
		const char *backend;
		char reason[200];
	} skipped[MMS_BACKENDS_MAX];
};

int mms_capability_count(void);
const char *mms_capability_name(int idx);
void mms_backend_choose(struct mms_features *fs, int capability_idx,
			struct mms_backend_choice *out);

#ifdef __cplusplus
}
#endif
#endif /* MMSCOPE_PROBE_H */
