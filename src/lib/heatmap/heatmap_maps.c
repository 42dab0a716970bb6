// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The target's mappings from /proc/PID/maps, and the heatmap's region of interest.
 *
 * A maps line is "START-END PERMS OFFSET MAJ:MIN INODE [NAME]": five fixed fields,
 * then padding, then a name that runs to the end of the line and may hold spaces
 * ("/tmp/a b (deleted)"). The parser is pure (text in, array out) so the unit tests
 * feed it files recorded on real machines; every malformed line is -EINVAL naming
 * the line, since a heatmap drawn on a misread address space would be wrong, not
 * just incomplete.
 *
 * Selection (hm_roi_select) never keeps the kernel's special mappings ([vdso],
 * [vvar], [vsyscall]: no source can monitor them) nor PROT_NONE mappings (guard
 * pages and the 64 MiB reservations of glibc's malloc arenas: they can never be
 * accessed, and on the heatmap's gap-free axis they would only add dead width).
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/heatmap/heatmap.h"
#include "lib/util/textscan.h"

/* Strict hex: digits a-f/A-F only, no sign, no 0x, no overflow. */
static int parse_hex(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (!len || len > 16)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -EINVAL;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return 0;
}

static int parse_range(struct mms_tok t, uint64_t *start, uint64_t *end)
{
	const char *dash = memchr(t.s, '-', t.len);

	if (!dash || parse_hex(t.s, dash - t.s, start) ||
	    parse_hex(dash + 1, t.len - (dash + 1 - t.s), end) || *start >= *end)
		return -EINVAL;
	return 0;
}

static bool perms_ok(struct mms_tok t)
{
	return t.len == 4 && strchr("r-", t.s[0]) && strchr("w-", t.s[1]) &&
	       strchr("x-", t.s[2]) && strchr("ps", t.s[3]);
}

/* MAJ:MIN, both hex. */
static bool dev_ok(struct mms_tok t)
{
	const char *colon = memchr(t.s, ':', t.len);
	uint64_t v;

	return colon && !parse_hex(t.s, colon - t.s, &v) &&
	       !parse_hex(colon + 1, t.len - (colon + 1 - t.s), &v);
}

static enum hm_map_kind kind_of(const char *name)
{
	if (!name[0] || !strncmp(name, "[anon:", 6) || !strncmp(name, "[anon_shmem:", 12))
		return HM_MAP_ANON; /* plain, or named with PR_SET_VMA_ANON_NAME */
	if (!strcmp(name, "[heap]"))
		return HM_MAP_HEAP;
	/* "[stack:TID]" is how kernels before 4.5 named thread stacks. */
	if (!strcmp(name, "[stack]") || !strncmp(name, "[stack:", 7))
		return HM_MAP_STACK;
	if (name[0] == '[')
		return HM_MAP_SPECIAL;
	return HM_MAP_FILE;
}

static int maps_push(struct hm_maps *m, const struct hm_mapping *map)
{
	if (hm_grow(&m->v, m->n, &m->cap, 64))
		return -ENOMEM;
	m->v[m->n++] = *map;
	return 0;
}

static int parse_line(struct mms_tok line, int lineno, struct hm_mapping *map,
		      struct mms_error *err)
{
	struct mms_tok rest = line, range, perms, off, dev, ino;
	uint64_t inode;
	size_t name_len;

	memset(map, 0, sizeof(*map));
	if (!mms_tok_next(&rest, &range) || !mms_tok_next(&rest, &perms) ||
	    !mms_tok_next(&rest, &off) || !mms_tok_next(&rest, &dev) || !mms_tok_next(&rest, &ino))
		return mms_err_at(err, lineno, "expected START-END PERMS OFFSET DEV INODE [NAME]");
	if (parse_range(range, &map->start, &map->end))
		return mms_err_at(err, lineno, "bad address range '%.*s' (hex START-END, START < END)",
				  (int)range.len, range.s);
	if (!perms_ok(perms))
		return mms_err_at(err, lineno, "bad permissions '%.*s' (like rw-p)", (int)perms.len,
				  perms.s);
	if (parse_hex(off.s, off.len, &map->offset))
		return mms_err_at(err, lineno, "bad offset '%.*s' (hex)", (int)off.len, off.s);
	if (!dev_ok(dev))
		return mms_err_at(err, lineno, "bad device '%.*s' (hex MAJ:MIN)", (int)dev.len, dev.s);
	if (mms_parse_u64(ino, &inode))
		return mms_err_at(err, lineno, "bad inode '%.*s' (decimal)", (int)ino.len, ino.s);
	memcpy(map->perms, perms.s, 4);

	/* The name is the rest of the line after the padding, spaces and all. */
	while (rest.len && (*rest.s == ' ' || *rest.s == '\t')) {
		rest.s++;
		rest.len--;
	}
	/* The name is bytes, control characters included (the kernel escapes only the
	 * newline, as "\012"): the views escape them (docs/names.md), the parser
	 * keeps them so such a mapping is labelled like any other. */
	/* Paths longer than the field are cut: the name only labels the axis. */
	name_len = rest.len < sizeof(map->name) - 1 ? rest.len : sizeof(map->name) - 1;
	memcpy(map->name, rest.s, name_len);
	map->name[name_len] = '\0';
	map->kind = kind_of(map->name);
	if (map->kind == HM_MAP_ANON && !map->name[0])
		snprintf(map->name, sizeof(map->name), "[anon]");
	return 0;
}

int hm_maps_parse(const char *text, size_t len, struct hm_maps *out, struct mms_error *err)
{
	struct mms_lines ls;
	struct mms_tok line;
	uint64_t prev_end = 0;
	int rc = mms_check_file(text, len, err);

	out->n = 0;
	if (rc)
		return rc;
	mms_lines_init(&ls, text, len);
	while (mms_lines_next(&ls, &line)) {
		struct hm_mapping map;

		rc = parse_line(line, ls.lineno, &map, err);
		if (rc)
			goto fail;
		/* The kernel lists VMAs in address order without overlap; anything else
		 * is not a maps file (or two files glued together). */
		if (map.start < prev_end) {
			rc = mms_err_at(err, ls.lineno, "mapping at 0x%llx overlaps or precedes the one before",
					(unsigned long long)map.start);
			goto fail;
		}
		prev_end = map.end;
		rc = maps_push(out, &map);
		if (rc)
			goto fail;
	}
	return 0;
fail:
	out->n = 0;
	return rc;
}

int hm_maps_read(pid_t pid, struct hm_maps *out, struct mms_error *err)
{
	struct mms_host host;
	char path[64], *text = NULL;
	size_t len = 0;
	int rc;

	mms_host_init(&host, NULL);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	rc = mms_host_read(&host, path, &text, &len, err);
	if (rc == -ENOENT)
		rc = -ESRCH;
	if (!rc && !len) {
		/* A zombie (or a kernel thread) has no address space left. */
		snprintf(err->msg, sizeof(err->msg), "process %d has no mappings (exited)", (int)pid);
		rc = -ESRCH;
	}
	if (!rc)
		rc = hm_maps_parse(text, len, out, err);
	free(text);
	return rc;
}

void hm_maps_free(struct hm_maps *m)
{
	free(m->v);
	m->v = NULL;
	m->n = m->cap = 0;
}

/* Hex with an optional 0x/0X prefix. */
static int parse_addr(const char *s, size_t len, uint64_t *out)
{
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		len -= 2;
	}
	return parse_hex(s, len, out);
}

