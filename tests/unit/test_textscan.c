// SPDX-License-Identifier: GPL-2.0
/*
 * The scanning rules every procfs parser shares (src/lib/util/textscan.c): lines, tokens,
 * what a number is (decimal digits only, no sign, nothing past 2^64-1), error
 * messages, and the whole-file checks. Then those rules applied exhaustively to every
 * parser and every recorded fixture: a cut at any byte inside a line, and a NUL at
 * any byte, must fail and name that line. Also mms_parse_sysfs_choice(), the parser
 * of one-line sysfs choice files ("always [madvise] never"): what it returns is
 * always one clean word, and anything ambiguous is refused.
 */
#include "unit.h"
#include "lib/util/textscan.h"

static struct mms_tok tok(const char *s)
{
	return (struct mms_tok){ s, strlen(s) };
}

static void test_lines(void **state)
{
	struct mms_lines ls;
	struct mms_tok line;
	const char *text = "one\n\nthree";

	mms_lines_init(&ls, text, strlen(text));
	assert_true(mms_lines_next(&ls, &line));
	assert_true(mms_tok_eq(line, "one"));
	assert_int_equal(ls.lineno, 1);
	assert_true(mms_lines_next(&ls, &line));
	assert_int_equal(line.len, 0);
	assert_true(mms_lines_next(&ls, &line));
	assert_true(mms_tok_eq(line, "three")); /* a last line without '\n' still counts */
	assert_int_equal(ls.lineno, 3);
	assert_false(mms_lines_next(&ls, &line));
	mms_lines_init(&ls, "", 0);
	assert_false(mms_lines_next(&ls, &line));
	assert_int_equal(ls.lineno, 0);
	/* len bounds the text: nothing past it is read. */
	mms_lines_init(&ls, "ab\ncd", 2);
	assert_true(mms_lines_next(&ls, &line));
	assert_true(mms_tok_eq(line, "ab"));
	assert_false(mms_lines_next(&ls, &line));
}

static void test_tokens(void **state)
{
	struct mms_tok rest = tok(" \ta\r\v\fbb  c\n"), t;
	char buf[4];

	assert_true(mms_tok_next(&rest, &t));
	assert_true(mms_tok_eq(t, "a"));
	assert_true(mms_tok_next(&rest, &t));
	assert_true(mms_tok_eq(t, "bb"));
	assert_true(mms_tok_next(&rest, &t));
	assert_true(mms_tok_eq(t, "c")); /* "\n" is a space: "900\n" is the token "900" */
	assert_false(mms_tok_next(&rest, &t));
	assert_int_equal(rest.len, 0);
	assert_false(mms_tok_eq(tok("ab"), "abc"));
	assert_false(mms_tok_eq(tok("abc"), "ab"));
	t = tok("0,");
	assert_true(mms_tok_strip(&t, ','));
	assert_true(mms_tok_eq(t, "0"));
	assert_false(mms_tok_strip(&t, ','));
	t = tok("");
	assert_false(mms_tok_strip(&t, ','));
	assert_int_equal(mms_tok_copy(tok("abc"), buf, sizeof(buf)), 0);
	assert_string_equal(buf, "abc");
	assert_int_equal(mms_tok_copy(tok("abcd"), buf, sizeof(buf)), -ENAMETOOLONG);
	assert_true(mms_tok_is_name(tok("Active(anon)")));
	assert_true(mms_tok_is_name(tok("defer+madvise")));
	assert_false(mms_tok_is_name(tok("")));
	assert_false(mms_tok_is_name(tok("a b")));
	assert_false(mms_tok_is_name(tok("a\x7f")));
	assert_false(mms_tok_is_name(tok("\xc3\xa9")));
	assert_false(mms_tok_is_name(tok("a\n")));
}

static void expect_u64(const char *s, int rc, uint64_t want)
{
	uint64_t v = 12345;
	int got = mms_parse_u64(tok(s), &v);

	if (got != rc || (!rc && v != want) || (rc && v != 12345))
		fail_msg("'%s': got %d (%llu), expected %d (%llu)", s, got, (unsigned long long)v,
			 rc, (unsigned long long)want);
}

