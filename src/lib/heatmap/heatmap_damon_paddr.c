// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * damon-paddr's translation between the target's virtual pages and physical
 * memory: its present pages with their physical addresses (/proc/PID/pagemap),
 * the physical ranges that back them (what an own kdamond monitors), and, each
 * aggregation, the accesses of the DAMON region that holds each page, put back at
 * the page's virtual address.
 *
 * Pages are kept in virtual order; each is looked up among the aggregation's
 * regions by binary search (DAMON emits a target's regions sorted and disjoint),
 * O(pages x log regions): about 10 M steps for 3 GiB of pages and 8192 regions,
 * once per aggregation interval.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/heatmap/heatmap_damon.h"

static int pages_grow(struct hm_pa_pages *p, size_t want)
{
	size_t cap = p->cap ? p->cap : 4096;
	uint64_t *va, *pa;

	if (want <= p->cap)
		return 0;
	while (cap < want)
		cap *= 2;
	va = realloc(p->va, cap * sizeof(*va));
	if (!va)
		return -ENOMEM;
	p->va = va;
	pa = realloc(p->pa, cap * sizeof(*pa));
	if (!pa)
		return -ENOMEM;
	p->pa = pa;
	p->cap = cap;
	return 0;
}

int hm_pa_pages_read(pid_t pid, const struct hm_roi *roi, int *pagemap_fd,
		     struct hm_pa_pages *p)
{
	struct hm_maps all = { 0 }, sel = { 0 };
	struct mms_error err;
	uint64_t *pfns = NULL;
	size_t pfns_cap = 0;
	int rc;

	p->page = (uint64_t)sysconf(_SC_PAGESIZE);
	p->n = 0;
	rc = hm_maps_read(pid, &all, &err);
	if (!rc)
		rc = hm_roi_select(roi, &all, &sel);
	for (int m = 0; !rc && m < sel.n; m++) {
		uint64_t start = sel.v[m].start & ~(p->page - 1), end = sel.v[m].end;
		size_t npages = (end - start) / p->page;

		if (sel.v[m].kind == HM_MAP_SPECIAL || !npages)
			continue;
		if (npages > pfns_cap) {
			uint64_t *grown = realloc(pfns, npages * sizeof(*pfns));

			if (!grown) {
				rc = -ENOMEM;
				break;
			}
			pfns = grown;
			pfns_cap = npages;
		}
		rc = hm_pagemap_pfns(pid, pagemap_fd, start, end, pfns);
		if (rc == -EIO || rc == -ENXIO) /* a mapping that went away meanwhile */
			rc = 0;
		if (rc)
			break;
		for (size_t i = 0; i < npages && !rc; i++) {
			if (pfns[i] == HM_PFN_NONE)
				continue;
			rc = pages_grow(p, p->n + 1);
			if (!rc) {
				p->va[p->n] = start + i * p->page;
				p->pa[p->n] = pfns[i] * p->page;
				p->n++;
			}
		}
	}
	free(pfns);
	hm_maps_free(&all);
	hm_maps_free(&sel);
	return rc;
}

void hm_pa_pages_free(struct hm_pa_pages *p)
{
	free(p->va);
	free(p->pa);
	memset(p, 0, sizeof(*p));
}

static int by_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int hm_pa_ranges(const struct hm_pa_pages *p, int max, struct hm_damon_range **out, int *n)
{
	uint64_t *pa, *gaps, cut = 0;
	struct hm_damon_range *r;
	size_t nr = 0, ngaps = 0;

	*out = NULL;
	*n = 0;
	if (!p->n)
		return 0;
	pa = malloc(p->n * sizeof(*pa));
	r = malloc(p->n * sizeof(*r));
	gaps = malloc(p->n * sizeof(*gaps));
	if (!pa || !r || !gaps) {
		free(pa);
		free(r);
		free(gaps);
		return -ENOMEM;
	}
	memcpy(pa, p->pa, p->n * sizeof(*pa));
	qsort(pa, p->n, sizeof(*pa), by_u64);
	/* Runs of physically contiguous pages (a page shared twice counts once). */
	for (size_t i = 0; i < p->n; i++) {
		if (nr && pa[i] <= r[nr - 1].end) {
			if (pa[i] + p->page > r[nr - 1].end)
				r[nr - 1].end = pa[i] + p->page;
			continue;
		}
		if (nr)
			gaps[ngaps++] = pa[i] - r[nr - 1].end;
		r[nr++] = (struct hm_damon_range){ pa[i], pa[i] + p->page };
	}
	/* Too many: keep the max-1 widest gaps (ties: the lowest first), close the rest. */
	if (max > 0 && nr > (size_t)max) {
		size_t w = 0;

		memcpy(pa, gaps, ngaps * sizeof(*gaps));
		qsort(pa, ngaps, sizeof(*pa), by_u64);
		cut = pa[ngaps - (size_t)(max - 1)];
		for (size_t i = 1; i < nr; i++) {
			if (r[i].start - r[w].end >= cut && w + 1 < (size_t)max)
				r[++w] = r[i];
			else
				r[w].end = r[i].end;
		}
		nr = w + 1;
	}
	free(pa);
	free(gaps);
	*out = r;
	*n = (int)nr;
	return 0;
}

/* Index of the region holding addr in the sorted, disjoint ranges, or -1. */
static long find_range(const struct hm_damon_range *r, long n, uint64_t addr)
{
	long lo = 0, hi = n;

	while (lo < hi) {
		long mid = (lo + hi) / 2;

		if (r[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && r[lo].start <= addr ? lo : -1;
}

size_t hm_pa_covered(const struct hm_pa_pages *p, const struct hm_damon_range *r, int n)
{
	size_t in = 0;

	for (size_t i = 0; i < p->n; i++)
		in += find_range(r, n, p->pa[i]) >= 0;
	return in;
}

static int by_start(const void *a, const void *b)
{
	const struct hm_damon_region *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

long hm_pa_translate(const struct hm_pa_pages *p, const struct hm_damon_aggr *a,
		     uint32_t samples, struct hm_frame *f)
{
	struct hm_damon_range *r = malloc(((size_t)a->n + 1) * sizeof(*r));
	struct hm_damon_region *sorted = malloc(((size_t)a->n + 1) * sizeof(*sorted));
	uint64_t *va = malloc((p->n + 1) * sizeof(*va));
	uint32_t *hits = malloc((p->n + 1) * sizeof(*hits));
	long placed = -ENOMEM;
	size_t k = 0;

	if (!r || !sorted || !va || !hits)
		goto out;
	/* Targets of a shared kdamond are each sorted; together they need sorting. */
	memcpy(sorted, a->r, (size_t)a->n * sizeof(*sorted));
	qsort(sorted, (size_t)a->n, sizeof(*sorted), by_start);
	for (int i = 0; i < a->n; i++)
		r[i] = (struct hm_damon_range){ sorted[i].start, sorted[i].end };
	for (size_t i = 0; i < p->n; i++) {
		long j = find_range(r, a->n, p->pa[i]);

		if (j < 0)
			continue;
		va[k] = p->va[i];
		hits[k++] = sorted[j].nr_accesses < samples ? sorted[j].nr_accesses : samples;
	}
	placed = hm_frame_from_pages(f, va, hits, k, samples, p->page);
	if (!placed)
		placed = (long)k;
out:
	free(r);
	free(sorted);
	free(va);
	free(hits);
	return placed;
}
