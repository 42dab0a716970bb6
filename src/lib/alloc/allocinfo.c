// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * /proc/allocinfo (memory allocation profiling, Linux 6.10+): a reader that takes
 * the whole file in large reads into a reusable buffer, and a parser that filters
 * while it parses and hands each matching call site to a callback, so a filtered
 * query never builds the table and nothing is allocated per line.
 *
 *   allocinfo - version: 2.0
 *   #     <size>  <calls> <tag info>
 *          49152       48 arch/x86/kernel/cpu/mce/core.c:2709 func:mce_device_create accurate:no
 *        4136960     1010 drivers/staging/ctagmod/ctagmod.c:20 [ctagmod] func:ctagmod_start
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util/textscan.h"

#define ALLOCINFO_PATH "/proc/allocinfo"
#define ALLOCINFO_READ_MAX (256u << 20)
#define ALLOCINFO_READ_MIN (256u << 10) /* first buffer: a few thousand sites */
#define NAME_MAX_LEN 4096               /* longer names are not the kernel's */
#define VERSION_PREFIX "allocinfo - version: "

/* ---- filters ---- */

static bool is_glob(const char *pattern)
{
	return strpbrk(pattern, "*?[") != NULL;
}

/* A substring, or an fnmatch glob of the whole name. */
static bool name_match(const char *pattern, const char *s, size_t len)
{
	char name[NAME_MAX_LEN + 1];

	if (!is_glob(pattern))
		return memmem(s, len, pattern, strlen(pattern)) != NULL;
	if (len > NAME_MAX_LEN)
		return false;
	memcpy(name, s, len);
	name[len] = '\0';
	return fnmatch(pattern, name, 0) == 0;
}

static bool strings_match(const struct mms_alloc_filter *f, const struct mms_alloc_site *s)
{
	if (f->has_line && s->line != f->line)
		return false;
	if (f->file && !name_match(f->file, s->file, s->file_len))
		return false;
	if (f->func && !name_match(f->func, s->func, s->func_len))
		return false;
	if (f->module) {
		if (!f->module[0])
			return s->module_len == 0;
		if (!s->module_len || !name_match(f->module, s->module, s->module_len))
			return false;
	}
	return true;
}

static bool values_match(const struct mms_alloc_filter *f, const struct mms_alloc_site *s)
{
	if (f->has_min && s->bytes < f->min_size)
		return false;
	if (f->has_max && s->bytes > f->max_size)
		return false;
	if (f->accuracy == MMS_ALLOC_ACCURATE && !s->accurate)
		return false;
	if (f->accuracy == MMS_ALLOC_INACCURATE && s->accurate)
		return false;
	return true;
}

bool mms_alloc_filter_match(const struct mms_alloc_filter *f, const struct mms_alloc_site *s)
{
	return !f || (values_match(f, s) && strings_match(f, s));
}

/* ---- parsing ---- */

static int parse_i64(struct mms_tok tok, int64_t *out)
{
	bool neg = tok.len && tok.s[0] == '-';
	uint64_t mag;
	int rc;

	if (neg) {
		tok.s++;
		tok.len--;
	}
	rc = mms_parse_u64(tok, &mag);
	if (rc)
		return rc;
	if (mag > (uint64_t)INT64_MAX + neg)
		return -ERANGE;
	*out = neg ? (int64_t)(0 - mag) : (int64_t)mag;
	return 0;
}

static int parse_version(struct mms_tok line, struct mms_allocinfo_info *info,
			 struct mms_error *err)
{
	size_t n = strlen(VERSION_PREFIX);
	struct mms_tok major, minor;
	const char *dot;