static void test_numbers(void **state)
{
	int i = 7;

	expect_u64("0", 0, 0);
	expect_u64("007", 0, 7);
	expect_u64("4294967296", 0, 4294967296ull);
	expect_u64("18446744073709551615", 0, UINT64_MAX);
	expect_u64("18446744073709551616", -ERANGE, 0);
	expect_u64("18446744073709551620", -ERANGE, 0);
	expect_u64("184467440737095516150", -ERANGE, 0);
	expect_u64("99999999999999999999999999999999999999999", -ERANGE, 0);
	expect_u64("", -EINVAL, 0);
	expect_u64("-1", -EINVAL, 0);
	expect_u64("-0", -EINVAL, 0);
	expect_u64("+1", -EINVAL, 0);
	expect_u64(" 1", -EINVAL, 0);
	expect_u64("1 ", -EINVAL, 0);
	expect_u64("0x10", -EINVAL, 0);
	expect_u64("1e3", -EINVAL, 0);
	expect_u64("1.0", -EINVAL, 0);
	expect_u64("1,000", -EINVAL, 0);
	expect_u64("\xd9\xa3", -EINVAL, 0); /* ARABIC-INDIC DIGIT THREE */
	expect_u64("12/", -EINVAL, 0); /* '/' and ':' border the digits */
	expect_u64("12:", -EINVAL, 0);
	assert_int_equal(mms_parse_int(tok("2147483647"), &i), 0);
	assert_int_equal(i, 2147483647);
	assert_int_equal(mms_parse_int(tok("2147483648"), &i), -ERANGE);
	assert_int_equal(mms_parse_int(tok("18446744073709551616"), &i), -ERANGE);
	assert_int_equal(mms_parse_int(tok("-1"), &i), -EINVAL);
	assert_int_equal(i, 2147483647);
}

static void test_errors(void **state)
{
	struct mms_error err = { .file = "/proc/x" };

	assert_int_equal(mms_err_at(&err, 7, "bad %s", "thing"), -EINVAL);
	assert_int_equal(err.line, 7);
	assert_string_equal(err.msg, "bad thing");
	assert_string_equal(err.file, "/proc/x");
	assert_int_equal(mms_err_at(NULL, 1, "no err"), -EINVAL);
	/* What the input puts in a message is made printable. */
	mms_err_at(&err, 1, "%s", "a\x01\xc3\xa9\nb");
	assert_string_equal(err.msg, "a????b");
	assert_int_equal(mms_err_number(&err, 3, tok("18446744073709551616"), -ERANGE), -ERANGE);
	assert_int_equal(err.line, 3);
	assert_non_null(strstr(err.msg, "18446744073709551616"));
	assert_int_equal(mms_err_number(&err, 4, tok("-1"), -EINVAL), -EINVAL);
	assert_non_null(strstr(err.msg, "'-1'"));
	mms_err_number(&err, 5, tok("1234567890123456789012345678901234567890"), -ERANGE);
	assert_non_null(strstr(err.msg, "'123456789012345678901234...'"));
}

static void test_whole_file_checks(void **state)
{
	static const char nul3[] = "a\nb\nc\0d\n";
	struct mms_error err = { 0 };

	assert_int_equal(mms_check_text("", 0, &err), 0);
	assert_int_equal(mms_check_text("a\nb", 3, &err), 0);
	assert_int_equal(mms_check_text(nul3, sizeof(nul3) - 1, &err), -EINVAL);
	assert_int_equal(err.line, 3);
	assert_int_equal(mms_check_text("\0", 1, &err), -EINVAL);
	assert_int_equal(err.line, 1);
	/* A NUL past len is not looked at. */
	assert_int_equal(mms_check_text(nul3, 4, &err), 0);
	assert_int_equal(mms_check_file("", 0, &err), 0);
	assert_int_equal(mms_check_file("a\nb\n", 4, &err), 0);
	assert_int_equal(mms_check_file("\n", 1, &err), 0);
	assert_int_equal(mms_check_file("a\nb", 3, &err), -EINVAL);
	assert_int_equal(err.line, 2);
	assert_int_equal(mms_check_file("a", 1, &err), -EINVAL);
	assert_int_equal(err.line, 1);
	assert_int_equal(mms_check_file("a\n\n\nxyz", 7, &err), -EINVAL);
	assert_int_equal(err.line, 4);
	/* The NUL, being earlier, is what is reported. */
	assert_int_equal(mms_check_file(nul3, sizeof(nul3) - 2, &err), -EINVAL);
	assert_int_equal(err.line, 3);
	assert_non_null(strstr(err.msg, "NUL"));
}

static void expect_node_zone(const char *line, int rc, int node, const char *zone, const char *rest)
{
	struct mms_error err = { 0 };
	struct mms_tok r = tok(line);
	char name[MMS_ZONE_NAME_MAX] = "";
	int n = -1, got = mms_parse_node_zone(&r, 9, &n, name, &err);

	if (got != rc || (rc && err.line != 9))
		fail_msg("'%s': got %d at line %d (%s), expected %d", line, got, err.line, err.msg,
			 rc);
	if (!rc) {
		assert_int_equal(n, node);
		assert_string_equal(name, zone);
		assert_true(mms_tok_eq(r, rest));
	}
}

