// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The kfunc backend: a sleepable cgroup iterator calling the memcg kfuncs (Linux
 * 7.0+; memcg_kfunc.bpf.c). Every statistic is a sum of kernel items; the first pass
 * tells which items this kernel has, and those it lacks are left to text.
 */
#include <errno.h>
#include <string.h>

#include "lib/memcg/memcg_iter.h"
#include "memcg_kfunc.skel.h"

static int kfunc_skel_open(struct memcg_iter *it)
{
	struct memcg_kfunc_bpf *skel = memcg_kfunc_bpf__open();

	if (!skel)
		return -errno;
	it->skel = skel;
	it->records = skel->maps.records;
	it->iter_prog = skel->progs.memcg_kfunc;
	it->self_prog = skel->progs.memcg_kfunc_self;
	return 0;
}

static int kfunc_skel_load(struct memcg_iter *it)
{
	struct memcg_kfunc_bpf *skel = it->skel;
	int rc = memcg_kfunc_bpf__load(skel);

	if (rc)
		return rc;
	it->cfg = &skel->bss->cfg;
	it->nr_out = &skel->bss->nr_out;
	it->overflow = &skel->bss->overflow;
	it->self_key = &skel->bss->self_id;
	return 0;
}

static void kfunc_skel_destroy(struct memcg_iter *it)
{
	memcg_kfunc_bpf__destroy(it->skel);
}

/* bpf_cgroup_from_id() looks ids up in the v2 hierarchy only. */
static bool kfunc_self_possible(const struct mms_memcg_reader *r)
{
	return r->version == 2;
}

/* The first pass resolves the items: those this kernel lacks go to text. */
static int kfunc_settle(struct mms_memcg_reader *r, struct memcg_iter *it, struct mms_error *err)
{
	const struct memcg_kfunc_bpf *skel = it->skel;
	struct memcg_summary sum;
	int rc = memcg_iter_run(it, &sum);

	if (rc) {
		memcg_set_err(err, "kfunc iterator run failed: %s", strerror(-rc));
		return rc;
	}
	for (int i = 0; i < r->nr_stats; i++) {
		struct memcg_src *s = &it->src[i];
		bool any = false;

		if (s->kind != MSK_ITEM)
			continue;
		for (int p = 0; p < s->nr; p++)
			any |= skel->bss->item_kind[s->idx[p]] != MIK_NONE;
		if (!any) {
			s->kind = MSK_NONE;
			r->why[i] = "no such item in this kernel";
		}
	}
	/* The one-cgroup program finds the cgroup by the id this pass recorded. */
	if (memcg_iter_want_self(r, it) && sum.nr == 1)
		*it->self_key = it->recs[0].id;
	return 0;
}

static const struct memcg_iter_kind kfunc_kind = {
	.name = "kfunc",
	.by_item = true,
	.skel_open = kfunc_skel_open,
	.skel_load = kfunc_skel_load,
	.skel_destroy = kfunc_skel_destroy,
	.self_possible = kfunc_self_possible,
	.settle = kfunc_settle,
};

static int kfunc_open(struct mms_memcg_reader *r, struct mms_error *err)
{
	return memcg_iter_open(r, &kfunc_kind, err);
}

const struct memcg_backend_ops memcg_kfunc_ops = {
	.name = "kfunc",
	.live_only = true,
	.open = kfunc_open,
	.read = memcg_iter_read,
	.close = memcg_iter_close,
};
