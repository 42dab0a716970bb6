// SPDX-License-Identifier: GPL-2.0
/*
 * The root-total rule's decision (src/lib/memcg/memcg_zero.c) on recorded root
 * memory.stat files: v1 of this machine (6.18: total_writeback and
 * total_workingset_refault_anon 0, total_dirty not), v2 of the 7.2 test kernel; only
 * the statistics asked for (mask) and only those of memory.stat; a key the text lacks,
 * a value above 0 or a text that does not parse is never a 0.
 */
#include "unit.h"

#include "lib/memcg/memcg_int.h"

static void stats_of(const char *const *names, int nr, int *stats)
{
	for (int i = 0; i < nr; i++) {
		stats[i] = mms_memcg_stat_find(names[i]);
		if (stats[i] < 0)
			fail_msg("no stat %s", names[i]);
	}
}

static uint64_t decide(const char *fixture_name, int version, const char *const *names,
		       int nr, uint64_t mask)
{
	int stats[MMS_MEMCG_STATS_MAX];
	size_t len;
	char *text = fixture(fixture_name, &len);
	uint64_t zero;

	stats_of(names, nr, stats);
	zero = memcg_zero_decide(version, stats, nr, mask, text, len);
	free(text);
	return zero;
}

static void test_v1_root(void **state)
{
	/* kernel: not in v1 memory.stat; usage: not memory.stat; file_dirty: 19644416 */
	static const char *const names[] = { "file_writeback", "workingset_refault_anon",
					     "file_dirty", "kernel", "usage", "pgmajfault" };

	assert_int_equal(decide("host-6.18/memory.stat.v1", 1, names, 6, 0x3f), 0x3);
	/* only what the mask asks for */
	assert_int_equal(decide("host-6.18/memory.stat.v1", 1, names, 6, 0x2), 0x2);
	assert_int_equal(decide("host-6.18/memory.stat.v1", 1, names, 6, 0), 0);
}

static void test_v2_root(void **state)
{
	/* pgscan 12800 and anon above 0; the other two 0 on the 7.2 test kernel */
	static const char *const names[] = { "anon", "file_writeback", "pgscan",
					     "workingset_refault_anon", "events_oom_kill" };

	assert_int_equal(decide("test-7.2/memory.stat", 2, names, 5, 0x1f), 0xa);
	/* v1 names are not v2's: the v2 text read as v1 has no total_ keys */
	assert_int_equal(decide("test-7.2/memory.stat", 1, names, 5, 0x1f), 0);
}

static void test_not_zero(void **state)
{
	static const char *const names[] = { "file_writeback", "workingset_refault_anon" };
	static const char busy[] = "file_writeback 4096\nworkingset_refault_anon 0\n";
	static const char absent[] = "anon 0\nfile 0\n";
	static const char bad[] = "file_writeback 0\nworkingset_refault_anon\n";
	int stats[2];

	stats_of(names, 2, stats);
	assert_int_equal(memcg_zero_decide(2, stats, 2, 3, busy, strlen(busy)), 0x2);
	assert_int_equal(memcg_zero_decide(2, stats, 2, 3, absent, strlen(absent)), 0);
	assert_int_equal(memcg_zero_decide(2, stats, 2, 3, bad, strlen(bad)), 0);
	assert_int_equal(memcg_zero_decide(2, stats, 2, 3, NULL, 0), 0);
	assert_int_equal(memcg_zero_decide(2, stats, 2, 3, "", 0), 0);
}

static void test_eligible(void **state)
{
	assert_true(memcg_zero_eligible(mms_memcg_stat_find("file_writeback"), 1));
	assert_true(memcg_zero_eligible(mms_memcg_stat_find("pgscan"), 2));
	assert_false(memcg_zero_eligible(mms_memcg_stat_find("usage"), 2));
	assert_false(memcg_zero_eligible(mms_memcg_stat_find("events_oom_kill"), 2));
	assert_false(memcg_zero_eligible(mms_memcg_stat_find("some_total"), 2));
	assert_false(memcg_zero_eligible(mms_memcg_stat_find("kernel"), 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_root),
		cmocka_unit_test(test_v2_root),
		cmocka_unit_test(test_not_zero),
		cmocka_unit_test(test_eligible),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
