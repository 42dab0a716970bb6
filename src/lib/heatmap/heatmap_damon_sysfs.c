// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * DAMON's sysfs interface (/sys/kernel/mm/damon/admin/kdamonds), for the DAMON
 * heatmap sources: read what kdamonds exist, start one of ours, and undo it.
 *
 * Three properties of that interface shape this file:
 *  - Writing any nr_* file (nr_kdamonds, nr_contexts, nr_targets, ...) deletes
 *    every directory below it and creates that many fresh ones with defaults;
 *    nr_kdamonds refuses (EBUSY) while any kdamond runs. So a kdamond cannot be
 *    added next to a running one, and adding one next to a configured but stopped
 *    one would wipe that configuration.
 *  - Some files (state, pid, ...) answer EBUSY while another process holds DAMON's
 *    sysfs lock (a concurrent reader: another heatmap, damo, a test). A read is
 *    retried for up to BUSY_RETRY_MS; after that the answer is unknown, and an
 *    unknown kdamond is never taken for a stopped or absent one.
 *  - Nothing tells whose a kdamond is. Ours is the one we created: only when
 *    nr_kdamonds is 0 do we create kdamonds/0 (remembering its index and, once
 *    started, its pid) and remove it again (nr_kdamonds back to 0). Any kdamond
 *    that was there before, running or not, is someone else's and only ever read:
 *    with kdamonds configured and none running we refuse rather than reuse one.
 *    The decision and the start are made under HM_LOCK_DIR/damon.lock
 *    (heatmap_damon.c), so two heatmaps never both find DAMON idle.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/heatmap/heatmap_damon.h"

/* How long a file that answers EBUSY (DAMON's sysfs lock held by someone) is retried. */
#define BUSY_RETRY_MS 200
#define BUSY_STEP_MS 2

static void busy_wait(void)
{
	nanosleep(&(struct timespec){ 0, BUSY_STEP_MS * 1000000L }, NULL);
}

