// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Loader of alloc_tags.bpf.c (the alloc command's bpf-tags backend) and its
 * queries. The program is loaded once; a query writes the kernel-side filter into
 * its .bss, runs it with BPF_PROG_TEST_RUN (a batch of records per run, resumed
 * until the section ends), copies the records out and applies the exact filter:
 * names are only prefiltered in the kernel (a literal every match must contain),
 * because substring and glob matching of whole names is cheap here and costly in
 * BPF. What makes it fast is what the kernel skips: a tag whose line, module,
 * accuracy or names fail is never summed over CPUs and never formatted as text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "lib/alloc/alloc_tags.h"
#include "alloc_tags.skel.h"
#include "lib/trace/tracing.h"

struct mms_alloc_tags {
	struct alloc_tags_bpf *skel;
	int prog_fd;
	int nr_modules;
};

/* ---- the kernel-side filter ---- */

static bool is_glob(const char *p)
{
	return strpbrk(p, "*?[") != NULL;
}

/* The longest run of a glob that any match holds verbatim (escapes resolved). */
static size_t glob_literal(const char *p, char *out, size_t size)
{
	char run[ALLOC_TAGS_PAT_LEN * 4];
	size_t best = 0, n = 0;

	for (;; p++) {
		bool lit = *p && *p != '*' && *p != '?' && *p != '[';

		if (*p == '\\' && p[1]) {
			p++;
			lit = true;
		}
		if (lit && n < sizeof(run)) {
			run[n++] = *p;
			continue;
		}
		if (n > best) {
			best = n < size - 1 ? n : size - 1;
			memcpy(out, run, best);
		}
		n = 0;
		if (!*p)
			break;
		if (*p == '[') {
			/* A set: skip to its end; without one fnmatch takes '[' literally, but
			 * ending the run there is a superset either way. */
			const char *end = strchr(p + (p[1] == ']' ? 2 : 1), ']');

			if (!end)
				break;
			p = end;
		}
	}
	out[best] = '\0';
	return best;
}

static void str_prefilter(const char *pattern, struct alloc_tags_str_filter *out)
{
	memset(out, 0, sizeof(*out));
	if (!pattern)
		return;
	if (is_glob(pattern)) {
		out->len = glob_literal(pattern, out->lit, sizeof(out->lit));
	} else {
		out->len = strnlen(pattern, sizeof(out->lit) - 1);
		memcpy(out->lit, pattern, out->len);
	}
	out->op = out->len ? ALLOC_TAGS_STR_CONTAINS : ALLOC_TAGS_STR_ANY;
}

void mms_alloc_tags_prefilter(const struct mms_alloc_filter *f, struct alloc_tags_filter *out)
{
	memset(out, 0, sizeof(*out));
	if (!f)
		return;
	out->has_line = f->has_line;
	out->line = f->line;
	out->has_min = f->has_min;
	out->min_size = f->min_size;
	out->has_max = f->has_max;
	out->max_size = f->max_size;
	out->accuracy = f->accuracy == MMS_ALLOC_ACCURATE ? 1 :
			f->accuracy == MMS_ALLOC_INACCURATE ? 2 : 0;
	str_prefilter(f->file, &out->file);
	str_prefilter(f->func, &out->func);
	if (f->module && !f->module[0]) {
		out->module.op = ALLOC_TAGS_STR_NULL;
	} else if (f->module) {
		str_prefilter(f->module, &out->module);
		if (out->module.op == ALLOC_TAGS_STR_ANY)
			/* a module pattern without a literal: any module, not built-in */
			out->module.op = ALLOC_TAGS_STR_NONNULL;
	}
}

/* ---- loading ---- */

