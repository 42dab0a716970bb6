// SPDX-License-Identifier: GPL-2.0
/*
 * THP: the sysfs choice parser, the settings reader on this machine's recorded
 * /sys/kernel/mm/transparent_hugepage tree and on malformed trees, the smaps_rollup
 * parser and process readers, counter rates over a window, and every advice rule
 * (each fires on its condition with its figure, and stays quiet on the recorded,
 * healthy machine).
 */
#include <sys/stat.h>

#include "unit.h"

#define ROOT FIXTURES "/host-6.18/root"
#define HUGEUSER_PID 22308 /* a recorded process with MADV_HUGEPAGE memory */

static struct mms_thp_sample s0, s1;
static struct mms_thp_window win;

/* ---- helpers ---- */

static struct mms_host host_at(const char *root)
{
	struct mms_host h;

	assert_int_equal(mms_host_init(&h, root), 0);
	return h;
}

static void set_kv(struct mms_kvset *set, const char *name, uint64_t value)
{
	for (int i = 0; i < set->nr; i++)
		if (!strcmp(set->items[i].name, name)) {
			set->items[i].value = value;
			return;
		}
	fail_msg("no %s", name);
}

static uint64_t kv(const struct mms_kvset *set, const char *name)
{
	uint64_t v = 0;

	assert_true(mms_kv_get(set, name, &v));
	return v;
}

/* The recorded tree's settings with the recorded vmstat, twice: a window of 1 s. */
static int setup(void **state)
{
	struct mms_host h = host_at(ROOT);
	struct mms_error err = { 0 };

	assert_int_equal(mms_thp_sample_read(&h, &s0, &err), 0);
	s1 = s0;
	return 0;
}

static int compute(double window_s)
{
	mms_thp_window_compute(&s0, &s1, window_s, &win);
	return 0;
}

static const struct mms_thp_advice *advise(struct mms_thp_advice *out, int *n, const char *id)
{
	*n = mms_thp_advise(&s1.settings, &win, out, MMS_THP_ADVICE_MAX);
	for (int i = 0; i < *n; i++) {
		assert_null(strchr(out[i].text, '{')); /* every placeholder filled */
		if (!strcmp(out[i].id, id))
			return &out[i];
	}
	return NULL;
}

/* A scratch tree under /tmp; files are written with put(). */
static char scratch[64];

static int scratch_setup(void **state)
{
	snprintf(scratch, sizeof(scratch), "/tmp/mmscope-thp-XXXXXX");
	assert_non_null(mkdtemp(scratch));
	return 0;
}

