// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope alloc: kernel memory per allocation call site (bytes and calls currently
 * outstanding, file:line, function, module, accuracy), filtered while the source is
 * read, sorted, top N; --diff SECONDS takes two snapshots and shows what grew, per
 * second; INTERVAL [COUNT] repeats (a snapshot, then growth per interval).
 *
 * Backends, best first, from the "alloc" table (src/lib/alloc/alloc_backends.c;
 * the automatic choice walks it and takes the first that opens; bpf-tags not when
 * modules are loaded): "ioctl" asks /proc/allocinfo's binary interface (seed 002;
 * no kernel answers it yet), "bpf-tags" filters the allocation tags in the kernel
 * (src/lib/alloc/alloc_tags.c), "allocinfo" reads /proc/allocinfo text (or a
 * recorded tree under --root), "bpf-trace" traces allocations while it runs
 * (alloc_trace.c, kernels without allocation profiling). The first three give the
 * same sites and share everything below; they differ only in their operations
 * (struct mms_alloc_ops, src/lib/alloc/alloc_sources.c).
 *
 * A snapshot with a top N keeps only N sites in a bounded heap while parsing; growth
 * needs every site that passes the name filters in both snapshots, matched by
 * file, line, function and module (the k-th of identical keys to the k-th).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/alloc/alloc.h"
#include "lib/alloc/alloc_source.h"
#include "lib/alloc/alloc_trace.h"
#include "lib/probe/backends.h"
#include "output/view.h"

#define TOP_DEFAULT 20
#define TOP_MAX 10000000L

static const char *const sort_names[] = { "bytes", "calls", "growth" };

struct site_vec {
	struct mms_alloc_site *v;
	size_t nr, cap;
};

struct snapshot {
	struct mms_alloc_snap_buf buf;       /* what the sites point into */
	struct mms_alloc_snap_stats st;
	struct site_vec sites;
	int64_t matched_bytes;
	uint64_t matched_calls, nr_collected;
	uint64_t ts_ns;
};

/* A site shown: the current values and, in growth reports, the change. */
struct row {
	const struct mms_alloc_site *site;
	int64_t d_bytes, d_calls;
};

struct alloc_run {
	struct cli *cli;
	struct mms_alloc_filter filter;
	enum alloc_sort sort;
	bool sort_given;
	long top;
	double diff_s;      /* > 0: --diff */
	double interval;
	long count;         /* reports in INTERVAL mode; 0 = until stopped */
	bool repeat;
	const char *backend;
	uint32_t sample_every; /* --sample; 0: not given */
	const struct mms_alloc_ops *ops; /* the snapshot backend (alloc_source.h) */
	struct mms_alloc_src *src;       /* open through ops */
	struct snapshot snap[2];
	int cur;            /* snap[cur] is the newest */
	uint64_t first_ns;  /* when the first snapshot was taken (stream "ts_ns") */
	bool heap;          /* collecting into a bounded heap of top sites */
	struct row *rows;
	size_t nr_rows, cap_rows;
	int32_t *hash;      /* indices into the older snapshot's sites, -1 empty */
	size_t hash_size;
	bool *used;
	size_t used_cap;
};

/* ---- options ---- */

enum {
	OPT_FILE = 256, OPT_FUNC, OPT_MODULE, OPT_LINE, OPT_MIN, OPT_MAX, OPT_ACCURATE,
	OPT_INACCURATE, OPT_SORT, OPT_DIFF, OPT_BACKEND, OPT_SAMPLE,
};

/* Bytes, with an optional binary suffix: 4096, 64K, 1.5M, 2G. */
static int parse_size(struct cli *cli, const char *opt, const char *s, int64_t *out)
{
	static const char suffixes[] = "KMGT";
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!errno && end != s && *end) {
		const char *p = strchr(suffixes, end[0] >= 'a' ? end[0] - 32 : end[0]);

		if (p && *p && (!end[1] || ((end[1] == 'B' || end[1] == 'b') && !end[2]))) {
			for (int i = 0; i <= p - suffixes; i++)
				v *= 1024;
			end = "";
		}
	}
	if (errno || end == s || *end || v < 0 || v > 9.2e18 || v != v) {
		cli_fail(cli, EXIT_USAGE, "%s '%s': expected bytes (4096, 64K, 1.5M, 2G)", opt, s);
		return -1;
	}
	*out = (int64_t)v;
	return 0;
}

