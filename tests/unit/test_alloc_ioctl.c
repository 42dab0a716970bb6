// SPDX-License-Identifier: GPL-2.0
/*
 * The allocinfo ioctl backend without a kernel that has it: the request built from
 * mmscope's filters (which filters reach the kernel, and how), and the decoding of
 * replies laid out byte by byte as kernel-interfaces.md 4.3 documents them (offsets
 * written by hand here, not through our structs, so a wrong struct shows).
 */
#include "unit.h"
#include "lib/alloc/alloc_ioctl.h"

static void test_request_empty(void **state)
{
	struct mms_alloc_filter f = { 0 };
	struct allocinfo_filter r;

	mms_alloc_ioctl_request(&f, &r);
	assert_int_equal(r.mask, 0);
	mms_alloc_ioctl_request(NULL, &r);
	assert_int_equal(r.mask, 0);
}

/* Substrings and real globs are not whole names: they stay in user space. */
static void test_request_patterns_stay_home(void **state)
{
	struct mms_alloc_filter f = { .file = "mm/slub.c", .func = "alloc_*", .module = "ext?" };
	struct allocinfo_filter r;

	mms_alloc_ioctl_request(&f, &r);
	assert_int_equal(r.mask, 0);
	assert_string_equal(r.fields.filename, "");
}

/* A glob that stands for one name goes to the kernel, unescaped. */
static void test_request_literal_globs(void **state)
{
	struct mms_alloc_filter f = { .file = "mm/slub[.]c", .func = "alloc\\_pipe_info[_]x",
				      .module = "[e]xt4" };
	struct allocinfo_filter r;

	mms_alloc_ioctl_request(&f, &r);
	assert_int_equal(r.mask, ALLOCINFO_FILTER_MASK(ALLOCINFO_FILTER_FILENAME) |
				 ALLOCINFO_FILTER_MASK(ALLOCINFO_FILTER_FUNCTION) |
				 ALLOCINFO_FILTER_MASK(ALLOCINFO_FILTER_MODNAME));
	assert_string_equal(r.fields.filename, "mm/slub.c");
	assert_string_equal(r.fields.function, "alloc_pipe_info_x");
	assert_string_equal(r.fields.modname, "ext4");
	/* A set of several characters is not one name. */
	f = (struct mms_alloc_filter){ .file = "mm/slu[bc].c" };
	mms_alloc_ioctl_request(&f, &r);
	assert_int_equal(r.mask, 0);
}

/* The kernel keeps a long name's last 63 bytes; so does the request. */
static void test_request_long_name(void **state)
{
	char pat[200], want[64];
	struct mms_alloc_filter f = { .file = pat };
	struct allocinfo_filter r;

	memset(pat, 'a', 100);
	strcpy(pat + 100, "/tail[.]c");
	mms_alloc_ioctl_request(&f, &r);
	memset(want, 'a', 63 - 7);
	strcpy(want + 63 - 7, "/tail.c");
	assert_int_equal(strlen(r.fields.filename), 63);
	assert_string_equal(r.fields.filename, want);
	assert_int_equal(r.fields.filename[63], '\0');
}

static void test_request_builtin_line_accuracy_sizes(void **state)
{
	struct mms_alloc_filter f = { .module = "", .has_line = true, .line = 2259,
				      .accuracy = MMS_ALLOC_INACCURATE, .has_min = true,
				      .min_size = 65536, .has_max = true, .max_size = 1 << 20 };
	struct allocinfo_filter r;

	mms_alloc_ioctl_request(&f, &r);
	/* --max-size stays in user space: the kernel compares bytes unsigned. */
	assert_int_equal(r.mask, ALLOCINFO_FILTER_MASK(ALLOCINFO_FILTER_MODNAME) |
				 ALLOCINFO_FILTER_MASK(ALLOCINFO_FILTER_LINENO) |
				 ALLOCINFO_FILTER_MASK(ALLOCINFO_FILTER_INACCURATE) |
				 ALLOCINFO_FILTER_MASK(ALLOCINFO_FILTER_MIN_SIZE));
	assert_string_equal(r.fields.modname, "");
	assert_int_equal(r.fields.lineno, 2259);
	assert_int_equal(r.fields.inaccurate, 1);
	assert_int_equal(r.min_size, 65536);
	assert_int_equal(r.max_size, 0);

	f = (struct mms_alloc_filter){ .accuracy = MMS_ALLOC_ACCURATE, .has_min = true };
	mms_alloc_ioctl_request(&f, &r);
	assert_int_equal(r.mask, ALLOCINFO_FILTER_MASK(ALLOCINFO_FILTER_INACCURATE));
	assert_int_equal(r.fields.inaccurate, 0);
	assert_true((r.mask & ~ALLOCINFO_FILTER_MASKS) == 0);
}