static int scratch_teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void put(const char *rel, const char *text, size_t len)
{
	char path[512], cmd[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", scratch, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

#define PUT(rel, lit) put(rel, lit, sizeof(lit) - 1)
#define THP "sys/kernel/mm/transparent_hugepage/"

/* A minimal valid tree: enabled, defrag, one size. */
static void minimal_tree(void)
{
	PUT(THP "enabled", "always [madvise] never\n");
	PUT(THP "defrag", "always defer defer+madvise [madvise] never\n");
	PUT(THP "hugepages-2048kB/enabled", "always [inherit] madvise never\n");
	PUT(THP "hugepages-2048kB/stats/anon_fault_alloc", "5\n");
}

static int read_scratch(struct mms_thp_settings *s, struct mms_error *err)
{
	struct mms_host h = host_at(scratch);

	memset(err, 0, sizeof(*err));
	return mms_thp_read(&h, s, err);
}

/* ---- mms_parse_sysfs_choice ---- */

static void test_choice(void **state)
{
	char out[16];

	assert_int_equal(mms_parse_sysfs_choice("always [madvise] never\n", out, sizeof(out)), 0);
	assert_string_equal(out, "madvise");
	assert_int_equal(mms_parse_sysfs_choice("always defer [defer+madvise] madvise never",
						out, sizeof(out)), 0);
	assert_string_equal(out, "defer+madvise");
	assert_int_equal(mms_parse_sysfs_choice("[never]", out, sizeof(out)), 0);
	assert_string_equal(out, "never");
	assert_int_equal(mms_parse_sysfs_choice("always madvise never", out, sizeof(out)), -EINVAL);
	assert_int_equal(mms_parse_sysfs_choice("[always] [never]", out, sizeof(out)), -EINVAL);
	assert_int_equal(mms_parse_sysfs_choice("[] never", out, sizeof(out)), -EINVAL);
	assert_int_equal(mms_parse_sysfs_choice("[mad vise]", out, sizeof(out)), -EINVAL);
	assert_int_equal(mms_parse_sysfs_choice("[madvise", out, sizeof(out)), -EINVAL);
	assert_int_equal(mms_parse_sysfs_choice("madvise]", out, sizeof(out)), -EINVAL);
	assert_int_equal(mms_parse_sysfs_choice("[a]]", out, sizeof(out)), -EINVAL);
	assert_int_equal(mms_parse_sysfs_choice("[\x01\xff]", out, sizeof(out)), -EINVAL);
	assert_int_equal(mms_parse_sysfs_choice("", out, sizeof(out)), -EINVAL);
	assert_int_equal(mms_parse_sysfs_choice("[abcdefghijklmnopq]", out, sizeof(out)),
			 -ENAMETOOLONG);
}

/* ---- mms_thp_read on the recorded tree ---- */

static void test_read_recorded(void **state)
{
	const struct mms_thp_settings *s = &s0.settings;
	uint64_t v;

	assert_true(s->present);
	assert_string_equal(s->enabled, "madvise");
	assert_string_equal(s->defrag, "madvise");
	assert_string_equal(s->shmem_enabled, "never");
	assert_int_equal(s->hpage_pmd_size, 2097152);
	assert_int_equal(s->max_ptes_none, 511);
	assert_int_equal(s->max_ptes_swap, 64);
	assert_int_equal(s->max_ptes_shared, 256);
	assert_int_equal(s->pages_to_scan, 4096);
	assert_int_equal(s->scan_sleep_ms, 10000);
	assert_int_equal(s->alloc_sleep_ms, 60000);
	assert_true(s->has_khugepaged_defrag);
	assert_int_equal(s->khugepaged_defrag, 1);
	assert_int_equal(s->use_zero_page, 1);
	assert_int_equal(s->shrink_underused, 1);
	for (int i = 0; i < mms_thp_knob_count(); i++)
		assert_true(mms_thp_knob_get(s, i, &v));
	assert_false(mms_thp_knob_get(s, mms_thp_knob_count(), &v));
	assert_null(mms_thp_knob_path(-1));
	assert_int_equal(mms_thp_pmd_nr(s), 512);

	/* hugepages-8kB .. hugepages-2048kB, smallest first. */
	assert_int_equal(s->nr_sizes, 9);
	for (int i = 0; i < s->nr_sizes; i++)
		assert_int_equal(s->sizes[i].size_kb, 8u << i);
	assert_string_equal(s->sizes[0].enabled, ""); /* no anonymous order-1 THP */
	assert_false(s->sizes[0].has_stats);
	assert_string_equal(s->sizes[0].shmem_enabled, "never");
	assert_string_equal(s->sizes[1].enabled, "never");
	assert_true(s->sizes[1].has_stats);
	assert_string_equal(s->sizes[8].enabled, "inherit");
	assert_string_equal(mms_thp_size_policy(s, &s->sizes[8]), "madvise");
	assert_string_equal(mms_thp_size_policy(s, &s->sizes[1]), "never");
	assert_int_equal(s->sizes[8].anon_fault_alloc, 7285);
	assert_int_equal(s->sizes[8].nr_anon, 16);
	assert_true(s0.vmstat.nr > 100);
}

static void test_pmd_nr(void **state)
{
	struct mms_thp_settings s = { 0 };

	s.hpage_pmd_size = 2ull << 20; /* 4 KiB pages */
	assert_int_equal(mms_thp_pmd_nr(&s), 512);
	s.hpage_pmd_size = 32ull << 20; /* 16 KiB pages */
	assert_int_equal(mms_thp_pmd_nr(&s), 2048);
	s.hpage_pmd_size = 512ull << 20; /* 64 KiB pages */
	assert_int_equal(mms_thp_pmd_nr(&s), 8192);
	s.hpage_pmd_size = 3ull << 20; /* not a PMD size: the x86 default */
	assert_int_equal(mms_thp_pmd_nr(&s), 512);
	s.hpage_pmd_size = 0;
	assert_int_equal(mms_thp_pmd_nr(&s), 512);
	s.hpage_pmd_size = UINT64_MAX;
	assert_int_equal(mms_thp_pmd_nr(&s), 512);
}

static void test_read_absent(void **state)
{
	struct mms_thp_settings s;
	struct mms_error err;

	/* No THP directory at all: a kernel without CONFIG_TRANSPARENT_HUGEPAGE. */
	assert_int_equal(read_scratch(&s, &err), 0);
	assert_false(s.present);
	/* The directory without its enabled file: a broken tree, not "no THP". */
	PUT(THP "defrag", "[madvise]\n");
	assert_int_equal(read_scratch(&s, &err), -ENOENT);
	assert_non_null(strstr(err.file, "transparent_hugepage/enabled"));
}

static void test_read_minimal(void **state)
{
	struct mms_thp_settings s;
	struct mms_error err;
	uint64_t v;

	minimal_tree();
	assert_int_equal(read_scratch(&s, &err), 0);
	assert_true(s.present);
	assert_string_equal(s.shmem_enabled, "");
	assert_false(s.has_khugepaged_defrag);
	for (int i = 0; i < mms_thp_knob_count(); i++)
		assert_false(mms_thp_knob_get(&s, i, &v));
	assert_int_equal(s.nr_sizes, 1);
	assert_true(s.sizes[0].has_stats);
	assert_int_equal(s.sizes[0].anon_fault_alloc, 5);
	/* Entries that only look like size directories are not sizes. */
	PUT(THP "hugepages-kB/enabled", "[never]\n");
	PUT(THP "hugepages-64kBx/enabled", "[never]\n");
	PUT(THP "hugepages--64kB/enabled", "[never]\n");
	assert_int_equal(read_scratch(&s, &err), 0);
	assert_int_equal(s.nr_sizes, 1);
}

/* One malformed file in an otherwise valid tree: rc, and err names file and line. */
static void bad_file(const char *rel, const char *text, size_t len, int want_rc, int want_line)
{
	struct mms_thp_settings s;
	struct mms_error err;

	minimal_tree();
	put(rel, text, len);
	assert_int_equal(read_scratch(&s, &err), want_rc);
	assert_non_null(strstr(err.file, rel));
	assert_int_equal(err.line, want_line);
	assert_true(err.msg[0] != '\0');
	scratch_teardown(NULL);
	scratch_setup(NULL);
}

#define BAD(rel, lit, rc, line) bad_file(rel, lit, sizeof(lit) - 1, rc, line)

static void test_read_malformed(void **state)
{
	BAD(THP "enabled", "", -EINVAL, 1);
	BAD(THP "enabled", "always madvise never\n", -EINVAL, 1);
	BAD(THP "enabled", "always [madv\0ise] never\n", -EINVAL, 1);
	BAD(THP "defrag", "[always] [never]\n", -EINVAL, 1);
	BAD(THP "shmem_enabled", "\xff\xfe\x00\x01", -EINVAL, 1);
	BAD(THP "khugepaged/max_ptes_none", "", -EINVAL, 0);
	BAD(THP "khugepaged/max_ptes_none", "-1\n", -EINVAL, 1);
	BAD(THP "khugepaged/max_ptes_none", "511 512\n", -EINVAL, 1);
	BAD(THP "khugepaged/max_ptes_none", "511\n512\n", -EINVAL, 2);
	BAD(THP "khugepaged/max_ptes_none", "5x1\n", -EINVAL, 1);
	BAD(THP "khugepaged/max_ptes_none", "51\0001\n", -EINVAL, 1);
	BAD(THP "khugepaged/pages_collapsed", "18446744073709551616\n", -ERANGE, 1);
	BAD(THP "hpage_pmd_size", "99999999999999999999999\n", -ERANGE, 1);
	BAD(THP "hugepages-2048kB/enabled", "inherit\n", -EINVAL, 1);
	BAD(THP "hugepages-2048kB/stats/anon_fault_alloc", "abc\n", -EINVAL, 1);
	BAD(THP "hugepages-2048kB/stats/nr_anon", "18446744073709551616\n", -ERANGE, 1);
	BAD(THP "hugepages-2048kB/stats/anon_fault_fallback", "1.5\n", -EINVAL, 1);
	/* Values the kernel cannot print: a cut hpage_pmd_size, out-of-range knobs. */
	BAD(THP "hpage_pmd_size", "209\n", -EINVAL, 1);
	BAD(THP "hpage_pmd_size", "209", -EINVAL, 1);
	BAD(THP "hpage_pmd_size", "2048\n", -EINVAL, 1); /* below the page size */
	BAD(THP "hpage_pmd_size", "0\n", -EINVAL, 1);
	BAD(THP "use_zero_page", "2\n", -ERANGE, 1);
	BAD(THP "shrink_underused", "10\n", -ERANGE, 1);
	BAD(THP "khugepaged/defrag", "11\n", -ERANGE, 1);
	BAD(THP "khugepaged/pages_to_scan", "0\n", -ERANGE, 1);
	BAD(THP "khugepaged/scan_sleep_millisecs", "4294967296\n", -ERANGE, 1);
	BAD(THP "khugepaged/full_scans", "4294967296\n", -ERANGE, 1);
	BAD(THP "khugepaged/pages_to_scan", "4096", -EINVAL, 1); /* cut: no newline */
}

/* max_ptes_*: below HPAGE_PMD_NR, which hpage_pmd_size gives. */
static void test_read_ptes_range(void **state)
{
	struct mms_thp_settings s;
	struct mms_error err;

	minimal_tree();
	PUT(THP "hpage_pmd_size", "2097152\n");
	PUT(THP "khugepaged/max_ptes_none", "511\n");
	assert_int_equal(read_scratch(&s, &err), 0);
	assert_int_equal(s.max_ptes_none, 511);
	PUT(THP "khugepaged/max_ptes_swap", "512\n");
	assert_int_equal(read_scratch(&s, &err), -ERANGE);
	assert_non_null(strstr(err.file, THP "khugepaged/max_ptes_swap"));
	assert_int_equal(err.line, 1);
}

/* The knob parser on this machine's recorded files, and the range of each. */
static void test_knob_parse_recorded(void **state)
{
	char path[256];
	struct mms_error err;
	uint64_t v;
	size_t len;

	for (int i = 0; i < mms_thp_knob_count(); i++) {
		char *text;

		snprintf(path, sizeof(path), "host-6.18/root/" THP "%s", mms_thp_knob_path(i));
		text = fixture(path, &len);
		if (mms_thp_knob_parse(i, text, len, 4096, &v, &err))
			fail_msg("%s: line %d: %s", path, err.line, err.msg);
		free(text);
	}
	assert_int_equal(mms_thp_knob_find("hpage_pmd_size"), 0);
	assert_int_equal(mms_thp_knob_find("nope"), -1);
	assert_int_equal(mms_thp_knob_parse(mms_thp_knob_find("hpage_pmd_size"), "2097152\n", 8,
					    4096, &v, &err), 0);
	assert_int_equal(v, 2097152);
	/* 512 MiB PMDs of 64 KiB pages; 2 MiB is a power of two but 4 KiB pages do not fit 64 KiB */
	assert_int_equal(mms_thp_knob_parse(0, "536870912\n", 10, 65536, &v, &err), 0);
	assert_int_equal(mms_thp_knob_parse(0, "32768\n", 6, 65536, &v, &err), -EINVAL);
	assert_int_equal(mms_thp_knob_parse(-1, "1\n", 2, 4096, &v, &err), -EINVAL);
	assert_int_equal(mms_thp_knob_parse(mms_thp_knob_count(), "1\n", 2, 4096, &v, &err),
			 -EINVAL);
}

static void test_read_too_many_sizes(void **state)
{
	struct mms_thp_settings s;
	struct mms_error err;
	char rel[128];

	minimal_tree();
	for (int i = 0; i < MMS_THP_SIZES_MAX; i++) {
		snprintf(rel, sizeof(rel), THP "hugepages-%dkB/enabled", 3 << i);
		PUT(rel, "[never]\n");
	}
	assert_int_equal(read_scratch(&s, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "more than"));
}

/* ---- smaps_rollup ---- */

static void test_rollup_recorded(void **state)
{
	struct mms_kvset set;
	struct mms_error err = { 0 };
	char name[128];
	size_t len;
	char *text;

	snprintf(name, sizeof(name), "host-6.18/root/proc/%d/smaps_rollup", HUGEUSER_PID);
	text = fixture(name, &len);
	assert_int_equal(mms_parse_smaps_rollup(text, len, &set, &err), 0);
	free(text);
	assert_int_equal(kv(&set, "AnonHugePages"), 32768 * 1024ull);
	assert_int_equal(kv(&set, "Rss"), 34124 * 1024ull);
	assert_true(kv(&set, "Anonymous") >= kv(&set, "AnonHugePages"));
	assert_int_equal(set.nr, 22); /* every field of 6.18's rollup, header excluded */
}

static void rollup_bad(const char *text, size_t len, int want_rc, int want_line)
{
	struct mms_kvset set;
	struct mms_error err = { 0 };

	assert_int_equal(mms_parse_smaps_rollup(text, len, &set, &err), want_rc);
	assert_int_equal(err.line, want_line);
	assert_true(err.msg[0] != '\0');
}

#define HDR "55d2a1c00000-7ffd5a5f6000 ---p 00000000 00:00 0        [rollup]\n"
#define ROLLUP_BAD(lit, rc, line) rollup_bad(lit, sizeof(lit) - 1, rc, line)

static void test_rollup_malformed(void **state)
{
	ROLLUP_BAD("", -EINVAL, 0);
	ROLLUP_BAD(HDR, -EINVAL, 1);
	ROLLUP_BAD("Rss: 4 kB\nAnonHugePages: 0 kB\n", -EINVAL, 1);
	ROLLUP_BAD("55d2a1c00000-7ffd5a5f6000 ---p 00000000 00:00 0 [heap]\nRss: 4 kB\n",
		   -EINVAL, 1);
	/* Truncated: the last line is cut (no newline). */
	ROLLUP_BAD(HDR "Rss: 4 kB\nAnonHuge", -EINVAL, 3);
	ROLLUP_BAD(HDR "Rss: 4 kB\nAnonHugePages:\n", -EINVAL, 3);
	/* Binary data: the line with the NUL byte. */
	ROLLUP_BAD(HDR "Rss: 4 kB\nAnon\0HugePages: 0 kB\n", -EINVAL, 3);
	/* Bad numbers, on the real file's line numbers. */
	ROLLUP_BAD(HDR "Rss: 4 kB\nPss: 4 kB\nAnonHugePages: -2048 kB\n", -EINVAL, 4);
	ROLLUP_BAD(HDR "Rss: 4 kB\nAnonHugePages: 2O48 kB\n", -EINVAL, 3);
	ROLLUP_BAD(HDR "Rss: 18446744073709551616 kB\n", -ERANGE, 2);
	/* Fits 64 bits in kB, not in bytes. */
	ROLLUP_BAD(HDR "Rss: 18014398509481984 kB\n", -ERANGE, 2);
	ROLLUP_BAD(HDR "Rss: 4 MB\n", -EINVAL, 2);
	ROLLUP_BAD(HDR "Rss 4 kB\n", -EINVAL, 2);
	ROLLUP_BAD(HDR "Rss: 4 kB extra\n", -EINVAL, 2);
	/* A size without its kB would be read as bytes: every rollup line has the unit. */
	ROLLUP_BAD(HDR "Rss: 4 kB\nPss: 4140\n", -EINVAL, 3);
	ROLLUP_BAD(HDR "Rss: 4140\nAnonHugePages: 0 kB\n", -EINVAL, 2);
	ROLLUP_BAD(HDR "HugePages_Total: 1\n", -EINVAL, 2); /* meminfo's counts are not here */
}

static void test_rollup_random(void **state)
{
	struct mms_kvset set;
	struct mms_error err;
	char buf[512];

	/* Random bytes never crash the parser and never pass as a rollup. */
	srand(42);
	for (int round = 0; round < 200; round++) {
		size_t len = (size_t)(rand() % (int)sizeof(buf));

		for (size_t i = 0; i < len; i++)
			buf[i] = (char)(rand() & 0xff);
		assert_int_not_equal(mms_parse_smaps_rollup(buf, len, &set, &err), 0);
	}
}

static void test_proc_read(void **state)
{
	struct mms_host h = host_at(ROOT);
	struct mms_thp_proc p;
	struct mms_error err;

	assert_int_equal(mms_thp_proc_read(&h, HUGEUSER_PID, &p, &err), 0);
	assert_int_equal(p.pid, HUGEUSER_PID);
	assert_string_equal(p.comm, "hugeuser");
	assert_int_equal(p.anon_huge_bytes, 32ull << 20);
	assert_true(p.rss_bytes > p.anon_huge_bytes);
	assert_int_equal(mms_thp_proc_read(&h, 999999, &p, &err), -ENOENT);
	assert_non_null(strstr(err.file, "/proc/999999/smaps_rollup"));
}

static void test_proc_missing_rollup(void **state)
{
	struct mms_host h = host_at(scratch);
	struct mms_thp_proc p;
	struct mms_thp_scan scan;
	struct mms_error err;

	/* The process is there but its smaps_rollup is not (a kernel before 4.14). */
	PUT("proc/7/comm", "old\n");
	assert_int_equal(mms_thp_proc_read(&h, 7, &p, &err), -EOPNOTSUPP);
	assert_int_equal(mms_thp_procs_scan(&h, &p, 1, &scan, &err), -EOPNOTSUPP);
	/* A rollup without AnonHugePages is bad input. */
	PUT("proc/7/smaps_rollup", HDR "Rss: 4 kB\n");
	assert_int_equal(mms_thp_proc_read(&h, 7, &p, &err), -EINVAL);
	/* A comm that is not text is made printable; an absent one is "?". */
	PUT("proc/7/smaps_rollup", HDR "Rss: 4 kB\nAnonHugePages: 2048 kB\n");
	PUT("proc/7/comm", "a\x01\xff" "b\n");
	assert_int_equal(mms_thp_proc_read(&h, 7, &p, &err), 0);
	assert_string_equal(p.comm, "a??b");
	PUT("proc/8/smaps_rollup", HDR "Rss: 4 kB\nAnonHugePages: 0 kB\n");
	assert_int_equal(mms_thp_proc_read(&h, 8, &p, &err), 0);
	assert_string_equal(p.comm, "?");
}

static void test_procs_scan(void **state)
{
	struct mms_host h = host_at(ROOT);
	struct mms_thp_proc top[4];
	struct mms_thp_scan scan;
	struct mms_error err;

	assert_int_equal(mms_thp_procs_scan(&h, top, 4, &scan, &err), 1);
	assert_int_equal(top[0].pid, HUGEUSER_PID);
	assert_int_equal(scan.scanned, 2);
	assert_int_equal(scan.with_thp, 1);
	assert_int_equal(scan.vanished + scan.denied + scan.no_mm, 0);
}

static void test_procs_scan_top(void **state)
{
	struct mms_host h = host_at(scratch);
	struct mms_thp_proc top[6];
	struct mms_thp_scan scan;
	struct mms_error err;
	static const int kb[] = { 2048, 0, 8192, 4096, 2048, 6144 };
	char rel[64], text[256];

	for (int i = 0; i < 6; i++) {
		snprintf(rel, sizeof(rel), "proc/%d/smaps_rollup", 100 + i);
		snprintf(text, sizeof(text), HDR "Rss: 9000 kB\nAnonHugePages: %d kB\n", kb[i]);
		put(rel, text, strlen(text));
	}
	PUT("proc/self/smaps_rollup", "not a pid: ignored\n");
	assert_int_equal(mms_thp_procs_scan(&h, top, 3, &scan, &err), 3);
	assert_int_equal(scan.scanned, 6);
	assert_int_equal(scan.with_thp, 5);
	assert_int_equal(top[0].pid, 102);
	assert_int_equal(top[1].pid, 105);
	assert_int_equal(top[2].pid, 103);
	/* Ties: lower pid first; and one bad file fails the scan, naming it. */
	assert_int_equal(mms_thp_procs_scan(&h, top, 6, &scan, &err), 5);
	assert_int_equal(top[3].pid, 100);
	assert_int_equal(top[4].pid, 104);
	PUT("proc/103/smaps_rollup", HDR "AnonHugePages: 12x kB\n");
	assert_int_equal(mms_thp_procs_scan(&h, top, 3, &scan, &err), -EINVAL);
	assert_non_null(strstr(err.file, "proc/103/smaps_rollup"));
	assert_int_equal(err.line, 2);
}

/* ---- rates ---- */

static void test_counter_rate(void **state)
{
	double r = -1;

	assert_true(mms_counter_rate(100, 350, 2.5, &r));
	assert_true(r > 99.999 && r < 100.001);
	assert_true(mms_counter_rate(7, 7, 1.0, &r));
	assert_true(r == 0.0);
	assert_false(mms_counter_rate(10, 5, 1.0, &r)); /* went back: a reset, not a rate */
	assert_false(mms_counter_rate(1, 5, 0, &r));
	assert_false(mms_counter_rate(1, 5, -1, &r));
	assert_true(mms_counter_rate(0, UINT64_MAX, 1.0, &r));
	assert_true(r > 1.8e19);
}

static void test_window(void **state)
{
	const struct mms_thp_counter *c;

	set_kv(&s1.vmstat, "thp_fault_alloc", kv(&s0.vmstat, "thp_fault_alloc") + 30);
	set_kv(&s1.vmstat, "compact_stall", kv(&s0.vmstat, "compact_stall") + 3);
	s1.settings.sizes[8].anon_fault_alloc += 30;
	compute(2.0);
	assert_true(win.window_s == 2.0);
	/* Only thp_* and compact_*, every one of them. */
	assert_int_equal(win.nr_counters, 34);
	for (int i = 0; i < win.nr_counters; i++) {
		assert_true(!strncmp(win.counters[i].name, "thp_", 4) ||
			    !strncmp(win.counters[i].name, "compact_", 8));
		assert_true(win.counters[i].has_rate);
	}
	assert_null(mms_thp_counter_find(&win, "pgfault"));
	c = mms_thp_counter_find(&win, "thp_fault_alloc");
	assert_non_null(c);
	assert_true(c->rate == 15.0);
	assert_true(mms_thp_counter_find(&win, "compact_stall")->rate == 1.5);
	assert_true(win.sizes[8].has_rate);
	assert_true(win.sizes[8].anon_fault_alloc == 15.0);
	assert_false(win.sizes[0].has_rate); /* 8 kB: no anon stats */
	assert_true(win.has_anon_huge);
	assert_int_equal(win.anon_huge_bytes,
			 kv(&s1.vmstat, "nr_anon_transparent_hugepages") * 2097152);
	/* One sample: totals, no rates. */
	mms_thp_window_compute(NULL, &s1, 2.0, &win);
	assert_true(win.window_s == 0);
	assert_false(mms_thp_counter_find(&win, "thp_fault_alloc")->has_rate);
	assert_false(win.sizes[8].has_rate);
	/* A counter that went back has no rate; the others still do. */
	set_kv(&s1.vmstat, "thp_fault_alloc", 0);
	set_kv(&s0.vmstat, "thp_fault_alloc", 10);
	compute(1.0);
	assert_false(mms_thp_counter_find(&win, "thp_fault_alloc")->has_rate);
	assert_true(mms_thp_counter_find(&win, "compact_stall")->has_rate);
}

/* ---- advice ---- */

static void test_advice_quiet(void **state)
{
	struct mms_thp_advice a[MMS_THP_ADVICE_MAX];
	int n;

	compute(1.0);
	advise(a, &n, "");
	assert_int_equal(n, 0);
	/* Without THP there is nothing to advise. */
	s1.settings.present = false;
	assert_int_equal(mms_thp_advise(&s1.settings, &win, a, MMS_THP_ADVICE_MAX), 0);
}

static void test_advice_enabled_always(void **state)
{
	struct mms_thp_advice a[MMS_THP_ADVICE_MAX];
	const struct mms_thp_advice *x;
	int n;

	strcpy(s1.settings.enabled, "always");
	set_kv(&s1.vmstat, "nr_anon_transparent_hugepages", 90);
	compute(1.0);
	x = advise(a, &n, "thp_enabled_always");
	assert_non_null(x);
	assert_int_equal(x->severity, MMS_WARNING);
	assert_true(x->figure == 90.0 * 2097152);
	assert_string_equal(x->unit, "bytes");
	assert_non_null(strstr(x->text, "180 MiB"));
	assert_non_null(strstr(x->text, "madvise"));
	/* 511 = HPAGE_PMD_NR - 1, the default: bloat with enabled=always. */
	x = advise(a, &n, "max_ptes_none_bloat");
	assert_non_null(x);
	assert_int_equal(x->severity, MMS_INFO);
	assert_true(x->figure == 511);
	assert_non_null(strstr(x->text, "512 small pages"));
	assert_int_equal(a[0].severity, MMS_WARNING); /* warnings first */
	s1.settings.max_ptes_none = 64;
	assert_null(advise(a, &n, "max_ptes_none_bloat"));
	strcpy(s1.settings.enabled, "madvise");
	s1.settings.max_ptes_none = 511;
	assert_null(advise(a, &n, "thp_enabled_always"));
	assert_null(advise(a, &n, "max_ptes_none_bloat"));
}

static void test_advice_defrag_always(void **state)
{
	struct mms_thp_advice a[MMS_THP_ADVICE_MAX];
	const struct mms_thp_advice *x;
	int n;

	strcpy(s1.settings.defrag, "always");
	set_kv(&s1.vmstat, "compact_stall", 1234);
	compute(1.0);
	x = advise(a, &n, "thp_defrag_always");
	assert_non_null(x);
	assert_int_equal(x->severity, MMS_WARNING);
	assert_true(x->figure == 1234);
	assert_non_null(strstr(x->text, "1234 direct compaction stalls"));
	assert_non_null(strstr(x->text, "defer+madvise"));
	/* With THP off, defrag does not matter. */
	strcpy(s1.settings.enabled, "never");
	assert_null(advise(a, &n, "thp_defrag_always"));
}

static void test_advice_fallback_window(void **state)
{
	struct mms_thp_advice a[MMS_THP_ADVICE_MAX];
	const struct mms_thp_advice *x;
	int n;

	set_kv(&s0.vmstat, "thp_fault_alloc", 1000);
	set_kv(&s0.vmstat, "thp_fault_fallback", 0);
	set_kv(&s1.vmstat, "thp_fault_alloc", 1060);
	set_kv(&s1.vmstat, "thp_fault_fallback", 40);
	compute(2.0);
	x = advise(a, &n, "thp_fallback_window");
	assert_non_null(x);
	assert_int_equal(x->severity, MMS_WARNING);
	assert_true(x->figure == 40.0);
	assert_string_equal(x->unit, "percent");
	assert_non_null(strstr(x->text, "40.0% of THP page faults in the last 2.0 s"));
	assert_non_null(strstr(x->text, "(20 per second)"));
	assert_non_null(strstr(x->text, "2.0 MiB block"));
	/* At or under 10%: quiet. */
	set_kv(&s1.vmstat, "thp_fault_alloc", 1090);
	set_kv(&s1.vmstat, "thp_fault_fallback", 10);
	compute(2.0);
	assert_null(advise(a, &n, "thp_fallback_window"));
	/* Too few faults to call it a share. */
	set_kv(&s1.vmstat, "thp_fault_alloc", 1004);
	set_kv(&s1.vmstat, "thp_fault_fallback", 5);
	compute(2.0);
	assert_null(advise(a, &n, "thp_fallback_window"));
	/* No window: no window advice. */
	set_kv(&s1.vmstat, "thp_fault_fallback", 500);
	mms_thp_window_compute(NULL, &s1, 0, &win);
	assert_null(advise(a, &n, "thp_fallback_window"));
}

static void test_advice_fallback_boot(void **state)
{
	struct mms_thp_advice a[MMS_THP_ADVICE_MAX];
	const struct mms_thp_advice *x;
	int n;

	set_kv(&s1.vmstat, "thp_fault_alloc", 750);
	set_kv(&s1.vmstat, "thp_fault_fallback", 250);
	mms_thp_window_compute(NULL, &s1, 0, &win);
	x = advise(a, &n, "thp_fallback_since_boot");
	assert_non_null(x);
	assert_int_equal(x->severity, MMS_INFO);
	assert_true(x->figure == 25.0);
	assert_non_null(strstr(x->text, "25.0% of THP page faults since boot"));
	assert_non_null(strstr(x->text, "(250 times)"));
	set_kv(&s1.vmstat, "thp_fault_alloc", 60);
	set_kv(&s1.vmstat, "thp_fault_fallback", 30);
	mms_thp_window_compute(NULL, &s1, 0, &win);
	assert_null(advise(a, &n, "thp_fallback_since_boot")); /* 90 faults: too few */
}

static void test_advice_compact_stall(void **state)
{
	struct mms_thp_advice a[MMS_THP_ADVICE_MAX];
	const struct mms_thp_advice *x;
	int n;

	set_kv(&s0.vmstat, "compact_stall", 10);
	set_kv(&s1.vmstat, "compact_stall", 15);
	set_kv(&s0.vmstat, "compact_fail", 2);
	set_kv(&s1.vmstat, "compact_fail", 4);
	compute(0.5);
	x = advise(a, &n, "compact_stall_rate");
	assert_non_null(x);
	assert_int_equal(x->severity, MMS_WARNING);
	assert_true(x->figure == 10.0);
	assert_string_equal(x->unit, "per_s");
	assert_non_null(strstr(x->text, "10.0 times per second (4 per second failed)"));
	assert_non_null(strstr(x->text, "defrag=madvise"));
	set_kv(&s1.vmstat, "compact_stall", 10);
	compute(0.5);
	assert_null(advise(a, &n, "compact_stall_rate"));
}

static void test_advice_shmem_collapse_mthp(void **state)
{
	struct mms_thp_advice a[MMS_THP_ADVICE_MAX];
	const struct mms_thp_advice *x;
	struct mms_thp_size *z64 = &s1.settings.sizes[3];
	int n;

	strcpy(s1.settings.shmem_enabled, "force");
	set_kv(&s1.vmstat, "nr_shmem_hugepages", 2);
	set_kv(&s1.vmstat, "thp_collapse_alloc_failed", 7);
	assert_int_equal(z64->size_kb, 64);
	z64->anon_fault_alloc = 300;
	z64->anon_fault_fallback = 700;
	compute(1.0);
	x = advise(a, &n, "shmem_enabled_always");
	assert_non_null(x);
	assert_true(x->figure == 4.0 * 1048576);
	assert_non_null(strstr(x->text, "shmem_enabled=force"));
	assert_non_null(strstr(x->text, "4.0 MiB now"));
	x = advise(a, &n, "thp_collapse_alloc_failed");
	assert_non_null(x);
	assert_true(x->figure == 7);
	x = advise(a, &n, "mthp_fallback");
	assert_non_null(x);
	assert_true(x->figure == 70.0);
	assert_non_null(strstr(x->text, "mTHP 64 KiB: 70.0%"));
	/* The PMD size is thp_fault_*'s business, not mthp_fallback's. */
	z64->anon_fault_fallback = 0;
	s1.settings.sizes[8].anon_fault_fallback = 100000;
	assert_null(advise(a, &n, "mthp_fallback"));
}

static void test_advice_max(void **state)
{
	struct mms_thp_advice a[MMS_THP_ADVICE_MAX];

	strcpy(s1.settings.enabled, "always");
	strcpy(s1.settings.defrag, "always");
	strcpy(s1.settings.shmem_enabled, "always");
	compute(1.0);
	assert_int_equal(mms_thp_advise(&s1.settings, &win, a, 2), 2);
	assert_int_equal(a[0].severity, MMS_WARNING);
	assert_int_equal(a[1].severity, MMS_WARNING);
	assert_int_equal(mms_thp_advise(&s1.settings, &win, a, 0), 0);
	assert_string_equal(mms_severity_name(MMS_WARNING), "warning");
	assert_string_equal(mms_severity_name(MMS_INFO), "info");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_choice),
		cmocka_unit_test_setup(test_read_recorded, setup),
		cmocka_unit_test(test_pmd_nr),
		cmocka_unit_test_setup_teardown(test_read_absent, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_read_minimal, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_read_malformed, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_read_ptes_range, scratch_setup, scratch_teardown),
		cmocka_unit_test(test_knob_parse_recorded),
		cmocka_unit_test_setup_teardown(test_read_too_many_sizes, scratch_setup,
						scratch_teardown),
		cmocka_unit_test(test_rollup_recorded),
		cmocka_unit_test(test_rollup_malformed),
		cmocka_unit_test(test_rollup_random),
		cmocka_unit_test(test_proc_read),
		cmocka_unit_test_setup_teardown(test_proc_missing_rollup, scratch_setup,
						scratch_teardown),
		cmocka_unit_test(test_procs_scan),
		cmocka_unit_test_setup_teardown(test_procs_scan_top, scratch_setup,
						scratch_teardown),
		cmocka_unit_test(test_counter_rate),
		cmocka_unit_test_setup(test_window, setup),
		cmocka_unit_test_setup(test_advice_quiet, setup),
		cmocka_unit_test_setup(test_advice_enabled_always, setup),
		cmocka_unit_test_setup(test_advice_defrag_always, setup),
		cmocka_unit_test_setup(test_advice_fallback_window, setup),
		cmocka_unit_test_setup(test_advice_fallback_boot, setup),
		cmocka_unit_test_setup(test_advice_compact_stall, setup),
		cmocka_unit_test_setup(test_advice_shmem_collapse_mthp, setup),
		cmocka_unit_test_setup(test_advice_max, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
