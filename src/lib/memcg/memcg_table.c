// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * What every memcg backend shares: the cgroup table (id -> path and cached file
 * descriptors, so churn is handled in one place), the text reading of a cgroup's
 * statistics (the text backend's rows, and the statistics a BPF backend leaves to
 * text), the rows appended to a snapshot, and the reader's notes.
 *
 * Churn. A cgroup is known by its id (the directory's inode number, which is the
 * kernfs node id: never reused while the system runs), not by its path: a cgroup
 * removed and re-created under the same name is a new row. Files are opened under a
 * directory descriptor whose inode was checked against the id, so an open never lands
 * in a namesake; a read that fails with ENODEV/ENOENT means the cgroup went away and
 * the row is dropped from that snapshot (never shown stale). Rows not seen in a
 * snapshot are forgotten and their descriptors closed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/memcg/memcg_reader.h"

/* ---- the cgroup table ---- */

static void ent_close(struct cg_ent *e)
{
	for (int f = 0; f < MF_NR; f++)
		if (e->fd[f] >= 0)
			close(e->fd[f]);
	if (e->dfd >= 0)
		close(e->dfd);
	free(e->path);
	free(e->kids);
}

static size_t hash_slot(uint64_t id, size_t cap)
{
	id ^= id >> 33;
	id *= 0xff51afd7ed558ccdull;
	id ^= id >> 33;
	return (size_t)id & (cap - 1);
}

static void hash_rebuild(struct mms_memcg_reader *r)
{
	memset(r->slots, 0xff, r->slot_cap * sizeof(*r->slots));
	for (int i = 0; i < r->nr_ents; i++) {
		size_t s = hash_slot(r->ents[i].id, r->slot_cap);

		while (r->slots[s] >= 0)
			s = (s + 1) & (r->slot_cap - 1);
		r->slots[s] = i;
	}
}

struct cg_ent *memcg_ent_find(struct mms_memcg_reader *r, uint64_t id)
{
	if (!r->slot_cap)
		return NULL;
	for (size_t s = hash_slot(id, r->slot_cap); r->slots[s] >= 0;
	     s = (s + 1) & (r->slot_cap - 1))
		if (r->ents[r->slots[s]].id == id)
			return &r->ents[r->slots[s]];
	return NULL;
}

/* Adds a row for id at path (taken over). NULL on ENOMEM. */
struct cg_ent *memcg_ent_add(struct mms_memcg_reader *r, uint64_t id, char *path)
{
	struct cg_ent *e;

	if (r->nr_ents == r->cap_ents) {
		int cap = r->cap_ents ? r->cap_ents * 2 : 64;
		void *p = realloc(r->ents, cap * sizeof(*r->ents));

		if (!p)
			return NULL;
		r->ents = p;
		r->cap_ents = cap;
	}
	if ((size_t)(r->nr_ents + 1) * 2 > r->slot_cap) {
		size_t cap = r->slot_cap ? r->slot_cap * 2 : 128;
		int *p = realloc(r->slots, cap * sizeof(*p));

		if (!p)
			return NULL;
		r->slots = p;
		r->slot_cap = cap;
		hash_rebuild(r);
	}
	e = &r->ents[r->nr_ents++];
	memset(e, 0, sizeof(*e));
	e->id = id;
	e->path = path;
	for (int f = 0; f < MF_NR; f++)
		e->fd[f] = -1;
	e->dfd = -1;
	size_t s = hash_slot(id, r->slot_cap);

	while (r->slots[s] >= 0)
		s = (s + 1) & (r->slot_cap - 1);
	r->slots[s] = r->nr_ents - 1;
	return e;
}

/* Forgets rows not seen in generation r->gen. */
void memcg_table_prune(struct mms_memcg_reader *r)
{
	int out = 0;

	for (int i = 0; i < r->nr_ents; i++) {
		if (r->ents[i].gen != r->gen)
			ent_close(&r->ents[i]);
		else
			r->ents[out++] = r->ents[i];
	}
	if (out != r->nr_ents) {
		r->nr_ents = out;
		hash_rebuild(r);
	}
}

