// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* Loader of compact.bpf.c: compaction runs (see tracers.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tracers.h"
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

	memset(t, 0, sizeof(*t));
	mms_libbpf_verbosity(o->verbose);
	skel = compact_bpf__open();
	if (!skel) {
		mms_bpf_error(-errno, "opening the compaction BPF object", why, size);
		return -errno;
	}
	t->skel = skel;
	t->destroy = destroy;
	t->obj = skel->obj;
	MMS_TASK_FILTER_APPLY(skel, &o->filter);
	skel->rodata->min_ns = o->min_ns;
	err = compact_bpf__load(skel);
	if (err) {
		mms_bpf_error(err, "loading the compaction BPF programs", why, size);
		mms_tracer_close(t);
		return err;
	}
	err = mms_tracer_start(t, o, why, size);
	if (err)
		mms_tracer_close(t);
	return err;
}
