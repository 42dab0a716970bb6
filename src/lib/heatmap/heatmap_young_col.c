// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The collector of the `young` and `mglru` heatmap sources (heatmap_young.h):
 * loads young.bpf.c the first way the kernel allows (fexit sees the return value,
 * the bit as it was; a kprobe reads the entry before it is cleared), and turns
 * the records of one walk into sorted page addresses, then merges them into the
 * frame's per-page counts.
 *
 * The walks run inside write() in the thread that writes (clear_refs, lru_gen),
 * so when write() returns every record of that walk is in the ring buffer: it is
 * consumed right then, no boundary to guess. Records come in address order (VMA
 * after VMA, entry after entry); a transparent huge page is one PMD record,
 * counted as its 512 pages.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/heatmap/heatmap_young.h"
#include "bpf/young.h"
#include "young.skel.h"

#define PAGE 4096ull
#define PMD_PAGES 512
/* 2 M records of 8 bytes (16 with the ring buffer's header): 8 GiB resident per
 * walk before a record is lost (counted, shown). */
#define RINGBUF_BYTES (32u << 20)

static void destroy(void *skel)
{
	young_bpf__destroy(skel);
}

int hm_young_col_add(struct hm_young_col *c, uint64_t e)
{
	uint64_t addr = e & ~YOUNG_FLAGS;
	int pages = e & YOUNG_PMD ? PMD_PAGES : 1;

	for (int i = 0; i < pages; i++) {
		if (hm_grow(&c->cur, c->ncur, &c->capcur, 4096))
			return -ENOMEM;
		if (c->ncur && (c->cur[c->ncur - 1] & ~YOUNG_FLAGS) >= addr + i * PAGE)
			c->unsorted = true;
		c->cur[c->ncur++] = (addr + i * PAGE) | (e & YOUNG_ACCESSED);
	}
	return 0;
}

static int on_record(void *ctx, void *data, size_t len)
{
	struct hm_young_col *c = ctx;
	uint64_t e;

	if (len < sizeof(e))
		return 0;
	memcpy(&e, data, sizeof(e));
	if (hm_young_col_add(c, e)) {
		c->err = -ENOMEM;
		return -ENOMEM;
	}
	return 0;
}

static int cmp_addr(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x & ~YOUNG_FLAGS, b = *(const uint64_t *)y & ~YOUNG_FLAGS;

	return a < b ? -1 : a > b;
}

int hm_young_col_merge(struct hm_young_col *c)
{
	int need = c->n + c->ncur, i = 0, j = 0, k = 0;
	uint64_t *p;
	uint32_t *h;

	if (need > c->mcap) {
		if (!(p = realloc(c->mpages, (size_t)need * sizeof(*p))))
			return -ENOMEM;
		c->mpages = p;
		if (!(h = realloc(c->mhits, (size_t)need * sizeof(*h))))
			return -ENOMEM;
		c->mhits = h;
		c->mcap = need;
	}
	while (i < c->n || j < c->ncur) {
		uint64_t a = j < c->ncur ? c->cur[j] & ~YOUNG_FLAGS : UINT64_MAX;
		uint32_t young = 0;

		if (i < c->n && c->pages[i] < a) {
			c->mpages[k] = c->pages[i];
			c->mhits[k++] = c->hits[i++];
			continue;
		}
		/* A page sent twice in one walk (never by one clear_refs walk; MGLRU
		 * may meet a page again in look-around): accessed once at most. */
		for (; j < c->ncur && (c->cur[j] & ~YOUNG_FLAGS) == a; j++)
			young |= (uint32_t)(c->cur[j] & YOUNG_ACCESSED);
		c->mpages[k] = a;
		c->mhits[k] = young;
		if (i < c->n && c->pages[i] == a)
			c->mhits[k] += c->hits[i++];
		k++;
	}
	/* The merged arrays become the frame's; the old ones the next merge room. */
	p = c->pages;
	h = c->hits;
	c->pages = c->mpages;
	c->hits = c->mhits;
	c->mpages = p;
	c->mhits = h;
	i = c->cap;
	c->cap = c->mcap;
	c->mcap = i;
	c->n = k;
	return 0;
}

