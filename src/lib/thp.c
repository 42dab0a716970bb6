// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * THP settings from /sys/kernel/mm/transparent_hugepage: the global knobs (the
 * bracketed word of "always [madvise] never"), khugepaged's, and each per-size
 * (mTHP) hugepages-<N>kB directory with its policy and the fault counters that say
 * whether that size is actually being obtained.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textscan.h"

#define THP_DIR "/sys/kernel/mm/transparent_hugepage"

/*
 * The bracketed word of a sysfs choice file. The text must be whitespace-separated
 * printable words of which exactly one is "[word]"; any other bracket ("[a[b]",
 * "[a]b]", "[a] [b]"), an empty "[]" or a control byte is -EINVAL, so a damaged
 * file is never read as a setting.
 */
int mms_parse_sysfs_choice(const char *text, char *out, size_t size)
{
	struct mms_tok all = { text, strlen(text) }, word, choice = { NULL, 0 };

	if (all.len && text[all.len - 1] == '\n')
		all.len--; /* the one newline a sysfs file ends with */
	while (mms_tok_next(&all, &word)) {
		struct mms_tok inner = word;

		if (!mms_tok_is_name(word))
			return -EINVAL;
		if (word.s[0] == '[') {
			if (choice.s || word.len < 3 || word.s[word.len - 1] != ']')
				return -EINVAL;
			inner.s++;
			inner.len -= 2;
			choice = inner;
		}
		if (memchr(inner.s, '[', inner.len) || memchr(inner.s, ']', inner.len))
			return -EINVAL;
	}
	if (!choice.s)
		return -EINVAL;
	return mms_tok_copy(choice, out, size);
}

static int read_choice(const struct mms_host *host, const char *path, char *out, size_t size,
		       struct mms_error *err)
{
	char *text;
	size_t len;
	int rc = mms_host_read(host, path, &text, &len, err);

	if (rc)
		return rc;
	rc = mms_parse_sysfs_choice(text, out, size);
	if (rc)
		mms_err_at(err, 1, "expected one [bracketed] choice");
	free(text);
	return rc;
}

/* A file holding one unsigned number (and a newline). */
static int read_u64(const struct mms_host *host, const char *path, uint64_t *out,
		    struct mms_error *err)
{
	struct mms_tok all, tok;
	char *text;
	size_t len;
	int rc = mms_host_read(host, path, &text, &len, err);

	if (rc)
		return rc;
	all.s = text;
	all.len = len;
	if (!mms_tok_next(&all, &tok))
		rc = mms_err_at(err, 1, "empty file");
	else if ((rc = mms_parse_u64(tok, out)))
		rc = mms_err_number(err, 1, tok, rc);
	else if (mms_tok_next(&all, &tok))
		rc = mms_err_at(err, 1, "more than one number");
	free(text);
	return rc;
}

static int cmp_size(const void *a, const void *b)
{
	const struct mms_thp_size *x = a, *y = b;

	return x->size_kb < y->size_kb ? -1 : x->size_kb > y->size_kb;
}

static int read_sizes(const struct mms_host *host, struct mms_thp_settings *out,
		      struct mms_error *err)
{
	char dir[sizeof(host->root) + 64], path[512];
	struct dirent *de;
	DIR *d;

	mms_host_path(host, THP_DIR, dir, sizeof(dir));
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d)) && out->nr_sizes < MMS_THP_SIZES_MAX) {
		struct mms_thp_size *s = &out->sizes[out->nr_sizes];
		unsigned long long kb;
		char tail[8];

		if (sscanf(de->d_name, "hugepages-%llukB%7s", &kb, tail) != 1)
			continue;
		memset(s, 0, sizeof(*s));
		s->size_kb = kb;
		snprintf(path, sizeof(path), THP_DIR "/%s/enabled", de->d_name);
		if (read_choice(host, path, s->enabled, sizeof(s->enabled), err) == -EINVAL) {
			closedir(d);
			return -EINVAL;
		}
		snprintf(path, sizeof(path), THP_DIR "/%s/shmem_enabled", de->d_name);
		read_choice(host, path, s->shmem_enabled, sizeof(s->shmem_enabled), err);
		snprintf(path, sizeof(path), THP_DIR "/%s/stats/anon_fault_alloc", de->d_name);
		s->has_stats = !read_u64(host, path, &s->anon_fault_alloc, err);
		snprintf(path, sizeof(path), THP_DIR "/%s/stats/anon_fault_fallback", de->d_name);
		read_u64(host, path, &s->anon_fault_fallback, err);
		snprintf(path, sizeof(path), THP_DIR "/%s/stats/nr_anon", de->d_name);
		read_u64(host, path, &s->nr_anon, err);
		out->nr_sizes++;
	}
	closedir(d);
	qsort(out->sizes, out->nr_sizes, sizeof(out->sizes[0]), cmp_size);
	return 0;
}

int mms_thp_read(const struct mms_host *host, struct mms_thp_settings *out,
		 struct mms_error *err)
{
	struct mms_error ignored;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = read_choice(host, THP_DIR "/enabled", out->enabled, sizeof(out->enabled), err);
	if (rc == -ENOENT)
		return 0; /* no THP in this kernel: present stays false */
	if (rc)
		return rc;
	out->present = true;
	rc = read_choice(host, THP_DIR "/defrag", out->defrag, sizeof(out->defrag), err);
	if (rc)
		return rc;
	/* Optional knobs: absent on some kernels or configs. */
	read_choice(host, THP_DIR "/shmem_enabled", out->shmem_enabled,
		    sizeof(out->shmem_enabled), &ignored);
	read_u64(host, THP_DIR "/hpage_pmd_size", &out->hpage_pmd_size, &ignored);
	out->has_khugepaged_defrag =
		!read_u64(host, THP_DIR "/khugepaged/defrag", &out->khugepaged_defrag, &ignored);
	read_u64(host, THP_DIR "/khugepaged/max_ptes_none", &out->max_ptes_none, &ignored);
	read_u64(host, THP_DIR "/khugepaged/pages_to_scan", &out->pages_to_scan, &ignored);
	read_u64(host, THP_DIR "/khugepaged/scan_sleep_millisecs", &out->scan_sleep_ms, &ignored);
	read_u64(host, THP_DIR "/khugepaged/pages_collapsed", &out->pages_collapsed, &ignored);
	read_u64(host, THP_DIR "/khugepaged/full_scans", &out->full_scans, &ignored);
	return read_sizes(host, out, err);
}
