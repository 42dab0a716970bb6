// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The DAMON heatmap sources' collector: loads damon.bpf.c, which sends one
 * record per region of one kdamond's aggregation (damon:damon_aggregated), and
 * puts the records of one aggregation together. An aggregation is complete when
 * the last region of the last target arrived (idx == nr_regions - 1, both counted
 * by the BPF program), or, if that record was lost, when the next aggregation
 * starts. An aggregation whose beginning we did not see (we attached, or began
 * watching, while the kdamond was in the middle of emitting it) is dropped: it
 * would draw part of the address space as unsampled.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/heatmap/heatmap_damon.h"
#include "bpf/damon.h"
#include "damon.skel.h"

/* 8192 regions (DAMON's largest sensible max_nr_regions) of 56-byte records fit in
 * a quarter of it, so the buffer does not fill before the reader wakes. */
#define RINGBUF_BYTES (8u << 20)

static void destroy(void *skel)
{
	damon_bpf__destroy(skel);
}

static int aggr_push(struct hm_damon_aggr *a, const struct damon_record *e)
{
	if (hm_grow(&a->r, a->n, &a->cap, 1024))
		return -ENOMEM;
	a->r[a->n++] = (struct hm_damon_region){ e->start, e->end, e->nr_accesses, e->age,
						 e->target_id };
	a->ts_ns = e->ts_ns;
	return 0;
}

/*
 * The aggregation being filled is over: hand it over if it is whole. by_count: its
 * last region arrived. The BPF program numbers the first region it sees 0 even
 * when it began watching in the middle of an aggregation, so the first
 * aggregation counts as whole only when its count ends exactly at the last region;
 * later ones start where the addresses restart, and are taken even when their last
 * record was lost.
 */
static void finish_cur(struct hm_damon_col *c, bool by_count)
{
	struct hm_damon_aggr t;

	if (c->cur.n && c->cur.whole && (by_count || c->cur.seq != c->first_seq)) {
		if (c->have_done)
			c->skipped++;
		t = c->done;
		c->done = c->cur;
		c->cur = t;
		c->have_done = true;
	}
	c->cur.n = 0;
	c->cur.whole = false;
}

static int on_record(void *ctx, void *data, size_t len)
{
	struct hm_damon_col *c = ctx;
	const struct damon_record *e = data;

	if (len < sizeof(*e))
		return 0;
	if (!c->first_seq)
		c->first_seq = e->aggr;
	if (e->aggr != c->cur.seq) {
		finish_cur(c, false);
		c->cur.seq = e->aggr;
		c->cur.whole = e->idx == 0 && e->target_id == 0;
	}
	if (aggr_push(&c->cur, e))
		return -ENOMEM;
	if (e->target_id + 1 >= c->ntargets && e->idx + 1 == e->nr_regions)
		finish_cur(c, true);
	return 0;
}

int hm_damon_col_open(struct hm_damon_col *c, char *why, size_t size)
{
	struct mms_tracer_opts o = { .on_event = on_record, .ctx = c };
	struct damon_bpf *skel;
	bool new_proto;
	char type[64];
	int err;

	memset(c, 0, sizeof(*c));
	c->ntargets = 1;
	mms_tracer_init(&c->t, &o);
	/*
	 * The tracepoint's first argument is the target index (unsigned int) since the
	 * damon_target pointer was dropped from TP_PROTO; before, it was that pointer.
	 * No btf_trace_damon_aggregated at all: a kernel without DAMON.
	 */
	if (!mms_btf_tp_param_type("damon_aggregated", 0, type, sizeof(type))) {
		snprintf(why, size,
			 "no damon:damon_aggregated tracepoint in the kernel's BTF (CONFIG_DAMON)");
		return -EOPNOTSUPP;
	}
	new_proto = strcmp(type, "") != 0; /* a pointer type has no name */
	c->variant = new_proto ? "(target_id, region, nr_regions)"
			       : "(target, target_id, region, nr_regions)";
	skel = damon_bpf__open();
	err = mms_tracer_adopt(&c->t, skel, skel ? skel->obj : NULL, destroy, "damon", why, size);
	if (err)
		return err;
	bpf_program__set_autoload(skel->progs.raw_tp_damon_aggregated, new_proto);
	bpf_program__set_autoload(skel->progs.raw_tp_damon_aggregated_old, !new_proto);
	bpf_map__set_max_entries(skel->maps.events, RINGBUF_BYTES);
	err = mms_tracer_loaded(&c->t, damon_bpf__load(skel), "damon", why, size);
	if (err)
		return err;
	err = mms_tracer_start(&c->t, &o, why, size);
	if (err)
		return err;
	c->skel = skel;
	return 0;
}

void hm_damon_col_watch(struct hm_damon_col *c, pid_t tid, uint32_t ntargets)
{
	struct damon_bpf *skel = c->skel;

	c->ntargets = ntargets ? ntargets : 1;
	skel->bss->kdamond_tid = (uint32_t)tid;
}

int hm_damon_col_poll(struct hm_damon_col *c, int timeout_ms)
{
	int err;

	if (c->have_done)
		return 1;
	err = ring_buffer__poll(c->t.loop.rb, timeout_ms);
	if (err < 0 && err != -EINTR)
		return err;
	/* Records are submitted without a wakeup (event_submit()): read them too. */
	err = ring_buffer__consume(c->t.loop.rb);
	if (err < 0 && err != -EINTR)
		return err;
	return c->have_done;
}

void hm_damon_col_take(struct hm_damon_col *c)
{
	c->have_done = false;
}

uint64_t hm_damon_col_lost(const struct hm_damon_col *c)
{
	return mms_evloop_lost(&c->t.loop) + mms_tracer_missed(&c->t);
}

void hm_damon_col_close(struct hm_damon_col *c)
{
	mms_tracer_close(&c->t);
	free(c->cur.r);
	free(c->done.r);
	memset(c, 0, sizeof(*c));
}
