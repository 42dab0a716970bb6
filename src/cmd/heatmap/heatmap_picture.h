/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One layout for both picture formats: hm_pic_layout() computes the heatmap's
 * grid of cells and a short display list (rectangles, lines, text) for the title,
 * axes, ticks, mapping names, legend and summary line; the PNG and the SVG writers
 * only render it, so the two pictures always agree.
 */
#ifndef MMS_HEATMAP_PICTURE_H
#define MMS_HEATMAP_PICTURE_H

#include "cmd/heatmap/heatmap_palette.h"
#include "cmd/heatmap/heatmap_view.h"

enum hm_prim_kind { HM_P_RECT, HM_P_LINE, HM_P_TEXT };

struct hm_prim {
	enum hm_prim_kind kind;
	int x0, y0, x1, y1;  /* rect: corners (inclusive); line: ends; text: x0,y0 = anchor */
	uint8_t rgb[3];
	enum hm_font font;
	int align;           /* text: 0 left, 1 centre, 2 right of x0 */
	char text[160];
};

struct hm_pic {
	int w, h;                /* picture size */
	int px, py, pw, ph;      /* the plot: top-left corner and size */
	int cols, rows;          /* grid; cell (c, r) is cell[c * rows + r], -1 not sampled */
	float *cell;
	struct hm_prim *p;
	int np, capp;
};

/* Lays r out; max_cols/max_rows cap the grid (the SVG keeps it small). 0 or -ENOMEM. */
int hm_pic_layout(const struct hm_run *r, int max_cols, int max_rows, struct hm_pic *pic);
void hm_pic_free(struct hm_pic *pic);

int hm_png_write(const struct hm_pic *pic, const char *path, char *why, size_t size);
int hm_svg_write(const struct hm_pic *pic, const char *path, char *why, size_t size);

#endif
