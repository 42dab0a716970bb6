// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Cgroup ids to paths, for the tracing commands' "cgroup" column. BPF programs
 * report the kernfs id of a cgroup's directory; on 64-bit kernels that is the
 * directory's inode number in the hierarchy's mount, so a walk of the mount with
 * stat() gives id -> path for every cgroup at once. The map is an open-addressing
 * hash table; a miss triggers a new walk (a cgroup created since), at most once a
 * second so that an id that is gone for good does not cost a walk per event.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mmscope/mmscope.h>


/* ---- /proc/self/mounts -------------------------------------------------------- */

static bool has_option(const char *opts, const char *opt)
{
	size_t n = strlen(opt);

	for (const char *p = opts; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, opt, n) && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* Undoes the octal escapes (\040 for a space) of /proc/mounts fields. */
static void unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

int mms_parse_cgroup_mounts(const char *text, size_t len, struct mms_cgroup_mounts *out,
			    struct mms_error *err)
{
	const char *p = text, *end = text + len;
	int line = 0, v2 = -1;

	memset(out, 0, sizeof(*out));
	out->memory_idx = -1;
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char buf[4096], dev[256], path[1024], type[64], opts[2048];

		line++;
		if (n >= sizeof(buf)) {
			snprintf(err->msg, sizeof(err->msg), "line longer than %zu bytes", sizeof(buf));
			err->line = line;
			return -EINVAL;
		}
		memcpy(buf, p, n);
		buf[n] = '\0';
		p += n + 1;
		if (!n)
			continue;
		if (sscanf(buf, "%255s %1023s %63s %2047s", dev, path, type, opts) != 4) {
			snprintf(err->msg, sizeof(err->msg), "expected: DEVICE MOUNTPOINT TYPE OPTIONS");
			err->line = line;
			return -EINVAL;
		}
		bool is_v1 = !strcmp(type, "cgroup"), is_v2 = !strcmp(type, "cgroup2");

		if ((!is_v1 && !is_v2) || out->nr == MMS_CGROUP_MOUNTS_MAX)
			continue;
		unescape(path);
		if (strlen(path) >= sizeof(out->m[0].path))
			continue;
		strcpy(out->m[out->nr].path, path);
		out->m[out->nr].version = is_v1 ? 1 : 2;
		out->m[out->nr].memory = is_v1 && has_option(opts, "memory");
		if (out->m[out->nr].memory && out->memory_idx < 0)
			out->memory_idx = out->nr;
		if (is_v2 && v2 < 0)
			v2 = out->nr;
		out->nr++;
	}
	/* The memory controller is bound to v1 when a v1 hierarchy has it; else v2's. */
	if (out->memory_idx < 0)
		out->memory_idx = v2;
	return 0;
}

/* ---- id -> path ---------------------------------------------------------------- */

struct entry {
	uint64_t id; /* 0: empty slot (no kernfs id is 0) */
	char *path;  /* NULL: gone, not found by a walk made after it was asked for */
};

struct mms_cgroup_paths {
	char mount[PATH_MAX];
	struct entry *slots;
	size_t nr_slots, used;
};

static int paths_put(struct mms_cgroup_paths *p, uint64_t id, const char *path);

/* Forgets the paths (a walk finds them again, renamed ones under their new
 * name) but keeps the ids known to be gone: cgroup ids are never reused. */
static void paths_forget(struct mms_cgroup_paths *p)
{
	struct entry *old = p->slots;
	size_t n = p->nr_slots;

	p->slots = calloc(n, sizeof(*p->slots));
	if (!p->slots) {
		p->slots = old;
		for (size_t i = 0; i < n; i++)
			free(old[i].path);
		memset(old, 0, n * sizeof(*old));
		p->used = 0;
		return;
	}
	p->used = 0;
	for (size_t i = 0; i < n; i++) {
		if (old[i].id && !old[i].path)
			paths_put(p, old[i].id, NULL);
		free(old[i].path);
	}
	free(old);
}

static struct entry *slot_of(struct mms_cgroup_paths *p, uint64_t id)
{
	size_t i = (id * 0x9e3779b97f4a7c15ull) & (p->nr_slots - 1);

	while (p->slots[i].id && p->slots[i].id != id)
		i = (i + 1) & (p->nr_slots - 1);
	return &p->slots[i];
}

static int paths_put(struct mms_cgroup_paths *p, uint64_t id, const char *path)
{
	struct entry *e;

	if ((p->used + 1) * 2 > p->nr_slots) {
		struct entry *old = p->slots;
		size_t n = p->nr_slots;

		p->slots = calloc(n * 2, sizeof(*p->slots));
		if (!p->slots) {
			p->slots = old;
			return -ENOMEM;
		}
		p->nr_slots = n * 2;
		for (size_t i = 0; i < n; i++)
			if (old[i].id)
				*slot_of(p, old[i].id) = old[i];
		free(old);
	}
	e = slot_of(p, id);
	if (e->id) {
		free(e->path);
	} else {
		p->used++;
	}
	e->id = id;
	e->path = path ? strdup(path) : NULL;
	return !path || e->path ? 0 : -ENOMEM;
}

/* Depth-first walk of directories below dir (rel is its path under the mount). */
static int walk(struct mms_cgroup_paths *p, int dir_fd, const char *rel, int depth)
{
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (fstat(dir_fd, &st) == 0)
		paths_put(p, (uint64_t)st.st_ino, rel[0] ? rel : "/");
	if (depth > 64)
		return 0;
	d = fdopendir(dir_fd);
	if (!d) {
		close(dir_fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		char sub[PATH_MAX];
		int fd;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", rel, de->d_name) >= (int)sizeof(sub))
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0)
			walk(p, fd, sub, depth + 1); /* a cgroup removed meanwhile is fine */
	}
	closedir(d);
	return 0;
}

static int rewalk(struct mms_cgroup_paths *p)
{
	int fd = open(p->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	paths_forget(p);
	return walk(p, fd, "", 0);
}

int mms_cgroup_paths_open(const char *mount_point, struct mms_cgroup_paths **out)
{
	struct mms_cgroup_paths *p = calloc(1, sizeof(*p));
	int rc;

	*out = NULL;
	if (!p)
		return -ENOMEM;
	if (strlen(mount_point) >= sizeof(p->mount)) {
		free(p);
		return -ENAMETOOLONG;
	}
	strcpy(p->mount, mount_point);
	p->nr_slots = 64;
	p->slots = calloc(p->nr_slots, sizeof(*p->slots));
	if (!p->slots) {
		free(p);
		return -ENOMEM;
	}
	rc = rewalk(p);
	if (rc) {
		mms_cgroup_paths_close(p);
		return rc;
	}
	*out = p;
	return 0;
}

const char *mms_cgroup_paths_lookup(struct mms_cgroup_paths *p, uint64_t id)
{
	struct entry *e;

	if (!id)
		return NULL;
	e = slot_of(p, id);
	if (e->id)
		return e->path;
	/* Unknown: created after the last walk, or gone. One walk, made now, after
	 * the id was seen, tells which; a gone id is remembered, so each id costs
	 * at most one walk (a time-based limit here lost cgroups created within a
	 * second of the last walk). */
	if (rewalk(p))
		return NULL;
	e = slot_of(p, id);
	if (e->id)
		return e->path;
	paths_put(p, id, NULL);
	return NULL;
}

void mms_cgroup_paths_close(struct mms_cgroup_paths *p)
{
	if (!p)
		return;
	paths_forget(p);
	free(p->slots);
	free(p);
}
