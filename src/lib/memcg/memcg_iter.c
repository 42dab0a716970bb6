// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The cgroup iterator backends' shared code (memcg_iter.h): planning which statistics
 * the iterator serves, loading and attaching it on the reader's root, running it
 * (a pass through the seq_file, or one test run of the one-cgroup program), and
 * turning its records into snapshot rows, with text filling what it does not serve.
 * What differs between kfunc and core is in their struct memcg_iter_kind.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "lib/memcg/memcg_iter.h"

void memcg_set_err(struct mms_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	memset(err, 0, sizeof(*err));
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

static void iter_unload(struct memcg_iter *it)
{
	if (it->recs)
		munmap(it->recs, it->recs_len);
	it->recs = NULL;
	bpf_link__destroy(it->link);
	it->link = NULL;
	it->kind->skel_destroy(it);
	it->skel = NULL;
}

/* The spans of state[] and events[] the verified slots use: all the iterator copies. */
static void set_spans(struct mms_memcg_reader *r, struct memcg_iter *it)
{
	unsigned int lo[2] = { MEMCG_RAW_MAX, MEMCG_RAW_MAX }, hi[2] = { 0, 0 };

	for (int i = 0; i < r->nr_stats; i++) {
		const struct memcg_src *s = &it->src[i];
		int a = s->kind == MSK_STATE ? 0 : s->kind == MSK_EVENT ? 1 : -1;

		for (int p = 0; a >= 0 && p < s->nr; p++) {
			if (s->idx[p] < lo[a])
				lo[a] = s->idx[p];
			if (s->idx[p] + 1u > hi[a])
				hi[a] = s->idx[p] + 1u;
		}
	}
	it->cfg->state_lo = hi[0] ? lo[0] : 0;
	it->cfg->state_n = hi[0] ? hi[0] - lo[0] : 0;
	it->cfg->events_lo = hi[1] ? lo[1] : 0;
	it->cfg->events_n = hi[1] ? hi[1] - lo[1] : 0;
}

bool memcg_iter_want_self(const struct mms_memcg_reader *r, const struct memcg_iter *it)
{
	return r->self_only && !it->no_self_run && it->kind->self_possible(r);
}

struct bpf_link *memcg_iter_attach(struct memcg_iter *it, int dir_fd, bool self_only)
{
	LIBBPF_OPTS(bpf_iter_attach_opts, opts);
	union bpf_iter_link_info info = { 0 };

	info.cgroup.cgroup_fd = dir_fd;
	info.cgroup.order = self_only ? BPF_CGROUP_ITER_SELF_ONLY :
					BPF_CGROUP_ITER_DESCENDANTS_PRE;
	opts.link_info = &info;
	opts.link_info_len = sizeof(info);
	return bpf_program__attach_iter(it->iter_prog, &opts);
}

/* The skeleton opened and loaded with cap records, the one-cgroup program only where
 * it is used: each load costs ~35 ms of verification, as much as the iterator's. */
static int iter_load_skel(struct mms_memcg_reader *r, struct memcg_iter *it, unsigned int cap,
			  struct mms_error *err)
{
	int rc = it->kind->skel_open(it);

	if (rc) {
		memcg_set_err(err, "cannot open the BPF object: %s", strerror(-rc));
		return rc;
	}
	if (!memcg_iter_want_self(r, it))
		bpf_program__set_autoload(it->self_prog, false);
	rc = bpf_map__set_max_entries(it->records, cap);
	if (!rc)
		rc = it->kind->skel_load(it);
	if (rc && memcg_iter_want_self(r, it)) {
		/* A kernel refusing the one-cgroup program still gets the iterator. */
		memcg_note(r, "one-cgroup program refused (%s): the iterator serves every read",
			   strerror(-rc));
		iter_unload(it);
		it->no_self_run = true;
		return iter_load_skel(r, it, cap, err);
	}
	if (rc)
		memcg_set_err(err, "%s iterator load refused: %s", it->kind->name, strerror(-rc));
	return rc;
}

/* Opens, sizes, loads and attaches the iterator on the reader's root; maps records. */
static int iter_load(struct mms_memcg_reader *r, struct memcg_iter *it, unsigned int cap,
		     struct mms_error *err)
{
	int rc = iter_load_skel(r, it, cap, err);

	if (rc)
		goto fail;
	it->link = memcg_iter_attach(it, r->rootfd, r->self_only);
	if (!it->link) {
		rc = -errno;
		memcg_set_err(err, "cgroup iterator attach to %s failed: %s", r->root_display,
			      strerror(-rc));
		goto fail;
	}
	it->cap = cap;
	it->recs_len = ((size_t)cap * sizeof(struct memcg_rec) + 4095) & ~(size_t)4095;
	it->recs = mmap(NULL, it->recs_len, PROT_READ, MAP_SHARED, bpf_map__fd(it->records), 0);
	if (it->recs == MAP_FAILED) {
		it->recs = NULL;
		rc = -errno;
		memcg_set_err(err, "cannot map the records: %s", strerror(-rc));
		goto fail;
	}
	it->cfg->nr = r->nr_stats;
	it->cfg->self_only = r->self_only && it->kind->pass_finds_self;
	memcpy(it->cfg->src, it->src, sizeof(it->src));
	set_spans(r, it);
	return 0;
fail:
	iter_unload(it);
	return rc;
}

/* One pass of the iterator: it runs in read(); the summary is all that comes back. */
int memcg_iter_run_link(struct memcg_iter *it, struct bpf_link *link, struct memcg_summary *sum)
{
	ssize_t n;
	int fd;

	*it->nr_out = *it->overflow = 0;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0)
		return -errno;
	n = read(fd, sum, sizeof(*sum));
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return (int)n;
	return n == sizeof(*sum) ? 0 : -EIO;
}

