// SPDX-License-Identifier: GPL-2.0
/*
 * The heatmap's model: the /proc/PID/maps parser on files recorded on this
 * machine (tests/fixtures/heatmap/host-6.18-{maps,smaps}: a process with a file
 * whose name has spaces, a deleted file, anonymous memory, a PROT_NONE guard,
 * [heap], [stack], [vdso], [vsyscall] at 0xffffffffff600000), malformed lines
 * (each must name its line), --range parsing, region-of-interest selection,
 * frame finishing (sort, clip, merge), page runs, the projection onto view cells
 * and run summaries on frames built by hand.
 */
#include "unit.h"

#include "lib/heatmap/heatmap.h"
#include "lib/heatmap/heatmap_young.h"
#include "bpf/young.h"

static int cmp_u64_flags(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x & ~YOUNG_FLAGS, b = *(const uint64_t *)y & ~YOUNG_FLAGS;

	return a < b ? -1 : a > b;
}

static struct hm_maps fixture_maps(void)
{
	struct hm_maps m = { 0 };
	struct mms_error err = { 0 };
	size_t len;
	char *text = fixture("heatmap/host-6.18-maps", &len);

	assert_int_equal(hm_maps_parse(text, len, &m, &err), 0);
	free(text);
	return m;
}

static const struct hm_mapping *find(const struct hm_maps *m, const char *name)
{
	for (int i = 0; i < m->n; i++)
		if (!strcmp(m->v[i].name, name))
			return &m->v[i];
	return NULL;
}

