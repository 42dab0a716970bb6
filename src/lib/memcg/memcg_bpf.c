// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The BPF memcg backends' loader: choosing a backend, loading the iterator, verifying
 * the core backend's vmstats slots, and turning records into snapshot rows.
 *
 * Slot verification (core). Since 6.11 vmstats->state[] is indexed through a boot-time
 * table that is neither in BTF nor in kallsyms, and its order depends on the kernel's
 * version and config; events[] has been dense since 6.1. So nothing is assumed: at
 * open, the iterator dumps the raw arrays of the root and up to 63 cgroups below it
 * between two reads of their memory.stat (the reads flush, so text and arrays show the
 * same flushed counters). A statistic is served from slot s only when, for every
 * sampled cgroup whose text value did not change between the two reads, raw[s] times
 * the statistic's unit equals the text value, at least one of them is non-zero, and
 * no other slot fits as well. Anything else (all zero, ambiguous, not found) is
 * served by the text backend, which says why. The result is kept for the reader's
 * lifetime. On a quiet system a cgroup of the reader's own adds a sample with known
 * amounts of each kind (memcg_probe.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "lib/memcg/memcg_reader.h"
#include "memcg.skel.h"
#include "memcg_kfunc.skel.h"
#include "lib/util/textscan.h"

struct memcg_be {
	bool kfunc;
	struct memcg_bpf *core;
	struct memcg_kfunc_bpf *kf;
	struct bpf_link *link;
	struct memcg_cfg *cfg;       /* in the skeleton's bss */
	struct memcg_rec *recs;      /* the records map, mmap-ed */
	size_t recs_len;
	unsigned int cap;
	uint64_t page_size;
	uint64_t bpf_mask;           /* stats the iterator serves */
	bool no_self_run;            /* the one-cgroup test run failed: iterator only */
	int verbose;
	struct memcg_src src[MMS_MEMCG_STATS_MAX];
	uint64_t mult[MMS_MEMCG_STATS_MAX];
};

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static int verbose_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return vfprintf(stderr, fmt, ap);
}

