// SPDX-License-Identifier: GPL-2.0
/* The tracing commands' shared command-line side (see trace_common.h). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/trace_common.h"
#include "output/view.h"

enum { OPT_MIN_MS = 1000, OPT_PER_CGROUP, OPT_EVENTS };

/* The options of every tracing command; frag --events adds its mode switch. */
#define TRACE_OPTIONS                                                   \
	{ "pid", required_argument, NULL, 'p' },                        \
	{ "cgroup", required_argument, NULL, 'c' },                     \
	{ "min-ms", required_argument, NULL, OPT_MIN_MS },              \
	{ "duration", required_argument, NULL, 'd' },                   \
	{ "hist", no_argument, NULL, 'H' },                             \
	{ "per-cgroup", no_argument, NULL, OPT_PER_CGROUP },            \
	{ "top", required_argument, NULL, 'n' }

int trace_parse_ms(struct cli *cli, const char *opt, const char *s, uint64_t *ns)
{
	char why[80];
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(d) || d < 0 || d > 3.6e6) {
		snprintf(why, sizeof(why), "%s must be a number of milliseconds >= 0", opt);
		return cli_usage(cli, why);
	}
	*ns = (uint64_t)(d * 1e6);
	return 0;
}

int trace_parse_cgroup(struct cli *cli, const char *arg, struct mms_task_filter *f)
{
	/* Room for the whole path and the reason after it (cli_fail shortens). */
	size_t size = strlen(arg) + 600;
	char *msg = malloc(size);
	int rc = 0;

	if (!msg)
		return cli_fail(cli, EXIT_RUNTIME, "out of memory");
	if (mms_task_filter_cgroup(&cli->host, arg, f, msg, size))
		rc = cli_fail(cli, EXIT_USAGE, "%s", msg);
	free(msg);
	return rc;
}

/* One option c with its value; 0 or an exit status (message printed). */
static int parse_one(struct cli *cli, int c, struct trace_args *a)
{
	long v;

	switch (c) {
	case 'p':
		if (cli_parse_long(cli, "-p", optarg, 1, 0x3fffffff, &v))
			return EXIT_USAGE;
		a->filter.tgid = (uint32_t)v;
		return 0;
	case 'c':
		return trace_parse_cgroup(cli, optarg, &a->filter);
	case OPT_MIN_MS:
		return trace_parse_ms(cli, "--min-ms", optarg, &a->min_ns);
	case 'd':
		return cli_parse_duration(cli, optarg, &a->duration) ? EXIT_USAGE : 0;
	case 'H':
		a->hist = true;
		return 0;
	case OPT_PER_CGROUP:
		a->per_cgroup = true;
		return 0;
	case 'n':
		if (cli_parse_long(cli, "-n", optarg, 1, 100000, &v))
			return EXIT_USAGE;
		a->top = (int)v;
		return 0;
	case OPT_EVENTS:
		return 0;
	}
	return EXIT_USAGE;
}

static int parse_args(struct cli *cli, int argc, char **argv, enum trace_mode mode,
		      struct trace_args *a)
{
	static const struct option latency_opts[] = { TRACE_OPTIONS, { 0 } };
	static const struct option count_opts[] = {
		TRACE_OPTIONS, { "events", no_argument, NULL, OPT_EVENTS }, { 0 },
	};
	int c, rc;
	bool given;

	memset(a, 0, sizeof(*a));
	a->top = 10;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":p:c:d:Hn:",
				mode == TRACE_COUNTS ? count_opts : latency_opts, NULL)) != -1) {
		if (c == '?' || c == ':')
			return cli_bad_option(cli, c, argv[optind - 1]);
		if ((rc = parse_one(cli, c, a)))
			return rc;
	}
	rc = cli_parse_interval(cli, argc, argv, optind, &a->interval, &a->count, &given);
	if (rc)
		return rc;
	if (!given)
		a->interval = 0;
	return 0;
}

