// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * What a whole heatmap run says in a few lines: the working-set size per frame
 * (min, mean, max, last), per mapping the bytes never seen accessed, and the ten
 * hottest address ranges.
 *
 * Mappings come and go and change size during a run (the heap grows, the stack
 * grows down, a file is unmapped and another mapped at the same address), so the
 * summary keeps one record per mapping it has seen: a frame's mapping belongs to
 * the record with the same name whose range overlaps it (the record then grows to
 * cover both), else it opens a new record. Each record holds
 *   - the "ever accessed" ranges: a sorted list of disjoint [start, end) built from
 *     every region with accesses > 0, exact to the byte (as exact as the source:
 *     4 KiB for idle, a DAMON region, a whole mapping for refs);
 *   - a grid of cells for the hot ranges: the sum of accesses x bytes and of bytes
 *     sampled per cell over the run. A cell starts at one page; when a record has
 *     more than HM_GRID_MAX cells, neighbours are merged in pairs (cell size
 *     doubles), so the grid is at most HM_GRID_MAX cells and never coarser than
 *     bytes / (HM_GRID_MAX / 2): for a 64 MiB mapping, 32 KiB cells.
 * The hottest ranges are runs of neighbouring cells whose run-mean accesses are
 * within HM_HOT_STEP of the run's first cell, ranked by their byte-weighted mean
 * (ties: larger first).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/heatmap/heatmap.h"

#define HM_GRID_MAX 2048
#define HM_HOT_STEP 0.05

struct span {
	uint64_t start, end;
};

struct cell {
	double sum;    /* accesses x bytes over the run */
	double weight; /* bytes sampled over the run */
};

struct record {
	char name[256];
	uint64_t start, end;
	struct span *seen; /* ever accessed, sorted, disjoint */
	int nseen, capseen;
	uint64_t cell_size;  /* power of two times the page size */
	uint64_t cell_base;  /* address of cells[0], a multiple of cell_size */
	struct cell *cells;
	int ncells;
};

struct accum {
	struct record *rec;
	int n, cap;
	int hint; /* record matched last: frames list mappings in the same order */
	double wss_sum;
	uint64_t page;
};

void hm_summary_init(struct hm_summary *s)
{
	struct accum *a = calloc(1, sizeof(*a));

	memset(s, 0, sizeof(*s));
	s->priv = a;
	if (a)
		a->page = (uint64_t)sysconf(_SC_PAGESIZE);
}

/* Merges [start, end) into r's ever-accessed list. */
static int seen_add(struct record *r, uint64_t start, uint64_t end)
{
	int i = r->nseen, j;

	/* Regions arrive in address order, so the new range is almost always at the
	 * end: search from there. i = first span that ends at or after start. */
	while (i > 0 && r->seen[i - 1].end >= start)
		i--;
	j = i;
	while (j < r->nseen && r->seen[j].start <= end) {
		if (r->seen[j].start < start)
			start = r->seen[j].start;
		if (r->seen[j].end > end)
			end = r->seen[j].end;
		j++;
	}
	if (j == i) { /* no overlap: insert at i */
		if (hm_grow(&r->seen, r->nseen, &r->capseen, 16))
			return -ENOMEM;
		memmove(&r->seen[i + 1], &r->seen[i], (size_t)(r->nseen - i) * sizeof(*r->seen));
		r->nseen++;
	} else { /* spans i..j-1 become one */
		memmove(&r->seen[i + 1], &r->seen[j], (size_t)(r->nseen - j) * sizeof(*r->seen));
		r->nseen -= j - i - 1;
	}
	r->seen[i] = (struct span){ start, end };
	return 0;
}

