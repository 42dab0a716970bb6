/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libmmscope: the public interface.
 *
 * The library reads the kernel's memory-management state into plain C structs and
 * computes what the kernel computes from it (fragmentation indices, watermark
 * verdicts). It never prints and never exits: functions return 0 or a negative errno,
 * and parse failures also fill a struct mms_error with the file, the line and why,
 * so the caller decides what the user sees.
 *
 * Every reader comes in two layers: a pure parser from text to struct
 * (mms_parse_*(), what the unit tests and fuzzers drive) and a reader that takes a
 * struct mms_host (which says where procfs and sysfs live: "/" or a --root tree).
 *
 * The interface is split by domain, as the library's sources are (src/lib/<domain>/):
 * util.h (errors, host, statistics), procfs.h (readers), judge.h (fragmentation math,
 * verdicts, advice, findings), probe.h (features, backend choice), memcg.h, alloc.h.
 * This header includes them all. Only what these headers declare is exported by
 * libmmscope.a.
 */
#ifndef MMSCOPE_MMSCOPE_H
#define MMSCOPE_MMSCOPE_H

#include <mmscope/util.h>
#include <mmscope/procfs.h>
#include <mmscope/judge.h>
#include <mmscope/probe.h>
#include <mmscope/memcg.h>
#include <mmscope/alloc.h>

#endif /* MMSCOPE_MMSCOPE_H */
