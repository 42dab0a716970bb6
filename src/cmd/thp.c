// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope thp [-p PID] [-n N] [INTERVAL [COUNT]]: THP and per-size mTHP settings,
 * the thp_* and compact_* counters of /proc/vmstat and the per-size fault counters
 * with rates over a window (1 s by default; COUNT windows one after another), the
 * processes using the most AnonHugePages (or one process), and advice in plain
 * words with the figure behind each piece. Table and JSON come from the same data.
 *
 * Under --root the tree is read once and rates are unavailable (a recorded tree
 * does not move), unless INTERVAL is given: then it is read twice, INTERVAL apart,
 * for trees that do change (a live copy, a bind mount of another host's /proc).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "output/view.h"

#define TOP_DEFAULT 10
#define TOP_MAX 100000

struct thp_run {
	struct cli *cli;
	int pid;           /* 0: every process */
	long top, count;
	double interval;
	bool rates;        /* sample twice per window */
	long sample_no;    /* 1-based window number */
	uint64_t t_start;  /* when sample[0] was read (CLOCK_MONOTONIC ns) */
	struct mms_thp_sample *sample[2];
	struct mms_thp_window window;
	struct mms_thp_advice advice[MMS_THP_ADVICE_MAX];
	int nr_advice;
	struct mms_thp_proc *procs;
	int nr_procs;
	struct mms_thp_scan scan;
};

static json_t *json_u64(uint64_t v)
{
	return v > (uint64_t)INT64_MAX ? json_real((double)v) : json_integer((json_int_t)v);
}

static json_t *json_str_or_null(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

/* ---- options ---- */

static int run_thp(struct cli *cli, int argc, char **argv);

const struct command cmd_thp = {
	.name = "thp",
	.run = run_thp,
	.summary = "THP and mTHP settings, counters, per-process huge pages, advice",
	.usage = "[-p PID] [-n N] [INTERVAL [COUNT]]\n"
		 "  -p, --pid PID      only this process's AnonHugePages\n"
		 "  -n, --top N        processes listed (default 10)\n"
		 "  INTERVAL           rate window in seconds (default 1); with COUNT, repeat\n"
		 "                     (under --root: one reading, no rates, unless INTERVAL is given)\n",
};

static int parse_options(struct thp_run *r, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "top", required_argument, NULL, 'n' },
		{ 0 },
	};
	bool top_given = false, given;
	long v;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":p:n:", opts, NULL)) != -1) {
		if (c == 'p' && cli_parse_long(r->cli, "-p", optarg, 1, INT_MAX, &v))
			return EXIT_USAGE;
		if (c == 'p')
			r->pid = (int)v;
		else if (c == 'n' && cli_parse_long(r->cli, "-n", optarg, 1, TOP_MAX, &r->top))
			return EXIT_USAGE;
		else if (c == 'n')
			top_given = true;
		else
			return cli_bad_option(r->cli, c, argv[optind - 1]);
	}
	if (r->pid && top_given)
		return cli_usage(r->cli, "-p and -n do not go together: -p shows one process");
	rc = cli_parse_interval(r->cli, argc, argv, optind, &r->interval, &r->count, &given);
	if (rc)
		return rc;
	r->rates = mms_host_is_live(&r->cli->host) || given;
	return 0;
}

/* ---- reading ---- */

static int read_sample(struct thp_run *r, struct mms_thp_sample *s)
{
	struct mms_error err;
	int rc = mms_thp_sample_read(&r->cli->host, s, &err);

	if (rc)
		return cli_fail_read(r->cli, rc, &err);
	if (!s->settings.present)
		return cli_fail(r->cli, EXIT_UNSUPPORTED,
				"no %s/sys/kernel/mm/transparent_hugepage: the kernel is built "
				"without CONFIG_TRANSPARENT_HUGEPAGE",
				r->cli->host.root);
	return 0;
}

