// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* Loader of extfrag.bpf.c: mm_page_alloc_extfrag counters (see tracers.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tracers.h"
#include "extfrag.skel.h"

static void destroy(void *skel)
{
	extfrag_bpf__destroy(skel);
}

int mms_extfrag_tracer_open(struct mms_tracer *t, const struct mms_tracer_opts *o, char *why,
			    size_t size)
{
	struct extfrag_bpf *skel;
	int err;

	memset(t, 0, sizeof(*t));
	mms_libbpf_verbosity(o->verbose);
	skel = extfrag_bpf__open();
	if (!skel) {
		mms_bpf_error(-errno, "opening the extfrag BPF object", why, size);
		return -errno;
	}
	t->skel = skel;
	t->destroy = destroy;
	t->obj = skel->obj;
	MMS_TASK_FILTER_APPLY(skel, &o->filter);
	skel->rodata->pageblock_order = o->pageblock_order;
	/* Counters only: the shared ring buffer is unused, keep it at its minimum. */
	bpf_map__set_max_entries(skel->maps.events, 4096);
	err = extfrag_bpf__load(skel);
	if (err) {
		mms_bpf_error(err, "loading the extfrag BPF program", why, size);
		mms_tracer_close(t);
		return err;
	}
	err = mms_tracer_start(t, o, why, size);
	if (err)
		mms_tracer_close(t);
	return err;
}
