// SPDX-License-Identifier: GPL-2.0
/*
 * The report's memory cgroups: every cgroup of the memory hierarchy (v2 where
 * it has the memory controller, else v1) read through libmmscope's reader at
 * the window's start and end, and the few that matter ranked: first those
 * with memory.events high/max/oom_kill in the window, then by reclaim
 * activity (pages scanned and refaults in the window), then by usage against
 * their limit. The reader never makes a verification cgroup here (the report
 * changes nothing on the host): a slot it cannot verify is read as text.
 * Each read runs on a thread beside the tracers' loading (the start read) or
 * detaching (the end read): with a thousand cgroups a read takes 100-200 ms
 * here. Not inside the window: the reader keeps every file open between its
 * reads, and the kernel's buffers of those files (about 90 KiB a cgroup here,
 * v1) would show as the window's slab growth. The deltas are judged over the
 * time between the middles of the two reads.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "cmd/memcg_read.h"
#include "cmd/report/report.h"

enum {
	S_USAGE, S_LIMIT, S_REF_ANON, S_REF_FILE, S_PGSCAN, S_PGSTEAL, S_HIGH, S_MAX, S_OOM,
	S_OOM_KILL, S_SOME10, S_FULL10, S_SOME_TOTAL, S_FULL_TOTAL, S_NR
};
static const char *const stat_names[S_NR] = {
	"usage", "limit", "workingset_refault_anon", "workingset_refault_file", "pgscan",
	"pgsteal", "events_high", "events_max", "events_oom", "events_oom_kill", "some_avg10",
	"full_avg10", "some_total", "full_total",
};

struct report_cgroups {
	struct mms_memcg_reader *reader;
	struct mms_memcg_snapshot snap[2];
	bool have_start, have_end;
	pthread_t th;           /* the read in progress (read_async) */
	bool threaded;
	int reading;            /* which snapshot it reads */
	double mid[2];          /* CLOCK_MONOTONIC seconds at the middle of each read */
};

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void *timed_read(void *arg)
{
	struct report_cgroups *c = arg;
	int i = c->reading;
	uint64_t a = mono_ns();
	bool ok = !memcg_read_snapshot(c->reader, &c->snap[i]);

	c->mid[i] = (a + (mono_ns() - a) / 2) / 1e9;
	if (i)
		c->have_end = ok;
	else
		c->have_start = ok;
	return NULL;
}

/* Starts reading snapshot i on a thread (or reads it now, without one). */
static void read_async(struct report_cgroups *c, int i)
{
	c->reading = i;
	c->threaded = !pthread_create(&c->th, NULL, timed_read, c);
	if (!c->threaded)
		timed_read(c);
}

static void read_wait(struct report_cgroups *c)
{
	if (c->threaded)
		pthread_join(c->th, NULL);
	c->threaded = false;
}

void report_cgroups_started(struct report_cgroups *c)
{
	if (c)
		read_wait(c);
}

void report_cgroups_end(struct report_cgroups *c)
{
	if (c && c->reader)
		read_async(c, 1);
}

struct report_cgroups *report_cgroups_start(struct cli *cli, struct report *r)
{
	MMS_MEMCG_OPTS(o, .host = &cli->host, .backend = MMS_MEMCG_TEXT,
		       .verify_cgroup = MMS_MEMCG_VERIFY_NEVER);
	struct report_cgroups *c = calloc(1, sizeof(*c));
	struct mms_error err = { 0 };
	int stats[S_NR], rc;

	if (!c)
		return NULL;
	for (int i = 0; i < S_NR; i++)
		stats[i] = mms_memcg_stat_find(stat_names[i]);
	o.stats = stats;
	o.nr_stats = S_NR;
	rc = mms_memcg_reader_open(NULL, &o, &c->reader, &err);
	if (rc) {
		report_left_out(r, "cgroups", "%s%s%s", err.file, err.file[0] ? ": " : "",
				err.msg[0] ? err.msg : strerror(-rc));
		free(c);
		return NULL;
	}
	r->cg_version = mms_memcg_reader_version(c->reader);
	r->cg_backend = mms_memcg_reader_backend(c->reader);
	snprintf(r->cg_root, sizeof(r->cg_root), "%s", mms_memcg_reader_root(c->reader));
	if (mms_memcg_snapshot_alloc(&c->snap[0], 256, S_NR) ||
	    mms_memcg_snapshot_alloc(&c->snap[1], 256, S_NR)) {
		report_cgroups_finish(c, r);
		return NULL;
	}
	/* Recorded files have one sample: the end's read alone, no deltas. */
	if (mms_host_is_live(&cli->host))
		read_async(c, 0);
	return c;
}

static bool get(const struct mms_memcg_snapshot *s, int row, int stat, uint64_t *v)
{
	if (!(s->present[row] & (1ull << stat)))
		return false;
	*v = s->values[(size_t)row * S_NR + stat];
	return true;
}

/*
 * The growth of a counter since the start's read of the same cgroup. A cgroup
 * made during the window (ra < 0) counted from zero: all of it is the window's.
 */
