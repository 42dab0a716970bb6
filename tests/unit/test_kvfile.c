// SPDX-License-Identifier: GPL-2.0
/*
 * The "name value" parsers: mms_parse_vmstat() and mms_parse_meminfo() on every
 * recorded kernel's /proc/vmstat and /proc/meminfo (6.1, 6.18, 7.2), checking counts
 * and values (meminfo's kB become bytes), then on malformed files: each case checks
 * the error code and the line the error names.
 */
#include "unit.h"

static struct mms_kvset kv;

typedef int (*kv_parser)(const char *, size_t, struct mms_kvset *, struct mms_error *);

static void expect_len(kv_parser parse, const char *what, const char *text, size_t len, int rc,
		       int line)
{
	struct mms_error err = { 0 };
	int got = parse(text, len, &kv, &err);

	expect_result(what, got, &err, rc, line);
}

static void vmstat(const char *what, const char *text, int rc, int line)
{
	expect_len(mms_parse_vmstat, what, text, strlen(text), rc, line);
}

static void meminfo(const char *what, const char *text, int rc, int line)
{
	expect_len(mms_parse_meminfo, what, text, strlen(text), rc, line);
}

static void load(kv_parser parse, const char *name, int nr)
{
	size_t len;
	char *text = fixture(name, &len);

	expect_len(parse, name, text, len, 0, 0);
	assert_int_equal(kv.nr, nr);
	free(text);
}

static uint64_t get(const char *name)
{
	uint64_t v = 0xdeadbeef;

	if (!mms_kv_get(&kv, name, &v))
		fail_msg("no %s", name);
	return v;
}

/* ---- /proc/vmstat ---------------------------------------------------------- */

static void test_vmstat_host_6_18(void **state)
{
	uint64_t v;

	load(mms_parse_vmstat, "host-6.18/vmstat", 192);
	assert_string_equal(kv.items[0].name, "nr_free_pages");
	assert_int_equal(kv.items[0].value, 1160815);
	assert_string_equal(kv.items[191].name, "nr_unstable");
	assert_int_equal(get("pgfault"), 2340362);
	assert_int_equal(get("compact_stall"), 0);
	assert_int_equal(get("nr_free_pages_blocks"), 1119744);
	assert_false(mms_kv_get(&kv, "cma_alloc_success", &v)); /* no CMA on this kernel */
}

static void test_vmstat_debian_6_1_and_7_2(void **state)
{
	load(mms_parse_vmstat, "debian-6.1/vmstat", 171);
	assert_int_equal(get("nr_free_pages"), 111668);
	assert_int_equal(get("pgfault"), 13216);
	load(mms_parse_vmstat, "test-7.2/vmstat", 184);
	assert_int_equal(get("nr_free_pages"), 106709);
	assert_int_equal(get("pgfault"), 13139);
}

static void test_vmstat_empty_truncated_binary(void **state)
{
	static const char nul[] = "pgfault 1\npgmajfault 2\0\n";
	size_t len;
	char *text = fixture("host-6.18/vmstat", &len);

	vmstat("empty", "", -EINVAL, 0);
	vmstat("blank lines", "\n\n\n", -EINVAL, 3);
	vmstat("cut mid-line", "pgfault 12\npgmajfault 3", -EINVAL, 2);
	vmstat("cut in a name", "pgfault 12\npgmaj", -EINVAL, 2);
	expect_len(mms_parse_vmstat, "cut mid-file", text, len / 2, -EINVAL, 97);
	/* Which counters exist depends on the kernel's configuration: a cut between lines
	 * leaves a well-formed shorter file, and absent names read as absent. */
	expect_len(mms_parse_vmstat, "cut at a line end", text, strstr(text, "pgfault") - text, 0,
		   0);
	assert_int_equal(kv.nr, 95);
	expect_len(mms_parse_vmstat, "NUL", nul, sizeof(nul) - 1, -EINVAL, 2);
	vmstat("high bytes in a name", "pgfault 1\n\xff\xfe 2\n", -EINVAL, 2);
	vmstat("control byte in a name",
	       "pg\x01"
	       "fault 1\n",
	       -EINVAL, 1);
	free(text);
}

