// SPDX-License-Identifier: GPL-2.0
/*
 * The memcg collector: statistics of every cgroup under the memory controller's
 * root through the libmmscope reader (kfunc, core or text backend, chosen once at
 * start), one series per cgroup labelled with its path. Bounded: cgroups deeper
 * than --cgroup-depth are left out (their charges are already in their ancestors'
 * hierarchical values), and past --max-cgroups the largest by usage are kept and
 * the rest are summed into cgroup="other" (only the top-most of the folded ones,
 * so nested ones are not counted twice). Each scrape reads the tree anew, so a
 * removed cgroup's series are gone from the next scrape.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/export/export.h"

struct mstat {
	const char *stat;   /* catalog name (cgroup v2 spelling) */
	const char *metric;
	const char *type;
	const char *help;
	const char *lname, *lvalue; /* a label telling entries of one family apart */
	double scale;       /* 0: as read (bytes, counts) */
};

static const struct mstat mstats[] = {
	{ .stat = "usage", .metric = "mmscope_memcg_usage_bytes", .type = "gauge",
	  .help = "Memory charged to the cgroup (v2 memory.current, v1 memory.usage_in_bytes)." },
	{ .stat = "limit", .metric = "mmscope_memcg_limit_bytes", .type = "gauge",
	  .help = "The cgroup's hard limit (v2 memory.max, v1 memory.limit_in_bytes); no series when unlimited." },
	{ .stat = "anon", .metric = "mmscope_memcg_anon_bytes", .type = "gauge",
	  .help = "Anonymous memory (memory.stat anon; v1 total_rss)." },
	{ .stat = "file", .metric = "mmscope_memcg_file_bytes", .type = "gauge",
	  .help = "Page cache (memory.stat file; v1 total_cache)." },
	{ .stat = "shmem", .metric = "mmscope_memcg_shmem_bytes", .type = "gauge",
	  .help = "Shared memory and tmpfs (memory.stat shmem)." },
	{ .stat = "file_dirty", .metric = "mmscope_memcg_file_dirty_bytes", .type = "gauge",
	  .help = "Dirty page cache (memory.stat file_dirty; v1 total_dirty)." },
	{ .stat = "file_writeback", .metric = "mmscope_memcg_file_writeback_bytes", .type = "gauge",
	  .help = "Page cache under writeback (memory.stat file_writeback; v1 total_writeback)." },
	{ .stat = "kernel", .metric = "mmscope_memcg_kernel_bytes", .type = "gauge",
	  .help = "Kernel memory charged to the cgroup (memory.stat kernel)." },
	{ .stat = "slab_reclaimable", .metric = "mmscope_memcg_slab_bytes", .type = "gauge",
	  .help = "Slab memory (memory.stat slab_reclaimable, slab_unreclaimable).", .lname = "type", .lvalue = "reclaimable" },
	{ .stat = "slab_unreclaimable", .metric = "mmscope_memcg_slab_bytes", .type = "gauge",
	  .help = NULL, .lname = "type", .lvalue = "unreclaimable" },
	{ .stat = "workingset_refault_anon", .metric = "mmscope_memcg_workingset_refaults_total", .type = "counter",
	  .help = "Refaults of previously evicted pages (memory.stat workingset_refault_*).", .lname = "type", .lvalue = "anon" },
	{ .stat = "workingset_refault_file", .metric = "mmscope_memcg_workingset_refaults_total", .type = "counter",
	  .help = NULL, .lname = "type", .lvalue = "file" },
	{ .stat = "pgscan", .metric = "mmscope_memcg_scanned_pages_total", .type = "counter",
	  .help = "Pages scanned by reclaim (memory.stat pgscan)." },
	{ .stat = "pgsteal", .metric = "mmscope_memcg_reclaimed_pages_total", .type = "counter",
	  .help = "Pages reclaimed (memory.stat pgsteal)." },
	{ .stat = "pgmajfault", .metric = "mmscope_memcg_major_faults_total", .type = "counter",
	  .help = "Major page faults (memory.stat pgmajfault)." },
	{ .stat = "events_high", .metric = "mmscope_memcg_events_total", .type = "counter",
	  .help = "memory.events: times over memory.high, at memory.max, OOM, OOM kills.", .lname = "event", .lvalue = "high" },
	{ .stat = "events_max", .metric = "mmscope_memcg_events_total", .type = "counter",
	  .help = NULL, .lname = "event", .lvalue = "max" },
	{ .stat = "events_oom", .metric = "mmscope_memcg_events_total", .type = "counter",
	  .help = NULL, .lname = "event", .lvalue = "oom" },
	{ .stat = "events_oom_kill", .metric = "mmscope_memcg_events_total", .type = "counter",
	  .help = NULL, .lname = "event", .lvalue = "oom_kill" },
	{ .stat = "some_total", .metric = "mmscope_memcg_pressure_stalled_seconds_total", .type = "counter",
	  .help = "PSI memory.pressure totals: time some or all tasks stalled on memory.", .lname = "kind", .lvalue = "some", .scale = 1e-6 },
	{ .stat = "full_total", .metric = "mmscope_memcg_pressure_stalled_seconds_total", .type = "counter",
	  .help = NULL, .lname = "kind", .lvalue = "full", .scale = 1e-6 },
};
#define NR_MSTATS (int)(sizeof(mstats) / sizeof(mstats[0]))

