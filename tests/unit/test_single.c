// SPDX-License-Identifier: GPL-2.0
/*
 * Single-value sysfs/sysctl files: mms_parse_sysfs_u64() and
 * mms_parse_extfrag_threshold() on this machine's recorded files (which end in '\n',
 * the case the old scanner got wrong), then on malformed ones: each case checks the
 * error code and the line the error names.
 */
#include "unit.h"

/* One case: text through mms_parse_sysfs_u64() (U64) or the threshold (THR). */
enum kind { U64, THR };
struct single_case {
	enum kind kind;
	const char *text;
	int rc, line;
	uint64_t want;
};

static void run(const struct single_case *c)
{
	struct mms_error err = { 0 };
	uint64_t v = 0xdeadbeef;
	int t = -1, got;

	if (c->kind == U64)
		got = mms_parse_sysfs_u64(c->text, strlen(c->text), &v, &err);
	else
		got = mms_parse_extfrag_threshold(c->text, strlen(c->text), &t, &err);
	expect_result(c->text, got, &err, c->rc, c->line);
	if (c->kind == U64)
		assert_int_equal(v, c->rc ? 0xdeadbeef : c->want);
	else
		assert_int_equal(t, c->rc ? -1 : (int)c->want);
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

static void test_cases(void **state)
{
	static const struct single_case cases[] = {
		{ U64, "900\n", 0, 0, 900 },
		{ U64, "0\n", 0, 0, 0 },
		{ U64, "18446744073709551615\n", 0, 0, UINT64_MAX },
		{ U64, " 7\t\n", 0, 0, 7 },
		{ U64, "", -EINVAL, 0 },
		{ U64, "\n", -EINVAL, 1 },
		{ U64, "209", -EINVAL, 1 },       /* cut: no newline */
		{ U64, "1 2\n", -EINVAL, 1 },
		{ U64, "1\n2\n", -EINVAL, 2 },
		{ U64, "1\n\n", -EINVAL, 2 },
		{ U64, "-1\n", -EINVAL, 1 },
		{ U64, "max\n", -EINVAL, 1 },
		{ U64, "18446744073709551616\n", -ERANGE, 1 },
		{ THR, "900\n", 0, 0, 900 },    /* the old scanner failed on the '\n' */
		{ THR, "0\n", 0, 0, 0 },
		{ THR, "1000\n", 0, 0, 1000 },
		{ THR, "1001\n", -ERANGE, 1 },
		{ THR, "99999999999999999999\n", -ERANGE, 1 },
		{ THR, "lots\n", -EINVAL, 1 },
		{ THR, "90", -EINVAL, 1 },
		{ THR, "", -EINVAL, 0 },
		{ THR, "0.9\n", -EINVAL, 1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run(&cases[i]);
	assert_int_equal(mms_parse_sysfs_u64("1\0002\n", 4, &(uint64_t){ 0 }, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded),
		cmocka_unit_test(test_cases),
	};

	return cmocka_run_group_tests_name("single", tests, NULL, NULL);
}
