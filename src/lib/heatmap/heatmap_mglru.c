// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The `mglru` heatmap source, seed 001's own mechanism: every aging interval it
 * asks the multi-gen LRU to age the target's memcg, through debugfs lru_gen
 * ("+ MEMCG_ID NODE_ID MAX_SEQ 1 1": the current youngest generation, anon too,
 * force_scan), and harvests what the aging's page-table walk finds accessed with
 * young.bpf.c (heatmap_young_col.c): the walk runs inside the write, in our
 * thread, and calls ptep_test_and_clear_young() (pmdp_ for a huge page) for every
 * young entry of every mm of the memcg; the program keeps the target's.
 *
 * A sample is the set of the target's 4 KiB pages accessed since the previous
 * aging. MGLRU only reports young entries, so every other page of the selected
 * mappings reads 0 (present or not: MGLRU does not say).
 *
 * debugfs is mounted only in a private mount namespace: a child process unshares
 * its mounts, mounts debugfs there, opens lru_gen and passes us the descriptor,
 * then exits; the namespace goes with it, the open file keeps the mount alive for
 * us, and nothing is mounted where anyone else can see it.
 *
 * Cost, and it is real aging (docs/heatmap.md): each sample walks the page tables
 * of every process of the memcg (the target's and its neighbours'), moves the
 * pages it finds accessed to the youngest generation and makes all others one
 * generation older, so reclaim takes the memcg's untouched pages sooner than it
 * would have; the target pays nothing directly (the walk is in our thread), but
 * its cold pages are aged as if memory were short.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/heatmap/heatmap_young.h"
#include "lib/util/textscan.h"

#define LRU_GEN "/sys/kernel/debug/lru_gen"

struct hm_source {
	struct hm_clock clk; /* first: hm_clock_describe() */
	struct hm_opts o;
	int fd;              /* lru_gen, from the private mount namespace */
	struct hm_young_col col;
	char path[512];      /* the target's memcg, as lru_gen names it */
	struct hm_lru_gen lg;
	struct hm_maps all, sel;
	uint64_t agings;     /* aging writes done */
	char desc[320];
};

int hm_lru_gen_parse(const char *text, size_t len, const char *path, struct hm_lru_gen *out)
{
	struct mms_lines ls;
	struct mms_tok line;
	bool in = false;

	memset(out, 0, sizeof(*out));
	out->memcg_id = -1;
	mms_lines_init(&ls, text, len);
	while (mms_lines_next(&ls, &line)) {
		struct mms_tok rest = line, a, b;
		uint64_t v;

		if (!mms_tok_next(&rest, &a))
			continue;
		if (mms_tok_eq(a, "memcg")) {
			struct mms_tok p;

			if (in)
				break; /* the next memcg: ours is complete */
			if (!mms_tok_next(&rest, &b) || mms_parse_u64(b, &v))
				return -EINVAL;
			/* The path is the rest of the line (the root's is "/", or empty). */
			p = rest;
			while (p.len && (p.s[0] == ' ' || p.s[0] == '\t')) {
				p.s++;
				p.len--;
			}
			if (p.len == strlen(path) && !memcmp(p.s, path, p.len)) {
				in = true;
				out->memcg_id = (int)v;
			} else if (!strcmp(path, "/") && !p.len) {
				in = true;
				out->memcg_id = (int)v;
			}
			continue;
		}
		if (!in)
			continue;
		if (mms_tok_eq(a, "node")) {
			if (!mms_tok_next(&rest, &b) || mms_parse_u64(b, &v))
				return -EINVAL;
			if (out->nnodes == HM_LRU_GEN_NODES)
				break;
			out->node[out->nnodes] = (int)v;
			out->max_seq[out->nnodes++] = 0;
			continue;
		}
		/* A generation: "SEQ AGE_MS ANON FILE ...", the last one the youngest. */
		if (out->nnodes && !mms_parse_u64(a, &v))
			out->max_seq[out->nnodes - 1] = v;
	}
	return out->memcg_id < 0 || !out->nnodes ? -ENOENT : 0;
}

/* The target's memcg path: the memory controller's line of /proc/PID/cgroup (v1),
 * else the unified hierarchy's ("0::PATH"). 0, -ESRCH or -ENOENT. */
static int memcg_path(pid_t pid, char *path, size_t size)
{
	char file[64], line[640];
	bool v2 = false;
	FILE *f;

	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	if (!(f = fopen(file, "re")))
		return -ESRCH;
	path[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		char *ctl = strchr(line, ':'), *p = ctl ? strchr(ctl + 1, ':') : NULL;

		if (!p)
			continue;
		line[strcspn(line, "\n")] = 0;
		*p++ = 0;
		ctl++;
		if (!strcmp(ctl, "memory") || strstr(ctl, "memory,") || strstr(ctl, ",memory")) {
			snprintf(path, size, "%s", p);
			break;
		}
		if (!*ctl && !v2) {
			snprintf(path, size, "%s", p);
			v2 = true;
		}
	}
	fclose(f);
	return path[0] ? 0 : -ENOENT;
}

