// SPDX-License-Identifier: GPL-2.0
/*
 * mms_parse_buddyinfo() on every recorded kernel's /proc/buddyinfo (6.1, 6.18, the
 * 7.2 test kernel with two nodes), checking the real counts and that the
 * fragmentation math runs on every zone, then on malformed files: each case checks
 * the error code and the line the error names.
 */
#include "unit.h"

static struct mms_buddyinfo bi;

/* Parses len bytes of text; fails the test unless the result is rc at line. */
static void expect_len(const char *what, const char *text, size_t len, int rc, int line)
{
	struct mms_error err = { 0 };
	int got = mms_parse_buddyinfo(text, len, &bi, &err);

	expect_result(what, got, &err, rc, line);
}

static void expect(const char *what, const char *text, int rc, int line)
{
	expect_len(what, text, strlen(text), rc, line);
}

static void load(const char *name)
{
	size_t len;
	char *text = fixture(name, &len);

	expect_len(name, text, len, 0, 0);
	free(text);
}

static void assert_counts(const struct mms_buddy_zone *z, int node, const char *name,
			  const uint64_t *want)
{
	assert_int_equal(z->node, node);
	assert_string_equal(z->zone, name);
	for (int o = 0; o < 11; o++)
		assert_int_equal(z->free_blocks[o], want[o]);
}

/* Every zone goes through the kernel's formulas; returns the zone's free pages. */
static uint64_t frag_pages(int zone)
{
	struct mms_zone_frag f;

	assert_int_equal(mms_zone_frag_compute(&bi.zones[zone], bi.nr_orders, &f), 0);
	for (int o = 0; o < bi.nr_orders; o++) {
		assert_in_range(f.extfrag_index[o] + 1000, 0, 2000);
		assert_in_range(f.unusable_index[o], 0, 1000);
	}
	return f.free_pages;
}

static void test_host_6_18(void **state)
{
	static const uint64_t dma[11] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3 };
	static const uint64_t dma32[11] = { 1, 1, 4, 2, 5, 4, 3, 3, 4, 2, 752 };
	static const uint64_t normal[11] = { 1124, 778, 557, 226, 132, 54, 24, 88, 61, 56, 309 };

	load("host-6.18/buddyinfo");
	assert_int_equal(bi.nr_zones, 3);
	assert_int_equal(bi.nr_orders, 11);
	assert_counts(&bi.zones[0], 0, "DMA", dma);
	assert_counts(&bi.zones[1], 0, "DMA32", dma32);
	assert_counts(&bi.zones[2], 0, "Normal", normal);
	/* The same snapshot's zoneinfo says "pages free" 3840, 772915 and 384060. */
	assert_int_equal(frag_pages(0), 3840);
	assert_int_equal(frag_pages(1), 772915);
	assert_int_equal(frag_pages(2), 384060);
}

static void test_doc_6_18(void **state)
{
	static const uint64_t normal[11] = { 7641, 5346, 2932, 1849, 1257, 837,
					     435,  291,	 194,  100,  2195 };

	load("doc-6.18/buddyinfo");
	assert_int_equal(bi.nr_zones, 3);
	assert_counts(&bi.zones[2], 0, "Normal", normal);
	assert_int_equal(frag_pages(0), 3840);
	assert_int_equal(frag_pages(1), 772854);
	assert_int_equal(frag_pages(2), 2505381);
}

static void test_debian_6_1(void **state)
{
	static const uint64_t dma32[11] = { 3, 28, 28, 31, 23, 19, 14, 7, 3, 3, 100 };

	load("debian-6.1/buddyinfo");
	assert_int_equal(bi.nr_zones, 2);
	assert_int_equal(bi.nr_orders, 11);
	assert_counts(&bi.zones[1], 0, "DMA32", dma32);
	assert_int_equal(frag_pages(0), 3808);
	assert_int_equal(frag_pages(1), 107891);
}

static void test_test_7_2_two_nodes(void **state)
{
	static const uint64_t n0_dma32[11] = { 44, 31, 33, 21, 16, 6, 8, 9, 4, 7, 40 };
	static const uint64_t n1_dma32[11] = { 8, 9, 9, 4, 6, 5, 7, 4, 5, 4, 49 };

	load("test-7.2/buddyinfo");
	assert_int_equal(bi.nr_zones, 3);
	assert_int_equal(bi.nr_orders, 11);
	assert_counts(&bi.zones[1], 0, "DMA32", n0_dma32);
	assert_counts(&bi.zones[2], 1, "DMA32", n1_dma32);
	assert_int_equal(frag_pages(0), 3840);
	assert_int_equal(frag_pages(1), 48086);
	assert_int_equal(frag_pages(2), 54814); /* node 1's zoneinfo: pages free 54814 */
}

