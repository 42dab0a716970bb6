// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Heatmap frames: the regions a source saw in one aggregation interval, and their
 * projection onto the cells a view draws.
 *
 * Sources push regions in whatever order and granularity they have (DAMON regions,
 * runs of 4 KiB pages, whole mappings); hm_frame_finish() makes every frame look
 * the same to views: sorted, without overlap, cut to the selected mappings (a
 * DAMON region may straddle a gap or an unselected mapping), and with neighbours
 * of equal accesses merged, so a cold 1 GiB mapping is one region, not 262144.
 *
 * The view axis is the selected mappings laid end to end: axis position p lies in
 * mapping k when p - (bytes of mappings 0..k-1) < size of k. hm_project() averages
 * the regions over each cell weighted by bytes, so a cell half hot (1.0) and half
 * cold (0.0) shows 0.5, and a cell no region touches shows -1 (not sampled), which
 * views draw differently from "sampled, never accessed".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/heatmap/heatmap.h"

int hm_frame_push(struct hm_frame *f, uint64_t start, uint64_t end, double accesses)
{
	if (start >= end)
		return 0;
	if (hm_grow(&f->r, f->n, &f->cap, 256))
		return -ENOMEM;
	f->r[f->n++] = (struct hm_region){ start, end, accesses };
	return 0;
}