static int count_modules(const struct mms_host *host)
{
	char path[4096], line[512];
	int n = 0;
	FILE *f;

	if (mms_host_path(host, "/proc/modules", path, sizeof(path)))
		return 0;
	f = fopen(path, "re");
	if (!f)
		return 0; /* CONFIG_MODULES=n */
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

/* Why the load failed, in the kernel's terms when BTF can say. */
static int load_failed(int err, char *why, size_t size)
{
	struct btf *btf = btf__load_vmlinux_btf();
	static const char *const types[] = { "alloc_tag", "codetag", "alloc_tag_counters" };

	if (!btf) {
		snprintf(why, size, "bpf-tags: no vmlinux BTF for the tag layout (%s)",
			 strerror(errno));
		return -EOPNOTSUPP;
	}
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (btf__find_by_name_kind(btf, types[i], BTF_KIND_STRUCT) < 0) {
			snprintf(why, size, "bpf-tags: no struct %s in vmlinux BTF "
				 "(CONFIG_MEM_ALLOC_PROFILING)", types[i]);
			btf__free(btf);
			return -EOPNOTSUPP;
		}
	}
	btf__free(btf);
	mms_bpf_error(err, "bpf-tags: loading the tag walker", why, size);
	return err == -EPERM || err == -EACCES ? err : -EOPNOTSUPP;
}

static int run_once(struct mms_alloc_tags *t, int *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, o);

	if (bpf_prog_test_run_opts(t->prog_fd, &o))
		return -errno;
	*retval = (int)o.retval;
	return 0;
}

static int walk_error(int rv, char *why, size_t size)
{
	static const char *const msgs[] = {
		[ALLOC_TAGS_ERR_NO_SECTION] = "no __start_alloc_tags/__stop_alloc_tags in "
					      "kallsyms (no allocation tags)",
		[ALLOC_TAGS_ERR_NO_PER_CPU_OFFSET] = "no __per_cpu_offset in kallsyms "
						     "(CONFIG_KALLSYMS_ALL)",
		[ALLOC_TAGS_ERR_READ] = "__per_cpu_offset[] unreadable",
		[ALLOC_TAGS_ERR_LAYOUT] = "struct alloc_tag has no size in BTF",
	};

	snprintf(why, size, "bpf-tags: %s",
		 rv > 0 && rv < (int)(sizeof(msgs) / sizeof(msgs[0])) ? msgs[rv] :
		 "the tag walker failed");
	return -EOPNOTSUPP;
}

int mms_alloc_tags_open(const struct mms_host *host, struct mms_alloc_tags **out, char *why,
			size_t size)
{
	struct mms_alloc_tags *t;
	int err, ncpu, rv = 0;

	*out = NULL;
	if (!mms_host_is_live(host)) {
		snprintf(why, size, "bpf-tags: reads the live kernel, not a --root tree");
		return -EOPNOTSUPP;
	}
	ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0 || ncpu > ALLOC_TAGS_MAX_CPUS) {
		snprintf(why, size, "bpf-tags: %d possible CPUs (up to %d are summed)", ncpu,
			 ALLOC_TAGS_MAX_CPUS);
		return -EOPNOTSUPP;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->skel = alloc_tags_bpf__open();
	if (!t->skel) {
		err = -errno;
		mms_bpf_error(err, "bpf-tags: opening the BPF object", why, size);
		free(t);
		return err;
	}
	t->skel->rodata->nr_cpus = (__u32)ncpu;
	err = alloc_tags_bpf__load(t->skel);
	if (err) {
		err = load_failed(err, why, size);
		goto fail;
	}
	t->prog_fd = bpf_program__fd(t->skel->progs.alloc_tags_walk);
	t->skel->bss->first_tag = UINT32_MAX; /* resolve only */
	err = run_once(t, &rv);
	if (err) {
		mms_bpf_error(err, "bpf-tags: running the tag walker (BPF_PROG_TEST_RUN)", why,
			      size);
		err = err == -EPERM || err == -EACCES ? err : -EOPNOTSUPP;
		goto fail;
	}
	if (rv) {
		err = walk_error(rv, why, size);
		goto fail;
	}
	t->nr_modules = count_modules(host);
	*out = t;
	return 0;
fail:
	mms_alloc_tags_close(t);
	return err;
}

