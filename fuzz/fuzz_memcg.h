/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by fuzz_memcg_stat.c and fuzz_memcg_events.c: the first input byte picks
 * which window of the statistics catalog is asked for (the catalog can be longer
 * than MMS_MEMCG_STATS_MAX), the rest is the file's text. Beyond fuzz.h's contract:
 * only asked-for statistics are marked present, and an accepted file is not empty.
 */
#ifndef MMS_FUZZ_MEMCG_H
#define MMS_FUZZ_MEMCG_H

#include "fuzz.h"

/* Fills stats[] from the window byte; returns how many. */
static inline int fuzz_memcg_stats(uint8_t pick, int *stats)
{
	int count = mms_memcg_stat_count(), nr = count < MMS_MEMCG_STATS_MAX ? count :
								      MMS_MEMCG_STATS_MAX;

	for (int i = 0; i < nr; i++)
		stats[i] = (pick + i) % count;
	return nr;
}

static inline void fuzz_memcg_check(int rc, int nr, uint64_t present,
				    const struct mms_error *err, const uint8_t *text,
				    size_t len)
{
	fuzz_check_result(rc, err, text, len);
	if (rc)
		return;
	FUZZ_ASSERT(len > 0);
	FUZZ_ASSERT(nr == 64 || (present >> nr) == 0);
}

#endif