static void test_node_zone(void **state)
{
	expect_node_zone("Node 0, zone      DMA      0      1 ", 0, 0, "DMA", "      0      1 ");
	expect_node_zone("Node    3, zone   Normal, type    Unmovable", 0, 3, "Normal",
			 " type    Unmovable");
	expect_node_zone("Node 1023, zone Movable", 0, 1023, "Movable", "");
	expect_node_zone("Node 0, zone ABCDEFGHIJKLMNO", 0, 0, "ABCDEFGHIJKLMNO", "");
	expect_node_zone("Node 0, zone ABCDEFGHIJKLMNOP", -EINVAL, 0, NULL, NULL);
	expect_node_zone("Node 0, zone ,", -EINVAL, 0, NULL, NULL);
	expect_node_zone("Node 0, zone", -EINVAL, 0, NULL, NULL);
	expect_node_zone("Node 0 zone DMA", -EINVAL, 0, NULL, NULL);
	expect_node_zone("Node , zone DMA", -EINVAL, 0, NULL, NULL);
	expect_node_zone("Node -1, zone DMA", -EINVAL, 0, NULL, NULL);
	expect_node_zone("Node 4294967296, zone DMA", -ERANGE, 0, NULL, NULL);
	expect_node_zone("Node 0, zones DMA", -EINVAL, 0, NULL, NULL);
	expect_node_zone("node 0, zone DMA", -EINVAL, 0, NULL, NULL);
	expect_node_zone("", -EINVAL, 0, NULL, NULL);
	expect_node_zone("Node 0, zone D\x01", -EINVAL, 0, NULL, NULL);
}

static void expect_choice(const char *text, int rc, const char *want, size_t size)
{
	char out[32] = "untouched";
	int got = mms_parse_sysfs_choice(text, out, size);

	if (got != rc || (!rc && strcmp(out, want)))
		fail_msg("'%s': got %d '%s', expected %d '%s'", text, got, out, rc,
			 want ? want : "");
}

static void test_sysfs_choice(void **state)
{
	expect_choice("always [madvise] never\n", 0, "madvise", 32);
	expect_choice("[always] madvise never\n", 0, "always", 32);
	expect_choice("always madvise [never]", 0, "never", 32);
	expect_choice("always defer defer+madvise [madvise] never\n", 0, "madvise", 32);
	expect_choice("always within_size advise [never] deny force\n", 0, "never", 32);
	expect_choice("always inherit [madvise] never\n", 0, "madvise", 32);
	expect_choice("[madvise]", 0, "madvise", 8);
	expect_choice("[madvise]", -ENAMETOOLONG, NULL, 7);
	expect_choice("", -EINVAL, NULL, 32);
	expect_choice("\n", -EINVAL, NULL, 32);
	expect_choice("always madvise never\n", -EINVAL, NULL, 32);
	expect_choice("always [] never\n", -EINVAL, NULL, 32);
	expect_choice("[always] [madvise]\n", -EINVAL, NULL, 32);
	expect_choice("[a[b]\n", -EINVAL, NULL, 32);
	expect_choice("[a]b]\n", -EINVAL, NULL, 32);
	expect_choice("[a]]\n", -EINVAL, NULL, 32);
	expect_choice("[a] b]\n", -EINVAL, NULL, 32);
	expect_choice("[a] [b\n", -EINVAL, NULL, 32);
	expect_choice("[madvise\n", -EINVAL, NULL, 32);
	expect_choice("madvise]\n", -EINVAL, NULL, 32);
	expect_choice("[mad vise]\n", -EINVAL, NULL, 32);
	expect_choice("[mad\tvise]\n", -EINVAL, NULL, 32);
	expect_choice("always [mad\x01vise] never\n", -EINVAL, NULL, 32);
	expect_choice("always [m\xc3\xa9] never\n", -EINVAL, NULL, 32);
}

/* ---- every parser, every fixture: cuts and NUL bytes ------------------------- */

static union {
	struct mms_buddyinfo buddy;
	struct mms_pagetypeinfo pagetype;
	struct mms_zoneinfo zone;
	struct mms_kvset kv;
	struct mms_psi psi;
} parsed;

