// SPDX-License-Identifier: GPL-2.0
/*
 * What a heatmap run collected, for the views: the frames (regions only), the
 * address axis and the summary.
 *
 * The axis is the union of every mapping the frames were cut to, so a picture of a
 * whole run shows a heap that grew, or a file that was mapped for a while, at one
 * place: a frame's mapping that overlaps entries already on the axis replaces them
 * by one entry spanning all of them, named as the newest frame names it; one that
 * overlaps nothing is inserted in address order. Frames keep their regions but not
 * their maps (a few hundred mappings of 300 bytes per frame would dwarf the
 * regions over a long run).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/heatmap/heatmap_view.h"

void hm_run_init(struct hm_run *r)
{
	memset(r, 0, sizeof(*r));
	hm_summary_init(&r->sum);
}

static int maps_reserve(struct hm_maps *m, int n)
{
	if (n <= m->cap)
		return 0;
	int cap = m->cap ? m->cap : 64;
	while (cap < n)
		cap *= 2;
	struct hm_mapping *v = realloc(m->v, (size_t)cap * sizeof(*v));

	if (!v)
		return -ENOMEM;
	m->v = v;
	m->cap = cap;
	return 0;
}

/* Puts m on the axis (see the file comment). */
static int axis_add(struct hm_maps *a, const struct hm_mapping *m)
{
	int i = 0, j;
	struct hm_mapping merged = *m;

	while (i < a->n && a->v[i].end <= m->start)
		i++;
	j = i;
	while (j < a->n && a->v[j].start < m->end)
		j++;
	if (i < j) {
		if (a->v[i].start < merged.start)
			merged.start = a->v[i].start;
		if (a->v[j - 1].end > merged.end)
			merged.end = a->v[j - 1].end;
		if (i == j - 1 && !memcmp(&a->v[i], &merged, sizeof(merged)))
			return 0; /* the usual case: nothing changed */
		a->v[i] = merged;
		memmove(&a->v[i + 1], &a->v[j], (size_t)(a->n - j) * sizeof(*a->v));
		a->n -= j - i - 1;
		return 0;
	}
	if (maps_reserve(a, a->n + 1))
		return -ENOMEM;
	memmove(&a->v[i + 1], &a->v[i], (size_t)(a->n - i) * sizeof(*a->v));
	a->v[i] = merged;
	a->n++;
	return 0;
}

int hm_run_add(struct hm_run *r, const struct hm_frame *f)
{
	struct hm_frame copy = { .t_ns = f->t_ns, .samples = f->samples,
				 .wss_set = f->wss_set, .wss_bytes = f->wss_bytes };

	hm_summary_add(&r->sum, f);
	r->frames_total++;
	for (int i = 0; i < f->maps.n; i++)
		if (axis_add(&r->axis, &f->maps.v[i]))
			return -ENOMEM;
	if (f->n) {
		copy.r = malloc((size_t)f->n * sizeof(*copy.r));
		if (!copy.r)
			return -ENOMEM;
		memcpy(copy.r, f->r, (size_t)f->n * sizeof(*copy.r));
		copy.n = copy.cap = f->n;
	}
	if (r->keep_max && r->n >= r->keep_max) {
		free(r->f[0].r);
		memmove(&r->f[0], &r->f[1], (size_t)(r->n - 1) * sizeof(*r->f));
		r->n--;
	}
	if (r->n == r->cap) {
		int cap = r->cap ? r->cap * 2 : 64;
		struct hm_frame *v = realloc(r->f, (size_t)cap * sizeof(*v));

		if (!v) {
			free(copy.r);
			return -ENOMEM;
		}
		r->f = v;
		r->cap = cap;
	}
	r->f[r->n++] = copy;
	return 0;
}

int hm_run_set_axis(struct hm_run *r, const struct hm_maps *maps)
{
	if (maps_reserve(&r->axis, maps->n))
		return -ENOMEM;
	memcpy(r->axis.v, maps->v, (size_t)maps->n * sizeof(*maps->v));
	r->axis.n = maps->n;
	return 0;
}

void hm_run_free(struct hm_run *r)
{
	for (int i = 0; i < r->n; i++)
		free(r->f[i].r);
	free(r->f);
	hm_maps_free(&r->axis);
	hm_summary_free(&r->sum);
	memset(r, 0, sizeof(*r));
}

double hm_mapping_mean(const struct hm_frame *f, const struct hm_mapping *m)
{
	double sum = 0, bytes = 0;

	for (int i = 0; i < f->n; i++) {
		uint64_t s = f->r[i].start > m->start ? f->r[i].start : m->start;
		uint64_t e = f->r[i].end < m->end ? f->r[i].end : m->end;

		if (f->r[i].start >= m->end)
			break;
		if (s < e) {
			sum += f->r[i].accesses * (double)(e - s);
			bytes += (double)(e - s);
		}
	}
	return bytes > 0 ? sum / bytes : -1;
}
