// SPDX-License-Identifier: GPL-2.0
/*
 * Log2 histograms as text and JSON. Text buckets are microseconds: stalls of
 * interest run from microseconds to seconds, and milliseconds would fold every
 * fast stall into the first row.
 */
#include <stdio.h>
#include <string.h>

#include <mmscope/mmscope.h>

#include "output/view.h"

#define BAR_WIDTH 40

void hist_print(const struct mms_hist *h, const char *title, FILE *out)
{
	int used = mms_hist_used(h), first = 0;
	uint64_t peak = 0;

	fprintf(out, "%s: %llu events\n", title, (unsigned long long)h->count);
	if (!used)
		return;
	while (first < used && !h->slots[first])
		first++;
	for (int i = first; i < used; i++)
		if (h->slots[i] > peak)
			peak = h->slots[i];
	fprintf(out, "%25s : %-10s distribution\n", "usecs", "count");
	for (int i = first; i < used; i++) {
		uint64_t low, high;
		char bar[BAR_WIDTH + 1];
		int n = (int)(h->slots[i] * BAR_WIDTH / peak);

		mms_hist_slot_range(i, &low, &high);
		memset(bar, '*', (size_t)n);
		bar[n] = '\0';
		/* ns buckets shown in us: [low/1000, high/1000], the way they overlap in ns. */
		fprintf(out, "%12.3f -> %-10.3f : %-10llu |%-*s|\n", low / 1000.0, high / 1000.0,
			(unsigned long long)h->slots[i], BAR_WIDTH, bar);
	}
}

json_t *hist_json(const struct mms_hist *h)
{
	json_t *slots = json_array();
	int used = mms_hist_used(h);

	for (int i = 0; i < used; i++) {
		uint64_t low, high;

		if (!h->slots[i])
			continue;
		mms_hist_slot_range(i, &low, &high);
		json_array_append_new(slots, json_pack("{s:I,s:I,s:I}", "low", (json_int_t)low,
						       "high", (json_int_t)high, "count",
						       (json_int_t)h->slots[i]));
	}
	return json_pack("{s:s,s:I,s:I,s:I,s:I,s:o}", "unit", "ns", "count", (json_int_t)h->count,
			 "sum_ns", (json_int_t)h->sum, "min_ns", (json_int_t)h->min, "max_ns",
			 (json_int_t)h->max, "slots", slots);
}
