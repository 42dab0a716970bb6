// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The verification cgroup of the core memcg backend (see memcg_core.c for the slot
 * verification it feeds). A quiet system (a small VM: a few cgroups holding almost
 * nothing, all page cache on tmpfs) leaves most statistics zero, or equal to another
 * one (file = shmem), in every cgroup, so their slots cannot be verified and text
 * would serve them. Then the reader makes a short-lived cgroup of its own beside the
 * hierarchy's root, "mmscope-verify-PID", and a child process in it charges
 * different, non-zero amounts of each kind:
 *
 *  - anon pages, some mlocked (unevictable);
 *  - a memfd (shmem, file), part of it read twice more (activated: active_anon), part
 *    of it mapped (file_mapped);
 *  - when a block device is readable, its page cache: read once and three times (file
 *    without shmem, inactive and active file), faulted in through a MADV_RANDOM
 *    mapping (pgmajfault);
 *  - when a writable, disk-backed directory is at hand (the caller's tmpdir, else /var/tmp; not
 *    tmpfs or ramfs, where written pages are shmem and never count as file_dirty),
 *    dirty page cache (file_dirty) in an O_TMPFILE file: no name ever appears; part
 *    of it read twice more (active_file without MGLRU, and inactive_file no longer
 *    equals file_dirty where no device was read).
 *
 * The cgroup is one more sample, verified as strictly as the others. When let go, the
 * child truncates the unnamed file while its pages are still dirty (the flusher
 * writes an inode back only once it has been dirty for 30 s, unless the dirty limits
 * are exceeded or someone syncs during the ~50 ms it exists: then its PROBE_DIRTY
 * pages are written once), so what it costs the disk is the allocation and release
 * of one inode (a journal transaction on ext4/xfs, a few metadata blocks written back
 * later); it drops the device's clean pages it read (POSIX_FADV_DONTNEED on that range
 * only) and exits, and the cgroup is removed. Without root, or when the hierarchy
 * does not allow it, nothing is made and text serves as before.
 *
 * A reader killed (SIGKILL) while its cgroup lives cannot remove it: its child sees
 * EOF on its pipe and exits, and the cgroup stays, empty but still charged with the
 * page cache it read. So every core reader, when it opens, removes the
 * "mmscope-verify-PID" cgroups whose PID no longer exists (memcg_probe_sweep): only
 * those, only when no task is in them (rmdir; nothing is moved, killed or reaped).
 * A live PID's cgroup is left alone even if that PID is no longer an mmscope.
 *
 * What it cannot make: writeback (file_writeback stays 0: only a flush would), and,
 * with MGLRU enabled, the active/inactive split, which memory.stat derives from
 * generations (the two youngest count as active):
 *  - every anon folio is added to one of the two youngest generations (max_seq - 1,
 *    or max_seq when faulted; MADV_COLD included: lru_deactivate() re-adds it there),
 *    so inactive_anon is 0 in a cgroup that has never been aged;
 *  - every file folio is added to one of the two oldest (inactive); reads only count
 *    references (lru_gen_inc_refs(), no activation), and on 7.2 even folios read in
 *    by a fault through a plain mapping stayed inactive (tried: 512 pages of
 *    read-around, active_file 0), so active_file is 0 until the cgroup is aged.
 * Only aging moves folios across that line, and only reclaim ages (or the lru_gen
 * debugfs file); a probe that reclaimed its own cgroup would evict its file pages
 * unpredictably. So with MGLRU on, inactive_anon and active_file are served by text
 * unless some sampled cgroup has been aged (reclaim happened there).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/memcg/memcg_reader.h"

/* Pages. Odd amounts: no sum of two of them equals a third. */
#define PROBE_ANON 317   /* PROBE_MLOCK of them locked */
#define PROBE_MLOCK 43
#define PROBE_SHMEM 211  /* pages of a memfd; PROBE_MAPPED of them mapped */
#define PROBE_MAPPED 67
#define PROBE_SHMEM_ACTIVE 29 /* ... read again twice */
#define PROBE_FILE1 97   /* block device pages read once, 16 MiB before its end */
#define PROBE_FILE2 41   /* ... read three times, 1 MiB further */
#define PROBE_MAJ 13     /* ... faulted in through a MADV_RANDOM mapping, 4 MiB further */
#define PROBE_DIRTY 89   /* dirty pages of an unnamed file (far from active_file's
			  * 41 + 17: a page or two more activated must not match) */
#define PROBE_DIRTY_ACTIVE 17 /* ... read twice more (without MGLRU: active_file, so
			       * that inactive_file != file_dirty without a device) */