	if (line.len <= n || memcmp(line.s, VERSION_PREFIX, n))
		return mms_err_at(err, 1, "expected '" VERSION_PREFIX "MAJOR.MINOR', got '%.*s'",
				  (int)(line.len > 40 ? 40 : line.len), line.s);
	major.s = line.s + n;
	dot = memchr(major.s, '.', line.s + line.len - major.s);
	if (!dot)
		return mms_err_at(err, 1, "version '%.*s' is not MAJOR.MINOR",
				  (int)(line.len - n > 20 ? 20 : line.len - n), major.s);
	major.len = dot - major.s;
	minor.s = dot + 1;
	minor.len = line.s + line.len - minor.s;
	if (mms_parse_int(major, &info->major) || mms_parse_int(minor, &info->minor))
		return mms_err_at(err, 1, "version '%.*s' is not MAJOR.MINOR",
				  (int)(line.len - n > 20 ? 20 : line.len - n), major.s);
	if (info->major < 1 || info->major > 2) {
		mms_err_at(err, 1, "version %d.%d: only 1.x and 2.x are known", info->major,
			   info->minor);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int bad_name(struct mms_error *err, int lineno, const char *what, struct mms_tok tok)
{
	return mms_err_at(err, lineno, "%s '%.*s' is not a name", what,
			  (int)(tok.len > 40 ? 40 : tok.len), tok.s);
}

/* "file:line", "[module]", "func:name", then key:value pairs. */
static int parse_tag(struct mms_tok rest, int lineno, struct mms_alloc_site *s,
		     struct mms_error *err)
{
	struct mms_tok tok, num;
	const char *colon;
	int line, rc;

	if (!mms_tok_next(&rest, &tok))
		return mms_err_at(err, lineno, "no call site after the counters");
	colon = memrchr(tok.s, ':', tok.len);
	if (!colon || colon == tok.s)
		return mms_err_at(err, lineno, "call site '%.*s' is not FILE:LINE",
				  (int)(tok.len > 40 ? 40 : tok.len), tok.s);
	num.s = colon + 1;
	num.len = tok.s + tok.len - num.s;
	rc = mms_parse_int(num, &line);
	if (rc)
		return mms_err_number(err, lineno, num, rc);
	s->file = tok.s;
	s->file_len = colon - tok.s;
	s->line = line;
	if (s->file_len > NAME_MAX_LEN)
		return mms_err_at(err, lineno, "file name longer than %d bytes", NAME_MAX_LEN);

	if (!mms_tok_next(&rest, &tok))
		return mms_err_at(err, lineno, "no func: after the call site");
	s->module = NULL;
	s->module_len = 0;
	if (tok.s[0] == '[') {
		if (tok.len < 3 || tok.s[tok.len - 1] != ']' || tok.len - 2 > NAME_MAX_LEN)
			return mms_err_at(err, lineno, "module '%.*s' is not [NAME]",
					  (int)(tok.len > 40 ? 40 : tok.len), tok.s);
		s->module = tok.s + 1;
		s->module_len = tok.len - 2;
		if (!mms_tok_next(&rest, &tok))
			return mms_err_at(err, lineno, "no func: after the module");
	}
	if (tok.len <= 5 || memcmp(tok.s, "func:", 5) || tok.len - 5 > NAME_MAX_LEN)
		return mms_err_at(err, lineno, "expected func:NAME, got '%.*s'",
				  (int)(tok.len > 40 ? 40 : tok.len), tok.s);
	s->func = tok.s + 5;
	s->func_len = tok.len - 5;

	s->accurate = true;
	while (mms_tok_next(&rest, &tok)) {
		const char *sep = memchr(tok.s, ':', tok.len);

		if (!sep || sep == tok.s || !mms_tok_is_name(tok))
			return mms_err_at(err, lineno, "'%.*s' after func: is not KEY:VALUE",
					  (int)(tok.len > 40 ? 40 : tok.len), tok.s);
		if (sep - tok.s == 8 && !memcmp(tok.s, "accurate", 8)) {
			if (mms_tok_eq(tok, "accurate:no"))
				s->accurate = false;
			else if (!mms_tok_eq(tok, "accurate:yes"))
				return mms_err_at(err, lineno, "'%.*s': accurate is yes or no",
						  (int)(tok.len > 40 ? 40 : tok.len), tok.s);
		}
		/* Other keys describe the site in ways this version does not know. */
	}
	return 0;
}

static int parse_site(struct mms_tok line, int lineno, struct mms_alloc_site *s,
		      struct mms_error *err)
{
	struct mms_tok rest = line, tok;
	int rc;

	if (!mms_tok_next(&rest, &tok))
		return mms_err_at(err, lineno, "empty line");
	rc = parse_i64(tok, &s->bytes);
	if (rc)
		return rc == -ERANGE ? mms_err_number(err, lineno, tok, rc) :
			mms_err_at(err, lineno, "size '%.*s' is not a decimal number",
				   (int)(tok.len > 24 ? 24 : tok.len), tok.s);
	if (!mms_tok_next(&rest, &tok))
		return mms_err_at(err, lineno, "no calls after the size");
	rc = mms_parse_u64(tok, &s->calls);
	if (rc)
		return mms_err_number(err, lineno, tok, rc);
	rc = parse_tag(rest, lineno, s, err);
	if (rc)
		return rc;
	struct mms_tok file = { s->file, s->file_len }, func = { s->func, s->func_len };
	struct mms_tok mod = { s->module, s->module_len };

	if (!mms_tok_is_name(file))
		return bad_name(err, lineno, "file", file);
	if (!mms_tok_is_name(func))
		return bad_name(err, lineno, "function", func);
	if (mod.len && !mms_tok_is_name(mod))
		return bad_name(err, lineno, "module", mod);
	return 0;
}

int mms_parse_allocinfo(const char *text, size_t len, const struct mms_alloc_filter *filter,
			mms_alloc_site_fn fn, void *ctx, struct mms_allocinfo_info *info,
			struct mms_error *err)
{
	struct mms_allocinfo_info local;
	struct mms_alloc_site site;
	struct mms_lines ls;
	struct mms_tok line;
	int rc;

	if (!info)
		info = &local;
	memset(info, 0, sizeof(*info));
	rc = mms_check_file(text, len, err);
	if (rc)
		return rc;
	mms_lines_init(&ls, text, len);
	if (!mms_lines_next(&ls, &line))
		return mms_err_at(err, 0, "empty (no version line)");
	rc = parse_version(line, info, err);
	if (rc)
		return rc;
	if (!mms_lines_next(&ls, &line))
		return mms_err_at(err, 1, "no '#' header line after the version");
	if (!line.len || line.s[0] != '#')
		return mms_err_at(err, 2, "expected the '#     <size>  <calls> <tag info>' header");
	while (mms_lines_next(&ls, &line)) {
		rc = parse_site(line, ls.lineno, &site, err);
		if (rc)
			return rc;
		info->nr_sites++;
		if (filter && !(values_match(filter, &site) && strings_match(filter, &site)))
			continue;
		info->nr_matched++;
		if (fn) {
			rc = fn(&site, ctx);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* ---- reading ---- */

static int grow(struct mms_text_buf *buf, size_t want)
{
	char *bigger;

	if (want <= buf->cap)
		return 0;
	bigger = realloc(buf->text, want + 1);
	if (!bigger)
		return -ENOMEM;
	buf->text = bigger;
	buf->cap = want;
	return 0;
}

int mms_allocinfo_read(const struct mms_host *host, struct mms_text_buf *buf,
		       struct mms_error *err)
{
	char path[sizeof(host->root) + sizeof(ALLOCINFO_PATH)];
	int fd, rc = 0;

	memset(err, 0, sizeof(*err));
	if (mms_host_path(host, ALLOCINFO_PATH, path, sizeof(path))) {
		snprintf(err->file, sizeof(err->file), "%s", ALLOCINFO_PATH);
		snprintf(err->msg, sizeof(err->msg), "path too long");
		return -ENAMETOOLONG;
	}
	snprintf(err->file, sizeof(err->file), "%s", path);
	/* Room for what the last read took and a quarter more, so one read() suffices. */
	rc = grow(buf, buf->len + buf->len / 4 > ALLOCINFO_READ_MIN ?
		  buf->len + buf->len / 4 : ALLOCINFO_READ_MIN);
	if (rc)
		goto nomem;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err->msg, sizeof(err->msg), "%s", strerror(errno));
		return rc;
	}
	buf->len = 0;
	for (;;) {
		ssize_t n;

		if (buf->len == buf->cap) {
			if (buf->cap >= ALLOCINFO_READ_MAX) {
				rc = -EFBIG;
				snprintf(err->msg, sizeof(err->msg), "larger than %u MiB",
					 ALLOCINFO_READ_MAX >> 20);
				break;
			}
			rc = grow(buf, buf->cap * 2);
			if (rc)
				break;
		}
		n = read(fd, buf->text + buf->len, buf->cap - buf->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			snprintf(err->msg, sizeof(err->msg), "%s", strerror(errno));
			break;
		}
		if (n == 0)
			break;
		buf->len += n;
	}
	close(fd);
	if (rc == -ENOMEM)
		goto nomem;
	buf->text[buf->len] = '\0';
	return rc;
nomem:
	snprintf(err->msg, sizeof(err->msg), "out of memory");
	return -ENOMEM;
}

void mms_text_buf_free(struct mms_text_buf *buf)
{
	free(buf->text);
	memset(buf, 0, sizeof(*buf));
}
