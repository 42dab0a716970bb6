// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The text backend: the cgroups under the reader's root in pre-order, each cgroup's
 * files (memory.stat and friends, each opened once and pread from offset 0;
 * memcg_table.c) read on every snapshot.
 *
 * Churn without walking the tree. Listing a directory (open, getdents over its ~30
 * files, close) cost more than reading the cgroup's statistics (the text backend
 * was 2-3x the plain reader), so each directory's listing of child cgroups is kept
 * and read again only when something says it changed:
 *
 *  - an inotify watch on each listed directory, added (through the descriptor the
 *    listing reads, so on that very inode) before it is read: IN_CREATE, IN_DELETE,
 *    IN_MOVED_FROM/TO of a subdirectory mark it for listing again; IN_Q_OVERFLOW
 *    marks every directory. A snapshot then costs one read() of the inotify
 *    descriptor (EAGAIN when nothing changed) besides the cgroups' files. Every mount
 *    of a cgroup hierarchy, also one in another cgroup namespace, shares one
 *    superblock (only the root dentry differs), so a mkdir through any of them
 *    reaches the watch. Cgroups are only ever made and removed by mkdir/rmdir;
 *  - a child's files failing with ENODEV (removed) or its row being gone: its
 *    parent is listed again (a sibling may have come in the same interval);
 *  - without a watch (no inotify instance or watch left: EMFILE, ENOSPC; no /proc):
 *    the directory's stat, one fstat of an O_PATH descriptor kept with the row,
 *    against the one taken before the listing. On cgroupfs (kernfs) the link count is
 *    the number of subdirectories + 2 (kernfs timestamps move only once a directory
 *    has had attributes set, e.g. chown, so they cannot be relied on there); other
 *    file systems (--root trees) also move mtime/ctime. There, a directory whose
 *    mtime/ctime is within RACY_NS of its listing is listed again until its
 *    timestamps are older (a change in the same timestamp tick would not show), as
 *    git does for "racily clean" index entries. This fstat alone was an eighth of a
 *    snapshot (security_inode_getattr, kernfs_iop_getattr): more than the plain
 *    reader's whole margin.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "lib/memcg/memcg_reader.h"

#define CGROUP_SUPER_MAGIC 0x27e0eb
#define CGROUP2_SUPER_MAGIC 0x63677270
/* Wider than any file system's timestamp granularity we read (ext4 with 128-byte
 * inodes: 1 s; others: a jiffy). Only directories changed this recently pay. */
#define RACY_NS 2000000000ll
#define WATCH_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR)

/* Tests only (tests/workloads/memcg_reads.c -n): no inotify, every directory stat'ed. */
bool memcg_text_no_inotify;

struct text_be {
	bool kernfs; /* link counts count subdirectories exactly; timestamps may not move */
	int ino_fd;  /* inotify, non-blocking; -1: none (stat every directory) */
};

struct walk {
	struct mms_memcg_reader *r;
	struct text_be *be;
	struct mms_memcg_snapshot *s;
	bool all_dirty;             /* the inotify queue overflowed */
	struct timespec racy_after; /* timestamps at or after this are racy */
	uint64_t values[MMS_MEMCG_STATS_MAX];
};

/* One directory entry that is a directory: a child cgroup. */
struct kid {
	uint64_t id;
	char *path;
};

static bool ts_ge(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec != b->tv_sec ? a->tv_sec > b->tv_sec : a->tv_nsec >= b->tv_nsec;
}

