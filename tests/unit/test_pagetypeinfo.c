// SPDX-License-Identifier: GPL-2.0
/*
 * mms_parse_pagetypeinfo() on every recorded kernel's /proc/pagetypeinfo (6.1 and
 * 6.18 with five migrate types, the two-node 7.2 test kernel with four), checking
 * real values and that the per-type free counts add up to buddyinfo's, then on
 * malformed files made by editing one line of the recorded 6.18 file: each case
 * checks the error code and the line the error names.
 *
 * Line map of host-6.18/pagetypeinfo: 1 "Page block order: 9", 2 "Pages per block",
 * 3 blank, 4 free-count header, 5-9 DMA's five types, 10-14 DMA32, 15-19 Normal,
 * 20 blank, 21 "Number of blocks type", 22-24 DMA, DMA32, Normal.
 */
#include "unit.h"

#define HOST "host-6.18/pagetypeinfo"

static struct mms_pagetypeinfo pt;

static void expect_len(const char *what, const char *text, size_t len, int rc, int line)
{
	struct mms_error err = { 0 };
	int got = mms_parse_pagetypeinfo(text, len, &pt, &err);

	expect_result(what, got, &err, rc, line);
}

static void expect(const char *what, const char *text, int rc, int line)
{
	expect_len(what, text, strlen(text), rc, line);
}

/* The fixture with line lineno replaced by with (a full line with its '\n'; "" deletes it). */
static char *edit(const char *name, int lineno, const char *with)
{
	size_t len;
	char *text = fixture(name, &len), *out = malloc(len + strlen(with) + 1), *p = text;

	assert_non_null(out);
	out[0] = '\0';
	for (int n = 1; *p; n++) {
		char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p + 1) : strlen(p);

		if (n == lineno)
			strcat(out, with);
		else
			strncat(out, p, l);
		p += l;
	}
	free(text);
	return out;
}

static void expect_edit(const char *what, int lineno, const char *with, int rc, int line)
{
	char *text = edit(HOST, lineno, with);

	expect(what, text, rc, line);
	free(text);
}

static void load(const char *name)
{
	size_t len;
	char *text = fixture(name, &len);

	expect_len(name, text, len, 0, 0);
	free(text);
}

static void assert_pageblocks(const struct mms_pagetype_zone *z, int node, const char *zone,
			      const uint64_t *want, int nr_types)
{
	assert_int_equal(z->node, node);
	assert_string_equal(z->zone, zone);
	assert_true(z->have_pageblocks);
	for (int t = 0; t < nr_types; t++)
		assert_int_equal(z->pageblocks[t], want[t]);
}

/* Summed over migrate types, the free counts are buddyinfo's (same snapshot). */
static void assert_sums_match_buddyinfo(const char *dir)
{
	static struct mms_buddyinfo bi;
	struct mms_error err = { 0 };
	char name[64];
	size_t len;
	char *text;

	snprintf(name, sizeof(name), "%s/buddyinfo", dir);
	text = fixture(name, &len);
	assert_int_equal(mms_parse_buddyinfo(text, len, &bi, &err), 0);
	free(text);
	assert_int_equal(bi.nr_zones, pt.nr_zones);
	assert_int_equal(bi.nr_orders, pt.nr_orders);
	for (int z = 0; z < pt.nr_zones; z++) {
		assert_string_equal(bi.zones[z].zone, pt.zones[z].zone);
		for (int o = 0; o < pt.nr_orders; o++) {
			uint64_t sum = 0;

			for (int t = 0; t < pt.nr_types; t++)
				sum += pt.zones[z].free_blocks[t][o];
			assert_int_equal(sum, bi.zones[z].free_blocks[o]);
		}
	}
}

static void test_host_6_18(void **state)
{
	static const char *const types[] = { "Unmovable", "Movable", "Reclaimable", "HighAtomic",
					     "Isolate" };
	static const uint64_t dma32[5] = { 0, 1528, 0, 0, 0 };
	static const uint64_t normal[5] = { 42, 814, 40, 0, 0 };
	static const uint64_t normal_unmovable[11] = { 0, 353, 360, 144, 84, 33, 15, 1, 0, 0, 0 };

	load(HOST);
	assert_int_equal(pt.pageblock_order, 9);
	assert_int_equal(pt.pages_per_block, 512);
	assert_int_equal(pt.nr_orders, 11);
	assert_int_equal(pt.nr_types, 5);
	for (int t = 0; t < 5; t++)
		assert_string_equal(pt.types[t], types[t]);
	assert_int_equal(pt.nr_zones, 3);
	assert_pageblocks(&pt.zones[1], 0, "DMA32", dma32, 5);
	assert_pageblocks(&pt.zones[2], 0, "Normal", normal, 5);
	for (int o = 0; o < 11; o++) {
		assert_int_equal(pt.zones[2].free_blocks[0][o], normal_unmovable[o]);
		assert_false(pt.zones[2].capped[0][o]);
	}
	assert_int_equal(pt.zones[2].free_blocks[1][10], 309);
	assert_sums_match_buddyinfo("host-6.18");
}

