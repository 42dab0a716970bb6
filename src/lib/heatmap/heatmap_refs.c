// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The `refs` heatmap source: /proc/PID/clear_refs and the Referenced line of
 * /proc/PID/smaps. The last resort: it works on every kernel (only the right to
 * write clear_refs is needed: root or the target's own user) but sees whole
 * mappings only.
 *
 * Every aging interval it reads smaps: for each mapping, Referenced (bytes of
 * pages whose accessed bit or PG_referenced is set) over the mapping's size is
 * that sample's accessed fraction. Then it writes "1" to clear_refs, which clears
 * those bits for every page of the process, so the next sample sees only what was
 * touched in between. A frame's region per mapping is the mean of the fractions
 * over the frame's samples.
 *
 * A region is a whole mapping, but smaps says how many of its bytes were
 * referenced: the frame's working set is those bytes (per mapping, the most one
 * sample of the frame saw, summed), as wss tools compute it from Referenced after
 * a clear_refs, never the whole mapping because some of it was touched (two
 * adjacent anonymous mmaps, a hot and a cold one, are merged into one VMA).
 *
 * Side effect on the target (not undoable, and not a change to the system, so
 * close has nothing to restore): clearing the referenced bits is exactly what
 * reclaim's aging looks at, so while this runs the target's pages look less
 * recently used than they are; under memory pressure reclaim may pick the
 * target's pages earlier than it otherwise would.
 *
 * Two refs heatmaps on one target would clear each other's bits and each see about
 * half of the accesses, so a run holds the target's lock ("refs-PID-START.lock",
 * heatmap_lock.c) and a second one refuses (-EBUSY) naming the holder. Without
 * /run/mmscope (not root, and no root run made it) it goes on without the lock.
 *
 * Each sample re-reads smaps, so mappings that come and go during a frame are
 * picked up (their mean is over the samples they existed in). Reading smaps walks
 * the target's page tables (cost grows with its resident size, paid by this
 * process, not the target).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/heatmap/heatmap.h"
#include "lib/trace/tracing.h"
#include "lib/util/textscan.h"

struct acc {
	uint64_t start, end; /* the mapping as selected (clipped to --range) */
	double sum;          /* of per-sample fractions */
	double ref_max;      /* the most Referenced bytes one sample saw (working set) */
	uint32_t samples;    /* samples the mapping existed in */
};

struct hm_source {
	struct hm_clock clk; /* first: hm_clock_describe() */
	struct hm_opts o;
	int clear_fd;
	struct acc *acc;
	int nacc, capacc, hint; /* hint: where the next mapping is likely (address order) */
	struct hm_maps all, sel;
	double *ref;         /* Referenced bytes per mapping of all, this sample */
	int capref;
	struct hm_lock lock; /* one refs heatmap per target */
};

static int clear_refs(struct hm_source *s)
{
	ssize_t n = pwrite(s->clear_fd, "1", 1, 0);

	if (n == 1)
		return 0;
	return n < 0 && errno != ENOENT ? -errno : -ESRCH;
}

/* smaps section headers look like maps lines: they start with a lowercase hex
 * address and a '-'; field lines start with an uppercase name ("Referenced:"). */
static bool is_header(struct mms_tok line)
{
	size_t i = 0;

	while (i < line.len && ((line.s[i] >= '0' && line.s[i] <= '9') ||
				(line.s[i] >= 'a' && line.s[i] <= 'f')))
		i++;
	return i > 0 && i < line.len && line.s[i] == '-';
}

/*
 * Parses smaps: the header lines go through the maps parser (same format), the
 * Referenced line of each section into s->ref[]. 0, -ESRCH or -EINVAL.
 */