static bool ts_eq(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/*
 * The row of cgroup id, found at path (taken over: the row keeps it or it is freed;
 * NULL: a known row, where it was): 0, 1 when the cgroup is gone (its files fail with
 * ENODEV: removed; not in this snapshot), or a negative errno.
 */
static int text_row(struct walk *w, uint64_t id, char *path)
{
	struct mms_memcg_reader *r = w->r;
	struct cg_ent *e = memcg_ent_find(r, id);
	uint64_t present = 0;
	int rc;

	if (!e) {
		if (!path)
			return 1;
		if (!(e = memcg_ent_add(r, id, path))) {
			free(path);
			return -ENOMEM;
		}
	} else if (path && strcmp(e->path, path)) {
		/* Renamed (same id): its open descriptors are still its own; its children's
		 * paths change too, so it is listed again. */
		free(e->path);
		e->path = path;
		e->listed = false;
	} else {
		free(path);
	}
	rc = memcg_text_fill(r, e, &r->plan_all, w->values, &present);
	if (rc == -ENOENT)
		return 1; /* not marked seen: forgotten after this snapshot */
	if (rc)
		return rc;
	e->gen = r->gen;
	memcg_snap_add(r, w->s, e, w->values, present);
	return 0;
}

/*
 * The stat of row e's directory (the reader's root, or a cgroup below it), when it is
 * still there and still that cgroup. Through an O_PATH descriptor kept with the row:
 * an fstat costs no path lookup. That descriptor keeps answering once the directory
 * is removed; the removal shows as the row's files failing (kernfs) or as the
 * parent's change (other file systems). Without descriptors to spare, by path.
 */
static bool dir_stat(struct mms_memcg_reader *r, struct cg_ent *e, struct stat *st)
{
	const char *rel = memcg_rel_path(e->path);
	int fd;

	if (e->id == r->root_id)
		return !fstat(r->rootfd, st);
	if (e->dfd >= 0)
		return !fstat(e->dfd, st);
	fd = openat(r->rootfd, rel, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return (errno == EMFILE || errno == ENFILE) &&
		       !fstatat(r->rootfd, rel, st, AT_SYMLINK_NOFOLLOW) && S_ISDIR(st->st_mode) &&
		       st->st_ino == e->id;
	if (fstat(fd, st) || st->st_ino != e->id) {
		close(fd);
		return false;
	}
	e->dfd = fd;
	return true;
}

static int visit(struct walk *w, uint64_t id, int depth);

/* A watch on the directory open at fd (that inode, not a namesake): its wd, or 0. */
static int add_watch(struct walk *w, int fd)
{
	char proc[64];
	int wd;

	if (w->be->ino_fd < 0)
		return 0;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	wd = inotify_add_watch(w->be->ino_fd, proc, WATCH_MASK);
	return wd > 0 ? wd : 0;
}

/*
 * Lists the directory of cgroup id (path) again: watches it (or records its stat)
 * first, records the child cgroups, and visits those not visited in this snapshot.
 */
static int relist(struct walk *w, uint64_t id, const char *path, int depth)
{
	struct mms_memcg_reader *r = w->r;
	struct kid *kids = NULL;
	int nr = 0, cap = 0, fd, wd, rc = 0;
	struct dirent *de;
	struct cg_ent *e;
	struct stat dst;
	uint64_t *ids;
	DIR *d;

	fd = openat(r->rootfd, memcg_rel_path(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ENODEV || errno == ENOTDIR ? 0 : -errno;
	/* Before the listing: a change after this shows at the next snapshot. */
	if (fstat(fd, &dst) || dst.st_ino != id) {
		close(fd);
		return 0; /* gone, or a namesake: its own parent's listing will tell */
	}
	e = memcg_ent_find(r, id);
	wd = e && e->wd > 0 ? e->wd : add_watch(w, fd);
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (nr == cap) {
			void *p = realloc(kids, (cap = cap ? 2 * cap : 8) * sizeof(*kids));

			if (!p) {
				rc = -ENOMEM;
				break;
			}
			kids = p;
		}
		kids[nr].id = de->d_ino; /* kernfs: d_ino is the cgroup id */
		if (!(kids[nr].path = memcg_child_path(path, de->d_name))) {
			rc = -ENOMEM;
			break;
		}
		nr++;
	}
	closedir(d);
	ids = rc ? NULL : malloc((nr ? nr : 1) * sizeof(*ids));
	e = memcg_ent_find(r, id);
	if (!rc && (!ids || !e))
		rc = -ENOMEM;
	if (!rc) {
		for (int k = 0; k < nr; k++)
			ids[k] = kids[k].id;
		free(e->kids);
		e->kids = ids;
		e->nr_kids = nr;
		e->listed = true;
		e->dirty = false;
		e->wd = wd;
		e->dir_nlink = dst.st_nlink;
		e->dir_mtime = dst.st_mtim;
		e->dir_ctime = dst.st_ctim;
		e->racy = !w->be->kernfs && (ts_ge(&dst.st_mtim, &w->racy_after) ||
					     ts_ge(&dst.st_ctim, &w->racy_after));
	} else {
		free(ids);
	}
	for (int k = 0; k < nr; k++) {
		struct cg_ent *ke = memcg_ent_find(r, kids[k].id);

		if (rc || (ke && ke->gen == r->gen)) {
			free(kids[k].path);
			continue;
		}
		rc = text_row(w, kids[k].id, kids[k].path);
		if (!rc)
			rc = visit(w, kids[k].id, depth + 1);
		if (rc > 0)
			rc = 0; /* gone since the listing: the next listing drops it */
	}
	free(kids);
	return rc;
}

/* Whether row e's listing still holds: its watch is quiet, or its stat unchanged. */
static int listing_holds(struct walk *w, struct cg_ent *e)
{
	struct stat st;

	if (!e->listed || e->dirty)
		return 0;
	if (e->wd > 0)
		return !e->dirty && !w->all_dirty;
	if (!dir_stat(w->r, e, &st))
		return -1; /* gone */
	return !e->racy && e->dir_nlink == st.st_nlink && ts_eq(&e->dir_mtime, &st.st_mtim) &&
	       ts_eq(&e->dir_ctime, &st.st_ctim);
}

/*
 * The children of cgroup id (its row read already): from its listing while it
 * holds, else listed again. 1 when its directory is gone.
 */
static int visit(struct walk *w, uint64_t id, int depth)
{
	struct mms_memcg_reader *r = w->r;
	struct cg_ent *e = memcg_ent_find(r, id);
	bool stale = false;
	uint64_t *kids;
	int nr, rc = 0, holds;

	if (r->self_only || depth > 64 || !e)
		return 0;
	holds = listing_holds(w, e);
	if (holds < 0)
		return 1;
	if (!holds)
		return relist(w, id, e->path, depth);
	/* The listing stays with this row while its children add rows. */
	kids = e->kids;
	nr = e->nr_kids;
	for (int k = 0; k < nr && !rc; k++) {
		rc = text_row(w, kids[k], NULL);
		if (!rc)
			rc = visit(w, kids[k], depth + 1);
		if (rc > 0) {
			stale = true; /* removed or renamed: a sibling may have come */
			rc = 0;
		}
	}
	if (!rc && stale && (e = memcg_ent_find(r, id)))
		rc = relist(w, id, e->path, depth);
	return rc;
}

static int wd_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Marks the rows whose watch reported a change (all of them on overflow). */
static int drain_events(struct walk *w)
{
	struct mms_memcg_reader *r = w->r;
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	int *wds = NULL, nr = 0, cap = 0;
	ssize_t n;

	while ((n = read(w->be->ino_fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const void *)p;

			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW)
				w->all_dirty = true;
			if (!(ev->mask & (WATCH_MASK | IN_IGNORED)) || ev->wd <= 0)
				continue;
			if (nr == cap) {
				void *q = realloc(wds, (cap = cap ? 2 * cap : 64) * sizeof(*wds));

				if (!q) {
					w->all_dirty = true; /* cannot say which: list them all */
					continue;
				}
				wds = q;
			}
			/* Ignored: the watch is gone (its directory removed, or unmounted). */
			wds[nr++] = ev->mask & IN_IGNORED ? -ev->wd : ev->wd;
		}
	}
	if (nr) {
		qsort(wds, nr, sizeof(*wds), wd_cmp);
		for (int i = 0; i < r->nr_ents; i++) {
			struct cg_ent *e = &r->ents[i];

			int gone = -e->wd;

			if (e->wd <= 0)
				continue;
			if (bsearch(&gone, wds, nr, sizeof(*wds), wd_cmp))
				e->wd = 0; /* listed again, and watched again if it is there */
			if (bsearch(&e->wd, wds, nr, sizeof(*wds), wd_cmp) || !e->wd)
				e->dirty = true;
		}
	}
	free(wds);
	return 0;
}

/* Watches of rows this snapshot did not see: removed with their rows. */
static void unwatch_unseen(struct walk *w)
{
	struct mms_memcg_reader *r = w->r;

	for (int i = 0; i < r->nr_ents; i++) {
		struct cg_ent *e = &r->ents[i];

		if (e->gen != r->gen && e->wd > 0) {
			inotify_rm_watch(w->be->ino_fd, e->wd);
			e->wd = 0;
		}
	}
}

static int text_read(struct mms_memcg_reader *r, struct mms_memcg_snapshot *s)
{
	struct text_be *be = r->be;
	struct walk w = { .r = r, .be = be, .s = s };
	char *root = strdup("/");
	int rc;

	if (!root)
		return -ENOMEM;
	clock_gettime(CLOCK_REALTIME, &w.racy_after);
	w.racy_after.tv_sec -= RACY_NS / 1000000000ll;
	if (be->ino_fd >= 0)
		drain_events(&w);
	rc = text_row(&w, r->root_id, root);
	if (rc > 0)
		return -ENOENT; /* the root itself went away */
	if (!rc)
		rc = visit(&w, r->root_id, 0);
	if (be->ino_fd >= 0)
		unwatch_unseen(&w);
	return rc > 0 ? 0 : rc;
}

static int text_open(struct mms_memcg_reader *r, struct mms_error *err)
{
	struct text_be *be = calloc(1, sizeof(*be));
	struct statfs sfs;

	if (!be)
		return -ENOMEM;
	/* Every statistic starts served by text: nothing else to set up. */
	be->kernfs = !fstatfs(r->rootfd, &sfs) &&
		     (sfs.f_type == CGROUP_SUPER_MAGIC || sfs.f_type == CGROUP2_SUPER_MAGIC);
	/* One cgroup (--self) lists nothing: no watches. */
	be->ino_fd = r->self_only || memcg_text_no_inotify ?
			     -1 : inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	r->be = be;
	return 0;
}

static void text_close(struct mms_memcg_reader *r)
{
	struct text_be *be = r->be;

	if (be && be->ino_fd >= 0)
		close(be->ino_fd); /* and every watch with it */
	free(be);
	r->be = NULL;
}

const struct memcg_backend_ops memcg_text_ops = {
	.name = "text",
	.open = text_open,
	.read = text_read,
	.close = text_close,
};
