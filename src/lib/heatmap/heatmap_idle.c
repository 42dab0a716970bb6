// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The `idle` heatmap source: idle page tracking (CONFIG_IDLE_PAGE_TRACKING,
 * Documentation/admin-guide/mm/idle_page_tracking.rst), 4 KiB resolution.
 *
 * /sys/kernel/mm/page_idle/bitmap holds one bit per physical page (PFN), read and
 * written in 64-bit words at offset pfn / 64 * 8. Writing a 1 bit marks the page
 * idle (and clears the accessed bits of the PTEs that map it); reading gives 1
 * for a page still idle, i.e. not accessed since it was marked. Every aging
 * interval this source
 *   1. reads the target's selected mappings (they come and go) and, through
 *      /proc/PID/pagemap, the PFN behind each of their pages;
 *   2. reads the bitmap words holding those PFNs and counts a hit for every page
 *      whose bit is clear (accessed since the previous sample marked it);
 *   3. writes the same words back with the bits of the target's pages set, which
 *      marks them idle again for the next sample.
 * Word ranges are read and written in batches (contiguous words in one pread or
 * pwrite), never a syscall per page. Writing 0 bits does nothing, so the other
 * pages that share a word are left alone.
 *
 * open() does the first marking, so every sample of every frame counts. A page
 * whose PFN changed since it was marked (migrated, swapped in, collapsed into a
 * huge page) has an unmarked new PFN whose bit says nothing: it is not counted
 * in that sample, only marked. Pages not present count as not accessed.
 * Limitation: the kernel reports a page that is not on an LRU list (a page just
 * faulted in and still in a per-CPU batch, some driver pages) as not idle and
 * cannot mark it, so such a page counts as accessed while it is off the LRU.
 *
 * Needs root (the bitmap is 0600, and pagemap hides PFNs from others). The idle
 * flags are not restorable state: marking pages idle only changes what the next
 * reader of the bitmap sees (and, like clear_refs, makes reclaim's aging see the
 * target's pages as less recently used).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/heatmap/heatmap.h"
#include "lib/trace/tracing.h"

#define BITMAP "/sys/kernel/mm/page_idle/bitmap"
/*
 * Pages tracked at most (64 GiB of selected address space): pagemap must be read
 * for every virtual page, present or not, so a huge sparse reservation (a Go or
 * Java heap, an ASan shadow of terabytes) is refused instead of read for hours;
 * --range or --mapping selects less.
 */
#define MAX_PAGES (16ULL << 20)
/* Read across gaps of up to this many words rather than issue another syscall. */
#define WORD_GAP 4

struct word {
	uint64_t index; /* pfn / 64 */
	uint64_t bits;  /* the target's pages in that word */
	uint64_t idle;  /* of those, the ones still idle (read back) */
};

struct hm_source {
	struct hm_clock clk; /* first: hm_clock_describe() */
	struct hm_opts o;
	int bitmap_fd, pagemap_fd;
	uint64_t page;
	struct hm_maps all, sel, fresh; /* fresh: this sample's selection */
	/* Per page of the selected mappings, in address order. */
	uint64_t *pages, *pfn, *prev; /* prev: the PFN marked idle last, HM_PFN_NONE */
	uint32_t *hits;
	size_t npages, cap;
	struct word *words;
	uint64_t *buf;
	size_t nwords, capwords;
};

static int grow_pages(struct hm_source *s, size_t n)
{
	uint64_t *pages, *pfn, *prev;
	uint32_t *hits;

	if (n <= s->cap)
		return 0;
	pages = realloc(s->pages, n * sizeof(*pages));
	if (pages)
		s->pages = pages;
	pfn = realloc(s->pfn, n * sizeof(*pfn));
	if (pfn)
		s->pfn = pfn;
	prev = realloc(s->prev, n * sizeof(*prev));
	if (prev)
		s->prev = prev;
	hits = realloc(s->hits, n * sizeof(*hits));
	if (hits)
		s->hits = hits;
	if (!pages || !pfn || !prev || !hits)
		return -ENOMEM;
	s->cap = n;
	return 0;
}

/*
 * Rebuilds pages[] for the mappings now in s->sel, carrying hits[] and prev[]
 * over for the pages that were there before (both lists are sorted).
 */
static int rebuild_pages(struct hm_source *s, char *why, size_t size)
{
	uint64_t *old_pages = NULL, *old_prev = NULL;
	uint32_t *old_hits = NULL;
	size_t old_n = s->npages, n = 0, j = 0;
	int rc = 0;

	for (int i = 0; i < s->sel.n; i++)
		n += (s->sel.v[i].end - s->sel.v[i].start) / s->page;
	if (n > MAX_PAGES) {
		snprintf(why, size,
			 "%zu MiB of address space selected; idle tracks at most %llu MiB "
			 "(narrow it with --range or --mapping)",
			 (size_t)(n * s->page >> 20), (unsigned long long)(MAX_PAGES * s->page >> 20));
		return -EFBIG;
	}
	if (old_n) {
		old_pages = malloc(old_n * sizeof(*old_pages));
		old_prev = malloc(old_n * sizeof(*old_prev));
		old_hits = malloc(old_n * sizeof(*old_hits));
		if (!old_pages || !old_prev || !old_hits) {
			rc = -ENOMEM;
			goto out;
		}
		memcpy(old_pages, s->pages, old_n * sizeof(*old_pages));
		memcpy(old_prev, s->prev, old_n * sizeof(*old_prev));
		memcpy(old_hits, s->hits, old_n * sizeof(*old_hits));
	}
	rc = grow_pages(s, n ? n : 1);
	if (rc)
		goto out;
	n = 0;
	for (int i = 0; i < s->sel.n; i++)
		for (uint64_t a = s->sel.v[i].start; a < s->sel.v[i].end; a += s->page) {
			while (j < old_n && old_pages[j] < a)
				j++;
			s->pages[n] = a;
			if (j < old_n && old_pages[j] == a) {
				s->hits[n] = old_hits[j];
				s->prev[n] = old_prev[j];
			} else {
				s->hits[n] = 0;
				s->prev[n] = HM_PFN_NONE;
			}
			n++;
		}
	s->npages = n;
out:
	free(old_pages);
	free(old_prev);
	free(old_hits);
	return rc;
}

/* Same mappings as last sample? Then pages[] stands as it is. */
static bool maps_unchanged(const struct hm_maps *a, const struct hm_maps *b)
{
	if (a->n != b->n)
		return false;
	for (int i = 0; i < a->n; i++)
		if (a->v[i].start != b->v[i].start || a->v[i].end != b->v[i].end)
			return false;
	return true;
}

static int read_pfns(struct hm_source *s, char *why, size_t size)
{
	size_t n = 0;

	for (int i = 0; i < s->sel.n; i++) {
		int rc = hm_pagemap_pfns(s->o.pid, &s->pagemap_fd, s->sel.v[i].start,
					 s->sel.v[i].end, s->pfn + n);

		if (rc) {
			snprintf(why, size, "/proc/%d/pagemap: %s", (int)s->o.pid,
				 rc == -ESRCH ? "process exited"
				 : rc == -EPERM ? "PFNs hidden (needs CAP_SYS_ADMIN)"
						: strerror(-rc));
			return rc;
		}
		n += (s->sel.v[i].end - s->sel.v[i].start) / s->page;
	}
	return 0;
}

static int by_index(const void *x, const void *y)
{
	const struct word *a = x, *b = y;

	return a->index < b->index ? -1 : a->index > b->index;
}

/* The distinct bitmap words holding the target's present pages, sorted, with bits. */
static int collect_words(struct hm_source *s)
{
	size_t n = 0, w = 0;

	if (s->capwords < s->npages) {
		struct word *v = realloc(s->words, s->npages * sizeof(*v));
		uint64_t *b;

		if (!v)
			return -ENOMEM;
		s->words = v;
		b = realloc(s->buf, s->npages * sizeof(*b));
		if (!b)
			return -ENOMEM;
		s->buf = b;
		s->capwords = s->npages;
	}
	for (size_t i = 0; i < s->npages; i++)
		if (s->pfn[i] != HM_PFN_NONE)
			s->words[n++] = (struct word){ s->pfn[i] / 64, 1ULL << (s->pfn[i] % 64), 0 };
	qsort(s->words, n, sizeof(*s->words), by_index);
	for (size_t i = 0; i < n; i++) {
		if (w && s->words[w - 1].index == s->words[i].index)
			s->words[w - 1].bits |= s->words[i].bits;
		else
			s->words[w++] = s->words[i];
	}
	s->nwords = w;
	return 0;
}

/*
 * Runs fn over batches of words: each batch is a run of word indices with gaps
 * of at most WORD_GAP, transferred in one call through s->buf.
 */
static int for_each_batch(struct hm_source *s, int (*fn)(struct hm_source *s, size_t first,
							 size_t last))
{
	size_t first = 0;

	while (first < s->nwords) {
		size_t last = first;
		int rc;

		while (last + 1 < s->nwords &&
		       s->words[last + 1].index - s->words[last].index <= WORD_GAP &&
		       s->words[last + 1].index - s->words[first].index < s->capwords)
			last++;
		rc = fn(s, first, last);
		if (rc)
			return rc;
		first = last + 1;
	}
	return 0;
}

/*
 * Transfers the words of one batch, in as many calls as the kernel takes:
 * - sysfs moves at most PAGE_SIZE bytes per read or write (kernfs caps each call),
 *   so a batch of physically contiguous pages (a compacted target) takes several;
 * - the word holding max_pfn, when max_pfn is not a multiple of 64 (a 512 MiB
 *   guest: 0x1ffe0), is handled (its bits below max_pfn read or marked) but not
 *   counted: page_idle_bitmap_read/_write (mm/page_idle.c) advance their count only
 *   after a word's 64th bit. The call that reaches it returns 8 bytes short, or 0.
 * Before, either was taken for an error (EIO) and ended the run (test-7.2 guest,
 * heatmap-wss after the other tests: "marking pages idle: Input/output error").
 */
static int io_words(struct hm_source *s, size_t first, size_t last, bool write)
{
	size_t want = (s->words[last].index - s->words[first].index + 1) * 8, done = 0;
	off_t off = (off_t)(s->words[first].index * 8);

	while (done < want) {
		char *p = (char *)s->buf + done;
		ssize_t n = write ? pwrite(s->bitmap_fd, p, want - done, off + (off_t)done)
				  : pread(s->bitmap_fd, p, want - done, off + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0 || n % 8)
			break;
		done += (size_t)n;
	}
	if (want - done > 8)
		return -EIO;
	/* Only the last word may be left, the one that holds max_pfn. Its bits were
	 * marked, but a read never returns them (kernfs copies out only what the
	 * kernel counted): its pages (at most 63, at the top of RAM) read as idle,
	 * i.e. no access seen. */
	if (!write && done < want)
		s->buf[done / 8] = ~0ULL;
	return 0;
}

/* Reads the words of one batch: word.idle = our pages whose idle bit is still set. */
static int read_batch(struct hm_source *s, size_t first, size_t last)
{
	int rc = io_words(s, first, last, false);

	for (size_t i = first; !rc && i <= last; i++)
		s->words[i].idle = s->words[i].bits & s->buf[s->words[i].index - s->words[first].index];
	return rc;
}

/* Marks our pages of one batch idle: only their bits set, the rest 0 (no-op). */
static int mark_batch(struct hm_source *s, size_t first, size_t last)
{
	size_t count = s->words[last].index - s->words[first].index + 1;

	memset(s->buf, 0, count * 8);
	for (size_t i = first; i <= last; i++)
		s->buf[s->words[i].index - s->words[first].index] = s->words[i].bits;
	return io_words(s, first, last, true);
}

static bool still_idle(const struct hm_source *s, uint64_t pfn)
{
	size_t lo = 0, hi = s->nwords;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->words[mid].index < pfn / 64)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nwords && s->words[lo].index == pfn / 64 &&
	       (s->words[lo].idle >> (pfn % 64) & 1);
}

