// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The memcg statistics reader (mmscope.h): one cgroup table shared by every backend,
 * the text backend, and the glue that lets a BPF backend hand some statistics to
 * text (an unverified vmstats slot, PSI, the v1 root's computed usage).
 *
 * Churn. A cgroup is known by its id (the directory's inode number, which is the
 * kernfs node id: never reused while the system runs), not by its path: a cgroup
 * removed and re-created under the same name is a new row. Files are opened under a
 * directory descriptor whose inode was checked against the id, so an open never lands
 * in a namesake; a read that fails with ENODEV/ENOENT means the cgroup went away and
 * the row is dropped from that snapshot (never shown stale). Rows not seen in a
 * snapshot are forgotten and their descriptors closed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "lib/memcg/memcg_reader.h"
#include "lib/util/mounts.h"

#define CGROUP_SUPER_MAGIC 0x27e0eb
#define CGROUP2_SUPER_MAGIC 0x63677270

/* The dozen shown when the caller names none. */
static const char *const default_stats[] = {
	"usage", "limit", "anon", "file", "shmem", "file_mapped", "file_dirty",
	"file_writeback", "pgfault", "pgmajfault", "workingset_refault_file", "events_oom_kill",
};

/* ---- the cgroup table ---- */

static void ent_close(struct cg_ent *e)
{
	for (int f = 0; f < MF_NR; f++)
		if (e->fd[f] >= 0)
			close(e->fd[f]);
	free(e->path);
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
	size_t s = hash_slot(id, r->slot_cap);

	while (r->slots[s] >= 0)
		s = (s + 1) & (r->slot_cap - 1);
	r->slots[s] = r->nr_ents - 1;
	return e;
}

/* Forgets rows not seen in generation gen. */
static void table_prune(struct mms_memcg_reader *r)
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
static char *child_path(const char *parent, const char *name)
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
static const char *rel(const char *path)
{
	return path[1] ? path + 1 : ".";
}

/*
 * Opens the files of plan for row e, under a directory descriptor checked to be
 * cgroup e->id. Returns 0, or -ENOENT when the cgroup is gone (or a namesake
 * replaced it). A file the cgroup lacks (v2 root: no memory.current) is marked absent.
 */
static int ent_open(struct mms_memcg_reader *r, struct cg_ent *e, const struct text_plan *plan)
{
	struct stat st;
	int dfd = -1, rc = 0;

	for (int f = 0; f < MF_NR; f++) {
		if (!plan->nr[f] || e->fd[f] != -1)
			continue;
		if (dfd < 0) {
			dfd = openat(r->rootfd, rel(e->path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (dfd < 0 || fstat(dfd, &st) || st.st_ino != e->id) {
				rc = -ENOENT;
				break;
			}
		}
		e->fd[f] = openat(dfd, memcg_file_name(f, r->version), O_RDONLY | O_CLOEXEC);
		if (e->fd[f] < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				rc = -errno;
				e->fd[f] = -1;
				break;
			}
			e->fd[f] = FD_ABSENT;
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
 * Fills the plan's stats of row e into values/present. Returns 0, -ENOENT when the
 * cgroup went away, or a parse error (-EINVAL, -ERANGE) with r->err filled.
 */
int memcg_text_fill(struct mms_memcg_reader *r, struct cg_ent *e, const struct text_plan *plan,
		    uint64_t *values, uint64_t *present)
{
	int rc = ent_open(r, e, plan);

	if (rc)
		return rc;
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
		if (n < 0)
			return (int)n;
		rc = memcg_parse_file(f, r->version, r->buf, (size_t)n, plan->stats[f],
				      plan->nr[f], tmp, &got, &r->err);
		if (rc) {
			snprintf(r->err.file, sizeof(r->err.file), "%s%s/%s", r->root,
				 e->path[1] ? e->path : "", memcg_file_name(f, r->version));
			return rc;
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

/* ---- snapshot output ---- */

int mms_memcg_snapshot_alloc(struct mms_memcg_snapshot *s, int max_cgroups, int nr_stats)
{
	memset(s, 0, sizeof(*s));
	if (max_cgroups < 1)
		max_cgroups = 1;
	s->max_cgroups = max_cgroups;
	s->paths_size = (size_t)max_cgroups * 64;
	s->ids = calloc(max_cgroups, sizeof(*s->ids));
	s->present = calloc(max_cgroups, sizeof(*s->present));
	s->values = calloc((size_t)max_cgroups * (nr_stats ? nr_stats : 1), sizeof(*s->values));
	s->path_off = calloc(max_cgroups, sizeof(*s->path_off));
	s->paths = malloc(s->paths_size);
	if (!s->ids || !s->present || !s->values || !s->path_off || !s->paths) {
		mms_memcg_snapshot_free(s);
		return -ENOMEM;
	}
	return 0;
}

void mms_memcg_snapshot_free(struct mms_memcg_snapshot *s)
{
	free(s->ids);
	free(s->present);
	free(s->values);
	free(s->path_off);
	free(s->paths);
	memset(s, 0, sizeof(*s));
}

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

/* ---- the text backend: walk the directory tree, read each cgroup's files ---- */

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
		char *path = name ? child_path(parent, name) : strdup("/");

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
	fd = openat(r->rootfd, rel(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
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
		child = child_path(path, de->d_name);
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

/* ---- open, read, close ---- */

static void set_err(struct mms_error *err, const char *file, const char *fmt, const char *a)
{
	if (!err)
		return;
	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", file);
	snprintf(err->msg, sizeof(err->msg), fmt, a);
}

/* Root: the mount of the hierarchy with the memory controller (v2 preferred). */
static int default_root(const struct mms_host *host, char *path, size_t size)
{
	char ctl[4096 + 32], buf[512];
	int fd;
	ssize_t n;

	if (!mms_mount_find(host, "cgroup2", NULL, path, size)) {
		char full[sizeof(host->root) + sizeof(ctl)];

		snprintf(ctl, sizeof(ctl), "%s/cgroup.controllers", path);
		if (!mms_host_path(host, ctl, full, sizeof(full)) &&
		    (fd = open(full, O_RDONLY | O_CLOEXEC)) >= 0) {
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			buf[n > 0 ? n : 0] = '\0';
			for (char *p = buf; (p = strstr(p, "memory")); p += 6)
				if ((p == buf || p[-1] == ' ') && (p[6] == '\n' || p[6] == ' ' ||
								   !p[6]))
					return 0;
		}
	}
	if (!mms_mount_find(host, "cgroup", "memory", path, size))
		return 0;
	return -ENODEV;
}

/* Keeps room for a descriptor per file per cgroup: 10,000 cgroups need ~30,000. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int reader_init(struct mms_memcg_reader *r, const char *root,
		       const struct mms_memcg_opts *o)
{
	char rootpath[4096];
	struct statfs sfs;
	struct stat st;
	int rc;

	if (o->host)
		r->host = *o->host;
	else
		mms_host_init(&r->host, NULL);
	if (!root || !*root) {
		rc = default_root(&r->host, rootpath, sizeof(rootpath));
		if (rc) {
			set_err(o->err, "/proc/self/mounts", "%s",
				"no cgroup hierarchy with the memory controller mounted");
			return rc;
		}
		root = rootpath;
	}
	snprintf(r->root_display, sizeof(r->root_display), "%s", root);
	if (mms_host_path(&r->host, root, r->root, sizeof(r->root)))
		return -ENAMETOOLONG;
	r->rootfd = open(r->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->rootfd < 0) {
		rc = -errno;
		set_err(o->err, root, "%s", rc == -ENOTDIR ? "not a directory" : strerror(-rc));
		return rc == -EACCES ? rc : -ENOTDIR;
	}
	if (fstatfs(r->rootfd, &sfs) || fstat(r->rootfd, &st))
		return -errno;
	/* --root trees are plain directories holding copies of the files. */
	if (mms_host_is_live(&r->host) && sfs.f_type != CGROUP_SUPER_MAGIC &&
	    sfs.f_type != CGROUP2_SUPER_MAGIC) {
		set_err(o->err, root, "%s", "not a cgroup directory");
		return -ENOTDIR;
	}
	r->root_id = st.st_ino;
	if (!faccessat(r->rootfd, "memory.stat", F_OK, 0)) {
		r->version = faccessat(r->rootfd, "memory.usage_in_bytes", F_OK, 0) &&
					     faccessat(r->rootfd, "memory.limit_in_bytes", F_OK, 0) ?
				     2 : 1;
	} else {
		set_err(o->err, root, "%s", sfs.f_type == CGROUP2_SUPER_MAGIC ?
			"no memory controller here (not in the parent's cgroup.subtree_control)" :
			"no memory controller in this cgroup hierarchy");
		return -ENODEV;
	}
	return 0;
}

struct mms_memcg_reader *mms_memcg_reader_open(const char *root,
					       const struct mms_memcg_opts *opts)
{
	struct mms_memcg_opts o = { 0 };
	struct mms_memcg_reader *r;
	int rc;

	if (!opts || opts->sz < offsetof(struct mms_memcg_opts, err)) {
		errno = EINVAL;
		return NULL;
	}
	memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	if (o.nr_stats < 0 || o.nr_stats > MMS_MEMCG_STATS_MAX || o.backend > MMS_MEMCG_TEXT) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		errno = ENOMEM;
		return NULL;
	}
	r->rootfd = -1;
	r->verbose = o.verbose;
	r->self_only = o.self_only;
	r->buf_size = 16384;
	r->buf = malloc(r->buf_size);
	if (!r->buf) {
		rc = -ENOMEM;
		goto fail;
	}
	if (o.stats) {
		for (int i = 0; i < o.nr_stats; i++) {
			if (o.stats[i] < 0 || o.stats[i] >= memcg_nr_stats) {
				rc = -EINVAL;
				goto fail;
			}
			r->stats[i] = o.stats[i];
		}
		r->nr_stats = o.nr_stats;
	} else {
		for (size_t i = 0; i < sizeof(default_stats) / sizeof(default_stats[0]); i++)
			r->stats[r->nr_stats++] = mms_memcg_stat_find(default_stats[i]);
	}
	rc = reader_init(r, root, &o);
	if (rc)
		goto fail;
	raise_nofile();
	for (int i = 0; i < r->nr_stats; i++) {
		r->source[i] = "text";
		if (memcg_stat_file(r->stats[i], r->version) < 0) {
			r->source[i] = "none";
			r->why[i] = r->version == 1 ? "not in cgroup v1" : "not in cgroup v2";
		}
	}
	r->text_mask = r->nr_stats == 64 ? ~0ull : (1ull << r->nr_stats) - 1;
	rc = memcg_backend_open(r, o.backend, o.err);
	if (rc)
		goto fail;
	memcg_plan_build(r, r->text_mask, &r->plan_all);
	memcg_plan_build(r, r->text_mask | r->root_text_mask, &r->plan_root);
	return r;
fail:
	mms_memcg_reader_close(r);
	errno = -rc;
	return NULL;
}

int mms_memcg_reader_read(struct mms_memcg_reader *r, struct mms_memcg_snapshot *s)
{
	struct timespec ts;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->ts_ns = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	s->nr_cgroups = s->needed_cgroups = 0;
	s->needed_paths = 0;
	r->gen++;
	rc = r->bpf ? memcg_bpf_read(r, s) : text_read(r, s);
	table_prune(r);
	if (rc)
		return rc;
	if (s->needed_cgroups > s->max_cgroups || s->needed_paths > s->paths_size) {
		s->nr_cgroups = 0;
		return -ENOBUFS;
	}
	return 0;
}

void mms_memcg_reader_close(struct mms_memcg_reader *r)
{
	if (!r)
		return;
	memcg_bpf_close(r);
	for (int i = 0; i < r->nr_ents; i++)
		ent_close(&r->ents[i]);
	free(r->ents);
	free(r->slots);
	free(r->buf);
	if (r->rootfd >= 0)
		close(r->rootfd);
	free(r);
}

const char *mms_memcg_reader_backend(const struct mms_memcg_reader *r)
{
	return r->backend;
}

const char *mms_memcg_reader_root(const struct mms_memcg_reader *r)
{
	return r->root_display;
}

int mms_memcg_reader_version(const struct mms_memcg_reader *r)
{
	return r->version;
}

int mms_memcg_reader_nr_stats(const struct mms_memcg_reader *r)
{
	return r->nr_stats;
}

int mms_memcg_reader_stat(const struct mms_memcg_reader *r, int i)
{
	return i >= 0 && i < r->nr_stats ? r->stats[i] : -1;
}

const char *mms_memcg_reader_stat_source(const struct mms_memcg_reader *r, int i,
					 const char **why)
{
	if (i < 0 || i >= r->nr_stats)
		return NULL;
	if (why)
		*why = r->why[i];
	return r->source[i];
}