static int read_smaps(struct hm_source *s, char *why, size_t size)
{
	struct mms_host host;
	struct mms_error err = { 0 };
	char path[64], *text = NULL, *headers = NULL;
	size_t len = 0, hlen = 0;
	struct mms_lines ls;
	struct mms_tok line;
	int rc, n = 0;

	mms_host_init(&host, NULL);
	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)s->o.pid);
	rc = mms_host_read(&host, path, &text, &len, &err);
	if (rc == -ENOENT || (!rc && !len))
		rc = -ESRCH;
	if (rc) {
		snprintf(why, size, "%s: %s", path, rc == -ESRCH ? "process exited" : err.msg);
		goto out;
	}
	headers = malloc(len + 1);
	if (!headers) {
		rc = -ENOMEM;
		goto out;
	}
	mms_lines_init(&ls, text, len);
	while (mms_lines_next(&ls, &line)) {
		struct mms_tok rest = line, key, val;
		uint64_t kb;

		if (is_header(line)) {
			memcpy(headers + hlen, line.s, line.len);
			hlen += line.len;
			headers[hlen++] = '\n';
			if (n == s->capref) {
				int cap = s->capref ? s->capref * 2 : 256;
				double *v = realloc(s->ref, (size_t)cap * sizeof(*v));

				if (!v) {
					rc = -ENOMEM;
					goto out;
				}
				s->ref = v;
				s->capref = cap;
			}
			s->ref[n++] = 0;
			continue;
		}
		if (!n || !mms_tok_next(&rest, &key) || !mms_tok_eq(key, "Referenced:"))
			continue;
		if (!mms_tok_next(&rest, &val) || mms_parse_u64(val, &kb)) {
			snprintf(why, size, "%s line %d: bad Referenced value", path, ls.lineno);
			rc = -EINVAL;
			goto out;
		}
		s->ref[n - 1] = (double)kb * 1024;
	}
	rc = hm_maps_parse(headers, hlen, &s->all, &err);
	if (rc)
		snprintf(why, size, "%s: %s", path, err.msg);
	else if (s->all.n != n)
		rc = -EINVAL;
out:
	free(text);
	free(headers);
	return rc;
}

static struct acc *acc_for(struct hm_source *s, uint64_t start, uint64_t end)
{
	for (int t = 0; t < s->nacc; t++) {
		int i = (s->hint + t) % s->nacc;

		if (s->acc[i].start == start && s->acc[i].end == end) {
			s->hint = i + 1;
			return &s->acc[i];
		}
	}
	if (hm_grow(&s->acc, s->nacc, &s->capacc, 64))
		return NULL;
	s->acc[s->nacc] = (struct acc){ .start = start, .end = end };
	s->hint = s->nacc + 1;
	return &s->acc[s->nacc++];
}

/* One sample: smaps -> fractions of the selected mappings, then clear_refs. */
static int sample(struct hm_source *s, char *why, size_t size)
{
	int rc = read_smaps(s, why, size), k = 0;

	if (rc)
		return rc;
	rc = hm_roi_select(&s->o.roi, &s->all, &s->sel);
	if (rc)
		return rc;
	for (int i = 0; i < s->sel.n; i++) {
		const struct hm_mapping *m = &s->sel.v[i];
		struct acc *a;
		double frac;

		/* The VMA of all that holds m (m may be clipped to --range). */
		while (k < s->all.n && s->all.v[k].end <= m->start)
			k++;
		if (k == s->all.n)
			break;
		frac = s->ref[k] / (double)(s->all.v[k].end - s->all.v[k].start);
		a = acc_for(s, m->start, m->end);
		if (!a)
			return -ENOMEM;
		if (frac > 1)
			frac = 1;
		a->sum += frac;
		/* Clipped to --range: its share of the VMA's Referenced bytes. */
		if (frac * (double)(m->end - m->start) > a->ref_max)
			a->ref_max = frac * (double)(m->end - m->start);
		a->samples++;
	}
	rc = clear_refs(s);
	if (rc)
		snprintf(why, size, "/proc/%d/clear_refs: %s", (int)s->o.pid,
			 rc == -ESRCH ? "process exited" : strerror(-rc));
	return rc;
}

