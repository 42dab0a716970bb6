// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * THP settings from /sys/kernel/mm/transparent_hugepage: the global knobs (the
 * bracketed word of "always [madvise] never"), khugepaged's, and each per-size
 * (mTHP) hugepages-<N>kB directory with its policy and the fault counters that say
 * whether that size is actually being obtained, and one "sample" (settings plus
 * /proc/vmstat; judge/thp_window.c takes the window between two).
 *
 * Files differ across kernels (per-size directories since 6.8, shrink_underused
 * since 6.12, no anon "enabled" for 8 kB), so every file but enabled and defrag is
 * optional: absent is fine, present but malformed is bad input.
 */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util/textscan.h"

#define THP_DIR "/sys/kernel/mm/transparent_hugepage"

/*
 * The numeric knobs, read by one loop; bit i of have_knobs is knobs[i]. min..max is
 * what the kernel can print there (mm/huge_memory.c, mm/khugepaged.c): flags are 0
 * or 1, khugepaged's are unsigned ints; hpage_pmd_size is checked on its own.
 */
#define KNOB_UINT 0xffffffffull
static const struct knob {
	const char *path; /* under THP_DIR */
	size_t offset;    /* of its uint64_t in struct mms_thp_settings */
	uint64_t min, max;
	bool ptes;        /* max_ptes_*: below HPAGE_PMD_NR too */
} knobs[] = {
#define KNOB(path, field, min, max, ptes) \
	{ path, offsetof(struct mms_thp_settings, field), min, max, ptes }
	KNOB("hpage_pmd_size", hpage_pmd_size, 0, UINT64_MAX, false),
	KNOB("use_zero_page", use_zero_page, 0, 1, false),
	KNOB("shrink_underused", shrink_underused, 0, 1, false),
	KNOB("khugepaged/defrag", khugepaged_defrag, 0, 1, false),
	KNOB("khugepaged/max_ptes_none", max_ptes_none, 0, KNOB_UINT, true),
	KNOB("khugepaged/max_ptes_swap", max_ptes_swap, 0, KNOB_UINT, true),
	KNOB("khugepaged/max_ptes_shared", max_ptes_shared, 0, KNOB_UINT, true),
	KNOB("khugepaged/pages_to_scan", pages_to_scan, 1, KNOB_UINT, false),
	KNOB("khugepaged/scan_sleep_millisecs", scan_sleep_ms, 0, KNOB_UINT, false),
	KNOB("khugepaged/alloc_sleep_millisecs", alloc_sleep_ms, 0, KNOB_UINT, false),
	KNOB("khugepaged/pages_collapsed", pages_collapsed, 0, KNOB_UINT, false),
	KNOB("khugepaged/full_scans", full_scans, 0, KNOB_UINT, false),
#undef KNOB
};

#define NR_KNOBS ((int)(sizeof(knobs) / sizeof(knobs[0])))

int mms_thp_knob_find(const char *path)
{
	for (int i = 0; i < NR_KNOBS; i++)
		if (!strcmp(knobs[i].path, path))
			return i;
	return -1;
}

int mms_thp_knob_parse(int idx, const char *text, size_t len, uint64_t page_size,
		       uint64_t *out, struct mms_error *err)
{
	const struct knob *k;
	uint64_t v;
	int rc;

	if (idx < 0 || idx >= NR_KNOBS)
		return -EINVAL;
	k = &knobs[idx];
	rc = mms_parse_sysfs_u64(text, len, &v, err);
	if (rc)
		return rc;
	if (k->offset == offsetof(struct mms_thp_settings, hpage_pmd_size)) {
		if (v < page_size || (v & (v - 1)))
			return mms_err_at(err, 1, "%llu is not a power of two of at least the "
				  "page size (%llu): a cut file?", (unsigned long long)v,
				  (unsigned long long)page_size);
	} else if (v < k->min || v > k->max) {
		mms_err_at(err, 1, "%llu is out of the knob's range %llu..%llu",
			   (unsigned long long)v, (unsigned long long)k->min,
			   (unsigned long long)k->max);
		return -ERANGE;
	}
	*out = v;
	return 0;
}

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

/* A file whose text is "a [b] c". */
static int read_choice(const struct mms_host *host, const char *path, char *out, size_t size,
		       struct mms_error *err)
{
	char *text;
	size_t len;
	int rc = mms_host_read(host, path, &text, &len, err);