/* One sample: count the accessed pages (unless only marking), then mark all idle. */
static int sample(struct hm_source *s, bool count, char *why, size_t size)
{
	struct mms_error err = { 0 };
	int rc = hm_maps_read(s->o.pid, &s->all, &err);

	if (rc) {
		snprintf(why, size, "/proc/%d/maps: %s", (int)s->o.pid,
			 rc == -ESRCH ? "process exited" : err.msg);
		return rc;
	}
	rc = hm_roi_select(&s->o.roi, &s->all, &s->fresh);
	if (rc)
		return rc;
	if (!s->npages || !maps_unchanged(&s->sel, &s->fresh)) {
		struct hm_maps t = s->sel;

		s->sel = s->fresh;
		s->fresh = t;
		rc = rebuild_pages(s, why, size);
		if (rc)
			return rc;
	}
	if (!s->sel.n)
		return 0;
	rc = read_pfns(s, why, size);
	if (rc)
		return rc;
	rc = collect_words(s);
	if (rc)
		return rc;
	if (count) {
		rc = for_each_batch(s, read_batch);
		if (rc) {
			snprintf(why, size, BITMAP ": reading: %s", strerror(-rc));
			return rc;
		}
	}
	for (size_t i = 0; i < s->npages; i++) {
		uint64_t pfn = s->pfn[i];

		/* Counted only when the same PFN was marked at the previous sample. */
		if (count && pfn != HM_PFN_NONE && pfn == s->prev[i] && !still_idle(s, pfn))
			s->hits[i]++;
		s->prev[i] = pfn;
	}
	rc = for_each_batch(s, mark_batch);
	if (rc)
		snprintf(why, size, BITMAP ": marking pages idle: %s", strerror(-rc));
	return rc;
}

