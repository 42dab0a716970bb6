// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope memcg [ROOT] [-s STAT,...] [--sort STAT] [-n N] [--backend B] [INTERVAL [COUNT]]:
 * memory statistics of every cgroup under ROOT (default: the memory controller's
 * mount), one row per cgroup, path relative to ROOT. Repeated, cumulative statistics
 * (events, pgfault, ...) are shown as rates per second over the interval and sizes as
 * they are. Rows are matched between snapshots by cgroup id, so a cgroup removed and
 * re-created under the same name never gets the old one's rate.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "output/view.h"
#include "cmd/memcg_read.h"

struct view {
	struct mms_memcg_reader *r;
	int nr;
	int sort;  /* reader stat index, -1: by path */
	long top;  /* 0: all */
};

/* A snapshot row's rate for stat i against prev (matched by id), if any. */
struct rates {
	const struct mms_memcg_snapshot *prev;
	double window_s;
};

static int find_row(const struct mms_memcg_snapshot *s, uint64_t id, int hint)
{
	if (hint >= 0 && hint < s->nr_cgroups && s->ids[hint] == id)
		return hint;
	for (int c = 0; c < s->nr_cgroups; c++)
		if (s->ids[c] == id)
			return c;
	return -1;
}

static bool rate_of(const struct view *v, const struct mms_memcg_snapshot *s, int c,
		    const struct rates *rt, int i, double *rate)
{
	int p;

	if (!rt || !rt->prev || !mms_memcg_stat_cumulative(mms_memcg_reader_stat(v->r, i)))
		return false;
	p = find_row(rt->prev, s->ids[c], c);
	if (p < 0 || !(rt->prev->present[p] & (1ull << i)) || !(s->present[c] & (1ull << i)))
		return false;
	return mms_counter_rate(rt->prev->values[(size_t)p * v->nr + i],
				s->values[(size_t)c * v->nr + i], rt->window_s, rate);
}

static const struct view *sort_view;
static const struct mms_memcg_snapshot *sort_snap;

static int cmp_rows(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b, i = sort_view->sort;
	const struct mms_memcg_snapshot *s = sort_snap;

	if (i >= 0) {
		bool hx = s->present[x] & (1ull << i), hy = s->present[y] & (1ull << i);
		uint64_t vx = s->values[(size_t)x * sort_view->nr + i];
		uint64_t vy = s->values[(size_t)y * sort_view->nr + i];

		if (hx != hy)
			return hx ? -1 : 1;
		if (vx != vy)
			return vx > vy ? -1 : 1;
	}
	return strcmp(mms_memcg_snapshot_path(s, x), mms_memcg_snapshot_path(s, y));
}

/* Row order: by the sort stat (largest first, absent last), then path; top N. */
static int order_rows(const struct view *v, const struct mms_memcg_snapshot *s, int *order)
{
	int n = s->nr_cgroups;

	for (int c = 0; c < n; c++)
		order[c] = c;
	sort_view = v;
	sort_snap = s;
	qsort(order, n, sizeof(*order), cmp_rows);
	return v->top && v->top < n ? (int)v->top : n;
}

static void cell(struct table *t, int stat, uint64_t x)
{
	char buf[16];

	if (x == MMS_MEMCG_UNLIMITED && mms_memcg_stat_unit(stat) == MMS_MEMCG_BYTES) {
		table_cell(t, "max");
		return;
	}
	switch (mms_memcg_stat_unit(stat)) {
	case MMS_MEMCG_BYTES:
		table_cell(t, "%s", fmt_bytes(x, buf));
		break;
	case MMS_MEMCG_PERCENT_X100:
		table_cell(t, "%llu.%02llu", (unsigned long long)x / 100,
			   (unsigned long long)x % 100);
		break;
	default:
		table_cell(t, "%llu", (unsigned long long)x);
	}
}