/* Halves the grid: pairs of cells (aligned to twice the size) become one. */
static void grid_coarsen(struct record *r)
{
	uint64_t size = r->cell_size * 2, base = r->cell_base / size * size;
	int shift = (int)((r->cell_base - base) / r->cell_size), n = (r->ncells + shift + 1) / 2;

	for (int k = 0; k < n; k++) {
		struct cell c = { 0, 0 };

		for (int h = 0; h < 2; h++) {
			int src = 2 * k + h - shift;

			if (src >= 0 && src < r->ncells) {
				c.sum += r->cells[src].sum;
				c.weight += r->cells[src].weight;
			}
		}
		r->cells[k] = c;
	}
	r->cell_size = size;
	r->cell_base = base;
	r->ncells = n;
}

/* Makes the grid cover [start, end), coarsening when it would get too long. */
static int grid_cover(struct record *r, uint64_t start, uint64_t end)
{
	uint64_t cs, lo, hi;
	int n, front;
	struct cell *v;

	for (;;) {
		cs = r->cell_size;
		lo = start / cs * cs;
		hi = (end + cs - 1) / cs * cs;
		if (r->ncells) {
			if (r->cell_base < lo)
				lo = r->cell_base;
			if (r->cell_base + (uint64_t)r->ncells * cs > hi)
				hi = r->cell_base + (uint64_t)r->ncells * cs;
		}
		if ((hi - lo) / cs <= HM_GRID_MAX)
			break;
		if (r->ncells)
			grid_coarsen(r);
		else
			r->cell_size *= 2;
	}
	n = (int)((hi - lo) / cs);
	if (n == r->ncells && lo == r->cell_base)
		return 0;
	v = realloc(r->cells, (size_t)n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	front = r->ncells ? (int)((r->cell_base - lo) / cs) : 0;
	memmove(&v[front], v, (size_t)r->ncells * sizeof(*v));
	memset(v, 0, (size_t)front * sizeof(*v));
	memset(&v[front + r->ncells], 0, (size_t)(n - front - r->ncells) * sizeof(*v));
	r->cells = v;
	r->ncells = n;
	r->cell_base = lo;
	return 0;
}

static void grid_add(struct record *r, uint64_t start, uint64_t end, double accesses)
{
	int k = (int)((start - r->cell_base) / r->cell_size);

	for (; k < r->ncells; k++) {
		uint64_t cs = r->cell_base + (uint64_t)k * r->cell_size, ce = cs + r->cell_size;
		uint64_t s = start > cs ? start : cs, e = end < ce ? end : ce;

		if (cs >= end)
			break;
		r->cells[k].sum += accesses * (double)(e - s);
		r->cells[k].weight += (double)(e - s);
	}
}

/* The record of mapping m (same name, overlapping range), created if new. */
static struct record *record_for(struct accum *a, const struct hm_mapping *m)
{
	struct record *r;

	for (int t = 0; t < a->n; t++) {
		int i = (a->hint + t) % a->n;

		r = &a->rec[i];
		if (r->start < m->end && m->start < r->end && !strcmp(r->name, m->name)) {
			a->hint = i + 1;
			break;
		}
		r = NULL;
	}
	if (!r) {
		if (hm_grow(&a->rec, a->n, &a->cap, 64))
			return NULL;
		r = &a->rec[a->n++];
		memset(r, 0, sizeof(*r));
		snprintf(r->name, sizeof(r->name), "%s", m->name);
		r->start = m->start;
		r->end = m->end;
		r->cell_size = a->page;
		a->hint = a->n;
	}
	if (m->start < r->start)
		r->start = m->start;
	if (m->end > r->end)
		r->end = m->end;
	if (grid_cover(r, r->start, r->end))
		return NULL;
	return r;
}

void hm_summary_add(struct hm_summary *s, const struct hm_frame *f)
{
	struct accum *a = s->priv;
	uint64_t wss = hm_frame_wss(f);
	int i = 0;

	if (!s->frames || wss < s->wss_min)
		s->wss_min = wss;
	if (wss > s->wss_max)
		s->wss_max = wss;
	s->wss_last = wss;
	s->frames++;
	if (!a)
		return;
	a->wss_sum += (double)wss;
	s->wss_mean = a->wss_sum / (double)s->frames;

	/* Regions and mappings are both sorted: walk them together. */
	for (int m = 0; m < f->maps.n; m++) {
		const struct hm_mapping *map = &f->maps.v[m];
		struct record *r = record_for(a, map);

		if (!r)
			return; /* out of memory: the summary stops growing */
		while (i < f->n && f->r[i].end <= map->start)
			i++;
		for (int j = i; j < f->n && f->r[j].start < map->end; j++) {
			uint64_t st = f->r[j].start > map->start ? f->r[j].start : map->start;
			uint64_t en = f->r[j].end < map->end ? f->r[j].end : map->end;

			if (st >= en)
				continue;
			grid_add(r, st, en, f->r[j].accesses);
			if (f->r[j].accesses > 0 && seen_add(r, st, en))
				return;
		}
	}
}

static int by_start(const void *x, const void *y)
{
	const struct record *a = x, *b = y;

	return a->start < b->start ? -1 : a->start > b->start;
}

/* Offers one candidate range to the top-10 list (kept sorted, hottest first). */
static void hot_offer(struct hm_summary *s, uint64_t start, uint64_t end, double mean)
{
	int i = s->nhot;

	if (mean <= 0)
		return;
	while (i > 0 && (s->hot[i - 1].accesses < mean ||
			 (s->hot[i - 1].accesses == mean &&
			  s->hot[i - 1].end - s->hot[i - 1].start < end - start)))
		i--;
	if (i >= 10)
		return;
	memmove(&s->hot[i + 1], &s->hot[i],
		(size_t)((s->nhot < 10 ? s->nhot : 9) - i) * sizeof(s->hot[0]));
	s->hot[i] = (struct hm_hot_range){ start, end, mean };
	if (s->nhot < 10)
		s->nhot++;
}

static void hot_runs(struct hm_summary *s, const struct record *r)
{
	int k = 0;

	while (k < r->ncells) {
		double first, sum = 0, weight = 0;
		int j = k;

		if (r->cells[k].weight <= 0) {
			k++;
			continue;
		}
		first = r->cells[k].sum / r->cells[k].weight;
		while (j < r->ncells && r->cells[j].weight > 0) {
			double mean = r->cells[j].sum / r->cells[j].weight;

			if (mean > first + HM_HOT_STEP || mean < first - HM_HOT_STEP)
				break;
			sum += r->cells[j].sum;
			weight += r->cells[j].weight;
			j++;
		}
		{
			uint64_t st = r->cell_base + (uint64_t)k * r->cell_size;
			uint64_t en = r->cell_base + (uint64_t)j * r->cell_size;

			hot_offer(s, st > r->start ? st : r->start, en < r->end ? en : r->end,
				  sum / weight);
		}
		k = j;
	}
}

void hm_summary_finish(struct hm_summary *s)
{
	struct accum *a = s->priv;

	free(s->maps);
	s->maps = NULL;
	s->nmaps = 0;
	s->nhot = 0;
	if (!a || !a->n)
		return;
	qsort(a->rec, a->n, sizeof(*a->rec), by_start);
	a->hint = 0;
	s->maps = calloc(a->n, sizeof(*s->maps));
	if (!s->maps)
		return;
	for (int i = 0; i < a->n; i++) {
		const struct record *r = &a->rec[i];
		struct hm_summary_mapping *m = &s->maps[s->nmaps++];
		uint64_t seen = 0;

		snprintf(m->name, sizeof(m->name), "%s", r->name);
		m->start = r->start;
		m->end = r->end;
		m->bytes = r->end - r->start;
		for (int k = 0; k < r->nseen; k++)
			seen += r->seen[k].end - r->seen[k].start;
		m->never_accessed = m->bytes - (seen < m->bytes ? seen : m->bytes);
		hot_runs(s, r);
	}
}

void hm_summary_free(struct hm_summary *s)
{
	struct accum *a = s->priv;

	if (a) {
		for (int i = 0; i < a->n; i++) {
			free(a->rec[i].seen);
			free(a->rec[i].cells);
		}
		free(a->rec);
		free(a);
	}
	free(s->maps);
	memset(s, 0, sizeof(*s));
}
