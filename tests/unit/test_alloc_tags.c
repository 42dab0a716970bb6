// SPDX-License-Identifier: GPL-2.0
/*
 * The bpf-tags backend's kernel-side prefilter: what each mmscope filter becomes
 * in the BPF program's filter (exact for line, sizes and accuracy; for names a
 * literal every match must contain, which must never lose a match), checked
 * against fnmatch/substring matching on names. The walk itself needs a kernel
 * with allocation tags: tests/vm/guest/62-alloc-tags.sh.
 */
#include <fnmatch.h>

#include "unit.h"
#include "lib/alloc/alloc_tags.h"

static void test_no_filter(void **state)
{
	struct alloc_tags_filter k;

	mms_alloc_tags_prefilter(NULL, &k);
	assert_int_equal(k.file.op, ALLOC_TAGS_STR_ANY);
	assert_int_equal(k.has_line + k.has_min + k.has_max + k.accuracy, 0);
}

static void test_exact_parts(void **state)
{
	struct mms_alloc_filter f = { .has_line = true, .line = 42, .has_min = true,
				      .min_size = -5, .has_max = true, .max_size = 1 << 20,
				      .accuracy = MMS_ALLOC_INACCURATE };
	struct alloc_tags_filter k;

	mms_alloc_tags_prefilter(&f, &k);
	assert_int_equal(k.has_line, 1);
	assert_int_equal(k.line, 42);
	assert_int_equal(k.min_size, -5);
	assert_int_equal(k.max_size, 1 << 20);
	assert_int_equal(k.accuracy, 2);
	f.accuracy = MMS_ALLOC_ACCURATE;
	mms_alloc_tags_prefilter(&f, &k);
	assert_int_equal(k.accuracy, 1);
}

static void test_substring(void **state)
{
	struct mms_alloc_filter f = { .file = "mm/slub.c", .func = "" };
	struct alloc_tags_filter k;

	mms_alloc_tags_prefilter(&f, &k);
	assert_int_equal(k.file.op, ALLOC_TAGS_STR_CONTAINS);
	assert_string_equal(k.file.lit, "mm/slub.c");
	assert_int_equal(k.file.len, 9);
	assert_int_equal(k.func.op, ALLOC_TAGS_STR_ANY); /* "" is in every name */
}

static void test_module(void **state)
{
	struct mms_alloc_filter f = { .module = "" };
	struct alloc_tags_filter k;

	mms_alloc_tags_prefilter(&f, &k);
	assert_int_equal(k.module.op, ALLOC_TAGS_STR_NULL);
	f.module = "*";
	mms_alloc_tags_prefilter(&f, &k);
	assert_int_equal(k.module.op, ALLOC_TAGS_STR_NONNULL);
	f.module = "ext4";
	mms_alloc_tags_prefilter(&f, &k);
	assert_int_equal(k.module.op, ALLOC_TAGS_STR_CONTAINS);
	assert_string_equal(k.module.lit, "ext4");
}

/* Long patterns: the first 63 bytes, still a substring of every match. */
static void test_long_literal(void **state)
{
	char pat[100];
	struct mms_alloc_filter f = { .func = pat };
	struct alloc_tags_filter k;

	memset(pat, 'x', 99);
	pat[99] = '\0';
	mms_alloc_tags_prefilter(&f, &k);
	assert_int_equal(k.func.len, ALLOC_TAGS_PAT_LEN - 1);
	assert_int_equal(strlen(k.func.lit), ALLOC_TAGS_PAT_LEN - 1);
}

/* Globs: the longest wildcard-free run, escapes resolved, sets skipped. */
static void test_glob_literals(void **state)
{
	static const struct {
		const char *glob, *lit;
	} cases[] = {
		{ "fs/*", "fs/" },
		{ "*alloc_pipe*", "alloc_pipe" },
		{ "a*bcd?ef", "bcd" },
		{ "*_[ps]ipe*", "ipe" },
		{ "x\\*yz*", "x*yz" },
		{ "[abc]", "" },
		{ "*", "" },
		{ "mm/[!s]lub.c", "lub.c" },
		{ "drivers/*/core[.]c", "drivers/" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mms_alloc_filter f = { .file = cases[i].glob };
		struct alloc_tags_filter k;

		mms_alloc_tags_prefilter(&f, &k);
		if (strcmp(k.file.lit, cases[i].lit))
			fail_msg("glob '%s': literal '%s', want '%s'", cases[i].glob, k.file.lit,
				 cases[i].lit);
		assert_int_equal(k.file.op, cases[i].lit[0] ? ALLOC_TAGS_STR_CONTAINS :
				 ALLOC_TAGS_STR_ANY);
	}
}

/* The prefilter never loses a match: every name a pattern selects holds the literal. */
static void test_superset(void **state)
{
	static const char *const names[] = {
		"mm/slub.c", "fs/pipe.c", "fs/ext4/super.c", "kernel/fork.c", "alloc_pipe_info",
		"x*yz", "drivers/base/core.c", "lib/xarray.c", "mm/percpu.c", "a_sipe_b",
	};
	static const char *const pats[] = {
		"fs/*", "*pipe*", "*_[ps]ipe*", "x\\*yz", "*core[.]c", "mm/*.c", "*/*/*",
		"slub", "pipe", "?m/*", "[a-z]*",
	};

	for (size_t p = 0; p < sizeof(pats) / sizeof(pats[0]); p++) {
		struct mms_alloc_filter f = { .file = pats[p] };
		struct alloc_tags_filter k;
		bool glob = strpbrk(pats[p], "*?[") != NULL;

		mms_alloc_tags_prefilter(&f, &k);
		for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
			bool match = glob ? !fnmatch(pats[p], names[n], 0) :
					    strstr(names[n], pats[p]) != NULL;

			if (match && k.file.op == ALLOC_TAGS_STR_CONTAINS &&
			    !strstr(names[n], k.file.lit))
				fail_msg("'%s' matches '%s' but lacks literal '%s'", names[n],
					 pats[p], k.file.lit);
		}
	}
}

/* Without a kernel that has allocation tags (this machine), open says why. */
static void test_open_refuses_root(void **state)
{
	struct mms_host root = { .root = "/nonexistent" };
	struct mms_alloc_tags *t = (void *)1;
	char why[200];

	assert_int_equal(mms_alloc_tags_open(&root, &t, why, sizeof(why)), -EOPNOTSUPP);
	assert_null(t);
	assert_non_null(strstr(why, "--root"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_filter),
		cmocka_unit_test(test_exact_parts),
		cmocka_unit_test(test_substring),
		cmocka_unit_test(test_module),
		cmocka_unit_test(test_long_literal),
		cmocka_unit_test(test_glob_literals),
		cmocka_unit_test(test_superset),
		cmocka_unit_test(test_open_refuses_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
