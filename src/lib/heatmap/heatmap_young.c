// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The `young` heatmap source: refs' clear_refs cycle seen page by page. Every
 * aging interval it writes "1" to /proc/PID/clear_refs, as refs does; the kernel
 * walks the target's page tables in the writing thread and calls
 * ptep_test_and_clear_young() for every present page, and young.bpf.c (fexit, or a
 * kprobe where fexit is refused) sends each page's address and whether its
 * accessed bit was set. So a sample is the accessed bit of every resident 4 KiB
 * page touched since the previous write: idle's resolution on kernels without
 * page_idle (Debian's cloud kernel), from refs' mechanism.
 *
 * The walk runs inside write(), so when write() returns every record of that
 * sample is in the ring buffer: it is consumed right then, no frame boundary to
 * guess. Records come in address order (VMA after VMA, page after page); a
 * transparent huge page is one PMD record, counted as its 512 pages.
 *
 * Side effects and ownership: those of refs (heatmap_refs.c): the referenced bits
 * reclaim looks at are cleared every sample, and one clear_refs source per target
 * (the same lock: a refs and a young heatmap would clear each other's bits).
 * Cost: refs' walk plus one BPF run per resident page per sample, and merging the
 * sample into the frame here (linear in resident pages).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/heatmap/heatmap.h"
#include "lib/trace/tracers.h"
#include "bpf/young.h"
#include "young.skel.h"

#define PAGE 4096ull
#define PMD_PAGES 512
/* 2 M records of 8 bytes (16 with the ring buffer's header): 8 GiB resident per
 * sample before a record is lost (counted, shown). */
#define RINGBUF_BYTES (32u << 20)

struct hm_source {
	struct hm_clock clk; /* first: hm_clock_describe() */
	struct hm_opts o;
	int clear_fd;
	struct hm_lock lock;
	struct mms_tracer t;
	struct young_bpf *skel;
	const char *how;        /* "fexit" or "kprobe" */
	uint64_t *cur;          /* this sample's records: address | YOUNG_ACCESSED */
	int ncur, capcur;
	bool unsorted;          /* a record came below the one before it */
	uint64_t *pages, *mpages; /* the frame so far (sorted), and merge room */
	uint32_t *hits, *mhits;
	int n, cap, mcap;
	int err;                /* -ENOMEM in the ring buffer callback */
	char desc[224];
};

static void destroy(void *skel)
{
	young_bpf__destroy(skel);
}

/* One record (a PMD: its 512 pages). */
static int on_record(void *ctx, void *data, size_t len)
{
	struct hm_source *s = ctx;
	uint64_t e, addr;
	int pages;

	if (len < sizeof(e))
		return 0;
	memcpy(&e, data, sizeof(e));
	addr = e & ~YOUNG_FLAGS;
	pages = e & YOUNG_PMD ? PMD_PAGES : 1;
	for (int i = 0; i < pages; i++) {
		if (hm_grow(&s->cur, s->ncur, &s->capcur, 4096)) {
			s->err = -ENOMEM;
			return -ENOMEM;
		}
		if (s->ncur && (s->cur[s->ncur - 1] & ~YOUNG_FLAGS) >= addr + i * PAGE)
			s->unsorted = true;
		s->cur[s->ncur++] = (addr + i * PAGE) | (e & YOUNG_ACCESSED);
	}
	return 0;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x & ~YOUNG_FLAGS, b = *(const uint64_t *)y & ~YOUNG_FLAGS;

	return a < b ? -1 : a > b;
}

/* Merges this sample's pages into the frame's (both sorted): pages seen before
 * keep their count, new ones start at 0, and accessed ones gain one. */
static int merge(struct hm_source *s)
{
	int need = s->n + s->ncur, i = 0, j = 0, k = 0;

	if (need > s->mcap) {
		uint64_t *p = realloc(s->mpages, (size_t)need * sizeof(*p));
		uint32_t *h;

		if (!p)
			return -ENOMEM;
		s->mpages = p;
		h = realloc(s->mhits, (size_t)need * sizeof(*h));
		if (!h)
			return -ENOMEM;
		s->mhits = h;
		s->mcap = need;
	}
	while (i < s->n || j < s->ncur) {
		uint64_t a = j < s->ncur ? s->cur[j] & ~YOUNG_FLAGS : UINT64_MAX;

		if (i < s->n && (j == s->ncur || s->pages[i] < a)) {
			s->mpages[k] = s->pages[i];
			s->mhits[k++] = s->hits[i++];
			continue;
		}
		s->mpages[k] = a;
		s->mhits[k] = (uint32_t)(s->cur[j] & YOUNG_ACCESSED);
		if (i < s->n && s->pages[i] == a)
			s->mhits[k] += s->hits[i++];
		k++;
		/* A page sent twice in one sample (never by one walk): counted once. */
		while (++j < s->ncur && (s->cur[j] & ~YOUNG_FLAGS) == a)
			;
	}
	/* Swap: the merged arrays become the frame's, the old ones merge room. */
	{
		uint64_t *p = s->pages;
		uint32_t *h = s->hits;
		int c = s->cap;

		s->pages = s->mpages;
		s->hits = s->mhits;
		s->cap = s->mcap;
		s->mpages = p;
		s->mhits = h;
		s->mcap = c;
	}
	s->n = k;
	return 0;
}

/* One clear_refs write, the walk's records, merged. */
static int walk(struct hm_source *s, char *why, size_t size)
{
	ssize_t n;
	int err;

	s->ncur = 0;
	s->unsorted = false;
	s->skel->bss->walker_tid = (uint32_t)gettid();
	n = pwrite(s->clear_fd, "1", 1, 0);
	s->skel->bss->walker_tid = 0;
	if (n != 1) {
		err = n < 0 && errno != ENOENT && errno != ESRCH ? -errno : -ESRCH;
		snprintf(why, size, "/proc/%d/clear_refs: %s", (int)s->o.pid,
			 err == -ESRCH ? "process exited" : strerror(-err));
		return err;
	}
	err = ring_buffer__consume(s->t.loop.rb);
	if (s->err || (err < 0 && err != -EINTR)) {
		err = s->err ? s->err : err;
		snprintf(why, size, "reading the ring buffer: %s", strerror(-err));
		return err;
	}
	if (s->unsorted)
		qsort(s->cur, (size_t)s->ncur, sizeof(*s->cur), cmp_u64);
	return 0;
}

static int sample(struct hm_source *s, char *why, size_t size)
{
	int err = walk(s, why, size);

	return err ? err : merge(s);
}

static int young_next(struct hm_source *s, struct hm_frame *f, char *why, size_t size)
{
	int rc;

	s->n = 0;
	rc = hm_clock_frame(&s->clk, s, sample, why, size);
	if (rc)
		return rc;
	rc = hm_frame_from_pages(f, s->pages, s->hits, (size_t)s->n, s->clk.per_frame, PAGE);
	if (rc)
		return rc;
	hm_clock_stamp(&s->clk, f);
	return 0;
}

static uint64_t young_lost(struct hm_source *s)
{
	return mms_evloop_lost(&s->t.loop) + mms_tracer_missed(&s->t);
}

static const char *young_describe(struct hm_source *s)
{
	uint64_t lost = young_lost(s);

	if (!lost)
		return hm_clock_describe(s);
	snprintf(s->desc, sizeof(s->desc), "%s; %llu records lost", hm_clock_describe(s),
		 (unsigned long long)lost);
	return s->desc;
}

static void young_close(struct hm_source *s)
{
	if (!s)
		return;
	mms_tracer_close(&s->t);
	if (s->clear_fd >= 0)
		close(s->clear_fd);
	hm_lock_release(&s->lock);
	free(s->cur);
	free(s->pages);
	free(s->hits);
	free(s->mpages);
	free(s->mhits);
	free(s);
}

/*
 * Loads and attaches young.bpf.c the first way this kernel allows: fexit (the
 * return value is the bit), else kprobes (the entry read before it is cleared).
 * 0 with *how set and t open; -EOPNOTSUPP with both reasons.
 */
static int young_load(struct mms_tracer *t, const struct mms_tracer_opts *o,
		      struct young_bpf **out, const char **how, char *why, size_t size)
{
	static const char *const ways[] = { "fexit", "kprobe" };
	char first[256] = "";
	int err = 0;

	for (int w = 0; w < 2; w++) {
		struct young_bpf *skel;

		mms_tracer_init(t, o);
		skel = young_bpf__open();
		err = mms_tracer_adopt(t, skel, skel ? skel->obj : NULL, destroy, "young", why, size);
		if (err)
			return err;
		bpf_program__set_autoload(skel->progs.fexit_pte, w == 0);
		bpf_program__set_autoload(skel->progs.fexit_pmd, w == 0);
		bpf_program__set_autoload(skel->progs.kprobe_pte, w == 1);
		bpf_program__set_autoload(skel->progs.kprobe_pmd, w == 1);
		bpf_map__set_max_entries(skel->maps.events, RINGBUF_BYTES);
		err = mms_tracer_loaded(t, young_bpf__load(skel), ways[w], why, size);
		if (!err)
			err = mms_tracer_start(t, o, why, size);
		if (!err) {
			*out = skel;
			*how = ways[w];
			return 0;
		}
		if (err == -ENOMEM)
			return err;
		/* The generic messages speak of privileges and tracepoints: say what
		 * these two refusals mean here. */
		if (!w && err == -EPERM && geteuid() == 0)
			snprintf(why, size, "the kernel refused to load fexit programs (EPERM, as root)");
		else if (w && err == -ENOENT)
			snprintf(why, size, "no kprobe PMU nor kprobe_events (CONFIG_KPROBES)");
		if (!w)
			snprintf(first, sizeof(first), "fexit: %s", why);
	}
	{
		char second[256];

		snprintf(second, sizeof(second), "%s", why);
		snprintf(why, size, "no BPF on ptep_test_and_clear_young(): %s; kprobe: %s", first,
			 second);
	}
	return -EOPNOTSUPP;
}

int hm_young_probe(struct mms_features *fs, char *why, size_t size)
{
	struct mms_tracer_opts o = { 0 };
	struct mms_tracer t;
	struct young_bpf *skel;
	const char *how;
	int err = young_load(&t, &o, &skel, &how, why, size);

	if (!err)
		mms_tracer_close(&t);
	return err;
}

static int young_open(struct hm_source **out, const struct hm_opts *o, char *why, size_t size)
{
	struct hm_source *s = calloc(1, sizeof(*s));
	struct mms_tracer_opts to = { .on_event = on_record };
	char path[64], what[96];
	int rc;

	if (!s)
		return -ENOMEM;
	s->o = *o;
	s->lock.fd = -1;
	s->clear_fd = -1;
	to.ctx = s;
	hm_clock_init(&s->clk, &s->o);
	if (geteuid() != 0) {
		snprintf(why, size, "loading BPF needs root");
		rc = -EPERM;
		goto fail;
	}
	if ((rc = young_load(&s->t, &to, &s->skel, &s->how, why, size)))
		goto fail;
	s->skel->bss->target_tgid = (uint32_t)o->pid;
	if ((rc = hm_refs_lock(&s->lock, s->o.pid, why, size)))
		goto fail;
	snprintf(path, sizeof(path), "/proc/%d/clear_refs", (int)o->pid);
	s->clear_fd = open(path, O_WRONLY | O_CLOEXEC);
	if (s->clear_fd < 0) {
		rc = errno == ENOENT ? -ESRCH : -errno;
		snprintf(why, size, "%s: %s", path,
			 rc == -ESRCH ? "no such process" : strerror(-rc));
		goto fail;
	}
	/* The first sample must see only what was touched after now. */
	if ((rc = walk(s, why, size)))
		goto fail;
	snprintf(what, sizeof(what), "clear_refs + %s on ptep_test_and_clear_young(), 4 KiB pages",
		 s->how);
	hm_clock_start(&s->clk, what);
	*out = s;
	return 0;
fail:
	young_close(s);
	return rc;
}

const struct hm_source_ops hm_src_young = {
	.name = "young",
	.open = young_open,
	.next = young_next,
	.describe = young_describe,
	.close = young_close,
	.lost = young_lost,
};