static void test_debian_6_1(void **state)
{
	static const uint64_t dma32[5] = { 40, 202, 6, 0, 0 };

	load("debian-6.1/pagetypeinfo");
	assert_int_equal(pt.pageblock_order, 9);
	assert_int_equal(pt.pages_per_block, 512);
	assert_int_equal(pt.nr_types, 5);
	assert_int_equal(pt.nr_zones, 2);
	assert_pageblocks(&pt.zones[1], 0, "DMA32", dma32, 5);
	assert_int_equal(pt.zones[1].free_blocks[1][10], 97);
	assert_sums_match_buddyinfo("debian-6.1");
}

static void test_test_7_2_two_nodes(void **state)
{
	static const uint64_t n0_dma32[4] = { 30, 89, 2, 0 };
	static const uint64_t n1_dma32[4] = { 2, 126, 0, 0 };

	load("test-7.2/pagetypeinfo");
	assert_int_equal(pt.pageblock_order, 9);
	assert_int_equal(pt.pages_per_block, 512);
	assert_int_equal(pt.nr_orders, 11);
	assert_int_equal(pt.nr_types, 4); /* no Isolate type on this kernel */
	assert_string_equal(pt.types[3], "HighAtomic");
	assert_int_equal(pt.nr_zones, 3);
	assert_pageblocks(&pt.zones[1], 0, "DMA32", n0_dma32, 4);
	assert_pageblocks(&pt.zones[2], 1, "DMA32", n1_dma32, 4);
	assert_int_equal(pt.zones[2].free_blocks[1][10], 49);
}

static void test_capped(void **state)
{
	char *text = edit(
		HOST, 16,
		"Node    0, zone   Normal, type      Movable >100000    143     67     19      7"
		"      2      2     86     59     55 >100000 \n");

	expect("capped", text, 0, 0);
	assert_true(pt.zones[2].capped[1][0]);
	assert_int_equal(pt.zones[2].free_blocks[1][0], 100000);
	assert_false(pt.zones[2].capped[1][1]);
	assert_true(pt.zones[2].capped[1][10]);
	free(text);
	expect_edit("bare '>'", 16, "Node 0, zone Normal, type Movable > 1 2 3 4 5 6 7 8 9 10\n",
		    -EINVAL, 16);
	expect_edit("'>>'", 16, "Node 0, zone Normal, type Movable >>5 1 2 3 4 5 6 7 8 9 10\n",
		    -EINVAL, 16);
	expect_edit("'<'", 16, "Node 0, zone Normal, type Movable <5 1 2 3 4 5 6 7 8 9 10\n",
		    -EINVAL, 16);
	expect_edit(
		"capped 2^64", 16,
		"Node 0, zone Normal, type Movable >18446744073709551616 1 2 3 4 5 6 7 8 9 10\n",
		-ERANGE, 16);
}

static void test_page_owner_mixed_table(void **state)
{
	size_t len;
	char *text = fixture(HOST, &len), *more = malloc(len + 400);

	assert_non_null(more);
	strcpy(more, text);
	strcat(more, "\nNumber of mixed blocks     Unmovable      Movable  Reclaimable   HighAtomic"
		     "      Isolate \nNode 0, zone      DMA            0            1            0"
		     "            0            0 \n");
	expect("page_owner's table", more, 0, 0);
	assert_int_equal(pt.nr_zones, 3);
	free(more);
	free(text);
}

static void test_empty_and_blank(void **state)
{
	expect("empty", "", -EINVAL, 0);
	expect("blank lines", "\n\n\n", -EINVAL, 3);
}