static void test_maps_fixture(void **state)
{
	struct hm_maps m = fixture_maps();
	const struct hm_mapping *p;

	assert_int_equal(m.n, 29); /* wc -l */
	p = find(&m, "/tmp/h2/fx/data file with spaces.bin");
	assert_non_null(p);
	assert_int_equal(p->kind, HM_MAP_FILE);
	assert_string_equal(p->perms, "r--s");
	assert_int_equal(p->start, 0x7ff9c5772000ULL);
	assert_int_equal(p->end, 0x7ff9c5782000ULL);
	p = find(&m, "/tmp/h2/fx/gone.bin (deleted)");
	assert_non_null(p);
	assert_int_equal(p->kind, HM_MAP_FILE);
	assert_int_equal(find(&m, "[heap]")->kind, HM_MAP_HEAP);
	assert_int_equal(find(&m, "[stack]")->kind, HM_MAP_STACK);
	assert_int_equal(find(&m, "[vdso]")->kind, HM_MAP_SPECIAL);
	assert_int_equal(find(&m, "[vvar_vclock]")->kind, HM_MAP_SPECIAL);
	p = find(&m, "[vsyscall]");
	assert_int_equal(p->kind, HM_MAP_SPECIAL);
	assert_int_equal(p->start, 0xffffffffff600000ULL);
	assert_int_equal(p->end, 0xffffffffff601000ULL);
	/* The anonymous line "7ff9c5608000-7ff9c5652000 rw-p 00000000 00:00 0 ". */
	assert_int_equal(m.v[6].start, 0x7ff9c5608000ULL);
	assert_int_equal(m.v[6].kind, HM_MAP_ANON);
	assert_string_equal(m.v[6].name, "[anon]");
	assert_string_equal(m.v[7].perms, "---p");
	/* libc's last mapping: offset 001d3000. */
	assert_int_equal(m.v[15].offset, 0x1d3000);
	assert_string_equal(m.v[15].name, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	hm_maps_free(&m);
}

/* smaps section headers are maps lines: the refs source parses them as such. */
static void test_smaps_headers(void **state)
{
	struct hm_maps m = fixture_maps(), h = { 0 };
	struct mms_error err = { 0 };
	size_t len, hlen = 0;
	char *text = fixture("heatmap/host-6.18-smaps", &len), *headers = malloc(len + 1);
	char *line = text;

	while (line < text + len) {
		char *nl = strchr(line, '\n');

		if (!(line[0] >= 'A' && line[0] <= 'Z')) { /* field lines start upper case */
			memcpy(headers + hlen, line, nl - line + 1);
			hlen += nl - line + 1;
		}
		line = nl + 1;
	}
	assert_int_equal(hm_maps_parse(headers, hlen, &h, &err), 0);
	assert_int_equal(h.n, m.n);
	for (int i = 0; i < m.n; i++) {
		assert_int_equal(h.v[i].start, m.v[i].start);
		assert_int_equal(h.v[i].end, m.v[i].end);
		assert_string_equal(h.v[i].name, m.v[i].name);
	}
	hm_maps_free(&m);
	hm_maps_free(&h);
	free(headers);
	free(text);
}

static void test_maps_malformed(void **state)
{
	static const char ok[] = "00400000-00401000 r--p 00000000 fe:00 5308952    /bin/x\n";
	static const struct {
		const char *second; /* the second line; the first is ok */
	} cases[] = {
		{ "zz-10 r--p 00000000 00:00 0\n" },
		{ "00500000-00500000 r--p 00000000 00:00 0\n" },   /* empty */
		{ "00600000-00500000 r--p 00000000 00:00 0\n" },   /* backwards */
		{ "00500000 r--p 00000000 00:00 0\n" },            /* no '-' */
		{ "00500000-00600000 r--p 00000000 00:00\n" },     /* no inode */
		{ "00500000-00600000 rwxq 00000000 00:00 0\n" },   /* perms */
		{ "00500000-00600000 r--p 0000g000 00:00 0\n" },   /* offset */
		{ "00500000-00600000 r--p 00000000 0000 0\n" },    /* device */
		{ "00500000-00600000 r--p 00000000 00:00 -1\n" },  /* inode */
		{ "00300000-00500000 r--p 00000000 00:00 0\n" },   /* overlaps line 1 */
		{ "10000000000000000-10000000000000001 r--p 0 00:00 0\n" }, /* > 64 bits */
		{ "\n" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[256];
		struct hm_maps m = { 0 };
		struct mms_error err = { 0 };
		char what[64];

		snprintf(text, sizeof(text), "%s%s", ok, cases[i].second);
		snprintf(what, sizeof(what), "case %zu", i);
		expect_result(what, hm_maps_parse(text, strlen(text), &m, &err), &err, -EINVAL, 2);
		assert_int_equal(m.n, 0);
		hm_maps_free(&m);
	}
	/* Cut mid-line (no final newline): the cut line is named. */
	{
		struct hm_maps m = { 0 };
		struct mms_error err = { 0 };
		char text[256];

		snprintf(text, sizeof(text), "%s00500000-00600000 r--p", ok);
		expect_result("cut", hm_maps_parse(text, strlen(text), &m, &err), &err, -EINVAL, 2);
		hm_maps_free(&m);
	}
}

/* A file name is bytes: control bytes and an escape sequence in it are kept as they
 * are (the views escape them, docs/names.md), not refused. */
static void test_maps_control_bytes_kept(void **state)
{
	static const char text[] = "00400000-00401000 r--p 00000000 fe:00 5308952    /bin/x\n"
				   "00500000-00600000 r--p 00000000 fe:00 7 /tmp/a\x01\x1b]0;pwn\x07b\n";
	struct hm_maps m = { 0 };
	struct mms_error err = { 0 };

	assert_int_equal(hm_maps_parse(text, strlen(text), &m, &err), 0);
	assert_int_equal(m.n, 2);
	assert_string_equal(m.v[1].name, "/tmp/a\x01\x1b]0;pwn\x07b");
	hm_maps_free(&m);
}

static void test_roi_range(void **state)
{
	static const char *const bad[] = {
		"", "1000", "2000-1000", "1000-1000", "0x-0x10", "g-10", "1000-2000-3000", "-1000",
		"1000-", " 1000-2000", "1000-2000 ", "10000000000000000-10000000000000001", "0x1000-+2000",
	};
	uint64_t s, e;

	assert_int_equal(hm_roi_parse_range("0x1000-0x2000", &s, &e), 0);
	assert_int_equal(s, 0x1000);
	assert_int_equal(e, 0x2000);
	assert_int_equal(hm_roi_parse_range("7ff9c5608000-7FF9C5652000", &s, &e), 0);
	assert_int_equal(s, 0x7ff9c5608000ULL);
	assert_int_equal(e, 0x7ff9c5652000ULL);
	assert_int_equal(hm_roi_parse_range("0X0-ffffffffffffffff", &s, &e), 0);
	assert_int_equal(e, UINT64_MAX);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (hm_roi_parse_range(bad[i], &s, &e) != -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
	assert_int_equal(hm_roi_parse_range(NULL, &s, &e), -EINVAL);
}

static int select_n(const struct hm_maps *m, const char *mapping, uint64_t start, uint64_t end,
		    struct hm_maps *out)
{
	struct hm_roi roi = { start, end, mapping };

	assert_int_equal(hm_roi_select(&roi, m, out), 0);
	return out->n;
}

static void test_roi_select(void **state)
{
	struct hm_maps m = fixture_maps(), o = { 0 };

	/* 29 minus [vvar] [vvar_vclock] [vdso] [vsyscall] and the ---p guard. */
	assert_int_equal(select_n(&m, NULL, 0, 0, &o), 24);
	for (int i = 1; i < o.n; i++)
		assert_true(o.v[i - 1].end <= o.v[i].start);
	assert_int_equal(select_n(&m, "heap", 0, 0, &o), 1);
	assert_string_equal(o.v[0].name, "[heap]");
	assert_int_equal(select_n(&m, "stack", 0, 0, &o), 1);
	assert_string_equal(o.v[0].name, "[stack]");
	/* 6 unnamed rw-p mappings (the guard is ---p) and the heap. */
	assert_int_equal(select_n(&m, "anon", 0, 0, &o), 6);
	assert_int_equal(select_n(&m, "libc", 0, 0, &o), 5);        /* substring */
	assert_int_equal(select_n(&m, "libc.so*", 0, 0, &o), 5);    /* glob on the last part */
	assert_int_equal(select_n(&m, "/usr/lib/*/ld-*", 0, 0, &o), 5); /* glob on the path */
	assert_int_equal(select_n(&m, "*with spaces*", 0, 0, &o), 1);
	assert_int_equal(select_n(&m, "(deleted)", 0, 0, &o), 1);
	assert_int_equal(select_n(&m, "vdso", 0, 0, &o), 0);        /* special: never */
	assert_int_equal(select_n(&m, "nothing-like-this", 0, 0, &o), 0);

	/* A range inside libc's text: one mapping, clipped, file offset moved along. */
	assert_int_equal(select_n(&m, NULL, 0x7ff9c5800000ULL, 0x7ff9c5801000ULL, &o), 1);
	assert_int_equal(o.v[0].start, 0x7ff9c5800000ULL);
	assert_int_equal(o.v[0].end, 0x7ff9c5801000ULL);
	assert_int_equal(o.v[0].offset, 0x26000 + (0x7ff9c5800000ULL - 0x7ff9c57ab000ULL));
	/* Across the first libc mapping's end into the second, with a name filter. */
	assert_int_equal(select_n(&m, "libc", 0x7ff9c57aa000ULL, 0x7ff9c57ac000ULL, &o), 2);
	assert_int_equal(o.v[0].start, 0x7ff9c57aa000ULL);
	assert_int_equal(o.v[0].end, 0x7ff9c57ab000ULL);
	assert_int_equal(o.v[1].start, 0x7ff9c57ab000ULL);
	assert_int_equal(o.v[1].end, 0x7ff9c57ac000ULL);
	/* A range in a gap between mappings selects nothing. */
	assert_int_equal(select_n(&m, NULL, 0x1000, 0x2000, &o), 0);
	hm_maps_free(&o);
	hm_maps_free(&m);
}

static void add_map(struct hm_maps *m, uint64_t start, uint64_t end, const char *name)
{
	struct hm_mapping v = { .start = start, .end = end, .kind = HM_MAP_ANON };

	snprintf(v.name, sizeof(v.name), "%s", name);
	snprintf(v.perms, sizeof(v.perms), "rw-p");
	m->v = realloc(m->v, (size_t)(m->n + 1) * sizeof(v));
	m->v[m->n++] = v;
	m->cap = m->n;
}

static void expect_region(const struct hm_frame *f, int i, uint64_t start, uint64_t end,
			  double accesses)
{
	if (i >= f->n || f->r[i].start != start || f->r[i].end != end ||
	    f->r[i].accesses != accesses)
		fail_msg("region %d: got [%#llx, %#llx) %.3f of %d, want [%#llx, %#llx) %.3f", i,
			 i < f->n ? (unsigned long long)f->r[i].start : 0ULL,
			 i < f->n ? (unsigned long long)f->r[i].end : 0ULL,
			 i < f->n ? f->r[i].accesses : -1.0, f->n, (unsigned long long)start,
			 (unsigned long long)end, accesses);
}

static void test_frame_finish(void **state)
{
	struct hm_frame f = { 0 };

	add_map(&f.maps, 0x1000, 0x3000, "a");
	add_map(&f.maps, 0x5000, 0x6000, "b");
	assert_int_equal(hm_frame_push(&f, 0x5000, 0x5800, 0.5), 0);
	assert_int_equal(hm_frame_push(&f, 0x0, 0x2000, 1.0), 0);       /* starts before a */
	assert_int_equal(hm_frame_push(&f, 0x2000, 0x5400, 1.0), 0);    /* spans the gap, overlaps */
	assert_int_equal(hm_frame_push(&f, 0x9000, 0xa000, 1.0), 0);    /* outside every map */
	assert_int_equal(hm_frame_push(&f, 0x7000, 0x7000, 1.0), 0);    /* empty: ignored */
	hm_frame_finish(&f);
	assert_int_equal(f.n, 3);
	expect_region(&f, 0, 0x1000, 0x3000, 1.0); /* two pieces of equal accesses merged */
	expect_region(&f, 1, 0x5000, 0x5400, 1.0); /* gap cut out: not merged across it */
	expect_region(&f, 2, 0x5400, 0x5800, 0.5); /* lost the part the one before covers */
	assert_int_equal(hm_frame_wss(&f), 0x2000 + 0x800);

	/* Adjacent but different accesses stay apart; accesses 0 is not working set. */
	hm_frame_reset(&f);
	assert_int_equal(f.n, 0);
	add_map(&f.maps, 0x10000, 0x20000, "c");
	hm_frame_push(&f, 0x10000, 0x18000, 0.0);
	hm_frame_push(&f, 0x18000, 0x20000, 0.25);
	hm_frame_finish(&f);
	assert_int_equal(f.n, 2);
	assert_int_equal(hm_frame_wss(&f), 0x8000);

	/* A source that knows better than its regions (refs: a whole mapping with 0.25
	 * accesses, of which smaps said 0x4000 bytes were referenced) sets the working
	 * set itself; reset forgets it. */
	f.wss_set = true;
	f.wss_bytes = 0x4000;
	assert_int_equal(hm_frame_wss(&f), 0x4000);
	hm_frame_reset(&f);
	assert_false(f.wss_set);
	assert_int_equal(hm_frame_wss(&f), 0);
	hm_frame_free(&f);
}

/* young/mglru: records of two walks merged into per-page counts (the walk's
 * records come in address order but a PMD expands to 512 pages and MGLRU may
 * report a page twice). */
static void test_young_merge(void **state)
{
	struct hm_young_col c = { 0 };

	/* Walk 1: 0x1000 accessed, 0x3000 not, a huge page at 0x200000 accessed,
	 * and 0x1000 again (look-around): counted once. */
	assert_int_equal(hm_young_col_add(&c, 0x3000), 0);
	assert_int_equal(hm_young_col_add(&c, 0x1000 | YOUNG_ACCESSED), 0);
	assert_int_equal(hm_young_col_add(&c, 0x200000 | YOUNG_ACCESSED | YOUNG_PMD), 0);
	assert_int_equal(hm_young_col_add(&c, 0x1000 | YOUNG_ACCESSED), 0);
	assert_true(c.unsorted);
	assert_int_equal(c.ncur, 3 + 512);
	qsort(c.cur, (size_t)c.ncur, sizeof(*c.cur), cmp_u64_flags);
	assert_int_equal(hm_young_col_merge(&c), 0);
	assert_int_equal(c.n, 2 + 512);
	assert_int_equal(c.pages[0], 0x1000);
	assert_int_equal(c.hits[0], 1);
	assert_int_equal(c.pages[1], 0x3000);
	assert_int_equal(c.hits[1], 0);
	assert_int_equal(c.pages[2], 0x200000);
	assert_int_equal(c.hits[513], 1);

	/* Walk 2: 0x3000 accessed, a new page 0x2000 not: counts add up. */
	c.ncur = 0;
	c.unsorted = false;
	assert_int_equal(hm_young_col_add(&c, 0x2000), 0);
	assert_int_equal(hm_young_col_add(&c, 0x3000 | YOUNG_ACCESSED), 0);
	assert_false(c.unsorted);
	assert_int_equal(hm_young_col_merge(&c), 0);
	assert_int_equal(c.n, 3 + 512);
	assert_int_equal(c.pages[1], 0x2000);
	assert_int_equal(c.hits[1], 0);
	assert_int_equal(c.hits[2], 1);
	assert_int_equal(c.hits[0], 1);
	hm_young_col_close(&c);
}

/* debugfs lru_gen as lru_gen_seq_show() prints it ("memcg %5hu %s", " node %5d",
 * then one line per generation, oldest first). */
static void test_lru_gen_parse(void **state)
{
	static const char text[] =
		"memcg     1 /\n"
		" node     0\n"
		"          4      28416       1534        1817 \n"
		"          5       1912        176         129 \n"
		"          6        905          0           0 \n"
		"          7         12       4301        2271 \n"
		" node     1\n"
		"          2       9999         10          20 \n"
		"          3          5         30          40 \n"
		"memcg     9 /system.slice/a b\n"
		" node     0\n"
		"         11        100          1           2 \n"
		"         12         10          3           4 \n";
	struct hm_lru_gen g;

	assert_int_equal(hm_lru_gen_parse(text, strlen(text), "/", &g), 0);
	assert_int_equal(g.memcg_id, 1);
	assert_int_equal(g.nnodes, 2);
	assert_int_equal(g.node[1], 1);
	assert_int_equal(g.max_seq[0], 7);
	assert_int_equal(g.max_seq[1], 3);
	/* A path with a space: the rest of the line. */
	assert_int_equal(hm_lru_gen_parse(text, strlen(text), "/system.slice/a b", &g), 0);
	assert_int_equal(g.memcg_id, 9);
	assert_int_equal(g.nnodes, 1);
	assert_int_equal(g.max_seq[0], 12);
	assert_int_equal(hm_lru_gen_parse(text, strlen(text), "/system.slice", &g), -ENOENT);
	assert_int_equal(hm_lru_gen_parse("memcg x /\n", 10, "/", &g), -EINVAL);
}

static void test_from_pages(void **state)
{
	static const uint64_t pages[] = { 0x1000, 0x2000, 0x3000, 0x5000, 0x6000 };
	static const uint32_t hits[] = { 2, 2, 0, 2, 2 };
	struct hm_frame f = { 0 };

	assert_int_equal(hm_frame_from_pages(&f, pages, hits, 5, 4, 0x1000), 0);
	assert_int_equal(f.n, 3);
	expect_region(&f, 0, 0x1000, 0x3000, 0.5);
	expect_region(&f, 1, 0x3000, 0x4000, 0.0);
	expect_region(&f, 2, 0x5000, 0x7000, 0.5); /* a hole in the pages ends a run */
	hm_frame_reset(&f);
	assert_int_equal(hm_frame_from_pages(&f, pages, hits, 0, 4, 0x1000), 0);
	assert_int_equal(f.n, 0);
	hm_frame_free(&f);
}

static void expect_cells(const float *got, const float *want, int n)
{
	for (int i = 0; i < n; i++)
		if (got[i] < want[i] - 1e-6 || got[i] > want[i] + 1e-6)
			fail_msg("cell %d: got %.4f, want %.4f", i, got[i], want[i]);
}

static void test_project(void **state)
{
	struct hm_maps axis = { 0 };
	struct hm_frame f = { 0 };
	uint64_t lo = 1;
	float cells[8];

	/* a: 16 KiB at 0x10000, b: 8 KiB far above: the axis is 24 KiB, no gap. */
	add_map(&axis, 0x10000, 0x14000, "a");
	add_map(&axis, 0x7f0000100000ULL, 0x7f0000102000ULL, "b");
	assert_int_equal(hm_axis_bytes(&axis), 0x6000);
	hm_frame_push(&f, 0x10000, 0x12000, 1.0);                   /* a's first half */
	hm_frame_push(&f, 0x7f0000100000ULL, 0x7f0000102000ULL, 0.5); /* all of b */

	hm_project(&f, &axis, 0, 0x6000, 3, cells); /* 8 KiB cells */
	expect_cells(cells, (const float[]){ 1.0f, -1.0f, 0.5f }, 3);
	hm_project(&f, &axis, 0, 0x6000, 6, cells); /* 4 KiB cells */
	expect_cells(cells, (const float[]){ 1, 1, -1, -1, 0.5f, 0.5f }, 6);
	/* 12 KiB cells: the second straddles a and b: only b is sampled in it. */
	hm_project(&f, &axis, 0, 0x6000, 2, cells);
	expect_cells(cells, (const float[]){ 1.0f, 0.5f }, 2);
	/* One cell over everything: byte-weighted over the 16 KiB sampled. */
	hm_project(&f, &axis, 0, 0x6000, 1, cells);
	expect_cells(cells, (const float[]){ (8192 * 1.0f + 8192 * 0.5f) / 16384 }, 1);
	/* Zoom on [6 KiB, 18 KiB) in 4 KiB cells: a's 6-8 K hot, 8-16 K unsampled, b. */
	hm_project(&f, &axis, 0x1800, 0x4800, 3, cells);
	expect_cells(cells, (const float[]){ 1.0f, -1.0f, 0.5f }, 3);
	/* A region that covers only a quarter of a cell sets it alone. */
	hm_frame_reset(&f);
	hm_frame_push(&f, 0x13000, 0x14000, 0.25);
	hm_project(&f, &axis, 0, 0x6000, 1, cells);
	expect_cells(cells, (const float[]){ 0.25f }, 1);
	/* An empty frame is all unsampled. */
	hm_frame_reset(&f);
	hm_project(&f, &axis, 0, 0x6000, 4, cells);
	expect_cells(cells, (const float[]){ -1, -1, -1, -1 }, 4);

	assert_ptr_equal(hm_axis_mapping(&axis, 0, &lo), &axis.v[0]);
	assert_int_equal(lo, 0);
	assert_ptr_equal(hm_axis_mapping(&axis, 0x3fff, &lo), &axis.v[0]);
	assert_ptr_equal(hm_axis_mapping(&axis, 0x4000, &lo), &axis.v[1]);
	assert_int_equal(lo, 0x4000);
	assert_null(hm_axis_mapping(&axis, 0x6000, &lo));
	hm_frame_free(&f);
	hm_maps_free(&axis);
}

static void frame_with(struct hm_frame *f, const struct hm_maps *maps)
{
	hm_frame_reset(f);
	for (int i = 0; i < maps->n; i++)
		add_map(&f->maps, maps->v[i].start, maps->v[i].end, maps->v[i].name);
}

static void test_summary(void **state)
{
	struct hm_maps maps = { 0 };
	struct hm_frame f = { 0 };
	struct hm_summary s;

	add_map(&maps, 0x10000, 0x14000, "a");  /* 16 KiB */
	add_map(&maps, 0x100000, 0x102000, "b"); /* 8 KiB */
	hm_summary_init(&s);

	frame_with(&f, &maps); /* a's first page hot, the rest sampled cold */
	hm_frame_push(&f, 0x10000, 0x11000, 1.0);
	hm_frame_push(&f, 0x11000, 0x14000, 0.0);
	hm_frame_push(&f, 0x100000, 0x102000, 0.0);
	hm_frame_finish(&f);
	hm_summary_add(&s, &f);
	frame_with(&f, &maps); /* a's first page half the time, b's first page always */
	hm_frame_push(&f, 0x10000, 0x11000, 0.5);
	hm_frame_push(&f, 0x11000, 0x14000, 0.0);
	hm_frame_push(&f, 0x100000, 0x101000, 1.0);
	hm_frame_push(&f, 0x101000, 0x102000, 0.0);
	hm_frame_finish(&f);
	hm_summary_add(&s, &f);
	frame_with(&f, &maps); /* nothing */
	hm_frame_push(&f, 0x10000, 0x14000, 0.0);
	hm_frame_push(&f, 0x100000, 0x102000, 0.0);
	hm_frame_finish(&f);
	hm_summary_add(&s, &f);
	hm_summary_finish(&s);

	assert_int_equal(s.frames, 3);
	assert_int_equal(s.wss_min, 0);
	assert_int_equal(s.wss_max, 0x2000);
	assert_int_equal(s.wss_last, 0);
	assert_true(s.wss_mean > 4095.9 && s.wss_mean < 4096.1);
	assert_int_equal(s.nmaps, 2);
	assert_string_equal(s.maps[0].name, "a");
	assert_int_equal(s.maps[0].bytes, 0x4000);
	assert_int_equal(s.maps[0].never_accessed, 0x3000);
	assert_string_equal(s.maps[1].name, "b");
	assert_int_equal(s.maps[1].never_accessed, 0x1000);
	assert_int_equal(s.nhot, 2);
	assert_int_equal(s.hot[0].start, 0x10000);
	assert_int_equal(s.hot[0].end, 0x11000);
	assert_true(s.hot[0].accesses > 0.4999 && s.hot[0].accesses < 0.5001);
	assert_int_equal(s.hot[1].start, 0x100000);
	assert_int_equal(s.hot[1].end, 0x101000);
	assert_true(s.hot[1].accesses > 0.3333 && s.hot[1].accesses < 0.3334);
	hm_summary_free(&s);

	/* A mapping that grows (the heap) stays one record, and a big one keeps its
	 * grid bounded: 64 MiB with the first 1 MiB hot is one hot range. */
	hm_maps_free(&maps);
	add_map(&maps, 0x40000000, 0x44000000, "[heap]");
	hm_summary_init(&s);
	frame_with(&f, &maps);
	hm_frame_push(&f, 0x40000000, 0x40100000, 1.0);
	hm_frame_push(&f, 0x40100000, 0x44000000, 0.0);
	hm_frame_finish(&f);
	hm_summary_add(&s, &f);
	maps.v[0].end = 0x48000000;
	frame_with(&f, &maps);
	hm_frame_push(&f, 0x40000000, 0x40100000, 1.0);
	hm_frame_push(&f, 0x47f00000, 0x48000000, 1.0);
	hm_frame_finish(&f);
	hm_summary_add(&s, &f);
	hm_summary_finish(&s);
	assert_int_equal(s.nmaps, 1);
	assert_int_equal(s.maps[0].bytes, 0x8000000);
	assert_int_equal(s.maps[0].never_accessed, 0x8000000 - 0x200000);
	assert_int_equal(s.nhot, 2);
	assert_int_equal(s.hot[0].start, 0x40000000); /* sampled twice, hot both times */
	assert_int_equal(s.hot[0].end, 0x40100000);
	assert_true(s.hot[0].accesses > 0.999);
	assert_int_equal(s.hot[1].start, 0x47f00000);
	assert_int_equal(s.hot[1].end, 0x48000000);
	hm_summary_free(&s);
	hm_frame_free(&f);
	hm_maps_free(&maps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_fixture),
		cmocka_unit_test(test_smaps_headers),
		cmocka_unit_test(test_maps_malformed),
		cmocka_unit_test(test_maps_control_bytes_kept),
		cmocka_unit_test(test_roi_range),
		cmocka_unit_test(test_roi_select),
		cmocka_unit_test(test_frame_finish),
		cmocka_unit_test(test_from_pages),
		cmocka_unit_test(test_young_merge),
		cmocka_unit_test(test_lru_gen_parse),
		cmocka_unit_test(test_project),
		cmocka_unit_test(test_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