/* What a mode makes of the options: the implied -H, the default interval. */
static int apply_mode(struct cli *cli, enum trace_mode mode, struct trace_args *a)
{
	if (mode == TRACE_LATENCIES) {
		/* INTERVAL means periodic histograms, and so do histograms per cgroup. */
		if (a->interval > 0 || a->per_cgroup)
			a->hist = true;
		return 0;
	}
	if (a->hist || a->per_cgroup || a->min_ns)
		return cli_usage(cli, "frag --events counts events: -H, --per-cgroup and --min-ms "
				      "do not apply");
	if (a->interval <= 0)
		a->interval = 1;
	return 0;
}

int trace_setup(struct cli *cli, int argc, char **argv, enum trace_mode mode,
		struct trace_args *a)
{
	int rc = parse_args(cli, argc, argv, mode, a);

	if (!rc)
		rc = apply_mode(cli, mode, a);
	if (!rc && !mms_host_is_live(&cli->host))
		rc = cli_fail(cli, EXIT_UNSUPPORTED,
			      "traces the running kernel with BPF: not possible under --root");
	/* A pid that is not there would trace nothing, or a later process of that pid. */
	if (!rc && a->filter.tgid && kill((pid_t)a->filter.tgid, 0) && errno == ESRCH)
		rc = cli_fail(cli, EXIT_USAGE, "-p %u: no such process", a->filter.tgid);
	return rc;
}

/* A failed tracer open: exit 3 when the kernel or privileges cannot do it, else 1. */
static int fail_open(struct cli *cli, int err, const char *why)
{
	switch (err) {
	case -EPERM:
	case -EACCES:
	case -ENOENT:
	case -EOPNOTSUPP:
	case -EINVAL:
		return cli_fail(cli, EXIT_UNSUPPORTED, "%s", why);
	default:
		return cli_fail(cli, EXIT_RUNTIME, "%s", why);
	}
}

struct mms_cgroup_paths *trace_cgroup_paths(struct cli *cli)
{
	struct mms_cgroup_mounts m;
	struct mms_cgroup_paths *p = NULL;
	struct mms_error err = { 0 };
	size_t len;
	char *text;

	if (mms_host_read(&cli->host, "/proc/self/mounts", &text, &len, &err))
		return NULL;
	if (!mms_parse_cgroup_mounts(text, len, &m, &err) && m.memory_idx >= 0)
		mms_cgroup_paths_open(m.m[m.memory_idx].path, &p);
	free(text);
	return p;
}

const char *trace_cgroup_name(struct mms_cgroup_paths *p, uint64_t id, char *buf, size_t size)
{
	const char *path = p ? mms_cgroup_paths_lookup(p, id) : NULL;

	if (path)
		snprintf(buf, size, "%s", path);
	else if (!id)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "id:%llu", (unsigned long long)id);
	return buf;
}

void trace_loop_opts(const struct trace_args *a, struct mms_evloop_opts *o,
		     int (*tick)(void *, uint64_t), void *ctx)
{
	memset(o, 0, sizeof(*o));
	o->interval_ns = (uint64_t)(a->interval * 1e9);
	o->count = a->count;
	o->duration_ns = (uint64_t)(a->duration * 1e9);
	o->stop = &cli_stop;
	o->tick = tick;
	o->ctx = ctx;
	o->out = stdout;
}

/*
 * MMSCOPE_FAULT=attach: the tests' hook making the last attach fail with the
 * other links live (tests/integration/t0520-trace-cleanup.sh). Read here, not in
 * the library, which never reads the environment.
 */
static bool fault_attach(void)
{
	const char *fault = getenv("MMSCOPE_FAULT");

	return fault && !strcmp(fault, "attach");
}

int trace_open(struct cli *cli, const struct trace_args *a, struct mms_tracer_opts *o,
	       int (*open)(struct mms_tracer *t, const struct mms_tracer_opts *o, char *why,
			   size_t size),
	       struct mms_tracer *t)
{
	char why[600];
	int rc;