static void test_truncated(void **state)
{
	size_t len;
	char *text = fixture(HOST, &len);
	int lines = 0;

	expect("cut mid-line", "Page block order: 9\nPages per block:  5", -EINVAL, 2);
	expect_len("cut mid-file", text, len / 2, -EINVAL, 13); /* byte 1174 is in line 13 */
	expect_len("cut in the last line", text, len - 5, -EINVAL, 24);
	/* Cut at any line end short of the whole file: never a complete-looking file. */
	for (size_t cut = 0; cut < len; cut++) {
		if (cut && text[cut - 1] != '\n')
			continue;
		char what[64];

		snprintf(what, sizeof(what), "cut after line %d", lines);
		expect_len(what, text, cut, -EINVAL, lines);
		lines++;
	}
	free(text);
}

static void test_binary(void **state)
{
	size_t len;
	char *text = fixture(HOST, &len);

	text[len / 2] = '\0';
	expect_len("NUL mid-file", text, len, -EINVAL, 13);
	free(text);
	expect("high bytes", "\xff\xfe\x80\n", -EINVAL, 1);
	expect_edit("control byte in a type", 16,
		    "Node 0, zone Normal, type Mov\x7f 1 2 3 4 5 6 7 8 9 10 11\n", -EINVAL, 16);
}

static void test_columns(void **state)
{
	expect_edit("10 free counts", 5, "Node 0, zone DMA, type Unmovable 0 0 0 0 0 0 0 0 1 0\n",
		    -EINVAL, 5);
	expect_edit("12 free counts", 5,
		    "Node 0, zone DMA, type Unmovable 0 0 0 0 0 0 0 0 1 0 0 0\n", -EINVAL, 5);
	expect_edit("no type", 5, "Node 0, zone DMA, 0 0 0 0 0 0 0 0 1 0 0\n", -EINVAL, 5);
	expect_edit("4 pageblock columns", 23, "Node 0, zone DMA32 0 1528 0 0\n", -EINVAL, 23);
	expect_edit("6 pageblock columns", 23, "Node 0, zone DMA32 0 1528 0 0 0 0\n", -EINVAL, 23);
	expect_edit("header with 10 orders", 4,
		    "Free pages count per migrate type at order 0 1 2 3 4 5 6 7 8 9\n", -EINVAL, 5);
	expect_edit("header with 12 orders", 4,
		    "Free pages count per migrate type at order 0 1 2 3 4 5 6 7 8 9 10 11\n",
		    -EINVAL, 5);
	expect_edit("header orders skip one", 4,
		    "Free pages count per migrate type at order 0 1 2 4 5 6 7 8 9 10 11\n", -EINVAL,
		    4);
	expect_edit("header without orders", 4, "Free pages count per migrate type at order\n",
		    -EINVAL, 4);
	expect_edit("header mangled", 4,
		    "Free pages per migrate type at order 0 1 2 3 4 5 6 7 8 9 10\n", -EINVAL, 4);
	expect_edit(
		"header with 17 orders", 4,
		"Free pages count per migrate type at order 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15"
		" 16\n",
		-EINVAL, 4);
}

static void test_numbers(void **state)
{
	expect_edit("negative count", 17,
		    "Node 0, zone Normal, type Reclaimable -510 1 2 3 4 5 6 7 8 9 10\n", -EINVAL,
		    17);
	expect_edit("negative pageblocks", 24, "Node 0, zone Normal 42 -814 40 0 0\n", -EINVAL, 24);
	expect_edit(
		"2^64 count", 17,
		"Node 0, zone Normal, type Reclaimable 18446744073709551616 1 2 3 4 5 6 7 8 9 10\n",
		-ERANGE, 17);
	expect_edit("2^64 pageblocks", 24, "Node 0, zone Normal 42 99999999999999999999 40 0 0\n",
		    -ERANGE, 24);
	expect_edit(
		"2^64-1 count is a number", 17,
		"Node 0, zone Normal, type Reclaimable 18446744073709551615 1 2 3 4 5 6 7 8 9 10\n",
		0, 0);
	assert_int_equal(pt.zones[2].free_blocks[2][0], UINT64_MAX);
	expect_edit("word", 17, "Node 0, zone Normal, type Reclaimable x 1 2 3 4 5 6 7 8 9 10\n",
		    -EINVAL, 17);
	expect_edit("negative order", 1, "Page block order: -9\n", -EINVAL, 1);
	expect_edit("huge order", 1, "Page block order: 18446744073709551616\n", -ERANGE, 1);
	expect_edit("pages per block word", 2, "Pages per block:  many\n", -EINVAL, 2);
}

