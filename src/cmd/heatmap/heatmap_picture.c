// SPDX-License-Identifier: GPL-2.0
/*
 * The heatmap picture's layout, shared by PNG and SVG (see heatmap_picture.h), in
 * the manner of the seed's screenshot and of damo's heatmaps: time left to right,
 * address top to bottom, colour by accesses.
 *
 *   +--------------------------------------------------------------+
 *   | title: target, pid; source, intervals, frames                |
 *   | names  addr |                 plot                 | legend   |
 *   |  [heap] 55a0|----- mapping boundary ---------------| 1.0 ███  |
 *   |         55a1|                                      |     ...  |
 *   |             | time ticks (s)                       | no data  |
 *   | summary: WSS min/mean/max, never accessed, hottest, lost     |
 *   +--------------------------------------------------------------+
 *
 * A grid column averages the frames that fall into it (more frames than pixels),
 * a grid row is one hm_project() cell of the gap-free address axis. Labels that
 * would overlap are dropped rather than drawn over each other: a real process has
 * hundreds of small mappings and only the ones tall enough get a name.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/heatmap/heatmap_picture.h"
#include "output/view.h"

#define PIC_W 1000
#define PIC_H 620
#define MARGIN_L 200
#define MARGIN_R 110
#define MARGIN_T 64
#define MARGIN_B 70

static struct hm_prim *prim(struct hm_pic *pic, enum hm_prim_kind kind, int x0, int y0, int x1,
			    int y1, uint8_t r, uint8_t g, uint8_t b)
{
	struct hm_prim *p;

	if (hm_grow(&pic->p, pic->np, &pic->capp, 128))
		return NULL;
	p = &pic->p[pic->np++];
	memset(p, 0, sizeof(*p));
	*p = (struct hm_prim){ .kind = kind, .x0 = x0, .y0 = y0, .x1 = x1, .y1 = y1,
			       .rgb = { r, g, b } };
	return p;
}

static void text(struct hm_pic *pic, int x, int y, enum hm_font f, int align, const char *fmt,
		 ...) __attribute__((format(printf, 6, 7)));
static void text(struct hm_pic *pic, int x, int y, enum hm_font f, int align, const char *fmt,
		 ...)
{
	struct hm_prim *p = prim(pic, HM_P_TEXT, x, y, x, y, 0x20, 0x20, 0x20);
	va_list ap;

	if (!p)
		return;
	p->font = f;
	p->align = align;
	va_start(ap, fmt);
	vsnprintf(p->text, sizeof(p->text), fmt, ap);
	va_end(ap);
}

/* Averages the frames of each column into the grid. */
static int fill_grid(const struct hm_run *r, struct hm_pic *pic)
{
	float *tmp = malloc((size_t)pic->rows * sizeof(*tmp));
	float *sum = calloc((size_t)pic->rows * 2, sizeof(*sum));
	uint64_t hi = hm_axis_bytes(&r->axis);

	pic->cell = malloc((size_t)pic->cols * pic->rows * sizeof(*pic->cell));
	if (!tmp || !sum || !pic->cell) {
		free(tmp);
		free(sum);
		return -ENOMEM;
	}
	for (int c = 0; c < pic->cols; c++) {
		int f0 = (int)((int64_t)c * r->n / pic->cols);
		int f1 = (int)((int64_t)(c + 1) * r->n / pic->cols);
		float *cnt = sum + pic->rows;

		memset(sum, 0, (size_t)pic->rows * 2 * sizeof(*sum));
		for (int f = f0; f < f1; f++) {
			hm_project(&r->f[f], &r->axis, 0, hi, pic->rows, tmp);
			for (int k = 0; k < pic->rows; k++)
				if (tmp[k] >= 0) {
					sum[k] += tmp[k];
					cnt[k] += 1;
				}
		}
		for (int k = 0; k < pic->rows; k++)
			pic->cell[c * pic->rows + k] = cnt[k] > 0 ? sum[k] / cnt[k] : -1;
	}
	free(tmp);
	free(sum);
	return 0;
}

/* A 1-2-5 step giving about n ticks over span. */
static double nice_step(double span, int n)
{
	double raw = span / n, mag = pow(10, floor(log10(raw)));

	if (raw <= mag)
		return mag;
	if (raw <= 2 * mag)
		return 2 * mag;
	if (raw <= 5 * mag)
		return 5 * mag;
	return 10 * mag;
}

