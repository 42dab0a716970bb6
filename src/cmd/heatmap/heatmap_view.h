/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The views of `mmscope heatmap`: what a run collected (struct hm_run), and the
 * ways to show it: a live TUI, JSON, CSV, plain text lines with a summary table,
 * and a picture (PNG through libgd, SVG written as text, both from one layout).
 *
 * Views never read the kernel: the command fills the run (frames as the source
 * hands them over, the address axis, the summary) and calls a view. Every view
 * draws the address axis the same way: the selected mappings laid end to end with
 * the gaps removed (hm_project), time left to right, colour by accesses on one
 * perceptual ramp (hm_ramp, heatmap_palette.h), "not sampled" distinct from
 * "sampled, never accessed".
 */
#ifndef MMS_HEATMAP_VIEW_H
#define MMS_HEATMAP_VIEW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "lib/heatmap/heatmap.h"

struct hm_run {
	const char *source;  /* source name ("refs") */
	const char *how;     /* the source's describe() line, or NULL */
	pid_t pid;
	char target[128];    /* the command line (-- COMMAND) or /proc/PID/comm */
	uint64_t aging_us, aggregate_us;
	/* Frames kept for the views: regions only (maps empty), oldest first. The TUI
	 * alone keeps a bounded window (keep_max), the others every frame. */
	struct hm_frame *f;
	int n, cap, keep_max;
	uint64_t frames_total; /* frames seen, including those no longer kept */
	struct hm_maps axis;   /* every selected mapping seen during the run, in order */
	struct hm_summary sum; /* over every frame */
	uint64_t lost;         /* records the source lost */
	char note[256];        /* how the run ended, or "" */
	struct hm_skip {       /* better sources that refused, and why */
		const char *source;
		char reason[256];
	} skipped[8];
	int nskipped;
};

/* ---- the run (src/output/heatmap_run.c) ---- */

void hm_run_init(struct hm_run *r);
/*
 * Adds a finished frame (regions clipped to f->maps): the summary sees it, the
 * axis grows by its mappings, and a copy of its regions is kept. 0 or -ENOMEM.
 */
int hm_run_add(struct hm_run *r, const struct hm_frame *f);
/* Replaces the axis by maps (the TUI's "re-read mappings"). */
int hm_run_set_axis(struct hm_run *r, const struct hm_maps *maps);
void hm_run_free(struct hm_run *r);
/* Byte-weighted mean accesses of f over mapping m; -1 when f has nothing there. */
double hm_mapping_mean(const struct hm_frame *f, const struct hm_mapping *m);

/* ---- text views (src/output/heatmap_text.c) ---- */

/* One line for frame f of r: time, WSS, regions, hottest mapping. */
void hm_text_frame(const struct hm_run *r, const struct hm_frame *f, FILE *out);
/* The summary tables: WSS min/mean/max, never-accessed bytes per mapping, hottest ranges. */
void hm_text_summary(const struct hm_run *r, FILE *out);
void hm_csv_header(FILE *out);
void hm_csv_frame(const struct hm_frame *f, FILE *out);
/* The whole run as one JSON document (keys documented in docs/heatmap.md). */
json_t *hm_json(const struct hm_run *r);

/* ---- pictures (heatmap_picture.c, heatmap_png.c, heatmap_svg.c) ---- */

enum hm_pic_format { HM_PIC_NONE, HM_PIC_PNG, HM_PIC_SVG };

/* The format named by path's extension (.png, .svg; any case), or HM_PIC_NONE. */
enum hm_pic_format hm_pic_format_of(const char *path);
/* Draws r into path. 0, or a negative errno with why filled. */
int hm_pic_write(const struct hm_run *r, const char *path, char *why, size_t size);

/* ---- live TUI (src/output/heatmap_tui.c) ---- */

enum hm_tui_key {
	HM_KEY_NONE,
	HM_KEY_QUIT,
	HM_KEY_AGING_DOWN,
	HM_KEY_AGING_UP,
	HM_KEY_AGGR_DOWN,
	HM_KEY_AGGR_UP,
	HM_KEY_REMAP,
};

struct hm_tui;

/* Takes over the terminal (curses). NULL when it cannot (not a terminal). */
struct hm_tui *hm_tui_open(void);
/* Draws r (the newest frames at the right); status is an extra word ("restarting"). */
void hm_tui_draw(struct hm_tui *t, const struct hm_run *r, const char *status);
/*
 * Waits up to timeout_ms for a key, handling the keys that only change the view
 * (pause, zoom, scroll, resize) itself; returns the ones the command must act on.
 */
enum hm_tui_key hm_tui_key(struct hm_tui *t, const struct hm_run *r, int timeout_ms);
/* Gives the terminal back as it was. Safe to call twice and with NULL. */
void hm_tui_close(struct hm_tui *t);

#endif
