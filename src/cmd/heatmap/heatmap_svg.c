// SPDX-License-Identifier: GPL-2.0
/*
 * The heatmap as SVG, written as text from the shared layout (heatmap_picture.c).
 * Each grid column is written as runs of equal colour (one <rect> per run, not
 * per cell, colours in 32 levels), so a hot and a cold mapping make a handful of
 * elements per column and the file stays small enough to open in a browser. Text is
 * XML-escaped: mapping names are file paths and may hold any byte (docs/names.md).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cmd/heatmap/heatmap_picture.h"
#include "output/view.h"

/*
 * s as XML character data or an attribute value: & < > " ' as entities, and each
 * character XML 1.0 forbids (controls but tab, newline and CR; U+FFFE, U+FFFF) or
 * byte that is not valid UTF-8 as U+FFFD. The layout's names are already escaped
 * for a terminal (text_esc); this keeps any text well-formed all the same.
 */
static void put_escaped(FILE *fp, const char *s)
{
	size_t len = strlen(s);

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		int k = utf8_seq(s + i, len - i, &cp);

		if (!k || (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0xfffe ||
		    cp == 0xffff) {
			fputs("\xef\xbf\xbd", fp); /* U+FFFD */
			i += k ? (size_t)k : 1;
			continue;
		}
		switch (cp) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&apos;", fp); break;
		default: fwrite(s + i, 1, (size_t)k, fp);
		}
		i += (size_t)k;
	}
}

static void put_prim(FILE *fp, const struct hm_prim *p)
{
	static const char *const anchor[] = { "start", "middle", "end" };
	int w, h;

	switch (p->kind) {
	case HM_P_RECT:
		fprintf(fp, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#%02x%02x%02x\"/>\n",
			p->x0, p->y0, p->x1 - p->x0 + 1, p->y1 - p->y0 + 1, p->rgb[0], p->rgb[1],
			p->rgb[2]);
		break;
	case HM_P_LINE:
		fprintf(fp, "<line x1=\"%d.5\" y1=\"%d.5\" x2=\"%d.5\" y2=\"%d.5\" stroke=\"#%02x%02x%02x\"/>\n",
			p->x0, p->y0, p->x1, p->y1, p->rgb[0], p->rgb[1], p->rgb[2]);
		break;
	case HM_P_TEXT:
		/* libgd places text by its top edge; SVG by the baseline. */
		hm_font_size(p->font, &w, &h);
		fprintf(fp, "<text x=\"%d\" y=\"%d\" font-size=\"%d\" text-anchor=\"%s\">", p->x0,
			p->y0 + h * 4 / 5, h * 4 / 5 + 1, anchor[p->align]);
		put_escaped(fp, p->text);
		fputs("</text>\n", fp);
		break;
	}
}

/* 32 levels: indistinguishable on the ramp, and neighbours merge into one <rect>. */
static void svg_colour(float v, uint8_t rgb[3])
{
	hm_ramp(roundf(v * 31) / 31, rgb);
}

static void put_grid(FILE *fp, const struct hm_pic *pic)
{
	fputs("<g class=\"cells\" shape-rendering=\"crispEdges\">\n", fp);
	for (int c = 0; c < pic->cols; c++) {
		int x0 = pic->px + c * pic->pw / pic->cols;
		int x1 = pic->px + (c + 1) * pic->pw / pic->cols;
		int k = 0;

		while (k < pic->rows) {
			float v = pic->cell[c * pic->rows + k];
			uint8_t rgb[3], next[3];
			int j = k + 1;

			if (v < 0) {
				k++;
				continue;
			}
			svg_colour(v, rgb);
			while (j < pic->rows && pic->cell[c * pic->rows + j] >= 0) {
				svg_colour(pic->cell[c * pic->rows + j], next);
				if (memcmp(rgb, next, 3))
					break;
				j++;
			}
			fprintf(fp, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#%02x%02x%02x\"/>\n",
				x0, pic->py + k * pic->ph / pic->rows, x1 - x0,
				pic->py + j * pic->ph / pic->rows - (pic->py + k * pic->ph / pic->rows),
				rgb[0], rgb[1], rgb[2]);
			k = j;
		}
	}
	fputs("</g>\n", fp);
}

int hm_svg_write(const struct hm_pic *pic, const char *path, char *why, size_t size)
{
	FILE *fp = fopen(path, "w");

	if (!fp) {
		snprintf(why, size, "%s: %s", path, strerror(errno));
		return -errno;
	}
	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		    "viewBox=\"0 0 %d %d\" font-family=\"monospace\" fill=\"#202020\">\n"
		    "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n",
		    pic->w, pic->h, pic->w, pic->h);
	if (pic->np)
		put_prim(fp, &pic->p[0]);
	if (pic->cell)
		put_grid(fp, pic);
	fputs("<g class=\"labels\">\n", fp);
	for (int i = 1; i < pic->np; i++)
		put_prim(fp, &pic->p[i]);
	fputs("</g>\n</svg>\n", fp);
	if (fclose(fp)) {
		snprintf(why, size, "%s: %s", path, strerror(errno));
		return -errno;
	}
	return 0;
}