/* The first line of host-6.18/buddyinfo. */
#define LINE1                                                                                         \
	"Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1" \
	"      3 \n"

static void test_empty_and_blank(void **state)
{
	expect("empty", "", -EINVAL, 0);
	expect("blank lines", "\n\n", -EINVAL, 2);
}

static void test_truncated(void **state)
{
	size_t len;
	char *text = fixture("host-6.18/buddyinfo", &len);

	expect("cut in the counts", LINE1 "Node 0, zone   Normal   1124    778", -EINVAL, 2);
	expect("cut in a count", LINE1 "Node 0, zone   Normal   11", -EINVAL, 2);
	expect("cut in the prefix", LINE1 "Node 0, zo", -EINVAL, 2);
	expect("cut in the first line", "Node 0, zone      DMA      0", -EINVAL, 1);
	/* Half the file ends inside line 2. */
	expect_len("cut mid-file", text, len / 2, -EINVAL, 2);
	/*
	 * Cut exactly after a line's newline, the rest is a well-formed file with fewer
	 * zones: buddyinfo lists only populated zones, so nothing can tell. Documented
	 * here so that a change in this is a decision.
	 */
	expect_len("cut at a line end", text, strchr(text, '\n') + 1 - text, 0, 0);
	assert_int_equal(bi.nr_zones, 1);
	free(text);
}

static void test_binary(void **state)
{
	static const char nul_line2[] = LINE1 "Node 0, zone   Normal  1 2 3\0 4 5 6 7 8 9 10 11\n";
	static const char nul_first[] = "\0Node 0, zone DMA 1\n";

	expect_len("NUL on line 2", nul_line2, sizeof(nul_line2) - 1, -EINVAL, 2);
	expect_len("NUL first", nul_first, sizeof(nul_first) - 1, -EINVAL, 1);
	expect("high bytes", "\xff\xfe\x80\n", -EINVAL, 1);
	expect("control byte in the zone name", "Node 0, zone DM\x01 1 2\n", -EINVAL, 1);
	expect("UTF-8 zone name", "Node 0, zone Z\xc3\xa9ro 1 2\n", -EINVAL, 1);
}

static void test_columns(void **state)
{
	char many[512];

	expect("10 orders after 11", LINE1 "Node 0, zone Normal 1 2 3 4 5 6 7 8 9 10\n", -EINVAL,
	       2);
	expect("12 orders after 11", LINE1 "Node 0, zone Normal 1 2 3 4 5 6 7 8 9 10 11 12\n",
	       -EINVAL, 2);
	expect("inconsistent on line 3",
	       LINE1 LINE1 "Node 0, zone Normal 1 2 3 4 5 6 7 8 9 10 11 12\n", -EINVAL, 2);
	expect("no counts", "Node 0, zone DMA\n", -EINVAL, 1);
	expect("no counts, trailing space", "Node 0, zone DMA   \n", -EINVAL, 1);
	strcpy(many, "Node 0, zone DMA");
	for (int i = 0; i < 17; i++)
		strcat(many, " 1");
	strcat(many, "\n");
	expect("17 orders (over MMS_ORDERS_MAX)", many, -EINVAL, 1);
	/* 16 orders is the most we take, and fine when every line agrees. */
	many[strlen(many) - 3] = '\n';
	many[strlen(many) - 2] = '\0';
	expect("16 orders", many, 0, 0);
	assert_int_equal(bi.nr_orders, 16);
}

static void test_numbers(void **state)
{
	expect("negative", LINE1 "Node 0, zone Normal 1 2 3 -4 5 6 7 8 9 10 11\n", -EINVAL, 2);
	expect("plus sign", LINE1 "Node 0, zone Normal 1 2 3 +4 5 6 7 8 9 10 11\n", -EINVAL, 2);
	expect("2^64", LINE1 "Node 0, zone Normal 1 2 3 18446744073709551616 5 6 7 8 9 10 11\n",
	       -ERANGE, 2);
	expect("far past 2^64",
	       "Node 0, zone Normal 99999999999999999999999999999999 1 2 3 4 5 6 7 8 9 10\n",
	       -ERANGE, 1);
	/* 2^64-1 is a number, but no zone can hold that many pages (x1000 for the indices). */
	expect("2^64-1 free pages",
	       LINE1 "Node 0, zone Normal 18446744073709551615 0 0 0 0 0 0 0 0 0 0\n", -EOVERFLOW,
	       2);
	expect("2^54 order-10 blocks",
	       "Node 0, zone Normal 0 0 0 0 0 0 0 0 0 0 18014398509481984\n", -EOVERFLOW, 1);
	expect("hex", LINE1 "Node 0, zone Normal 0x10 2 3 4 5 6 7 8 9 10 11\n", -EINVAL, 2);
	expect("decimal point", LINE1 "Node 0, zone Normal 1.5 2 3 4 5 6 7 8 9 10 11\n", -EINVAL,
	       2);
	expect("word", LINE1 "Node 0, zone Normal 1 2 3 four 5 6 7 8 9 10 11\n", -EINVAL, 2);
	expect("digits then letters", "Node 0, zone Normal 12ab\n", -EINVAL, 1);
}