struct memcg_state {
	struct mms_memcg_reader *r;
	struct mms_memcg_snapshot snap;
	int col[NR_MSTATS];   /* the reader's stat index of each mstats entry, or -1 */
	int usage_col;
	int *order;           /* kept cgroups, then folded ones */
	char *folded;         /* per cgroup: 1 folded, 2 folded under a folded parent */
	int cap;
	/* Per cgroup, its label escaped once a scrape (not once per statistic):
	 * cgroup="/a/b" at lbl_buf + lbl_off[c]. */
	char *lbl_buf;
	size_t lbl_len, lbl_cap;
	size_t *lbl_off;
	size_t *lbl_n;        /* its length */
};

static int memcg_open(void **state, const struct export_opts *o, char *why, size_t size)
{
	MMS_MEMCG_OPTS(mo, .host = &o->cli->host);
	struct memcg_state *s = calloc(1, sizeof(*s));
	int stats[NR_MSTATS], nr = 0, rc;
	struct mms_error err = { 0 };
	const char *vc = getenv("MMSCOPE_MEMCG_VERIFY_CGROUP");

	if (!s)
		return -ENOMEM;
	for (int i = 0; i < NR_MSTATS; i++) {
		int idx = mms_memcg_stat_find(mstats[i].stat);

		s->col[i] = -1;
		if (idx < 0)
			continue;
		s->col[i] = nr;
		stats[nr++] = idx;
	}
	s->usage_col = s->col[0];
	mo.stats = stats;
	mo.nr_stats = nr;
	mo.tmpdir = getenv("TMPDIR");
	mo.backend = o->memcg_backend;
	if (vc && !strcmp(vc, "never"))
		mo.verify_cgroup = MMS_MEMCG_VERIFY_NEVER;
	rc = mms_memcg_reader_open(NULL, &mo, &s->r, &err);
	if (rc) {
		snprintf(why, size, "memcg: %s%s%s", err.file[0] ? err.file : "",
			 err.file[0] ? ": " : "", err.msg[0] ? err.msg : strerror(-rc));
		free(s);
		/* No memory controller, not root: the exporter serves the rest. */
		return rc == -ENODEV || rc == -ENOENT || rc == -ENOTDIR || rc == -EACCES ||
		       rc == -EPERM ? -EOPNOTSUPP : rc;
	}
	if (mms_memcg_snapshot_alloc(&s->snap, 1024, nr)) {
		mms_memcg_reader_close(s->r);
		free(s);
		return -ENOMEM;
	}
	if (o->cli->verbose)
		fprintf(stderr, "mmscope export: memcg backend %s, root %s\n",
			mms_memcg_reader_backend(s->r), mms_memcg_reader_root(s->r));
	*state = s;
	return 0;
}

static int memcg_read(struct memcg_state *s)
{
	int rc = mms_memcg_reader_read(s->r, &s->snap);

	while (rc == -ENOBUFS) {
		int need = s->snap.needed_cgroups * 2;
		size_t paths = s->snap.needed_paths * 2;

		mms_memcg_snapshot_free(&s->snap);
		if (mms_memcg_snapshot_alloc(&s->snap, need, mms_memcg_reader_nr_stats(s->r)))
			return -ENOMEM;
		if (s->snap.paths_size < paths) {
			char *p = realloc(s->snap.paths, paths);

			if (!p)
				return -ENOMEM;
			s->snap.paths = p;
			s->snap.paths_size = paths;
		}
		rc = mms_memcg_reader_read(s->r, &s->snap);
	}
	return rc;
}

static int depth(const char *path)
{
	int d = 0;

	if (!strcmp(path, "/"))
		return 0;
	for (; *path; path++)
		d += *path == '/';
	return d;
}

static const struct memcg_state *sort_state;

static uint64_t usage_of(const struct memcg_state *s, int c)
{
	int nr = mms_memcg_reader_nr_stats(s->r);

	if (s->usage_col < 0 || !(s->snap.present[c] & (1ull << s->usage_col)))
		return 0;
	return s->snap.values[(size_t)c * nr + s->usage_col];
}

