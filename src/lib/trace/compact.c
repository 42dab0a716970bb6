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
	err = mms_tracer_loaded(t, compact_bpf__load(skel), "compaction", why, size);
	if (err)
		return err;
	return mms_tracer_start(t, o, why, size);
}