static void print_table(const struct view *v, const struct mms_memcg_snapshot *s,
			const struct rates *rt)
{
	const char *hdr[TABLE_COLS_MAX] = { "<cgroup" };
	char names[TABLE_COLS_MAX][48];
	int *order = malloc(sizeof(int) * (s->nr_cgroups ? s->nr_cgroups : 1));
	int ncols = v->nr + 1 > TABLE_COLS_MAX ? TABLE_COLS_MAX : v->nr + 1, n;
	struct table t;

	if (!order)
		return;
	for (int i = 0; i + 1 < ncols; i++) {
		int stat = mms_memcg_reader_stat(v->r, i);

		snprintf(names[i], sizeof(names[i]), "%s%s", mms_memcg_stat_name(stat),
			 rt && rt->prev && mms_memcg_stat_cumulative(stat) ? "/s" : "");
		hdr[i + 1] = names[i];
	}
	table_init(&t, ncols, hdr);
	n = order_rows(v, s, order);
	for (int k = 0; k < n; k++) {
		int c = order[k];

		table_cell_text(&t, mms_memcg_snapshot_path(s, c));
		for (int i = 0; i + 1 < ncols; i++) {
			int stat = mms_memcg_reader_stat(v->r, i);
			double rate;

			if (!(s->present[c] & (1ull << i)))
				table_cell(&t, "-");
			else if (rt && rt->prev && mms_memcg_stat_cumulative(stat))
				rate_of(v, s, c, rt, i, &rate) ? table_cell(&t, "%.1f", rate) :
								 table_cell(&t, "new");
			else
				cell(&t, stat, s->values[(size_t)c * v->nr + i]);
		}
	}
	table_print(&t, stdout, "");
	table_free(&t);
	free(order);
	fflush(stdout);
}

static json_t *value_json(int stat, uint64_t x)
{
	if (x == MMS_MEMCG_UNLIMITED && mms_memcg_stat_unit(stat) == MMS_MEMCG_BYTES)
		return json_string("max");
	if (mms_memcg_stat_unit(stat) == MMS_MEMCG_PERCENT_X100)
		return json_real((double)x / 100.0);
	return json_integer((json_int_t)x);
}

static json_t *snapshot_json(const struct view *v, const struct mms_memcg_snapshot *s,
			     const struct rates *rt)
{
	json_t *doc = json_object(), *rows = json_array(), *src = json_object();
	int *order = malloc(sizeof(int) * (s->nr_cgroups ? s->nr_cgroups : 1)), n;

	for (int i = 0; i < v->nr; i++)
		json_object_set_new(src, mms_memcg_stat_name(mms_memcg_reader_stat(v->r, i)),
				    json_string(mms_memcg_reader_stat_source(v->r, i, NULL)));
	json_object_set_new(doc, "backend", json_string(mms_memcg_reader_backend(v->r)));
	json_object_set_new(doc, "root", json_text(mms_memcg_reader_root(v->r)));
	json_object_set_new(doc, "cgroup_version", json_integer(mms_memcg_reader_version(v->r)));
	json_object_set_new(doc, "sources", src);
	n = order ? order_rows(v, s, order) : 0;
	for (int k = 0; k < n; k++) {
		int c = order[k];
		json_t *row = json_object(), *stats = json_object(), *rates = json_object();

		json_object_set_new(row, "path", json_text(mms_memcg_snapshot_path(s, c)));
		json_object_set_new(row, "id", json_integer((json_int_t)s->ids[c]));
		for (int i = 0; i < v->nr; i++) {
			int stat = mms_memcg_reader_stat(v->r, i);
			double rate;

			json_object_set_new(stats, mms_memcg_stat_name(stat),
					    s->present[c] & (1ull << i) ?
						    value_json(stat, s->values[(size_t)c * v->nr + i]) :
						    json_null());
			if (rate_of(v, s, c, rt, i, &rate))
				json_object_set_new(rates, mms_memcg_stat_name(stat), json_real(rate));
		}
		json_object_set_new(row, "stats", stats);
		if (rt && rt->prev)
			json_object_set_new(row, "rates", rates);
		else
			json_decref(rates);
		json_array_append_new(rows, row);
	}
	free(order);
	json_object_set_new(doc, "cgroups", rows);
	return doc;
}

