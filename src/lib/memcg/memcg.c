// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The memcg statistics reader (mmscope.h): opening it (its root, its statistics, and
 * the backend, chosen by walking mms_memcg_backends[], the table `mmscope features`
 * prints), reading snapshots through the backend's operations, closing it. The table
 * of cgroups and the text reading every backend shares are in memcg_table.c.
 */
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
#include "lib/probe/backends.h"
#include "lib/util/host.h"
#include "lib/util/mounts.h"

#define CGROUP_SUPER_MAGIC 0x27e0eb
#define CGROUP2_SUPER_MAGIC 0x63677270

/* The dozen shown when the caller names none. */
static const char *const default_stats[] = {
	"usage", "limit", "anon", "file", "shmem", "file_mapped", "file_dirty",
	"file_writeback", "pgfault", "pgmajfault", "workingset_refault_file", "events_oom_kill",
};

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
	struct mms_error ignored; /* no controllers file: try the next mount */
	int fd;
	ssize_t n;

	if (!mms_mount_find(host, "cgroup2", NULL, path, size)) {
		char full[sizeof(host->root) + sizeof(ctl)];

		snprintf(ctl, sizeof(ctl), "%s/cgroup.controllers", path);
		/* Non-blocking, regular files only: a FIFO in a --root tree is no hang. */
		if (!mms_host_path(host, ctl, full, sizeof(full)) &&
		    (fd = mms_host_open_file(full, &ignored)) >= 0) {
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
		       const struct mms_memcg_opts *o, struct mms_error *err)
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
			set_err(err, "/proc/self/mounts", "%s",
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
		set_err(err, root, "%s", rc == -ENOTDIR ? "not a directory" : strerror(-rc));
		return rc == -EACCES ? rc : -ENOTDIR;
	}
	if (fstatfs(r->rootfd, &sfs) || fstat(r->rootfd, &st))
		return -errno;
	/* --root trees are plain directories holding copies of the files. */
	if (mms_host_is_live(&r->host) && sfs.f_type != CGROUP_SUPER_MAGIC &&
	    sfs.f_type != CGROUP2_SUPER_MAGIC) {
		set_err(err, root, "%s", "not a cgroup directory");
		return -ENOTDIR;
	}
	r->root_id = st.st_ino;
	if (!faccessat(r->rootfd, "memory.stat", F_OK, 0)) {
		r->version = faccessat(r->rootfd, "memory.usage_in_bytes", F_OK, 0) &&
					     faccessat(r->rootfd, "memory.limit_in_bytes", F_OK, 0) ?
				     2 : 1;
	} else {
		set_err(err, root, "%s", sfs.f_type == CGROUP2_SUPER_MAGIC ?
			"no memory controller here (not in the parent's cgroup.subtree_control)" :
			"no memory controller in this cgroup hierarchy");
		return -ENODEV;
	}
	return 0;
}

/* ---- the backend: chosen from mms_memcg_backends[] ---- */

/*
 * The features the choice needs, with the reader's own finding: a memory.stat at its
 * root is a memory controller of that version, whatever the mounts say (a --root
 * tree, a cgroup of a hierarchy mounted elsewhere).
 */
static struct mms_features *choice_features(const struct mms_memcg_reader *r)
{
	struct mms_features *fs = calloc(1, sizeof(*fs));
	struct mms_feature_result *v;

	if (!fs)
		return NULL;
	fs->host = r->host;
	v = &fs->r[r->version == 2 ? MMS_FEAT_MEMCG_V2 : MMS_FEAT_MEMCG_V1];
	v->state = MMS_PROBE_YES;
	snprintf(v->detail, sizeof(v->detail), "%s", r->root_display);
	return fs;
}

static int backend_open(struct mms_memcg_reader *r, const struct memcg_backend_ops *ops,
			struct mms_error *err)
{
	int rc = ops->open(r, err);

	if (rc)
		return rc;
	r->ops = ops;
	r->backend = ops->name;
	return 0;
}

struct auto_walk {
	struct mms_memcg_reader *r;
	struct mms_error err; /* why the last backend tried did not open */
};

