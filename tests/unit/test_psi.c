// SPDX-License-Identifier: GPL-2.0
/*
 * mms_parse_psi() on every recorded /proc/pressure/memory and cgroup memory.pressure
 * (6.1, 6.18, 7.2), checking the averages and totals, then on malformed files: each
 * case checks the error code and the line the error names.
 */
#include <math.h>

#include "unit.h"

#define GOOD_SOME "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"

static struct mms_psi psi;

static void expect_len(const char *what, const char *text, size_t len, int rc, int line)
{
	struct mms_error err = { 0 };
	int got = mms_parse_psi(text, len, &psi, &err);

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

static void assert_avgs(const struct mms_psi_line *l, double avg10, double avg60, double avg300,
			uint64_t total)
{
	assert_true(fabs(l->avg10 - avg10) < 1e-9);
	assert_true(fabs(l->avg60 - avg60) < 1e-9);
	assert_true(fabs(l->avg300 - avg300) < 1e-9);
	assert_int_equal(l->total_us, total);
}

static void test_recorded(void **state)
{
	load("host-6.18/pressure-memory");
	assert_true(psi.has_full);
	assert_avgs(&psi.some, 0, 0, 0, 0);
	assert_avgs(&psi.full, 0, 0, 0, 0);
	load("debian-6.1/pressure-memory");
	assert_true(psi.has_full);
	assert_avgs(&psi.some, 0.36, 0.06, 0.01, 40830);
	assert_avgs(&psi.full, 0.36, 0.06, 0.01, 39943);
	load("debian-6.1/memory.pressure");
	assert_avgs(&psi.some, 0, 0, 0, 43417);
	assert_avgs(&psi.full, 0, 0, 0, 43417);
	load("test-7.2/pressure-memory");
	assert_avgs(&psi.some, 0.18, 0.03, 0, 19048);
	assert_avgs(&psi.full, 0.18, 0.03, 0, 17939);
	load("test-7.2/memory.pressure");
	assert_avgs(&psi.full, 0, 0, 0, 19228);
}

static void test_values(void **state)
{
	expect("full range",
	       "some avg10=100.00 avg60=12.34 avg300=5.5 total=18446744073709551615\n", 0, 0);
	assert_false(psi.has_full); /* cpu on old kernels: "some" only */
	assert_avgs(&psi.some, 100, 12.34, 5.5, UINT64_MAX);
	expect("integer percentage", "some avg10=7 avg60=0.00 avg300=0.00 total=0\n", 0, 0);
	assert_avgs(&psi.some, 7, 0, 0, 0);
}

static void test_empty_truncated_binary(void **state)
{
	static const char nul[] = GOOD_SOME "full avg10=0.00\0 avg60=0.00 avg300=0.00 total=0\n";

	expect("empty", "", -EINVAL, 0);
	expect("blank lines", "\n\n", -EINVAL, 2);
	expect("cut mid-line", GOOD_SOME "full avg10=0.00 avg60", -EINVAL, 2);
	expect("cut in the first line", "some avg10=0.", -EINVAL, 1);
	/* Cut after the first line: a well-formed "some"-only file, told by has_full. */
	expect("cut at the line end", GOOD_SOME, 0, 0);
	assert_false(psi.has_full);
	expect_len("NUL", nul, sizeof(nul) - 1, -EINVAL, 2);
	expect("high bytes", "\xff\xfe\n", -EINVAL, 1);
}

static void test_columns(void **state)
{
	expect("no total", GOOD_SOME "full avg10=0.00 avg60=0.00 avg300=0.00\n", -EINVAL, 2);
	expect("only the kind", "some\n", -EINVAL, 1);
	expect("extra field", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0 avg900=0.00\n",
	       -EINVAL, 1);
	expect("fields out of order", "some avg60=0.00 avg10=0.00 avg300=0.00 total=0\n", -EINVAL,
	       1);
	expect("no value", "some avg10= avg60=0.00 avg300=0.00 total=0\n", -EINVAL, 1);
	expect("no '='", "some avg10 0.00 avg60=0.00 avg300=0.00 total=0\n", -EINVAL, 1);
}

static void test_numbers(void **state)
{
	expect("negative average", "some avg10=-1.00 avg60=0.00 avg300=0.00 total=0\n", -EINVAL, 1);
	expect("negative total", GOOD_SOME "full avg10=0.00 avg60=0.00 avg300=0.00 total=-5\n",
	       -EINVAL, 2);
	expect("2^64 total",
	       GOOD_SOME "full avg10=0.00 avg60=0.00 avg300=0.00 total=18446744073709551616\n",
	       -ERANGE, 2);
	expect("over 100%", "some avg10=100.01 avg60=0.00 avg300=0.00 total=0\n", -EINVAL, 1);
	expect("2^64 percent", "some avg10=18446744073709551616.00 avg60=0 avg300=0 total=0\n",
	       -EINVAL, 1);
	expect("three decimals", "some avg10=1.234 avg60=0.00 avg300=0.00 total=0\n", -EINVAL, 1);
	expect("no whole part", "some avg10=.5 avg60=0.00 avg300=0.00 total=0\n", -EINVAL, 1);
	expect("no decimals after the point", "some avg10=5. avg60=0.00 avg300=0.00 total=0\n",
	       -EINVAL, 1);
	expect("two points", "some avg10=1.2.3 avg60=0.00 avg300=0.00 total=0\n", -EINVAL, 1);
	expect("word", "some avg10=0.00 avg60=high avg300=0.00 total=0\n", -EINVAL, 1);
	expect("hex total", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0x10\n", -EINVAL, 1);
}

static void test_line_order(void **state)
{
	expect("full only", "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", -EINVAL, 1);
	expect("full first", "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n" GOOD_SOME, -EINVAL,
	       1);
	expect("some twice", GOOD_SOME GOOD_SOME, -EINVAL, 2);
	expect("third line", GOOD_SOME "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n" GOOD_SOME,
	       -EINVAL, 3);
	expect("unknown kind", "Some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", -EINVAL, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_empty_truncated_binary),
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_line_order),
	};

	return cmocka_run_group_tests_name("psi", tests, NULL, NULL);
}
