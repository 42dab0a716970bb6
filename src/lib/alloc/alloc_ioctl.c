// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The alloc command's ioctl backend: seed 002's binary /proc/allocinfo interface
 * (alloc_ioctl.h has the layout and why it is ours). A query is one GET_AT with
 * the kernel-side filter, then GET_NEXT until ENOENT; the replies are kept (the
 * sites point into them) and re-checked with the exact filter, since the kernel
 * only does whole-name matches. Used only where the kernel answers: ENOTTY from
 * the first ioctl means "not this kernel", and the command moves on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lib/alloc/alloc_ioctl.h"

#define ALLOCINFO_PATH "/proc/allocinfo"
#define CONTENT_RETRIES 3

/* ---- the request ---- */

/*
 * The one name a glob stands for, when it stands for one: literal characters,
 * backslash escapes and one-character sets ('[.]'). false otherwise (and for
 * patterns without glob characters: those are substrings).
 */
static bool glob_literal_name(const char *p, char *out, size_t size)
{
	size_t n = 0;

	if (!strpbrk(p, "*?["))
		return false;
	for (; *p; p++) {
		char c = *p;

		if (c == '*' || c == '?')
			return false;
		if (c == '\\') {
			if (!p[1])
				return false;
			c = *++p;
		} else if (c == '[') {
			if (!p[1] || p[1] == '!' || p[1] == '^' || p[1] == ']' || p[1] == '\\' ||
			    p[2] != ']')
				return false;
			c = p[1];
			p += 2;
		}
		if (n + 1 >= size)
			return false;
		out[n++] = c;
	}
	out[n] = '\0';
	return true;
}

/* The kernel keeps the last 63 bytes of a longer name: so must we. */
static void set_name(char dst[ALLOCINFO_STR_SIZE], const char *name)
{
	size_t len = strlen(name);

	if (len > ALLOCINFO_STR_SIZE - 1)
		name += len - (ALLOCINFO_STR_SIZE - 1);
	memset(dst, 0, ALLOCINFO_STR_SIZE);
	memcpy(dst, name, len < ALLOCINFO_STR_SIZE - 1 ? len : ALLOCINFO_STR_SIZE - 1);
}

static void name_filter(const char *pattern, int bit, char dst[ALLOCINFO_STR_SIZE],
			struct allocinfo_filter *out)
{
	char name[4096];

	if (!pattern || !glob_literal_name(pattern, name, sizeof(name)))
		return;
	set_name(dst, name);
	out->mask |= ALLOCINFO_FILTER_MASK(bit);
}

void mms_alloc_ioctl_request(const struct mms_alloc_filter *f, struct allocinfo_filter *out)
{
	memset(out, 0, sizeof(*out));
	if (!f)
		return;
	if (f->module && !f->module[0])
		out->mask |= ALLOCINFO_FILTER_MASK(ALLOCINFO_FILTER_MODNAME); /* "" = built-in */
	else
		name_filter(f->module, ALLOCINFO_FILTER_MODNAME, out->fields.modname, out);
	name_filter(f->func, ALLOCINFO_FILTER_FUNCTION, out->fields.function, out);
	name_filter(f->file, ALLOCINFO_FILTER_FILENAME, out->fields.filename, out);
	if (f->has_line) {
		out->mask |= ALLOCINFO_FILTER_MASK(ALLOCINFO_FILTER_LINENO);
		out->fields.lineno = f->line;
	}
	if (f->accuracy != MMS_ALLOC_ANY) {
		out->mask |= ALLOCINFO_FILTER_MASK(ALLOCINFO_FILTER_INACCURATE);
		out->fields.inaccurate = f->accuracy == MMS_ALLOC_INACCURATE;
	}
	if (f->has_min && f->min_size > 0) {
		out->mask |= ALLOCINFO_FILTER_MASK(ALLOCINFO_FILTER_MIN_SIZE);
		out->min_size = (__u64)f->min_size;
	}
}

/* ---- the reply ---- */

static int str_len(const char s[ALLOCINFO_STR_SIZE], uint16_t *len)
{
	const char *nul = memchr(s, '\0', ALLOCINFO_STR_SIZE);

	if (!nul)
		return -EINVAL;
	*len = (uint16_t)(nul - s);
	return 0;
}

