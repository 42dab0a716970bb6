// SPDX-License-Identifier: GPL-2.0
/*
 * The fragmentation math against the kernel's own numbers: debugfs extfrag files
 * recorded on the 6.18 machine with the buddyinfo read right after them, the worked
 * examples of kernel-interfaces.md section 1.5, and the edge cases of each formula
 * (empty zone, no suitable block, overflow).
 */
#include "unit.h"

static struct mms_buddyinfo bi;

static void load_doc_buddyinfo(void)
{
	struct mms_error err = { 0 };
	size_t len;
	char *text = fixture("doc-6.18/buddyinfo", &len);

	assert_int_equal(mms_parse_buddyinfo(text, len, &bi, &err), 0);
	free(text);
}

/* debugfs unusable_index lines recorded with that buddyinfo (x1000). */
static const int debugfs_unusable[3][11] = {
	{ 0, 0, 0, 0, 0, 0, 0, 0, 0, 66, 200 },
	{ 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 4 },
	{ 0, 3, 7, 11, 17, 25, 36, 47, 62, 82, 102 },
};

static void test_matches_debugfs(void **state)
{
	load_doc_buddyinfo();
	assert_int_equal(bi.nr_zones, 3);
	for (int z = 0; z < 3; z++) {
		struct mms_zone_frag f;

		assert_int_equal(mms_zone_frag_compute(&bi.zones[z], bi.nr_orders, &f), 0);
		for (int o = 0; o < 11; o++) {
			assert_int_equal(f.unusable_index[o], debugfs_unusable[z][o]);
			assert_int_equal(f.extfrag_index[o], -1000); /* debugfs: -1.000 everywhere */
		}
	}
}

static void test_worked_example_1(void **state)
{
	struct mms_contig_info info;

	load_doc_buddyinfo();
	assert_int_equal(mms_contig_info(bi.zones[2].free_blocks, 11, 9, &info), 0);
	assert_int_equal(info.free_pages, 2505381);
	assert_int_equal(info.free_blocks_total, 23077);
	assert_int_equal(info.free_blocks_suitable, 4490);
	assert_int_equal(mms_unusable_index(&info, 9), 82);
	assert_int_equal(mms_contig_info(bi.zones[2].free_blocks, 11, 3, &info), 0);
	assert_int_equal(info.free_blocks_suitable, 309415);
	assert_int_equal(mms_unusable_index(&info, 3), 11);
}

/* Example 2b: the same zone with empty order-9 and order-10 lists. */
static void test_worked_example_2b(void **state)
{
	struct mms_contig_info info;
	uint64_t blocks[11];

	load_doc_buddyinfo();
	memcpy(blocks, bi.zones[2].free_blocks, sizeof(blocks));
	blocks[9] = blocks[10] = 0;
	assert_int_equal(mms_contig_info(blocks, 11, 9, &info), 0);
	assert_int_equal(info.free_pages, 206501);
	assert_int_equal(info.free_blocks_total, 20782);
	assert_int_equal(mms_fragmentation_index(&info, 9, 11), 981);
	assert_int_equal(mms_contig_info(blocks, 11, 10, &info), 0);
	assert_int_equal(mms_fragmentation_index(&info, 10, 11), 991);
}

static void test_empty_zone(void **state)
{
	uint64_t blocks[11] = { 0 };
	struct mms_contig_info info;

	assert_int_equal(mms_contig_info(blocks, 11, 4, &info), 0);
	assert_int_equal(mms_fragmentation_index(&info, 4, 11), 0);
	assert_int_equal(mms_unusable_index(&info, 4), 1000);
}

/* Only order-0 pages: every higher order is all fragmentation. */
static void test_only_order0(void **state)
{
	uint64_t blocks[11] = { 1000 };
	struct mms_contig_info info;

	assert_int_equal(mms_contig_info(blocks, 11, 1, &info), 0);
	/* 1000 - (1000 + 1000*1000/2) / 1000 = 1000 - 501 = 499 */
	assert_int_equal(mms_fragmentation_index(&info, 1, 11), 499);
	assert_int_equal(mms_unusable_index(&info, 1), 1000);
	assert_int_equal(mms_contig_info(blocks, 11, 0, &info), 0);
	assert_int_equal(mms_fragmentation_index(&info, 0, 11), -1000);
	assert_int_equal(mms_unusable_index(&info, 0), 0);
	/* Past the last order the kernel WARNs and answers 0. */
	assert_int_equal(mms_fragmentation_index(&info, 11, 11), 0);
}

static void test_overflow_refused(void **state)
{
	uint64_t blocks[11] = { 0 };
	struct mms_contig_info info;

	blocks[10] = UINT64_MAX / 1024;
	assert_int_equal(mms_contig_info(blocks, 11, 0, &info), -EOVERFLOW);
	blocks[10] = (UINT64_MAX / 1000) >> 10; /* fits x1000 */
	assert_int_equal(mms_contig_info(blocks, 11, 0, &info), 0);
}

static void test_verdicts(void **state)
{
	struct mms_zoneinfo_zone zi = { .populated = true, .free = 100, .high = 200 };
	struct mms_buddy_zone z = { .free_blocks = { 1000 } };
	struct mms_zone_verdict v;
	struct mms_zone_frag f;

	assert_int_equal(mms_zone_frag_compute(&z, 11, &f), 0);
	mms_zone_judge(&f, &zi, 500, 9, &v);
	assert_int_equal(v.verdict, MMS_ZONE_SHORT_OF_MEMORY);
	zi.free = 1000;
	mms_zone_judge(&f, &zi, 500, 9, &v);
	/* order 1 index 499 <= 500; order 2: 1000 - (1000+250000)/1000 = 749 */
	assert_int_equal(v.verdict, MMS_ZONE_FRAGMENTED);
	assert_int_equal(v.order, 2);
	assert_true(v.thp_fragmented);
	assert_int_equal(v.thp_unusable, 1000);
	load_doc_buddyinfo();
	assert_int_equal(mms_zone_frag_compute(&bi.zones[2], 11, &f), 0);
	mms_zone_judge(&f, NULL, 500, 9, &v);
	assert_int_equal(v.verdict, MMS_ZONE_HEALTHY);
	assert_int_equal(v.thp_unusable, 82);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches_debugfs),	  cmocka_unit_test(test_worked_example_1),
		cmocka_unit_test(test_worked_example_2b), cmocka_unit_test(test_empty_zone),
		cmocka_unit_test(test_only_order0),	  cmocka_unit_test(test_overflow_refused),
		cmocka_unit_test(test_verdicts),
	};

	return cmocka_run_group_tests_name("fragindex", tests, NULL, NULL);
}
