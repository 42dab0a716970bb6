// SPDX-License-Identifier: GPL-2.0
/*
 * Loads report.bpf.c: the reclaim, compaction and extfrag tracers' programs in
 * one object, so libbpf parses the kernel's BTF once for the three (see
 * report.bpf.c). The choices each tracer's own loader makes from the kernel's
 * BTF are made here through the same functions (lib/trace/tracers.h); no
 * filter, no minimum latency: the report sees every event.
 */
#include <errno.h>
#include <stdio.h>

#include "cmd/report/report.h"
#include "lib/trace/skel_nocas.h"
#include "lib/trace/tracers.h"
#include "report.skel.h"
#include "report_nocas.skel.h"

static void destroy(void *skel)
{
	report_bpf__destroy(skel);
}

static int load(struct mms_tracer *t, const struct mms_tracer_opts *o, bool nocas, char *why,
		size_t size)
{
	struct report_bpf *skel;
	const char *src;
	int err;

	mms_tracer_init(t, o);
	skel = nocas ? MMS_SKEL_OPEN_NOCAS(report_bpf, report_nocas_bpf) : report_bpf__open();
	err = mms_tracer_adopt(t, skel, skel ? skel->obj : NULL, destroy, "report", why, size);
	if (err)
		return err;
	skel->rodata->events_wakeup_bytes = bpf_map__max_entries(skel->maps.events) / 4;
	skel->rodata->begin_gfp_first = mms_reclaim_begin_gfp_first();
	skel->rodata->pfn_args = mms_compact_pfn_args();
	mms_compact_pick_progs(skel->obj, skel->rodata->pfn_args);
	skel->rodata->pageblock_order = mms_extfrag_pageblock_order(&src);
	return mms_tracer_loaded(t, report_bpf__load(skel), "report", why, size);
}

int report_tracer_open(struct mms_tracer *t, ring_buffer_sample_fn on_event, void *ctx, char *why,
		       size_t size)
{
	struct mms_tracer_opts o = { .on_event = on_event, .ctx = ctx };

	return mms_tracer_open_nocas(t, &o, load, why, size);
}