static int parse_sort(struct alloc_run *r, const char *s)
{
	for (int i = 0; i < 3; i++) {
		if (!strcmp(s, sort_names[i])) {
			r->sort = i;
			r->sort_given = true;
			return 0;
		}
	}
	cli_fail(r->cli, EXIT_USAGE, "--sort '%s': expected bytes, calls or growth", s);
	return -1;
}

static int parse_one(struct alloc_run *r, int c, const char *arg)
{
	struct mms_alloc_filter *f = &r->filter;
	long v;

	switch (c) {
	case OPT_FILE:
		f->file = arg;
		return 0;
	case OPT_FUNC:
		f->func = arg;
		return 0;
	case OPT_MODULE:
		f->module = arg;
		return 0;
	case OPT_LINE:
		if (cli_parse_long(r->cli, "--line", arg, 0, INT_MAX, &v))
			return -1;
		f->has_line = true;
		f->line = (uint32_t)v;
		return 0;
	case OPT_MIN:
		f->has_min = true;
		return parse_size(r->cli, "--min-size", arg, &f->min_size);
	case OPT_MAX:
		f->has_max = true;
		return parse_size(r->cli, "--max-size", arg, &f->max_size);
	case OPT_ACCURATE:
	case OPT_INACCURATE:
		if (f->accuracy != MMS_ALLOC_ANY) {
			cli_usage(r->cli, "--accurate and --inaccurate: give one");
			return -1;
		}
		f->accuracy = c == OPT_ACCURATE ? MMS_ALLOC_ACCURATE : MMS_ALLOC_INACCURATE;
		return 0;
	case OPT_SORT:
		return parse_sort(r, arg);
	case 'n':
		return cli_parse_long(r->cli, "-n", arg, 0, TOP_MAX, &r->top);
	case OPT_DIFF:
		return cli_parse_seconds(r->cli, "--diff", arg, 86400, &r->diff_s);
	case OPT_BACKEND:
		r->backend = arg;
		return 0;
	case OPT_SAMPLE:
		if (cli_parse_long(r->cli, "--sample", arg, 1, ALLOC_TRACE_SAMPLE_MAX, &v))
			return -1;
		r->sample_every = (uint32_t)v;
		return 0;
	}
	return -1;
}

static int run_alloc(struct cli *cli, int argc, char **argv);

const struct command cmd_alloc = {
	.name = "alloc",
	.run = run_alloc,
	.summary = "kernel memory per allocation call site: bytes, calls, growth",
	.usage = "[--file PAT] [--func PAT] [--module PAT] [--line N]\n"
		 "         [--min-size SIZE] [--max-size SIZE] [--accurate|--inaccurate]\n"
		 "         [--sort bytes|calls|growth]"
		 " [-n N] [--diff SECONDS] [--backend B] [--sample N]\n"
		 "         [INTERVAL [COUNT]]\n"
		 "  --file, --func, --module PAT\n"
		 "                     substring, or a glob (fnmatch) of the whole name when PAT has\n"
		 "                     * ? or [; --module '' selects built-in code\n"
		 "  --line N           only call sites on line N\n"
		 "  --min-size, --max-size SIZE\n"
		 "                     bytes outstanding at the site, inclusive (4096, 64K, 1.5M)\n"
		 "  --accurate, --inaccurate\n"
		 "                     only sites the kernel counts exactly, or only accurate:no ones\n"
		 "  --sort KEY         bytes (default), calls, or growth (with --diff or INTERVAL)\n"
		 "  -n, --top N        sites shown (default 20; 0: all)\n"
		 "  --diff SECONDS     two snapshots SECONDS apart: growth per site, per second\n"
		 "  --backend B        auto (default), allocinfo, bpf-tags, ioctl or bpf-trace\n"
		 "  --sample N         bpf-trace: track one allocation in about N (estimates, for\n"
		 "                     less overhead); default 1, every allocation\n"
		 "  INTERVAL [COUNT]   repeat: a snapshot, then growth over each INTERVAL\n",
};