	if (rc)
		return rc;
	rc = mms_check_text(text, len, err);
	if (!rc && mms_parse_sysfs_choice(text, out, size))
		rc = mms_err_at(err, 1, "expected one [bracketed] choice");
	free(text);
	return rc;
}

/*
 * A file holding one unsigned number (and a newline): knob idx (checked against its
 * range), or a counter (idx -1).
 */
static int read_u64(const struct mms_host *host, const char *path, int idx, uint64_t *out,
		    struct mms_error *err)
{
	char *text;
	size_t len;
	int rc = mms_host_read(host, path, &text, &len, err);

	if (rc)
		return rc;
	if (idx < 0)
		rc = mms_parse_sysfs_u64(text, len, out, err);
	else
		rc = mms_thp_knob_parse(idx, text, len, (uint64_t)sysconf(_SC_PAGESIZE), out,
					err);
	free(text);
	return rc;
}

/* An optional file: absent is fine (*present false), anything else wrong is not. */
static int optional(int rc, bool *present)
{
	if (present)
		*present = rc == 0;
	return rc == -ENOENT ? 0 : rc;
}

static int read_knobs(const struct mms_host *host, struct mms_thp_settings *out,
		      struct mms_error *err)
{
	char path[256];

	for (int i = 0; i < NR_KNOBS; i++) {
		uint64_t *field = (uint64_t *)((char *)out + knobs[i].offset);
		bool present;
		int rc;

		snprintf(path, sizeof(path), THP_DIR "/%s", knobs[i].path);
		rc = optional(read_u64(host, path, i, field, err), &present);
		if (rc)
			return rc;
		if (present)
			out->have_knobs |= 1u << i;
	}
	/* max_ptes_*: at most HPAGE_PMD_NR - 1, which hpage_pmd_size gives. */
	for (int i = 0; i < NR_KNOBS && (out->have_knobs & 1u); i++) {
		uint64_t v = *(uint64_t *)((char *)out + knobs[i].offset);

		if (!knobs[i].ptes || !(out->have_knobs & (1u << i)) ||
		    v < mms_thp_pmd_nr(out))
			continue;
		snprintf(err->file, sizeof(err->file), "%s%s/%s", host->root, THP_DIR,
			 knobs[i].path);
		mms_err_at(err, 1, "%llu is more than HPAGE_PMD_NR - 1 (%llu)",
			   (unsigned long long)v, (unsigned long long)mms_thp_pmd_nr(out) - 1);
		return -ERANGE;
	}
	out->has_khugepaged_defrag =
		mms_thp_knob_get(out, mms_thp_knob_find("khugepaged/defrag"), &out->khugepaged_defrag);
	return 0;
}

/* "hugepages-2048kB" -> 2048; false for any other name. */
static bool size_dir_kb(const char *name, uint64_t *kb)
{
	struct mms_tok digits;
	size_t n;

	if (strncmp(name, "hugepages-", 10))
		return false;
	digits.s = name + 10;
	n = strlen(digits.s);
	if (n < 3 || strcmp(digits.s + n - 2, "kB"))
		return false;
	digits.len = n - 2;
	return mms_parse_u64(digits, kb) == 0 && *kb > 0;
}

static int read_size_stats(const struct mms_host *host, const char *dir,
			   struct mms_thp_size *s, struct mms_error *err)
{
	char path[512];
	int rc;

	snprintf(path, sizeof(path), "%s/stats/anon_fault_alloc", dir);
	rc = optional(read_u64(host, path, -1, &s->anon_fault_alloc, err), &s->has_stats);
	if (rc || !s->has_stats)
		return rc;
	snprintf(path, sizeof(path), "%s/stats/anon_fault_fallback", dir);
	rc = optional(read_u64(host, path, -1, &s->anon_fault_fallback, err), NULL);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/stats/nr_anon", dir);
	return optional(read_u64(host, path, -1, &s->nr_anon, err), NULL);
}

static int read_size(const struct mms_host *host, const char *name, uint64_t kb,
		     struct mms_thp_size *s, struct mms_error *err)
{
	char dir[300], path[512];
	int rc;