/* "/a" + "b" -> "/a/b"; the root is "/". */
char *memcg_child_path(const char *parent, const char *name)
{
	size_t pl = strlen(parent), nl = strlen(name);
	char *p = malloc(pl + nl + 2);

	if (!p)
		return NULL;
	memcpy(p, parent, pl);
	if (pl > 1)
		p[pl++] = '/';
	else
		pl = 1;
	memcpy(p + pl, name, nl + 1);
	return p;
}

/* The path under the reader's root for openat(rootfd, ...): "." for the root. */
const char *memcg_rel_path(const char *path)
{
	return path[1] ? path + 1 : ".";
}

void memcg_table_free(struct mms_memcg_reader *r)
{
	for (int i = 0; i < r->nr_ents; i++)
		ent_close(&r->ents[i]);
	free(r->ents);
	free(r->slots);
	r->ents = NULL;
	r->slots = NULL;
	r->nr_ents = r->cap_ents = 0;
	r->slot_cap = 0;
}

/* ---- text reading of a cgroup's statistics ---- */

/* r->err for file f of row e: the file's path, line 0, and the message. */
static void __attribute__((format(printf, 4, 5)))
ent_file_err(struct mms_memcg_reader *r, const struct cg_ent *e, int f, const char *fmt, ...)
{
	va_list ap;

	snprintf(r->err.file, sizeof(r->err.file), "%s%s/%s", r->root, e->path[1] ? e->path : "",
		 memcg_file_name(f, r->version));
	r->err.line = 0;
	va_start(ap, fmt);
	vsnprintf(r->err.msg, sizeof(r->err.msg), fmt, ap);
	va_end(ap);
}

/*
 * Opens the files of plan for row e, under a directory descriptor checked to be
 * cgroup e->id. Returns 0, or -ENOENT when the cgroup is gone (or a namesake
 * replaced it). A file the cgroup lacks (v2 root: no memory.current) is marked absent;
 * one it cannot open, or that is not a regular file (a FIFO would block every read),
 * is an error with r->err naming it.
 */
