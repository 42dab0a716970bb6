// SPDX-License-Identifier: GPL-2.0
/*
 * The heatmap views' colour ramp and font sizes (heatmap_palette.h).
 */
#include <math.h>

#include "cmd/heatmap/heatmap_palette.h"

/* matplotlib's inferno at 0, 1/8, ... 1. */
static const uint8_t inferno[9][3] = {
	{ 0, 0, 4 },	 { 31, 12, 72 },   { 85, 15, 109 },  { 136, 34, 106 }, { 186, 54, 85 },
	{ 227, 89, 51 }, { 249, 140, 10 }, { 249, 201, 50 }, { 252, 255, 164 },
};

void hm_ramp(double v, uint8_t rgb[3])
{
	double x;
	int k;

	if (!(v > 0))
		v = 0;
	if (v > 1)
		v = 1;
	x = v * 8;
	k = (int)x;
	if (k >= 8)
		k = 7;
	x -= k;
	for (int i = 0; i < 3; i++)
		rgb[i] = (uint8_t)lround(inferno[k][i] + (inferno[k + 1][i] - inferno[k][i]) * x);
}

void hm_font_size(enum hm_font f, int *w, int *h)
{
	/* libgd: gdFontTiny 5x8, gdFontSmall 6x13, gdFontLarge 8x16. */
	static const int size[][2] = { { 5, 8 }, { 6, 13 }, { 8, 16 } };

	*w = size[f][0];
	*h = size[f][1];
}
