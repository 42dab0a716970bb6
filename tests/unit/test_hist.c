// SPDX-License-Identifier: GPL-2.0
/* The latency statistics of the tracing commands: log2 slots, percentiles, reservoir. */
#include "unit.h"

static void test_slots(void **state)
{
	uint64_t lo, hi;

	assert_int_equal(mms_hist_slot(0), 0);
	assert_int_equal(mms_hist_slot(1), 1);
	assert_int_equal(mms_hist_slot(2), 2);
	assert_int_equal(mms_hist_slot(3), 2);
	assert_int_equal(mms_hist_slot(4), 3);
	assert_int_equal(mms_hist_slot(UINT64_MAX), 64);
	mms_hist_slot_range(3, &lo, &hi);
	assert_int_equal(lo, 4);
	assert_int_equal(hi, 7);
	mms_hist_slot_range(0, &lo, &hi);
	assert_int_equal(lo, 0);
	assert_int_equal(hi, 0);
}

static void test_add_merge(void **state)
{
	struct mms_hist a = { 0 }, b = { 0 };

	assert_int_equal(mms_hist_used(&a), 0);
	mms_hist_add(&a, 1000);
	mms_hist_add(&a, 5);
	mms_hist_add(&b, 1 << 20);
	mms_hist_merge(&a, &b);
	assert_int_equal(a.count, 3);
	assert_int_equal(a.min, 5);
	assert_int_equal(a.max, 1 << 20);
	assert_int_equal(a.sum, 1005 + (1 << 20));
	assert_int_equal(a.slots[mms_hist_slot(1000)], 1);
	assert_int_equal(mms_hist_used(&a), 22); /* 1 << 20 is in slot 21 */
	/* The top slot takes what does not fit. */
	mms_hist_add(&b, UINT64_MAX);
	assert_int_equal(b.slots[MMS_HIST_SLOTS - 1], 1);
}

static void test_percentile_sorted(void **state)
{
	uint64_t v[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

	assert_int_equal(mms_percentile_sorted(v, 10, 50), 5);
	assert_int_equal(mms_percentile_sorted(v, 10, 99), 10);
	assert_int_equal(mms_percentile_sorted(v, 10, 100), 10);
	assert_int_equal(mms_percentile_sorted(v, 10, 10), 1);
	assert_int_equal(mms_percentile_sorted(v, 10, 11), 2);
	assert_int_equal(mms_percentile_sorted(v, 1, 50), 1);
	assert_int_equal(mms_percentile_sorted(v, 0, 50), 0);
}

static void test_lat_exact_and_reservoir(void **state)
{
	static const double ps[3] = { 50, 99, 100 };
	struct mms_lat l = { 0 };
	uint64_t out[3];

	for (uint64_t i = 100; i >= 1; i--)
		assert_int_equal(mms_lat_add(&l, i), 0);
	mms_lat_percentiles(&l, ps, 3, out);
	assert_int_equal(out[0], 50);
	assert_int_equal(out[1], 99);
	assert_int_equal(out[2], 100);
	mms_lat_free(&l);

	/* Past the cap: bounded memory, the max stays exact, p50 close to the truth. */
	uint64_t n = 4 * MMS_LAT_SAMPLES_MAX;

	for (uint64_t i = 1; i <= n; i++)
		mms_lat_add(&l, i);
	assert_int_equal(l.nr_samples, MMS_LAT_SAMPLES_MAX);
	mms_lat_percentiles(&l, ps, 3, out);
	assert_int_equal(out[2], n);
	assert_true(out[0] > n / 2 - n / 50 && out[0] < n / 2 + n / 50);
	mms_lat_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slots),
		cmocka_unit_test(test_add_merge),
		cmocka_unit_test(test_percentile_sorted),
		cmocka_unit_test(test_lat_exact_and_reservoir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
