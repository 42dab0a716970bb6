// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The `young` heatmap source: refs' clear_refs cycle seen page by page. Every
 * aging interval it writes "1" to /proc/PID/clear_refs, as refs does; the kernel
 * walks the target's page tables in the writing thread and calls
 * ptep_test_and_clear_young() for every present page, and young.bpf.c (fexit, or a
 * kprobe where fexit is refused) sends each page's address and whether its
 * accessed bit was set. So a sample is the accessed bit of every resident 4 KiB
 * page touched since the previous write: idle's resolution on kernels without
 * page_idle (Debian's cloud kernel), from refs' mechanism.
 *
 * The records of a walk are collected by heatmap_young_col.c (shared with mglru).
 *
 * Side effects and ownership: those of refs (heatmap_refs.c): the referenced bits
 * reclaim looks at are cleared every sample, and one clear_refs source per target
 * (the same lock: a refs and a young heatmap would clear each other's bits).
 * Cost: refs' walk plus one BPF run per resident page per sample, and merging the
 * sample into the frame here (linear in resident pages).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/heatmap/heatmap_young.h"

struct hm_source {
	struct hm_clock clk; /* first: hm_clock_describe() */
	struct hm_opts o;
	int clear_fd;
	struct hm_lock lock;
	struct hm_young_col col;
	char desc[224];
};

/* One clear_refs write and the walk's records. */
static int walk(struct hm_source *s, char *why, size_t size)
{
	ssize_t n;
	int err;

	hm_young_col_begin(&s->col);
	n = pwrite(s->clear_fd, "1", 1, 0);
	err = n == 1 ? 0 : n < 0 && errno != ENOENT && errno != ESRCH ? -errno : -ESRCH;
	if (err) {
		hm_young_col_end(&s->col, why, size);
		snprintf(why, size, "/proc/%d/clear_refs: %s", (int)s->o.pid,
			 err == -ESRCH ? "process exited" : strerror(-err));
		return err;
	}
	return hm_young_col_end(&s->col, why, size);
}

static int sample(struct hm_source *s, char *why, size_t size)
{
	int err = walk(s, why, size);

	return err ? err : hm_young_col_merge(&s->col);
}

static int young_next(struct hm_source *s, struct hm_frame *f, char *why, size_t size)
{
	int rc;

	s->col.n = 0;
	rc = hm_clock_frame(&s->clk, s, sample, why, size);
	if (rc)
		return rc;
	rc = hm_frame_from_pages(f, s->col.pages, s->col.hits, (size_t)s->col.n,
				 s->clk.per_frame, 4096);
	if (rc)
		return rc;
	hm_clock_stamp(&s->clk, f);
	return 0;
}

static uint64_t young_lost(struct hm_source *s)
{
	return hm_young_col_lost(&s->col);
}

static const char *young_describe(struct hm_source *s)
{
	uint64_t lost = young_lost(s);

	if (!lost)
		return hm_clock_describe(s);
	snprintf(s->desc, sizeof(s->desc), "%s; %llu records lost", hm_clock_describe(s),
		 (unsigned long long)lost);
	return s->desc;
}

static void young_close(struct hm_source *s)
{
	if (!s)
		return;
	hm_young_col_close(&s->col);
	if (s->clear_fd >= 0)
		close(s->clear_fd);
	hm_lock_release(&s->lock);
	free(s);
}

int hm_young_probe(struct mms_features *fs, char *why, size_t size)
{
	struct hm_young_col c;
	int err;

	/* Under --root the kernel at hand is not the one the files came from. */
	if (fs && !mms_host_is_live(&fs->host)) {
		snprintf(why, size, "not probed: --root reads files, this needs the live kernel");
		return -EOPNOTSUPP;
	}
	err = hm_young_col_open(&c, 0, false, true, why, size);
	if (!err)
		hm_young_col_close(&c);
	return err;
}

static int young_open(struct hm_source **out, const struct hm_opts *o, char *why, size_t size)
{
	struct hm_source *s = calloc(1, sizeof(*s));
	char path[64], what[96];
	int rc;

	if (!s)
		return -ENOMEM;
	s->o = *o;
	s->lock.fd = -1;
	s->clear_fd = -1;
	hm_clock_init(&s->clk, &s->o);
	if (geteuid() != 0) {
		snprintf(why, size, "loading BPF needs root");
		rc = -EPERM;
		goto fail;
	}
	if ((rc = hm_young_col_open(&s->col, o->pid, o->no_fexit, false, why, size)))
		goto fail;
	if ((rc = hm_refs_lock(&s->lock, s->o.pid, why, size)))
		goto fail;
	snprintf(path, sizeof(path), "/proc/%d/clear_refs", (int)o->pid);
	s->clear_fd = open(path, O_WRONLY | O_CLOEXEC);
	if (s->clear_fd < 0) {
		rc = errno == ENOENT ? -ESRCH : -errno;
		snprintf(why, size, "%s: %s", path,
			 rc == -ESRCH ? "no such process" : strerror(-rc));
		goto fail;
	}
	/* The first sample must see only what was touched after now. */
	if ((rc = walk(s, why, size)))
		goto fail;
	snprintf(what, sizeof(what), "clear_refs + %s on ptep_test_and_clear_young(), 4 KiB pages",
		 s->col.how);
	hm_clock_start(&s->clk, what);
	*out = s;
	return 0;
fail:
	young_close(s);
	return rc;
}

const struct hm_source_ops hm_src_young = {
	.name = "young",
	.open = young_open,
	.next = young_next,
	.describe = young_describe,
	.close = young_close,
	.lost = young_lost,
};