/* The root, then the largest usage first; ties by path. */
static int by_usage(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	uint64_t ux = usage_of(sort_state, x), uy = usage_of(sort_state, y);
	const char *px = mms_memcg_snapshot_path(&sort_state->snap, x);
	const char *py = mms_memcg_snapshot_path(&sort_state->snap, y);
	bool rx = px[0] == '/' && !px[1], ry = py[0] == '/' && !py[1];

	/* The root first: on v2 it has no memory.current, yet it is the machine. */
	if (rx != ry)
		return rx ? -1 : 1;
	if (ux != uy)
		return ux > uy ? -1 : 1;
	return strcmp(px, py);
}

static int by_path(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return strcmp(mms_memcg_snapshot_path(&sort_state->snap, x),
		      mms_memcg_snapshot_path(&sort_state->snap, y));
}

/* Whether path's parent is among the folded cgroups (sorted by path in f[0..nf-1]). */
static bool parent_folded(const struct memcg_state *s, const char *path, const int *f, int nf)
{
	const char *slash = strrchr(path, '/');
	size_t plen = slash ? (size_t)(slash - path) : 0;
	int lo = 0, hi = nf - 1;

	if (!plen)
		return false;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		const char *p = mms_memcg_snapshot_path(&s->snap, f[mid]);
		int c = strncmp(p, path, plen);

		if (!c)
			c = p[plen] ? 1 : 0;
		if (!c)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return false;
}

static void write_entry(struct expo *e, const struct memcg_state *s, int i, int nkept,
			int nfolded)
{
	const struct mstat *m = &mstats[i];
	int col = s->col[i], nr = mms_memcg_reader_nr_stats(s->r);
	double scale = m->scale ? m->scale : 1;
	double other = 0;
	bool have_other = false, is_limit = !strcmp(m->stat, "limit");
	char lbl[1024], extra[128];
	size_t nextra = 0;

	if (col < 0)
		return;
	/* The entry's own label, fixed names and values: no escaping needed. */
	if (m->lname)
		nextra = (size_t)snprintf(extra, sizeof(extra), "%s=\"%s\"", m->lname, m->lvalue);
	for (int k = 0; k < nkept + nfolded; k++) {
		int c = s->order[k];
		uint64_t v;

		if (!(s->snap.present[c] & (1ull << col)))
			continue;
		v = s->snap.values[(size_t)c * nr + col];
		if (is_limit && v == MMS_MEMCG_UNLIMITED)
			continue;
		if (k >= nkept) {
			if (s->folded[c] == 1) {
				other += (double)v * scale;
				have_other = true;
			}
			continue;
		}
		if (!m->scale) {
			expo_sample_u64_labels(e, s->lbl_buf + s->lbl_off[c], s->lbl_n[c], extra,
					       nextra, v);
			continue;
		}
		if (m->lname)
			snprintf(lbl, sizeof(lbl), "%s,%s", s->lbl_buf + s->lbl_off[c], extra);
		else
			snprintf(lbl, sizeof(lbl), "%s", s->lbl_buf + s->lbl_off[c]);
		expo_sample(e, "", lbl, (double)v * scale);
	}
	if (have_other && !is_limit) {
		lbl[0] = 0;
		expo_label(lbl, sizeof(lbl), "cgroup", "other");
		if (m->lname)
			expo_label(lbl, sizeof(lbl), m->lname, m->lvalue);
		expo_sample(e, "", lbl, other);
	}
}

/*
 * Whether path is its own label value: short (expo_label cuts long values), printable
 * ASCII without the two bytes the format escapes. Most paths are: no escaping then.
 */
static bool plain_path(const char *path, size_t *len)
{
	size_t n = 0;

	for (; path[n]; n++) {
		unsigned char ch = (unsigned char)path[n];

		if (ch < 0x20 || ch > 0x7e || ch == '"' || ch == '\\' || n >= 200)
			return false;
	}
	*len = n;
	return true;
}

/* The escaped cgroup="..." label of each kept cgroup, into lbl_buf. */
static int make_labels(struct memcg_state *s, int nkept)
{
	char lbl[1100];

	s->lbl_len = 0;
	for (int k = 0; k < nkept; k++) {
		int c = s->order[k];
		const char *path = mms_memcg_snapshot_path(&s->snap, c);
		size_t n, plen;

		if (plain_path(path, &plen)) {
			memcpy(lbl, "cgroup=\"", 8);
			memcpy(lbl + 8, path, plen);
			memcpy(lbl + 8 + plen, "\"", 2);
		} else {
			lbl[0] = 0;
			expo_label(lbl, sizeof(lbl), "cgroup", path);
		}
		n = strlen(lbl) + 1;
		if (s->lbl_len + n > s->lbl_cap) {
			size_t cap = (s->lbl_cap ? s->lbl_cap * 2 : 65536) + n;
			char *p = realloc(s->lbl_buf, cap);

			if (!p)
				return -ENOMEM;
			s->lbl_buf = p;
			s->lbl_cap = cap;
		}
		memcpy(s->lbl_buf + s->lbl_len, lbl, n);
		s->lbl_off[c] = s->lbl_len;
		s->lbl_n[c] = n - 1;
		s->lbl_len += n;
	}
	return 0;
}

