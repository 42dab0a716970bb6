// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/allocinfo parser: the 2.0 file recorded on the 7.2 test kernel (its 200
 * largest sites), hand-made 1.0 files with module sites, filters applied while
 * parsing (expected counts computed with awk on the same fixture), an unknown major
 * version, and malformed lines, each of which must name its line.
 */
#include "unit.h"

struct tally {
	int n, inaccurate, modules;
	int64_t bytes;
	uint64_t calls;
	struct mms_alloc_site last;
	int stop_after;
};

static int count_site(const struct mms_alloc_site *s, void *ctx)
{
	struct tally *t = ctx;

	t->n++;
	t->bytes += s->bytes;
	t->calls += s->calls;
	t->inaccurate += !s->accurate;
	t->modules += s->module_len > 0;
	t->last = *s;
	return t->stop_after && t->n == t->stop_after ? -ECANCELED : 0;
}

static int parse(const char *text, const struct mms_alloc_filter *f, struct tally *t,
		 struct mms_allocinfo_info *info, struct mms_error *err)
{
	memset(t, 0, sizeof(*t));
	memset(err, 0, sizeof(*err));
	return mms_parse_allocinfo(text, strlen(text), f, count_site, t, info, err);
}

static void test_fixture_2_0(void **state)
{
	struct mms_allocinfo_info info;
	struct mms_error err;
	struct tally t;
	size_t len;
	char *text = fixture("test-7.2/allocinfo", &len);

	assert_int_equal(parse(text, NULL, &t, &info, &err), 0);
	assert_int_equal(info.major, 2);
	assert_int_equal(info.minor, 0);
	assert_int_equal(info.nr_sites, 200);
	assert_int_equal(info.nr_matched, 200);
	assert_int_equal(t.n, 200);
	/* awk 'NR>2 { b += $1; c += $2 }' */
	assert_int_equal(t.bytes, 45774440);
	assert_int_equal(t.calls, 42456);
	assert_int_equal(t.inaccurate, 4);
	assert_int_equal(t.modules, 0);
	free(text);
}