/* Reads into *s, growing it when the tree outgrew it (the report uses it too). */
int memcg_read_snapshot(struct mms_memcg_reader *r, struct mms_memcg_snapshot *s)
{
	int rc = mms_memcg_reader_read(r, s);

	while (rc == -ENOBUFS) {
		int need = s->needed_cgroups * 2;
		size_t paths = s->needed_paths * 2;

		mms_memcg_snapshot_free(s);
		if (mms_memcg_snapshot_alloc(s, need, mms_memcg_reader_nr_stats(r)))
			return -ENOMEM;
		if (s->paths_size < paths) {
			char *p = realloc(s->paths, paths);

			if (!p)
				return -ENOMEM;
			s->paths = p;
			s->paths_size = paths;
		}
		rc = mms_memcg_reader_read(r, s);
	}
	return rc;
}

static int parse_stats(struct cli *cli, char *list, int *stats, int *nr)
{
	/* -s '' (or ',') names nothing: not the default set, a mistake. */
	if (!list[strspn(list, ",")])
		return cli_fail(cli, EXIT_USAGE, "-s '%s': no statistic named (expected a list "
				"such as anon,file,pgfault)", list);
	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		int idx = mms_memcg_stat_find(tok);

		if (idx < 0)
			return cli_fail(cli, EXIT_USAGE,
					"-s: no statistic '%s' (names as cgroup v2 spells them: "
					"anon, file, pgfault, usage, limit, events_oom_kill, some_avg10, ...)",
					tok);
		if (*nr == MMS_MEMCG_STATS_MAX)
			return cli_fail(cli, EXIT_USAGE, "-s: at most %d statistics",
					MMS_MEMCG_STATS_MAX);
		stats[(*nr)++] = idx;
	}
	return 0;
}

static bool is_number(const char *s)
{
	char *end;

	strtod(s, &end);
	return end != s && !*end;
}

/* MMSCOPE_MEMCG_VERIFY_CGROUP=never: no verification cgroup; =always: even when every
 * slot was verified without it; =only: it alone is sampled, as if the system held
 * nothing (tests). */
static enum mms_memcg_verify_cgroup verify_cgroup_mode(const char *mode)
{
	if (!mode)
		return MMS_MEMCG_VERIFY_AUTO;
	if (!strcmp(mode, "only"))
		return MMS_MEMCG_VERIFY_ONLY;
	if (!strcmp(mode, "always"))
		return MMS_MEMCG_VERIFY_ALWAYS;
	if (!strcmp(mode, "never"))
		return MMS_MEMCG_VERIFY_NEVER;
	return MMS_MEMCG_VERIFY_AUTO;
}

/* The reader's notes not printed yet, with -v. */
static void print_notes(const struct cli *cli, const struct mms_memcg_reader *r, int *printed)
{
	for (; *printed < mms_memcg_reader_nr_notes(r); (*printed)++)
		if (cli->verbose) {
			fputs("mmscope memcg: ", stderr);
			text_put(stderr, mms_memcg_reader_note(r, *printed), 0);
			fputc('\n', stderr);
		}
}

static int open_fail(struct cli *cli, const char *root, int e, const struct mms_error *err)
{
	/* Both may quote the user's ROOT: escaped for the terminal and for jansson. */
	char where[TEXT_ESC_SIZE(PATH_MAX)], msg[TEXT_ESC_SIZE(sizeof(err->msg))];

	text_esc(err->file[0] ? err->file : root ? root : "ROOT", where, sizeof(where));
	text_esc(err->msg, msg, sizeof(msg));
	switch (e) {
	case ENOTDIR:
	case ENOENT:
		return cli_fail(cli, EXIT_USAGE, "%s: %s", where,
				msg[0] ? msg : "not a cgroup directory");
	case ENODEV:
		return cli_fail(cli, EXIT_UNSUPPORTED, "%s: %s", where,
				msg[0] ? msg : "no memory controller");
	case EOPNOTSUPP:
		return cli_fail(cli, EXIT_UNSUPPORTED, "%s", msg[0] ? msg :
				"backend not possible on this kernel");
	case EACCES:
	case EPERM:
		return cli_fail(cli, EXIT_UNSUPPORTED, "%s: permission denied (needs root)", where);
	default:
		return cli_fail(cli, EXIT_RUNTIME, "%s: %s", where, strerror(e));
	}
}

