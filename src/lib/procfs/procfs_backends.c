// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* The backends of the commands that only read files (see probe/backends.h). */
#include "lib/probe/backends.h"

/* report and frag: procfs text, everywhere. */
const struct mms_backend mms_procfs_backends[] = {
	{ .name = "procfs", .needs = { MMS_NEEDS_END } },
	{ NULL },
};

/* thp: /sys/kernel/mm/transparent_hugepage, where THP is built in. */
const struct mms_backend mms_thp_backends[] = {
	{ .name = "sysfs", .needs = { MMS_FEAT_THP, MMS_NEEDS_END } },
	{ NULL },
};
