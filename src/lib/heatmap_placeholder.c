// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* TEMPORARY: placeholders so the tree links while the sources are written; each
 * helper deletes its entries when its real source file defines the symbol. */
#include <errno.h>
#include <stdio.h>

#include "heatmap.h"

static int not_built(struct hm_source **out, const struct hm_opts *o, char *why, size_t size)
{
	snprintf(why, size, "not built yet");
	return -EOPNOTSUPP;
}

const struct hm_source_ops hm_src_damon_vaddr = { .name = "damon-vaddr", .open = not_built };
const struct hm_source_ops hm_src_damon_paddr = { .name = "damon-paddr", .open = not_built };
const struct hm_source_ops hm_src_idle = { .name = "idle", .open = not_built };
const struct hm_source_ops hm_src_refs = { .name = "refs", .open = not_built };
