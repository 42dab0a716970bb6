// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The text backend: walks the directory tree under the reader's root (pre-order) and
 * reads each cgroup's files (memory.stat and friends, each opened once and pread from
 * offset 0; memcg_table.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/memcg/memcg_reader.h"

struct walk {
	struct mms_memcg_reader *r;
	struct mms_memcg_snapshot *s;
	uint64_t values[MMS_MEMCG_STATS_MAX];
};

static int text_row(struct walk *w, uint64_t id, const char *parent, const char *name)
{
	struct mms_memcg_reader *r = w->r;
	struct cg_ent *e = memcg_ent_find(r, id);
	uint64_t present = 0;
	int rc;

	if (!e) {
		char *path = name ? memcg_child_path(parent, name) : strdup("/");

		if (!path || !(e = memcg_ent_add(r, id, path))) {
			free(path);
			return -ENOMEM;
		}
	}
	e->gen = r->gen;
	rc = memcg_text_fill(r, e, &r->plan_all, w->values, &present);
	if (rc == -ENOENT)
		return 0; /* removed meanwhile: not in this snapshot */
	if (rc)
		return rc;
	memcg_snap_add(r, w->s, e, w->values, present);
	return 0;
}

/* Pre-order: the cgroup at path, then each child directory (kernfs d_ino = cgroup id). */
static int text_walk(struct walk *w, const char *path, int depth)
{
	struct mms_memcg_reader *r = w->r;
	struct dirent *de;
	DIR *d;
	int fd, rc = 0;

	if (r->self_only || depth > 64)
		return 0;
	fd = openat(r->rootfd, memcg_rel_path(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ENODEV ? 0 : -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	while (!rc && (de = readdir(d))) {
		char *child;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		rc = text_row(w, de->d_ino, path, de->d_name);
		if (rc)
			break;
		child = memcg_child_path(path, de->d_name);
		if (!child) {
			rc = -ENOMEM;
			break;
		}
		rc = text_walk(w, child, depth + 1);
		free(child);
	}
	closedir(d);
	return rc;
}

static int text_read(struct mms_memcg_reader *r, struct mms_memcg_snapshot *s)
{
	struct walk w = { .r = r, .s = s };
	int rc = text_row(&w, r->root_id, NULL, NULL);

	if (!rc && s->needed_cgroups == 0)
		return -ENOENT; /* the root itself went away */
	return rc ? rc : text_walk(&w, "/", 0);
}

/* Text needs nothing: every statistic starts served by text. */
static int text_open(struct mms_memcg_reader *r, struct mms_error *err)
{
	return 0;
}

static void text_close(struct mms_memcg_reader *r)
{
}

const struct memcg_backend_ops memcg_text_ops = {
	.name = "text",
	.open = text_open,
	.read = text_read,
	.close = text_close,
};
