// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The clock of the sources that take their own samples (idle, refs): they sleep
 * between samples in short steps, so a SIGINT/SIGTERM (o->stop) ends a frame
 * within 50 ms instead of after a whole aging interval.
 */
#include <errno.h>
#include <time.h>

#include "lib/heatmap/heatmap.h"
#include "lib/trace/tracing.h"

#define STEP_NS 50000000ULL

int hm_sleep_until(const struct hm_opts *o, uint64_t t_ns)
{
	for (;;) {
		uint64_t now = mms_monotonic_ns(), step;
		struct timespec ts;

		if (o->stop && *o->stop)
			return -EINTR;
		if (now >= t_ns)
			return 0;
		step = t_ns - now < STEP_NS ? t_ns - now : STEP_NS;
		ts.tv_sec = (time_t)(step / 1000000000ULL);
		ts.tv_nsec = (long)(step % 1000000000ULL);
		nanosleep(&ts, NULL);
	}
}