/*
 * lru_gen opened read-write in a child's private mount namespace (debugfs is
 * never mounted where others see it). 0 with *fd, or -errno with why.
 */
static int lru_gen_open(int *fd, char *why, size_t size)
{
	char cbuf[CMSG_SPACE(sizeof(int))], res[160] = "";
	struct iovec iov = { res, sizeof(res) - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	int sv[2], status;
	ssize_t n;
	pid_t child;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	child = fork();
	if (child < 0) {
		close(sv[0]);
		close(sv[1]);
		return -errno;
	}
	if (!child) {
		/* Only system calls here (the parent may have threads). Where debugfs is
		 * already mounted (our private copy has it too) it is only opened; mounting
		 * it again on itself would fail (EBUSY). */
		const char *step = "unshare(CLONE_NEWNS)";
		int f = -1, e;

		if (!unshare(CLONE_NEWNS) &&
		    (step = "making / private", !mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) &&
		    ((f = open(LRU_GEN, O_RDWR | O_CLOEXEC)) >= 0 ||
		     ((step = "mounting debugfs",
		       !mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL)) &&
		      (step = "opening " LRU_GEN, (f = open(LRU_GEN, O_RDWR | O_CLOEXEC)) >= 0)))) {
			char one = 0;
			struct iovec v = { &one, 1 };
			struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = cbuf,
					    .msg_controllen = sizeof(cbuf) };
			struct cmsghdr *c = CMSG_FIRSTHDR(&m);

			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(c), &f, sizeof(int));
			_exit(sendmsg(sv[1], &m, 0) == 1 ? 0 : 1);
		}
		/* What failed (the step; its errno is the exit status). */
		e = errno;
		if (write(sv[1], step, strlen(step)) < 0)
			_exit(1);
		_exit(e & 0xff);
	}
	close(sv[1]);
	n = recvmsg(sv[0], &mh, 0);
	close(sv[0]);
	waitpid(child, &status, 0);
	cm = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
	if (cm && cm->cmsg_type == SCM_RIGHTS) {
		memcpy(fd, CMSG_DATA(cm), sizeof(int));
		return 0;
	}
	status = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
	snprintf(why, size, "debugfs in a private mount namespace: %s: %s",
		 n > 1 ? res : "the helper process", status ? strerror(status) : "failed");
	return status == EPERM || status == EACCES ? -EPERM : -EOPNOTSUPP;
}

/* Reads lru_gen whole and finds the target's memcg in it. */
static int lru_gen_read(struct hm_source *s, char *why, size_t size)
{
	size_t len = 0, cap = 0;
	char *text = NULL;
	ssize_t n;
	int rc;

	if (lseek(s->fd, 0, SEEK_SET) < 0)
		return -errno;
	do {
		if (len + 4096 > cap) {
			char *t = realloc(text, cap = cap ? cap * 2 : 65536);

			if (!t) {
				free(text);
				return -ENOMEM;
			}
			text = t;
		}
		n = read(s->fd, text + len, cap - len);
		if (n > 0)
			len += (size_t)n;
	} while (n > 0);
	if (n < 0) {
		rc = -errno;
		snprintf(why, size, "reading " LRU_GEN ": %s", strerror(-rc));
	} else if ((rc = hm_lru_gen_parse(text, len, s->path, &s->lg))) {
		snprintf(why, size, LRU_GEN " lists no memcg '%s' (the target's) with nodes",
			 s->path);
	}
	free(text);
	return rc;
}

/* One aging per node of the memcg, its walk harvested. */
static int age(struct hm_source *s, char *why, size_t size)
{
	int rc = lru_gen_read(s, why, size);

	for (int i = 0; !rc && i < s->lg.nnodes; i++) {
		char cmd[96];
		int len = snprintf(cmd, sizeof(cmd), "+ %d %d %llu 1 1\n", s->lg.memcg_id,
				   s->lg.node[i], (unsigned long long)s->lg.max_seq[i]);
		ssize_t n;

		hm_young_col_begin(&s->col);
		n = write(s->fd, cmd, (size_t)len);
		rc = n == len ? 0 : -errno;
		if (rc) {
			hm_young_col_end(&s->col, why, size);
			snprintf(why, size, "writing '%.*s' to " LRU_GEN ": %s", len - 1, cmd,
				 strerror(-rc));
			break;
		}
		s->agings++;
		if (!(rc = hm_young_col_end(&s->col, why, size)))
			rc = hm_young_col_merge(&s->col);
	}
	if (!rc && kill(s->o.pid, 0) && errno == ESRCH) {
		snprintf(why, size, "process %d exited", (int)s->o.pid);
		rc = -ESRCH;
	}
	return rc;
}

/* Regions: the accessed pages with their counts, 0 over the rest of the selected
 * mappings (MGLRU reports only young entries). */
