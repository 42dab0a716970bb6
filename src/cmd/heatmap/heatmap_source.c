// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope heatmap: its source and its frames. The source is the one asked for, or
 * the best of mms_heatmap_backends[] that opens, with why each better one refused
 * (the exit-3 message when none opens). A frame from the source is finished here: cut
 * to the target's selected mappings read right after it, timed from the run's
 * start (a source restarted by the TUI counts its time from its own open).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/heatmap/heatmap_cmd.h"
#include "output/view.h"

/* The run's clock starts when its source does (sources that refused took time). */
static int run_starts(struct hm_cmd *c)
{
	c->t0_ns = cli_now_ns();
	c->t_offset_ns = 0;
	return 0;
}

/* The target vanished before its source opened: our command ended by itself (a
 * run-time matter), or the -p process was gone (bad input, as if it never was). */
static int target_gone(struct hm_cmd *c, const char *why)
{
	char name[TEXT_ESC_SIZE(256)];

	if (c->child)
		return cli_fail(c->cli, EXIT_RUNTIME, "-- %s exited before the first frame",
				text_esc(c->command[0], name, sizeof(name)));
	return cli_fail(c->cli, EXIT_USAGE, "-p %d: %s", (int)c->o.pid, why);
}

/*
 * The automatic choice walks the "heatmap" table (mms_backend_walk, as `features`
 * does). Every better source is asked in the table's order, in its own words, even
 * one the walk passed over because a feature it needs is missing: the reasons shown
 * (skipped[], the exit-3 message) are the sources' own, as they always were.
 */
struct walk {
	struct hm_cmd *c;
	struct mms_features *fs;
	const struct mms_capability *cap;
	const struct mms_backend *next; /* the first entry not asked yet */
	char gone[512];                 /* why, when the target vanished */
	char all[2048];                 /* "name: why; ..." for the exit-3 message */
	size_t len;
};

static void refused(struct walk *w, const char *name, int rc, const char *why)
{
	struct hm_run *run = &w->c->run;
	const char *root = rc == -EPERM ? "needs root: " : "";

	if (run->nskipped < (int)(sizeof(run->skipped) / sizeof(run->skipped[0]))) {
		struct hm_skip *k = &run->skipped[run->nskipped++];

		k->source = name;
		snprintf(k->reason, sizeof(k->reason), "%s%s", root, why);
	}
	w->len += snprintf(w->all + w->len, w->len < sizeof(w->all) ? sizeof(w->all) - w->len : 0,
			   "%s%s: %s%s", w->len ? "; " : "", name, root, why);
}

/* Opens b's source (usable: it is the one chosen) or asks it why not (not usable:
 * one that opens all the same is closed again, refused for what the walk found).
 * 0 when opened; -ESRCH (the target is gone) ends the walk; else -EOPNOTSUPP. */
static int try_source(struct walk *w, const struct mms_backend *b, bool usable, char *why,
		      size_t size)
{
	const struct hm_source_ops *ops = b->ops;
	struct hm_cmd *c = w->c;
	int rc;

	w->next = b + 1;
	why[0] = '\0';
	rc = ops->open(&c->src, &c->o, why, size);
	if (!rc && usable) {
		c->ops = ops;
		return 0;
	}
	if (!rc) {
		ops->close(c->src);
		mms_backend_usable(w->fs, w->cap, b, why, size);
		rc = -EOPNOTSUPP;
	}
	c->src = NULL;
	if (rc == -ESRCH) {
		snprintf(w->gone, sizeof(w->gone), "%s", why);
		return rc;
	}
	refused(w, ops->name, rc, why);
	return -EOPNOTSUPP;
}

/* The walk's open: the better sources it passed over are asked first. */
static int walk_open(const struct mms_backend *b, void *ctx, char *why, size_t size)
{
	struct walk *w = ctx;

	while (w->next < b)
		if (try_source(w, w->next, false, why, size) == -ESRCH)
			return -ESRCH;
	return try_source(w, b, true, why, size);
}

int hm_cmd_open_source(struct hm_cmd *c)
{
	struct mms_features fs = { .host = c->cli->host };
	struct walk w = { .c = c, .fs = &fs, .cap = mms_capability_find("heatmap") };
	char why[512];
	int rc;

	c->run.nskipped = 0;
	if (c->want_source) {
		c->ops = mms_backend_find(w.cap, c->want_source)->ops;
		why[0] = '\0';
		rc = c->ops->open(&c->src, &c->o, why, sizeof(why));
		if (!rc)
			return run_starts(c);
		c->src = NULL;
		if (rc == -ESRCH)
			return target_gone(c, why);
		if (rc == -EINVAL)
			return cli_fail(c->cli, EXIT_USAGE, "--source %s: %s", c->ops->name, why);
		return cli_fail(c->cli, rc == -ENOMEM ? EXIT_RUNTIME : EXIT_UNSUPPORTED,
				"--source %s: %s%s", c->ops->name,
				rc == -EPERM ? "needs root: " : "", why);
	}
	w.next = w.cap->backends;
	rc = mms_backend_walk(&fs, w.cap, walk_open, &w, NULL);
	/* None opened: the rest are asked too, for the message. */
	while (rc && rc != -ESRCH && w.next->name)
		if (try_source(&w, w.next, false, why, sizeof(why)) == -ESRCH)
			rc = -ESRCH;
	if (rc == -ESRCH)
		return target_gone(c, w.gone);
	if (rc)
		return cli_fail(c->cli, EXIT_UNSUPPORTED, "no access source works here: %s", w.all);
	return run_starts(c);
}

static int maps_copy(struct hm_maps *dst, const struct hm_maps *src)
{
	if (dst->cap < src->n) {
		struct hm_mapping *v = realloc(dst->v, (size_t)src->n * sizeof(*v));

		if (!v)
			return -ENOMEM;
		dst->v = v;
		dst->cap = src->n;
	}
	if (src->n)
		memcpy(dst->v, src->v, (size_t)src->n * sizeof(*src->v));
	dst->n = src->n;
	return 0;
}

int hm_cmd_next(struct hm_cmd *c, struct hm_frame *f, char *why, size_t size)
{
	struct mms_error err = { 0 };
	int rc = c->ops->next(c->src, f, why, size);

	if (rc)
		return rc;
	f->t_ns += c->t_offset_ns;
	/* The target may be gone by now: its last mappings still label the frame. */
	if (!hm_maps_read(c->o.pid, &c->all, &err))
		hm_roi_select(&c->o.roi, &c->all, &c->sel);
	if (maps_copy(&f->maps, &c->sel))
		return -ENOMEM;
	hm_frame_finish(f);
	return 0;
}

bool hm_cmd_done(const struct hm_cmd *c)
{
	double elapsed = (double)(cli_now_ns() - c->t0_ns) / 1e9;

	if (c->max_frames && c->run.frames_total >= (uint64_t)c->max_frames)
		return true;
	/* A frame ends near the deadline, not on it: stop within half a frame of it. */
	return c->duration && elapsed + (double)c->o.aggregate_us / 2e6 >= c->duration;
}