/* mms_backend_walk()'s open: any failure passes to the next backend, as text always opens. */
static int auto_open(const struct mms_backend *b, void *ctx, char *why, size_t size)
{
	struct auto_walk *w = ctx;
	const struct memcg_backend_ops *ops = b->ops;

	if (ops->live_only && !mms_host_is_live(&w->r->host)) {
		snprintf(why, size, "reads the live kernel, not a --root tree");
		return -EOPNOTSUPP;
	}
	memset(&w->err, 0, sizeof(w->err));
	if (backend_open(w->r, ops, &w->err)) {
		snprintf(why, size, "%s", w->err.msg);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* Why b cannot run: the detail of its first need not met, else why its probe said. */
static const char *unmet_need(struct mms_features *fs, const struct mms_backend *b,
			      const char *why)
{
	for (const enum mms_feature *f = b->needs; *f != MMS_NEEDS_END; f++)
		if (!mms_feature_has(fs, *f))
			return mms_feature_probe(fs, *f)->detail;
	return why;
}

/* The backend named by the caller, through its table entry. */
static int named_open(struct mms_memcg_reader *r, struct mms_features *fs,
		      const struct mms_capability *cap, const char *name, struct mms_error *err)
{
	const struct mms_backend *b = mms_backend_find(cap, name);
	const struct memcg_backend_ops *ops = b ? b->ops : NULL;
	char why[200];
	int rc;

	if (!ops)
		return -EINVAL;
	if (ops->live_only && !mms_host_is_live(&r->host)) {
		set_err(err, "", "%s", "BPF backends read the live kernel, not a --root tree");
		return -EOPNOTSUPP;
	}
	why[0] = '\0';
	rc = mms_backend_usable(fs, cap, b, why, sizeof(why));
	if (rc) {
		char msg[sizeof(why) + 32];

		snprintf(msg, sizeof(msg), "%s backend: %s", name, unmet_need(fs, b, why));
		set_err(err, "", "%s", msg);
		return -EOPNOTSUPP;
	}
	rc = backend_open(r, ops, err);
	return rc == -ENOMEM ? rc : rc ? -EOPNOTSUPP : 0;
}

static int choose_backend(struct mms_memcg_reader *r, enum mms_memcg_backend want,
			  struct mms_error *err)
{
	static const char *const names[] = {
		[MMS_MEMCG_KFUNC] = "kfunc", [MMS_MEMCG_CORE] = "core", [MMS_MEMCG_TEXT] = "text",
	};
	const struct mms_capability *cap = mms_capability_find("memcg");
	struct mms_features *fs;
	struct auto_walk w = { .r = r };
	int rc;

	if (!cap)
		return -EINVAL;
	fs = choice_features(r);
	if (!fs)
		return -ENOMEM;
	if (want == MMS_MEMCG_AUTO)
		rc = mms_backend_walk(fs, cap, auto_open, &w, NULL);
	else
		rc = named_open(r, fs, cap, names[want], err);
	free(fs);
	return rc;
}

static int copy_opts(const struct mms_memcg_opts *opts, struct mms_memcg_opts *o)
{
	memset(o, 0, sizeof(*o));
	if (!opts || opts->sz < offsetof(struct mms_memcg_opts, verify_cgroup))
		return -EINVAL;
	memcpy(o, opts, opts->sz < sizeof(*o) ? opts->sz : sizeof(*o));
	if (o->nr_stats < 0 || o->nr_stats > MMS_MEMCG_STATS_MAX || o->backend > MMS_MEMCG_TEXT ||
	    o->verify_cgroup > MMS_MEMCG_VERIFY_ONLY)
		return -EINVAL;
	return 0;
}

static int set_stats(struct mms_memcg_reader *r, const struct mms_memcg_opts *o)
{
	if (!o->stats) {
		for (size_t i = 0; i < sizeof(default_stats) / sizeof(default_stats[0]); i++)
			r->stats[r->nr_stats++] = mms_memcg_stat_find(default_stats[i]);
		return 0;
	}
	for (int i = 0; i < o->nr_stats; i++) {
		if (o->stats[i] < 0 || o->stats[i] >= memcg_nr_stats)
			return -EINVAL;
		r->stats[i] = o->stats[i];
	}
	r->nr_stats = o->nr_stats;
	return 0;
}

/* Before a backend takes any: text serves every statistic this cgroup version has. */
static void sources_text(struct mms_memcg_reader *r)
{
	for (int i = 0; i < r->nr_stats; i++) {
		r->source[i] = "text";
		if (memcg_stat_file(r->stats[i], r->version) < 0) {
			r->source[i] = "none";
			r->why[i] = r->version == 1 ? "not in cgroup v1" : "not in cgroup v2";
		}
	}
	r->text_mask = r->nr_stats == 64 ? ~0ull : (1ull << r->nr_stats) - 1;
}

int mms_memcg_reader_open(const char *root, const struct mms_memcg_opts *opts,
			  struct mms_memcg_reader **out, struct mms_error *err)
{
	struct mms_memcg_opts o;
	struct mms_memcg_reader *r;
	int rc;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!out)
		return -EINVAL;
	*out = NULL;
	rc = copy_opts(opts, &o);
	if (rc)
		return rc;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->rootfd = -1;
	r->self_only = o.self_only;
	r->verify_cgroup = o.verify_cgroup;
	r->tmpdir = o.tmpdir;
	r->buf_size = 16384;
	r->buf = malloc(r->buf_size);
	rc = r->buf ? set_stats(r, &o) : -ENOMEM;
	if (!rc)
		rc = reader_init(r, root, &o, err);
	if (rc)
		goto fail;
	raise_nofile();
	sources_text(r);
	rc = choose_backend(r, o.backend, err);
	if (rc)
		goto fail;
	memcg_plan_build(r, r->text_mask, &r->plan_all);
	memcg_plan_build(r, r->text_mask | r->root_text_mask, &r->plan_root);
	*out = r;
	return 0;
fail:
	mms_memcg_reader_close(r);
	return rc;
}

int mms_memcg_reader_read(struct mms_memcg_reader *r, struct mms_memcg_snapshot *s)
{
	struct timespec ts;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->ts_ns = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	s->nr_cgroups = s->needed_cgroups = 0;
	s->needed_paths = 0;
	memset(&r->err, 0, sizeof(r->err)); /* the error of this read only */
	r->gen++;
	rc = r->ops->read(r, s);
	memcg_table_prune(r);
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
	if (r->ops)
		r->ops->close(r);
	memcg_table_free(r);
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

int mms_memcg_reader_nr_notes(const struct mms_memcg_reader *r)
{
	return r->nr_notes;
}

const char *mms_memcg_reader_note(const struct mms_memcg_reader *r, int i)
{
	return i >= 0 && i < r->nr_notes ? r->notes[i] : NULL;
}

const struct mms_error *mms_memcg_reader_error(const struct mms_memcg_reader *r)
{
	return r->err.file[0] ? &r->err : NULL;
}