static int parse_buddyinfo(const char *t, size_t n, struct mms_error *e)
{
	return mms_parse_buddyinfo(t, n, &parsed.buddy, e);
}
static int parse_pagetypeinfo(const char *t, size_t n, struct mms_error *e)
{
	return mms_parse_pagetypeinfo(t, n, &parsed.pagetype, e);
}
static int parse_zoneinfo(const char *t, size_t n, struct mms_error *e)
{
	return mms_parse_zoneinfo(t, n, &parsed.zone, e);
}
static int parse_vmstat(const char *t, size_t n, struct mms_error *e)
{
	return mms_parse_vmstat(t, n, &parsed.kv, e);
}
static int parse_meminfo(const char *t, size_t n, struct mms_error *e)
{
	return mms_parse_meminfo(t, n, &parsed.kv, e);
}
static int parse_psi(const char *t, size_t n, struct mms_error *e)
{
	return mms_parse_psi(t, n, &parsed.psi, e);
}

static const struct {
	const char *file;
	int (*parse)(const char *, size_t, struct mms_error *);
} parsers[] = {
	{ "buddyinfo", parse_buddyinfo }, { "pagetypeinfo", parse_pagetypeinfo },
	{ "zoneinfo", parse_zoneinfo },	  { "vmstat", parse_vmstat },
	{ "meminfo", parse_meminfo },	  { "pressure-memory", parse_psi },
	{ "memory.pressure", parse_psi },
};

static const char *const kernels[] = { "host-6.18", "doc-6.18", "debian-6.1", "test-7.2" };

/* Reads dir/file if it was recorded; NULL otherwise. */
static char *maybe_fixture(const char *dir, const char *file, size_t *len)
{
	char name[128], path[1024];
	FILE *f;

	snprintf(name, sizeof(name), "%s/%s", dir, file);
	snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fclose(f);
	return fixture(name, len);
}

/* Calls check(parser, text, len, name) for every recorded file some parser reads. */
static int for_each_fixture(void (*check)(int p, char *text, size_t len, const char *name))
{
	int files = 0;

	for (size_t k = 0; k < sizeof(kernels) / sizeof(kernels[0]); k++) {
		for (size_t p = 0; p < sizeof(parsers) / sizeof(parsers[0]); p++) {
			char name[128];
			size_t len;
			char *text = maybe_fixture(kernels[k], parsers[p].file, &len);

			if (!text)
				continue;
			snprintf(name, sizeof(name), "%s/%s", kernels[k], parsers[p].file);
			check((int)p, text, len, name);
			free(text);
			files++;
		}
	}
	return files;
}

static void check_whole_and_cuts(int p, char *text, size_t len, const char *name)
{
	struct mms_error err = { 0 };
	int line = 1, rc;

	rc = parsers[p].parse(text, len, &err);
	if (rc)
		fail_msg("%s: %d at line %d: %s", name, rc, err.line, err.msg);
	for (size_t cut = 1; cut < len; cut++) {
		if (text[cut - 1] == '\n') {
			line++;
			continue;
		}
		/* A copy of exactly cut bytes, so ASan sees any read past the end. */
		char *copy = malloc(cut);

		assert_non_null(copy);
		memcpy(copy, text, cut);
		memset(&err, 0, sizeof(err));
		rc = parsers[p].parse(copy, cut, &err);
		free(copy);
		if (rc != -EINVAL || err.line != line)
			fail_msg("%s cut at byte %zu (line %d): got %d at line %d (%s)", name, cut,
				 line, rc, err.line, err.msg);
	}
}

static void check_nul_everywhere(int p, char *text, size_t len, const char *name)
{
	int line = 1;

	for (size_t at = 0; at < len; at++) {
		struct mms_error err = { 0 };
		char saved = text[at];
		int rc;

		text[at] = '\0';
		rc = parsers[p].parse(text, len, &err);
		text[at] = saved;
		if (rc != -EINVAL || err.line != line)
			fail_msg("%s NUL at byte %zu (line %d): got %d at line %d (%s)", name, at,
				 line, rc, err.line, err.msg);
		line += saved == '\n';
	}
}

static void test_every_fixture_cut_mid_line(void **state)
{
	/* 6 kinds of file from 3 kernels, plus doc-6.18's buddyinfo and 2 memory.pressure */
	assert_int_equal(for_each_fixture(check_whole_and_cuts), 21);
}

static void test_every_fixture_nul_anywhere(void **state)
{
	assert_int_equal(for_each_fixture(check_nul_everywhere), 21);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_whole_file_checks),
		cmocka_unit_test(test_node_zone),
		cmocka_unit_test(test_sysfs_choice),
		cmocka_unit_test(test_every_fixture_cut_mid_line),
		cmocka_unit_test(test_every_fixture_nul_anywhere),
	};

	return cmocka_run_group_tests_name("textscan", tests, NULL, NULL);
}