/*
 * A readable block device with data (not loop, ram, zram), or -1; *base: a page
 * aligned offset 16 MiB before its end, where the probe reads (the start of a device
 * holds the partition table and a file system's superblock, cached already: pages
 * cached before are not charged to the probe).
 */
static int probe_bdev(off_t *base)
{
	DIR *d = opendir("/sys/block");
	struct dirent *de;
	int fd = -1;

	if (!d)
		return -1;
	while (fd < 0 && (de = readdir(d))) {
		char path[300];
		long long size = 0;
		FILE *f;

		if (de->d_name[0] == '.' || !strncmp(de->d_name, "loop", 4) ||
		    !strncmp(de->d_name, "ram", 3) || !strncmp(de->d_name, "zram", 4))
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/size", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fscanf(f, "%lld", &size) != 1)
			size = 0;
		fclose(f);
		if (size < 65536) /* sectors: 32 MiB */
			continue;
		snprintf(path, sizeof(path), "/dev/%s", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		*base = ((off_t)size * 512 - (16 << 20)) & ~(off_t)0xfffff;
	}
	closedir(d);
	return fd;
}

/*
 * An unnamed file (O_TMPFILE | O_EXCL: it can never be linked) in the first of
tmpdir (the caller's: NULL for none) and /var/tmp on a writable file system that does writeback, or -1.
 */
static int probe_dirty_file(const char *tmpdir)
{
	const char *dirs[] = { tmpdir, "/var/tmp" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		struct statfs sf;
		int fd;

		if (!dirs[i] || dirs[i][0] != '/' || statfs(dirs[i], &sf) ||
		    (sf.f_flags & ST_RDONLY) || sf.f_type == TMPFS_MAGIC ||
		    sf.f_type == RAMFS_MAGIC)
			continue;
		fd = open(dirs[i], O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0)
			return fd;
	}
	return -1;
}

/* The child: joins the cgroup, charges, reports, waits for the parent to let go. */
static void probe_child(int procs_fd, int rd, int wr, long page, const char *tmpdir)
{
	char *anon, *map = NULL, *dev = NULL, buf[4096] = { 1 };
	size_t chunk = (size_t)page < sizeof(buf) ? (size_t)page : sizeof(buf);
	off_t base = 0;
	int mfd, bfd, tfd;

	if (write(procs_fd, "0", 1) != 1)
		_exit(1);
	anon = mmap(NULL, PROBE_ANON * page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (anon == MAP_FAILED)
		_exit(1);
	memset(anon, 1, PROBE_ANON * page);
	mfd = memfd_create("mmscope-verify", MFD_CLOEXEC);
	if (mfd >= 0) {
		for (long p = 0; p < PROBE_SHMEM; p++)
			if (pwrite(mfd, buf, chunk, p * page) < 0)
				break;
		/* Read again: marked accessed twice more, these are activated (active_anon). */
		for (int again = 0; again < 2; again++)
			for (long p = 0; p < PROBE_SHMEM_ACTIVE; p++)
				if (pread(mfd, buf, 1, p * page) < 0)
					break;
		map = mmap(NULL, PROBE_MAPPED * page, PROT_READ, MAP_SHARED, mfd, 0);
		for (long p = 0; map != MAP_FAILED && p < PROBE_MAPPED; p++)
			(void)*(volatile char *)(map + p * page);
	}
	bfd = probe_bdev(&base);
	if (bfd >= 0) {
		for (long p = 0; p < PROBE_FILE1; p++)
			if (pread(bfd, buf, 1, base + p * page) < 0)
				break;
		for (int again = 0; again < 2; again++)
			for (long p = 0; p < PROBE_FILE2; p++)
				if (pread(bfd, buf, 1, base + (1 << 20) + p * page) < 0)
					break;
		dev = mmap(NULL, PROBE_MAJ * page, PROT_READ, MAP_SHARED, bfd, base + (4 << 20));
		if (dev != MAP_FAILED) {
			madvise(dev, PROBE_MAJ * page, MADV_RANDOM);
			for (long p = 0; p < PROBE_MAJ; p++)
				(void)*(volatile char *)(dev + p * page);
		}
	}
	tfd = probe_dirty_file(tmpdir);
	for (long p = 0; tfd >= 0 && p < PROBE_DIRTY; p++)
		if (pwrite(tfd, buf, chunk, p * page) < 0)
			break;
	for (int again = 0; tfd >= 0 && again < 2; again++)
		for (long p = 0; p < PROBE_DIRTY_ACTIVE; p++)
			if (pread(tfd, buf, 1, p * page) < 0)
				break;
	/* Last: mlock() starts with lru_add_drain_all(), so the activations above show
	 * in the LRU counts; the second one drains what the first left in the per-CPU
	 * mlock batches (else unevictable could grow between the two texts). */
	mlock(anon, PROBE_MLOCK * page);
	mlock(anon, page);
	if (write(wr, "1", 1) != 1)
		_exit(1);
	while (read(rd, buf, 1) > 0)
		;
	if (tfd >= 0) {
		/* Dropped while dirty: the data is never written back (see above). */
		if (ftruncate(tfd, 0)) {
			/* closing it frees the unnamed inode and its pages anyway */
		}
		close(tfd);
	}
	if (bfd >= 0) {
		/* Only what the probe read: clean pages, dropped from the cache again. */
		if (dev && dev != MAP_FAILED)
			munmap(dev, PROBE_MAJ * page);
		posix_fadvise(bfd, base, 8 << 20, POSIX_FADV_DONTNEED);
	}
	_exit(0);
}

/* Makes the cgroup and its charged child; 0 when it is ready to be sampled. */
int memcg_probe_start(int hier_fd, const char *tmpdir, struct memcg_probe *p)
{
	int procs, up[2], down[2];
	char c;

	p->pid = -1;
	p->ctl = -1;
	if (geteuid())
		return -EPERM;
	snprintf(p->name, sizeof(p->name), "mmscope-verify-%d", (int)getpid());
	if (mkdirat(hier_fd, p->name, 0700) && errno != EEXIST)
		return -errno;
	snprintf(p->name + strlen(p->name), 16, "/cgroup.procs");
	procs = openat(hier_fd, p->name, O_WRONLY | O_CLOEXEC);
	p->name[strlen(p->name) - strlen("/cgroup.procs")] = '\0';
	if (procs < 0)
		return -errno;
	if (pipe2(up, O_CLOEXEC)) {
		close(procs);
		return -errno;
	}
	if (pipe2(down, O_CLOEXEC)) {
		close(procs);
		close(up[0]);
		close(up[1]);
		return -errno;
	}
	p->pid = fork();
	if (p->pid == 0) {
		close(up[0]);
		close(down[1]);
		probe_child(procs, down[0], up[1], sysconf(_SC_PAGESIZE), tmpdir);
	}
	close(procs);
	close(up[1]);
	close(down[0]);
	p->ctl = down[1];
	/* The child is ready when it writes; EOF: it failed. */
	if (p->pid < 0 || read(up[0], &c, 1) != 1) {
		close(up[0]);
		return -EIO;
	}
	close(up[0]);
	return 0;
}

#define PROBE_PREFIX "mmscope-verify-"

/* The pid of a verification cgroup's name, or 0 when name is not one. */
static pid_t probe_name_pid(const char *name)
{
	char *end;
	long pid;

	if (strncmp(name, PROBE_PREFIX, strlen(PROBE_PREFIX)))
		return 0;
	name += strlen(PROBE_PREFIX);
	if (*name < '1' || *name > '9')
		return 0;
	errno = 0;
	pid = strtol(name, &end, 10);
	return *end || errno || pid <= 0 || pid > (1L << 22) ? 0 : (pid_t)pid;
}

/* No task in the cgroup dir (its cgroup.procs reads empty). */
static bool cgroup_empty(int hier_fd, const char *name)
{
	char path[128], c;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/cgroup.procs", name);
	fd = openat(hier_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, &c, 1);
	close(fd);
	return n == 0;
}

int memcg_probe_sweep(int hier_fd)
{
	int fd = openat(hier_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), removed = 0;
	struct dirent *de;
	DIR *d;

	if (fd < 0)
		return 0;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		pid_t pid = probe_name_pid(de->d_name);

		if (!pid || pid == getpid() || de->d_type != DT_DIR)
			continue;
		if (!kill(pid, 0) || errno != ESRCH)
			continue; /* alive (or not ours to ask): maybe sampling it right now */
		if (cgroup_empty(hier_fd, de->d_name) &&
		    !unlinkat(hier_fd, de->d_name, AT_REMOVEDIR))
			removed++;
	}
	closedir(d);
	return removed;
}

void memcg_probe_stop(int hier_fd, struct memcg_probe *p)
{
	if (p->ctl >= 0)
		close(p->ctl);
	if (p->pid > 0)
		while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
			;
	/* The exited child left the cgroup; retry briefly in case removal races it. */
	for (int i = 0; p->name[0] && i < 50 && unlinkat(hier_fd, p->name, AT_REMOVEDIR) &&
			errno == EBUSY; i++)
		usleep(2000);
}
