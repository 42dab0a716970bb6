// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* Loader of reclaim.bpf.c: reclaim stalls and kswapd runs (see tracers.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/trace/tracers.h"
#include "lib/trace/skel_nocas.h"
#include "reclaim.skel.h"
#include "reclaim_nocas.skel.h"

static void destroy(void *skel)
{
	reclaim_bpf__destroy(skel);
}

bool mms_reclaim_begin_gfp_first(void)
{
	char type[64];

	/* See begin_gfp_first in reclaim.bpf.c: the argument order changed after 6.18. */
	return mms_btf_tp_param_type("mm_vmscan_direct_reclaim_begin", 0, type, sizeof(type)) &&
	       !strcmp(type, "gfp_t");
}

/* One attempt: the first build of reclaim.bpf.c, or its nocas build (skel_nocas.h). */
static int load(struct mms_tracer *t, const struct mms_tracer_opts *o, bool nocas, char *why,
		size_t size)
{
	struct reclaim_bpf *skel;
	int err;

	mms_tracer_init(t, o);
	skel = nocas ? MMS_SKEL_OPEN_NOCAS(reclaim_bpf, reclaim_nocas_bpf) : reclaim_bpf__open();
	err = mms_tracer_adopt(t, skel, skel ? skel->obj : NULL, destroy, "reclaim", why, size);
	if (err)
		return err;
	MMS_TASK_FILTER_APPLY(skel, &o->filter);
	skel->rodata->min_ns = o->min_ns;
	skel->rodata->events_wakeup_bytes = bpf_map__max_entries(skel->maps.events) / 4;
	skel->rodata->begin_gfp_first = mms_reclaim_begin_gfp_first();
	return mms_tracer_loaded(t, reclaim_bpf__load(skel), "reclaim", why, size);
}

int mms_reclaim_tracer_open(struct mms_tracer *t, const struct mms_tracer_opts *o, char *why,
			    size_t size)
{
	return mms_tracer_open_nocas(t, o, load, why, size);
}