int mms_alloc_ioctl_decode(const struct allocinfo_tag_data *d, struct mms_alloc_site *site)
{
	memset(site, 0, sizeof(*site));
	if (str_len(d->tag.modname, &site->module_len) ||
	    str_len(d->tag.function, &site->func_len) ||
	    str_len(d->tag.filename, &site->file_len) || d->tag.lineno > UINT32_MAX)
		return -EINVAL;
	site->bytes = (int64_t)d->counter.bytes;
	site->calls = d->counter.calls;
	site->line = (uint32_t)d->tag.lineno;
	site->accurate = d->counter.accurate != 0;
	site->file = d->tag.filename;
	site->func = d->tag.function;
	site->module = site->module_len ? d->tag.modname : NULL;
	return 0;
}

/* ---- the file ---- */

int mms_alloc_ioctl_open(const struct mms_host *host, char *why, size_t size)
{
	struct allocinfo_content_id id;
	char path[4096];
	int fd, err;

	if (!mms_host_is_live(host)) {
		snprintf(why, size, "ioctl: needs the live kernel, not a --root tree");
		return -EOPNOTSUPP;
	}
	if (mms_host_path(host, ALLOCINFO_PATH, path, sizeof(path)))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		snprintf(why, size, "ioctl: %s: %s", ALLOCINFO_PATH, strerror(-err));
		return err;
	}
	if (ioctl(fd, ALLOCINFO_IOC_CONTENT_ID, &id)) {
		err = -errno;
		if (err == -ENOTTY || err == -EINVAL)
			snprintf(why, size, "kernel does not answer the allocinfo ioctl (%s)",
				 err == -ENOTTY ? "ENOTTY" : "EINVAL");
		else
			snprintf(why, size, "ioctl: %s: ALLOCINFO_IOC_CONTENT_ID: %s",
				 ALLOCINFO_PATH, strerror(-err));
		close(fd);
		return err == -EINVAL ? -ENOTTY : err;
	}
	return fd;
}

int mms_alloc_ioctl_probe(const struct mms_host *host, char *why, size_t size)
{
	int fd = mms_alloc_ioctl_open(host, why, size);

	if (fd < 0)
		return fd;
	close(fd);
	snprintf(why, size, "the kernel answers the allocinfo ioctl");
	return 0;
}

static int buf_push(struct mms_alloc_ioctl_buf *buf, const struct allocinfo_tag_data *d)
{
	if (buf->nr == buf->cap) {
		size_t cap = buf->cap ? 2 * buf->cap : 256;
		struct allocinfo_tag_data *v = realloc(buf->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		buf->v = v;
		buf->cap = cap;
	}
	buf->v[buf->nr++] = *d;
	return 0;
}

void mms_alloc_ioctl_buf_free(struct mms_alloc_ioctl_buf *buf)
{
	free(buf->v);
	memset(buf, 0, sizeof(*buf));
}

/* Every tag matching the request into buf; -EAGAIN when the content changed. */
static int fetch(int fd, const struct allocinfo_filter *req, struct mms_alloc_ioctl_buf *buf)
{
	struct allocinfo_content_id before, after;
	struct allocinfo_get_at at = { .pos = 0, .filter = *req };
	struct allocinfo_tag_data d;
	int err;

	buf->nr = 0;
	if (ioctl(fd, ALLOCINFO_IOC_CONTENT_ID, &before))
		return -errno;
	if (ioctl(fd, ALLOCINFO_IOC_GET_AT, &at)) {
		if (errno != ENOENT)
			return -errno;
	} else {
		err = buf_push(buf, &at.data);
		while (!err && !ioctl(fd, ALLOCINFO_IOC_GET_NEXT, &d))
			err = buf_push(buf, &d);
		if (err)
			return err;
		if (errno != ENOENT)
			return -errno;
	}
	if (ioctl(fd, ALLOCINFO_IOC_CONTENT_ID, &after))
		return -errno;
	return before.id == after.id ? 0 : -EAGAIN;
}

int mms_alloc_ioctl_read(int fd, const struct mms_alloc_filter *f, struct mms_alloc_ioctl_buf *buf,
			 mms_alloc_site_fn fn, void *ctx, uint64_t *nr_tags)
{
	struct allocinfo_filter req;
	int err = -EAGAIN;

	mms_alloc_ioctl_request(f, &req);
	for (int i = 0; i < CONTENT_RETRIES && err == -EAGAIN; i++)
		err = fetch(fd, &req, buf);
	if (err)
		return err;
	if (nr_tags)
		*nr_tags = buf->nr;
	for (size_t i = 0; i < buf->nr; i++) {
		struct mms_alloc_site site;

		if (mms_alloc_ioctl_decode(&buf->v[i], &site))
			return -EINVAL;
		if (!mms_alloc_filter_match(f, &site))
			continue;
		err = fn(&site, ctx);
		if (err)
			return err;
	}
	return 0;
}
