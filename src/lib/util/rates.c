// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* Per-second rates of kernel event counters (THP windows, memcg intervals). */
#include <mmscope/mmscope.h>

bool mms_counter_rate(uint64_t start, uint64_t end, double window_s, double *rate)
{
	if (!(window_s > 0) || end < start)
		return false;
	*rate = (double)(end - start) / window_s;
	return true;
}
