// SPDX-License-Identifier: GPL-2.0
/*
 * mms_parse_zoneinfo() on every recorded kernel's /proc/zoneinfo (6.1 without the
 * promo watermark, 6.18, the two-node 7.2 test kernel), checking watermarks and page
 * counts, then on malformed files made by editing lines of the recorded files: each
 * case checks the error code and the line the error names.
 *
 * Line map of host-6.18/zoneinfo: zones open at 1 (DMA), 99 (DMA32), 145 (Normal),
 * 191 (Movable), 203 (Device); DMA's "pages free" is line 54, then 55 boost, 56 min,
 * 57 low, 58 high, 59 promo, 60 spanned, 61 present, 62 managed, 64 protection, and
 * 98 start_pfn; Movable's managed is 200 and protection 202; the file has 214 lines.
 */
#include "unit.h"

#define HOST "host-6.18/zoneinfo"
#define TEST72 "test-7.2/zoneinfo"

static struct mms_zoneinfo zi;

static void expect_len(const char *what, const char *text, size_t len, int rc, int line)
{
	struct mms_error err = { 0 };
	int got = mms_parse_zoneinfo(text, len, &zi, &err);

	expect_result(what, got, &err, rc, line);
}

static void expect(const char *what, const char *text, int rc, int line)
{
	expect_len(what, text, strlen(text), rc, line);
}

/* The fixture with lines from..to replaced by with (whole lines with '\n'; "" deletes). */
static char *edit(const char *name, int from, int to, const char *with)
{
	size_t len;
	char *text = fixture(name, &len), *out = malloc(len + strlen(with) + 1), *p = text;

	assert_non_null(out);
	out[0] = '\0';
	for (int n = 1; *p; n++) {
		char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p + 1) : strlen(p);

		if (n == from)
			strcat(out, with);
		if (n < from || n > to)
			strncat(out, p, l);
		p += l;
	}
	free(text);
	return out;
}

static void expect_edit(const char *what, const char *name, int from, int to, const char *with,
			int rc, int line)
{
	char *text = edit(name, from, to, with);

	expect(what, text, rc, line);
	free(text);
}

/* One line of the host file replaced. */
static void expect_line(const char *what, int lineno, const char *with, int rc, int line)
{
	expect_edit(what, HOST, lineno, lineno, with, rc, line);
}

static void load(const char *name)
{
	size_t len;
	char *text = fixture(name, &len);

	expect_len(name, text, len, 0, 0);
	free(text);
}

static const struct mms_zoneinfo_zone *find(int node, const char *name)
{
	const struct mms_zoneinfo_zone *z = mms_zoneinfo_find(&zi, node, name);

	if (!z)
		fail_msg("no zone %d/%s", node, name);
	return z;
}

static void test_host_6_18(void **state)
{
	static const char *const names[] = { "DMA", "DMA32", "Normal", "Movable", "Device" };
	const struct mms_zoneinfo_zone *z;

	load(HOST);
	assert_int_equal(zi.nr_zones, 5);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(zi.zones[i].node, 0);
		assert_string_equal(zi.zones[i].zone, names[i]);
		assert_true(zi.zones[i].has_promo);
	}
	z = find(0, "Normal");
	assert_ptr_equal(z, &zi.zones[2]);
	assert_true(z->populated);
	assert_int_equal(z->free, 384060);
	assert_int_equal(z->boost, 0);
	assert_int_equal(z->min, 6273);
	assert_int_equal(z->low, 7841);
	assert_int_equal(z->high, 9409);
	assert_int_equal(z->promo, 10977);
	assert_int_equal(z->spanned, 5505024);
	assert_int_equal(z->present, 5505024);
	assert_int_equal(z->managed, 458752); /* present != managed on this VM */
	z = find(0, "DMA");
	assert_int_equal(z->min, 52);
	assert_int_equal(z->low, 65);
	assert_int_equal(z->high, 78);
	assert_int_equal(z->free, 3840);
	z = find(0, "Movable");
	assert_false(z->populated);
	assert_int_equal(z->min, 32);
	assert_int_equal(z->high, 32);
	assert_false(find(0, "Device")->populated);
	assert_null(mms_zoneinfo_find(&zi, 0, "HighMem"));
	assert_null(mms_zoneinfo_find(&zi, 1, "Normal"));
}

