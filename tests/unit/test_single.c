// SPDX-License-Identifier: GPL-2.0
/*
 * Single-value sysfs/sysctl files: mms_parse_sysfs_u64() and
 * mms_parse_extfrag_threshold() on this machine's recorded files (which end in '\n',
 * the case the old scanner got wrong), then on malformed ones: each case checks the
 * error code and the line the error names.
 */
#include "unit.h"

static void u64(const char *what, const char *text, int rc, int line, uint64_t want)
{
	struct mms_error err = { 0 };
	uint64_t v = 0xdeadbeef;

	expect_result(what, mms_parse_sysfs_u64(text, strlen(text), &v, &err), &err, rc, line);
	assert_int_equal(v, rc ? 0xdeadbeef : want);
}

static void threshold(const char *what, const char *text, int rc, int line, int want)
{
	struct mms_error err = { 0 };
	int v = -1;

	expect_result(what, mms_parse_extfrag_threshold(text, strlen(text), &v, &err), &err, rc,
		      line);
	assert_int_equal(v, rc ? -1 : want);
}

static void test_recorded(void **state)
{
	struct mms_error err = { 0 };
	size_t len;
	char *text = fixture("host-6.18/root/proc/sys/vm/extfrag_threshold", &len);
	int v = -1;
	uint64_t u;

	assert_int_equal(mms_parse_extfrag_threshold(text, len, &v, &err), 0);
	assert_int_equal(v, 500);
	free(text);
	text = fixture("host-6.18/root/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", &len);
	assert_int_equal(mms_parse_sysfs_u64(text, len, &u, &err), 0);
	assert_int_equal(u, 2097152);
	free(text);
}

static void test_u64(void **state)
{
	u64("with newline", "900\n", 0, 0, 900);
	u64("zero", "0\n", 0, 0, 0);
	u64("2^64-1", "18446744073709551615\n", 0, 0, UINT64_MAX);
	u64("padded", " 7\t\n", 0, 0, 7);
	u64("empty", "", -EINVAL, 0, 0);
	u64("newline only", "\n", -EINVAL, 1, 0);
	u64("cut: no newline", "209", -EINVAL, 1, 0);
	u64("two numbers", "1 2\n", -EINVAL, 1, 0);
	u64("two lines", "1\n2\n", -EINVAL, 2, 0);
	u64("blank second line", "1\n\n", -EINVAL, 2, 0);
	u64("negative", "-1\n", -EINVAL, 1, 0);
	u64("word", "max\n", -EINVAL, 1, 0);
	u64("2^64", "18446744073709551616\n", -ERANGE, 1, 0);
	assert_int_equal(mms_parse_sysfs_u64("1\0002\n", 4, &(uint64_t){ 0 }, NULL), -EINVAL);
}

static void test_threshold(void **state)
{
	threshold("900", "900\n", 0, 0, 900);
	threshold("0", "0\n", 0, 0, 0);
	threshold("1000", "1000\n", 0, 0, 1000);
	threshold("1001", "1001\n", -ERANGE, 1, 0);
	threshold("huge", "99999999999999999999\n", -ERANGE, 1, 0);
	threshold("garbage", "lots\n", -EINVAL, 1, 0);
	threshold("cut", "90", -EINVAL, 1, 0);
	threshold("empty", "", -EINVAL, 0, 0);
	threshold("float", "0.9\n", -EINVAL, 1, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded),
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_threshold),
	};

	return cmocka_run_group_tests_name("single", tests, NULL, NULL);
}