void mms_alloc_tags_close(struct mms_alloc_tags *t)
{
	if (!t)
		return;
	alloc_tags_bpf__destroy(t->skel);
	free(t);
}

int mms_alloc_tags_nr_modules(const struct mms_alloc_tags *t)
{
	return t->nr_modules;
}

int mms_alloc_tags_probe(const struct mms_host *host, char *why, size_t size)
{
	struct mms_alloc_tags *t;
	int err = mms_alloc_tags_open(host, &t, why, size);

	if (err)
		return err;
	if (t->nr_modules) {
		snprintf(why, size, "bpf-tags: %d modules loaded, whose tags it does not walk "
			 "(built-in code only; --backend bpf-tags to use it anyway)",
			 t->nr_modules);
		err = -EOPNOTSUPP;
	} else {
		snprintf(why, size, "%u tags", t->skel->bss->nr_tags);
	}
	mms_alloc_tags_close(t);
	return err;
}

/* ---- queries ---- */

static int buf_append(struct mms_alloc_tags_buf *buf, const struct alloc_tags_rec *v, size_t n)
{
	if (buf->nr + n > buf->cap) {
		size_t cap = buf->cap ? buf->cap : 256;
		struct alloc_tags_rec *nv;

		while (cap < buf->nr + n)
			cap *= 2;
		nv = realloc(buf->v, cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		buf->v = nv;
		buf->cap = cap;
	}
	memcpy(buf->v + buf->nr, v, n * sizeof(*v));
	buf->nr += n;
	return 0;
}

void mms_alloc_tags_buf_free(struct mms_alloc_tags_buf *buf)
{
	free(buf->v);
	memset(buf, 0, sizeof(*buf));
}

static uint16_t len16(const char *s, size_t max)
{
	return (uint16_t)strnlen(s, max);
}

int mms_alloc_tags_read(struct mms_alloc_tags *t, const struct mms_alloc_filter *f,
			struct mms_alloc_tags_buf *buf, mms_alloc_site_fn fn, void *ctx,
			struct mms_alloc_tags_stats *st)
{
	struct alloc_tags_bpf__bss *bss = t->skel->bss;
	struct mms_alloc_tags_stats s = { .nr_modules = t->nr_modules };
	uint32_t next = 0;
	int err, rv;

	buf->nr = 0;
	mms_alloc_tags_prefilter(f, &bss->filter);
	bss->read_errors = 0;
	do {
		bss->first_tag = next;
		err = run_once(t, &rv);
		if (err)
			return err;
		if (rv)
			return -EIO;
		s.runs++;
		s.nr_passed += bss->nr_passed;
		if (bss->nr_recs > ALLOC_TAGS_BATCH ||
		    (bss->next_tag < bss->nr_tags && bss->next_tag <= next))
			return -EIO; /* cannot happen: do not loop forever if it does */
		err = buf_append(buf, bss->recs, bss->nr_recs);
		if (err)
			return err;
		next = bss->next_tag;
	} while (next < bss->nr_tags);
	s.nr_tags = bss->nr_tags;
	s.nr_records = buf->nr;
	s.read_errors = bss->read_errors;
	for (size_t i = 0; i < buf->nr; i++) {
		const struct alloc_tags_rec *r = &buf->v[i];
		struct mms_alloc_site site = {
			.bytes = r->bytes, .calls = r->calls, .line = r->lineno,
			.accurate = !(r->flags & ALLOC_TAGS_FLAG_INACCURATE),
			.file = r->filename, .file_len = len16(r->filename, sizeof(r->filename)),
			.func = r->function, .func_len = len16(r->function, sizeof(r->function)),
			.module = r->modname[0] ? r->modname : NULL,
			.module_len = len16(r->modname, sizeof(r->modname)),
		};

		if (!mms_alloc_filter_match(f, &site))
			continue;
		s.nr_matched++;
		err = fn(&site, ctx);
		if (err) {
			if (st)
				*st = s;
			return err;
		}
	}
	if (st)
		*st = s;
	return 0;
}