static void test_debian_6_1(void **state)
{
	const struct mms_zoneinfo_zone *z;

	load("debian-6.1/zoneinfo");
	assert_int_equal(zi.nr_zones, 5);
	z = find(0, "DMA32");
	assert_false(z->has_promo); /* 6.1 prints no promo watermark */
	assert_int_equal(z->promo, 0);
	assert_int_equal(z->free, 107860);
	assert_int_equal(z->min, 661);
	assert_int_equal(z->low, 826);
	assert_int_equal(z->high, 991);
	assert_int_equal(z->present, 126935);
	assert_int_equal(z->managed, 116414);
	assert_true(z->populated);
	assert_false(find(0, "Normal")->populated);
}

static void test_test_7_2_two_nodes(void **state)
{
	const struct mms_zoneinfo_zone *z;

	load(TEST72);
	assert_int_equal(zi.nr_zones, 8);
	z = find(1, "DMA32");
	assert_ptr_equal(z, &zi.zones[5]);
	assert_int_equal(z->free, 54814);
	assert_int_equal(z->min, 313);
	assert_int_equal(z->low, 391);
	assert_int_equal(z->high, 469);
	assert_int_equal(z->promo, 547);
	assert_int_equal(z->managed, 55986);
	assert_true(z->populated);
	assert_int_equal(find(0, "DMA32")->high, 523);
	assert_false(find(1, "DMA")->populated);
	assert_false(find(1, "Movable")->populated);
}

static void test_empty_and_blank(void **state)
{
	expect("empty", "", -EINVAL, 0);
	expect("blank lines", "\n\n", -EINVAL, 2);
}

static void test_truncated(void **state)
{
	size_t len;
	char *text = fixture(HOST, &len);
	int lines = 0;

	expect("cut mid-line", "Node 0, zone DMA\n  pages free     3840\n        min   ", -EINVAL,
	       3);
	expect("cut in the zone header", "Node 0, zo", -EINVAL, 1);
	expect_len("cut mid-file", text, len / 2, -EINVAL, 104); /* byte 2677 is in line 104 */
	/*
	 * Cut at every line end: only whole zone blocks are accepted (after 98, 144, 190,
	 * 202 and the whole file), since a node with zones missing at its end cannot be
	 * told from one with fewer zones. Everywhere else the file is known incomplete.
	 */
	for (size_t cut = 0; cut <= len; cut++) {
		if (cut && text[cut - 1] != '\n')
			continue;
		char what[64];
		bool whole = lines == 98 || lines == 144 || lines == 190 || lines == 202 ||
			     lines == 214;

		snprintf(what, sizeof(what), "cut after line %d", lines);
		expect_len(what, text, cut, whole ? 0 : -EINVAL, whole ? 0 : lines);
		lines++;
	}
	assert_int_equal(lines, 215);
	free(text);
}

static void test_binary(void **state)
{
	size_t len;
	char *text = fixture(HOST, &len);

	text[len / 2] = '\0';
	expect_len("NUL mid-file", text, len, -EINVAL, 104);
	free(text);
	expect("high bytes", "\xff\xfe\x80\n", -EINVAL, 1);
	expect_line("control byte in the zone name", 145, "Node 0, zone Nor\x1bmal\n", -EINVAL,
		    145);
}

static void test_columns(void **state)
{
	expect_line("min without a value", 56, "        min\n", -EINVAL, 56);
	expect_line("min with two values", 56, "        min      52 53\n", -EINVAL, 56);
	expect_line("pages free without a value", 54, "  pages free\n", -EINVAL, 54);
	expect_line("pages free with two values", 54, "  pages free     3840 3840\n", -EINVAL, 54);
	expect_line("text after the zone name", 1, "Node 0, zone      DMA extra\n", -EINVAL, 1);
	expect_line("node without comma", 99, "Node 0 zone DMA32\n", -EINVAL, 99);
}