static int proc_failed(struct thp_run *r, int rc, const struct mms_error *err)
{
	switch (rc) {
	case -ENOENT:
		return r->sample_no ? cli_fail(r->cli, EXIT_RUNTIME, "process %d exited", r->pid) :
			cli_fail(r->cli, EXIT_USAGE, "-p %d: no such process (%s)", r->pid,
				 err->file);
	case -ESRCH:
		return cli_fail(r->cli, EXIT_USAGE,
				"-p %d: the process has no user memory (a kernel thread, or exiting)",
				r->pid);
	case -EOPNOTSUPP:
		return cli_fail(r->cli, EXIT_UNSUPPORTED, "%s: %s", err->file, err->msg);
	case -EACCES:
	case -EPERM:
		return cli_fail(r->cli, EXIT_UNSUPPORTED, "-p %d: %s: permission denied (needs "
				"root, or ptrace access to the process)", r->pid, err->file);
	default:
		return cli_fail_read(r->cli, rc, err);
	}
}

static int read_procs(struct thp_run *r)
{
	struct mms_error err;
	int rc;

	memset(&r->scan, 0, sizeof(r->scan));
	if (r->pid) {
		rc = mms_thp_proc_read(&r->cli->host, r->pid, &r->procs[0], &err);
		r->nr_procs = !rc;
		r->scan.scanned = !rc;
		r->scan.with_thp = !rc && r->procs[0].anon_huge_bytes;
		return rc ? proc_failed(r, rc, &err) : 0;
	}
	rc = mms_thp_procs_scan(&r->cli->host, r->procs, (int)r->top, &r->scan, &err);
	if (rc < 0)
		return rc == -EOPNOTSUPP ? cli_fail(r->cli, EXIT_UNSUPPORTED, "%s: %s", err.file,
						    err.msg) :
					   cli_fail_read(r->cli, rc, &err);
	r->nr_procs = rc;
	return 0;
}

/* ---- JSON ---- */

static json_t *settings_json(const struct mms_thp_settings *s)
{
	json_t *o = json_object(), *kh = json_object();
	uint64_t v;

	json_object_set_new(o, "enabled", json_string(s->enabled));
	json_object_set_new(o, "defrag", json_string(s->defrag));
	json_object_set_new(o, "shmem_enabled", json_str_or_null(s->shmem_enabled));
	for (int i = 0; i < mms_thp_knob_count(); i++) {
		const char *path = mms_thp_knob_path(i);
		bool in_kh = !strncmp(path, "khugepaged/", 11);

		json_object_set_new(in_kh ? kh : o, in_kh ? path + 11 : path,
				    mms_thp_knob_get(s, i, &v) ? json_u64(v) : json_null());
	}
	json_object_set_new(o, "khugepaged", kh);
	return o;
}

static json_t *counter_json(uint64_t total, bool has_rate, double rate)
{
	return json_pack("{s:o,s:o}", "total", json_u64(total), "rate",
			 has_rate ? json_real(rate) : json_null());
}

static json_t *size_json(const struct mms_thp_settings *s, int i, const struct mms_thp_window *w)
{
	const struct mms_thp_size *z = &s->sizes[i];
	const struct mms_thp_size_rate *sr = &w->sizes[i];
	json_t *o = json_object();
	uint64_t bytes;

	json_object_set_new(o, "size_bytes", json_u64(z->size_kb * 1024));
	json_object_set_new(o, "enabled", json_str_or_null(z->enabled));
	json_object_set_new(o, "effective_enabled", json_str_or_null(mms_thp_size_policy(s, z)));
	json_object_set_new(o, "shmem_enabled", json_str_or_null(z->shmem_enabled));
	if (!z->has_stats) { /* 8 kB: anonymous order-1 THP does not exist */
		json_object_set_new(o, "anon_fault_alloc", json_null());
		json_object_set_new(o, "anon_fault_fallback", json_null());
		json_object_set_new(o, "nr_anon", json_null());
		json_object_set_new(o, "anon_bytes", json_null());
		return o;
	}
	json_object_set_new(o, "anon_fault_alloc",
			    counter_json(z->anon_fault_alloc, sr->has_rate, sr->anon_fault_alloc));
	json_object_set_new(o, "anon_fault_fallback",
			    counter_json(z->anon_fault_fallback, sr->has_rate,
					 sr->anon_fault_fallback));
	json_object_set_new(o, "nr_anon", json_u64(z->nr_anon));
	json_object_set_new(o, "anon_bytes",
			    __builtin_mul_overflow(z->nr_anon, z->size_kb * 1024, &bytes) ?
				    json_null() : json_u64(bytes));
	return o;
}