/* A snapshot that could not be read: "FILE:LINE: why" when a file was at fault (bad
 * content or a FIFO/directory in its place is bad input), else "ROOT: why". */
static int read_fail(struct cli *cli, int status, const struct mms_memcg_reader *r, int rc)
{
	const struct mms_error *err = mms_memcg_reader_error(r);
	char where[TEXT_ESC_SIZE(PATH_MAX)];

	if (err && (rc == -EINVAL || rc == -ERANGE || rc == -EISDIR))
		return cli_fail_read(cli, rc, err);
	if (err)
		return cli_fail(cli, status, "%s: %s", err->file, err->msg[0] ? err->msg :
				strerror(-rc));
	return cli_fail(cli, status, "%s: %s", text_esc(mms_memcg_reader_root(r), where,
							 sizeof(where)), strerror(-rc));
}

static int run_memcg(struct cli *cli, int argc, char **argv);

const struct command cmd_memcg = {
	.name = "memcg",
	.run = run_memcg,
	.summary = "memory statistics of every cgroup under a root (v1 and v2)",
	.usage = "[ROOT] [-s STAT,...] [--sort STAT] [-n N] [--backend B] [--self] [INTERVAL [COUNT]]\n"
		 "  ROOT               cgroup directory (default: the memory controller's mount)\n"
		 "  -s, --stats LIST   statistics, named as cgroup v2 names them (anon,file,pgfault,\n"
		 "                     usage,limit,high,swap,events_oom_kill,some_avg10,...)\n"
		 "  --sort STAT        largest first by STAT (default: by path)\n"
		 "  -n, --top N        only the first N rows\n"
		 "  --backend B        auto (default), kfunc, core or text\n"
		 "  --self             ROOT alone, not its descendants\n"
		 "  INTERVAL [COUNT]   repeat; counters are shown as rates per second\n",
};

