// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The core backend: a cgroup iterator reading struct mem_cgroup with CO-RE
 * (memcg.bpf.c), its vmstats slots verified at open.
 *
 * Slot verification. Since 6.11 vmstats->state[] is indexed through a boot-time
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
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "lib/memcg/memcg_iter.h"
#include "lib/util/textscan.h"
#include "memcg.skel.h"

/* ---- the skeleton ---- */

static int core_skel_open(struct memcg_iter *it)
{
	struct memcg_bpf *skel = memcg_bpf__open();

	if (!skel)
		return -errno;
	it->skel = skel;
	it->records = skel->maps.records;
	it->iter_prog = skel->progs.memcg_core;
	it->self_prog = skel->progs.memcg_core_self;
	return 0;
}

static int core_skel_load(struct memcg_iter *it)
{
	struct memcg_bpf *skel = it->skel;
	int rc = memcg_bpf__load(skel);

	if (rc)
		return rc;
	it->cfg = &skel->bss->cfg;
	it->nr_out = &skel->bss->nr_out;
	it->overflow = &skel->bss->overflow;
	it->self_key = &skel->bss->self_cgrp;
	return 0;
}

static void core_skel_destroy(struct memcg_iter *it)
{
	memcg_bpf__destroy(it->skel);
}

static bool core_self_possible(const struct mms_memcg_reader *r)
{
	return true;
}

/* The raw vmstats arrays a dump pass writes, one per sampled cgroup. */
static int dumps_fd(const struct memcg_iter *it)
{
	return bpf_map__fd(((const struct memcg_bpf *)it->skel)->maps.dumps);
}

/* ---- slot verification ---- */

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
	/* the keys of each of the reader's statistics (parts of a sum), -1: none */
	int keyof[MMS_MEMCG_STATS_MAX][MEMCG_SUM_MAX];
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

/* Reads memory.stat of sample c into text[pass][c]. */
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
static int sample_link(struct mms_memcg_reader *r, struct memcg_iter *it, struct verify *v,
		       struct bpf_link *link, int hier_fd, int max)
{
	int map_fd = dumps_fd(it), base = v->nr_samples, rc;
	struct memcg_summary sum;

	it->cfg->dump = 1;
	rc = memcg_iter_run_link(it, link, &sum);
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
		rc = memcg_iter_run_link(it, link, &sum);
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
	it->cfg->dump = 0;
	return rc;
}

/* The keys still unverified for want of a distinguishing value. */
static int nr_unverified(const struct verify *v)
{
	int n = 0;

	for (int j = 0; j < v->nr_keys; j++)
		n += v->keys[j].arr < 0;
	return n;
}

/* Verifies every key against all the samples so far (again: a new sample can decide). */
static void verify_keys(struct verify *v)
{
	for (int j = 0; j < v->nr_keys; j++) {
		v->keys[j].arr = -1;
		v->keys[j].why = NULL;
		verify_key(v, &v->keys[j], j);
	}
}

/*
 * The memory.stat keys that verify each statistic the iterator does not serve yet
 * (v->keyof): one key, or one per part of a sum; only statistics of memory.stat.
 */
static void plan_keys(struct mms_memcg_reader *r, struct memcg_iter *it, struct verify *v)
{
	char key[80];

	for (int i = 0; i < r->nr_stats; i++) {
		const struct memcg_stat_def *d = &memcg_stats[r->stats[i]];
		uint64_t unit = d->raw_unit ? d->raw_unit : it->page_size;
		int *keyof = v->keyof[i];

		for (int p = 0; p < MEMCG_SUM_MAX; p++)
			keyof[p] = -1;
		if (it->src[i].kind != MSK_NONE || memcg_stat_file(r->stats[i], r->version) != MF_STAT)
			continue;
		if (d->src == MTS_SWAP) {
			text_key(r, "swap", key, sizeof(key));
			keyof[0] = vkey_add(v, key, it->page_size);
		} else if (d->parts[0]) {
			for (int p = 0; p < MEMCG_SUM_MAX && d->parts[p]; p++) {
				text_key(r, d->parts[p], key, sizeof(key));
				keyof[p] = vkey_add(v, key, 1);
			}
		} else {
			text_key(r, r->version == 1 ? d->v1 : d->name, key, sizeof(key));
			keyof[0] = vkey_add(v, key, unit);
		}
		if (keyof[0] >= 0 && d->unit == MMS_MEMCG_BYTES)
			v->keys[keyof[0]].state_only = true;
	}
}