static json_t *gauge_json(bool has, uint64_t v)
{
	return has ? json_u64(v) : json_null();
}

static json_t *counters_json(const struct mms_thp_window *w)
{
	json_t *o = json_object();

	for (int i = 0; i < w->nr_counters; i++) {
		const struct mms_thp_counter *c = &w->counters[i];

		json_object_set_new(o, c->name, counter_json(c->total, c->has_rate, c->rate));
	}
	return o;
}

static json_t *processes_json(const struct thp_run *r)
{
	json_t *a = json_array();

	for (int i = 0; i < r->nr_procs; i++) {
		const struct mms_thp_proc *p = &r->procs[i];

		json_array_append_new(a, json_pack("{s:i,s:o,s:o,s:o,s:o}", "pid", p->pid,
						   "comm", json_text(p->comm), "anon_huge_bytes",
						   json_u64(p->anon_huge_bytes), "anon_bytes",
						   json_u64(p->anon_bytes), "rss_bytes",
						   json_u64(p->rss_bytes)));
	}
	return a;
}

static json_t *advice_json(const struct thp_run *r)
{
	json_t *a = json_array();

	for (int i = 0; i < r->nr_advice; i++) {
		const struct mms_thp_advice *x = &r->advice[i];

		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:f,s:s}", "id", x->id, "severity",
						   mms_severity_name(x->severity), "text",
						   x->text, "figure", x->figure, "unit", x->unit));
	}
	return a;
}

static void emit_json(const struct thp_run *r, const struct mms_thp_settings *s)
{
	const struct mms_thp_window *w = &r->window;
	json_t *doc = json_object(), *sizes = json_array();

	for (int i = 0; i < s->nr_sizes; i++)
		json_array_append_new(sizes, size_json(s, i, w));
	json_object_set_new(doc, "settings", settings_json(s));
	json_object_set_new(doc, "sizes", sizes);
	json_object_set_new(doc, "counters", counters_json(w));
	json_object_set_new(doc, "interval_s", w->window_s > 0 ? json_real(w->window_s) : json_null());
	if (!r->rates)
		json_object_set_new(doc, "rates_unavailable",
				    json_string("--root tree read once; give INTERVAL to read it twice"));
	if (r->count > 1)
		json_object_set_new(doc, "sample", json_integer(r->sample_no));
	json_object_set_new(doc, "huge_pages_in_use",
			    json_pack("{s:o,s:o,s:o}", "anon_bytes",
				      gauge_json(w->has_anon_huge, w->anon_huge_bytes), "shmem_bytes",
				      gauge_json(w->has_shmem_huge, w->shmem_huge_bytes), "file_bytes",
				      gauge_json(w->has_file_huge, w->file_huge_bytes)));
	json_object_set_new(doc, "processes", processes_json(r));
	json_object_set_new(doc, "skipped_processes", json_integer(r->scan.vanished + r->scan.denied));
	json_object_set_new(doc, "process_scan",
			    json_pack("{s:i,s:i,s:i,s:i,s:i}", "scanned", r->scan.scanned,
				      "with_thp", r->scan.with_thp, "vanished", r->scan.vanished,
				      "denied", r->scan.denied, "no_user_memory", r->scan.no_mm));
	json_object_set_new(doc, "advice", advice_json(r));
	json_emit(doc);
}

/* ---- tables ---- */

/* "name value" pairs of khugepaged's knobs, or of the global ones. */
static void print_knobs(const struct mms_thp_settings *s, bool khugepaged)
{
	char buf[16];
	uint64_t v;

	for (int i = 0, shown = 0; i < mms_thp_knob_count(); i++) {
		const char *path = mms_thp_knob_path(i);

		if (!strncmp(path, "khugepaged/", 11) != khugepaged || !mms_thp_knob_get(s, i, &v))
			continue;
		if (shown && shown % 5 == 0)
			printf("\n           ");
		if (!strcmp(path, "hpage_pmd_size")) /* a size: human units */
			printf(" %s %s", path, fmt_bytes(v, buf));
		else
			printf(" %s %llu", khugepaged ? path + 11 : path, (unsigned long long)v);
		shown++;
	}
	putchar('\n');
}

