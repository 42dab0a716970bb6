// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The alloc command's backends, best first (see probe/backends.h): seed 002's
 * binary ioctl on /proc/allocinfo, BPF filtering over the allocation tags in the
 * kernel, the /proc/allocinfo text, and where the kernel has no allocation
 * profiling, BPF tracing of what is allocated while it runs. Each entry's ops is
 * its struct mms_alloc_ops (alloc_source.h, alloc_sources.c).
 */
#include "lib/alloc/alloc_ioctl.h"
#include "lib/alloc/alloc_source.h"
#include "lib/alloc/alloc_tags.h"
#include "lib/alloc/alloc_trace.h"
#include "lib/probe/backends.h"

/* The kernel answers the /proc/allocinfo ioctl (seed 002; no kernel yet). */
static int probe_ioctl(struct mms_features *fs, char *why, size_t size)
{
	return mms_alloc_ioctl_probe(&fs->host, why, size);
}

/* The tag walker loads, finds the tag section and the per-CPU offsets. */
static int probe_tags(struct mms_features *fs, char *why, size_t size)
{
	return mms_alloc_tags_probe(&fs->host, why, size);
}

/* Its programs load (not on kernels that refuse BPF compare-and-swap). */
static int probe_trace(struct mms_features *fs, char *why, size_t size)
{
	return mms_alloc_trace_probe(why, size);
}

const struct mms_backend mms_alloc_backends[] = {
	{ .name = "ioctl",
	  .needs = { MMS_FEAT_ALLOCINFO, MMS_NEEDS_END },
	  .probe = probe_ioctl,
	  .ops = &mms_alloc_src_ioctl },
	{ .name = "bpf-tags",
	  .needs = { MMS_FEAT_ALLOCINFO, MMS_FEAT_BTF, MMS_NEEDS_END },
	  .probe = probe_tags,
	  .ops = &mms_alloc_src_tags },
	{ .name = "allocinfo",
	  .needs = { MMS_FEAT_ALLOCINFO, MMS_NEEDS_END },
	  .ops = &mms_alloc_src_allocinfo },
	{ .name = "bpf-trace",
	  .needs = { MMS_FEAT_BPF_TRACEPOINT, MMS_NEEDS_END },
	  .probe = probe_trace,
	  .ops = &mms_alloc_src_trace },
	{ NULL },
};
