// SPDX-License-Identifier: GPL-2.0
/*
 * The memcg text parsers on recorded files: v1 memory.stat of this machine (6.18,
 * total_* keys mapped to v2 names), v2 memory.stat and memory.events of Debian 6.1 and
 * the 7.2 test kernel; absent statistics stay absent; the catalog's names and aliases;
 * malformed input names its line; the reader's open refuses bad options with -EINVAL
 * and no reader.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

static int idx(const char *name)
{
	int i = mms_memcg_stat_find(name);

	if (i < 0)
		fail_msg("no stat %s", name);
	return i;
}

static void parse(const char *fixture_name, int version, const char *const *names, int nr,
		  uint64_t *values, uint64_t *present)
{
	struct mms_error err = { 0 };
	int stats[MMS_MEMCG_STATS_MAX];
	size_t len;
	char *text = fixture(fixture_name, &len);
	int rc;

	for (int i = 0; i < nr; i++)
		stats[i] = idx(names[i]);
	rc = mms_parse_memcg_stat(text, len, version, stats, nr, values, present, &err);
	if (rc)
		fail_msg("%s: %d at line %d: %s", fixture_name, rc, err.line, err.msg);
	free(text);
}

static void test_v1_names(void **state)
{
	static const char *const names[] = { "anon", "file", "pgfault", "kernel", "pgscan",
					     "shmem" };
	uint64_t v[6], present;

	parse("host-6.18/memory.stat.v1", 1, names, 6, v, &present);
	/* rss -> anon, cache -> file, from the hierarchical total_* keys */
	assert_int_equal(v[0], 986370048);
	assert_int_equal(v[1], 472571904);
	assert_int_equal(v[2], 25349440);
	/* v1 has no kernel nor pgscan in memory.stat: absent, not 0 */
	assert_int_equal(present, (1u << 0) | (1u << 1) | (1u << 2) | (1u << 5));
}

static void test_v2(void **state)
{
	static const char *const names[] = { "anon", "file", "pgscan", "pgfault", "zswapped",
					     "anon_thp" };
	uint64_t v[6], present;

	parse("debian-6.1/memory.stat", 2, names, 6, v, &present);
	assert_int_equal(v[0], 17928192);
	assert_int_equal(v[1], 8921088);
	assert_int_equal(v[2], 10688);
	assert_int_equal(v[3], 10819);
	/* Debian's 6.1 is built without zswap: no zswapped line, so absent */
	assert_int_equal(present, 0x2f);
	parse("test-7.2/memory.stat", 2, names, 4, v, &present);
	assert_int_equal(v[0], 17932288);
	assert_int_equal(v[1], 23076864);
	assert_int_equal(v[2], 12800);
	assert_int_equal(present, 0xf);
}

static void test_events(void **state)
{
	int stats[] = { idx("events_max"), idx("oom_kill"), idx("events_sock_throttled") };
	struct mms_error err = { 0 };
	uint64_t v[3], present;
	size_t len;
	char *text = fixture("debian-6.1/memory.events", &len);

	assert_int_equal(mms_parse_memcg_events(text, len, stats, 3, v, &present, &err), 0);
	assert_int_equal(v[0], 204);
	assert_int_equal(v[1], 1);
	/* 6.1 has no sock_throttled */
	assert_int_equal(present, 3);
	free(text);
	text = fixture("test-7.2/memory.events", &len);
	assert_int_equal(mms_parse_memcg_events(text, len, stats, 3, v, &present, &err), 0);
	assert_int_equal(present, 7);
	free(text);
}

static void test_catalog(void **state)
{
	assert_int_equal(mms_memcg_stat_find("oom_kill"), mms_memcg_stat_find("events_oom_kill"));
	assert_true(mms_memcg_stat_find("rss") < 0); /* v1 names are not API names */
	assert_true(mms_memcg_stat_find("") < 0);
	assert_true(mms_memcg_stat_cumulative(idx("pgfault")));
	assert_false(mms_memcg_stat_cumulative(idx("anon")));
	assert_int_equal(mms_memcg_stat_unit(idx("some_avg10")), MMS_MEMCG_PERCENT_X100);
	for (int i = 0; i < mms_memcg_stat_count(); i++)
		assert_int_equal(mms_memcg_stat_find(mms_memcg_stat_name(i)), i);
}

static void expect_bad(const char *text, int version, int rc, int line)
{
	int stats[] = { idx("anon") };
	struct mms_error err = { 0 };
	uint64_t v[1], present;
	int got = mms_parse_memcg_stat(text, strlen(text), version, stats, 1, v, &present, &err);

	if (got != rc || (rc && err.line != line))
		fail_msg("'%s': got %d at line %d (%s), expected %d at line %d", text, got,
			 err.line, err.msg, rc, line);
}

static void test_malformed(void **state)
{
	expect_bad("anon 1\nfile 2\n", 2, 0, 0);
	expect_bad("anon 1\nfile\n", 2, -EINVAL, 2);
	expect_bad("anon -1\n", 2, -EINVAL, 1);
	expect_bad("anon 18446744073709551616\n", 2, -ERANGE, 1);
	expect_bad("anon 1 2\n", 2, -EINVAL, 1);
	expect_bad("anon 12", 2, -EINVAL, 1); /* cut mid-line */
	expect_bad("total_rss 1", 1, -EINVAL, 1); /* cut mid-line */
	expect_bad("total_rss x\n", 1, -EINVAL, 1);
	/* a bad value of a key nobody asked for is not decoded */
	expect_bad("file x\nanon 1\n", 2, 0, 0);
	/* bad options */
	int bad[] = { 9999 };
	uint64_t v[1], present;

	assert_int_equal(mms_parse_memcg_stat("anon 1\n", 7, 2, bad, 1, v, &present, NULL), -EINVAL);
	assert_int_equal(mms_parse_memcg_stat("anon 1\n", 7, 3, NULL, 0, v, &present, NULL),
			 -EINVAL);
}