	memset(s, 0, sizeof(*s));
	s->size_kb = kb;
	snprintf(dir, sizeof(dir), THP_DIR "/%s", name);
	snprintf(path, sizeof(path), "%s/enabled", dir);
	rc = optional(read_choice(host, path, s->enabled, sizeof(s->enabled), err), NULL);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/shmem_enabled", dir);
	rc = optional(read_choice(host, path, s->shmem_enabled, sizeof(s->shmem_enabled), err),
		      NULL);
	return rc ? rc : read_size_stats(host, dir, s, err);
}

static int cmp_size(const void *a, const void *b)
{
	const struct mms_thp_size *x = a, *y = b;

	return x->size_kb < y->size_kb ? -1 : x->size_kb > y->size_kb;
}

static int read_sizes(const struct mms_host *host, struct mms_thp_settings *out,
		      struct mms_error *err)
{
	char dir[sizeof(host->root) + 64];
	struct dirent *de;
	int rc = 0;
	uint64_t kb;
	DIR *d;

	mms_host_path(host, THP_DIR, dir, sizeof(dir));
	d = opendir(dir);
	if (!d)
		return 0; /* enabled was readable, so this is a race or odd permissions */
	while (!rc && (de = readdir(d))) {
		if (!size_dir_kb(de->d_name, &kb))
			continue;
		if (out->nr_sizes == MMS_THP_SIZES_MAX) {
			snprintf(err->file, sizeof(err->file), "%s", dir);
			rc = mms_err_at(err, 0, "more than %d hugepages-<N>kB directories",
					MMS_THP_SIZES_MAX);
			break;
		}
		rc = read_size(host, de->d_name, kb, &out->sizes[out->nr_sizes++], err);
	}
	closedir(d);
	qsort(out->sizes, out->nr_sizes, sizeof(out->sizes[0]), cmp_size);
	return rc;
}

/* enabled is missing: no THP at all, or a --root tree missing a file. */
static int thp_missing(const struct mms_host *host)
{
	char dir[sizeof(host->root) + 64];
	struct stat st;

	mms_host_path(host, THP_DIR, dir, sizeof(dir));
	return stat(dir, &st) ? 0 : -ENOENT;
}

int mms_thp_read(const struct mms_host *host, struct mms_thp_settings *out,
		 struct mms_error *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = read_choice(host, THP_DIR "/enabled", out->enabled, sizeof(out->enabled), err);
	if (rc == -ENOENT)
		return thp_missing(host);
	if (rc)
		return rc;
	out->present = true;
	rc = read_choice(host, THP_DIR "/defrag", out->defrag, sizeof(out->defrag), err);
	if (rc)
		return rc;
	rc = optional(read_choice(host, THP_DIR "/shmem_enabled", out->shmem_enabled,
				  sizeof(out->shmem_enabled), err), NULL);
	if (rc)
		return rc;
	rc = read_knobs(host, out, err);
	return rc ? rc : read_sizes(host, out, err);
}

int mms_thp_knob_count(void)
{
	return NR_KNOBS;
}

const char *mms_thp_knob_path(int idx)
{
	return idx >= 0 && idx < NR_KNOBS ? knobs[idx].path : NULL;
}

bool mms_thp_knob_get(const struct mms_thp_settings *s, int idx, uint64_t *value)
{
	if (idx < 0 || idx >= NR_KNOBS || !(s->have_knobs & (1u << idx)))
		return false;
	*value = *(const uint64_t *)((const char *)s + knobs[idx].offset);
	return true;
}

const char *mms_thp_size_policy(const struct mms_thp_settings *s, const struct mms_thp_size *z)
{
	return strcmp(z->enabled, "inherit") ? z->enabled : s->enabled;
}

uint64_t mms_thp_pmd_nr(const struct mms_thp_settings *s)
{
	uint64_t x = s->hpage_pmd_size / 8, r = 1;

	if (!x || s->hpage_pmd_size % 8)
		return 512;
	while (r * r < x && r < (1u << 31))
		r <<= 1;
	return r * r == x ? r : 512; /* powers of two only, as page sizes are */
}

int mms_thp_sample_read(const struct mms_host *host, struct mms_thp_sample *out,
			struct mms_error *err)
{
	char *text;
	size_t len;
	int rc = mms_thp_read(host, &out->settings, err);

	out->vmstat.nr = 0;
	if (rc || !out->settings.present)
		return rc;
	rc = mms_host_read(host, "/proc/vmstat", &text, &len, err);
	if (rc)
		return rc;
	rc = mms_parse_vmstat(text, len, &out->vmstat, err);
	free(text);
	return rc;
}