static void set_err(struct mms_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_err(struct mms_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	memset(err, 0, sizeof(*err));
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

static struct bpf_map *records_map(struct memcg_be *be)
{
	return be->kf ? be->kf->maps.records : be->core->maps.records;
}

static void be_unload(struct memcg_be *be)
{
	if (be->recs)
		munmap(be->recs, be->recs_len);
	be->recs = NULL;
	bpf_link__destroy(be->link);
	be->link = NULL;
	memcg_bpf__destroy(be->core);
	memcg_kfunc_bpf__destroy(be->kf);
	be->core = NULL;
	be->kf = NULL;
}

/* The spans of state[] and events[] the verified slots use: all the iterator copies. */
static void set_spans(struct mms_memcg_reader *r, struct memcg_be *be)
{
	unsigned int lo[2] = { MEMCG_RAW_MAX, MEMCG_RAW_MAX }, hi[2] = { 0, 0 };

	for (int i = 0; i < r->nr_stats; i++) {
		const struct memcg_src *s = &be->src[i];
		int a = s->kind == MSK_STATE ? 0 : s->kind == MSK_EVENT ? 1 : -1;

		for (int p = 0; a >= 0 && p < s->nr; p++) {
			if (s->idx[p] < lo[a])
				lo[a] = s->idx[p];
			if (s->idx[p] + 1u > hi[a])
				hi[a] = s->idx[p] + 1u;
		}
	}
	be->cfg->state_lo = hi[0] ? lo[0] : 0;
	be->cfg->state_n = hi[0] ? hi[0] - lo[0] : 0;
	be->cfg->events_lo = hi[1] ? lo[1] : 0;
	be->cfg->events_n = hi[1] ? hi[1] - lo[1] : 0;
}

/* The one-cgroup program: a test run instead of an iterator pass (be_run_self). */
static struct bpf_program *self_prog(struct memcg_be *be)
{
	return be->kf ? be->kf->progs.memcg_kfunc_self : be->core->progs.memcg_core_self;
}

/* kfunc: bpf_cgroup_from_id() looks ids up in the v2 hierarchy only. */
static bool want_self_prog(const struct mms_memcg_reader *r, const struct memcg_be *be)
{
	return r->self_only && !be->no_self_run && (!be->kfunc || r->version == 2);
}

/* Opens, sizes, loads and attaches the iterator on the reader's root; maps records. */
static int be_load(struct mms_memcg_reader *r, struct memcg_be *be, unsigned int cap,
		   struct mms_error *err)
{
	LIBBPF_OPTS(bpf_iter_attach_opts, opts);
	union bpf_iter_link_info info = { 0 };
	struct bpf_program *prog;
	struct bpf_map *map;
	int rc;

	libbpf_set_print(r->verbose ? verbose_print : quiet_print);
	if (be->kfunc)
		be->kf = memcg_kfunc_bpf__open();
	else
		be->core = memcg_bpf__open();
	if (!be->kf && !be->core) {
		rc = -errno;
		set_err(err, "cannot open the BPF object: %s", strerror(-rc));
		return rc;
	}
	map = records_map(be);
	/* The one-cgroup program only where it is used: each load costs ~35 ms of
	 * verification, as much as the iterator's. */
	if (!want_self_prog(r, be))
		bpf_program__set_autoload(self_prog(be), false);
	rc = bpf_map__set_max_entries(map, cap);
	if (!rc)
		rc = be->kf ? memcg_kfunc_bpf__load(be->kf) : memcg_bpf__load(be->core);
	if (rc && want_self_prog(r, be)) {
		/* A kernel refusing the one-cgroup program still gets the iterator. */
		if (r->verbose)
			fprintf(stderr, "mmscope memcg: one-cgroup program refused (%s): the "
				"iterator serves every read\n", strerror(-rc));
		be_unload(be);
		be->no_self_run = true;
		return be_load(r, be, cap, err);
	}
	if (rc) {
		set_err(err, "%s iterator load refused: %s", be->kfunc ? "kfunc" : "core",
			strerror(-rc));
		goto fail;
	}
	info.cgroup.cgroup_fd = r->rootfd;
	info.cgroup.order = r->self_only ? BPF_CGROUP_ITER_SELF_ONLY :
					   BPF_CGROUP_ITER_DESCENDANTS_PRE;
	opts.link_info = &info;
	opts.link_info_len = sizeof(info);
	prog = be->kf ? be->kf->progs.memcg_kfunc : be->core->progs.memcg_core;
	be->link = bpf_program__attach_iter(prog, &opts);
	if (!be->link) {
		rc = -errno;
		set_err(err, "cgroup iterator attach to %s failed: %s", r->root_display,
			strerror(-rc));
		goto fail;
	}
	be->cap = cap;
	be->recs_len = ((size_t)cap * sizeof(struct memcg_rec) + 4095) & ~(size_t)4095;
	be->recs = mmap(NULL, be->recs_len, PROT_READ, MAP_SHARED, bpf_map__fd(map), 0);
	if (be->recs == MAP_FAILED) {
		be->recs = NULL;
		rc = -errno;
		set_err(err, "cannot map the records: %s", strerror(-rc));
		goto fail;
	}
	be->cfg = be->kf ? &be->kf->bss->cfg : &be->core->bss->cfg;
	be->cfg->nr = r->nr_stats;
	be->cfg->self_only = r->self_only && !be->kfunc;
	memcpy(be->cfg->src, be->src, sizeof(be->src));
	set_spans(r, be);
	return 0;
fail:
	be_unload(be);
	return rc;
}

/* One pass of the iterator: it runs in read(); the summary is all that comes back. */
static int be_run_link(struct memcg_be *be, struct bpf_link *link, struct memcg_summary *sum)
{
	int fd;

	if (be->kf)
		be->kf->bss->nr_out = be->kf->bss->overflow = 0;
	else
		be->core->bss->nr_out = be->core->bss->overflow = 0;
	fd = bpf_iter_create(bpf_link__fd(link));
	ssize_t n;

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

static int be_run(struct memcg_be *be, struct memcg_summary *sum)
{
	return be_run_link(be, be->link, sum);
}

/*
 * One cgroup: after the iterator's first pass has recorded the cgroup (core: the
 * pointer its link pins; kfunc: its id), memcg_core_self or memcg_kfunc_self writes
 * the same record in one BPF_PROG_TEST_RUN call. Falls back to the iterator for good
 * when the kernel refuses the test run.
 */
static int be_run_self(struct memcg_be *be, struct memcg_summary *sum)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	bool ready = be->kf ? be->kf->bss->self_id != 0 : be->core->bss->self_cgrp != 0;

	if (be->no_self_run || !ready)
		return be_run(be, sum);
	if (bpf_prog_test_run_opts(bpf_program__fd(self_prog(be)), &topts)) {
		if (be->verbose)
			fprintf(stderr, "mmscope memcg: one-cgroup test run refused (%s): the "
				"iterator serves every read\n", strerror(errno));
		be->no_self_run = true;
		return be_run(be, sum);
	}
	memset(sum, 0, sizeof(*sum));
	sum->nr = topts.retval ? 1 : 0;
	return 0;
}

/* ---- rows: id -> path ---- */

/*
 * The table row of cgroup id, child of parent_id. A cgroup first seen is named by
 * scanning its parent's directory (d_ino is the cgroup id); the scan adds every
 * unknown sibling at once, so 10,000 new siblings cost one scan, not 10,000.
 * NULL when it cannot be named (removed meanwhile): left out of the snapshot.
 */
static struct cg_ent *row_for(struct mms_memcg_reader *r, uint64_t id, uint64_t parent_id)
{
	struct cg_ent *e = memcg_ent_find(r, id), *p;
	struct dirent *de;
	char *parent_path;
	DIR *d;
	int fd;

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
	fd = openat(r->rootfd, parent_path[1] ? parent_path + 1 : ".",
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		free(parent_path);
		return NULL;
	}
	while ((de = readdir(d))) {
		size_t pl = strlen(parent_path), nl = strlen(de->d_name);
		char *path;

		if (de->d_type != DT_DIR || de->d_name[0] == '.' || memcg_ent_find(r, de->d_ino))
			continue;
		path = malloc(pl + nl + 2);
		if (!path)
			break;
		snprintf(path, pl + nl + 2, "%s/%s", pl > 1 ? parent_path : "", de->d_name);
		if (!memcg_ent_add(r, de->d_ino, path)) {
			free(path);
			break;
		}
	}
	closedir(d);
	free(parent_path);
	return memcg_ent_find(r, id);
}

/* ---- slot verification (core) ---- */

#define VKEYS_MAX 96
#define SAMPLES MEMCG_DUMP_MAX

struct vkey {
	char key[64];   /* memory.stat key as this version prints it */
	uint64_t unit;  /* text = raw * unit */
	/* a size (pages, bytes): a node or memcg state item, never in events[] (where an
	 * event count can equal it: pgactivate = active_anon pages) */
	bool state_only;
	/* result */
	int arr;        /* 0 state, 1 events, -1 unverified */
	int idx;
	const char *why;
};

struct verify {
	int nr_keys;
	struct vkey keys[VKEYS_MAX];
	int nr_samples;
	struct memcg_dump dump[SAMPLES];
	uint64_t text[2][SAMPLES][VKEYS_MAX];
	uint64_t have[2][SAMPLES][(VKEYS_MAX + 63) / 64];
};

static int vkey_add(struct verify *v, const char *key, uint64_t unit)
{
	for (int k = 0; k < v->nr_keys; k++)
		if (!strcmp(v->keys[k].key, key))
			return k;
	if (v->nr_keys == VKEYS_MAX)
		return -1;
	snprintf(v->keys[v->nr_keys].key, sizeof(v->keys[0].key), "%s", key);
	v->keys[v->nr_keys].unit = unit;
	v->keys[v->nr_keys].arr = -1;
	return v->nr_keys++;
}

/* Reads memory.stat of the cgroup at path into text[pass][c]. */
/*
 * Opens the directory of cgroup id by file handle (kernfs exports a cgroup as
 * FILEID_KERNFS with its 64-bit id): samples come from the whole hierarchy, which the
 * reader's root may not contain.
 */
static int open_cgroup_id(int mount_fd, uint64_t id)
{
	struct {
		struct file_handle fh;
		uint64_t id;
	} h = { .fh = { .handle_bytes = sizeof(uint64_t), .handle_type = 0xfe } };

	memcpy(h.fh.f_handle, &id, sizeof(id));
	return open_by_handle_at(mount_fd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static void verify_text(struct mms_memcg_reader *r, struct verify *v, int pass, int c,
			int hier_fd)
{
	struct mms_lines ls;
	struct mms_tok line, k, val;
	ssize_t n;
	int fd, dfd;

	dfd = open_cgroup_id(hier_fd, v->dump[c].id);
	if (dfd < 0)
		return;
	fd = openat(dfd, "memory.stat", O_RDONLY | O_CLOEXEC);
	close(dfd);
	if (fd < 0)
		return;
	n = pread(fd, r->buf, r->buf_size - 1, 0);
	close(fd);
	if (n <= 0)
		return;
	mms_lines_init(&ls, r->buf, (size_t)n);
	while (mms_lines_next(&ls, &line)) {
		uint64_t x;

		if (!mms_tok_next(&line, &k) || !mms_tok_next(&line, &val) ||
		    mms_parse_u64(val, &x))
			continue;
		for (int j = 0; j < v->nr_keys; j++) {
			if (strlen(v->keys[j].key) == k.len && !memcmp(v->keys[j].key, k.s, k.len)) {
				v->text[pass][c][j] = x;
				v->have[pass][c][j / 64] |= 1ull << (j % 64);
			}
		}
	}
}

static bool has(const uint64_t *bits, int j)
{
	return bits[j / 64] & (1ull << (j % 64));
}

static uint64_t raw_value(const struct memcg_dump *d, int arr, int idx, uint64_t unit)
{
	long long x = arr ? d->events[idx] : d->state[idx];

	if (!arr && x < 0)
		x = 0;
	return (uint64_t)x * unit;
}

/* Finds the one slot that fits key j in every stable sample. */
static void verify_key(struct verify *v, struct vkey *key, int j)
{
	int found = 0, nonzero = 0, stable = 0;

	for (int c = 0; c < v->nr_samples; c++) {
		if (has(v->have[0][c], j) && has(v->have[1][c], j) &&
		    v->text[0][c][j] == v->text[1][c][j]) {
			stable++;
			nonzero += v->text[0][c][j] != 0;
		}
	}
	if (!stable) {
		key->why = "changing while verified (or not in memory.stat)";
		return;
	}
	if (!nonzero) {
		key->why = "zero in every sampled cgroup: slot cannot be verified";
		return;
	}
	for (int arr = 0; arr < (key->state_only ? 1 : 2); arr++) {
		int n = arr ? v->dump[0].nr_events : v->dump[0].nr_state;

		for (int idx = 0; idx < n && idx < MEMCG_RAW_MAX; idx++) {
			bool fits = true;

			for (int c = 0; c < v->nr_samples && fits; c++)
				if (has(v->have[0][c], j) && has(v->have[1][c], j) &&
				    v->text[0][c][j] == v->text[1][c][j])
					fits = raw_value(&v->dump[c], arr, idx, key->unit) ==
					       v->text[0][c][j];
			if (fits) {
				found++;
				key->arr = arr;
				key->idx = idx;
			}
		}
	}
	if (found != 1) {
		key->arr = -1;
		key->why = found ? "several vmstats slots fit: ambiguous" :
				   "no vmstats slot matches memory.stat";
	}
}

/* The memory.stat key for name on this version ("total_rss" on v1), lower case:
 * parts of sums are named by their enumerator (PGSCAN_KSWAPD -> pgscan_kswapd). */
static void text_key(const struct mms_memcg_reader *r, const char *name, char *buf,
		     size_t size)
{
	snprintf(buf, size, "%s%s", r->version == 1 ? "total_" : "", name);
	for (char *c = buf; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
}

/* The top of the reader's hierarchy: walk ".." while it stays on the same cgroup mount. */
static int hierarchy_root(struct mms_memcg_reader *r)
{
	int fd = openat(r->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	for (int depth = 0; fd >= 0 && depth < 256; depth++) {
		int up = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		struct statfs a, b;
		struct stat sa, sb;

		if (up < 0)
			break;
		if (fstatfs(fd, &a) || fstatfs(up, &b) || a.f_type != b.f_type ||
		    fstat(fd, &sa) || fstat(up, &sb) || sa.st_dev != sb.st_dev ||
		    sa.st_ino == sb.st_ino) {
			close(up);
			break;
		}
		close(fd);
		fd = up;
	}
	return fd;
}

/*
 * Samples the cgroups link walks (at most max more) into v: their memory.stat, their
 * raw arrays, their memory.stat again. A value equal in both texts was the flushed
 * value the arrays held in between.
 */
static int sample_link(struct mms_memcg_reader *r, struct memcg_be *be, struct verify *v,
		       struct bpf_link *link, int hier_fd, int max)
{
	int map_fd = bpf_map__fd(be->core->maps.dumps), base = v->nr_samples, rc;
	struct memcg_summary sum;

	be->cfg->dump = 1;
	rc = be_run_link(be, link, &sum);
	for (unsigned int c = 0; !rc && c < sum.nr && (int)c < max && base + (int)c < SAMPLES;
	     c++) {
		__u32 k = c;

		if (bpf_map_lookup_elem(map_fd, &k, &v->dump[base + c]))
			break;
		v->nr_samples = base + c + 1;
	}
	for (int c = base; !rc && c < v->nr_samples; c++)
		verify_text(r, v, 0, c, hier_fd);
	/* Re-read the arrays after the first texts: text 0 <= raw <= text 1. */
	if (!rc)
		rc = be_run_link(be, link, &sum);
	for (int c = base; !rc && c < v->nr_samples; c++) {
		__u32 k = c - base;
		struct memcg_dump d;

		if (!bpf_map_lookup_elem(map_fd, &k, &d) && d.id == v->dump[c].id)
			v->dump[c] = d;
		else
			memset(v->have[0][c], 0, sizeof(v->have[0][c]));
	}
	for (int c = base; !rc && c < v->nr_samples; c++)
		verify_text(r, v, 1, c, hier_fd);
	be->cfg->dump = 0;
	return rc;
}

static struct bpf_link *attach_at(struct memcg_be *be, int dir_fd, bool self_only)
{
	LIBBPF_OPTS(bpf_iter_attach_opts, opts);
	union bpf_iter_link_info info = { 0 };

	info.cgroup.cgroup_fd = dir_fd;
	info.cgroup.order = self_only ? BPF_CGROUP_ITER_SELF_ONLY :
					BPF_CGROUP_ITER_DESCENDANTS_PRE;
	opts.link_info = &info;
	opts.link_info_len = sizeof(info);
	return bpf_program__attach_iter(be->core->progs.memcg_core, &opts);
}

/* The keys still unverified for want of a distinguishing value. */
static int nr_unverified(const struct verify *v)
{
	int n = 0;

	for (int j = 0; j < v->nr_keys; j++)
		n += v->keys[j].arr < 0;
	return n;
}

static int core_verify(struct mms_memcg_reader *r, struct memcg_be *be, struct mms_error *err)
{
	struct verify *v = calloc(1, sizeof(*v));
	int keyof[MMS_MEMCG_STATS_MAX][MEMCG_SUM_MAX];
	struct bpf_link *link;
	char key[80];
	int rc = 0, hier_fd;

	if (!v)
		return -ENOMEM;
	for (int i = 0; i < r->nr_stats; i++) {
		const struct memcg_stat_def *d = &memcg_stats[r->stats[i]];
		uint64_t unit = d->raw_unit ? d->raw_unit : be->page_size;

		for (int p = 0; p < MEMCG_SUM_MAX; p++)
			keyof[i][p] = -1;
		if (be->src[i].kind != MSK_NONE || memcg_stat_file(r->stats[i], r->version) != MF_STAT)
			continue;
		if (d->src == MTS_SWAP) {
			text_key(r, "swap", key, sizeof(key));
			keyof[i][0] = vkey_add(v, key, be->page_size);
		} else if (d->parts[0]) {
			for (int p = 0; p < MEMCG_SUM_MAX && d->parts[p]; p++) {
				text_key(r, d->parts[p], key, sizeof(key));
				keyof[i][p] = vkey_add(v, key, 1);
			}
		} else {
			text_key(r, r->version == 1 ? d->v1 : d->name, key, sizeof(key));
			keyof[i][0] = vkey_add(v, key, unit);
		}
		if (keyof[i][0] >= 0 && d->unit == MMS_MEMCG_BYTES)
			v->keys[keyof[i][0]].state_only = true;
	}
	if (!v->nr_keys)
		goto out;
	/*
	 * Samples: the hierarchy's root and the first cgroups below it (pre-order), where
	 * memory is charged, rather than the reader's root, which may be an empty subtree;
	 * the last sample is kept for the verification cgroup.
	 */
	hier_fd = hierarchy_root(r);
	if (hier_fd < 0)
		goto out;
	/* MMSCOPE_MEMCG_VERIFY_CGROUP=never: no verification cgroup; =always: even when
	 * every slot was verified without it; =only: it alone is sampled, as if the
	 * system held nothing (tests). */
	const char *mode = getenv("MMSCOPE_MEMCG_VERIFY_CGROUP");
	bool only = mode && !strcmp(mode, "only"), probe;

	link = only ? NULL : attach_at(be, hier_fd, false);
	if (!link && !only) {
		close(hier_fd);
		goto out;
	}
	if (link) {
		rc = sample_link(r, be, v, link, hier_fd, SAMPLES - 1);
		bpf_link__destroy(link);
	}
	for (int j = 0; !rc && j < v->nr_keys; j++)
		verify_key(v, &v->keys[j], j);
	probe = only || (mode && !strcmp(mode, "always")) ? true :
		mode && !strcmp(mode, "never") ? false : nr_unverified(v) > 0;

	if (!rc && probe) {
		struct memcg_probe p = { 0 };
		int dfd;

		if (!memcg_probe_start(hier_fd, &p) &&
		    (dfd = openat(hier_fd, p.name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
			link = attach_at(be, dfd, true);
			if (link) {
				rc = sample_link(r, be, v, link, hier_fd, 1);
				bpf_link__destroy(link);
			}
			close(dfd);
		}
		memcg_probe_stop(hier_fd, &p);
		for (int j = 0; !rc && j < v->nr_keys; j++) {
			v->keys[j].arr = -1;
			v->keys[j].why = NULL;
			verify_key(v, &v->keys[j], j);
		}
	}
	close(hier_fd);
	if (rc) {
		set_err(err, "core iterator run failed: %s", strerror(-rc));
		goto fail;
	}
	/* A statistic is served by the iterator when every part of it was verified. */
	for (int i = 0; i < r->nr_stats; i++) {
		struct memcg_src *s = &be->src[i];
		const char *why = NULL;
		int arr = -1, n = 0;

		if (keyof[i][0] < 0)
			continue;
		for (int p = 0; p < MEMCG_SUM_MAX && keyof[i][p] >= 0; p++) {
			struct vkey *vk = &v->keys[keyof[i][p]];

			if (vk->arr < 0 || (arr >= 0 && vk->arr != arr)) {
				why = vk->why ? vk->why : "parts in different arrays";
				break;
			}
			arr = vk->arr;
			s->idx[n++] = (unsigned short)vk->idx;
		}
		if (why) {
			r->why[i] = why;
			continue;
		}
		s->kind = arr ? MSK_EVENT : MSK_STATE;
		s->nr = (unsigned char)n;
		be->mult[i] = keyof[i][1] >= 0 ? 1 : v->keys[keyof[i][0]].unit;
	}
out:
	free(v);
	return 0;
fail:
	free(v);
	return rc;
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

/*
 * What the iterator can serve before any verification: page counters and (core)
 * memory_events[] by their BTF enum value; kfunc: every item. A statistic this cgroup
 * version does not show in text is absent from every backend.
 */
static void plan_sources(struct mms_memcg_reader *r, struct memcg_be *be, const struct btf *btf)
{
	for (int i = 0; i < r->nr_stats; i++) {
		const struct memcg_stat_def *d = &memcg_stats[r->stats[i]];
		struct memcg_src *s = &be->src[i];
		int file = memcg_stat_file(r->stats[i], r->version);

		memset(s, 0, sizeof(*s));
		be->mult[i] = 1;
		if (file < 0 || d->src == MTS_PSI)
			continue;
		switch (d->src) {
		case MTS_USAGE:
			s->kind = MSK_USAGE;
			be->mult[i] = be->kfunc ? 1 : be->page_size;
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
				be->mult[i] = be->page_size;
			}
			break;
		case MTS_EVENTS:
			if (!be->kfunc && btf) {
				char en[64];

				snprintf(en, sizeof(en), "MEMCG_%s", d->name + strlen("events_"));
				for (char *c = en; *c; c++)
					*c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
				int val = btf_enum_value(btf, "memcg_memory_event", en);

				if (val >= 0) {
					s->kind = MSK_MEMEV;
					s->nr = 1;
					s->idx[0] = (unsigned short)val;
				} else {
					r->why[i] = "no such memory event in this kernel's BTF";
				}
			}
			break;
		default:
			break;
		}
		if (be->kfunc && d->items[0] != MI_NR && s->kind == MSK_NONE) {
			s->kind = MSK_ITEM;
			for (int p = 0; p < MEMCG_SUM_MAX && d->items[p] != MI_NR; p++)
				s->idx[s->nr++] = d->items[p];
		}
	}
}

static void finish_sources(struct mms_memcg_reader *r, struct memcg_be *be)
{
	const char *name = be->kfunc ? "kfunc" : "core";

	be->bpf_mask = 0;
	r->root_text_mask = 0;
	for (int i = 0; i < r->nr_stats; i++) {
		uint8_t src = memcg_stats[r->stats[i]].src;

		if (be->src[i].kind == MSK_NONE)
			continue;
		be->bpf_mask |= 1ull << i;
		r->source[i] = name;
		r->why[i] = NULL;
		/* The root has no memory.current/max/high/events on v2, and v1 computes its
		 * usage from global counters: the root row shows what its text shows. */
		if (src == MTS_USAGE || src == MTS_LIMIT || src == MTS_HIGH || src == MTS_SWAP ||
		    src == MTS_EVENTS)
			r->root_text_mask |= 1ull << i;
	}
	r->text_mask &= ~be->bpf_mask;
	memcpy(be->cfg->src, be->src, sizeof(be->src));
	set_spans(r, be);
}

static int open_bpf(struct mms_memcg_reader *r, bool kfunc, struct mms_error *err)
{
	struct memcg_be *be = calloc(1, sizeof(*be));
	struct btf *btf;
	int rc;

	if (!be)
		return -ENOMEM;
	be->kfunc = kfunc;
	be->verbose = r->verbose;
	be->page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	btf = btf__load_vmlinux_btf();
	plan_sources(r, be, btf);
	btf__free(btf);
	rc = be_load(r, be, 1024, err);
	if (rc)
		goto fail;
	if (kfunc) {
		struct memcg_summary sum;

		/* The first pass resolves the items: those this kernel lacks go to text. */
		rc = be_run(be, &sum);
		if (rc) {
			set_err(err, "kfunc iterator run failed: %s", strerror(-rc));
			goto fail;
		}
		for (int i = 0; i < r->nr_stats; i++) {
			struct memcg_src *s = &be->src[i];
			bool any = false;

			if (s->kind != MSK_ITEM)
				continue;
			for (int p = 0; p < s->nr; p++)
				any |= be->kf->bss->item_kind[s->idx[p]] != MIK_NONE;
			if (!any) {
				s->kind = MSK_NONE;
				r->why[i] = "no such item in this kernel";
			}
		}
		/* The one-cgroup program finds the cgroup by the id this pass recorded. */
		if (want_self_prog(r, be) && sum.nr == 1)
			be->kf->bss->self_id = be->recs[0].id;
	} else {
		memcpy(be->cfg->src, be->src, sizeof(be->src));
		rc = core_verify(r, be, err);
		if (rc)
			goto fail;
	}
	r->bpf = be;
	r->backend = kfunc ? "kfunc" : "core";
	finish_sources(r, be);
	return 0;
fail:
	be_unload(be);
	free(be);
	return rc;
}

int memcg_backend_open(struct mms_memcg_reader *r, enum mms_memcg_backend want,
		       struct mms_error *err)
{
	struct mms_features *fs;
	bool kfuncs;
	int rc;

	r->backend = "text";
	if (want == MMS_MEMCG_TEXT)
		return 0;
	if (!mms_host_is_live(&r->host)) {
		if (want == MMS_MEMCG_AUTO)
			return 0;
		set_err(err, "BPF backends read the live kernel, not a --root tree");
		return -EOPNOTSUPP;
	}
	fs = calloc(1, sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	fs->host = r->host;
	fs->verbose = r->verbose;
	kfuncs = mms_feature_has(fs, MMS_FEAT_MEMCG_KFUNCS);
	if (want == MMS_MEMCG_KFUNC && !kfuncs) {
		set_err(err, "kfunc backend: %s", mms_feature_probe(fs, MMS_FEAT_MEMCG_KFUNCS)->detail);
		free(fs);
		return -EOPNOTSUPP;
	}
	free(fs);
	/* The kfunc program is never even loaded where the kernel lacks the kfuncs. */
	if (kfuncs && (want == MMS_MEMCG_AUTO || want == MMS_MEMCG_KFUNC)) {
		rc = open_bpf(r, true, err);
		if (!rc || want == MMS_MEMCG_KFUNC)
			return rc == -ENOMEM ? rc : rc ? -EOPNOTSUPP : 0;
	}
	rc = open_bpf(r, false, err);
	if (rc && want == MMS_MEMCG_AUTO) {
		r->backend = "text";
		return 0;
	}
	return rc == -ENOMEM ? rc : rc ? -EOPNOTSUPP : 0;
}

/* ---- reading ---- */

static uint64_t scale(const struct memcg_be *be, int i, uint64_t raw)
{
	switch (be->src[i].kind) {
	case MSK_LIMIT:
	case MSK_HIGH:
		/* PAGE_COUNTER_MAX = LONG_MAX / PAGE_SIZE pages: "max" */
		if (raw >= (uint64_t)INT64_MAX / be->page_size)
			return MMS_MEMCG_UNLIMITED;
		return raw * be->page_size;
	default:
		return raw * be->mult[i];
	}
}

int memcg_bpf_read(struct mms_memcg_reader *r, struct mms_memcg_snapshot *s)
{
	struct memcg_be *be = r->bpf;
	uint64_t values[MMS_MEMCG_STATS_MAX];
	struct memcg_summary sum;
	int rc = r->self_only ? be_run_self(be, &sum) : be_run(be, &sum);

	if (!rc && sum.overflow) {
		/* More cgroups than records: grow and walk again. */
		unsigned int cap = (sum.nr + sum.overflow) * 2;

		be_unload(be);
		rc = be_load(r, be, cap, NULL);
		if (!rc)
			rc = be_run(be, &sum);
		if (!rc && sum.overflow)
			rc = -EAGAIN;
	}
	if (rc)
		return rc;
	for (unsigned int n = 0; n < sum.nr; n++) {
		const struct memcg_rec *rec = &be->recs[n];
		struct cg_ent *e = row_for(r, rec->id, rec->parent_id);
		const struct text_plan *plan = &r->plan_all;
		uint64_t present = 0, mask = be->bpf_mask;

		if (!e)
			continue;
		e->gen = r->gen;
		if (rec->id == r->root_id && (rec->flags & MEMCG_REC_ROOT)) {
			mask &= ~r->root_text_mask;
			plan = &r->plan_root;
		}
		if (!(rec->flags & MEMCG_REC_NO_MEMCG)) {
			for (int i = 0; i < r->nr_stats; i++) {
				if ((mask & (1ull << i)) && (rec->present & (1ull << i))) {
					values[i] = scale(be, i, rec->v[i]);
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

void memcg_bpf_close(struct mms_memcg_reader *r)
{
	if (!r->bpf)
		return;
	be_unload(r->bpf);
	free(r->bpf);
	r->bpf = NULL;
}
