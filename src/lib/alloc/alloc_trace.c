// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Loader of alloc_trace.bpf.c (the alloc command's bpf-trace backend) and the
 * reading of its per-site aggregates. Page allocations are keyed by kernel stack;
 * their call site is the first frame outside the page allocator and the tracing
 * machinery, so that alloc_pages() called from alloc_pipe_info() is counted at
 * alloc_pipe_info, as allocation profiling would tag it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/alloc/alloc_trace.h"
#include "alloc_trace.skel.h"

static void destroy(void *skel)
{
	alloc_trace_bpf__destroy(skel);
}

/* log2 of the live table's sets: as many as tracking every allocation needs, over
 * the sampling (the sampled allocations are that much fewer). */
static uint32_t live_bits_for(uint32_t sample_every)
{
	uint32_t bits = ALLOC_TRACE_LIVE_BITS_MAX;

	while (sample_every > 1 && bits > ALLOC_TRACE_LIVE_BITS_MIN) {
		sample_every >>= 1;
		bits--;
	}
	return bits;
}

/*
 * One attempt at loading: with the BTF tracepoint for kmem_cache_alloc (the cache's
 * size is one load) or its raw tracepoint twin (a bpf_probe_read_kernel of it).
 */
static int load(struct mms_tracer *t, const struct mms_tracer_opts *o, uint32_t sample_every,
		bool btf, char *why, size_t size)
{
	struct alloc_trace_bpf *skel;
	uint32_t bits = live_bits_for(sample_every);
	int err;

	mms_tracer_init(t, o);
	skel = alloc_trace_bpf__open();
	err = mms_tracer_adopt(t, skel, skel ? skel->obj : NULL, destroy, "alloc-trace", why, size);
	if (err)
		return err;
	skel->rodata->page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	skel->rodata->sample_every = sample_every > 1 ? sample_every : 0;
	skel->rodata->live_bits = bits;
	err = bpf_map__set_max_entries(skel->maps.live, 1u << bits);
	if (!err)
		err = bpf_program__set_autoload(skel->progs.on_kmem_cache_alloc, btf);
	if (!err)
		err = bpf_program__set_autoload(skel->progs.on_kmem_cache_alloc_raw, !btf);
	if (err) {
		snprintf(why, size, "preparing the alloc-trace programs: %s", strerror(-err));
		mms_tracer_close(t);
		return err;
	}
	return mms_tracer_loaded(t, alloc_trace_bpf__load(skel), "alloc-trace", why, size);
}

int mms_alloc_tracer_open(struct mms_tracer *t, const struct mms_tracer_opts *o,
			  uint32_t sample_every, char *why, size_t size)
{
	/* Tried, not assumed: a kernel's verifier may refuse the BTF tracepoint's
	 * untyped pointer argument (6.1: "arg1 type UNKNOWN is not a struct"). */
	int err = load(t, o, sample_every, true, why, size);

	if (err)
		err = load(t, o, sample_every, false, why, size);
	/* What the kernel lacks, when that is why (exit 3 rather than a load error). */
	if (err == -EINVAL) {
		char lack[200];

		if (mms_alloc_trace_probe(lack, sizeof(lack)) == -EOPNOTSUPP) {
			snprintf(why, size, "%s", lack);
			err = -EOPNOTSUPP;
		}
	}
	if (err)
		return err;
	return mms_tracer_start(t, o, why, size);
}

int mms_alloc_trace_probe(char *why, size_t size)
{
	/* The programs loaded, not attached, with the smallest live table; the
	 * verifier's log names what a kernel refuses (before 5.12: the slot claims'
	 * compare-and-swap). */
	static char log[4096];
	struct alloc_trace_bpf *skel = alloc_trace_bpf__open();
	int err;

	if (!skel) {
		snprintf(why, size, "opening the alloc-trace BPF object: %s", strerror(errno));
		return -errno;
	}
	skel->rodata->live_bits = ALLOC_TRACE_LIVE_BITS_MIN;
	err = bpf_map__set_max_entries(skel->maps.live, 1u << ALLOC_TRACE_LIVE_BITS_MIN);
	if (!err)
		err = bpf_program__set_autoload(skel->progs.on_kmem_cache_alloc, false);
	if (!err)
		err = bpf_program__set_log_buf(skel->progs.on_kmalloc, log, sizeof(log));
	log[0] = 0;
	if (!err)
		err = alloc_trace_bpf__load(skel);
	if (err && strstr(log, "BPF_STX uses reserved fields")) {
		snprintf(why, size, "the kernel refuses BPF compare-and-swap (BPF atomics, Linux 5.12+)");
		err = -EOPNOTSUPP;
	} else if (err)
		snprintf(why, size, "loading the alloc-trace BPF programs: %s", strerror(-err));
	alloc_trace_bpf__destroy(skel);
	return err;
}

