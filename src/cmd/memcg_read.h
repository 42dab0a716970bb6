/* SPDX-License-Identifier: GPL-2.0 */
/* What `mmscope memcg` shares with the report (src/cmd/memcg.c). */
#ifndef MMS_CMD_MEMCG_READ_H
#define MMS_CMD_MEMCG_READ_H

#include <mmscope/mmscope.h>

/* mms_memcg_reader_read() into *s, growing s while the tree outgrows it. */
int memcg_read_snapshot(struct mms_memcg_reader *r, struct mms_memcg_snapshot *s);

#endif
