// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The alloc backends' operations (alloc_source.h): the snapshot backends (ioctl,
 * bpf-tags, allocinfo) over their readers, and bpf-trace's tracer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/alloc/alloc_source.h"
#include "lib/alloc/alloc_trace.h"

struct mms_alloc_src {
	const struct mms_host *host; /* allocinfo: where the text is read */
	int fd;                      /* ioctl: /proc/allocinfo */
	struct mms_alloc_tags *tags; /* bpf-tags: loaded once */
};

void mms_alloc_snap_buf_free(struct mms_alloc_snap_buf *buf)
{
	mms_alloc_tags_buf_free(&buf->tags);
	mms_alloc_ioctl_buf_free(&buf->ioc);
	mms_text_buf_free(&buf->text);
}

int mms_alloc_src_nr_modules(const struct mms_alloc_src *s)
{
	return s->tags ? mms_alloc_tags_nr_modules(s->tags) : 0;
}

static int src_new(struct mms_alloc_src **out, const struct mms_host *host)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	(*out)->host = host;
	(*out)->fd = -1;
	return 0;
}

static void src_close(struct mms_alloc_src *s)
{
	if (!s)
		return;
	mms_alloc_tags_close(s->tags);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}

/* A reader's failure, said as the command always said it: "WHAT: strerror". */
static int failed(int rc, const char *what, struct mms_error *err)
{
	if (rc == -ENOMEM || rc > 0)
		return rc;
	snprintf(err->file, sizeof(err->file), "%s", what);
	err->line = 0;
	snprintf(err->msg, sizeof(err->msg), "%s", strerror(-rc));
	return -EIO;
}

/* ---- ioctl ---- */

static int ioctl_open(struct mms_alloc_src **out, const struct mms_host *host, char *why,
		      size_t size)
{
	int fd, rc = src_new(out, host);

	if (rc)
		return rc;
	fd = mms_alloc_ioctl_open(host, why, size);
	if (fd < 0) {
		src_close(*out);
		*out = NULL;
		return fd;
	}
	(*out)->fd = fd;
	return 0;
}

/* The reply has no count of its own: the sites handed on are the matches. */
struct counted {
	mms_alloc_site_fn fn;
	void *ctx;
	uint64_t n;
};

static int count_site(const struct mms_alloc_site *site, void *ctx)
{
	struct counted *c = ctx;

	c->n++;
	return c->fn(site, c->ctx);
}

static int ioctl_read(struct mms_alloc_src *s, const struct mms_alloc_filter *f,
		      struct mms_alloc_snap_buf *buf, mms_alloc_site_fn fn, void *ctx,
		      struct mms_alloc_snap_stats *st, struct mms_error *err)
{
	struct counted c = { fn, ctx, 0 };
	int rc = mms_alloc_ioctl_read(s->fd, f, &buf->ioc, count_site, &c, &st->info.nr_sites);

	st->info.nr_matched = c.n;
	return rc ? failed(rc, "ioctl: /proc/allocinfo", err) : 0;
}

const struct mms_alloc_ops mms_alloc_src_ioctl = {
	.name = "ioctl", .open = ioctl_open, .read = ioctl_read, .close = src_close,
};

/* ---- bpf-tags ---- */

static int tags_open(struct mms_alloc_src **out, const struct mms_host *host, char *why,
		     size_t size)
{
	int rc = src_new(out, host);

	if (rc)
		return rc;
	rc = mms_alloc_tags_open(host, &(*out)->tags, why, size);
	if (rc) {
		src_close(*out);
		*out = NULL;
	}
	return rc;
}

static int tags_read(struct mms_alloc_src *s, const struct mms_alloc_filter *f,
		     struct mms_alloc_snap_buf *buf, mms_alloc_site_fn fn, void *ctx,
		     struct mms_alloc_snap_stats *st, struct mms_error *err)
{
	int rc = mms_alloc_tags_read(s->tags, f, &buf->tags, fn, ctx, &st->tags);

	st->info.nr_sites = st->tags.nr_tags;
	st->info.nr_matched = st->tags.nr_matched;
	return rc ? failed(rc, "bpf-tags: running the tag walker", err) : 0;
}

const struct mms_alloc_ops mms_alloc_src_tags = {
	.name = "bpf-tags", .open = tags_open, .read = tags_read, .close = src_close,
};

/* ---- allocinfo: the text, read anew for every snapshot ---- */

static int allocinfo_open(struct mms_alloc_src **out, const struct mms_host *host, char *why,
			  size_t size)
{
	return src_new(out, host);
}

static int allocinfo_read(struct mms_alloc_src *s, const struct mms_alloc_filter *f,
			  struct mms_alloc_snap_buf *buf, mms_alloc_site_fn fn, void *ctx,
			  struct mms_alloc_snap_stats *st, struct mms_error *err)
{
	int rc = mms_allocinfo_read(s->host, &buf->text, err);

	if (!rc)
		rc = mms_parse_allocinfo(buf->text.text, buf->text.len, f, fn, ctx, &st->info,
					 err);
	return rc;
}

const struct mms_alloc_ops mms_alloc_src_allocinfo = {
	.name = "allocinfo", .open = allocinfo_open, .read = allocinfo_read, .close = src_close,
};

/* ---- bpf-trace ---- */

const struct mms_alloc_ops mms_alloc_src_trace = {
	.name = "bpf-trace", .open_tracer = mms_alloc_tracer_open,
};
