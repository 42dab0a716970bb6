// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Loader and readers of extfrag.bpf.c: mm_page_alloc_extfrag counters (see
 * tracers.h). The BPF side only counts; this side reads running totals (the
 * caller takes differences per interval, so nothing is reset under the BPF
 * program's feet and no increment is lost between a read and a reset) and
 * removes the rows of processes that have exited, which keeps the per-process
 * map from filling up on a long run.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "lib/trace/tracers.h"
#include "bpf/extfrag.h"
#include "extfrag.skel.h"

static void destroy(void *skel)
{
	extfrag_bpf__destroy(skel);
}

int mms_extfrag_pageblock_order(const char **source)
{
	FILE *f = fopen("/proc/pagetypeinfo", "r");
	int order = -1;

	/* The first line is "Page block order: N"; the rest (costly) is not read. */
	if (f) {
		if (fscanf(f, "Page block order: %d", &order) != 1 || order < 1 || order > 20)
			order = -1;
		fclose(f);
	}
	if (order > 0) {
		*source = "pagetypeinfo";
		return order;
	}
	*source = "default";
	return 9;
}

int mms_extfrag_tracer_open(struct mms_tracer *t, const struct mms_tracer_opts *o, char *why,
			    size_t size)
{
	struct extfrag_proc other = { .comm = "(others)" };
	__u32 other_key = MMS_EXTFRAG_OTHER;
	struct extfrag_bpf *skel;
	int err;

	mms_tracer_init(t, o);
	skel = extfrag_bpf__open();
	err = mms_tracer_adopt(t, skel, skel ? skel->obj : NULL, destroy, "extfrag", why, size);
	if (err)
		return err;
	MMS_TASK_FILTER_APPLY(skel, &o->filter);
	skel->rodata->pageblock_order = o->pageblock_order;
	/* Counters only: the shared ring buffer is unused, keep it at its minimum. */
	bpf_map__set_max_entries(skel->maps.events, 4096);
	err = mms_tracer_loaded(t, extfrag_bpf__load(skel), "extfrag", why, size);
	if (err)
		return err;
	/* Before attaching: the slot events fall back to when the map is full. */
	err = bpf_map__update_elem(skel->maps.procs, &other_key, sizeof(other_key), &other,
				   sizeof(other), BPF_ANY);
	if (err) {
		mms_bpf_error(err, "seeding the extfrag process map", why, size);
		mms_tracer_close(t);
		return err;
	}
	return mms_tracer_start(t, o, why, size);
}

int mms_extfrag_read_kinds(const struct mms_tracer *t, struct mms_extfrag_kinds *out)
{
	int fd = mms_tracer_map_fd(t, "kinds");
	struct extfrag_key key, next;
	void *prev = NULL;
	__u64 n;

	memset(out, 0, sizeof(*out));
	if (fd < 0)
		return -ENOENT;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &n))
			continue; /* never deleted: cannot vanish, but do not trust that */
		if (key.alloc_mt < MMS_EXTFRAG_TYPES && key.fallback_mt < MMS_EXTFRAG_TYPES)
			out->n[key.alloc_mt][key.fallback_mt][key.fragmenting ? 1 : 0] = n;
	}
	return errno == ENOENT ? 0 : -errno;
}

/* True when the process has exited (its /proc directory is gone). */
static bool proc_gone(__u32 tgid)
{
	char path[32];

	if (tgid == 0 || tgid == MMS_EXTFRAG_OTHER)
		return false; /* interrupts on an idle CPU; the overflow slot */
	snprintf(path, sizeof(path), "/proc/%u", tgid);
	return access(path, F_OK) && errno == ENOENT;
}

int mms_extfrag_read_procs(const struct mms_tracer *t,
			   void (*fn)(void *ctx, const struct mms_extfrag_proc_row *row),
			   void *ctx)
{
	int fd = mms_tracer_map_fd(t, "procs");
	__u32 key, next, *prev = NULL, gone[256];
	struct extfrag_proc v;
	int nr_gone = 0, err;

	if (fd < 0)
		return -ENOENT;
	/*
	 * Deleting while walking would restart the walk (get_next_key of a
	 * deleted key returns the first key): exited processes are deleted after
	 * it, at most 256 per call, and a row is marked gone only if it will be.
	 */
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		struct mms_extfrag_proc_row row = { 0 };

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &v))
			continue;
		row.tgid = key;
		memcpy(row.comm, v.comm, sizeof(row.comm));
		row.comm[sizeof(row.comm) - 1] = '\0';
		row.events = v.events;
		row.fragmenting = v.fragmenting;
		row.gone = nr_gone < (int)(sizeof(gone) / sizeof(gone[0])) && proc_gone(key);
		if (row.gone)
			gone[nr_gone++] = key;
		fn(ctx, &row);
	}
	err = errno == ENOENT ? 0 : -errno;
	for (int i = 0; i < nr_gone; i++)
		bpf_map_delete_elem(fd, &gone[i]);
	return err;
}
