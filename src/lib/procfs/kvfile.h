/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* "Name: value kB" files, shared by meminfo and smaps_rollup (procfs-internal). */
#ifndef MMS_KVFILE_H
#define MMS_KVFILE_H

#include <stdbool.h>
#include <stddef.h>

#include <mmscope/mmscope.h>

/*
 * "Name: value kB" lines into out, in bytes. Every line must carry its kB, except,
 * when counts, meminfo's HugePages_* counts, which must not. -EINVAL/-ERANGE with
 * err naming the line.
 */
int mms_parse_kb_lines(const char *text, size_t len, bool counts, struct mms_kvset *out,
		       struct mms_error *err);

#endif
