// SPDX-License-Identifier: GPL-2.0
/*
 * The report's window as seen by the tracers `mmscope reclaim`, `compact` and
 * `frag --events` use (src/lib/trace): attached before the window, detached at
 * its end. Reclaim stalls (direct and memcg) and direct compaction stalls are
 * grouped by process and by memory cgroup with p50/p99/max; kswapd runs are
 * summed; extfrag fallbacks are counted by migrate types in BPF. Both ring
 * buffers are read by one poll loop (the compaction buffer is added to the
 * reclaim loop's). A tracer that cannot load (no root, no BPF, --root) is
 * left out and said so: the procfs part of the report never depends on it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpf/compact.h"
#include "bpf/reclaim.h"
#include "cmd/report/report.h"
#include "cmd/trace_common.h"
#include "output/view.h"

#define ZONES_NAMED 8 /* zone indices whose name a compaction event told us */

struct report_trace {
	struct cli *cli;
	struct mms_tracer reclaim, compact, extfrag;
	bool have_reclaim, have_compact, have_extfrag;
	bool one;               /* reclaim holds report.bpf.c: the three in one object */
	struct mms_cgroup_paths *paths;
	/* key kind << 32 | tgid; counts[0] failed, [1] order, [2] node, [3] zone index */
	struct groups procs;
	struct groups cgroups;  /* key memcg_id << 2 | kind */
	struct groups zones;    /* key (nid << 8 | zid) << 32 | tgid: compaction stalls */
	uint64_t kswapd_runs, kswapd_ns;
	char zone_name[ZONES_NAMED][16];
	char result[MMS_COMPACT_RESULTS][32]; /* compact_result names, "" not looked up */
};

void report_left_out(struct report *r, const char *what, const char *fmt, ...)
{
	va_list ap;

	if (r->nr_left == REPORT_LEFT_MAX)
		return;
	r->left[r->nr_left].what = what;
	va_start(ap, fmt);
	vsnprintf(r->left[r->nr_left].why, sizeof(r->left[0].why), fmt, ap);
	va_end(ap);
	r->nr_left++;
}

static void add_stall(struct report_trace *t, enum mms_stall_kind kind, uint32_t tgid,
		      const char comm[16], uint64_t memcg_id, uint64_t ns)
{
	struct group *g = groups_get(&t->procs, (uint64_t)kind << 32 | tgid);

	if (g) {
		g->pid = tgid;
		g->memcg_id = memcg_id;
		memcpy(g->comm, comm, sizeof(g->comm));
		g->total_ns += ns;
		mms_lat_add(&g->lat, ns);
	}
	g = groups_get(&t->cgroups, memcg_id << 2 | kind);
	if (g) {
		g->memcg_id = memcg_id;
		g->total_ns += ns;
		mms_lat_add(&g->lat, ns);
	}
}

static int on_reclaim(void *ctx, void *data, size_t size)
{
	struct report_trace *t = ctx;
	const struct reclaim_event *e = data;

	if (size < sizeof(*e))
		return 0;
	if (e->kind == MMS_RECLAIM_KSWAPD) {
		t->kswapd_runs++;
		t->kswapd_ns += e->latency_ns;
	} else if (e->kind == MMS_RECLAIM_DIRECT || e->kind == MMS_RECLAIM_MEMCG) {
		add_stall(t, e->kind == MMS_RECLAIM_DIRECT ? MMS_STALL_DIRECT_RECLAIM :
			  MMS_STALL_MEMCG_RECLAIM, e->tgid, e->comm, e->memcg_id, e->latency_ns);
	}
	return 0;
}

static bool compact_failed(struct report_trace *t, int status)
{
	if (status < 0 || status >= MMS_COMPACT_RESULTS)
		return true;
	if (!t->result[status][0])
		mms_btf_enum_name("compact_result", "COMPACT_", status, t->result[status],
				  sizeof(t->result[0]));
	return strcmp(t->result[status], "success") != 0;
}