static bool delta(const struct mms_memcg_snapshot *a, int ra, const struct mms_memcg_snapshot *b,
		  int rb, int stat, uint64_t *d)
{
	uint64_t x = 0, y;

	if (!get(b, rb, stat, &y))
		return false;
	if (ra >= 0 && (!get(a, ra, stat, &x) || y < x))
		x = y; /* absent at the start, or reset: no growth to tell */
	*d = y - x;
	return true;
}

/* Ranking keys, most telling first. */
static double rank(const struct report *r, const struct mms_report_cgroup *c)
{
	double score = 0;

	if (c->high_d || c->max_d || c->oom_kill_d || c->oom_d ||
	    mms_report_memcg_stalls(&r->win, c->path))
		score += 4e18;
	if (c->pgscan_d || c->refaults_d)
		score += 2e18 + (double)(c->pgscan_d + c->refaults_d) * 1e6;
	if (c->limit != MMS_MEMCG_UNLIMITED && c->limit)
		score += 1e6 * (double)c->usage / (double)c->limit;
	return score + (double)c->usage / 1e12; /* ties: the larger */
}

static int row_of(const struct mms_memcg_snapshot *s, uint64_t id, int hint)
{
	if (hint < s->nr_cgroups && s->ids[hint] == id)
		return hint;
	for (int i = 0; i < s->nr_cgroups; i++)
		if (s->ids[i] == id)
			return i;
	return -1;
}

void report_cgroups_finish(struct report_cgroups *c, struct report *r)
{
	const struct mms_memcg_snapshot *a, *b;
	struct mms_report_cgroup cg;
	double score[REPORT_CGROUPS_MAX];

	if (!c)
		return;
	read_wait(c);
	if (c->reader && !c->reading) { /* no window (--root): the one read, now */
		read_async(c, 1);
		read_wait(c);
	}
	if (!c->have_end)
		goto out;
	a = &c->snap[0];
	b = &c->snap[1];
	r->nr_cgroups_seen = b->nr_cgroups;
	for (int i = 0; i < b->nr_cgroups; i++) {
		int ra = c->have_start ? row_of(a, b->ids[i], i) : -1;
		const char *path = mms_memcg_snapshot_path(b, i);
		uint64_t x, y;
		double s;
		int slot;

		if (!strcmp(path, "/"))
			continue; /* the whole machine: the rest of the report */
		memset(&cg, 0, sizeof(cg));
		snprintf(cg.path, sizeof(cg.path), "%s", path);
		get(b, i, S_USAGE, &cg.usage);
		if (!get(b, i, S_LIMIT, &cg.limit))
			cg.limit = MMS_MEMCG_UNLIMITED;
		cg.has_refaults = delta(a, ra, b, i, S_REF_FILE, &x);
		if (delta(a, ra, b, i, S_REF_ANON, &y))
			cg.has_refaults = true;
		else
			y = 0;
		cg.refaults_d = (cg.has_refaults ? x : 0) + y;
		delta(a, ra, b, i, S_PGSCAN, &cg.pgscan_d);
		delta(a, ra, b, i, S_PGSTEAL, &cg.pgsteal_d);
		cg.has_events = delta(a, ra, b, i, S_MAX, &cg.max_d);
		delta(a, ra, b, i, S_HIGH, &cg.high_d);
		delta(a, ra, b, i, S_OOM, &cg.oom_d);
		if (delta(a, ra, b, i, S_OOM_KILL, &cg.oom_kill_d))
			cg.has_events = true;
		if (get(b, i, S_SOME10, &x)) {
			cg.has_psi = true;
			cg.psi_some10 = (double)x / 100;
			if (get(b, i, S_FULL10, &x))
				cg.psi_full10 = (double)x / 100;
		}
		/* The window's own stall time: avg10 at its end also counts the 10 s before. */
		if (c->have_start) {
			cg.has_psi_window = delta(a, ra, b, i, S_SOME_TOTAL, &cg.psi_some_us);
			cg.has_full_window = delta(a, ra, b, i, S_FULL_TOTAL, &cg.psi_full_us);
			cg.window_s = c->mid[1] - c->mid[0];
		}
		if (!c->have_start) /* one sample: no deltas to rank or judge by */
			cg.refaults_d = cg.pgscan_d = cg.pgsteal_d = cg.max_d = cg.high_d = cg.oom_d =
				cg.oom_kill_d = 0;
		s = rank(r, &cg);
		/* Insertion into the top list, best first. */
		slot = r->win.nr_cgroups;
		if (slot == REPORT_CGROUPS_MAX && s <= score[slot - 1])
			continue;
		if (slot == REPORT_CGROUPS_MAX)
			slot--;
		else
			r->win.nr_cgroups++;
		while (slot > 0 && score[slot - 1] < s) {
			r->cgroups[slot] = r->cgroups[slot - 1];
			score[slot] = score[slot - 1];
			slot--;
		}
		r->cgroups[slot] = cg;
		score[slot] = s;
	}
	r->win.cgroups = r->cgroups;
out:
	mms_memcg_snapshot_free(&c->snap[0]);
	mms_memcg_snapshot_free(&c->snap[1]);
	if (c->reader)
		mms_memcg_reader_close(c->reader);
	free(c);
}
