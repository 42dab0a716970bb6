// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Where the kernel's files are read from: the live system, or a --root tree of files
 * collected on another host. Every procfs/sysfs read in the library goes through
 * mms_host_read(), so --root covers all of them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mmscope/mmscope.h>

#include "lib/util/host.h"

#define MMS_READ_MAX (64u << 20) /* /proc/allocinfo is the largest we read: ~1 MiB */

int mms_host_init(struct mms_host *host, const char *root)
{
	host->root[0] = '\0';
	if (!root || !*root)
		return 0;
	size_t n = strlen(root);

	while (n > 1 && root[n - 1] == '/')
		n--;
	if (n == 1 && root[0] == '/')
		return 0;
	if (n >= sizeof(host->root))
		return -ENAMETOOLONG;
	memcpy(host->root, root, n);
	host->root[n] = '\0';
	return 0;
}

bool mms_host_is_live(const struct mms_host *host)
{
	return host->root[0] == '\0';
}

int mms_host_path(const struct mms_host *host, const char *path, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s%s", host->root, path);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* What st is, for a message about a file that is not a regular one. */
static const char *file_kind(const struct stat *st)
{
	if (S_ISFIFO(st->st_mode))
		return "a FIFO";
	if (S_ISSOCK(st->st_mode))
		return "a socket";
	if (S_ISCHR(st->st_mode))
		return "a character device";
	if (S_ISBLK(st->st_mode))
		return "a block device";
	return "not a regular file";
}

int mms_host_open_file(const char *full, struct mms_error *err)
{
	struct stat st;
	int fd, rc;

	/*
	 * O_NONBLOCK: a FIFO put where a file belongs (a --root tree) must not block
	 * the open (or the read) forever. procfs and sysfs files are regular files.
	 */
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		rc = -errno;
		snprintf(err->msg, sizeof(err->msg), "%s", strerror(errno));
		return rc;
	}
	if (fstat(fd, &st)) {
		rc = -errno;
		snprintf(err->msg, sizeof(err->msg), "%s", strerror(errno));
	} else if (S_ISDIR(st.st_mode)) {
		rc = -EISDIR;
		snprintf(err->msg, sizeof(err->msg), "a directory where a file belongs");
	} else if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		snprintf(err->msg, sizeof(err->msg), "%s where a file belongs", file_kind(&st));
	} else {
		return fd;
	}
	close(fd);
	return rc;
}

int mms_host_read(const struct mms_host *host, const char *path, char **text, size_t *len,
		  struct mms_error *err)
{
	char full[sizeof(host->root) + 256];
	size_t cap = 16384, used = 0;
	char *buf = NULL;
	int fd, rc = 0;

	err->line = 0;
	err->msg[0] = '\0';
	snprintf(err->file, sizeof(err->file), "%s", path);
	if (mms_host_path(host, path, full, sizeof(full))) {
		snprintf(err->msg, sizeof(err->msg), "path too long");
		return -ENAMETOOLONG;
	}
	snprintf(err->file, sizeof(err->file), "%s", full);
	fd = mms_host_open_file(full, err);
	if (fd < 0)
		return fd;
	buf = malloc(cap + 1);
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	for (;;) {
		if (used == cap) {
			char *bigger;

			if (cap >= MMS_READ_MAX) {
				rc = -EFBIG;
				snprintf(err->msg, sizeof(err->msg), "larger than %u MiB",
					 MMS_READ_MAX >> 20);
				goto out;
			}
			cap *= 2;
			bigger = realloc(buf, cap + 1);
			if (!bigger) {
				rc = -ENOMEM;
				goto out;
			}
			buf = bigger;
		}
		ssize_t n = read(fd, buf + used, cap - used);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			snprintf(err->msg, sizeof(err->msg), "%s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		used += n;
	}
	buf[used] = '\0';
	*text = buf;
	*len = used;
	buf = NULL;
out:
	if (rc == -ENOMEM)
		snprintf(err->msg, sizeof(err->msg), "out of memory");
	free(buf);
	close(fd);
	return rc;
}