static int read_str(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	for (int waited = 0;; waited += BUSY_STEP_MS) {
		n = pread(fd, buf, size - 1, 0);
		if (n >= 0 || errno != EBUSY || waited >= BUSY_RETRY_MS)
			break;
		busy_wait();
	}
	if (n < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

static int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	for (int waited = 0;; waited += BUSY_STEP_MS) {
		err = write(fd, val, strlen(val)) < 0 ? -errno : 0;
		if (err != -EBUSY || waited >= BUSY_RETRY_MS)
			break;
		busy_wait();
	}
	close(fd);
	return err;
}

static int read_u64(const char *path, uint64_t *v)
{
	char buf[64];
	int err = read_str(path, buf, sizeof(buf));

	if (!err)
		*v = strtoull(buf, NULL, 10);
	return err;
}

int hm_damon_sysfs_nr(int *nr, char *why, size_t size)
{
	char buf[32];
	int err = read_str(HM_DAMON_ADMIN "/nr_kdamonds", buf, sizeof(buf));

	if (err == -ENOENT || err == -ENOTDIR) {
		snprintf(why, size, "no DAMON sysfs interface at %s (CONFIG_DAMON_SYSFS)",
			 HM_DAMON_ADMIN);
		return -ENOENT;
	}
	if (err == -EACCES || err == -EPERM) {
		snprintf(why, size, "DAMON's sysfs interface needs root");
		return -EPERM;
	}
	if (err) {
		snprintf(why, size, "%s/nr_kdamonds: %s%s", HM_DAMON_ADMIN, strerror(-err),
			 err == -EBUSY ? " (DAMON's sysfs stayed busy: how many kdamonds exist is "
					 "unknown)" : "");
		return err;
	}
	*nr = atoi(buf);
	return 0;
}

int hm_damon_info_read(int idx, struct hm_damon_info *info)
{
	char base[128], path[256], buf[64];
	uint64_t v = 0;
	int err;

	memset(info, 0, sizeof(*info));
	info->idx = idx;
	snprintf(base, sizeof(base), HM_DAMON_ADMIN "/%d", idx);
	snprintf(path, sizeof(path), "%s/state", base);
	err = read_str(path, buf, sizeof(buf));
	if (err)
		return err;
	info->on = !strcmp(buf, "on");
	snprintf(path, sizeof(path), "%s/pid", base);
	if ((err = read_u64(path, &v)))
		return err; /* busy: unknown which thread to watch */
	info->pid = (pid_t)(int64_t)v;
	snprintf(path, sizeof(path), "%s/contexts/0/operations", base);
	if (read_str(path, info->ops, sizeof(info->ops)))
		return 0; /* no context: nothing more to read */
	snprintf(path, sizeof(path), "%s/contexts/0/avail_operations", base);
	if (!read_str(path, info->avail, sizeof(info->avail)))
		for (char *c = info->avail; *c; c++)
			if (*c == '\n')
				*c = ' '; /* one per line on newer kernels: one line for messages */
	snprintf(path, sizeof(path), "%s/contexts/0/monitoring_attrs/intervals/sample_us", base);
	read_u64(path, &info->sample_us);
	snprintf(path, sizeof(path), "%s/contexts/0/monitoring_attrs/intervals/aggr_us", base);
	read_u64(path, &info->aggr_us);
	snprintf(path, sizeof(path), "%s/contexts/0/targets/nr_targets", base);
	if (read_u64(path, &v))
		return 0;
	info->ntargets = (uint32_t)v;
	for (uint32_t t = 0; t < info->ntargets; t++) {
		uint64_t nr = 0;

		snprintf(path, sizeof(path), "%s/contexts/0/targets/%u/regions/nr_regions", base, t);
		if (read_u64(path, &nr))
			continue;
		for (uint64_t r = 0; r < nr; r++) {
			struct hm_damon_range rg = { 0, 0 }, *grown;

			snprintf(path, sizeof(path), "%s/contexts/0/targets/%u/regions/%lu/start",
				 base, t, (unsigned long)r);
			read_u64(path, &rg.start);
			snprintf(path, sizeof(path), "%s/contexts/0/targets/%u/regions/%lu/end",
				 base, t, (unsigned long)r);
			read_u64(path, &rg.end);
			if (rg.start >= rg.end)
				continue;
			grown = realloc(info->ranges, (size_t)(info->nranges + 1) * sizeof(*grown));
			if (!grown)
				return -ENOMEM;
			info->ranges = grown;
			info->ranges[info->nranges++] = rg;
		}
	}
	return 0;
}

void hm_damon_info_free(struct hm_damon_info *info)
{
	free(info->ranges);
	info->ranges = NULL;
	info->nranges = 0;
}

/* ---- our kdamond ---- */

/* Writes base/rel = val; on failure fills why naming the file. */
static int put(const char *base, const char *rel, const char *val, char *why, size_t size)
{
	char path[512];
	int err;

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	err = write_str(path, val);
	if (err)
		snprintf(why, size, "writing '%s' to %s: %s", val, path, strerror(-err));
	return err;
}

static int put_u64(const char *base, const char *rel, uint64_t v, char *why, size_t size)
{
	char val[32];

	snprintf(val, sizeof(val), "%lu", (unsigned long)v);
	return put(base, rel, val, why, size);
}

/* Everything below kdamonds/N but the state: context, intervals, target, regions. */
static int configure(const char *kd_dir, const struct hm_damon_cfg *cfg, char *why, size_t size)
{
	char ctx[256], avail[128], path[512], rel[128];
	int err;

	if ((err = put(kd_dir, "contexts/nr_contexts", "1", why, size)))
		return err;
	snprintf(ctx, sizeof(ctx), "%s/contexts/0", kd_dir);
	snprintf(path, sizeof(path), "%s/avail_operations", ctx);
	if (!read_str(path, avail, sizeof(avail))) {
		for (char *c = avail; *c; c++)
			if (*c == '\n')
				*c = ' ';
		char *tok, *save, list[128];
		bool found = false;

		snprintf(list, sizeof(list), "%s", avail);
		for (tok = strtok_r(list, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
			found |= !strcmp(tok, cfg->ops);
		if (!found) {
			snprintf(why, size,
				 "DAMON has no '%s' operations here (avail_operations: %s; "
				 "CONFIG_DAMON_%s)",
				 cfg->ops, avail, !strcmp(cfg->ops, "vaddr") ? "VADDR" : "PADDR");
			return -EOPNOTSUPP;
		}
	}
	if ((err = put(ctx, "operations", cfg->ops, why, size)) ||
	    (err = put_u64(ctx, "monitoring_attrs/intervals/sample_us", cfg->sample_us, why,
			   size)) ||
	    (err = put_u64(ctx, "monitoring_attrs/intervals/aggr_us", cfg->aggr_us, why, size)) ||
	    (err = put_u64(ctx, "monitoring_attrs/intervals/update_us", cfg->update_us, why,
			   size)) ||
	    /* max before min: the kernel may check min <= max on either write. */
	    (err = put_u64(ctx, "monitoring_attrs/nr_regions/max", cfg->max_nr_regions, why,
			   size)) ||
	    (err = put_u64(ctx, "monitoring_attrs/nr_regions/min", cfg->min_nr_regions, why,
			   size)) ||
	    (err = put(ctx, "targets/nr_targets", "1", why, size)))
		return err;
	if (cfg->pid_target > 0 &&
	    (err = put_u64(ctx, "targets/0/pid_target", (uint64_t)cfg->pid_target, why, size)))
		return err;
	if ((err = put_u64(ctx, "targets/0/regions/nr_regions", (uint64_t)cfg->nranges, why, size)))
		return err;
	for (int i = 0; i < cfg->nranges; i++) {
		snprintf(rel, sizeof(rel), "targets/0/regions/%d/start", i);
		if ((err = put_u64(ctx, rel, cfg->ranges[i].start, why, size)))
			return err;
		snprintf(rel, sizeof(rel), "targets/0/regions/%d/end", i);
		if ((err = put_u64(ctx, rel, cfg->ranges[i].end, why, size)))
			return err;
	}
	return 0;
}

int hm_damon_kd_start(struct hm_damon_kd *kd, const struct hm_damon_cfg *cfg, char *why,
		      size_t size)
{
	char kd_dir[128], path[256];
	uint64_t pid = 0;
	int err, nr;

	memset(kd, 0, sizeof(*kd));
	kd->idx = -1;
	if ((err = hm_damon_sysfs_nr(&nr, why, size)))
		return err;
	if (nr != 0) {
		/* Configured by someone else (maybe about to start it): not ours to reuse,
		 * and adding one beside it would wipe it. */
		snprintf(why, size, "%d kdamond%s configured and not ours (%s/0 ...); DAMON's sysfs "
			 "cannot add one beside %s without wiping %s", nr, nr > 1 ? "s are" : " is",
			 HM_DAMON_ADMIN, nr > 1 ? "them" : "it", nr > 1 ? "them" : "it");
		return -EBUSY;
	}
	err = write_str(HM_DAMON_ADMIN "/nr_kdamonds", "1");
	if (err) {
		snprintf(why, size, "creating a kdamond (nr_kdamonds 1): %s", strerror(-err));
		return err;
	}
	kd->idx = 0;
	kd->created = true;
	snprintf(kd_dir, sizeof(kd_dir), HM_DAMON_ADMIN "/%d", kd->idx);
	err = configure(kd_dir, cfg, why, size);
	if (!err && (err = put(kd_dir, "state", "on", why, size)) == 0) {
		kd->started = true;
		snprintf(path, sizeof(path), "%s/pid", kd_dir);
		read_u64(path, &pid);
		kd->pid = (pid_t)pid;
		if (kd->pid <= 0) {
			snprintf(why, size, "kdamond %d did not start (pid %d)", kd->idx, kd->pid);
			err = -EIO;
		}
	}
	if (err)
		hm_damon_kd_stop(kd);
	return err;
}

/* Whether kdamonds/idx is still the one we started (its pid is ours); busy: unknown. */
static int kd_is_ours(const struct hm_damon_kd *kd)
{
	char path[128];
	uint64_t pid = 0;
	int err;

	if (kd->idx < 0 || !kd->started || kd->pid <= 0)
		return 0;
	snprintf(path, sizeof(path), HM_DAMON_ADMIN "/%d/pid", kd->idx);
	err = read_u64(path, &pid);
	if (err)
		return err;
	return (pid_t)(int64_t)pid == kd->pid;
}

int hm_damon_kd_commit_ranges(struct hm_damon_kd *kd, const struct hm_damon_range *r, int n,
			      char *why, size_t size)
{
	char ctx[128], rel[128];
	int err = kd_is_ours(kd);

	if (err <= 0) {
		snprintf(why, size, "kdamond %d is no longer ours (pid %d): %s", kd->idx,
			 (int)kd->pid, err ? strerror(-err) : "stopped or replaced");
		return err ? err : -EIO;
	}
	snprintf(ctx, sizeof(ctx), HM_DAMON_ADMIN "/%d/contexts/0", kd->idx);
	if ((err = put_u64(ctx, "targets/0/regions/nr_regions", (uint64_t)n, why, size)))
		return err;
	for (int i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), "targets/0/regions/%d/start", i);
		if ((err = put_u64(ctx, rel, r[i].start, why, size)))
			return err;
		snprintf(rel, sizeof(rel), "targets/0/regions/%d/end", i);
		if ((err = put_u64(ctx, rel, r[i].end, why, size)))
			return err;
	}
	snprintf(ctx, sizeof(ctx), HM_DAMON_ADMIN "/%d", kd->idx);
	return put(ctx, "state", "commit", why, size);
}

bool hm_damon_kd_running(const struct hm_damon_kd *kd)
{
	char path[128], buf[16];
	int err = kd_is_ours(kd);

	if (err == -EBUSY)
		return true; /* unknown: the caller's timeout notices a kdamond that is gone */
	if (err <= 0)
		return false;
	snprintf(path, sizeof(path), HM_DAMON_ADMIN "/%d/state", kd->idx);
	err = read_str(path, buf, sizeof(buf));
	return err == -EBUSY || (!err && !strcmp(buf, "on"));
}

void hm_damon_kd_stop(struct hm_damon_kd *kd)
{
	char path[128], buf[16];
	int nr;

	if (kd->idx < 0)
		return;
	/* "off" waits for the kdamond thread to end; only to the one we started. */
	if (kd_is_ours(kd) > 0) {
		snprintf(path, sizeof(path), HM_DAMON_ADMIN "/%d/state", kd->idx);
		if (!read_str(path, buf, sizeof(buf)) && !strcmp(buf, "on") &&
		    write_str(path, "off"))
			kd->restore_errors++;
	}
	kd->started = false;
	/* Remove what we created, unless it is no longer alone (someone added or
	 * started kdamonds since: nr_kdamonds 0 would wipe theirs). */
	if (kd->created) {
		snprintf(path, sizeof(path), HM_DAMON_ADMIN "/%d/state", kd->idx);
		if (hm_damon_sysfs_nr(&nr, buf, sizeof(buf)) || nr != kd->idx + 1 ||
		    read_str(path, buf, sizeof(buf)) || strcmp(buf, "off") ||
		    write_str(HM_DAMON_ADMIN "/nr_kdamonds", "0"))
			kd->restore_errors++;
	}
	kd->created = false;
	kd->idx = -1;
}