int memcg_iter_run(struct memcg_iter *it, struct memcg_summary *sum)
{
	return memcg_iter_run_link(it, it->link, sum);
}

/*
 * One cgroup: after the iterator's first pass has recorded the cgroup (core: the
 * pointer its link pins; kfunc: its id), memcg_core_self or memcg_kfunc_self writes
 * the same record in one BPF_PROG_TEST_RUN call. Falls back to the iterator for good
 * when the kernel refuses the test run.
 */
static int iter_run_self(struct mms_memcg_reader *r, struct memcg_iter *it,
			 struct memcg_summary *sum)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);

	if (it->no_self_run || !*it->self_key)
		return memcg_iter_run(it, sum);
	if (bpf_prog_test_run_opts(bpf_program__fd(it->self_prog), &topts)) {
		memcg_note(r, "one-cgroup test run refused (%s): the iterator serves every read",
			   strerror(errno));
		it->no_self_run = true;
		return memcg_iter_run(it, sum);
	}
	memset(sum, 0, sizeof(*sum));
	sum->nr = topts.retval ? 1 : 0;
	return 0;
}

/* ---- rows: id -> path ---- */

/* Adds every unknown child directory of parent_path (d_ino is the cgroup id). */
static void scan_children(struct mms_memcg_reader *r, const char *parent_path)
{
	int fd = openat(r->rootfd, memcg_rel_path(parent_path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		char *path;

		if (de->d_type != DT_DIR || de->d_name[0] == '.' || memcg_ent_find(r, de->d_ino))
			continue;
		path = memcg_child_path(parent_path, de->d_name);
		if (!path)
			break;
		if (!memcg_ent_add(r, de->d_ino, path)) {
			free(path);
			break;
		}
	}
	closedir(d);
}

/*
 * The table row of cgroup id, child of parent_id. A cgroup first seen is named by
 * scanning its parent's directory (d_ino is the cgroup id); the scan adds every
 * unknown sibling at once, so 10,000 new siblings cost one scan, not 10,000.
 * NULL when it cannot be named (removed meanwhile): left out of the snapshot.
 */
static struct cg_ent *row_for(struct mms_memcg_reader *r, uint64_t id, uint64_t parent_id)
{
	struct cg_ent *e = memcg_ent_find(r, id), *p;
	char *parent_path;

	if (e)
		return e;
	if (id == r->root_id) {
		char *path = strdup("/");

		if (!path || !(e = memcg_ent_add(r, id, path)))
			free(path);
		return e;
	}
	p = memcg_ent_find(r, parent_id);
	if (!p || p->gen != r->gen || p->scanned == r->gen)
		return NULL;
	p->scanned = r->gen;
	parent_path = strdup(p->path); /* p moves when the table grows */
	if (!parent_path)
		return NULL;
	scan_children(r, parent_path);
	free(parent_path);
	return memcg_ent_find(r, id);
}

/* ---- choosing sources ---- */

/* memcg_memory_event value of name in vmlinux BTF, or -1. */
static int btf_enum_value(const struct btf *btf, const char *type, const char *name)
{
	int id = btf__find_by_name_kind(btf, type, BTF_KIND_ENUM);
	const struct btf_type *t;
	const struct btf_enum *e;

	if (id < 0)
		return -1;
	t = btf__type_by_id(btf, id);
	e = btf_enum(t);
	for (int i = 0; i < btf_vlen(t); i++, e++)
		if (!strcmp(btf__name_by_offset(btf, e->name_off), name))
			return e->val;
	return -1;
}

/* A memory.events statistic by its memcg_memory_event value ("events_oom_kill" ->
 * MEMCG_OOM_KILL), or why not in r->why[i]. */
static void plan_memory_event(struct mms_memcg_reader *r, int i, const struct btf *btf,
			      struct memcg_src *s)
{
	const struct memcg_stat_def *d = &memcg_stats[r->stats[i]];
	char en[64];
	int val;

	snprintf(en, sizeof(en), "MEMCG_%s", d->name + strlen("events_"));
	for (char *c = en; *c; c++)
		*c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
	val = btf_enum_value(btf, "memcg_memory_event", en);
	if (val >= 0) {
		s->kind = MSK_MEMEV;
		s->nr = 1;
		s->idx[0] = (unsigned short)val;
	} else {
		r->why[i] = "no such memory event in this kernel's BTF";
	}
}

/*
 * What the iterator can serve before any verification: page counters and (core)
 * memory_events[] by their BTF enum value; kfunc: every item. A statistic this cgroup
 * version does not show in text is absent from every backend.
 */
static void plan_sources(struct mms_memcg_reader *r, struct memcg_iter *it, const struct btf *btf)
{
	const struct memcg_iter_kind *k = it->kind;

	for (int i = 0; i < r->nr_stats; i++) {
		const struct memcg_stat_def *d = &memcg_stats[r->stats[i]];
		struct memcg_src *s = &it->src[i];
		int file = memcg_stat_file(r->stats[i], r->version);

		memset(s, 0, sizeof(*s));
		it->mult[i] = 1;
		if (file < 0 || d->src == MTS_PSI)
			continue;
		switch (d->src) {
		case MTS_USAGE:
			s->kind = MSK_USAGE;
			it->mult[i] = k->usage_in_pages ? it->page_size : 1;
			break;
		case MTS_LIMIT:
			s->kind = MSK_LIMIT;
			break;
		case MTS_HIGH:
			s->kind = MSK_HIGH;
			break;
		case MTS_SWAP:
			if (r->version == 2) {
				s->kind = MSK_SWAP;
				it->mult[i] = it->page_size;
			}
			break;
		case MTS_EVENTS:
			if (k->events_by_btf && btf)
				plan_memory_event(r, i, btf, s);
			break;
		default:
			break;
		}
		if (k->by_item && d->items[0] != MI_NR && s->kind == MSK_NONE) {
			s->kind = MSK_ITEM;
			for (int p = 0; p < MEMCG_SUM_MAX && d->items[p] != MI_NR; p++)
				s->idx[s->nr++] = d->items[p];
		}
	}
}

/*
 * The statistics left to text that the root-total rule can serve without it
 * (memcg_zero.c), and their reason saying so; the root's memory.stat kept open.
 */
static void plan_zero(struct mms_memcg_reader *r, struct memcg_iter *it)
{
	uint64_t mask = 0;

	for (int i = 0; i < r->nr_stats; i++)
		if ((r->text_mask & (1ull << i)) && memcg_zero_eligible(r->stats[i], r->version))
			mask |= 1ull << i;
	if (mask)
		it->root_stat = openat(r->rootfd, "memory.stat", O_RDONLY | O_CLOEXEC);
	it->zero_mask = it->root_stat >= 0 ? mask : 0;
	for (int i = 0; i < r->nr_stats; i++) {
		if (!(it->zero_mask & (1ull << i)))
			continue;
		snprintf(it->zero_why[i], sizeof(it->zero_why[i]),
			 "%s%s0 without text while the root's total is 0",
			 r->why[i] ? r->why[i] : "", r->why[i] ? "; " : "");
		r->why[i] = it->zero_why[i];
	}
}

static void finish_sources(struct mms_memcg_reader *r, struct memcg_iter *it)
{
	it->bpf_mask = 0;
	r->root_text_mask = 0;
	for (int i = 0; i < r->nr_stats; i++) {
		uint8_t src = memcg_stats[r->stats[i]].src;

		if (it->src[i].kind == MSK_NONE)
			continue;
		it->bpf_mask |= 1ull << i;
		r->source[i] = it->kind->name;
		r->why[i] = NULL;
		/* The root has no memory.current/max/high/events on v2, and v1 computes its
		 * usage from global counters: the root row shows what its text shows. */
		if (src == MTS_USAGE || src == MTS_LIMIT || src == MTS_HIGH || src == MTS_SWAP ||
		    src == MTS_EVENTS)
			r->root_text_mask |= 1ull << i;
	}
	r->text_mask &= ~it->bpf_mask;
	memcpy(it->cfg->src, it->src, sizeof(it->src));
	set_spans(r, it);
	plan_zero(r, it);
}

int memcg_iter_open(struct mms_memcg_reader *r, const struct memcg_iter_kind *kind,
		    struct mms_error *err)
{
	struct memcg_iter *it = calloc(1, sizeof(*it));
	struct btf *btf;
	int rc;

	if (!it)
		return -ENOMEM;
	it->kind = kind;
	it->root_stat = -1;
	it->page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	btf = btf__load_vmlinux_btf();
	plan_sources(r, it, btf);
	btf__free(btf);
	rc = iter_load(r, it, 1024, err);
	if (!rc)
		rc = kind->settle(r, it, err);
	if (rc) {
		iter_unload(it);
		free(it);
		return rc;
	}
	r->be = it;
	finish_sources(r, it);
	return 0;
}

/* ---- reading ---- */

static uint64_t scale(const struct memcg_iter *it, int i, uint64_t raw)
{
	switch (it->src[i].kind) {
	case MSK_LIMIT:
	case MSK_HIGH:
		/* PAGE_COUNTER_MAX = LONG_MAX / PAGE_SIZE pages: "max" */
		if (raw >= (uint64_t)INT64_MAX / it->page_size)
			return MMS_MEMCG_UNLIMITED;
		return raw * it->page_size;
	default:
		return raw * it->mult[i];
	}
}

/* One pass (or one test run) into the records, growing them when the tree outgrew them. */
static int iter_collect(struct mms_memcg_reader *r, struct memcg_iter *it,
			struct memcg_summary *sum)
{
	int rc = r->self_only ? iter_run_self(r, it, sum) : memcg_iter_run(it, sum);

	if (!rc && sum->overflow) {
		/* More cgroups than records: grow and walk again. */
		unsigned int cap = (sum->nr + sum->overflow) * 2;

		iter_unload(it);
		rc = iter_load(r, it, cap, NULL);
		if (!rc)
			rc = memcg_iter_run(it, sum);
		if (!rc && sum->overflow)
			rc = -EAGAIN;
	}
	return rc;
}

/*
 * The statistics of it->zero_mask the reader's root shows as 0 now (memcg_zero.c), and
 * the text plans without them. Read before the pass: the read flushes what is pending.
 */
static uint64_t zero_now(struct mms_memcg_reader *r, struct memcg_iter *it)
{
	uint64_t zero = 0;
	ssize_t n;

	if (!it->zero_mask)
		return 0;
	n = pread(it->root_stat, r->buf, r->buf_size, 0);
	/* A text filling the buffer may be cut short: no key of it is trusted. */
	if (n > 0 && (size_t)n < r->buf_size)
		zero = memcg_zero_decide(r->version, r->stats, r->nr_stats, it->zero_mask, r->buf,
					 (size_t)n);
	if (zero && zero != it->zero_plans_for) {
		memcg_plan_build(r, r->text_mask & ~zero, &it->zero_plan_all);
		memcg_plan_build(r, (r->text_mask | r->root_text_mask) & ~zero,
				 &it->zero_plan_root);
		it->zero_plans_for = zero;
	}
	return zero;
}

int memcg_iter_read(struct mms_memcg_reader *r, struct mms_memcg_snapshot *s)
{
	struct memcg_iter *it = r->be;
	uint64_t values[MMS_MEMCG_STATS_MAX];
	struct memcg_summary sum;
	uint64_t zero = zero_now(r, it);
	int rc = iter_collect(r, it, &sum);

	if (rc)
		return rc;
	for (unsigned int n = 0; n < sum.nr; n++) {
		const struct memcg_rec *rec = &it->recs[n];
		struct cg_ent *e = row_for(r, rec->id, rec->parent_id);
		const struct text_plan *plan = zero ? &it->zero_plan_all : &r->plan_all;
		uint64_t present = 0, mask = it->bpf_mask;

		if (!e)
			continue;
		e->gen = r->gen;
		if (rec->id == r->root_id && (rec->flags & MEMCG_REC_ROOT)) {
			mask &= ~r->root_text_mask;
			plan = zero ? &it->zero_plan_root : &r->plan_root;
		}
		if (!(rec->flags & MEMCG_REC_NO_MEMCG)) {
			for (int i = 0; i < r->nr_stats; i++) {
				if ((mask & (1ull << i)) && (rec->present & (1ull << i))) {
					values[i] = scale(it, i, rec->v[i]);
					present |= 1ull << i;
				} else if (zero & (1ull << i)) {
					values[i] = 0;
					present |= 1ull << i;
				}
			}
		}
		rc = memcg_text_fill(r, e, plan, values, &present);
		if (rc == -ENOENT)
			continue;
		if (rc)
			return rc;
		memcg_snap_add(r, s, e, values, present);
	}
	return 0;
}

void memcg_iter_close(struct mms_memcg_reader *r)
{
	struct memcg_iter *it = r->be;

	if (!it)
		return;
	iter_unload(it);
	if (it->root_stat >= 0)
		close(it->root_stat);
	free(it);
	r->be = NULL;
}