static int parse_options(struct alloc_run *r, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, OPT_FILE },
		{ "func", required_argument, NULL, OPT_FUNC },
		{ "module", required_argument, NULL, OPT_MODULE },
		{ "line", required_argument, NULL, OPT_LINE },
		{ "min-size", required_argument, NULL, OPT_MIN },
		{ "max-size", required_argument, NULL, OPT_MAX },
		{ "accurate", no_argument, NULL, OPT_ACCURATE },
		{ "inaccurate", no_argument, NULL, OPT_INACCURATE },
		{ "sort", required_argument, NULL, OPT_SORT },
		{ "top", required_argument, NULL, 'n' },
		{ "diff", required_argument, NULL, OPT_DIFF },
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "sample", required_argument, NULL, OPT_SAMPLE },
		{ 0 },
	};
	struct mms_alloc_filter *f = &r->filter;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":n:", opts, NULL)) != -1) {
		if (c == ':' || c == '?')
			return cli_bad_option(r->cli, c, argv[optind - 1]);
		if (parse_one(r, c, optarg))
			return EXIT_USAGE;
	}
	rc = cli_parse_interval(r->cli, argc, argv, optind, &r->interval, &r->count, &r->repeat);
	if (rc)
		return rc;
	if (f->has_min && f->has_max && f->min_size > f->max_size)
		return cli_usage(r->cli, "--min-size is above --max-size: nothing can match");
	if (r->diff_s > 0 && r->repeat)
		return cli_usage(r->cli, "--diff and INTERVAL do not go together: every report "
				 "after the first already shows growth over INTERVAL");
	if (r->sort == ALLOC_SORT_GROWTH && !(r->diff_s > 0) && !r->repeat)
		return cli_usage(r->cli, "--sort growth needs --diff SECONDS or INTERVAL");
	if (!r->sort_given && r->diff_s > 0)
		r->sort = ALLOC_SORT_GROWTH;
	return 0;
}

/* ---- collecting sites ---- */

static int64_t sort_value(enum alloc_sort k, const struct mms_alloc_site *s)
{
	return k == ALLOC_SORT_CALLS ? (int64_t)s->calls : s->bytes;
}

/* Descending by the sort key, then by the other counter, then by place: > 0 when a
 * comes first. */
static int site_cmp(enum alloc_sort k, const struct mms_alloc_site *a,
		    const struct mms_alloc_site *b)
{
	int64_t va = sort_value(k, a), vb = sort_value(k, b);

	if (va != vb)
		return va > vb ? 1 : -1;
	va = sort_value(k == ALLOC_SORT_CALLS ? ALLOC_SORT_BYTES : ALLOC_SORT_CALLS, a);
	vb = sort_value(k == ALLOC_SORT_CALLS ? ALLOC_SORT_BYTES : ALLOC_SORT_CALLS, b);
	if (va != vb)
		return va > vb ? 1 : -1;
	return 0;
}

static int vec_push(struct site_vec *vec, const struct mms_alloc_site *s)
{
	if (vec->nr == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 4096;
		struct mms_alloc_site *v = realloc(vec->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		vec->v = v;
		vec->cap = cap;
	}
	vec->v[vec->nr++] = *s;
	return 0;
}

/* Min-heap on the sort key: the root is the smallest of the top N kept. */
static void heap_down(struct site_vec *h, enum alloc_sort k, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;

		if (l < h->nr && site_cmp(k, &h->v[l], &h->v[m]) < 0)
			m = l;
		if (l + 1 < h->nr && site_cmp(k, &h->v[l + 1], &h->v[m]) < 0)
			m = l + 1;
		if (m == i)
			return;
		struct mms_alloc_site t = h->v[i];

		h->v[i] = h->v[m];
		h->v[m] = t;
		i = m;
	}
}

