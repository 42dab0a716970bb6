// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Locks between heatmaps (HM_LOCK_DIR, /run/mmscope/): an flock on a file that
 * holds the holder's "PID COMM". flock is released by the kernel when the holder
 * closes the file or dies (SIGKILL included), so a lock never outlives its run.
 *
 * - "damon.lock" (waited for): held while a DAMON source decides whether a kdamond
 *   is ours to start and starts it, so that two heatmaps never both find DAMON idle
 *   and both write to it.
 * - "refs-PID-START.lock" (not waited for): one `refs` heatmap per target. Two would
 *   clear each other's referenced bits and each see about half of the accesses.
 *   START is the target's start time (/proc/PID/stat field 22), so a recycled pid is
 *   another target and another file.
 *
 * A holder removes its file before it lets the lock go; one who locked a file that
 * was meanwhile removed (or replaced) sees it (the inode it holds is not the one at
 * the path any more) and starts again, so two never hold "the same" lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/heatmap/heatmap.h"

/* What the holder wrote ("PID COMM"), as "pid PID, COMM"; "" when unreadable. */
static void read_holder(int fd, char *holder, size_t size)
{
	char buf[96], comm[64] = "";
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	int pid = 0;

	holder[0] = '\0';
	if (n <= 0)
		return;
	buf[n] = '\0';
	if (sscanf(buf, "%d %63[^\n]", &pid, comm) >= 1 && pid > 0)
		snprintf(holder, size, "pid %d%s%s", pid, comm[0] ? ", " : "", comm);
}

static void write_holder(int fd)
{
	char comm[64] = "", buf[96];
	int cfd = open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
	ssize_t n = cfd >= 0 ? read(cfd, comm, sizeof(comm) - 1) : -1;

	if (cfd >= 0)
		close(cfd);
	comm[n > 0 ? n : 0] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
	n = snprintf(buf, sizeof(buf), "%d %s\n", (int)getpid(), comm);
	if (ftruncate(fd, 0) || pwrite(fd, buf, (size_t)n, 0) != n) {
		/* the lock holds without it; only the second run's message is poorer */
	}
}

/*
 * HM_LOCK_DIR, sticky and world-writable like /tmp (a refs heatmap may run as the
 * target's user). Every system has /run but a bare initramfs or a minimal container
 * (the VM matrix's guests): there /run is made first, as an init would have.
 */
static int make_lock_dir(void)
{
	int rc = mkdir(HM_LOCK_DIR, 01777);

	if (rc && errno == ENOENT) {
		if (mkdir("/run", 0755) && errno != EEXIST)
			return -errno;
		rc = mkdir(HM_LOCK_DIR, 01777);
	}
	if (!rc)
		return chmod(HM_LOCK_DIR, 01777) ? -errno : 0; /* past the umask */
	return errno == EEXIST ? 0 : -errno;
}

int hm_lock_take(struct hm_lock *l, const char *name, bool wait, char *holder, size_t size)
{
	int rc;

	l->fd = -1;
	holder[0] = '\0';
	rc = make_lock_dir();
	if (rc)
		return rc;
	snprintf(l->path, sizeof(l->path), HM_LOCK_DIR "/%s", name);
	for (int tries = 0; tries < 100; tries++) {
		struct stat held, now;
		int fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
		bool mine = fd >= 0;

		if (fd < 0 && errno == EACCES) /* another user's file: a lock all the same */
			fd = open(l->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			return -errno;
		while (flock(fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB)) {
			int err = errno;

			if (err == EINTR && wait)
				continue;
			read_holder(fd, holder, size);
			close(fd);
			return err == EWOULDBLOCK ? -EWOULDBLOCK : -err;
		}
		if (fstat(fd, &held) || stat(l->path, &now) || held.st_ino != now.st_ino ||
		    held.st_dev != now.st_dev) {
			close(fd); /* removed by its last holder while we waited: again */
			continue;
		}
		if (mine)
			write_holder(fd);
		l->fd = fd;
		return 0;
	}
	return -EAGAIN;
}

void hm_lock_release(struct hm_lock *l)
{
	if (l->fd < 0)
		return;
	unlink(l->path); /* first, while held: see above */
	close(l->fd);
	l->fd = -1;
}

int hm_target_start_time(pid_t pid, unsigned long long *start)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ESRCH;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -ESRCH;
	buf[n] = '\0';
	/* "PID (COMM) STATE ..." (COMM may hold ')'): field 22 is the 20th after it. */
	p = strrchr(buf, ')');
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", start) != 1)
		return -EINVAL;
	return 0;
}
