// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* Loader of compact.bpf.c: compaction runs (see tracers.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/trace/tracers.h"
#include "compact.skel.h"

static void destroy(void *skel)
{
	compact_bpf__destroy(skel);
}

bool mms_compact_pfn_args(void)
{
	char type[64];

	/* See struct suit in compact.bpf.c: cc first, or a pfn (Debian 11's 5.10). */
	return mms_btf_tp_param_type("mm_compaction_begin", 0, type, sizeof(type)) && type[0];
}

void mms_compact_pick_progs(struct bpf_object *obj, bool pfn_args)
{
	static const char *const progs[][2] = {
		{ "raw_tp_mm_compaction_begin", "raw_tp_mm_compaction_begin_pfns" },
		{ "raw_tp_mm_compaction_end", "raw_tp_mm_compaction_end_pfns" },
	};

	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++) {
			struct bpf_program *p = bpf_object__find_program_by_name(obj, progs[i][j]);

			if (p)
				bpf_program__set_autoload(p, j == pfn_args);
		}
}

int mms_compact_tracer_open(struct mms_tracer *t, const struct mms_tracer_opts *o, char *why,
			    size_t size)
{
	struct compact_bpf *skel;
	int err;

	mms_tracer_init(t, o);
	skel = compact_bpf__open();
	err = mms_tracer_adopt(t, skel, skel ? skel->obj : NULL, destroy, "compaction", why, size);
	if (err)
		return err;
	MMS_TASK_FILTER_APPLY(skel, &o->filter);
	skel->rodata->min_ns = o->min_ns;
	skel->rodata->events_wakeup_bytes = bpf_map__max_entries(skel->maps.events) / 4;
	skel->rodata->pfn_args = mms_compact_pfn_args();
	mms_compact_pick_progs(skel->obj, skel->rodata->pfn_args);
	err = mms_tracer_loaded(t, compact_bpf__load(skel), "compaction", why, size);
	if (err)
		return err;
	return mms_tracer_start(t, o, why, size);
}
