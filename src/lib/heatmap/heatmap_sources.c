// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The heatmap's access sources in order of preference: DAMON's own virtual
 * address monitoring is the most precise and cheapest, idle page tracking gives
 * 4 KiB resolution at the price of walking pagemap, young has 4 KiB too from
 * refs' clear_refs walk seen by BPF (fexit or kprobes; it clears the referenced
 * bits reclaim uses, as refs does, where idle does not), mglru has 4 KiB from
 * MGLRU's own aging walk (real aging of the target's memcg: dearer in effect than
 * young's), DAMON paddr needs the
 * physical ranges translated back, and clear_refs sees whole mappings only.
 */
#include "lib/heatmap/heatmap.h"
#include "lib/probe/backends.h"

/* The one list of sources (probe/backends.h): `features` shows it, `heatmap` walks
 * it (src/cmd/heatmap/heatmap_source.c); each entry's ops is its hm_source_ops. */
const struct mms_backend mms_heatmap_backends[] = {
	{ .name = "damon-vaddr",
	  .needs = { MMS_FEAT_DAMON_VADDR, MMS_NEEDS_END },
	  .ops = &hm_src_damon_vaddr },
	{ .name = "idle", .needs = { MMS_FEAT_PAGE_IDLE, MMS_NEEDS_END }, .ops = &hm_src_idle },
	{ .name = "young", .needs = { MMS_NEEDS_END }, .probe = hm_young_probe, .ops = &hm_src_young },
	{ .name = "mglru",
	  .needs = { MMS_FEAT_MGLRU_ENABLED, MMS_NEEDS_END },
	  .probe = hm_young_probe,
	  .ops = &hm_src_mglru },
	{ .name = "damon-paddr",
	  .needs = { MMS_FEAT_DAMON_PADDR, MMS_NEEDS_END },
	  .ops = &hm_src_damon_paddr },
	{ .name = "refs", .needs = { MMS_NEEDS_END }, .ops = &hm_src_refs },
	{ NULL },
};
