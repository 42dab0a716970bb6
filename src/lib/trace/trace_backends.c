// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The tracing commands' backends (see probe/backends.h): each attaches its
 * programs to raw/BTF tracepoints by name (tracers.h), so none needs tracefs.
 * fentry is not among them: this kernel refuses fentry loads and the tracepoints
 * carry everything the tracers report.
 */
#include "lib/probe/backends.h"

const struct mms_backend mms_reclaim_backends[] = {
	{ .name = "tracepoint", .needs = { MMS_FEAT_BPF_TRACEPOINT, MMS_NEEDS_END } },
	{ NULL },
};

const struct mms_backend mms_compact_backends[] = {
	{ .name = "tracepoint", .needs = { MMS_FEAT_BPF_TRACEPOINT, MMS_NEEDS_END } },
	{ NULL },
};

/*
 * syscalls: raw tracepoints raw_syscalls:sys_enter/sys_exit (arch-neutral: id,
 * args, ret), counting in per-CPU maps.
 */
const struct mms_backend mms_syscalls_backends[] = {
	{ .name = "raw_tracepoint", .needs = { MMS_FEAT_BPF_TRACEPOINT, MMS_NEEDS_END } },
	{ NULL },
};

/* frag --events */
const struct mms_backend mms_extfrag_backends[] = {
	{ .name = "tracepoint", .needs = { MMS_FEAT_BPF_TRACEPOINT, MMS_NEEDS_END } },
	{ NULL },
};