static void test_vmstat_columns_numbers(void **state)
{
	char name[64];

	vmstat("one column", "pgfault 1\npgmajfault\n", -EINVAL, 2);
	vmstat("three columns", "pgfault 1\npgmajfault 2 3\n", -EINVAL, 2);
	vmstat("negative", "pgfault -1\n", -EINVAL, 1);
	vmstat("plus", "pgfault +1\n", -EINVAL, 1);
	vmstat("2^64", "pgfault 1\npgmajfault 18446744073709551616\n", -ERANGE, 2);
	vmstat("far past 2^64", "pgfault 99999999999999999999999999999999999999\n", -ERANGE, 1);
	vmstat("2^64-1", "pgfault 18446744073709551615\n", 0, 0);
	assert_int_equal(get("pgfault"), UINT64_MAX);
	vmstat("word", "pgfault many\n", -EINVAL, 1);
	vmstat("decimal point", "pgfault 1.0\n", -EINVAL, 1);
	vmstat("meminfo style", "MemTotal: 12 kB\n", -EINVAL, 1);
	memset(name, 'a', 47);
	strcpy(name + 47, " 1\n");
	vmstat("47-character name", name, 0, 0);
	name[47] = 'a';
	strcpy(name + 48, " 1\n");
	vmstat("48-character name", name, -EINVAL, 1);
}

static void test_vmstat_limits(void **state)
{
	char *text = malloc((MMS_KV_MAX + 1) * 24), *p = text;

	assert_non_null(text);
	for (int i = 0; i < MMS_KV_MAX; i++)
		p += sprintf(p, "counter_%d %d\n", i, i);
	vmstat("512 counters", text, 0, 0);
	assert_int_equal(get("counter_511"), 511);
	sprintf(p, "counter_%d 0\n", MMS_KV_MAX);
	vmstat("513 counters", text, -EINVAL, MMS_KV_MAX + 1);
	free(text);
	vmstat("tabs and CRLF", "pgfault\t12\r\n\npgmajfault   3\n", 0, 0);
	assert_int_equal(kv.nr, 2);
	assert_int_equal(get("pgmajfault"), 3);
}

/* ---- /proc/meminfo --------------------------------------------------------- */

static void test_meminfo_host_6_18(void **state)
{
	load(mms_parse_meminfo, "host-6.18/meminfo", 54);
	assert_string_equal(kv.items[0].name, "MemTotal");
	assert_int_equal(get("MemTotal"), 24684084ull * 1024);
	assert_int_equal(get("MemAvailable"), 24350380ull * 1024);
	assert_int_equal(get("Active(anon)"), 1512ull * 1024);
	assert_int_equal(get("VmallocTotal"), 34359738367ull * 1024);
	assert_int_equal(get("HugePages_Total"), 0); /* a count: no unit */
	assert_int_equal(get("Hugepagesize"), 2048ull * 1024);
	assert_string_equal(kv.items[53].name, "DirectMap1G");
}

static void test_meminfo_debian_6_1_and_7_2(void **state)
{
	load(mms_parse_meminfo, "debian-6.1/meminfo", 50);
	assert_int_equal(get("MemTotal"), 481016ull * 1024);
	load(mms_parse_meminfo, "test-7.2/meminfo", 55);
	assert_int_equal(get("MemTotal"), 478624ull * 1024);
}

static void test_meminfo_empty_truncated_binary(void **state)
{
	static const char nul[] = "MemTotal: 1 kB\n\0MemFree: 1 kB\n";
	size_t len;
	char *text = fixture("host-6.18/meminfo", &len);

	meminfo("empty", "", -EINVAL, 0);
	meminfo("blank lines", "\n\n", -EINVAL, 2);
	meminfo("cut mid-line", "MemTotal:       24684084 kB\nMemFree:        243", -EINVAL, 2);
	meminfo("cut in the unit", "MemTotal:       24684084 k", -EINVAL, 1);
	expect_len(mms_parse_meminfo, "cut mid-file", text, len / 2, -EINVAL, 27);
	expect_len(mms_parse_meminfo, "NUL", nul, sizeof(nul) - 1, -EINVAL, 2);
	meminfo("high bytes", "\xe9t\xe9: 1 kB\n", -EINVAL, 1);
	free(text);
}