static int ent_open(struct mms_memcg_reader *r, struct cg_ent *e, const struct text_plan *plan)
{
	struct stat st;
	int dfd = -1, rc = 0;

	for (int f = 0; f < MF_NR; f++) {
		if (!plan->nr[f] || e->fd[f] != -1)
			continue;
		if (dfd < 0) {
			dfd = openat(r->rootfd, memcg_rel_path(e->path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (dfd < 0 || fstat(dfd, &st) || st.st_ino != e->id) {
				rc = -ENOENT;
				break;
			}
		}
		/* O_NONBLOCK: a FIFO in place of a cgroup file must not hang the read. */
		e->fd[f] = openat(dfd, memcg_file_name(f, r->version),
				  O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (e->fd[f] < 0) {
			if (errno == ENOENT || errno == ENODEV) {
				e->fd[f] = FD_ABSENT;
				continue;
			}
			rc = -errno;
			e->fd[f] = -1;
			ent_file_err(r, e, f, "%s", strerror(-rc));
			break;
		}
		if (fstat(e->fd[f], &st)) {
			rc = -errno;
			ent_file_err(r, e, f, "%s", strerror(-rc));
		} else if (!S_ISREG(st.st_mode)) {
			rc = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
			ent_file_err(r, e, f, "%s where a file belongs",
				     S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
		}
		if (rc) {
			close(e->fd[f]);
			e->fd[f] = -1;
			break;
		}
	}
	if (dfd >= 0)
		close(dfd);
	return rc;
}

/* pread from 0 into the reader's buffer, growing it for a larger file. */
static ssize_t read_file(struct mms_memcg_reader *r, int fd)
{
	for (;;) {
		ssize_t n = pread(fd, r->buf, r->buf_size, 0);

		if (n < 0)
			return -errno;
		if ((size_t)n < r->buf_size)
			return n;
		if (r->buf_size >= (1u << 24))
			return -EFBIG;
		char *p = realloc(r->buf, r->buf_size * 2);

		if (!p)
			return -ENOMEM;
		r->buf = p;
		r->buf_size *= 2;
	}
}

/*
 * r->err, file:line: why, as a note too: the reader's failing read returns only an
 * errno, and the note is how a caller can show which file and line were at fault.
 */
static int err_note(struct mms_memcg_reader *r, int rc)
{
	if (r->err.line > 0)
		memcg_note(r, "%s:%d: %s", r->err.file, r->err.line, r->err.msg);
	else
		memcg_note(r, "%s: %s", r->err.file, r->err.msg);
	return rc;
}

/*
 * Fills the plan's stats of row e into values/present. Returns 0, -ENOENT when the
 * cgroup went away, or a parse error (-EINVAL, -ERANGE) with r->err filled.
 */
int memcg_text_fill(struct mms_memcg_reader *r, struct cg_ent *e, const struct text_plan *plan,
		    uint64_t *values, uint64_t *present)
{
	int rc = ent_open(r, e, plan);

	if (rc)
		return rc == -ENOENT ? rc : err_note(r, rc);
	for (int f = 0; f < MF_NR; f++) {
		uint64_t tmp[MMS_MEMCG_STATS_MAX], got = 0;
		ssize_t n;

		if (!plan->nr[f] || e->fd[f] == FD_ABSENT)
			continue;
		n = read_file(r, e->fd[f]);
		if (n == -ENODEV || n == -ENOENT)
			return -ENOENT;
		if (n == -EOPNOTSUPP && f == MF_PSI)
			continue; /* PSI off for this cgroup (cgroup.pressure = 0) */
		if (n < 0) {
			ent_file_err(r, e, f, "%s", strerror((int)-n));
			return err_note(r, (int)n);
		}
		rc = memcg_parse_file(f, r->version, r->buf, (size_t)n, plan->stats[f],
				      plan->nr[f], tmp, &got, &r->err);
		if (rc) {
			snprintf(r->err.file, sizeof(r->err.file), "%s%s/%s", r->root,
				 e->path[1] ? e->path : "", memcg_file_name(f, r->version));
			return err_note(r, rc);
		}
		for (int k = 0; k < plan->nr[f]; k++) {
			if (got & (1ull << k)) {
				values[plan->slot[f][k]] = tmp[k];
				*present |= 1ull << plan->slot[f][k];
			}
		}
	}
	return 0;
}

void memcg_plan_build(struct mms_memcg_reader *r, uint64_t mask, struct text_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	for (int i = 0; i < r->nr_stats; i++) {
		int f = memcg_stat_file(r->stats[i], r->version);

		if (!(mask & (1ull << i)) || f < 0)
			continue;
		plan->stats[f][plan->nr[f]] = r->stats[i];
		plan->slot[f][plan->nr[f]++] = i;
	}
}

/* ---- snapshot rows ---- */

/* Appends row e to the snapshot (counting what would be needed when it is full). */
void memcg_snap_add(struct mms_memcg_reader *r, struct mms_memcg_snapshot *s,
		    const struct cg_ent *e, const uint64_t *values, uint64_t present)
{
	size_t pl = strlen(e->path) + 1;
	int c = s->needed_cgroups++;
	size_t off = s->needed_paths;

	s->needed_paths += pl;
	if (c >= s->max_cgroups || off + pl > s->paths_size)
		return;
	s->ids[c] = e->id;
	s->present[c] = present;
	memcpy(&s->values[(size_t)c * r->nr_stats], values, r->nr_stats * sizeof(*values));
	s->path_off[c] = (uint32_t)off;
	memcpy(s->paths + off, e->path, pl);
	s->nr_cgroups = c + 1;
}

/* ---- notes: what the caller may tell the user (mms_memcg_reader_note()) ---- */

void memcg_note(struct mms_memcg_reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nr_notes == MEMCG_NOTES_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(r->notes[r->nr_notes], sizeof(r->notes[0]), fmt, ap);
	va_end(ap);
	r->nr_notes++;
}