/* Direct compaction only: kcompactd and proactive runs stall no allocating task. */
static int on_compact(void *ctx, void *data, size_t size)
{
	struct report_trace *t = ctx;
	const struct compact_event *e = data;
	struct group *g;

	if (size < sizeof(*e) || e->who != MMS_COMPACT_DIRECT)
		return 0;
	add_stall(t, MMS_STALL_COMPACTION, e->tgid, e->comm, e->memcg_id, e->latency_ns);
	g = groups_get(&t->procs, (uint64_t)MMS_STALL_COMPACTION << 32 | e->tgid);
	if (!g)
		return 0;
	if (compact_failed(t, e->status))
		g->counts[0]++;
	/* The highest order it compacted for: the request that hurt. */
	if (g->lat.hist.count == 1 || (uint64_t)e->order > g->counts[1])
		g->counts[1] = (uint64_t)(e->order < 0 ? 0 : e->order);
	if (e->zid < 0 || e->zid >= ZONES_NAMED || e->nid < 0 || e->nid >= 256)
		return 0;
	memcpy(t->zone_name[e->zid], e->zone, sizeof(e->zone));
	/* Its stalls per zone, to name the zone most of them were in. */
	g = groups_get(&t->zones, (uint64_t)(e->nid << 8 | e->zid) << 32 | e->tgid);
	if (g)
		g->counts[0]++;
	return 0;
}

/* report.bpf.c's one ring buffer: the two kinds of record differ in size. */
_Static_assert(sizeof(struct compact_event) != sizeof(struct reclaim_event),
	       "reclaim and compaction records are told apart by size");
static int on_either(void *ctx, void *data, size_t size)
{
	return size == sizeof(struct compact_event) ? on_compact(ctx, data, size) :
						      on_reclaim(ctx, data, size);
}

/*
 * The three tracers in one object (report_load.c): one BTF parse instead of
 * three. Returns true when loaded; false with nothing left out said when the
 * separate objects should be tried (a kernel where one tracer's programs do
 * not load would lose all three here), or with "tracers" left out when no BPF
 * tracing is allowed at all (the separate ones would fail the same way).
 */
static bool load_one(struct report_trace *t, struct report *r, bool *denied)
{
	char why[600];
	int err = report_tracer_open(&t->reclaim, on_either, t, why, sizeof(why));

	*denied = err == -EPERM || err == -EACCES;
	if (*denied)
		report_left_out(r, "tracers", "%s", why);
	if (err)
		return false;
	t->one = t->have_reclaim = t->have_compact = t->have_extfrag = true;
	return true;
}

/* The node and zone (index) where tgid compacted most. */
static void busiest_zone(struct report_trace *t, uint32_t tgid, int *nid, int *zid)
{
	uint64_t best = 0;

	for (size_t i = 0; i < t->zones.n; i++) {
		struct group *g = &t->zones.v[i];

		if ((uint32_t)g->key == tgid && g->counts[0] > best) {
			best = g->counts[0];
			*nid = (int)(g->key >> 40);
			*zid = (int)(g->key >> 32 & 0xff);
		}
	}
}

/* One tracer loaded on a thread of its own (the verifier and BTF parsing dominate). */
struct loader {
	struct mms_tracer *tr;
	int (*open)(struct mms_tracer *, const struct mms_tracer_opts *, char *, size_t);
	struct mms_tracer_opts o;
	const char *what;
	int err;
	char why[600];
	pthread_t th;
	bool threaded;
};

static void *load(void *arg)
{
	struct loader *l = arg;

	l->err = l->open(l->tr, &l->o, l->why, sizeof(l->why));
	return NULL;
}

