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

#include "alloc_trace.h"
#include "alloc_trace.skel.h"

static void destroy(void *skel)
{
	alloc_trace_bpf__destroy(skel);
}

int mms_alloc_tracer_open(struct mms_tracer *t, const struct mms_tracer_opts *o, char *why,
			  size_t size)
{
	struct alloc_trace_bpf *skel;
	int err;

	mms_tracer_init(t, o);
	skel = alloc_trace_bpf__open();
	err = mms_tracer_adopt(t, skel, skel ? skel->obj : NULL, destroy, "alloc-trace", why, size);
	if (err)
		return err;
	skel->rodata->page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	err = mms_tracer_loaded(t, alloc_trace_bpf__load(skel), "alloc-trace", why, size);
	if (err)
		return err;
	return mms_tracer_start(t, o, why, size);
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

int mms_alloc_trace_read(const struct mms_tracer *t, const struct mms_ksyms *ks,
			 void (*fn)(void *ctx, const struct mms_alloc_trace_row *row), void *ctx)
{
	int sites_fd = mms_tracer_map_fd(t, "sites"), stacks_fd = mms_tracer_map_fd(t, "stacks");
	uint64_t key, next;
	bool first = true;

	if (sites_fd < 0 || stacks_fd < 0)
		return -EINVAL;
	while (!bpf_map_get_next_key(sites_fd, first ? NULL : &key, &next)) {
		struct alloc_site_val v;
		struct mms_alloc_trace_row row;

		first = false;
		key = next;
		if (bpf_map_lookup_elem(sites_fd, &key, &v))
			continue; /* gone meanwhile */
		row.page = key <= ALLOC_TRACE_PAGE_SITE_MAX;
		row.ip = row.page ? page_site_ip(stacks_fd, (uint32_t)key, ks) : key;
		row.bytes = v.bytes;
		row.calls = v.calls;
		row.allocs = v.allocs;
		row.alloc_bytes = v.alloc_bytes;
		fn(ctx, &row);
	}
	return errno == ENOENT ? 0 : -errno;
}

void mms_alloc_trace_stats(const struct mms_tracer *t, uint64_t out[ALLOC_STAT_NR])
{
	int fd = mms_tracer_map_fd(t, "stats");

	for (uint32_t i = 0; i < ALLOC_STAT_NR; i++)
		out[i] = mms_percpu_sum(fd, i);
}