static void time_axis(const struct hm_run *r, struct hm_pic *pic)
{
	double t1 = (double)r->f[r->n - 1].t_ns / 1e9, step;
	/* A frame's length as measured (a shared kdamond keeps its own intervals). */
	double len = r->n > 1 ? (t1 - (double)r->f[0].t_ns / 1e9) / (r->n - 1)
			      : (double)r->aggregate_us / 1e6;
	double t0 = (double)r->f[0].t_ns / 1e9 - len;
	int yb = pic->py + pic->ph;

	if (t0 < 0)
		t0 = 0;
	if (t1 <= t0)
		t1 = t0 + 1;
	step = nice_step(t1 - t0, 8);
	for (double t = ceil(t0 / step) * step; t <= t1 + 1e-9; t += step) {
		int x = pic->px + (int)lround((t - t0) / (t1 - t0) * (pic->pw - 1));

		prim(pic, HM_P_LINE, x, yb, x, yb + 4, 0x20, 0x20, 0x20);
		text(pic, x, yb + 6, HM_F_SMALL, 1, "%g", t);
	}
	text(pic, pic->px + pic->pw / 2, yb + 20, HM_F_SMALL, 1, "time (s)");
}

/* Short mapping name: the last path component, escaped (text_esc), at most max
 * characters. */
static void short_name(const char *name, int max, char *out, size_t size)
{
	const char *slash = name[0] == '/' ? strrchr(name, '/') : NULL;
	const char *s = slash && slash[1] ? slash + 1 : name;

	text_esc(s, out, size);
	text_cut(out, max);
}

/* Whether a label at y (fh tall) is clear of the ones placed, and places it. */
static bool claim(int *labels, int *nl, int max, int y, int fh)
{
	for (int k = 0; k < *nl; k++)
		if (y > labels[k] - fh - 2 && y < labels[k] + fh + 2)
			return false;
	if (*nl < max)
		labels[(*nl)++] = y;
	return true;
}

static int by_size_desc(const void *a, const void *b, void *arg)
{
	const struct hm_mapping *v = arg;
	uint64_t x = v[*(const int *)a].end - v[*(const int *)a].start;
	uint64_t y = v[*(const int *)b].end - v[*(const int *)b].start;

	return x < y ? 1 : x > y ? -1 : *(const int *)a - *(const int *)b;
}

static void address_axis(const struct hm_run *r, struct hm_pic *pic)
{
	uint64_t total = hm_axis_bytes(&r->axis), base = 0;
	int fw, fh, labels[1024], nl = 0, *order, *top;

	hm_font_size(HM_F_SMALL, &fw, &fh);
	text(pic, pic->px - 4, pic->py - 10, HM_F_TINY, 2, "address (mappings end to end)");
	order = malloc((size_t)r->axis.n * 2 * sizeof(*order) + 1);
	if (!order || !total) {
		free(order);
		return;
	}
	top = order + r->axis.n;
	for (int i = 0; i < r->axis.n; i++) {
		const struct hm_mapping *m = &r->axis.v[i];

		order[i] = i;
		top[i] = pic->py + (int)((double)base / (double)total * pic->ph);
		/* Every boundary is drawn; only the names that fit are written. */
		if (i)
			prim(pic, HM_P_LINE, pic->px, top[i], pic->px + pic->pw - 1, top[i], 0x80,
			     0x80, 0x80);
		base += m->end - m->start;
	}
	/* The largest mappings are named first: they are what the picture is about. */
	qsort_r(order, r->axis.n, sizeof(*order), by_size_desc, r->axis.v);
	for (int k = 0; k < r->axis.n; k++) {
		const struct hm_mapping *m = &r->axis.v[order[k]];
		int y = top[order[k]];
		char name[64];

		if (y > pic->py + pic->ph - fh || !claim(labels, &nl, 1024, y, fh))
			continue;
		short_name(m->name, (MARGIN_L - 74) / fw, name, sizeof(name));
		prim(pic, HM_P_LINE, 4, y, pic->px - 1, y, 0xb0, 0xb0, 0xb0);
		text(pic, 4, y + 1, HM_F_SMALL, 0, "%s", name);
		text(pic, pic->px - 4, y + 2, HM_F_TINY, 2, "%llx", (unsigned long long)m->start);
	}
	free(order);
	/* Address ticks inside tall mappings, clear of the names, page aligned. */
	for (int y = pic->py + 36; y < pic->py + pic->ph - 8; y += 36) {
		uint64_t pos = (uint64_t)((double)(y - pic->py) / pic->ph * (double)total), lo;
		const struct hm_mapping *m = hm_axis_mapping(&r->axis, pos, &lo);

		if (!m || !claim(labels, &nl, 1024, y, fh))
			continue;
		prim(pic, HM_P_LINE, pic->px - 4, y, pic->px - 1, y, 0x20, 0x20, 0x20);
		text(pic, pic->px - 6, y - 3, HM_F_TINY, 2, "%llx",
		     (unsigned long long)((m->start + (pos - lo)) & ~0xfffULL));
	}
}