	o->filter = a->filter;
	o->min_ns = a->min_ns;
	o->fail_last_attach = fault_attach();
	rc = open(t, o, why, sizeof(why));
	return rc ? fail_open(cli, rc, why) : 0;
}

int trace_run(struct mms_tracer *t, const struct trace_args *a, int (*tick)(void *, uint64_t),
	      void *ctx, uint64_t *now, struct mms_tracer_loss *loss)
{
	struct mms_evloop_opts lopts;
	int rc;

	trace_loop_opts(a, &lopts, tick, ctx);
	rc = mms_evloop_run(&t->loop, &lopts);
	*now = mms_monotonic_ns();
	mms_tracer_loss(t, loss);
	return rc;
}

void trace_loss_json(json_t *summary, const struct mms_tracer_loss *loss)
{
	json_object_set_new(summary, "lost", json_integer((json_int_t)loss->lost));
	json_object_set_new(summary, "missed", json_integer((json_int_t)loss->missed));
	if (loss->missed) {
		json_t *by = json_object();

		for (unsigned i = 0; i < loss->nr; i++)
			json_object_set_new(by, loss->by_prog[i].name,
					    json_integer((json_int_t)loss->by_prog[i].n));
		json_object_set_new(summary, "missed_by", by);
	}
}

const char *trace_loss_text(const struct mms_tracer_loss *loss, char *buf, size_t size)
{
	size_t len = (size_t)snprintf(buf, size, "lost %llu", (unsigned long long)loss->lost);

	if (loss->missed && len < size)
		len += (size_t)snprintf(buf + len, size - len, "; missed %llu (",
					(unsigned long long)loss->missed);
	for (unsigned i = 0; loss->missed && i < loss->nr && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s %llu", i ? ", " : "",
					loss->by_prog[i].name,
					(unsigned long long)loss->by_prog[i].n);
	if (loss->missed && len < size)
		snprintf(buf + len, size - len, ")");
	return buf;
}

bool trace_last_hists_due(const struct trace_args *a, uint64_t now, uint64_t last_tick_ns)
{
	return a->hist && !(a->interval > 0 && now - last_tick_ns < 1000000);
}

const char *trace_clock(uint64_t ts_ns, char buf[16])
{
	/* Records arrive in bursts from the same seconds: format each second once. */
	static uint64_t mono_to_real_ns, last_sec = UINT64_MAX, last_fix_ns;
	static char last[16];
	struct timespec mono, real;
	uint64_t real_ns, sec;
	time_t t;
	struct tm tm;

	/* bpf_ktime_get_ns() is CLOCK_MONOTONIC: shift it to the wall clock (offset
	 * refreshed every second of timestamps, so a clock step shows soon). */
	if (!mono_to_real_ns || ts_ns - last_fix_ns > 1000000000ull) {
		clock_gettime(CLOCK_MONOTONIC, &mono);
		clock_gettime(CLOCK_REALTIME, &real);
		mono_to_real_ns = ((uint64_t)real.tv_sec * 1000000000ull + real.tv_nsec) -
				  ((uint64_t)mono.tv_sec * 1000000000ull + mono.tv_nsec);
		last_fix_ns = ts_ns;
		last_sec = UINT64_MAX;
	}
	real_ns = ts_ns + mono_to_real_ns;
	sec = real_ns / 1000000000ull;
	if (sec != last_sec) {
		t = (time_t)sec;
		localtime_r(&t, &tm);
		strftime(last, sizeof(last), "%H:%M:%S", &tm);
		last_sec = sec;
	}
	memcpy(buf, last, 16);
	return buf;
}

void trace_stdout_setup(void)
{
	static char buf[1 << 16];

	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, buf, _IOFBF, sizeof(buf));
}

void trace_json_event(json_t *o)
{
	json_dumpf(o, stdout, JSON_COMPACT | JSON_REAL_PRECISION(6));
	fputc('\n', stdout);
	json_decref(o);
	cli_output_failed(); /* a failed write stops the loop (cli_stop) */
}

/* ---- what reclaim and compact keep ---- */