/* Whether to sample a verification cgroup of our own, as the reader was asked. */
static bool wants_verify_cgroup(const struct mms_memcg_reader *r, const struct verify *v)
{
	switch (r->verify_cgroup) {
	case MMS_MEMCG_VERIFY_ONLY:
	case MMS_MEMCG_VERIFY_ALWAYS:
		return true;
	case MMS_MEMCG_VERIFY_NEVER:
		return false;
	default:
		return nr_unverified(v) > 0;
	}
}

/* Adds the verification cgroup (memcg_probe.c) as one more sample; 0 or a failed run. */
static int sample_verify_cgroup(struct mms_memcg_reader *r, struct memcg_iter *it,
				struct verify *v, int hier_fd)
{
	struct memcg_probe p = { 0 };
	struct bpf_link *link;
	int dfd, rc = 0;

	if (!memcg_probe_start(hier_fd, r->tmpdir, &p) &&
	    (dfd = openat(hier_fd, p.name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		link = memcg_iter_attach(it, dfd, true);
		if (link) {
			rc = sample_link(r, it, v, link, hier_fd, 1);
			bpf_link__destroy(link);
		}
		close(dfd);
	}
	memcg_probe_stop(hier_fd, &p);
	return rc;
}

/*
 * Samples the hierarchy's root and the first cgroups below it (pre-order), where
 * memory is charged, rather than the reader's root, which may be an empty subtree;
 * the last sample is kept for the verification cgroup, sampled when wanted. Verifies
 * the keys against them. 0 (whatever was verified: maybe nothing), or a failed run.
 */
static int sample_and_verify(struct mms_memcg_reader *r, struct memcg_iter *it,
			     struct verify *v)
{
	int hier_fd = hierarchy_root(r), rc = 0;

	if (hier_fd < 0)
		return 0;
	if (geteuid() == 0 && memcg_probe_sweep(hier_fd))
		memcg_note(r, "removed verification cgroups left by killed readers");
	if (r->verify_cgroup != MMS_MEMCG_VERIFY_ONLY) {
		struct bpf_link *link = memcg_iter_attach(it, hier_fd, false);

		if (!link) {
			close(hier_fd);
			return 0;
		}
		rc = sample_link(r, it, v, link, hier_fd, SAMPLES - 1);
		bpf_link__destroy(link);
	}
	if (!rc)
		verify_keys(v);
	if (!rc && wants_verify_cgroup(r, v)) {
		rc = sample_verify_cgroup(r, it, v, hier_fd);
		if (!rc)
			verify_keys(v);
	}
	close(hier_fd);
	return rc;
}

/* A statistic is served by the iterator when every part of it was verified. */
static void serve_verified(struct mms_memcg_reader *r, struct memcg_iter *it,
			   const struct verify *v)
{
	for (int i = 0; i < r->nr_stats; i++) {
		const int *keyof = v->keyof[i];
		struct memcg_src *s = &it->src[i];
		const char *why = NULL;
		int arr = -1, n = 0;

		if (keyof[0] < 0)
			continue;
		for (int p = 0; p < MEMCG_SUM_MAX && keyof[p] >= 0; p++) {
			const struct vkey *vk = &v->keys[keyof[p]];

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
		it->mult[i] = keyof[1] >= 0 ? 1 : v->keys[keyof[0]].unit;
	}
}

/* Verifies the vmstats slots of the statistics text would serve otherwise. */
static int core_settle(struct mms_memcg_reader *r, struct memcg_iter *it, struct mms_error *err)
{
	struct verify *v = calloc(1, sizeof(*v));
	int rc;

	if (!v)
		return -ENOMEM;
	plan_keys(r, it, v);
	rc = v->nr_keys ? sample_and_verify(r, it, v) : 0;
	if (rc)
		memcg_set_err(err, "core iterator run failed: %s", strerror(-rc));
	else
		serve_verified(r, it, v);
	free(v);
	return rc;
}

static const struct memcg_iter_kind core_kind = {
	.name = "core",
	.usage_in_pages = true,
	.events_by_btf = true,
	.pass_finds_self = true,
	.skel_open = core_skel_open,
	.skel_load = core_skel_load,
	.skel_destroy = core_skel_destroy,
	.self_possible = core_self_possible,
	.settle = core_settle,
};

static int core_open(struct mms_memcg_reader *r, struct mms_error *err)
{
	return memcg_iter_open(r, &core_kind, err);
}

const struct memcg_backend_ops memcg_core_ops = {
	.name = "core",
	.live_only = true,
	.open = core_open,
	.read = memcg_iter_read,
	.close = memcg_iter_close,
};