static int run_memcg(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "stats", required_argument, NULL, 's' },
		{ "sort", required_argument, NULL, 'S' },
		{ "top", required_argument, NULL, 'n' },
		{ "backend", required_argument, NULL, 'b' },
		{ "self", no_argument, NULL, 'o' },
		{ 0 },
	};
	static const char *const backends[] = { "auto", "kfunc", "core", "text" };
	int stats[MMS_MEMCG_STATS_MAX], nr = 0, sort_stat = -1, c, rc, cur = 0, notes = 0;
	struct mms_memcg_snapshot snap[2] = { 0 };
	MMS_MEMCG_OPTS(o, .host = &cli->host);
	struct mms_error err = { 0 };
	const char *root = NULL;
	struct view v = { .sort = -1 };
	double interval = 0;
	long count = 0;
	bool repeat;

	while ((c = getopt_long(argc, argv, ":s:n:", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if ((rc = parse_stats(cli, optarg, stats, &nr)))
				return rc;
			break;
		case 'S':
			sort_stat = mms_memcg_stat_find(optarg);
			if (sort_stat < 0)
				return cli_fail(cli, EXIT_USAGE, "--sort: no statistic '%s'", optarg);
			break;
		case 'n':
			if (cli_parse_long(cli, "-n", optarg, 1, 1000000000L, &v.top))
				return EXIT_USAGE;
			break;
		case 'b':
			o.backend = MMS_MEMCG_TEXT + 1;
			for (int i = 0; i < 4; i++)
				if (!strcmp(optarg, backends[i]))
					o.backend = (enum mms_memcg_backend)i;
			if (o.backend > MMS_MEMCG_TEXT)
				return cli_fail(cli, EXIT_USAGE,
						"--backend '%s': expected auto, kfunc, core or text",
						optarg);
			break;
		case 'o':
			o.self_only = true;
			break;
		default:
			return cli_bad_option(cli, c, argv[optind - 1]);
		}
	}
	/* ROOT is the first positional argument that is not a number. */
	if (optind < argc && !is_number(argv[optind]))
		root = argv[optind++];
	rc = cli_parse_interval(cli, argc, argv, optind, &interval, &count, &repeat);
	if (rc)
		return rc;
	/*
	 * Not the library's default set (opts.stats NULL): that one also has
	 * file_writeback and workingset_refault_file, two more columns than this
	 * command has always printed. Kept until the two are made one on purpose.
	 */
	if (!nr) {
		static const char *const defaults[] = { "usage", "limit", "anon", "file", "shmem",
							"file_mapped", "file_dirty", "pgfault",
							"pgmajfault", "events_oom_kill" };

		for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
			stats[nr++] = mms_memcg_stat_find(defaults[i]);
	}
	if (sort_stat >= 0) {
		for (int i = 0; i < nr; i++)
			if (stats[i] == sort_stat)
				v.sort = i;
		if (v.sort < 0) {
			if (nr == MMS_MEMCG_STATS_MAX)
				return cli_fail(cli, EXIT_USAGE, "--sort: not among the -s statistics");
			v.sort = nr;
			stats[nr++] = sort_stat;
		}
	}
	o.stats = stats;
	o.nr_stats = nr;
	o.verify_cgroup = verify_cgroup_mode(getenv("MMSCOPE_MEMCG_VERIFY_CGROUP"));
	o.tmpdir = getenv("TMPDIR");
	rc = mms_memcg_reader_open(root, &o, &v.r, &err);
	if (rc)
		return open_fail(cli, root, -rc, &err);
	v.nr = mms_memcg_reader_nr_stats(v.r);
	print_notes(cli, v.r, &notes);
	if (cli->verbose) {
		for (int i = 0; i < v.nr; i++) {
			const char *why, *src = mms_memcg_reader_stat_source(v.r, i, &why);

			fprintf(stderr, "mmscope memcg: %s from %s%s%s%s\n",
				mms_memcg_stat_name(stats[i]), src, why ? " (" : "", why ? why : "",
				why ? ")" : "");
		}
	}
	if (mms_memcg_snapshot_alloc(&snap[0], 1024, v.nr) ||
	    mms_memcg_snapshot_alloc(&snap[1], 1024, v.nr)) {
		rc = cli_fail(cli, EXIT_RUNTIME, "out of memory");
		goto out;
	}
	rc = memcg_read_snapshot(v.r, &snap[0]);
	print_notes(cli, v.r, &notes);
	if (rc) {
		rc = read_fail(cli, rc == -EINVAL || rc == -ERANGE ? EXIT_USAGE : EXIT_RUNTIME,
			       v.r, rc);
		goto out;
	}
	if (cli->json) {
		json_t *doc = snapshot_json(&v, &snap[0], NULL);

		if (repeat) {
			json_object_set_new(doc, "type", json_string("snapshot"));
			json_object_set_new(doc, "ts_ns", json_integer(0));
		}
		json_emit(doc);
	} else {
		if (repeat) {
			printf("backend %s, root ", mms_memcg_reader_backend(v.r));
			text_put(stdout, mms_memcg_reader_root(v.r), 0);
			putchar('\n');
		}
		print_table(&v, &snap[0], NULL);
	}
	for (long n = 0; repeat && (count == 0 || n < count) && cli_sleep(interval); n++) {
		struct rates rt;

		rc = memcg_read_snapshot(v.r, &snap[!cur]);
		print_notes(cli, v.r, &notes);
		if (rc) {
			rc = read_fail(cli, EXIT_RUNTIME, v.r, rc);
			goto out;
		}
		rt.prev = &snap[cur];
		rt.window_s = (snap[!cur].ts_ns - snap[cur].ts_ns) / 1e9;
		if (cli->json) {
			json_t *doc = snapshot_json(&v, &snap[!cur], &rt);

			json_object_set_new(doc, "type", json_string("interval"));
			json_object_set_new(doc, "ts_ns", json_integer((json_int_t)(snap[!cur].ts_ns -
										     snap[0].ts_ns)));
			json_emit(doc);
		} else {
			printf("--- %.1f s\n", rt.window_s);
			print_table(&v, &snap[!cur], &rt);
		}
		cur = !cur;
	}
	rc = EXIT_DONE;
out:
	mms_memcg_snapshot_free(&snap[0]);
	mms_memcg_snapshot_free(&snap[1]);
	mms_memcg_reader_close(v.r);
	return rc;
}
