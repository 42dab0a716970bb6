// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Per-process memory from /proc/PID/smaps_rollup: the parser (a "... [rollup]" header
 * line, then meminfo-style "Name: value kB" lines, converted to bytes) and the
 * readers `mmscope thp` uses for AnonHugePages, of one process or of all of them.
 *
 * A scan of every process races with processes exiting and meets processes it may
 * not read: those are counted (vanished, denied, no user memory) and never fatal.
 * A file that exists but does not parse is bad input and is fatal, so a table is
 * never presented as complete when it is not. Reading smaps_rollup walks the page
 * tables of the whole process: it is not free, which is why this is not done in
 * the counter-rate loop more than once per window.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/procfs/kvfile.h"
#include "lib/util/textscan.h"

/* The first line ends with "[rollup]" (after the address range and the padding). */
static int check_header(const char *line, size_t len, struct mms_error *err)
{
	static const char tag[] = "[rollup]";
	struct mms_tok rest = { line, len }, tok, last = { NULL, 0 };

	while (mms_tok_next(&rest, &tok))
		last = tok;
	if (!mms_tok_eq(last, tag))
		return mms_err_at(err, 1, "expected the header line ending in '%s'", tag);
	return 0;
}

int mms_parse_smaps_rollup(const char *text, size_t len, struct mms_kvset *out,
			   struct mms_error *err)
{
	const char *nl, *body;
	int rc = mms_check_file(text, len, err);

	out->nr = 0;
	if (rc)
		return rc;
	if (!len)
		return mms_err_at(err, 0, "empty file: no '[rollup]' header line");
	nl = memchr(text, '\n', len); /* present: mms_check_file() saw a final newline */
	rc = check_header(text, nl - text, err);
	if (rc)
		return rc;
	body = nl + 1;
	if (body == text + len)
		return mms_err_at(err, 1, "no 'Name: value kB' lines after the header");
	rc = mms_parse_kb_lines(body, text + len - body, false, out, err);
	if (rc && err && err->line > 0)
		err->line++; /* the header is line 1 of the real file */
	return rc;
}

/* comm, one line; unprintable bytes become '?' so tables and JSON stay clean. */
static void read_comm(const struct mms_host *host, int pid, char *comm, size_t size)
{
	struct mms_error err;
	char path[64], *text;
	size_t len, n;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	if (mms_host_read(host, path, &text, &len, &err)) {
		snprintf(comm, size, "?"); /* exited since, or not recorded */
		return;
	}
	n = strcspn(text, "\n");
	if (n >= size)
		n = size - 1;
	for (size_t i = 0; i < n; i++)
		comm[i] = text[i] >= ' ' && text[i] <= '~' ? text[i] : '?';
	comm[n] = '\0';
	free(text);
}

/* smaps_rollup is missing: the process is gone, or the file is (before 4.14). */
static int rollup_missing(const struct mms_host *host, int pid, struct mms_error *err)
{
	char rel[64], dir[sizeof(host->root) + 64];
	struct stat st;

	snprintf(rel, sizeof(rel), "/proc/%d", pid);
	if (mms_host_path(host, rel, dir, sizeof(dir)) || stat(dir, &st))
		return -ENOENT;
	snprintf(err->msg, sizeof(err->msg),
		 "missing while the process exists (smaps_rollup needs Linux 4.14)");
	return -EOPNOTSUPP;
}

static int rollup_fill(const struct mms_kvset *set, struct mms_thp_proc *out,
		       struct mms_error *err)
{
	if (!mms_kv_get(set, "AnonHugePages", &out->anon_huge_bytes))
		return mms_err_at(err, 0, "no AnonHugePages line");
	mms_kv_get(set, "Anonymous", &out->anon_bytes);
	mms_kv_get(set, "Rss", &out->rss_bytes);
	return 0;
}

int mms_thp_proc_read(const struct mms_host *host, int pid, struct mms_thp_proc *out,
		      struct mms_error *err)
{
	struct mms_kvset *set;
	char path[64], *text;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	out->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	rc = mms_host_read(host, path, &text, &len, err);
	if (rc == -ENOENT)
		return rollup_missing(host, pid, err);
	if (rc)
		return rc;
	set = malloc(sizeof(*set));
	rc = set ? mms_parse_smaps_rollup(text, len, set, err) : -ENOMEM;
	if (!rc)
		rc = rollup_fill(set, out, err);
	free(set);
	free(text);
	if (!rc)
		read_comm(host, pid, out->comm, sizeof(out->comm));
	return rc;
}

/* Before: more AnonHugePages, then the lower pid. */
static bool proc_before(const struct mms_thp_proc *a, const struct mms_thp_proc *b)
{
	if (a->anon_huge_bytes != b->anon_huge_bytes)
		return a->anon_huge_bytes > b->anon_huge_bytes;
	return a->pid < b->pid;
}

/* Keeps out[0..*n) the best max, sorted. */
static void top_insert(struct mms_thp_proc *out, int *n, int max, const struct mms_thp_proc *p)
{
	int at = *n;

	while (at > 0 && proc_before(p, &out[at - 1]))
		at--;
	if (at >= max)
		return;
	if (*n < max)
		(*n)++;
	memmove(&out[at + 1], &out[at], (*n - 1 - at) * sizeof(*out));
	out[at] = *p;
}

static bool pid_name(const char *name, int *pid)
{
	struct mms_tok t = { name, strlen(name) };

	return mms_parse_int(t, pid) == 0 && *pid > 0;
}

/* Counts a process that could not be read; false when the failure is fatal. */
static bool count_unread(int rc, struct mms_thp_scan *scan)
{
	switch (rc) {
	case -ENOENT:
		scan->vanished++;
		return true;
	case -EACCES:
	case -EPERM:
		scan->denied++;
		return true;
	case -ESRCH:
		scan->no_mm++;
		return true;
	default:
		return false;
	}
}

static int open_proc(const struct mms_host *host, DIR **d, struct mms_error *err)
{
	int rc = mms_host_path(host, "/proc", err->file, sizeof(err->file));

	err->line = 0;
	if (rc) {
		snprintf(err->msg, sizeof(err->msg), "path too long");
		return rc;
	}
	*d = opendir(err->file);
	if (*d)
		return 0;
	rc = -errno;
	snprintf(err->msg, sizeof(err->msg), "%s", strerror(-rc));
	return rc;
}

int mms_thp_procs_scan(const struct mms_host *host, struct mms_thp_proc *out, int max,
		       struct mms_thp_scan *scan, struct mms_error *err)
{
	struct mms_thp_proc p;
	struct dirent *de;
	int n = 0, pid, rc;
	DIR *d = NULL;

	memset(scan, 0, sizeof(*scan));
	rc = open_proc(host, &d, err);
	while (!rc && (de = readdir(d))) {
		if (!pid_name(de->d_name, &pid))
			continue;
		rc = mms_thp_proc_read(host, pid, &p, err);
		if (rc) {
			if (count_unread(rc, scan))
				rc = 0;
			continue;
		}
		scan->scanned++;
		if (p.anon_huge_bytes) {
			scan->with_thp++;
			top_insert(out, &n, max, &p);
		}
	}
	if (d)
		closedir(d);
	return rc ? rc : n;
}