/*
 * trace_setup(TRACE_LATENCIES) into a, then s set up for the run (cgroup names
 * from the memory hierarchy, stdout buffered: trace_stdout_setup). Returns 0 or
 * an exit status (message printed); s can be freed either way.
 */
static int trace_stats_setup(struct trace_stats *s, struct cli *cli, int argc, char **argv,
			     struct trace_args *a, const struct trace_kinds *kinds,
			     struct mms_hist *hist)
{
	int rc;

	memset(s, 0, sizeof(*s));
	rc = trace_setup(cli, argc, argv, TRACE_LATENCIES, a);
	if (rc)
		return rc;
	s->cli = cli;
	s->args = a;
	s->kinds = *kinds;
	s->hist = hist;
	trace_stdout_setup();
	s->paths = trace_cgroup_paths(cli);
	return 0;
}

void trace_stats_add(struct trace_stats *s, uint32_t tgid, const char comm[16],
		     uint64_t memcg_id, uint64_t latency_ns)
{
	struct group *g = groups_get(&s->procs, tgid);

	if (g) {
		g->pid = tgid;
		memcpy(g->comm, comm, sizeof(g->comm));
		g->total_ns += latency_ns;
		mms_lat_add(&g->lat, latency_ns);
	}
	g = groups_get(&s->cgroups, memcg_id);
	if (g) {
		g->memcg_id = memcg_id;
		g->total_ns += latency_ns;
		mms_lat_add(&g->lat, latency_ns);
	}
}

void trace_stats_add_hist(struct trace_stats *s, uint64_t memcg_id, int kind,
			  uint64_t latency_ns)
{
	struct group *g;

	mms_hist_add(&s->hist[kind], latency_ns);
	if (!s->args->per_cgroup)
		return;
	g = groups_get(&s->cg_hists, memcg_id << 2 | (uint64_t)kind);
	if (g) {
		g->memcg_id = memcg_id;
		g->counts[0]++;
		mms_hist_add(&g->lat.hist, latency_ns);
	}
}

/*
 * One histogram as a JSON line ({"type", "ts_ns", ["interval_ns",] kind key,
 * ["cgroup",] "latency"}) or a titled text block, then emptied for the next window.
 */
static void hist_put(const struct trace_stats *s, struct mms_hist *h, int kind, const char *cg,
		     uint64_t now)
{
	const char *name = s->kinds.names[kind];
	char title[1200], cgesc[TEXT_ESC_SIZE(256)];

	if (s->cli->json) {
		json_t *o = json_pack("{s:s,s:I}", "type", "histogram", "ts_ns", (json_int_t)now);

		if (!cg)
			json_object_set_new(o, "interval_ns",
					    json_integer((json_int_t)(now - s->last_tick_ns)));
		json_object_set_new(o, s->kinds.key, json_string(name));
		if (cg)
			json_object_set_new(o, "cgroup", json_text(cg));
		json_object_set_new(o, "latency", hist_json(h));
		json_emit(o);
	} else {
		snprintf(title, sizeof(title), "%s %s latency%s%s", name, s->kinds.what,
			 cg ? ", cgroup " : "", cg ? text_esc(cg, cgesc, sizeof(cgesc)) : "");
		hist_print(h, title, stdout);
	}
	memset(h, 0, sizeof(*h));
}

/* Prints and empties the window's histograms: per kind, then per cgroup and kind. */
static void stats_hists(struct trace_stats *s, uint64_t now)
{
	char cg[256];

	for (int k = 0; k < s->kinds.nr; k++)
		hist_put(s, &s->hist[k], k, NULL, now);
	for (size_t i = 0; i < s->cg_hists.n; i++) {
		struct group *g = &s->cg_hists.v[i];

		if (!g->lat.hist.count)
			continue;
		trace_cgroup_name(s->paths, g->memcg_id, cg, sizeof(cg));
		hist_put(s, &g->lat.hist, (int)(g->key & 3), cg, now);
	}
	s->last_tick_ns = now;
	fflush(stdout);
}