void hm_young_col_begin(struct hm_young_col *c)
{
	c->ncur = 0;
	c->unsorted = false;
	c->skel->bss->walker_tid = (uint32_t)gettid();
}

int hm_young_col_end(struct hm_young_col *c, char *why, size_t size)
{
	int err;

	c->skel->bss->walker_tid = 0;
	err = ring_buffer__consume(c->t.loop.rb);
	if (c->err || (err < 0 && err != -EINTR)) {
		err = c->err ? c->err : err;
		snprintf(why, size, "reading the ring buffer: %s", strerror(-err));
		return err;
	}
	if (c->unsorted)
		qsort(c->cur, (size_t)c->ncur, sizeof(*c->cur), cmp_addr);
	return 0;
}

uint64_t hm_young_col_lost(struct hm_young_col *c)
{
	return c->skel ? mms_evloop_lost(&c->t.loop) + mms_tracer_missed(&c->t) : 0;
}

void hm_young_col_close(struct hm_young_col *c)
{
	if (c->skel)
		mms_tracer_close(&c->t);
	free(c->cur);
	free(c->pages);
	free(c->hits);
	free(c->mpages);
	free(c->mhits);
	memset(c, 0, sizeof(*c));
}

int hm_young_col_open(struct hm_young_col *c, pid_t pid, bool no_fexit, bool probe, char *why,
		      size_t size)
{
	static const char *const ways[] = { "fexit", "kprobe" };
	struct mms_tracer_opts o = { .on_event = on_record, .ctx = c };
	char first[256] = "fexit: not tried (MMSCOPE_FAULT=fexit)", second[256];
	int err = 0;

	memset(c, 0, sizeof(*c));
	for (int w = no_fexit; w < 2; w++) {
		struct young_bpf *skel;

		mms_tracer_init(&c->t, &o);
		skel = young_bpf__open();
		err = mms_tracer_adopt(&c->t, skel, skel ? skel->obj : NULL, destroy, "young", why,
				       size);
		if (err)
			return err;
		bpf_program__set_autoload(skel->progs.fexit_pte, w == 0);
		bpf_program__set_autoload(skel->progs.fexit_pmd, w == 0);
		bpf_program__set_autoload(skel->progs.kprobe_pte, w == 1);
		bpf_program__set_autoload(skel->progs.kprobe_pmd, w == 1);
		/* A probe only loads and attaches: a small ring buffer will do. */
		bpf_map__set_max_entries(skel->maps.events, probe ? 65536 : RINGBUF_BYTES);
		skel->bss->target_tgid = (uint32_t)pid;
		err = mms_tracer_loaded(&c->t, young_bpf__load(skel), ways[w], why, size);
		if (!err)
			err = mms_tracer_start(&c->t, &o, why, size);
		if (!err) {
			c->skel = skel;
			c->how = ways[w];
			return 0;
		}
		if (err == -ENOMEM)
			return err;
		/* The generic messages speak of privileges and tracepoints: say what
		 * these two refusals mean here. */
		if (!w && err == -EPERM && geteuid() == 0)
			snprintf(why, size, "the kernel refused to load fexit programs (EPERM, as root)");
		else if (!w && err == -ESRCH) /* libbpf: no such function in the kernel's BTF */
			snprintf(why, size, "no function ptep_test_and_clear_young in the kernel's BTF "
					    "(inlined into its callers, as on arm64)");
		else if (w && err == -ENOENT && access("/sys/bus/event_source/devices/kprobe", F_OK) == 0)
			snprintf(why, size, "no function ptep_test_and_clear_young to probe "
					    "(inlined into its callers, as on arm64)");
		else if (w && err == -ENOENT)
			snprintf(why, size, "no kprobe PMU nor kprobe_events (CONFIG_KPROBES)");
		if (!w)
			snprintf(first, sizeof(first), "fexit: %s", why);
	}
	snprintf(second, sizeof(second), "%s", why);
	snprintf(why, size, "no BPF on ptep_test_and_clear_young(): %s; kprobe: %s", first, second);
	return -EOPNOTSUPP;
}
