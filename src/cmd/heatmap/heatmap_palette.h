/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every heatmap view draws with: the colour ramp of accesses and the font
 * sizes (heatmap_palette.c). The layout (heatmap_picture.c), its two writers
 * (heatmap_png.c, heatmap_svg.c) and the TUI use it; it uses none of them.
 */
#ifndef MMS_HEATMAP_PALETTE_H
#define MMS_HEATMAP_PALETTE_H

#include <stdint.h>

/* The colour of accesses v (0..1) on the ramp (inferno-like: black, purple, red,
 * orange, pale yellow; lightness rises monotonically so it reads in grey too). */
void hm_ramp(double v, uint8_t rgb[3]);
#define HM_NODATA_RGB 0xdd, 0xdd, 0xdd /* not sampled: light grey, not on the ramp */

/* Font sizes, as libgd's built-in fonts measure them (SVG uses the same sizes). */
enum hm_font { HM_F_TINY, HM_F_SMALL, HM_F_LARGE };

/* Font cell sizes (width, height) in pixels. */
void hm_font_size(enum hm_font f, int *w, int *h);

#endif