static int stats_tick(void *ctx, uint64_t now)
{
	struct trace_stats *s = ctx;

	if (!s->cli->json)
		printf("--- %.1f s\n", (now - s->start_ns) / 1e9);
	stats_hists(s, now);
	return cli_output_failed(); /* non-zero ends the loop */
}

int trace_stats_start(struct trace_stats *s, struct cli *cli, int argc, char **argv,
		      struct trace_args *a, const struct trace_kinds *kinds, struct mms_hist *hist,
		      int (*open)(struct mms_tracer *t, const struct mms_tracer_opts *o, char *why,
				  size_t size),
		      ring_buffer_sample_fn on_event, void *ctx)
{
	struct mms_tracer_opts o = { .on_event = on_event, .ctx = ctx };
	int rc = trace_stats_setup(s, cli, argc, argv, a, kinds, hist);

	if (rc)
		return rc;
	mms_gfp_layout_read(&s->gfp);
	return trace_open(s->cli, s->args, &o, open, &s->t);
}

int trace_stats_status(struct trace_stats *s, int rc)
{
	return rc ? cli_fail(s->cli, EXIT_RUNTIME, "ring buffer: %s", strerror(-rc)) : EXIT_DONE;
}

int trace_stats_run(struct trace_stats *s)
{
	int rc;

	s->start_ns = s->last_tick_ns = mms_monotonic_ns();
	rc = trace_run(&s->t, s->args, stats_tick, s, &s->now, &s->loss);
	mms_links_destroy(&s->t.links);
	if (trace_last_hists_due(s->args, s->now, s->last_tick_ns))
		stats_hists(s, s->now);
	return rc;
}

void trace_stats_json(struct trace_stats *s, json_t *summary, const char *noun)
{
	json_object_set_new(summary, "processes",
			    trace_groups_json(&s->procs, s->args->top, noun, s->paths, true));
	json_object_set_new(summary, "cgroups",
			    trace_groups_json(&s->cgroups, s->args->top, noun, s->paths, false));
}

void trace_stats_free(struct trace_stats *s)
{
	groups_free(&s->procs);
	groups_free(&s->cgroups);
	groups_free(&s->cg_hists);
	mms_cgroup_paths_close(s->paths);
	s->paths = NULL;
}

/* ---- tline ---- */

static void tline_pad(struct tline *l, size_t n)
{
	if (n > sizeof(l->buf) - 1 - l->len)
		n = sizeof(l->buf) - 1 - l->len;
	memset(l->buf + l->len, ' ', n);
	l->len += n;
}

/* n bytes of s, cols printed characters wide, in width (see tline_str). */
static void tline_field(struct tline *l, const char *s, size_t n, size_t cols, int width)
{
	size_t w = (size_t)(width < 0 ? -width : width);

	if (width > 0 && cols < w)
		tline_pad(l, w - cols);
	if (n > sizeof(l->buf) - 1 - l->len)
		n = sizeof(l->buf) - 1 - l->len;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	if (width < 0 && cols < w)
		tline_pad(l, w - cols);
}

void tline_str(struct tline *l, const char *s, int width)
{
	tline_field(l, s, strlen(s), (size_t)text_width(s), width);
}

