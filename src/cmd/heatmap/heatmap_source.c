// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope heatmap: its source and its frames. The source is the one asked for, or
 * the best of hm_sources[] that opens, with why each better one refused (the
 * exit-3 message when none opens). A frame from the source is finished here: cut
 * to the target's selected mappings read right after it, timed from the run's
 * start (a source restarted by the TUI counts its time from its own open).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/heatmap/heatmap_cmd.h"

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
	if (c->child)
		return cli_fail(c->cli, EXIT_RUNTIME, "-- %s exited before the first frame",
				c->command[0]);
	return cli_fail(c->cli, EXIT_USAGE, "-p %d: %s", (int)c->o.pid, why);
}

int hm_cmd_open_source(struct hm_cmd *c)
{
	char why[512], all[2048];
	size_t len = 0;
	int rc = -ENOENT;

	c->run.nskipped = 0;
	if (c->want_source) {
		c->ops = hm_source_find(c->want_source);
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
	for (int i = 0; hm_sources[i]; i++) {
		why[0] = '\0';
		rc = hm_sources[i]->open(&c->src, &c->o, why, sizeof(why));
		if (!rc) {
			c->ops = hm_sources[i];
			return run_starts(c);
		}
		c->src = NULL;
		if (rc == -ESRCH)
			return target_gone(c, why);
		if (c->run.nskipped < (int)(sizeof(c->run.skipped) / sizeof(c->run.skipped[0]))) {
			struct hm_skip *k = &c->run.skipped[c->run.nskipped++];

			k->source = hm_sources[i]->name;
			snprintf(k->reason, sizeof(k->reason), "%s%s",
				 rc == -EPERM ? "needs root: " : "", why);
		}
		len += snprintf(all + len, len < sizeof(all) ? sizeof(all) - len : 0, "%s%s: %s%s",
				len ? "; " : "", hm_sources[i]->name,
				rc == -EPERM ? "needs root: " : "", why);
	}
	return cli_fail(c->cli, EXIT_UNSUPPORTED, "no access source works here: %s", all);
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