static void print_settings(const struct mms_thp_settings *s, const struct mms_thp_window *w)
{
	char a[16], b[16], c[16];

	printf("THP         enabled %s, defrag %s, shmem_enabled %s\n           ", s->enabled,
	       s->defrag, s->shmem_enabled[0] ? s->shmem_enabled : "-");
	print_knobs(s, false);
	printf("khugepaged ");
	print_knobs(s, true);
	printf("in use      anon %s, shmem %s, file %s (in huge pages, from /proc/vmstat)\n\n",
	       w->has_anon_huge ? fmt_bytes(w->anon_huge_bytes, a) : "-",
	       w->has_shmem_huge ? fmt_bytes(w->shmem_huge_bytes, b) : "-",
	       w->has_file_huge ? fmt_bytes(w->file_huge_bytes, c) : "-");
}

static void rate_cell(struct table *t, bool has, double v)
{
	if (has)
		table_cell(t, "%.1f", v);
	else
		table_cell(t, "-");
}

static void print_sizes(const struct mms_thp_settings *s, const struct mms_thp_window *w)
{
	static const char *const hdr[] = { "<size", "<enabled", "<shmem", "fault_alloc", "/s",
					   "fallback", "/s", "nr_anon", "in use" };
	struct table t;
	char a[16];

	table_init(&t, 9, hdr);
	for (int i = 0; i < s->nr_sizes; i++) {
		const struct mms_thp_size *z = &s->sizes[i];
		const struct mms_thp_size_rate *sr = &w->sizes[i];

		table_cell(&t, "%s", fmt_bytes(z->size_kb * 1024, a));
		if (!strcmp(z->enabled, "inherit"))
			table_cell(&t, "inherit (%s)", s->enabled);
		else
			table_cell(&t, "%s", z->enabled[0] ? z->enabled : "-");
		table_cell(&t, "%s", z->shmem_enabled[0] ? z->shmem_enabled : "-");
		if (!z->has_stats) {
			for (int k = 0; k < 6; k++)
				table_cell(&t, "-");
			continue;
		}
		table_cell(&t, "%llu", (unsigned long long)z->anon_fault_alloc);
		rate_cell(&t, sr->has_rate, sr->anon_fault_alloc);
		table_cell(&t, "%llu", (unsigned long long)z->anon_fault_fallback);
		rate_cell(&t, sr->has_rate, sr->anon_fault_fallback);
		table_cell(&t, "%llu", (unsigned long long)z->nr_anon);
		table_cell(&t, "%s", fmt_bytes(z->nr_anon * z->size_kb * 1024, a));
	}
	if (s->nr_sizes)
		table_print(&t, stdout, "");
	else
		printf("(no per-size hugepages-<N>kB directories: kernel before 6.8)\n");
	table_free(&t);
	putchar('\n');
}

static void print_counters(const struct thp_run *r)
{
	static const char *const hdr[] = { "<counter", "total", "/s" };
	const struct mms_thp_window *w = &r->window;
	struct table t;
	int zero = 0;

	if (w->window_s > 0)
		printf("counters from /proc/vmstat over %.1f s", w->window_s);
	else
		printf("counters from /proc/vmstat (rates unavailable: --root reads the tree once; "
		       "give INTERVAL to read it twice)");
	table_init(&t, 3, hdr);
	for (int i = 0; i < w->nr_counters; i++) {
		const struct mms_thp_counter *c = &w->counters[i];

		if (!c->total) {
			zero++;
			continue;
		}
		table_cell(&t, "%s", c->name);
		table_cell(&t, "%llu", (unsigned long long)c->total);
		rate_cell(&t, c->has_rate, c->rate);
	}
	printf("; %d at zero not shown (-j lists all)\n", zero);
	if (zero < w->nr_counters)
		table_print(&t, stdout, "");
	table_free(&t);
	putchar('\n');
}

