// SPDX-License-Identifier: GPL-2.0
/*
 * The heatmap's live TUI loop. A source's next() blocks for a whole aggregation
 * interval (a second by default), far too long to leave keys unanswered, so a
 * worker thread waits on the source and queues finished frames while the main
 * thread draws and reads keys every 100 ms. Only the worker calls the source;
 * the main thread touches it only after joining the worker (to restart it with new
 * intervals, or to end).
 *
 * The source's stop flag is c->src_stop, not cli_stop: quitting and restarting
 * must interrupt next() without ending the program, and SIGINT/SIGTERM (cli_stop)
 * are passed on by the main loop.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "cmd/heatmap/heatmap_cmd.h"

#define QUEUE_MAX 16

struct live {
	struct hm_cmd *c;
	pthread_t th;
	bool running;
	pthread_mutex_t mu;
	struct hm_frame q[QUEUE_MAX]; /* finished frames for the main thread */
	int nq;
	uint64_t lost;                /* the source's count after the last frame */
	bool done;                    /* the worker ended: rc, why */
	int rc;
	char why[512];
};

static void *worker(void *arg)
{
	struct live *l = arg;
	struct hm_cmd *c = l->c;

	for (;;) {
		struct hm_frame f = { 0 };
		char why[512] = "";
		int rc = hm_cmd_next(c, &f, why, sizeof(why));
		uint64_t lost = !rc && c->ops->lost ? c->ops->lost(c->src) : 0;

		pthread_mutex_lock(&l->mu);
		if (rc) {
			l->done = true;
			l->rc = rc;
			snprintf(l->why, sizeof(l->why), "%s", why);
		} else if (l->nq < QUEUE_MAX) {
			l->q[l->nq++] = f;
			l->lost = lost;
		} else {
			hm_frame_free(&f); /* the main thread is stuck: drop rather than grow */
		}
		pthread_mutex_unlock(&l->mu);
		if (rc) {
			hm_frame_free(&f);
			return NULL;
		}
	}
}

static int start(struct live *l)
{
	l->c->src_stop = 0;
	l->done = false;
	l->rc = 0;
	if (pthread_create(&l->th, NULL, worker, l))
		return -EAGAIN;
	l->running = true;
	return 0;
}

static void stop(struct live *l)
{
	if (!l->running)
		return;
	l->c->src_stop = 1;
	pthread_join(l->th, NULL);
	l->running = false;
}

/* Moves queued frames into the run; true when there was one. lost_base carries
 * the losses of sources closed by restarts. */
static bool drain(struct live *l, uint64_t lost_base)
{
	bool any = false;

	pthread_mutex_lock(&l->mu);
	for (int i = 0; i < l->nq; i++) {
		hm_run_add(&l->c->run, &l->q[i]);
		hm_frame_free(&l->q[i]);
		any = true;
	}
	l->nq = 0;
	l->c->run.lost = lost_base + l->lost;
	pthread_mutex_unlock(&l->mu);
	return any;
}

/* The 1-2-5 steps the interval keys move through, in ms. */
static const uint64_t steps_ms[] = { 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000,
				     20000, 60000 };
#define NSTEPS (int)(sizeof(steps_ms) / sizeof(steps_ms[0]))

static uint64_t step_from(uint64_t us, int dir)
{
	uint64_t ms = us / 1000;

	if (dir > 0) {
		for (int i = 0; i < NSTEPS; i++)
			if (steps_ms[i] > ms)
				return steps_ms[i] * 1000;
		return us;
	}
	for (int i = NSTEPS - 1; i >= 0; i--)
		if (steps_ms[i] < ms)
			return steps_ms[i] * 1000;
	return us;
}

/*
 * Restarts the source with new intervals (close + open: no source changes them
 * in place). When the new ones are refused the old ones are reopened. 0, or the
 * source's error with why.
 */
static int restart(struct live *l, uint64_t aging_us, uint64_t aggr_us, uint64_t *lost_base,
		   char *msg, size_t size)
{
	struct hm_cmd *c = l->c;
	uint64_t old_aging = c->o.aging_us, old_aggr = c->o.aggregate_us;
	char why[512] = "";
	int rc;

	stop(l);
	drain(l, *lost_base);
	*lost_base = c->run.lost;
	c->ops->close(c->src);
	c->src = NULL;
	c->o.aging_us = aging_us;
	c->o.aggregate_us = aggr_us;
	rc = c->ops->open(&c->src, &c->o, why, sizeof(why));
	if (rc) {
		snprintf(msg, size, "refused %llu/%llu ms: %.60s", (unsigned long long)aging_us / 1000,
			 (unsigned long long)aggr_us / 1000, why);
		c->o.aging_us = old_aging;
		c->o.aggregate_us = old_aggr;
		rc = c->ops->open(&c->src, &c->o, why, sizeof(why));
		if (rc) {
			c->src = NULL;
			snprintf(l->why, sizeof(l->why), "%s", why);
			return rc;
		}
	}
	c->t_offset_ns = cli_now_ns() - c->t0_ns;
	c->run.aging_us = c->o.aging_us;
	c->run.aggregate_us = c->o.aggregate_us;
	return start(l);
}

