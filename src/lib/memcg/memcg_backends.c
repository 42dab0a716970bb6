// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The memcg reader's backends, best first (see probe/backends.h): memcg kfuncs
 * from a sleepable cgroup iterator, CO-RE reads of struct mem_cgroup from a cgroup
 * iterator, then the cgroup's text files. Their operations: struct memcg_backend_ops
 * (memcg_reader.h), in memcg_kfunc.c, memcg_core.c and memcg_text.c.
 */
#include "lib/memcg/memcg_reader.h"
#include "lib/probe/backends.h"

const struct mms_backend mms_memcg_backends[] = {
	{ .name = "kfunc",
	  .needs = { MMS_FEAT_BPF_CGROUP_ITER, MMS_FEAT_MEMCG_KFUNCS, MMS_NEEDS_END },
	  .ops = &memcg_kfunc_ops },
	{ .name = "core", .needs = { MMS_FEAT_BPF_CGROUP_ITER, MMS_FEAT_BTF, MMS_NEEDS_END },
	  .ops = &memcg_core_ops },
	{ .name = "text", .needs = { MMS_NEEDS_END }, .ops = &memcg_text_ops },
	{ NULL },
};