static void test_headers(void **state)
{
	expect_edit("no 'Page block order'", 1, "", -EINVAL, 1);
	expect_edit("no 'Pages per block'", 2, "", -EINVAL, 3);
	expect_edit("no free-count header", 4, "", -EINVAL, 4);
	expect_edit("no blocks header", 21, "", -EINVAL, 21);
	expect_edit("page block order 16", 1, "Page block order: 16\n", -EINVAL, 1);
	expect_edit("page block order 11 of 11 orders", 1, "Page block order: 11\n", -EINVAL, 2);
	expect_edit("pages per block not 2^order", 2, "Pages per block:  1024\n", -EINVAL, 2);
	expect_edit("text after pages per block", 2, "Pages per block:  512 pages\n", -EINVAL, 2);
	expect_edit("mangled order line", 1, "Page block: 9\n", -EINVAL, 1);
	expect_edit("unknown line", 20, "hello\n", -EINVAL, 20);
	expect_edit("mangled blocks header", 21, "Number of pages type Unmovable\n", -EINVAL, 21);
	expect_edit("header repeated mid-table", 12, "Page block order: 9\n", -EINVAL, 12);
}

static void test_inconsistent(void **state)
{
	expect_edit("zone without Isolate row", 9, "", -EINVAL, 20);
	expect_edit("row listed twice", 6,
		    "Node 0, zone DMA, type Unmovable 0 0 0 0 0 0 0 0 1 0 0\n", -EINVAL, 6);
	expect_edit("blocks type not in the free table", 21,
		    "Number of blocks type Unmovable Movable Reclaimable HighAtomic Bogus\n",
		    -EINVAL, 21);
	expect_edit("blocks table lacks a type", 21,
		    "Number of blocks type Unmovable Movable Reclaimable HighAtomic\n", -EINVAL,
		    21);
	expect_edit("blocks type twice", 21,
		    "Number of blocks type Unmovable Movable Reclaimable HighAtomic Movable\n",
		    -EINVAL, 21);
	expect_edit("blocks for a zone with no free rows", 23, "Node 0, zone Movable 0 0 0 0 0\n",
		    -EINVAL, 23);
	expect_edit("blocks listed twice", 23, "Node 0, zone DMA 1 7 0 0 0\n", -EINVAL, 23);
	expect_edit("zone line before the headers", 3, "Node 0, zone DMA 1 7 0 0 0\n", -EINVAL, 3);
}

/* A second node repeats the headers; they must agree with the first's. */
static void test_second_node(void **state)
{
	static const char node1[] =
		"Page block order: 9\nPages per block:  512\n\n"
		"Free pages count per migrate type at order 0 1 2 3 4 5 6 7 8 9 10\n"
		"Node 1, zone Normal, type Unmovable 1 0 0 0 0 0 0 0 0 0 0\n"
		"Node 1, zone Normal, type Movable 2 0 0 0 0 0 0 0 0 0 0\n"
		"Node 1, zone Normal, type Reclaimable 0 0 0 0 0 0 0 0 0 0 0\n"
		"Node 1, zone Normal, type HighAtomic 0 0 0 0 0 0 0 0 0 0 0\n"
		"Node 1, zone Normal, type Isolate 0 0 0 0 0 0 0 0 0 0 0\n\n"
		"Number of blocks type Unmovable Movable Reclaimable HighAtomic Isolate\n"
		"Node 1, zone Normal 1 2 3 4 5\n";
	size_t len;
	char *text = fixture(HOST, &len), *two = malloc(len + sizeof(node1) + 8);
	char *other_order;

	assert_non_null(two);
	strcpy(two, text);
	strcat(two, node1);
	expect("two nodes", two, 0, 0);
	assert_int_equal(pt.nr_zones, 4);
	assert_int_equal(pt.zones[3].node, 1);
	assert_int_equal(pt.zones[3].pageblocks[4], 5);
	assert_int_equal(pt.zones[3].free_blocks[1][0], 2);
	other_order = strstr(two + len, "order: 9");
	other_order[7] = '8';
	expect("second node's order differs", two, -EINVAL, 25);
	other_order[7] = '9';
	two[strlen(two) - 4] = '\n'; /* node 1's blocks line loses two columns */
	two[strlen(two) - 3] = '\0';
	expect("second node short blocks line", two, -EINVAL, 36);
	free(two);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_6_18),
		cmocka_unit_test(test_debian_6_1),
		cmocka_unit_test(test_test_7_2_two_nodes),
		cmocka_unit_test(test_capped),
		cmocka_unit_test(test_page_owner_mixed_table),
		cmocka_unit_test(test_empty_and_blank),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_inconsistent),
		cmocka_unit_test(test_second_node),
	};

	return cmocka_run_group_tests_name("pagetypeinfo", tests, NULL, NULL);
}