static void test_numbers(void **state)
{
	expect_line("negative high", 58, "        high     -78\n", -EINVAL, 58);
	expect_line("negative pages free", 54, "  pages free     -1\n", -EINVAL, 54);
	expect_line("2^64 min", 56, "        min      18446744073709551616\n", -ERANGE, 56);
	expect_line("far past 2^64 managed", 62,
		    "        managed  123456789012345678901234567890\n", -ERANGE, 62);
	expect_line("2^64-1 min is a number", 56, "        min      18446744073709551615\n", 0, 0);
	assert_int_equal(zi.zones[0].min, UINT64_MAX);
	expect_line("word", 57, "        low      sixty-five\n", -EINVAL, 57);
	expect_line("unit", 62, "        managed  3840kB\n", -EINVAL, 62);
	expect_line("hex", 59, "        promo    0x5b\n", -EINVAL, 59);
	expect_line("negative node", 99, "Node -1, zone    DMA32\n", -EINVAL, 99);
}

static void test_missing_lines(void **state)
{
	expect_line("no first Node line", 1, "", -EINVAL, 1);
	expect_line("no min", 56, "", -EINVAL, 98);
	expect_line("no pages free", 54, "", -EINVAL, 98);
	expect_line("no managed", 62, "", -EINVAL, 98);
	expect_line("no protection", 64, "", -EINVAL, 98);
	expect_line("no start_pfn in a populated zone", 98, "", -EINVAL, 98);
	expect_line("no managed in the last-but-one zone", 200, "", -EINVAL, 202);
	expect_line("no protection in the last zone", 214, "", -EINVAL, 213);
	/* promo is optional (6.1 has none), and so are boost, spanned and present. */
	expect_line("no promo", 59, "", 0, 0);
	assert_false(zi.zones[0].has_promo);
	assert_true(zi.zones[1].has_promo);
}

static void test_inconsistent(void **state)
{
	expect_line("min twice", 55, "        min      1\n", -EINVAL, 56);
	expect_line("pages free twice", 55, "  pages free     1\n", -EINVAL, 55);
	expect_line("zone listed twice", 203, "Node 0, zone   Normal\n", -EINVAL, 203);
	/*
	 * test-7.2: node 0 opens at 1 and has DMA, DMA32, Normal, Movable (174-185);
	 * node 1 has the same four, opening at 186, 198, 311 and 323. The first node sets
	 * the pattern: without node 0's Movable, the error is node 1's fourth zone (line
	 * 323 - 12 = 311), "more zones than node 0".
	 */
	expect_edit("node 1 lacks its last zone", TEST72, 323, 334, "", -EINVAL, 322);
	expect_edit("node 0 lacks its last zone", TEST72, 174, 185, "", -EINVAL, 311);
	expect_edit("node 1's zones in another order", TEST72, 311, 311, "Node 1, zone  Movable\n",
		    -EINVAL, 311);
	expect_edit("node 1 has an extra zone", TEST72, 334, 334,
		    "        protection: (0, 0, 0, 0)\nNode 1, zone   Device\n  pages free 0\n"
		    "        min 0\n        low 0\n        high 0\n        managed 0\n"
		    "        protection: (0, 0, 0, 0)\n",
		    -EINVAL, 335);
}

static void test_lenient(void **state)
{
	/* Lines we do not use are skipped, whatever they hold (new kernels add some). */
	expect_line("unknown line", 63, "        some_new_counter 12 34 kB\n", 0, 0);
	expect_line("pageset high with colon", 86, "              high:     banana\n", 0, 0);
	expect("minimal zone",
	       "Node 0, zone Normal\n  pages free 5\n  min 1\n  low 2\n  high 3\n"
	       "  managed 0\n  protection: (0)\n",
	       0, 0);
	assert_int_equal(zi.nr_zones, 1);
	assert_false(zi.zones[0].populated);
	assert_int_equal(zi.zones[0].low, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_6_18),
		cmocka_unit_test(test_debian_6_1),
		cmocka_unit_test(test_test_7_2_two_nodes),
		cmocka_unit_test(test_empty_and_blank),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_missing_lines),
		cmocka_unit_test(test_inconsistent),
		cmocka_unit_test(test_lenient),
	};

	return cmocka_run_group_tests_name("zoneinfo", tests, NULL, NULL);
}