static void test_prefix(void **state)
{
	expect("no Node", "0, zone DMA 1 2\n", -EINVAL, 1);
	expect("lower-case node", "node 0, zone DMA 1 2\n", -EINVAL, 1);
	expect("no comma", "Node 0 zone DMA 1 2\n", -EINVAL, 1);
	expect("no zone word", "Node 0, DMA 1 2\n", -EINVAL, 1);
	expect("no zone name", LINE1 "Node 0, zone\n", -EINVAL, 2);
	expect("bad node", "Node x, zone DMA 1 2\n", -EINVAL, 1);
	expect("negative node", "Node -1, zone DMA 1 2\n", -EINVAL, 1);
	expect("node past int", "Node 2147483648, zone DMA 1 2\n", -ERANGE, 1);
	expect("zone name too long", "Node 0, zone ABCDEFGHIJKLMNOPQ 1 2\n", -EINVAL, 1);
	expect("zone listed twice", LINE1 LINE1, -EINVAL, 2);
	expect("text after the counts", LINE1 "Node 0, zone Normal 1 2 3 4 5 6 7 8 9 10 11 zone\n",
	       -EINVAL, 2);
}

static void test_limits(void **state)
{
	char *text = malloc(300 * 32), *p = text;

	assert_non_null(text);
	for (int i = 0; i < MMS_ZONES_MAX; i++)
		p += sprintf(p, "Node %d, zone Normal 1 2\n", i);
	expect("256 zones", text, 0, 0);
	assert_int_equal(bi.nr_zones, MMS_ZONES_MAX);
	sprintf(p, "Node %d, zone Normal 1 2\n", MMS_ZONES_MAX);
	expect("257 zones", text, -EINVAL, MMS_ZONES_MAX + 1);
	free(text);
}

static void test_lenient(void **state)
{
	/* Wide counts (a million or more), tabs and CRLF are still buddyinfo. */
	expect("wide and tabs",
	       "Node 0, zone\tNormal 12345678 2\t3 \r\nNode 1, zone Normal 0 0 0\n", 0, 0);
	assert_int_equal(bi.nr_zones, 2);
	assert_int_equal(bi.zones[0].free_blocks[0], 12345678);
	assert_int_equal(bi.zones[1].node, 1);
	expect("blank lines between zones", "\nNode 0, zone DMA 1\n\nNode 0, zone Normal 2\n\n", 0,
	       0);
	assert_int_equal(bi.nr_zones, 2);
}

/*
 * The kernel's extfrag index leaves 0..999 at both ends, and we must reproduce that
 * rather than clamp: one free order-2 block asked for order 3 gives
 * 1000 - (1000 + 4*1000/8)/1 = -500; 50000 order-0 pages asked for order 10 give
 * 1000 - (1000 + 50000*1000/1024)/50000 = 1000 - 0 = 1000 (found by the fuzzer).
 */
static void test_index_extremes(void **state)
{
	struct mms_zone_frag f;

	expect("one order-2 block", "Node 0, zone DMA 0 0 1 0\n", 0, 0);
	assert_int_equal(mms_zone_frag_compute(&bi.zones[0], bi.nr_orders, &f), 0);
	assert_int_equal(f.extfrag_index[2], -1000);
	assert_int_equal(f.extfrag_index[3], -500);
	assert_int_equal(f.unusable_index[3], 1000);
	expect("only order 0", "Node 0, zone Normal 50000 0 0 0 0 0 0 0 0 0 0\n", 0, 0);
	assert_int_equal(mms_zone_frag_compute(&bi.zones[0], bi.nr_orders, &f), 0);
	assert_int_equal(f.extfrag_index[1], 500);
	assert_int_equal(f.extfrag_index[10], 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_6_18),	cmocka_unit_test(test_doc_6_18),
		cmocka_unit_test(test_debian_6_1),	cmocka_unit_test(test_test_7_2_two_nodes),
		cmocka_unit_test(test_empty_and_blank), cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_binary),		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_numbers),		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_limits),		cmocka_unit_test(test_lenient),
		cmocka_unit_test(test_index_extremes),
	};

	return cmocka_run_group_tests_name("buddyinfo", tests, NULL, NULL);
}