static void test_meminfo_columns_numbers(void **state)
{
	meminfo("no colon", "MemTotal:  1 kB\nMemFree 1 kB\n", -EINVAL, 2);
	meminfo("empty name", ": 1 kB\n", -EINVAL, 1);
	meminfo("no value", "MemTotal:\n", -EINVAL, 1);
	meminfo("four columns", "MemTotal: 1 kB kB\n", -EINVAL, 1);
	meminfo("unknown unit", "MemTotal: 1 kB\nMemFree: 1 MB\n", -EINVAL, 2);
	meminfo("negative", "MemTotal: -1 kB\n", -EINVAL, 1);
	meminfo("2^64", "MemTotal: 18446744073709551616 kB\n", -ERANGE, 1);
	meminfo("2^64 count", "HugePages_Total: 18446744073709551616\n", -ERANGE, 1);
	meminfo("2^64-1 count", "HugePages_Total: 18446744073709551615\n", 0, 0);
	/* 2^54 kB is 2^64 bytes: one past what fits. */
	meminfo("kB overflowing bytes", "MemTotal: 1 kB\nMemFree: 18014398509481984 kB\n", -ERANGE,
		2);
	meminfo("largest kB", "MemFree: 18014398509481983 kB\n", 0, 0);
	assert_int_equal(get("MemFree"), 18014398509481983ull * 1024);
	meminfo("word", "MemTotal: lots kB\n", -EINVAL, 1);
	meminfo("value glued to unit", "MemTotal: 12kB\n", -EINVAL, 1);
	meminfo("vmstat style", "pgfault 12\n", -EINVAL, 1);
}

/*
 * fs/proc/meminfo.c prints every size in kB and only the hugetlb page counts without
 * a unit: a size that lost its kB would be read as bytes (1024 times too small).
 */
static void test_meminfo_units(void **state)
{
	size_t len;
	char *text = fixture("host-6.18/meminfo", &len), *p = strstr(text, "MemAvailable:");

	assert_non_null(p);
	p = strstr(p, " kB\n");
	memmove(p, p + 3, len - (size_t)(p + 3 - text) + 1); /* drop MemAvailable's " kB" */
	expect_len(mms_parse_meminfo, "MemAvailable without kB", text, len - 3, -EINVAL, 3);
	free(text);
	meminfo("size without unit", "MemTotal: 1 kB\nMemAvailable: 24057352\n", -EINVAL, 2);
	meminfo("count with a unit", "HugePages_Total: 1 kB\n", -EINVAL, 1);
	meminfo("counts", "HugePages_Total: 1\nHugePages_Free: 1\nHugePages_Rsvd: 0\n"
		"HugePages_Surp: 0\nHugepagesize: 2048 kB\n", 0, 0);
	assert_int_equal(get("HugePages_Total"), 1);
	assert_int_equal(get("Hugepagesize"), 2048 * 1024);
	meminfo("Hugepagesize is a size", "Hugepagesize: 2048\n", -EINVAL, 1);
	meminfo("prefix alone is not a count", "HugePages_: 1\n", -EINVAL, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmstat_host_6_18),
		cmocka_unit_test(test_vmstat_debian_6_1_and_7_2),
		cmocka_unit_test(test_vmstat_empty_truncated_binary),
		cmocka_unit_test(test_vmstat_columns_numbers),
		cmocka_unit_test(test_vmstat_limits),
		cmocka_unit_test(test_meminfo_host_6_18),
		cmocka_unit_test(test_meminfo_debian_6_1_and_7_2),
		cmocka_unit_test(test_meminfo_empty_truncated_binary),
		cmocka_unit_test(test_meminfo_columns_numbers),
		cmocka_unit_test(test_meminfo_units),
	};

	return cmocka_run_group_tests_name("kvfile", tests, NULL, NULL);
}
