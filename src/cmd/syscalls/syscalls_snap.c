// SPDX-License-Identifier: GPL-2.0
/* Snapshots of the syscalls tracer's running totals, and differences (syscalls_cmd.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/syscalls/syscalls_cmd.h"

static size_t key_hash(uint64_t group, uint32_t slot)
{
	uint64_t h = (group ^ ((uint64_t)slot << 48) ^ slot) * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 17);
}

static int reindex(struct sys_snap *s, size_t nidx)
{
	size_t *idx = calloc(nidx, sizeof(*idx));

	if (!idx)
		return -ENOMEM;
	free(s->idx);
	s->idx = idx;
	s->nidx = nidx;
	for (size_t i = 0; i < s->n; i++) {
		size_t h = key_hash(s->v[i].group, s->v[i].slot) & (nidx - 1);

		while (idx[h])
			h = (h + 1) & (nidx - 1);
		idx[h] = i + 1;
	}
	return 0;
}

const struct sys_row *sys_snap_find(const struct sys_snap *s, uint64_t group, uint32_t slot)
{
	if (!s->nidx)
		return NULL;
	for (size_t h = key_hash(group, slot) & (s->nidx - 1); s->idx[h];
	     h = (h + 1) & (s->nidx - 1)) {
		const struct sys_row *r = &s->v[s->idx[h] - 1];

		if (r->group == group && r->slot == slot)
			return r;
	}
	return NULL;
}

/* A new row (the index is rebuilt by the caller before any find). */
static struct sys_row *row_add(struct sys_snap *s, uint64_t group, uint32_t slot)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct sys_row *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		s->v = v;
		s->cap = cap;
	}
	memset(&s->v[s->n], 0, sizeof(s->v[0]));
	s->v[s->n].group = group;
	s->v[s->n].slot = slot;
	return &s->v[s->n++];
}

struct read_ctx {
	struct sys_snap *s;
	int err;
};

static void on_stat(void *ctx, uint64_t group, uint32_t slot, const struct mms_sys_stat *st)
{
	struct read_ctx *c = ctx;
	struct sys_row *r = row_add(c->s, group, slot);

	if (!r) {
		c->err = -ENOMEM;
		return;
	}
	r->s = *st;
}

static void row_errno(struct sys_row *r, uint32_t err, uint64_t n)
{
	for (uint32_t i = 0; i < r->nerr; i++) {
		if (r->errs[i].err == err) {
			r->errs[i].n += n;
			return;
		}
	}
	if (r->nerr == SYS_ROW_ERRNOS) {
		r->other_errs += n;
		return;
	}
	r->errs[r->nerr].err = err;
	r->errs[r->nerr++].n = n;
}

static void on_errno(void *ctx, uint64_t group, uint32_t slot, uint32_t err, uint64_t n)
{
	struct read_ctx *c = ctx;
	struct sys_row *r = (struct sys_row *)sys_snap_find(c->s, group, slot);

	/* An error counted after its stats row was read: it shows at the next read. */
	if (r)
		row_errno(r, err, n);
}

static size_t index_size(size_t n)
{
	size_t nidx = 64;

	while (nidx < n * 2)
		nidx *= 2;
	return nidx;
}

int sys_snap_read(struct sys_snap *s, const struct mms_tracer *t,
		  const struct mms_syscalls_opts *o)
{
	struct read_ctx c = { s, 0 };
	int err;

	s->n = 0;
	err = mms_syscalls_read(t, o, on_stat, &c);
	if (!err)
		err = c.err;
	if (!err)
		err = reindex(s, index_size(s->n));
	if (!err)
		err = mms_syscalls_read_errnos(t, on_errno, &c);
	return err;
}

uint64_t sys_row_timed(const struct sys_row *r)
{
	uint64_t n = 0;

	for (int b = 0; b < MMS_SYS_BUCKETS; b++)
		n += r->s.hist[b];
	return n;
}

static uint64_t errno_count(const struct sys_row *r, uint32_t err)
{
	for (uint32_t i = 0; i < r->nerr; i++)
		if (r->errs[i].err == err)
			return r->errs[i].n;
	return 0;
}

static void row_sub(struct sys_row *d, const struct sys_row *cur, const struct sys_row *prev)
{
	int top = -1;

	d->s.calls = cur->s.calls - prev->s.calls;
	d->s.errors = cur->s.errors - prev->s.errors;
	d->s.total_ns = cur->s.total_ns - prev->s.total_ns;
	d->s.bytes = cur->s.bytes - prev->s.bytes;
	for (int b = 0; b < MMS_SYS_BUCKETS; b++) {
		d->s.hist[b] = cur->s.hist[b] - prev->s.hist[b];
		if (d->s.hist[b])
			top = b;
	}
	if (cur->s.max_ns > prev->s.max_ns)
		d->s.max_ns = cur->s.max_ns;
	else if (top > 0)
		d->s.max_ns = top >= 63 ? cur->s.max_ns : (1ull << top) - 1;
	if (d->s.max_ns > cur->s.max_ns)
		d->s.max_ns = cur->s.max_ns;
	for (uint32_t i = 0; i < cur->nerr; i++) {
		uint64_t n = cur->errs[i].n - errno_count(prev, cur->errs[i].err);

		if (n)
			row_errno(d, cur->errs[i].err, n);
	}
	d->other_errs += cur->other_errs - prev->other_errs;
}

int sys_snap_delta(struct sys_snap *out, const struct sys_snap *cur, const struct sys_snap *prev)
{
	static const struct sys_row none;

	out->n = 0;
	for (size_t i = 0; i < cur->n; i++) {
		const struct sys_row *c = &cur->v[i], *p = sys_snap_find(prev, c->group, c->slot);
		struct sys_row *d;

		if (!p)
			p = &none;
		if (c->s.calls == p->s.calls)
			continue;
		d = row_add(out, c->group, c->slot);
		if (!d)
			return -ENOMEM;
		row_sub(d, c, p);
	}
	return reindex(out, index_size(out->n));
}

static enum sys_sort sort_by;

static uint64_t sort_key(const struct sys_row *r)
{
	switch (sort_by) {
	case SORT_CALLS:
		return r->s.calls;
	case SORT_ERRORS:
		return r->s.errors;
	case SORT_P99:
		return mms_sys_percentile(r->s.hist, r->s.max_ns, 99);
	default:
		return r->s.total_ns;
	}
}

static int cmp_rows(const void *a, const void *b)
{
	const struct sys_row *x = a, *y = b;
	uint64_t kx = sort_key(x), ky = sort_key(y);

	if (kx != ky)
		return kx < ky ? 1 : -1;
	if (x->s.calls != y->s.calls)
		return x->s.calls < y->s.calls ? 1 : -1;
	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return x->slot < y->slot ? -1 : x->slot > y->slot;
}

void sys_snap_sort(struct sys_snap *s, enum sys_sort by)
{
	sort_by = by;
	qsort(s->v, s->n, sizeof(s->v[0]), cmp_rows);
	reindex(s, s->nidx ? s->nidx : index_size(s->n));
}

void sys_snap_free(struct sys_snap *s)
{
	free(s->v);
	free(s->idx);
	memset(s, 0, sizeof(*s));
}
