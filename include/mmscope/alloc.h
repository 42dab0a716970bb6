/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libmmscope: Kernel memory per allocation call site (/proc/allocinfo).
 * Part of the public interface; include <mmscope/mmscope.h> for all of it.
 */
#ifndef MMSCOPE_ALLOC_H
#define MMSCOPE_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mmscope/util.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- /proc/allocinfo: kernel memory per allocation call site ---------------- */

/*
 * One call site (code tag). The strings point into the text that was parsed and are
 * not NUL-terminated: they live as long as that text. module_len 0 = built-in code.
 */
struct mms_alloc_site {
	int64_t bytes;   /* currently allocated from this site (the kernel prints it signed) */
	uint64_t calls;  /* live allocations */
	uint32_t line;
	bool accurate;   /* false: "accurate:no" (absolute values undercount, deltas exact) */
	uint16_t file_len, func_len, module_len;
	const char *file, *func, *module;
};

enum mms_alloc_accuracy { MMS_ALLOC_ANY, MMS_ALLOC_ACCURATE, MMS_ALLOC_INACCURATE };

/*
 * What a site must match, applied while parsing. file, func and module (NULL: any)
 * match as a substring, or as an fnmatch(3) glob of the whole name when they hold
 * '*', '?' or '['; module "" selects built-in code. Sizes are inclusive, on bytes.
 */
struct mms_alloc_filter {
	const char *file, *func, *module;
	bool has_line, has_min, has_max;
	uint32_t line;
	int64_t min_size, max_size;
	enum mms_alloc_accuracy accuracy;
};

struct mms_allocinfo_info {
	int major, minor;     /* the header's "allocinfo - version: MAJOR.MINOR" */
	uint64_t nr_sites;    /* record lines */
	uint64_t nr_matched;  /* of which matched the filter */
};

/* Called per matching site; a non-zero return stops the parse and is returned. */
typedef int (*mms_alloc_site_fn)(const struct mms_alloc_site *site, void *ctx);

/*
 * Parses /proc/allocinfo text (versions 1.x and 2.x; 2.x lines may end in key:value
 * pairs, "accurate:no" the only one known), calling fn for each site that matches
 * filter (NULL: every site) without allocating. Returns 0, -EINVAL/-ERANGE with err
 * naming the line, or -EOPNOTSUPP for an unknown major version (err says which).
 */
int mms_parse_allocinfo(const char *text, size_t len, const struct mms_alloc_filter *filter,
			mms_alloc_site_fn fn, void *ctx, struct mms_allocinfo_info *info,
			struct mms_error *err);
/* Whether site matches filter (what mms_parse_allocinfo() applies). */
bool mms_alloc_filter_match(const struct mms_alloc_filter *filter,
			    const struct mms_alloc_site *site);

/* A reusable read buffer: grown as needed, never shrunk. Zero-initialise. */
struct mms_text_buf {
	char *text;
	size_t len, cap;
};

/*
 * Reads host's /proc/allocinfo into buf in large reads (the buffer is reused, so a
 * repeated read allocates nothing). Returns 0 or a negative errno with err filled.
 */
int mms_allocinfo_read(const struct mms_host *host, struct mms_text_buf *buf,
		       struct mms_error *err);
void mms_text_buf_free(struct mms_text_buf *buf);

#ifdef __cplusplus
}
#endif
#endif /* MMSCOPE_ALLOC_H */