/* Loads the three at once: their cost is the report's overhead, and most is CPU. */
static void load_all(struct loader *l, int n, struct report *r)
{
	for (int i = 0; i < n; i++)
		l[i].threaded = !pthread_create(&l[i].th, NULL, load, &l[i]);
	bool same = true;

	for (int i = 0; i < n; i++) {
		if (l[i].threaded)
			pthread_join(l[i].th, NULL);
		else
			load(&l[i]);
		same &= l[i].err && l[i].err == l[0].err;
	}
	/* No root or no BPF: one line says it for all of them. */
	if (same) {
		report_left_out(r, "tracers", "%s", l[0].why);
		return;
	}
	for (int i = 0; i < n; i++)
		if (l[i].err)
			report_left_out(r, l[i].what, "%s", l[i].why);
}

struct report_trace *report_trace_start(struct cli *cli, struct report *r)
{
	struct report_trace *t;
	const char *src;
	struct bpf_map *m;
	size_t len = 0;
	bool denied;

	if (!mms_host_is_live(&cli->host)) {
		report_left_out(r, "tracers", "recorded files (--root): no tracing");
		return NULL;
	}
	/* Before the BTF parses (see report_heap.c); not for a user whose load the
	 * kernel will refuse anyway. */
	if (geteuid() == 0)
		report_heap_prepare();
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cli = cli;
	if (load_one(t, r, &denied))
		goto loaded;
	if (denied) {
		free(t);
		return NULL;
	}
	/* Compaction records go to the reclaim loop's poll (ring_buffer__add below). */
	struct loader l[3] = {
		{ .tr = &t->reclaim, .open = mms_reclaim_tracer_open,
		  .o = { .on_event = on_reclaim, .ctx = t }, .what = "reclaim stalls" },
		{ .tr = &t->compact, .open = mms_compact_tracer_open, .what = "compaction stalls" },
		{ .tr = &t->extfrag, .open = mms_extfrag_tracer_open,
		  .o = { .pageblock_order = mms_extfrag_pageblock_order(&src) },
		  .what = "extfrag events" },
	};

	load_all(l, 3, r);
	t->have_reclaim = !l[0].err;
	t->have_compact = !l[1].err;
	t->have_extfrag = !l[2].err;
	if (!t->have_reclaim) { /* the loop is reclaim's: without it, nothing is read */
		mms_tracer_close(&t->compact);
		mms_tracer_close(&t->extfrag);
		free(t);
		return NULL;
	}
	if (t->have_compact) {
		m = bpf_object__find_map_by_name(t->compact.obj, "events");
		if (!m || ring_buffer__add(t->reclaim.loop.rb, bpf_map__fd(m), on_compact, t)) {
			report_left_out(r, "compaction stalls", "cannot read its ring buffer");
			mms_tracer_close(&t->compact);
			t->have_compact = false;
		}
	}
loaded:
	t->paths = trace_cgroup_paths(cli);
	len = (size_t)snprintf(r->attached, sizeof(r->attached), "reclaim");
	if (t->have_compact)
		len += (size_t)snprintf(r->attached + len, sizeof(r->attached) - len,
					", compaction");
	if (t->have_extfrag)
		snprintf(r->attached + len, sizeof(r->attached) - len, ", extfrag");
	return t;
}

void report_trace_wait(struct report_trace *t, double seconds)
{
	struct mms_evloop_opts o = { .duration_ns = (uint64_t)(seconds * 1e9), .stop = &cli_stop };

	if (!t) {
		cli_sleep(seconds);
		return;
	}
	mms_evloop_run(&t->reclaim.loop, &o);
}