static int build(struct hm_source *s, struct hm_frame *f)
{
	struct mms_error err = { 0 };
	const uint64_t *pg = s->col.pages;
	const uint32_t *hits = s->col.hits;
	int n = s->col.n, i = 0, rc;

	if (hm_maps_read(s->o.pid, &s->all, &err) || hm_roi_select(&s->o.roi, &s->all, &s->sel))
		return hm_frame_from_pages(f, pg, hits, (size_t)n, s->clk.per_frame, 4096);
	for (int m = 0; m < s->sel.n; m++) {
		uint64_t at = s->sel.v[m].start, end = s->sel.v[m].end;

		while (i < n && pg[i] + 4096 <= at)
			i++;
		while (at < end) {
			uint64_t next = i < n && pg[i] < end ? pg[i] : end;
			int j = i;

			if (next > at && (rc = hm_frame_push(f, at, next, 0)))
				return rc;
			if (next == end)
				break;
			/* A run of reported pages inside this mapping. */
			while (j < n && pg[j] < end && (j == i || pg[j] == pg[j - 1] + 4096))
				j++;
			if ((rc = hm_frame_from_pages(f, pg + i, hits + i, (size_t)(j - i),
						      s->clk.per_frame, 4096)))
				return rc;
			at = pg[j - 1] + 4096;
			i = j;
		}
	}
	return 0;
}

static int mglru_next(struct hm_source *s, struct hm_frame *f, char *why, size_t size)
{
	int rc;

	s->col.n = 0;
	rc = hm_clock_frame(&s->clk, s, age, why, size);
	if (rc)
		return rc;
	if ((rc = build(s, f)))
		return rc;
	hm_clock_stamp(&s->clk, f);
	return 0;
}

static const char *mglru_describe(struct hm_source *s)
{
	uint64_t lost = hm_young_col_lost(&s->col);
	size_t len;

	snprintf(s->desc, sizeof(s->desc), "%s; memcg %d '%s', %d node(s), %llu agings",
		 hm_clock_describe(s), s->lg.memcg_id, s->path, s->lg.nnodes,
		 (unsigned long long)s->agings);
	len = strlen(s->desc);
	if (lost)
		snprintf(s->desc + len, sizeof(s->desc) - len, "; %llu records lost",
			 (unsigned long long)lost);
	return s->desc;
}

static uint64_t mglru_lost(struct hm_source *s)
{
	return hm_young_col_lost(&s->col);
}

static void mglru_close(struct hm_source *s)
{
	if (!s)
		return;
	hm_young_col_close(&s->col);
	if (s->fd >= 0)
		close(s->fd);
	hm_maps_free(&s->all);
	hm_maps_free(&s->sel);
	free(s);
}

/* MGLRU built in and on (lru_gen/enabled not 0x0000). 0 or -EOPNOTSUPP with why. */
static int mglru_on(char *why, size_t size)
{
	char buf[32] = "";
	FILE *f = fopen("/sys/kernel/mm/lru_gen/enabled", "re");
	bool ok = f && fgets(buf, sizeof(buf), f);

	if (f)
		fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	if (!ok)
		snprintf(why, size, "no /sys/kernel/mm/lru_gen (CONFIG_LRU_GEN)");
	else if (!strtoul(buf, NULL, 16))
		snprintf(why, size, "MGLRU is off (/sys/kernel/mm/lru_gen/enabled = %s)", buf);
	return ok && strtoul(buf, NULL, 16) ? 0 : -EOPNOTSUPP;
}

static int mglru_open(struct hm_source **out, const struct hm_opts *o, char *why, size_t size)
{
	struct hm_source *s = calloc(1, sizeof(*s));
	char what[160];
	int rc;

	if (!s)
		return -ENOMEM;
	s->o = *o;
	s->fd = -1;
	hm_clock_init(&s->clk, &s->o);
	if (geteuid() != 0) {
		snprintf(why, size, "debugfs and BPF need root");
		rc = -EPERM;
		goto fail;
	}
	if ((rc = mglru_on(why, size)))
		goto fail;
	if ((rc = memcg_path(o->pid, s->path, sizeof(s->path)))) {
		snprintf(why, size, rc == -ESRCH ? "process %d exited"
						 : "process %d is in no memory cgroup", (int)o->pid);
		goto fail;
	}
	if ((rc = hm_young_col_open(&s->col, o->pid, o->no_fexit, false, why, size)))
		goto fail;
	if ((rc = lru_gen_open(&s->fd, why, size)))
		goto fail;
	/* The first aging: the first sample sees only what was touched after now. */
	if ((rc = age(s, why, size)))
		goto fail;
	s->col.n = 0;
	snprintf(what, sizeof(what), "MGLRU aging of the target's memcg (debugfs lru_gen) + %s on "
		 "ptep_test_and_clear_young(), 4 KiB pages", s->col.how);
	hm_clock_start(&s->clk, what);
	*out = s;
	return 0;
fail:
	mglru_close(s);
	return rc;
}

const struct hm_source_ops hm_src_mglru = {
	.name = "mglru",
	.open = mglru_open,
	.next = mglru_next,
	.describe = mglru_describe,
	.close = mglru_close,
	.lost = mglru_lost,
};
