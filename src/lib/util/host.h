/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* Opening a host file (library-internal; mms_host_read() is the public reader). */
#ifndef MMS_HOST_H
#define MMS_HOST_H

#include <mmscope/mmscope.h>

/*
 * Opens full (a path already under the host's root) for reading without blocking,
 * and refuses anything that is not a regular file: procfs, sysfs and cgroupfs files
 * are regular, so a FIFO, socket or device in a --root tree is bad input, never a
 * hang. Returns the descriptor, or -errno; -EISDIR for a directory, -EINVAL for any
 * other non-regular file; err->msg says which (err->file is left to the caller).
 */
int mms_host_open_file(const char *full, struct mms_error *err);

#endif