/* Frames that are the page allocator (or the tracing of it), not its caller. */
static bool allocator_frame(const char *name, const char *module)
{
	static const char *const prefixes[] = {
		"__alloc_pages", "alloc_pages", "__alloc_frozen_pages", "alloc_frozen_pages",
		"get_page_from_freelist", "__folio_alloc", "folio_alloc", "vma_alloc_folio",
		"__get_free_pages", "get_zeroed_page", "post_alloc_hook", "prep_new_page",
		"rmqueue", "__rmqueue", "filemap_alloc_folio", "__filemap_alloc_folio",
		"alloc_page_interleave", "__page_cache_alloc", "bpf_", "__bpf_", "perf_",
		"__traceiter_", "trace_", "___alloc_pages",
	};

	if (!name || (module && !strcmp(module, "bpf")))
		return true;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

static uint64_t page_site_ip(int stacks_fd, uint32_t id, const struct mms_ksyms *ks)
{
	uint64_t ips[ALLOC_TRACE_STACK_DEPTH] = { 0 }, off;
	const char *module;

	if (id == ALLOC_TRACE_NO_STACK || bpf_map_lookup_elem(stacks_fd, &id, ips))
		return 0;
	for (int i = 0; i < ALLOC_TRACE_STACK_DEPTH && ips[i]; i++) {
		const char *name = mms_ksyms_find(ks, ips[i], &off, &module);

		if (!allocator_frame(name, module))
			return ips[i];
	}
	return 0;
}

/* The site table's keys, all sets at once (one batch call; slot by slot if the
 * kernel has no batch operations on arrays). */
static int read_keys(int fd, struct alloc_site_set *sets)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	__u32 out = 0, count = ALLOC_TRACE_SITE_SETS;
	__u32 *keys = calloc(ALLOC_TRACE_SITE_SETS, sizeof(*keys));
	int err;

	if (!keys)
		return -ENOMEM;
	err = bpf_map_lookup_batch(fd, NULL, &out, keys, sets, &count, &o);
	free(keys);
	if (!err || (errno == ENOENT && count == ALLOC_TRACE_SITE_SETS))
		return 0;
	for (__u32 i = 0; i < ALLOC_TRACE_SITE_SETS; i++)
		if (bpf_map_lookup_elem(fd, &i, &sets[i]))
			return -errno;
	return 0;
}

uint32_t mms_alloc_trace_sample_every(const struct mms_tracer *t)
{
	const struct alloc_trace_bpf *skel = t->skel;

	return skel && skel->rodata->sample_every > 1 ? skel->rodata->sample_every : 1;
}

int mms_alloc_trace_read(const struct mms_tracer *t, const struct mms_ksyms *ks,
			 void (*fn)(void *ctx, const struct mms_alloc_trace_row *row), void *ctx,
			 uint64_t stats[ALLOC_STAT_NR])
{
	int keys_fd = mms_tracer_map_fd(t, "site_keys");
	int vals_fd = mms_tracer_map_fd(t, "site_vals");
	int stacks_fd = mms_tracer_map_fd(t, "stacks"), ncpu = libbpf_num_possible_cpus(), err;
	int stats_fd = mms_tracer_map_fd(t, "stats");
	uint64_t scale = mms_alloc_trace_sample_every(t), allocs = 0, frees = 0;
	struct alloc_site_set *sets;
	struct alloc_site_val *pc;

	if (keys_fd < 0 || vals_fd < 0 || stacks_fd < 0 || stats_fd < 0 || ncpu <= 0)
		return -EINVAL;
	for (uint32_t i = 0; i < ALLOC_STAT_NR; i++)
		stats[i] = mms_percpu_sum(stats_fd, i);
	sets = calloc(ALLOC_TRACE_SITE_SETS, sizeof(*sets));
	pc = calloc(ncpu, sizeof(*pc));
	err = sets && pc ? read_keys(keys_fd, sets) : -ENOMEM;
	for (__u32 slot = 0; !err && slot < ALLOC_TRACE_SITES_MAX; slot++) {
		__u64 key = sets[slot / ALLOC_TRACE_SITE_WAYS].key[slot % ALLOC_TRACE_SITE_WAYS];
		struct mms_alloc_trace_row row = { 0 };

		if (!key || bpf_map_lookup_elem(vals_fd, &slot, pc))
			continue;
		for (int c = 0; c < ncpu; c++) {
			row.bytes += pc[c].bytes;
			row.calls += pc[c].calls;
			row.allocs += pc[c].allocs;
			row.alloc_bytes += pc[c].alloc_bytes;
			frees += pc[c].frees;
		}
		allocs += row.allocs;
		row.bytes *= (int64_t)scale;
		row.calls *= (int64_t)scale;
		row.allocs *= scale;
		row.alloc_bytes *= scale;
		row.page = key <= ALLOC_TRACE_PAGE_KEY_MAX;
		row.ip = row.page ? page_site_ip(stacks_fd, (uint32_t)(key - 1), ks) : key;
		fn(ctx, &row);
	}
	/* The programs count only the rare paths: the totals are the sites' sums. */
	stats[ALLOC_STAT_ALLOCS] += (allocs + stats[ALLOC_STAT_SITES_FULL]) * scale;
	stats[ALLOC_STAT_FREES] += frees * scale + stats[ALLOC_STAT_UNMATCHED_FREES];
	free(sets);
	free(pc);
	return err;
}
