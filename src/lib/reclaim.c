// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* Loader of reclaim.bpf.c: reclaim stalls and kswapd runs (see tracers.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tracers.h"
#include "reclaim.skel.h"

static void destroy(void *skel)
{
	reclaim_bpf__destroy(skel);
}

int mms_reclaim_tracer_open(struct mms_tracer *t, const struct mms_tracer_opts *o, char *why,
			    size_t size)
{
	struct reclaim_bpf *skel;
	char type[64];
	int err;

	memset(t, 0, sizeof(*t));
	mms_libbpf_verbosity(o->verbose);
	skel = reclaim_bpf__open();
	if (!skel) {
		mms_bpf_error(-errno, "opening the reclaim BPF object", why, size);
		return -errno;
	}
	t->skel = skel;
	t->destroy = destroy;
	t->obj = skel->obj;
	MMS_TASK_FILTER_APPLY(skel, &o->filter);
	skel->rodata->min_ns = o->min_ns;
	/* See begin_gfp_first in reclaim.bpf.c: the argument order changed after 6.18. */
	skel->rodata->begin_gfp_first =
		mms_btf_tp_param_type("mm_vmscan_direct_reclaim_begin", 0, type, sizeof(type)) &&
		!strcmp(type, "gfp_t");
	err = reclaim_bpf__load(skel);
	if (err) {
		mms_bpf_error(err, "loading the reclaim BPF programs", why, size);
		mms_tracer_close(t);
		return err;
	}
	err = mms_tracer_start(t, o, why, size);
	if (err)
		mms_tracer_close(t);
	return err;
}