/* Rows of one table of groups into r->stalls, worst first. */
static void take_rows(struct report_trace *t, struct report *r, struct groups *gs, bool procs)
{
	groups_sort(gs, false);
	int max = procs ? REPORT_STALLS_MAX - 16 : REPORT_STALLS_MAX;

	for (size_t i = 0; i < gs->n && r->win.nr_stalls < max; i++) {
		struct group *g = &gs->v[i];
		struct mms_report_stall *s = &r->stalls[r->win.nr_stalls++];
		uint64_t p[3];

		memset(s, 0, sizeof(*s));
		group_percentiles(g, p);
		s->kind = procs ? (enum mms_stall_kind)(g->key >> 32) :
				  (enum mms_stall_kind)(g->key & 3);
		s->pid = procs ? g->pid : 0;
		memcpy(s->comm, g->comm, sizeof(s->comm));
		trace_cgroup_name(t->paths, g->memcg_id, s->cgroup, sizeof(s->cgroup));
		s->count = g->lat.hist.count;
		s->total_ns = g->total_ns;
		s->p50_ns = p[0];
		s->p99_ns = p[1];
		s->max_ns = p[2];
		s->node = -1;
		s->order = -1;
		if (procs && s->kind == MMS_STALL_COMPACTION) {
			int zid = -1;

			s->failed = g->counts[0];
			s->order = (int)g->counts[1];
			busiest_zone(t, g->pid, &s->node, &zid);
			if (zid >= 0 && zid < ZONES_NAMED)
				memcpy(s->zone, t->zone_name[zid], sizeof(s->zone));
		}
	}
}

static void take_extfrag(struct report_trace *t, struct report *r)
{
	struct mms_extfrag_kinds k;

	if (!t->have_extfrag || mms_extfrag_read_kinds(t->one ? &t->reclaim : &t->extfrag, &k))
		return;
	for (int i = 0; i < MMS_EXTFRAG_TYPES; i++)
		for (int j = 0; j < MMS_EXTFRAG_TYPES; j++) {
			uint64_t n = k.n[i][j][0] + k.n[i][j][1];
			struct report_extfrag_kind *x;
			int slot = r->nr_extfrag_kinds;

			if (!n)
				continue;
			r->win.extfrag_events += n;
			r->win.extfrag_fragmenting += k.n[i][j][1];
			/* Keep the largest kinds: replace the smallest when full. */
			if (slot == REPORT_EXTFRAG_KINDS) {
				slot = 0;
				for (int s = 1; s < REPORT_EXTFRAG_KINDS; s++)
					if (r->extfrag[s].events < r->extfrag[slot].events)
						slot = s;
				if (r->extfrag[slot].events >= n)
					continue;
			} else {
				r->nr_extfrag_kinds++;
			}
			x = &r->extfrag[slot];
			mms_btf_enum_name("migratetype", "MIGRATE_", i, x->alloc, sizeof(x->alloc));
			mms_btf_enum_name("migratetype", "MIGRATE_", j, x->fallback,
					  sizeof(x->fallback));
			x->events = n;
			x->fragmenting = k.n[i][j][1];
		}
}

void report_trace_finish(struct report_trace *t, struct report *r)
{
	struct mms_tracer_loss loss;

	if (!t)
		return;
	/* Detach first: what follows is about a closed window. */
	mms_links_destroy(&t->reclaim.links);
	mms_links_destroy(&t->compact.links);
	mms_links_destroy(&t->extfrag.links);
	ring_buffer__consume(t->reclaim.loop.rb);
	mms_tracer_loss(&t->reclaim, &loss);
	r->trace_lost = loss.lost;
	if (t->have_compact && !t->one) {
		mms_tracer_loss(&t->compact, &loss);
		r->trace_lost += loss.lost;
	}
	take_extfrag(t, r);
	take_rows(t, r, &t->procs, true);
	take_rows(t, r, &t->cgroups, false);
	r->win.traced = true;
	r->win.stalls = r->stalls;
	r->win.kswapd_runs = t->kswapd_runs;
	r->win.kswapd_ns = t->kswapd_ns;
	mms_tracer_close(&t->compact);
	mms_tracer_close(&t->extfrag);
	mms_tracer_close(&t->reclaim); /* last: its ring buffer holds the compaction map */
	groups_free(&t->procs);
	groups_free(&t->cgroups);
	groups_free(&t->zones);
	mms_cgroup_paths_close(t->paths);
	free(t);
}