/* The kernel never prints memory.stat or memory.events empty: bad input, not "-". */
static void test_empty(void **state)
{
	int stats[] = { idx("anon"), idx("events_oom_kill") };
	struct mms_error err = { 0 };
	uint64_t v[2], present = 0;

	expect_bad("", 1, -EINVAL, 0);
	expect_bad("", 2, -EINVAL, 0);
	expect_bad("\n\n", 2, -EINVAL, 2);
	expect_bad(" \n", 1, -EINVAL, 1);
	assert_int_equal(mms_parse_memcg_events("", 0, stats, 2, v, &present, &err), -EINVAL);
	assert_int_equal(err.line, 0);
	assert_non_null(strstr(err.msg, "empty"));
	assert_int_equal(mms_parse_memcg_events("\n", 1, stats, 2, v, &present, &err), -EINVAL);
	assert_int_equal(err.line, 1);
	/* a file holding only keys nobody asked for is fine */
	expect_bad("total_cache 1\n", 1, 0, 0);
}

/*
 * Through the text backend on a --root tree (a plain directory): a bad memory.stat
 * fails the read, and r's note names the file and the line; an empty one names the
 * file; a FIFO in its place fails at once instead of blocking.
 */
static char tree[64];

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tree, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int read_tree(char *note, size_t size)
{
	struct mms_memcg_snapshot snap = { 0 };
	struct mms_memcg_reader *r;
	struct mms_error err = { 0 };
	struct mms_host host;
	const char *names[] = { "anon", "file" };
	int stats[2] = { idx(names[0]), idx(names[1]) }, rc;
	MMS_MEMCG_OPTS(o, .host = &host, .backend = MMS_MEMCG_TEXT, .stats = stats,
		       .nr_stats = 2);

	assert_int_equal(mms_host_init(&host, tree), 0);
	rc = mms_memcg_reader_open("/cg", &o, &r, &err);
	if (rc)
		fail_msg("open: %d %s: %s", rc, err.file, err.msg);
	assert_int_equal(mms_memcg_snapshot_alloc(&snap, 8, 2), 0);
	rc = mms_memcg_reader_read(r, &snap);
	note[0] = '\0';
	if (mms_memcg_reader_nr_notes(r))
		snprintf(note, size, "%s",
			 mms_memcg_reader_note(r, mms_memcg_reader_nr_notes(r) - 1));
	mms_memcg_snapshot_free(&snap);
	mms_memcg_reader_close(r);
	return rc;
}

static void test_reader_names_file(void **state)
{
	char path[128], note[512];

	snprintf(tree, sizeof(tree), "/tmp/mmscope-memcg-XXXXXX");
	assert_non_null(mkdtemp(tree));
	snprintf(path, sizeof(path), "%s/cg", tree);
	assert_int_equal(mkdir(path, 0755), 0);
	put("cg/memory.usage_in_bytes", "4096\n"); /* a v1 hierarchy */
	put("cg/memory.stat", "cache 4096\nrss 8192\ntotal_cache 4096\ntotal_rss 8192\n");
	assert_int_equal(read_tree(note, sizeof(note)), 0);
	put("cg/memory.stat", "total_cache 4096\ntotal_rss 8192\ntotal_rss\n");
	assert_int_equal(read_tree(note, sizeof(note)), -EINVAL);
	assert_non_null(strstr(note, "/cg/memory.stat:3: "));
	put("cg/memory.stat", "");
	assert_int_equal(read_tree(note, sizeof(note)), -EINVAL);
	assert_non_null(strstr(note, "/cg/memory.stat: empty file"));
	snprintf(path, sizeof(path), "%s/cg/memory.stat", tree);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkfifo(path, 0644), 0);
	assert_int_equal(read_tree(note, sizeof(note)), -EINVAL); /* returns: no hang */
	assert_non_null(strstr(note, "/cg/memory.stat: not a regular file"));
	snprintf(path, sizeof(path), "rm -rf '%s'", tree);
	assert_int_equal(system(path), 0);
}

static void test_open_bad_opts(void **state)
{
	struct mms_memcg_reader *r = (struct mms_memcg_reader *)1;
	struct mms_error err;
	int stats[] = { 9999 };
	MMS_MEMCG_OPTS(o, .stats = stats, .nr_stats = 1);
	MMS_MEMCG_OPTS(many, .nr_stats = MMS_MEMCG_STATS_MAX + 1);
	MMS_MEMCG_OPTS(backend, .backend = (enum mms_memcg_backend)(MMS_MEMCG_TEXT + 1));
	struct mms_memcg_opts small = { .sz = sizeof(size_t) };

	assert_int_equal(mms_memcg_reader_open(NULL, NULL, &r, &err), -EINVAL);
	assert_null(r);
	assert_int_equal(mms_memcg_reader_open(NULL, &small, &r, NULL), -EINVAL);
	assert_int_equal(mms_memcg_reader_open(NULL, &many, &r, NULL), -EINVAL);
	assert_int_equal(mms_memcg_reader_open(NULL, &backend, &r, NULL), -EINVAL);
	assert_int_equal(mms_memcg_reader_open(NULL, &o, &r, &err), -EINVAL);
	assert_null(r);
	assert_int_equal(mms_memcg_reader_open(NULL, &o, NULL, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_names),
		cmocka_unit_test(test_v2),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_catalog),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_reader_names_file),
		cmocka_unit_test(test_open_bad_opts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
