// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Latency statistics shared by the tracing commands: a log2 histogram (cheap,
 * fixed size, what -H prints) and, per group, the values themselves so that the
 * summary's p50/p99 are exact rather than read off a power-of-two bucket. Memory
 * is bounded: past MMS_LAT_SAMPLES_MAX values a uniform reservoir (Vitter's
 * algorithm R) stands in for them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <mmscope/mmscope.h>

int mms_hist_slot(uint64_t value)
{
	return value ? 64 - __builtin_clzll(value) : 0;
}

void mms_hist_slot_range(int slot, uint64_t *low, uint64_t *high)
{
	if (slot <= 0) {
		*low = *high = 0;
		return;
	}
	*low = 1ull << (slot - 1);
	*high = slot >= 64 ? UINT64_MAX : (1ull << slot) - 1;
}

void mms_hist_add(struct mms_hist *h, uint64_t value)
{
	int slot = mms_hist_slot(value);

	if (slot >= MMS_HIST_SLOTS)
		slot = MMS_HIST_SLOTS - 1;
	h->slots[slot]++;
	if (!h->count || value < h->min)
		h->min = value;
	if (value > h->max)
		h->max = value;
	h->count++;
	h->sum += value;
}

void mms_hist_merge(struct mms_hist *into, const struct mms_hist *from)
{
	if (!from->count)
		return;
	for (int i = 0; i < MMS_HIST_SLOTS; i++)
		into->slots[i] += from->slots[i];
	if (!into->count || from->min < into->min)
		into->min = from->min;
	if (from->max > into->max)
		into->max = from->max;
	into->count += from->count;
	into->sum += from->sum;
}

int mms_hist_used(const struct mms_hist *h)
{
	for (int i = MMS_HIST_SLOTS - 1; i >= 0; i--)
		if (h->slots[i])
			return i + 1;
	return 0;
}

uint64_t mms_percentile_sorted(const uint64_t *sorted, size_t n, double p)
{
	size_t rank;

	if (!n)
		return 0;
	if (p <= 0)
		return sorted[0];
	/* Nearest rank: the smallest value with at least p% of values at or below it. */
	rank = (size_t)(p / 100.0 * (double)n);
	if ((double)rank < p / 100.0 * (double)n)
		rank++;
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

/* xorshift64*: the reservoir only needs a uniform index, not secrecy. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t x = *state ? *state : 0x9e3779b97f4a7c15ull;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

int mms_lat_add(struct mms_lat *l, uint64_t value)
{
	uint64_t seen;

	mms_hist_add(&l->hist, value);
	seen = l->hist.count; /* including this one */
	if (l->nr_samples < MMS_LAT_SAMPLES_MAX) {
		if (l->nr_samples == l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 64;
			uint64_t *s = realloc(l->samples, cap * sizeof(*s));

			if (!s)
				return -ENOMEM;
			l->samples = s;
			l->cap = cap;
		}
		l->samples[l->nr_samples++] = value;
		return 0;
	}
	/* Keep each of the seen values with probability MAX/seen. */
	uint64_t j = next_random(&l->rng) % seen;

	if (j < MMS_LAT_SAMPLES_MAX)
		l->samples[j] = value;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void mms_lat_percentiles(struct mms_lat *l, const double *ps, int n, uint64_t *out)
{
	qsort(l->samples, l->nr_samples, sizeof(*l->samples), cmp_u64);
	for (int i = 0; i < n; i++) {
		out[i] = mms_percentile_sorted(l->samples, l->nr_samples, ps[i]);
		/* The reservoir may have dropped the maximum: the histogram has it. */
		if (ps[i] >= 100)
			out[i] = l->hist.max;
	}
}

void mms_lat_free(struct mms_lat *l)
{
	free(l->samples);
	memset(l, 0, sizeof(*l));
}
