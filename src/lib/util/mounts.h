/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* Looking up mounts in /proc/self/mounts (or the --root tree's proc/mounts). */
#ifndef MMS_MOUNTS_H
#define MMS_MOUNTS_H

#include <stddef.h>

#include <mmscope/mmscope.h>

/*
 * Finds the first mount of filesystem type fstype ("cgroup2", "tracefs") that has
 * option among its mount options (NULL: any) and writes its mount point into path.
 * Returns 0, or -ENOENT when there is none, or another negative errno.
 */
int mms_mount_find(const struct mms_host *host, const char *fstype, const char *option,
		   char *path, size_t size);

#endif