static void test_fixture_filters(void **state)
{
	struct mms_error err;
	struct tally t;
	size_t len;
	char *text = fixture("test-7.2/allocinfo", &len);
	struct {
		struct mms_alloc_filter f;
		int want;
	} cases[] = {
		{ { .file = "mm/*" }, 34 },               /* index($3, "mm/") == 1 */
		{ { .file = "slub" }, 6 },                /* index(file, "slub") */
		{ { .has_min = true, .min_size = 1048576 }, 8 },
		{ { .has_min = true, .min_size = 65536, .has_max = true, .max_size = 1048576 },
		  32 },
		{ { .func = "alloc_*" }, 22 },
		{ { .module = "" }, 200 },
		{ { .module = "ext4" }, 0 },
		{ { .accuracy = MMS_ALLOC_INACCURATE }, 4 },
		{ { .accuracy = MMS_ALLOC_ACCURATE }, 196 },
		{ { .file = "mm/slub.c", .has_line = true, .line = 3282 }, 1 },
		{ { .file = "mm/slub.c", .func = "alloc_slab_page",
		    .accuracy = MMS_ALLOC_INACCURATE }, 2 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mms_allocinfo_info info;

		assert_int_equal(parse(text, &cases[i].f, &t, &info, &err), 0);
		if (t.n != cases[i].want)
			fail_msg("case %zu: %d sites, expected %d", i, t.n, cases[i].want);
		assert_int_equal(info.nr_matched, cases[i].want);
		assert_int_equal(info.nr_sites, 200);
	}
	free(text);
}

#define V1 "allocinfo - version: 1.0\n#     <size>  <calls> <tag info>\n"

static void test_version_1_modules(void **state)
{
	const char *text = V1
		"   127664128    31168 mm/page_ext.c:270 func:alloc_page_ext \n"
		"     4136960     1010 drivers/staging/ctagmod/ctagmod.c:20 [ctagmod] func:ctagmod_start \n"
		"        8192        2 fs/ext4/super.c:1400 [ext4] func:ext4_alloc_inode \n";
	struct mms_alloc_filter builtin = { .module = "" }, ext = { .module = "ext*" };
	struct mms_alloc_filter sub = { .module = "tag" };
	struct mms_allocinfo_info info;
	struct mms_error err;
	struct tally t;

	assert_int_equal(parse(text, NULL, &t, &info, &err), 0);
	assert_int_equal(info.major, 1);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.modules, 2);
	assert_int_equal(t.last.module_len, 4);
	assert_memory_equal(t.last.module, "ext4", 4);
	assert_int_equal(t.last.func_len, strlen("ext4_alloc_inode"));
	assert_memory_equal(t.last.file, "fs/ext4/super.c", t.last.file_len);
	assert_int_equal(t.last.line, 1400);
	assert_true(t.last.accurate);
	assert_int_equal(parse(text, &builtin, &t, &info, &err), 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(parse(text, &ext, &t, &info, &err), 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(parse(text, &sub, &t, &info, &err), 0);
	assert_int_equal(t.n, 1);
}

static void test_negative_and_keys(void **state)
{
	const char *text = "allocinfo - version: 2.1\n#     <size>  <calls> <tag info>\n"
		"       -4096        0 a.c:1 func:f accurate:no \n"
		"        4096        1 b.c:2 func:g accurate:yes color:blue \n";
	struct mms_allocinfo_info info;
	struct mms_error err;
	struct tally t;

	assert_int_equal(parse(text, NULL, &t, &info, &err), 0);
	assert_int_equal(info.minor, 1);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.bytes, 0);
	assert_int_equal(t.inaccurate, 1);
}

static void test_unknown_major(void **state)
{
	struct mms_error err;
	struct tally t;

	assert_int_equal(parse("allocinfo - version: 3.0\n#\n", NULL, &t, NULL, &err),
			 -EOPNOTSUPP);
	assert_int_equal(err.line, 1);
	assert_non_null(strstr(err.msg, "3.0"));
	assert_int_equal(parse("allocinfo - version: 0.9\n#\n", NULL, &t, NULL, &err),
			 -EOPNOTSUPP);
}

static void test_callback_stops(void **state)
{
	size_t len;
	char *text = fixture("test-7.2/allocinfo", &len);
	struct mms_error err;
	struct tally t = { .stop_after = 3 };

	assert_int_equal(mms_parse_allocinfo(text, len, NULL, count_site, &t, NULL, &err),
			 -ECANCELED);
	assert_int_equal(t.n, 3);
	free(text);
}

static void test_malformed(void **state)
{
	static const struct {
		const char *text;
		int line, rc;
	} cases[] = {
		{ "", 0, -EINVAL },
		{ "allocinfo - version: 2.0\n", 1, -EINVAL },
		{ "allocinfo version 2.0\n#\n", 1, -EINVAL },
		{ "allocinfo - version: two\n#\n", 1, -EINVAL },
		{ "allocinfo - version: 2.0\nno header\n", 2, -EINVAL },
		{ V1 "  4096 1 a.c:1 func:f \n  4096 1 a.c:1 func:f", 4, -EINVAL }, /* cut */
		{ V1 "  4096 1 a.c:1 func:f \n\n", 4, -EINVAL },                   /* empty */
		{ V1 "  40x6 1 a.c:1 func:f \n", 3, -EINVAL },
		{ V1 "  4096 -1 a.c:1 func:f \n", 3, -EINVAL },
		{ V1 "  99999999999999999999 1 a.c:1 func:f \n", 3, -ERANGE },
		{ V1 "  -9223372036854775809 1 a.c:1 func:f \n", 3, -ERANGE },
		{ V1 "  4096 1\n", 3, -EINVAL },
		{ V1 "  4096\n", 3, -EINVAL },
		{ V1 "  4096 1 a.c func:f \n", 3, -EINVAL },
		{ V1 "  4096 1 a.c:x func:f \n", 3, -EINVAL },
		{ V1 "  4096 1 :12 func:f \n", 3, -EINVAL },
		{ V1 "  4096 1 a.c:1\n", 3, -EINVAL },
		{ V1 "  4096 1 a.c:1 f \n", 3, -EINVAL },
		{ V1 "  4096 1 a.c:1 func: \n", 3, -EINVAL },
		{ V1 "  4096 1 a.c:1 [] func:f \n", 3, -EINVAL },
		{ V1 "  4096 1 a.c:1 [mod func:f \n", 3, -EINVAL },
		{ V1 "  4096 1 a.c:1 [mod]\n", 3, -EINVAL },
		{ V1 "  4096 1 a.c:1 func:f junk\n", 3, -EINVAL },
		{ V1 "  4096 1 a.c:1 func:f accurate:maybe\n", 3, -EINVAL },
		{ V1 "  4096 1 a.c:1 func:f \n  1 1 b.c:1 func:\x01 \n", 4, -EINVAL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *text = cases[i].text;
		size_t len = strlen(text);
		struct mms_error err = { .file = "allocinfo" };
		int rc = mms_parse_allocinfo(text, len, NULL, NULL, NULL, NULL, &err);

		if (rc != cases[i].rc || err.line != cases[i].line || !err.msg[0])
			fail_msg("case %zu: rc %d line %d (%s), expected rc %d line %d", i, rc,
				 err.line, err.msg, cases[i].rc, cases[i].line);
		assert_string_equal(err.file, "allocinfo");
	}
}

static void test_binary(void **state)
{
	static const char text[] = V1 "  4096 1 a.c:1 func:f \0\n";
	struct mms_error err = { .file = "allocinfo" };

	assert_int_equal(mms_parse_allocinfo(text, sizeof(text) - 1, NULL, NULL, NULL, NULL,
					     &err), -EINVAL);
	assert_int_equal(err.line, 3);
}

static void test_header_only(void **state)
{
	struct mms_allocinfo_info info;
	struct mms_error err;
	struct tally t;

	assert_int_equal(parse(V1, NULL, &t, &info, &err), 0);
	assert_int_equal(info.nr_sites, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_2_0),
		cmocka_unit_test(test_fixture_filters),
		cmocka_unit_test(test_version_1_modules),
		cmocka_unit_test(test_negative_and_keys),
		cmocka_unit_test(test_unknown_major),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_header_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