static int by_start(const void *a, const void *b)
{
	const struct hm_region *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Index of the first mapping whose end is above addr (maps are sorted, disjoint). */
static int first_map_after(const struct hm_maps *m, uint64_t addr)
{
	int lo = 0, hi = m->n;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (m->v[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Cuts the sorted regions to the maps into out (cap entries) and returns how many
 * pieces were written. A region that overlaps the one before it (a source bug)
 * loses the overlap.
 */
static int clip(const struct hm_frame *f, struct hm_region *out, int cap)
{
	uint64_t done = 0; /* everything below was already emitted */
	int n = 0;

	for (int i = 0; i < f->n; i++) {
		struct hm_region r = f->r[i];

		if (r.start < done)
			r.start = done;
		if (r.start >= r.end)
			continue;
		done = r.end;
		if (!f->maps.n) { /* no maps given: nothing to clip to */
			if (n < cap)
				out[n++] = r;
			continue;
		}
		for (int k = first_map_after(&f->maps, r.start);
		     k < f->maps.n && f->maps.v[k].start < r.end; k++) {
			uint64_t s = r.start > f->maps.v[k].start ? r.start : f->maps.v[k].start;
			uint64_t e = r.end < f->maps.v[k].end ? r.end : f->maps.v[k].end;

			if (s < e && n < cap)
				out[n++] = (struct hm_region){ s, e, r.accesses };
		}
	}
	return n;
}

void hm_frame_finish(struct hm_frame *f)
{
	struct hm_region *out;
	int n, cap, w = 0;

	if (!f->n)
		return;
	qsort(f->r, f->n, sizeof(*f->r), by_start);
	/* A region yields one piece per mapping it overlaps, so one extra piece per
	 * mapping boundary it spans; disjoint regions share no boundary, hence the
	 * bound n + maps.n. */
	cap = f->n + f->maps.n;
	out = malloc((size_t)cap * sizeof(*out));
	if (!out) {
		/* Out of memory: keep the sorted regions rather than lose the frame. */
		return;
	}
	n = clip(f, out, cap);
	for (int i = 0; i < n; i++) {
		if (w && out[w - 1].end == out[i].start && out[w - 1].accesses == out[i].accesses)
			out[w - 1].end = out[i].end;
		else
			out[w++] = out[i];
	}
	free(f->r);
	f->r = out;
	f->n = w;
	f->cap = cap;
}

void hm_frame_reset(struct hm_frame *f)
{
	f->n = 0;
	f->t_ns = 0;
	f->samples = 0;
	f->maps.n = 0;
	f->wss_set = false;
	f->wss_bytes = 0;
}

void hm_frame_free(struct hm_frame *f)
{
	free(f->r);
	hm_maps_free(&f->maps);
	memset(f, 0, sizeof(*f));
}

uint64_t hm_frame_wss(const struct hm_frame *f)
{
	uint64_t bytes = 0;

	if (f->wss_set)
		return f->wss_bytes;
	for (int i = 0; i < f->n; i++)
		if (f->r[i].accesses > 0)
			bytes += f->r[i].end - f->r[i].start;
	return bytes;
}

int hm_frame_from_pages(struct hm_frame *f, const uint64_t *pages, const uint32_t *hits, size_t n,
			uint32_t samples, uint64_t page_size)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i + 1;
		int rc;

		/* A run: contiguous pages with the same count. */
		while (j < n && pages[j] == pages[j - 1] + page_size && hits[j] == hits[i])
			j++;
		rc = hm_frame_push(f, pages[i], pages[j - 1] + page_size,
				   samples ? (double)hits[i] / samples : 0.0);
		if (rc)
			return rc;
		i = j;
	}
	return 0;
}

uint64_t hm_axis_bytes(const struct hm_maps *maps)
{
	uint64_t bytes = 0;

	for (int i = 0; i < maps->n; i++)
		bytes += maps->v[i].end - maps->v[i].start;
	return bytes;
}

const struct hm_mapping *hm_axis_mapping(const struct hm_maps *axis, uint64_t pos,
					 uint64_t *map_lo)
{
	uint64_t base = 0;

	for (int i = 0; i < axis->n; i++) {
		uint64_t len = axis->v[i].end - axis->v[i].start;

		if (pos < base + len) {
			if (map_lo)
				*map_lo = base;
			return &axis->v[i];
		}
		base += len;
	}
	return NULL;
}

/* Left edge of cell k of n over [lo, hi); 128-bit so 2^48-byte axes times n cannot overflow. */
static uint64_t cell_lo(uint64_t lo, uint64_t hi, int n, int k)
{
	return lo + (uint64_t)((unsigned __int128)(hi - lo) * (unsigned)k / (unsigned)n);
}

/* Adds accesses * bytes of the axis segment [a, b) to the cells it covers. */
static void spread(double *sum, double *weight, uint64_t lo, uint64_t hi, int n, uint64_t a,
		   uint64_t b, double accesses)
{
	int k;

	if (a < lo)
		a = lo;
	if (b > hi)
		b = hi;
	if (a >= b)
		return;
	k = (int)((unsigned __int128)(a - lo) * (unsigned)n / (hi - lo));
	for (; k < n; k++) {
		uint64_t cs = cell_lo(lo, hi, n, k), ce = cell_lo(lo, hi, n, k + 1);
		uint64_t s = a > cs ? a : cs, e = b < ce ? b : ce;

		if (cs >= b)
			break;
		if (s < e) {
			sum[k] += accesses * (double)(e - s);
			weight[k] += (double)(e - s);
		}
	}
}

void hm_project(const struct hm_frame *f, const struct hm_maps *axis, uint64_t lo, uint64_t hi,
		int n, float *cells)
{
	double *sum, *weight;
	uint64_t base = 0;
	int i = 0;

	if (n <= 0)
		return;
	for (int k = 0; k < n; k++)
		cells[k] = -1;
	if (hi <= lo)
		return;
	sum = calloc((size_t)n * 2, sizeof(*sum));
	if (!sum)
		return; /* out of memory: shown as not sampled */
	weight = sum + n;
	/* Both the frame's regions and the axis mappings are sorted by address. */
	for (int m = 0; m < axis->n; m++) {
		const struct hm_mapping *map = &axis->v[m];

		while (i < f->n && f->r[i].end <= map->start)
			i++;
		for (int j = i; j < f->n && f->r[j].start < map->end; j++) {
			uint64_t s = f->r[j].start > map->start ? f->r[j].start : map->start;
			uint64_t e = f->r[j].end < map->end ? f->r[j].end : map->end;

			if (s < e)
				spread(sum, weight, lo, hi, n, base + (s - map->start),
				       base + (e - map->start), f->r[j].accesses);
		}
		base += map->end - map->start;
	}
	for (int k = 0; k < n; k++)
		if (weight[k] > 0)
			cells[k] = (float)(sum[k] / weight[k]);
	free(sum);
}
