// SPDX-License-Identifier: GPL-2.0
/*
 * The heatmap as a PNG, through libgd (its built-in bitmap fonts label the axes,
 * so the static binary needs no font files). Renders the shared layout
 * (heatmap_picture.c): the plot background, then the grid, then everything else.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <gd.h>
#include <gdfontl.h>
#include <gdfonts.h>
#include <gdfontt.h>

#include "cmd/heatmap/heatmap_picture.h"

static gdFontPtr font_of(enum hm_font f)
{
	switch (f) {
	case HM_F_TINY:
		return gdFontGetTiny();
	case HM_F_LARGE:
		return gdFontGetLarge();
	default:
		return gdFontGetSmall();
	}
}

static void draw_prim(gdImagePtr im, const struct hm_prim *p)
{
	int color = gdTrueColor(p->rgb[0], p->rgb[1], p->rgb[2]);

	switch (p->kind) {
	case HM_P_RECT:
		gdImageFilledRectangle(im, p->x0, p->y0, p->x1, p->y1, color);
		break;
	case HM_P_LINE:
		gdImageLine(im, p->x0, p->y0, p->x1, p->y1, color);
		break;
	case HM_P_TEXT: {
		gdFontPtr font = font_of(p->font);
		int w = (int)strlen(p->text) * font->w;
		int x = p->align == 1 ? p->x0 - w / 2 : p->align == 2 ? p->x0 - w : p->x0;

		gdImageString(im, font, x, p->y0, (unsigned char *)p->text, color);
		break;
	}
	}
}

static void draw_grid(gdImagePtr im, const struct hm_pic *pic)
{
	uint8_t rgb[3];

	for (int c = 0; c < pic->cols; c++) {
		int x0 = pic->px + c * pic->pw / pic->cols;
		int x1 = pic->px + (c + 1) * pic->pw / pic->cols - 1;

		for (int k = 0; k < pic->rows; k++) {
			float v = pic->cell[c * pic->rows + k];

			if (v < 0)
				continue; /* not sampled: the background shows */
			hm_ramp(v, rgb);
			gdImageFilledRectangle(im, x0, pic->py + k * pic->ph / pic->rows, x1,
					       pic->py + (k + 1) * pic->ph / pic->rows - 1,
					       gdTrueColor(rgb[0], rgb[1], rgb[2]));
		}
	}
}

int hm_png_write(const struct hm_pic *pic, const char *path, char *why, size_t size)
{
	gdImagePtr im = gdImageCreateTrueColor(pic->w, pic->h);
	FILE *fp;
	int rc = 0;

	if (!im) {
		snprintf(why, size, "out of memory");
		return -ENOMEM;
	}
	gdImageFilledRectangle(im, 0, 0, pic->w - 1, pic->h - 1, gdTrueColor(255, 255, 255));
	if (pic->np)
		draw_prim(im, &pic->p[0]);
	if (pic->cell)
		draw_grid(im, pic);
	for (int i = 1; i < pic->np; i++)
		draw_prim(im, &pic->p[i]);
	fp = fopen(path, "wb");
	if (!fp) {
		rc = -errno;
		snprintf(why, size, "%s: %s", path, strerror(errno));
	} else {
		gdImagePngEx(im, fp, 9);
		if (fclose(fp)) {
			rc = -errno;
			snprintf(why, size, "%s: %s", path, strerror(errno));
		}
	}
	gdImageDestroy(im);
	return rc;
}