static int by_start(const void *x, const void *y)
{
	const struct acc *a = x, *b = y;

	return a->start < b->start ? -1 : a->start > b->start;
}

static int refs_next(struct hm_source *s, struct hm_frame *f, char *why, size_t size)
{
	double wss = 0;
	int rc;

	s->nacc = s->hint = 0;
	rc = hm_clock_frame(&s->clk, s, sample, why, size);
	if (rc)
		return rc;
	qsort(s->acc, s->nacc, sizeof(*s->acc), by_start);
	for (int i = 0; i < s->nacc; i++) {
		rc = hm_frame_push(f, s->acc[i].start, s->acc[i].end,
				   s->acc[i].sum / s->acc[i].samples);
		if (rc)
			return rc;
		wss += s->acc[i].ref_max;
	}
	f->wss_set = true;
	f->wss_bytes = (uint64_t)(wss + 0.5);
	hm_clock_stamp(&s->clk, f);
	return 0;
}

static void refs_close(struct hm_source *s)
{
	if (!s)
		return;
	if (s->clear_fd >= 0)
		close(s->clear_fd);
	hm_maps_free(&s->all);
	hm_maps_free(&s->sel);
	free(s->acc);
	free(s->ref);
	hm_lock_release(&s->lock);
	free(s);
}

int hm_refs_lock(struct hm_lock *l, pid_t pid, char *why, size_t size)
{
	unsigned long long start;
	char name[64], holder[128];
	int rc;

	if (hm_target_start_time(pid, &start)) {
		snprintf(why, size, "process %d exited", (int)pid);
		return -ESRCH;
	}
	snprintf(name, sizeof(name), "refs-%d-%llu.lock", (int)pid, start);
	rc = hm_lock_take(l, name, false, holder, sizeof(holder));
	if (rc == -EWOULDBLOCK) {
		snprintf(why, size, "another refs heatmap (%s) already watches process %d "
			 "(lock " HM_LOCK_DIR "/%s); two would clear each other's referenced "
			 "bits and each see about half of the accesses",
			 holder[0] ? holder : "holder unknown", (int)pid, name);
		return -EBUSY;
	}
	return 0; /* no lock directory (not root): go on unguarded */
}

static int refs_open(struct hm_source **out, const struct hm_opts *o, char *why, size_t size)
{
	struct hm_source *s = calloc(1, sizeof(*s));
	char path[64];
	int rc;

	if (!s)
		return -ENOMEM;
	s->o = *o;
	s->lock.fd = -1;
	hm_clock_init(&s->clk, &s->o);
	if ((rc = hm_refs_lock(&s->lock, s->o.pid, why, size)))
		goto fail;
	snprintf(path, sizeof(path), "/proc/%d/clear_refs", (int)o->pid);
	s->clear_fd = open(path, O_WRONLY | O_CLOEXEC);
	if (s->clear_fd < 0) {
		rc = errno == ENOENT ? -ESRCH : errno == EACCES ? -EPERM : -errno;
		snprintf(why, size, "%s: %s", path,
			 rc == -ESRCH ? "no such process"
			 : rc == -EPERM ? "permission denied (needs root or the target's user)"
					: strerror(-rc));
		goto fail;
	}
	/* The first sample must see only what was touched after now. */
	rc = clear_refs(s);
	if (!rc)
		rc = read_smaps(s, why, size);
	if (rc) {
		if (rc == -ESRCH)
			snprintf(why, size, "process %d exited", (int)o->pid);
		goto fail;
	}
	hm_clock_start(&s->clk, "clear_refs + smaps Referenced per mapping");
	*out = s;
	return 0;
fail:
	refs_close(s);
	return rc;
}

const struct hm_source_ops hm_src_refs = {
	.name = "refs",
	.open = refs_open,
	.next = refs_next,
	.describe = hm_clock_describe,
	.close = refs_close,
};