/* The request's bytes, at the documented offsets of struct allocinfo_get_at. */
static void test_request_bytes(void **state)
{
	struct mms_alloc_filter f = { .has_line = true, .line = 0x1234, .file = "[m]m/x.c" };
	struct allocinfo_get_at at = { .pos = 7 };
	const unsigned char *b = (const unsigned char *)&at;
	uint64_t v;

	mms_alloc_ioctl_request(&f, &at.filter);
	memcpy(&v, b + 0, 8);
	assert_int_equal(v, 7);
	memcpy(&v, b + 8, 8); /* filter.mask */
	assert_int_equal(v, (1 << 2) | (1 << 3));
	assert_string_equal((const char *)b + 8 + 8 + 128, "mm/x.c"); /* fields.filename */
	memcpy(&v, b + 8 + 8 + 192, 8);                               /* fields.lineno */
	assert_int_equal(v, 0x1234);
}

/* A reply, written at the documented offsets of struct allocinfo_tag_data. */
static void put_reply(unsigned char b[232], const char *mod, const char *func, const char *file,
		      uint64_t line, uint64_t bytes, uint64_t calls, uint8_t accurate)
{
	memset(b, 0, 232);
	memcpy(b + 0, mod, strlen(mod));
	memcpy(b + 64, func, strlen(func));
	memcpy(b + 128, file, strlen(file));
	memcpy(b + 192, &line, 8);
	memcpy(b + 208, &bytes, 8);
	memcpy(b + 216, &calls, 8);
	b[224] = accurate;
}

static void test_decode(void **state)
{
	unsigned char b[232] __attribute__((aligned(8)));
	struct mms_alloc_site s;

	put_reply(b, "", "alloc_pipe_info", "fs/pipe.c", 804, 4864000, 8000, 1);
	assert_int_equal(mms_alloc_ioctl_decode((const void *)b, &s), 0);
	assert_int_equal(s.bytes, 4864000);
	assert_int_equal(s.calls, 8000);
	assert_int_equal(s.line, 804);
	assert_true(s.accurate);
	assert_int_equal(s.file_len, 9);
	assert_memory_equal(s.file, "fs/pipe.c", 9);
	assert_int_equal(s.func_len, 15);
	assert_memory_equal(s.func, "alloc_pipe_info", 15);
	assert_null(s.module);
	assert_int_equal(s.module_len, 0);

	/* A module, "accurate:no", bytes gone negative (the kernel's u64). */
	put_reply(b, "ext4", "ext4_fill_super", "fs/ext4/super.c", 5300, (uint64_t)-4096, 3, 0);
	assert_int_equal(mms_alloc_ioctl_decode((const void *)b, &s), 0);
	assert_int_equal(s.bytes, -4096);
	assert_false(s.accurate);
	assert_int_equal(s.module_len, 4);
	assert_memory_equal(s.module, "ext4", 4);
}

static void test_decode_malformed(void **state)
{
	unsigned char b[232] __attribute__((aligned(8)));
	struct mms_alloc_site s;

	/* A name without its NUL in 64 bytes. */
	put_reply(b, "", "f", "x.c", 1, 0, 0, 1);
	memset(b + 64, 'x', 64);
	assert_int_equal(mms_alloc_ioctl_decode((const void *)b, &s), -EINVAL);
	/* A line beyond 32 bits. */
	put_reply(b, "", "f", "x.c", 1ull << 33, 0, 0, 1);
	assert_int_equal(mms_alloc_ioctl_decode((const void *)b, &s), -EINVAL);
	/* 63 bytes and the NUL: fine. */
	put_reply(b, "", "f", "x.c", 1, 0, 0, 1);
	memset(b + 128, 'y', 63);
	assert_int_equal(mms_alloc_ioctl_decode((const void *)b, &s), 0);
	assert_int_equal(s.file_len, 63);
}

/* This machine's kernel has no /proc/allocinfo; a --root tree is not the kernel. */
static void test_open_without_kernel(void **state)
{
	struct mms_host root = { .root = "/nonexistent" };
	char why[200];

	assert_int_equal(mms_alloc_ioctl_open(&root, why, sizeof(why)), -EOPNOTSUPP);
	assert_non_null(strstr(why, "live kernel"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_empty),
		cmocka_unit_test(test_request_patterns_stay_home),
		cmocka_unit_test(test_request_literal_globs),
		cmocka_unit_test(test_request_long_name),
		cmocka_unit_test(test_request_builtin_line_accuracy_sizes),
		cmocka_unit_test(test_request_bytes),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_decode_malformed),
		cmocka_unit_test(test_open_without_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