/* Acts on a key that needs the source or the target; -errno ends the run. */
static int act(struct live *l, enum hm_tui_key key, uint64_t *lost_base, char *msg, size_t size)
{
	struct hm_cmd *c = l->c;
	uint64_t aging = c->o.aging_us, aggr = c->o.aggregate_us;
	struct mms_error err = { 0 };

	switch (key) {
	case HM_KEY_AGING_DOWN:
	case HM_KEY_AGING_UP:
		aging = step_from(aging, key == HM_KEY_AGING_UP ? 1 : -1);
		break;
	case HM_KEY_AGGR_DOWN:
	case HM_KEY_AGGR_UP:
		aggr = step_from(aggr, key == HM_KEY_AGGR_UP ? 1 : -1);
		break;
	case HM_KEY_REMAP: {
		struct hm_maps all = { 0 }, sel = { 0 };

		if (!hm_maps_read(c->o.pid, &all, &err) && !hm_roi_select(&c->o.roi, &all, &sel) &&
		    sel.n) {
			hm_run_set_axis(&c->run, &sel);
			snprintf(msg, size, "mappings re-read: %d", sel.n);
		}
		hm_maps_free(&all);
		hm_maps_free(&sel);
		return 0;
	}
	default:
		return 0;
	}
	if (aging >= aggr || (aging == c->o.aging_us && aggr == c->o.aggregate_us)) {
		snprintf(msg, size, "aging must stay below aggregate");
		return 0;
	}
	snprintf(msg, size, "restarted with %llu/%llu ms", (unsigned long long)aging / 1000,
		 (unsigned long long)aggr / 1000);
	return restart(l, aging, aggr, lost_base, msg, size);
}

int hm_live_run(struct hm_cmd *c)
{
	struct live l = { .c = c };
	struct hm_tui *t;
	uint64_t lost_base = 0;
	char msg[96] = "";
	int status = EXIT_DONE, rc = 0;

	pthread_mutex_init(&l.mu, NULL);
	t = hm_tui_open();
	if (!t)
		return cli_fail(c->cli, EXIT_RUNTIME, "cannot start the TUI on this terminal");
	hm_tui_draw(t, &c->run, "waiting for the first frame");
	if (start(&l))
		rc = -EAGAIN;
	while (!rc) {
		enum hm_tui_key key;
		bool done;

		if (cli_stop) {
			snprintf(c->run.note, sizeof(c->run.note), "stopped by a signal after %llu frames",
				 (unsigned long long)c->run.frames_total);
			break;
		}
		if (drain(&l, lost_base)) {
			hm_summary_finish(&c->run.sum);
			hm_tui_draw(t, &c->run, msg);
			if (hm_cmd_done(c))
				break;
		}
		pthread_mutex_lock(&l.mu);
		done = l.done;
		pthread_mutex_unlock(&l.mu);
		if (done) {
			if (l.rc == -ESRCH)
				c->exited = true;
			else if (l.rc != -EINTR)
				rc = l.rc;
			break;
		}
		key = hm_tui_key(t, &c->run, 100);
		if (key == HM_KEY_QUIT) {
			snprintf(c->run.note, sizeof(c->run.note), "quit after %llu frames",
				 (unsigned long long)c->run.frames_total);
			break;
		}
		if (key != HM_KEY_NONE) {
			msg[0] = '\0';
			rc = act(&l, key, &lost_base, msg, sizeof(msg));
			hm_tui_draw(t, &c->run, msg);
		}
	}
	stop(&l);
	drain(&l, lost_base);
	hm_tui_close(t);
	if (rc) {
		status = cli_fail(c->cli, EXIT_RUNTIME, "source %s: %s", c->ops->name,
				  l.why[0] ? l.why : strerror(-rc));
		snprintf(c->run.note, sizeof(c->run.note), "failed: %s", l.why);
	}
	pthread_mutex_destroy(&l.mu);
	return status;
}