/* A sample after the first: it counts. */
static int sample_again(struct hm_source *s, char *why, size_t size)
{
	return sample(s, true, why, size);
}

static int idle_next(struct hm_source *s, struct hm_frame *f, char *why, size_t size)
{
	int rc;

	why[0] = '\0';
	for (size_t i = 0; i < s->npages; i++)
		s->hits[i] = 0;
	rc = hm_clock_frame(&s->clk, s, sample_again, why, size);
	if (rc)
		return rc;
	rc = hm_frame_from_pages(f, s->pages, s->hits, s->npages, s->clk.per_frame, s->page);
	hm_clock_stamp(&s->clk, f);
	return rc;
}

static void idle_close(struct hm_source *s)
{
	if (!s)
		return;
	if (s->bitmap_fd >= 0)
		close(s->bitmap_fd);
	if (s->pagemap_fd >= 0)
		close(s->pagemap_fd);
	hm_maps_free(&s->all);
	hm_maps_free(&s->sel);
	hm_maps_free(&s->fresh);
	free(s->pages);
	free(s->pfn);
	free(s->prev);
	free(s->hits);
	free(s->words);
	free(s->buf);
	free(s);
}

static int idle_open(struct hm_source **out, const struct hm_opts *o, char *why, size_t size)
{
	struct hm_source *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return -ENOMEM;
	s->o = *o;
	s->pagemap_fd = -1;
	s->page = (uint64_t)sysconf(_SC_PAGESIZE);
	hm_clock_init(&s->clk, &s->o);
	s->bitmap_fd = open(BITMAP, O_RDWR | O_CLOEXEC);
	if (s->bitmap_fd < 0) {
		rc = errno == ENOENT ? -EOPNOTSUPP : errno == EACCES ? -EPERM : -errno;
		snprintf(why, size, "%s",
			 rc == -EOPNOTSUPP ? "no page_idle (CONFIG_IDLE_PAGE_TRACKING)"
			 : rc == -EPERM	   ? BITMAP ": permission denied (needs root)"
					   : strerror(-rc));
		goto fail;
	}
	/* The first marking: every later sample counts. */
	why[0] = '\0';
	rc = sample(s, false, why, size);
	if (rc)
		goto fail;
	hm_clock_start(&s->clk, "page_idle bitmap, 4 KiB pages");
	*out = s;
	return 0;
fail:
	idle_close(s);
	return rc;
}

const struct hm_source_ops hm_src_idle = {
	.name = "idle",
	.open = idle_open,
	.next = idle_next,
	.describe = hm_clock_describe,
	.close = idle_close,
};
