// SPDX-License-Identifier: GPL-2.0
/*
 * OOM kills in the report's window, with their victims: the kernel log
 * (/dev/kmsg) is opened at the window's start at its end, and the records
 * written during the window are read at its end (mms_parse_oom_message). The
 * count comes from /proc/vmstat oom_kill (report_procfs.c): a kill whose lines
 * the log lost (rate limit, a full buffer) is still counted. /dev/kmsg needs
 * root where kernel.dmesg_restrict is set: then the victims are left out.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/report/report.h"

struct report_oom {
	int fd;
};

struct report_oom *report_oom_start(struct cli *cli, struct report *r)
{
	struct report_oom *o;
	int fd;

	if (!mms_host_is_live(&cli->host))
		return NULL;
	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || lseek(fd, 0, SEEK_END) < 0) {
		report_left_out(r, "oom_victims", "/dev/kmsg: %s (OOM kills are counted, not named)",
				strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	o = calloc(1, sizeof(*o));
	if (!o) {
		close(fd);
		return NULL;
	}
	o->fd = fd;
	return o;
}

/* The victim of pid among those seen, or a new one (NULL when full). */
static struct mms_report_oom *victim(struct report *r, uint32_t pid)
{
	for (int i = 0; i < r->win.nr_ooms; i++)
		if (r->ooms[i].pid == pid)
			return &r->ooms[i];
	if (r->win.nr_ooms == REPORT_OOMS_MAX)
		return NULL;
	memset(&r->ooms[r->win.nr_ooms], 0, sizeof(r->ooms[0]));
	return &r->ooms[r->win.nr_ooms++];
}

void report_oom_finish(struct report_oom *o, struct report *r)
{
	char rec[8192];
	ssize_t n;

	r->win.ooms = r->ooms;
	if (!o)
		return;
	/* One record per read; EPIPE: records were overwritten, the next read goes on. */
	while ((n = read(o->fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		struct mms_report_oom m = { 0 }, *v;
		char *msg;
		size_t len;

		if (n <= 0)
			continue;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		len = strcspn(msg, "\n");
		if (!mms_parse_oom_message(msg, len, &m) || !m.pid)
			continue;
		v = victim(r, m.pid);
		if (!v)
			continue;
		/* The summary line comes first and knows more: keep what each knows. */
		if (m.constraint[0])
			memcpy(v->constraint, m.constraint, sizeof(v->constraint));
		if (m.cgroup[0])
			memcpy(v->cgroup, m.cgroup, sizeof(v->cgroup));
		if (m.comm[0])
			memcpy(v->comm, m.comm, sizeof(v->comm));
		v->pid = m.pid;
	}
	close(o->fd);
	free(o);
}