static void heap_up(struct site_vec *h, enum alloc_sort k, size_t i)
{
	while (i && site_cmp(k, &h->v[i], &h->v[(i - 1) / 2]) < 0) {
		struct mms_alloc_site t = h->v[i];

		h->v[i] = h->v[(i - 1) / 2];
		h->v[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

struct collect {
	struct alloc_run *r;
	struct snapshot *snap;
};

static int collect_site(const struct mms_alloc_site *s, void *ctx)
{
	struct collect *c = ctx;
	struct site_vec *vec = &c->snap->sites;

	c->snap->nr_collected++;
	c->snap->matched_bytes += s->bytes;
	c->snap->matched_calls += s->calls;
	if (!c->r->heap)
		return vec_push(vec, s);
	if (vec->nr < (size_t)c->r->top) {
		if (vec_push(vec, s))
			return -ENOMEM;
		heap_up(vec, c->r->sort, vec->nr - 1);
	} else if (site_cmp(c->r->sort, s, &vec->v[0]) > 0) {
		vec->v[0] = *s;
		heap_down(vec, c->r->sort, 0);
	}
	return 0;
}

/* Reads and parses one snapshot into snap[cur]; 0 or the exit status. */
static int take_snapshot(struct alloc_run *r, const struct mms_alloc_filter *filter)
{
	struct snapshot *snap = &r->snap[r->cur];
	struct collect c = { r, snap };
	struct mms_error err;
	int rc;

	snap->sites.nr = 0;
	snap->matched_bytes = 0;
	snap->matched_calls = 0;
	snap->nr_collected = 0;
	snap->ts_ns = cli_now_ns();
	rc = r->ops->read(r->src, filter, &snap->buf, collect_site, &c, &snap->st, &err);
	if (rc == -EOPNOTSUPP)
		return cli_fail(r->cli, EXIT_UNSUPPORTED, "%s: %s", err.file, err.msg);
	if (rc == -ENOMEM)
		return cli_fail(r->cli, EXIT_RUNTIME, "out of memory");
	if (rc)
		return cli_fail_read(r->cli, rc, &err);
	return 0;
}

/* ---- rows: a snapshot's top sites, or growth between two snapshots ---- */

static int rows_reserve(struct alloc_run *r, size_t n)
{
	if (n <= r->cap_rows)
		return 0;
	struct row *rows = realloc(r->rows, n * sizeof(*rows));

	if (!rows)
		return -ENOMEM;
	r->rows = rows;
	r->cap_rows = n;
	return 0;
}

static enum alloc_sort g_sort; /* for qsort's comparator */

static int row_cmp(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	int c;

	if (g_sort == ALLOC_SORT_GROWTH) {
		if (a->d_bytes != b->d_bytes)
			return a->d_bytes > b->d_bytes ? -1 : 1;
		if (a->d_calls != b->d_calls)
			return a->d_calls > b->d_calls ? -1 : 1;
		c = site_cmp(ALLOC_SORT_BYTES, a->site, b->site);
	} else {
		c = site_cmp(g_sort, a->site, b->site);
	}
	return -c;
}

static void rows_sort(struct alloc_run *r)
{
	g_sort = r->sort;
	qsort(r->rows, r->nr_rows, sizeof(*r->rows), row_cmp);
	if (r->top && r->nr_rows > (size_t)r->top)
		r->nr_rows = r->top;
}

static int rows_from_snapshot(struct alloc_run *r)
{
	const struct site_vec *v = &r->snap[r->cur].sites;

	if (rows_reserve(r, v->nr))
		return -ENOMEM;
	for (size_t i = 0; i < v->nr; i++)
		r->rows[i] = (struct row){ .site = &v->v[i] };
	r->nr_rows = v->nr;
	rows_sort(r);
	return 0;
}

static uint64_t site_hash(const struct mms_alloc_site *s)
{
	uint64_t h = 1469598103934665603ull ^ s->line;

	for (size_t i = 0; i < s->file_len; i++)
		h = (h ^ (unsigned char)s->file[i]) * 1099511628211ull;
	for (size_t i = 0; i < s->func_len; i++)
		h = (h ^ (unsigned char)s->func[i]) * 1099511628211ull;
	for (size_t i = 0; i < s->module_len; i++)
		h = (h ^ (unsigned char)s->module[i]) * 1099511628211ull;
	return h ^ (h >> 29);
}

static bool same_site(const struct mms_alloc_site *a, const struct mms_alloc_site *b)
{
	return a->line == b->line && a->file_len == b->file_len &&
	       a->func_len == b->func_len && a->module_len == b->module_len &&
	       !memcmp(a->file, b->file, a->file_len) && !memcmp(a->func, b->func, a->func_len) &&
	       !memcmp(a->module ? a->module : "", b->module ? b->module : "", a->module_len);
}

static int index_old(struct alloc_run *r, const struct site_vec *old)
{
	size_t size = 64;

	while (size < old->nr * 2)
		size *= 2;
	if (size > r->hash_size) {
		int32_t *h = realloc(r->hash, size * sizeof(*h));

		if (!h)
			return -ENOMEM;
		r->hash = h;
		r->hash_size = size;
	}
	if (old->nr > r->used_cap) {
		bool *u = realloc(r->used, old->nr * sizeof(*u));

		if (!u)
			return -ENOMEM;
		r->used = u;
		r->used_cap = old->nr;
	}
	memset(r->hash, 0xff, size * sizeof(*r->hash));
	memset(r->used, 0, old->nr * sizeof(*r->used));
	for (size_t i = 0; i < old->nr; i++) {
		size_t j = site_hash(&old->v[i]) & (size - 1);

		while (r->hash[j] >= 0)
			j = (j + 1) & (size - 1);
		r->hash[j] = (int32_t)i;
	}
	r->hash_size = size;
	return 0;
}

/* The first unused site of old equal to s, or NULL. */
static const struct mms_alloc_site *find_old(struct alloc_run *r, const struct site_vec *old,
					     const struct mms_alloc_site *s)
{
	size_t j = site_hash(s) & (r->hash_size - 1);

	for (; r->hash[j] >= 0; j = (j + 1) & (r->hash_size - 1)) {
		int32_t i = r->hash[j];

		if (!r->used[i] && same_site(&old->v[i], s)) {
			r->used[i] = true;
			return &old->v[i];
		}
	}
	return NULL;
}

static int rows_from_growth(struct alloc_run *r)
{
	const struct site_vec *now = &r->snap[r->cur].sites, *old = &r->snap[!r->cur].sites;

	if (rows_reserve(r, now->nr) || index_old(r, old))
		return -ENOMEM;
	r->nr_rows = 0;
	for (size_t i = 0; i < now->nr; i++) {
		const struct mms_alloc_site *s = &now->v[i], *o = find_old(r, old, s);
		struct row row = { .site = s, .d_bytes = s->bytes, .d_calls = (int64_t)s->calls };

		if (o) {
			row.d_bytes -= o->bytes;
			row.d_calls -= (int64_t)o->calls;
		}
		/* Sizes and accuracy are judged on the current values. */
		if (!mms_alloc_filter_match(&r->filter, s))
			continue;
		if (r->sort == ALLOC_SORT_GROWTH && !row.d_bytes && !row.d_calls)
			continue;
		r->rows[r->nr_rows++] = row;
	}
	rows_sort(r);
	return 0;
}

/* ---- views ---- */

static const char *fmt_sbytes(int64_t v, bool plus, char buf[17])
{
	char tmp[16];

	fmt_bytes(v < 0 ? 0 - (uint64_t)v : (uint64_t)v, tmp);
	snprintf(buf, 17, "%s%s", v < 0 ? "-" : (plus && v > 0 ? "+" : ""), tmp);
	return buf;
}

static void print_table(struct alloc_run *r, double secs)
{
	static const char *const snap_cols[] = { "BYTES", "CALLS", "<SITE", "<FUNCTION",
						 "<MODULE", "<ACCURATE" };
	static const char *const grow_cols[] = { "BYTES", "CALLS", "GROWTH", "BYTES/s",
						 "CALLS/s", "<SITE", "<FUNCTION", "<MODULE",
						 "<ACCURATE" };
	const struct snapshot *s = &r->snap[r->cur];
	bool growth = secs > 0, inaccurate = false;
	struct table t;
	char b1[17], *file;

	if (r->ops == &mms_alloc_src_tags)
		printf("mmscope alloc: bpf-tags, %" PRIu64 " tags of built-in code, %" PRIu64
		       " summed in the kernel, %" PRIu64 " matched", s->st.info.nr_sites,
		       s->st.tags.nr_passed, s->st.info.nr_matched);
	else if (r->ops == &mms_alloc_src_ioctl)
		printf("mmscope alloc: ioctl, %" PRIu64 " returned, %" PRIu64 " matched",
		       s->st.info.nr_sites, s->st.info.nr_matched);
	else
		printf("mmscope alloc: allocinfo %d.%d, %" PRIu64 " sites, %" PRIu64 " matched",
		       s->st.info.major, s->st.info.minor, s->st.info.nr_sites,
		       s->st.info.nr_matched);
	if (growth)
		printf(", growth over %.1f s", secs);
	printf("; %zu shown, by %s\n", r->nr_rows, sort_names[r->sort]);
	if (r->ops == &mms_alloc_src_tags && s->st.tags.nr_modules)
		printf("%d modules loaded: their sites are not seen by bpf-tags "
		       "(--backend allocinfo has them)\n", s->st.tags.nr_modules);
	if (r->ops == &mms_alloc_src_tags && s->st.tags.read_errors)
		printf("%" PRIu64 " tags could not be read and are left out\n",
		       s->st.tags.read_errors);
	if (!r->nr_rows) {
		printf(growth && r->sort == ALLOC_SORT_GROWTH ? "no matching site changed\n" :
		       "no matching site\n");
		fflush(stdout);
		return;
	}
	table_init(&t, growth ? 9 : 6, growth ? grow_cols : snap_cols);
	for (size_t i = 0; i < r->nr_rows; i++) {
		const struct row *row = &r->rows[i];
		const struct mms_alloc_site *site = row->site;

		table_cell(&t, "%s", fmt_sbytes(site->bytes, false, b1));
		table_cell(&t, "%" PRIu64, site->calls);
		if (growth) {
			table_cell(&t, "%s", fmt_sbytes(row->d_bytes, true, b1));
			table_cell(&t, "%s", fmt_sbytes((int64_t)(row->d_bytes / secs), true, b1));
			table_cell(&t, "%+.1f", row->d_calls / secs);
		}
		file = text_dupn(site->file, (size_t)site->file_len);
		table_cell(&t, "%s:%u", file ? file : "?", site->line);
		free(file);
		table_cell_textn(&t, site->func, (size_t)site->func_len);
		table_cell_textn(&t, site->module, site->module ? (size_t)site->module_len : 0);
		table_cell(&t, "%s", site->accurate ? "" : "no");
		inaccurate |= !site->accurate;
	}
	table_print(&t, stdout, "");
	table_free(&t);
	if (inaccurate)
		printf("accurate:no: the kernel failed to count some allocations at these sites: "
		       "their totals are low, their changes exact.\n");
	fflush(stdout);
}

static json_t *json_i64(int64_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *site_json(const struct row *row, double secs)
{
	const struct mms_alloc_site *s = row->site;
	json_t *o = json_pack("{s:o,s:o,s:o,s:i,s:o,s:o,s:b}", "bytes", json_i64(s->bytes),
			      "calls", json_i64((int64_t)s->calls), "file",
			      json_textn(s->file, (size_t)s->file_len), "line", (int)s->line,
			      "func", json_textn(s->func, (size_t)s->func_len), "module",
			      s->module_len ? json_textn(s->module, s->module_len) : json_null(),
			      "accurate", s->accurate);

	if (secs > 0) {
		json_object_set_new(o, "bytes_delta", json_i64(row->d_bytes));
		json_object_set_new(o, "calls_delta", json_i64(row->d_calls));
		json_object_set_new(o, "bytes_per_s", json_real(row->d_bytes / secs));
		json_object_set_new(o, "calls_per_s", json_real(row->d_calls / secs));
	}
	return o;
}

static void print_json(struct alloc_run *r, double secs)
{
	const struct snapshot *s = &r->snap[r->cur];
	json_t *sites = json_array();
	char version[24];

	for (size_t i = 0; i < r->nr_rows; i++)
		json_array_append_new(sites, site_json(&r->rows[i], secs));
	json_t *doc = json_object();

	json_object_set_new(doc, "backend", json_string(r->ops->name));
	if (r->ops == &mms_alloc_src_allocinfo) {
		snprintf(version, sizeof(version), "%d.%d", s->st.info.major, s->st.info.minor);
		json_object_set_new(doc, "version", json_string(version));
	}
	json_object_set_new(doc, "sites_total", json_integer((json_int_t)s->st.info.nr_sites));
	json_object_set_new(doc, "sites_matched",
			    json_integer((json_int_t)s->st.info.nr_matched));
	if (r->ops == &mms_alloc_src_tags) {
		json_object_set_new(doc, "sites_summed", json_integer(s->st.tags.nr_passed));
		json_object_set_new(doc, "modules_not_seen",
				    json_integer(s->st.tags.nr_modules));
		json_object_set_new(doc, "read_errors", json_integer(s->st.tags.read_errors));
	}
	json_object_set_new(doc, "sort", json_string(sort_names[r->sort]));
	json_object_set_new(doc, "sites", sites);
	if (secs > 0)
		json_object_set_new(doc, "interval_s", json_real(secs));
	if (r->repeat) {
		json_object_set_new(doc, "type", json_string(secs > 0 ? "growth" : "snapshot"));
		json_object_set_new(doc, "ts_ns", json_integer((json_int_t)(s->ts_ns - r->first_ns)));
	}
	json_emit(doc);
}

static int report(struct alloc_run *r, bool growth)
{
	double secs = 0;
	int rc;

	if (growth) {
		secs = (r->snap[r->cur].ts_ns - r->snap[!r->cur].ts_ns) / 1e9;
		rc = rows_from_growth(r);
	} else {
		rc = rows_from_snapshot(r);
	}
	if (rc)
		return cli_fail(r->cli, EXIT_RUNTIME, "out of memory");
	if (r->cli->json)
		print_json(r, secs);
	else
		print_table(r, secs);
	return 0;
}

/* ---- running ---- */

static int run_snapshots(struct alloc_run *r)
{
	/* Growth needs every site that passes the name filters in both snapshots:
	 * sizes and accuracy are judged on the newer values. */
	struct mms_alloc_filter names = r->filter;
	bool growth = r->diff_s > 0 || r->repeat;
	int rc;

	names.has_min = names.has_max = false;
	names.accuracy = MMS_ALLOC_ANY;
	r->heap = !growth && r->top > 0;
	rc = take_snapshot(r, growth ? &names : &r->filter);
	if (rc)
		return rc;
	r->first_ns = r->snap[r->cur].ts_ns;
	if (r->diff_s > 0) {
		if (!cli_sleep(r->diff_s))
			return EXIT_DONE;
		r->cur = !r->cur;
		rc = take_snapshot(r, &names);
		return rc ? rc : report(r, true);
	}
	rc = report(r, false);
	for (long n = 1; !rc && r->repeat && (!r->count || n < r->count); n++) {
		if (!cli_sleep(r->interval))
			break;
		r->cur = !r->cur;
		rc = take_snapshot(r, &names);
		if (!rc)
			rc = report(r, true);
		if (!r->cli->json && !rc)
			putchar('\n');
	}
	return rc;
}

/* The walk's open: a snapshot backend through its ops; bpf-trace is opened by its
 * own run (alloc_bpf_trace), after its option checks. 0, or -EOPNOTSUPP with why:
 * every refusal sends the walk on, as it always did. */
static int open_one(const struct mms_backend *b, void *ctx, char *why, size_t size)
{
	const struct mms_alloc_ops *ops = b->ops;
	struct alloc_run *r = ctx;

	if (ops->open_tracer) {
		r->ops = ops;
		return 0;
	}
	if (ops->open(&r->src, &r->cli->host, why, size))
		return -EOPNOTSUPP;
	r->ops = ops;
	return 0;
}

/*
 * Automatic choice: the walk of the "alloc" capability's table (alloc_backends.c,
 * what `mmscope features` shows): ioctl, bpf-tags (not when modules are loaded),
 * allocinfo, then bpf-trace. Without /proc/allocinfo the first three cannot serve,
 * so nothing is loaded for them. A recorded tree has the text only. Returns the
 * backend chosen.
 */
static const struct mms_alloc_ops *choose_backend(struct alloc_run *r)
{
	const struct mms_capability *cap = mms_capability_find("alloc");
	struct mms_features fs = { .host = r->cli->host };
	struct mms_backend_choice out;
	int rc;

	if (!mms_host_is_live(&r->cli->host)) {
		/* a recorded tree: the text is all there is */
		r->ops = mms_backend_find(cap, "allocinfo")->ops;
		return r->ops->open(&r->src, &r->cli->host, NULL, 0) ? NULL : r->ops;
	}
	rc = mms_backend_walk(&fs, cap, open_one, r, &out);
	if (rc) /* none usable: bpf-trace says why, as it always did */
		r->ops = mms_backend_find(cap, "bpf-trace")->ops;
	if (r->cli->verbose && r->ops == &mms_alloc_src_trace &&
	    !mms_feature_has(&fs, MMS_FEAT_ALLOCINFO)) {
		fprintf(stderr, "alloc: bpf-trace: no allocation profiling (%s)\n",
			mms_feature_probe(&fs, MMS_FEAT_ALLOCINFO)->detail);
	} else if (r->cli->verbose) {
		for (int i = 0; i < out.nr_skipped; i++)
			fprintf(stderr, "alloc: skipped %s: %s\n", out.skipped[i].backend,
				out.skipped[i].reason);
	}
	return r->ops;
}

static void release(struct alloc_run *r)
{
	if (r->src)
		r->ops->close(r->src);
	for (int i = 0; i < 2; i++) {
		mms_alloc_snap_buf_free(&r->snap[i].buf);
		free(r->snap[i].sites.v);
	}
	free(r->rows);
	free(r->hash);
	free(r->used);
}

static int run_alloc(struct cli *cli, int argc, char **argv)
{
	struct alloc_run r = { .cli = cli, .top = TOP_DEFAULT, .backend = "auto" };
	const struct mms_backend *b;
	char why[300] = "";
	int rc;

	rc = parse_options(&r, argc, argv);
	if (rc)
		return rc;
	if (!strcmp(r.backend, "auto")) {
		if (!choose_backend(&r))
			return cli_fail(cli, EXIT_RUNTIME, "out of memory");
	} else if ((b = mms_backend_find(mms_capability_find("alloc"), r.backend))) {
		r.ops = b->ops;
		rc = r.ops->open_tracer ? 0 : r.ops->open(&r.src, &cli->host, why, sizeof(why));
		if (rc == -ENOMEM)
			return cli_fail(cli, EXIT_RUNTIME, "out of memory");
		if (rc)
			return cli_fail(cli, EXIT_UNSUPPORTED, "%s", why);
	} else {
		return cli_usage(cli, "--backend: expected auto, ioctl, bpf-tags, allocinfo or "
				 "bpf-trace");
	}
	if (r.ops->open_tracer) {
		struct alloc_args a = { .cli = cli, .filter = r.filter,
					.sort = r.sort, .top = r.top,
					.diff_s = r.diff_s, .interval = r.interval, .count = r.count,
					.repeat = r.repeat, .sample_every = r.sample_every };

		return alloc_bpf_trace(&a);
	}
	if (r.sample_every) {
		release(&r);
		return cli_fail(cli, EXIT_USAGE, "--sample applies to the bpf-trace backend; %s "
				"counts every allocation already", r.ops->name);
	}
	rc = run_snapshots(&r);
	release(&r);
	return rc;
}