int hm_roi_parse_range(const char *s, uint64_t *start, uint64_t *end)
{
	const char *dash = s ? strchr(s, '-') : NULL;
	uint64_t a, b;

	if (!dash || parse_addr(s, dash - s, &a) || parse_addr(dash + 1, strlen(dash + 1), &b) ||
	    a >= b)
		return -EINVAL;
	*start = a;
	*end = b;
	return 0;
}

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static bool roi_wants(const char *want, const struct hm_mapping *m)
{
	if (m->kind == HM_MAP_SPECIAL || !strcmp(m->perms, "---p") || !strcmp(m->perms, "---s"))
		return false;
	if (!want)
		return true;
	if (!strcmp(want, "heap"))
		return m->kind == HM_MAP_HEAP;
	if (!strcmp(want, "stack"))
		return m->kind == HM_MAP_STACK;
	if (!strcmp(want, "anon"))
		return m->kind == HM_MAP_ANON || m->kind == HM_MAP_HEAP;
	/* A file name: a glob on the whole path or its last component, or a substring. */
	return !fnmatch(want, m->name, 0) || !fnmatch(want, basename_of(m->name), 0) ||
	       strstr(m->name, want);
}

int hm_roi_select(const struct hm_roi *roi, const struct hm_maps *in, struct hm_maps *out)
{
	bool ranged = roi->start || roi->end;

	out->n = 0;
	for (int i = 0; i < in->n; i++) {
		struct hm_mapping m = in->v[i];

		if (!roi_wants(roi->mapping, &m))
			continue;
		if (ranged) {
			if (m.end <= roi->start || m.start >= roi->end)
				continue;
			if (m.start < roi->start) {
				if (m.kind == HM_MAP_FILE)
					m.offset += roi->start - m.start;
				m.start = roi->start;
			}
			if (m.end > roi->end)
				m.end = roi->end;
		}
		if (maps_push(out, &m)) {
			out->n = 0;
			return -ENOMEM;
		}
	}
	return 0;
}
