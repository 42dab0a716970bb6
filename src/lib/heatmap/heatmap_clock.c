// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The clock of the sources that take their own samples (idle, refs): per_frame
 * samples a frame, each due one aging interval after the last; they sleep between
 * samples in short steps, so a SIGINT/SIGTERM (o->stop) ends a frame within 50 ms
 * instead of after a whole aging interval.
 */
#include <errno.h>
#include <stdio.h>
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

void hm_clock_init(struct hm_clock *k, struct hm_opts *o)
{
	if (!o->aging_us)
		o->aging_us = HM_DEFAULT_AGING_US;
	if (!o->aggregate_us)
		o->aggregate_us = HM_DEFAULT_AGGREGATE_US;
	k->o = o;
	k->per_frame = (uint32_t)(o->aggregate_us / o->aging_us);
	if (!k->per_frame)
		k->per_frame = 1;
}

void hm_clock_start(struct hm_clock *k, const char *what)
{
	k->t0_ns = k->next_ns = mms_monotonic_ns();
	snprintf(k->desc, sizeof(k->desc), "%s, %llu ms aging / %llu ms frames", what,
		 (unsigned long long)k->o->aging_us / 1000,
		 (unsigned long long)k->o->aggregate_us / 1000);
}

int hm_clock_frame(struct hm_clock *k, struct hm_source *s,
		   int (*sample)(struct hm_source *s, char *why, size_t size), char *why,
		   size_t size)
{
	int rc;

	for (uint32_t i = 0; i < k->per_frame; i++) {
		k->next_ns += k->o->aging_us * 1000;
		rc = hm_sleep_until(k->o, k->next_ns);
		if (!rc)
			rc = sample(s, why, size);
		if (rc)
			return rc;
	}
	return 0;
}

void hm_clock_stamp(const struct hm_clock *k, struct hm_frame *f)
{
	f->samples = k->per_frame;
	f->t_ns = mms_monotonic_ns() - k->t0_ns;
}

const char *hm_clock_describe(struct hm_source *s)
{
	return ((const struct hm_clock *)s)->desc;
}