static int memcg_collect(void *state, struct expo *e, const struct export_opts *o)
{
	struct memcg_state *s = state;
	int rc = memcg_read(s), n, nshown = 0, nkept, nfolded, ndeep = 0;
	char lbl[128];

	if (rc)
		return rc;
	n = s->snap.nr_cgroups;
	if (n > s->cap) {
		int *ord = realloc(s->order, sizeof(int) * (size_t)n);
		size_t *off;
		char *f;

		if (!ord)
			return -ENOMEM;
		s->order = ord;
		f = realloc(s->folded, (size_t)n);
		if (!f)
			return -ENOMEM;
		s->folded = f;
		off = realloc(s->lbl_off, sizeof(size_t) * (size_t)n);
		if (!off)
			return -ENOMEM;
		s->lbl_off = off;
		off = realloc(s->lbl_n, sizeof(size_t) * (size_t)n);
		if (!off)
			return -ENOMEM;
		s->lbl_n = off;
		s->cap = n;
	}
	for (int c = 0; c < n; c++) {
		if (o->cgroup_depth && depth(mms_memcg_snapshot_path(&s->snap, c)) > o->cgroup_depth) {
			ndeep++;
			continue;
		}
		s->order[nshown++] = c;
	}
	sort_state = s;
	qsort(s->order, (size_t)nshown, sizeof(int), by_usage);
	nkept = nshown < o->max_cgroups ? nshown : o->max_cgroups;
	nfolded = nshown - nkept;
	/* The kept ones in path order (stable series order), the folded ones too, each
	 * marked 2 when its parent is folded as well (its charges are in the parent's). */
	qsort(s->order, (size_t)nkept, sizeof(int), by_path);
	qsort(s->order + nkept, (size_t)nfolded, sizeof(int), by_path);
	for (int k = nkept; k < nshown; k++) {
		int c = s->order[k];

		s->folded[c] = parent_folded(s, mms_memcg_snapshot_path(&s->snap, c),
					     s->order + nkept, nfolded) ? 2 : 1;
	}
	rc = make_labels(s, nkept);
	if (rc)
		return rc;
	for (int i = 0, fam = -1; i < NR_MSTATS; i++) {
		if (s->col[i] < 0)
			continue;
		/* A family's help is on its first entry, which this kernel may lack. */
		if (fam < 0 || strcmp(mstats[fam].metric, mstats[i].metric)) {
			for (fam = i; !mstats[fam].help; fam--)
				;
			expo_family(e, mstats[fam].metric, mstats[fam].type, mstats[fam].help);
		}
		write_entry(e, s, i, nkept, nfolded);
	}
	expo_family(e, "mmscope_memcg_cgroups", "gauge",
		    "Cgroups seen at the last scrape: exported, folded into cgroup=\"other\" (--max-cgroups), deeper than --cgroup-depth.");
	snprintf(lbl, sizeof(lbl), "state=\"exported\"");
	expo_sample_u64(e, "", lbl, (uint64_t)nkept);
	snprintf(lbl, sizeof(lbl), "state=\"folded\"");
	expo_sample_u64(e, "", lbl, (uint64_t)nfolded);
	snprintf(lbl, sizeof(lbl), "state=\"too_deep\"");
	expo_sample_u64(e, "", lbl, (uint64_t)ndeep);
	expo_family(e, "mmscope_memcg_backend_info", "gauge",
		    "The memcg reader's backend (kfunc, core, text) and cgroup version; value 1.");
	lbl[0] = 0;
	expo_label(lbl, sizeof(lbl), "backend", mms_memcg_reader_backend(s->r));
	expo_label_int(lbl, sizeof(lbl), "cgroup_version", mms_memcg_reader_version(s->r));
	expo_sample_u64(e, "", lbl, 1);
	return 0;
}

static void memcg_close(void *state)
{
	struct memcg_state *s = state;

	if (!s)
		return;
	mms_memcg_reader_close(s->r);
	mms_memcg_snapshot_free(&s->snap);
	free(s->order);
	free(s->folded);
	free(s->lbl_buf);
	free(s->lbl_off);
	free(s->lbl_n);
	free(s);
}

const struct collector col_memcg = {
	.name = "memcg",
	.open = memcg_open,
	.collect = memcg_collect,
	.close = memcg_close,
};
