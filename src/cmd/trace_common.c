// SPDX-License-Identifier: GPL-2.0
/* The tracing commands' shared command-line side (see trace_common.h). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/trace_common.h"

enum { OPT_MIN_MS = 1000, OPT_PER_CGROUP };

int trace_args_parse(struct cli *cli, int argc, char **argv, struct trace_args *a)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "min-ms", required_argument, NULL, OPT_MIN_MS },
		{ "duration", required_argument, NULL, 'd' },
		{ "hist", no_argument, NULL, 'H' },
		{ "per-cgroup", no_argument, NULL, OPT_PER_CGROUP },
		{ "top", required_argument, NULL, 'n' },
		{ "events", no_argument, NULL, 'E' }, /* frag --events: its own mode switch */
		{ 0 },
	};
	char why[600], *end;
	long v;
	int c, rc;
	double d;
	bool given;

	memset(a, 0, sizeof(*a));
	a->top = 10;
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:c:d:Hn:", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (cli_parse_long(cli, "-p", optarg, 1, 0x3fffffff, &v))
				return EXIT_USAGE;
			a->filter.tgid = (uint32_t)v;
			break;
		case 'c':
			rc = mms_task_filter_cgroup(&cli->host, optarg, &a->filter, why, sizeof(why));
			if (rc)
				return cli_fail(cli, EXIT_USAGE, "%s", why);
			break;
		case OPT_MIN_MS:
			errno = 0;
			d = strtod(optarg, &end);
			if (errno || end == optarg || *end || !isfinite(d) || d < 0 || d > 3.6e6)
				return cli_usage(cli, "--min-ms must be a number of milliseconds >= 0");
			a->min_ns = (uint64_t)(d * 1e6);
			break;
		case 'd':
			errno = 0;
			d = strtod(optarg, &end);
			if (errno || end == optarg || *end || !isfinite(d) || d <= 0 || d > 86400 * 365)
				return cli_usage(cli, "-d must be a number of seconds above 0");
			a->duration = d;
			break;
		case 'H':
			a->hist = true;
			break;
		case OPT_PER_CGROUP:
			a->per_cgroup = true;
			break;
		case 'n':
			if (cli_parse_long(cli, "-n", optarg, 1, 100000, &v))
				return EXIT_USAGE;
			a->top = (int)v;
			break;
		case 'E':
			break;
		default:
			return cli_usage(cli, NULL);
		}
	}
	rc = cli_parse_interval(cli, argc, argv, optind, &a->interval, &a->count, &given);
	if (rc)
		return rc;
	if (!given)
		a->interval = 0;
	return 0;
}

int trace_preflight(struct cli *cli)
{
	if (!mms_host_is_live(&cli->host))
		return cli_fail(cli, EXIT_UNSUPPORTED,
				"traces the running kernel with BPF: not possible under --root");
	return 0;
}

int trace_fail_open(struct cli *cli, int err, const char *why)
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

struct mms_tracer_opts trace_tracer_opts(const struct cli *cli, const struct trace_args *a,
					 ring_buffer_sample_fn on_event, void *ctx)
{
	return (struct mms_tracer_opts){ .filter = a->filter, .min_ns = a->min_ns,
					 .verbose = cli->verbose, .on_event = on_event,
					 .ctx = ctx };
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
}

/* ---- tline ---- */

static void tline_pad(struct tline *l, size_t n)
{
	if (n > sizeof(l->buf) - 1 - l->len)
		n = sizeof(l->buf) - 1 - l->len;
	memset(l->buf + l->len, ' ', n);
	l->len += n;
}

static void tline_field(struct tline *l, const char *s, size_t n, int width)
{
	size_t w = (size_t)(width < 0 ? -width : width);

	if (width > 0 && n < w)
		tline_pad(l, w - n);
	if (n > sizeof(l->buf) - 1 - l->len)
		n = sizeof(l->buf) - 1 - l->len;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	if (width < 0 && n < w)
		tline_pad(l, w - n);
}

void tline_str(struct tline *l, const char *s, int width)
{
	tline_field(l, s, strlen(s), width);
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
	tline_field(l, p, (size_t)(buf + sizeof(buf) - p), width);
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
	tline_field(l, p, (size_t)(end - p), width);
}

void tline_put(struct tline *l, FILE *f)
{
	l->buf[l->len++] = '\n';
	fwrite(l->buf, 1, l->len, f);
	l->len = 0;
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
			json_object_set_new(o, "comm", json_string(g->comm));
			json_object_set_new(o, "pid", json_integer(g->pid));
		} else {
			json_object_set_new(o, "cgroup", json_string(trace_cgroup_name(
								 paths, g->memcg_id, cg, sizeof(cg))));
		}
		json_array_append_new(a, o);
	}
	return a;
}