static void legend(struct hm_pic *pic)
{
	int x = pic->px + pic->pw + 24, y0 = pic->py + 18, h = 200;
	uint8_t rgb[3];

	text(pic, x - 6, pic->py, HM_F_SMALL, 0, "accesses");
	for (int i = 0; i < h; i++) {
		hm_ramp(1.0 - (double)i / (h - 1), rgb);
		prim(pic, HM_P_RECT, x, y0 + i, x + 18, y0 + i, rgb[0], rgb[1], rgb[2]);
	}
	for (int k = 0; k <= 4; k++) {
		int y = y0 + (h - 1) - k * (h - 1) / 4;

		prim(pic, HM_P_LINE, x + 19, y, x + 23, y, 0x20, 0x20, 0x20);
		text(pic, x + 26, y - 6, HM_F_SMALL, 0, "%.2g", k / 4.0);
	}
	prim(pic, HM_P_RECT, x, y0 + h + 16, x + 18, y0 + h + 30, HM_NODATA_RGB);
	text(pic, x - 6, y0 + h + 34, HM_F_SMALL, 0, "not");
	text(pic, x - 6, y0 + h + 47, HM_F_SMALL, 0, "sampled");
}

static void title_and_summary(const struct hm_run *r, struct hm_pic *pic)
{
	const struct hm_summary *s = &r->sum;
	uint64_t total = 0, never = 0;
	char a[16], b[16], c[16], d[16], e[16], target[TEXT_ESC_SIZE(sizeof(r->target))];

	text(pic, 8, 6, HM_F_LARGE, 0, "mmscope heatmap: %s (pid %d)",
	     text_esc(r->target, target, sizeof(target)), (int)r->pid);
	text(pic, 8, 26, HM_F_SMALL, 0,
	     "source %s, aging %llu ms, aggregate %llu ms, %llu frames", r->source,
	     (unsigned long long)r->aging_us / 1000, (unsigned long long)r->aggregate_us / 1000,
	     (unsigned long long)r->frames_total);
	/* How the source ran, in its words: a shared kdamond's own intervals, losses. */
	if (r->how)
		text(pic, 8, 41, HM_F_TINY, 0, "%.190s", r->how);
	for (int i = 0; i < s->nmaps; i++) {
		total += s->maps[i].bytes;
		never += s->maps[i].never_accessed;
	}
	text(pic, 8, pic->h - 18, HM_F_SMALL, 0,
	     "working set min %s, mean %s, max %s; never accessed %s of %s%s%s",
	     fmt_bytes(s->wss_min, a), fmt_bytes((uint64_t)s->wss_mean, b),
	     fmt_bytes(s->wss_max, c), fmt_bytes(never, d), fmt_bytes(total, e),
	     r->lost ? "; records lost: " : "", r->lost ? "yes" : "");
}

int hm_pic_layout(const struct hm_run *r, int max_cols, int max_rows, struct hm_pic *pic)
{
	memset(pic, 0, sizeof(*pic));
	pic->w = PIC_W;
	pic->h = PIC_H;
	pic->px = MARGIN_L;
	pic->py = MARGIN_T;
	pic->pw = PIC_W - MARGIN_L - MARGIN_R;
	pic->ph = PIC_H - MARGIN_T - MARGIN_B;
	pic->cols = r->n < pic->pw ? r->n : pic->pw;
	if (pic->cols > max_cols)
		pic->cols = max_cols;
	pic->rows = pic->ph < max_rows ? pic->ph : max_rows;
	if (pic->cols < 1)
		pic->cols = 1;
	/* The plot's background is "not sampled"; the grid covers it where there is data. */
	prim(pic, HM_P_RECT, pic->px, pic->py, pic->px + pic->pw - 1, pic->py + pic->ph - 1,
	     HM_NODATA_RGB);
	if (r->n && fill_grid(r, pic))
		return -ENOMEM;
	if (r->n)
		time_axis(r, pic);
	address_axis(r, pic);
	legend(pic);
	title_and_summary(r, pic);
	return pic->p ? 0 : -ENOMEM;
}

void hm_pic_free(struct hm_pic *pic)
{
	free(pic->cell);
	free(pic->p);
	memset(pic, 0, sizeof(*pic));
}

enum hm_pic_format hm_pic_format_of(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot && !strcasecmp(dot, ".png"))
		return HM_PIC_PNG;
	if (dot && !strcasecmp(dot, ".svg"))
		return HM_PIC_SVG;
	return HM_PIC_NONE;
}

int hm_pic_write(const struct hm_run *r, const char *path, char *why, size_t size)
{
	enum hm_pic_format fmt = hm_pic_format_of(path);
	struct hm_pic pic;
	int rc;

	if (fmt == HM_PIC_NONE) {
		snprintf(why, size, "%s: expected a .png or .svg file name", path);
		return -EINVAL;
	}
	/* SVG cells are elements: a coarser grid keeps the file small. */
	rc = hm_pic_layout(r, fmt == HM_PIC_SVG ? 350 : 100000, fmt == HM_PIC_SVG ? 250 : 100000,
			   &pic);
	if (rc)
		snprintf(why, size, "out of memory");
	else if (fmt == HM_PIC_PNG)
		rc = hm_png_write(&pic, path, why, size);
	else
		rc = hm_svg_write(&pic, path, why, size);
	hm_pic_free(&pic);
	return rc;
}