static void print_procs(const struct thp_run *r)
{
	static const char *const hdr[] = { "pid", "<comm", "AnonHugePages", "Anonymous", "Rss" };
	const struct mms_thp_scan *sc = &r->scan;
	char a[16], b[16], c[16];
	struct table t;

	if (r->pid)
		printf("process %d\n", r->pid);
	else
		printf("processes by AnonHugePages: %d of %d read use THP; %d skipped (%d vanished, "
		       "%d denied); %d without user memory\n", sc->with_thp, sc->scanned,
		       sc->vanished + sc->denied, sc->vanished, sc->denied, sc->no_mm);
	table_init(&t, 5, hdr);
	for (int i = 0; i < r->nr_procs; i++) {
		const struct mms_thp_proc *p = &r->procs[i];

		table_cell(&t, "%d", p->pid);
		table_cell_text(&t, p->comm);
		table_cell(&t, "%s", fmt_bytes(p->anon_huge_bytes, a));
		table_cell(&t, "%s", fmt_bytes(p->anon_bytes, b));
		table_cell(&t, "%s", fmt_bytes(p->rss_bytes, c));
	}
	if (r->nr_procs)
		table_print(&t, stdout, "");
	table_free(&t);
	putchar('\n');
}

static void print_advice(const struct thp_run *r)
{
	if (!r->nr_advice)
		printf("advice: none; the settings and counters show nothing to change\n");
	else
		printf("advice:\n");
	for (int i = 0; i < r->nr_advice; i++)
		printf("  %s: %s [%s]\n", mms_severity_name(r->advice[i].severity),
		       r->advice[i].text, r->advice[i].id);
}

static void print_tables(const struct thp_run *r, const struct mms_thp_settings *s)
{
	if (r->count > 1)
		printf("--- window %ld of %ld\n", r->sample_no, r->count);
	print_settings(s, &r->window);
	print_sizes(s, &r->window);
	print_counters(r);
	print_procs(r);
	print_advice(r);
	if (r->count > 1 && r->sample_no < r->count)
		putchar('\n');
	fflush(stdout);
}

/* ---- the loop ---- */

/* One window: sleep, second sample, processes, advice, output. */
static int run_window(struct thp_run *r)
{
	struct mms_thp_sample *start = r->sample[0], *end = r->sample[0];
	double left = r->interval - (cli_now_ns() - r->t_start) / 1e9;
	uint64_t t_end = r->t_start;
	int rc;

	if (r->rates) {
		/* Stopped early by a signal: the shorter window still counts. */
		if (left > 0)
			cli_sleep(left);
		end = r->sample[1];
		t_end = cli_now_ns();
		rc = read_sample(r, end);
		if (rc)
			return rc;
	}
	mms_thp_window_compute(r->rates ? start : NULL, end, (t_end - r->t_start) / 1e9,
			       &r->window);
	rc = read_procs(r);
	if (rc)
		return rc;
	r->nr_advice = mms_thp_advise(&end->settings, &r->window, r->advice, MMS_THP_ADVICE_MAX);
	if (r->cli->json)
		emit_json(r, &end->settings);
	else
		print_tables(r, &end->settings);
	if (r->rates) { /* this window's end is the next one's start */
		r->sample[0] = end;
		r->sample[1] = start;
		r->t_start = t_end;
	}
	return 0;
}

static int run(struct thp_run *r)
{
	int rc;

	r->t_start = cli_now_ns();
	rc = read_sample(r, r->sample[0]);
	if (!rc && r->pid)
		rc = read_procs(r); /* a bad PID fails now, not after the window */
	for (r->sample_no = 1; !rc && r->sample_no <= r->count; r->sample_no++) {
		rc = run_window(r);
		if (cli_stop)
			break;
	}
	return rc;
}

static int run_thp(struct cli *cli, int argc, char **argv)
{
	struct thp_run *r = calloc(1, sizeof(*r));
	int rc;

	if (!r)
		return cli_fail(cli, EXIT_RUNTIME, "out of memory");
	r->cli = cli;
	r->top = TOP_DEFAULT;
	r->count = 1;
	r->interval = 1.0;
	rc = parse_options(r, argc, argv);
	if (!rc) {
		r->sample[0] = malloc(sizeof(*r->sample[0]));
		r->sample[1] = malloc(sizeof(*r->sample[1]));
		r->procs = calloc(r->pid ? 1 : r->top, sizeof(*r->procs));
		rc = r->sample[0] && r->sample[1] && r->procs ?
			     run(r) : cli_fail(cli, EXIT_RUNTIME, "out of memory");
	}
	free(r->sample[0]);
	free(r->sample[1]);
	free(r->procs);
	free(r);
	return rc;
}