/* Decimal digits of v, ending at end (exclusive); returns the first. */
static char *digits(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

void tline_s64(struct tline *l, int64_t v, int width)
{
	char buf[24], *p = digits(buf + sizeof(buf), v < 0 ? -(uint64_t)v : (uint64_t)v);

	if (v < 0)
		*--p = '-';
	tline_field(l, p, (size_t)(buf + sizeof(buf) - p), (size_t)(buf + sizeof(buf) - p), width);
}

void tline_ms(struct tline *l, uint64_t ns, int width)
{
	uint64_t us = (ns + 500) / 1000;
	char buf[32], *end = buf + sizeof(buf), *p;

	p = digits(end - 4, us / 1000);
	end[-4] = '.';
	end[-3] = (char)('0' + us / 100 % 10);
	end[-2] = (char)('0' + us / 10 % 10);
	end[-1] = (char)('0' + us % 10);
	tline_field(l, p, (size_t)(end - p), (size_t)(end - p), width);
}

void tline_put(struct tline *l, FILE *f)
{
	l->buf[l->len++] = '\n';
	fwrite(l->buf, 1, l->len, f);
	l->len = 0;
	cli_output_failed(); /* a failed write stops the loop (cli_stop) */
}

/* ---- groups ---- */

static size_t *slot_for(struct groups *g, uint64_t key)
{
	size_t i = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 7) & (g->nr_slots - 1);

	while (g->slot[i] && g->v[g->slot[i] - 1].key != key)
		i = (i + 1) & (g->nr_slots - 1);
	return &g->slot[i];
}

static int reindex(struct groups *g, size_t nr_slots)
{
	size_t *slot = calloc(nr_slots, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	free(g->slot);
	g->slot = slot;
	g->nr_slots = nr_slots;
	for (size_t i = 0; i < g->n; i++)
		*slot_for(g, g->v[i].key) = i + 1;
	return 0;
}

struct group *groups_get(struct groups *g, uint64_t key)
{
	size_t *s;

	if (!g->slot) {
		size_t n = 64;

		while (n < g->n * 2 + 2)
			n *= 2;
		if (reindex(g, n))
			return NULL;
	}
	s = slot_for(g, key);
	if (*s)
		return &g->v[*s - 1];
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 32;
		struct group *v = realloc(g->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		g->v = v;
		g->cap = cap;
	}
	memset(&g->v[g->n], 0, sizeof(g->v[0]));
	g->v[g->n].key = key;
	*s = ++g->n;
	if (g->n * 2 > g->nr_slots && reindex(g, g->nr_slots * 2))
		return NULL;
	return &g->v[g->n - 1];
}

static int by_total(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	return x->total_ns < y->total_ns ? 1 : x->total_ns > y->total_ns ? -1 : 0;
}

static int by_count(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	return x->counts[0] < y->counts[0] ? 1 : x->counts[0] > y->counts[0] ? -1 : 0;
}

void groups_sort(struct groups *g, bool count)
{
	qsort(g->v, g->n, sizeof(*g->v), count ? by_count : by_total);
	free(g->slot);
	g->slot = NULL;
	g->nr_slots = 0;
}

void groups_free(struct groups *g)
{
	for (size_t i = 0; i < g->n; i++)
		mms_lat_free(&g->v[i].lat);
	free(g->v);
	free(g->slot);
	memset(g, 0, sizeof(*g));
}

void group_percentiles(struct group *gr, uint64_t out[3])
{
	static const double ps[3] = { 50, 99, 100 };

	mms_lat_percentiles(&gr->lat, ps, 3, out);
}

json_t *trace_groups_json(struct groups *gs, int top, const char *noun,
			  struct mms_cgroup_paths *paths, bool procs)
{
	json_t *a = json_array();
	char cg[256];

	groups_sort(gs, false);
	for (size_t i = 0; i < gs->n && (int)i < top; i++) {
		struct group *g = &gs->v[i];
		uint64_t p[3];
		json_t *o;

		group_percentiles(g, p);
		o = json_pack("{s:I,s:I,s:I,s:I,s:I}", noun, (json_int_t)g->lat.hist.count,
			      "total_ns", (json_int_t)g->total_ns, "p50_ns", (json_int_t)p[0],
			      "p99_ns", (json_int_t)p[1], "max_ns", (json_int_t)p[2]);
		if (procs) {
			json_object_set_new(o, "comm", json_textn(g->comm, strnlen(g->comm,
											sizeof(g->comm))));
			json_object_set_new(o, "pid", json_integer(g->pid));
		} else {
			json_object_set_new(o, "cgroup", json_text(trace_cgroup_name(
								 paths, g->memcg_id, cg, sizeof(cg))));
		}
		json_array_append_new(a, o);
	}
	return a;
}
