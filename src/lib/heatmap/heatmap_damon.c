// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The DAMON heatmap sources.
 *
 * damon-vaddr: a kdamond of ours monitors the target's virtual address space
 * (operations vaddr, sample_us = aging, aggr_us = aggregate, no schemes); every
 * aggregation, its regions come out of damon:damon_aggregated through our BPF
 * collector, already in the target's virtual addresses.
 *
 * damon-paddr: DAMON watches physical memory; we translate back. Each frame we
 * read the target's present pages and their physical addresses from pagemap, and
 * give each page the accesses of the DAMON region holding its physical address.
 *  - Own mode (no kdamond exists): a paddr kdamond of ours whose regions are the
 *    physical ranges backing the target (runs of PFNs, the narrowest gaps closed
 *    until at most MAX_RANGES remain). Pages move (reclaim, compaction, faults),
 *    so when under MIN_COVERED of the target's pages lie in the monitored ranges
 *    we recompute them and `commit`.
 *  - Shared mode (a paddr kdamond that is not ours runs): DAMON's sysfs cannot
 *    start a second kdamond while one runs, and stopping or reconfiguring someone
 *    else's monitoring (and its schemes) is not ours to do. So
 *    never write anything then, but read that kdamond's regions read-only (the
 *    BPF program filters on its pid) and translate those that overlap the
 *    target's pages. Its intervals are its own (read from its sysfs files), and
 *    describe() says so with the share of the target's pages it covers; when it
 *    covers less than half, refuse (-EBUSY) rather than draw a mostly empty map.
 * Either way, a kdamond that is not ours and not usable (vaddr asked, or not
 * paddr) makes the source refuse with -EBUSY, naming it.
 *
 * Ours is only what we created (heatmap_damon_sysfs.c): a kdamond whose files
 * stay busy (EBUSY past the retries) is unknown, never taken for absent or
 * stopped, so the source refuses (-EBUSY) rather than start one; a configured,
 * stopped kdamond that is not ours is not reused. Deciding and starting happen
 * under HM_LOCK_DIR/damon.lock, so a second heatmap waits, then finds the first
 * one's kdamond running and shares it read-only like any other.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "lib/heatmap/heatmap_damon.h"

#define MAX_RANGES 256     /* own paddr kdamond: initial regions */
#define MIN_COVERED 0.9    /* recommit the ranges below this share of pages monitored */
#define LIVENESS_NS 500000000ull
/* A shared kdamond's frames are called coarse below this many samples per frame
 * (accesses in steps of 1/20 or coarser), or with regions larger than this on
 * average (DAMON checks one page per region per sample). */
#define HM_COARSE_SAMPLES 20
#define HM_COARSE_REGION (1u << 20)
#define MAX_KDAMONDS 64

struct hm_source {
	struct hm_opts o;
	bool paddr, shared;
	struct hm_damon_col col;
	struct hm_damon_kd kd;       /* own kdamond */
	int kd_idx;                  /* the kdamond watched, ours or not */
	pid_t kd_pid;
	uint64_t sample_us, aggr_us;
	uint64_t t0_ns, last_check_ns, last_frame_ns;
	/* damon-paddr */
	struct hm_pa_pages pages;
	int pagemap_fd;
	struct hm_damon_range *ranges; /* own mode: what the kdamond monitors */
	int nranges;
	unsigned commits;
	double covered;                /* share of resident pages in monitored regions */
	int nregions;                  /* of the last aggregation */
	uint64_t shared_bytes;         /* shared: physical bytes its regions span */
	char desc[640];
};

static void fmt_us(uint64_t us, char *buf, size_t size)
{
	if (us < 1000)
		snprintf(buf, size, "%lu us", (unsigned long)us);
	else if (us < 1000000 || us % 1000000)
		snprintf(buf, size, "%g ms", us / 1e3);
	else
		snprintf(buf, size, "%lu s", (unsigned long)(us / 1000000));
	if (us >= 1000000 && us % 1000000)
		snprintf(buf, size, "%g s", us / 1e6);
}

/* The target is gone, or a zombie (its memory is). */
static bool target_gone(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	bool gone = true;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return true;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) && p[1] == ' ')
		gone = p[2] == 'Z' || p[2] == 'X';
	fclose(f);
	return gone;
}

static void free_all(struct hm_damon_info *infos, int n)
{
	for (int i = 0; i < n; i++)
		hm_damon_info_free(&infos[i]);
}

/* Every kdamond; one that cannot be read makes the picture unknown: -EBUSY. */
static int read_all(struct hm_damon_info *infos, int *n, char *why, size_t size)
{
	int nr, err = hm_damon_sysfs_nr(&nr, why, size);

	*n = 0;
	if (err)
		return err;
	for (int i = 0; i < nr && *n < MAX_KDAMONDS; i++) {
		err = hm_damon_info_read(i, &infos[*n]);
		if (!err) {
			(*n)++;
			continue;
		}
		hm_damon_info_free(&infos[*n]);
		free_all(infos, *n);
		*n = 0;
		snprintf(why, size, "kdamond %d: reading %s/%d: %s; whether it runs is unknown, so "
			 "none of ours is started and it is not used", i, HM_DAMON_ADMIN, i,
			 err == -EBUSY ? "DAMON's sysfs stayed busy" : strerror(-err));
		return -EBUSY;
	}
	return 0;
}

/* The lock under which a DAMON source decides and starts (see above). */
static int damon_lock(struct hm_lock *l, char *why, size_t size)
{
	char holder[128];
	int err = hm_lock_take(l, "damon.lock", true, holder, sizeof(holder));

	if (err)
		snprintf(why, size, "%s/damon.lock: %s", HM_LOCK_DIR, strerror(-err));
	return err;
}

static bool has_ops(const char *avail, const char *ops)
{
	char list[64], *tok, *save;

	snprintf(list, sizeof(list), "%s", avail);
	for (tok = strtok_r(list, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		if (!strcmp(tok, ops))
			return true;
	return false;
}

/* -EOPNOTSUPP when a context we can read without writing lists the operation sets
 * and ops is not among them. */
static int check_avail(const struct hm_damon_info *infos, int n, const char *ops, char *why,
		       size_t size)
{
	for (int i = 0; i < n; i++) {
		if (!infos[i].avail[0] || has_ops(infos[i].avail, ops))
			continue;
		snprintf(why, size, "DAMON has no '%s' operations on this kernel (avail_operations: "
			 "%s; CONFIG_DAMON_%s)", ops, infos[i].avail,
			 !strcmp(ops, "vaddr") ? "VADDR" : "PADDR");
		return -EOPNOTSUPP;
	}
	return 0;
}

static void busy_why(const struct hm_damon_info *k, char *why, size_t size)
{
	snprintf(why, size, "kdamond %d (pid %d) runs and is not ours; DAMON's sysfs cannot start "
		 "another while it runs", k->idx, (int)k->pid);
}

static void src_free(struct hm_source *s)
{
	hm_damon_col_close(&s->col);
	hm_damon_kd_stop(&s->kd);
	hm_pa_pages_free(&s->pages);
	if (s->pagemap_fd >= 0)
		close(s->pagemap_fd);
	free(s->ranges);
	free(s);
}

static struct hm_source *src_new(const struct hm_opts *o, bool paddr)
{
	struct hm_source *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->o = *o;
	if (!s->o.aging_us)
		s->o.aging_us = HM_DEFAULT_AGING_US;
	if (!s->o.aggregate_us)
		s->o.aggregate_us = HM_DEFAULT_AGGREGATE_US;
	s->paddr = paddr;
	s->pagemap_fd = -1;
	s->kd.idx = -1;
	s->sample_us = s->o.aging_us;
	s->aggr_us = s->o.aggregate_us;
	return s;
}

/* Common to both sources: root, the target, DAMON's sysfs. */
static int open_checks(const struct hm_opts *o, char *why, size_t size)
{
	if (geteuid() != 0) {
		snprintf(why, size, "DAMON's sysfs interface and BPF need root");
		return -EPERM;
	}
	if (o->pid <= 0 || (kill(o->pid, 0) && errno == ESRCH)) {
		snprintf(why, size, "no process %d", (int)o->pid);
		return -ESRCH;
	}
	return 0;
}

static struct hm_damon_cfg own_cfg(const struct hm_source *s, const char *ops)
{
	uint64_t update = s->aggr_us > 1000000 ? s->aggr_us : 1000000;

	/* Regions: enough to resolve a few MiB out of GiBs; DAMON's cost is per region
	 * and sample, 2000 x 10 samples/s is negligible. Mappings (vaddr) are
	 * re-read every update_us: once per frame, at least once a second. */
	return (struct hm_damon_cfg){ .ops = ops, .pid_target = s->o.pid,
				      .sample_us = s->sample_us, .aggr_us = s->aggr_us,
				      .update_us = update, .min_nr_regions = 50,
				      .max_nr_regions = 2000 };
}

/* ---- damon-vaddr ---- */

static int vaddr_open(struct hm_source **out, const struct hm_opts *o, char *why, size_t size)
{
	struct hm_damon_info infos[MAX_KDAMONDS];
	struct hm_lock lock = { .fd = -1 };
	struct hm_damon_cfg cfg;
	struct hm_source *s;
	int n, err;

	*out = NULL;
	if ((err = open_checks(o, why, size)) || (err = damon_lock(&lock, why, size)))
		return err;
	if ((err = read_all(infos, &n, why, size))) {
		hm_lock_release(&lock);
		return err;
	}
	err = check_avail(infos, n, "vaddr", why, size);
	for (int i = 0; i < n && !err; i++)
		if (infos[i].on) {
			busy_why(&infos[i], why, size);
			err = -EBUSY;
		}
	if (err == -EOPNOTSUPP) /* say also why it could not be tried anyway */
		for (int i = 0; i < n; i++)
			if (infos[i].on) {
				size_t len = strlen(why);

				snprintf(why + len, size - len, "; and kdamond %d (pid %d) runs, not ours",
					 infos[i].idx, (int)infos[i].pid);
				break;
			}
	free_all(infos, n);
	if (!err && !(s = src_new(o, false)))
		err = -ENOMEM;
	if (err) {
		hm_lock_release(&lock);
		return err;
	}
	/* BPF first: when it cannot load, DAMON's sysfs was never touched. */
	err = hm_damon_col_open(&s->col, why, size);
	if (!err) {
		cfg = own_cfg(s, "vaddr");
		err = hm_damon_kd_start(&s->kd, &cfg, why, size);
	}
	hm_lock_release(&lock);
	if (err) {
		src_free(s);
		return err;
	}
	s->kd_idx = s->kd.idx;
	s->kd_pid = s->kd.pid;
	hm_damon_col_watch(&s->col, s->kd_pid, 1);
	s->t0_ns = s->last_frame_ns = mms_monotonic_ns();
	*out = s;
	return 0;
}

/* ---- damon-paddr ---- */

static int paddr_pages(struct hm_source *s, char *why, size_t size)
{
	int err = hm_pa_pages_read(s->o.pid, &s->o.roi, &s->pagemap_fd, &s->pages);

	if (err == -ESRCH)
		snprintf(why, size, "process %d exited", (int)s->o.pid);
	else if (err == -EPERM)
		snprintf(why, size, "/proc/%d/pagemap hides PFNs: needs CAP_SYS_ADMIN", (int)s->o.pid);
	else if (err)
		snprintf(why, size, "reading /proc/%d/pagemap: %s", (int)s->o.pid, strerror(-err));
	return err;
}

/* The running kdamond to share: paddr, most of the target's pages in its ranges. */
static int pick_shared(struct hm_source *s, struct hm_damon_info *infos, int n, char *why,
		       size_t size)
{
	int best = -1, first_on = -1;
	size_t best_in = 0;

	for (int i = 0; i < n; i++) {
		size_t in;

		if (!infos[i].on)
			continue;
		if (first_on < 0)
			first_on = i;
		if (strcmp(infos[i].ops, "paddr"))
			continue;
		in = hm_pa_covered(&s->pages, infos[i].ranges, infos[i].nranges);
		if (best < 0 || in > best_in) {
			best = i;
			best_in = in;
		}
	}
	if (first_on < 0)
		return 0; /* none runs: own mode */
	if (best < 0) {
		busy_why(&infos[first_on], why, size);
		return -EBUSY;
	}
	/* A map that shows a sliver of the target is worse than a coarser source
	 * that shows all of it: below half, refuse, and the automatic choice goes on. */
	if (best_in * 2 < s->pages.n || !best_in) {
		struct hm_damon_info *k = &infos[best];

		snprintf(why, size, "kdamond %d (pid %d) runs paddr and is not ours (read-only use), "
			 "but only %zu of the target's %zu resident pages lie in its monitored ranges "
			 "(%d, 0x%lx-0x%lx; half are needed); DAMON's sysfs cannot start another while it runs",
			 k->idx, (int)k->pid, best_in, s->pages.n, k->nranges,
			 (unsigned long)(k->nranges ? k->ranges[0].start : 0),
			 (unsigned long)(k->nranges ? k->ranges[k->nranges - 1].end : 0));
		return -EBUSY;
	}
	s->shared = true;
	s->kd_idx = infos[best].idx;
	s->kd_pid = infos[best].pid;
	s->sample_us = infos[best].sample_us ? infos[best].sample_us : 1;
	s->aggr_us = infos[best].aggr_us ? infos[best].aggr_us : s->sample_us;
	s->covered = (double)best_in / (double)s->pages.n;
	for (int i = 0; i < infos[best].nranges; i++)
		s->shared_bytes += infos[best].ranges[i].end - infos[best].ranges[i].start;
	return infos[best].ntargets ? (int)infos[best].ntargets : 1;
}

static int paddr_open(struct hm_source **out, const struct hm_opts *o, char *why, size_t size)
{
	struct hm_damon_info infos[MAX_KDAMONDS];
	struct hm_lock lock = { .fd = -1 };
	struct hm_damon_cfg cfg;
	struct hm_source *s;
	int n = 0, err, ntargets = 0;

	*out = NULL;
	if ((err = open_checks(o, why, size)))
		return err;
	if (!(s = src_new(o, true)))
		return -ENOMEM;
	if ((err = damon_lock(&lock, why, size)) || (err = read_all(infos, &n, why, size)) || (err = paddr_pages(s, why, size)))
		goto fail;
	if (!s->pages.n) {
		snprintf(why, size, "process %d has no resident pages in the selected mappings",
			 (int)o->pid);
		err = -ENODATA;
		goto fail;
	}
	if ((err = check_avail(infos, n, "paddr", why, size)))
		goto fail;
	if ((ntargets = pick_shared(s, infos, n, why, size)) < 0) {
		err = ntargets;
		goto fail;
	}
	err = hm_damon_col_open(&s->col, why, size);
	if (err)
		goto fail;
	if (!s->shared) {
		err = hm_pa_ranges(&s->pages, MAX_RANGES, &s->ranges, &s->nranges);
		if (!err) {
			cfg = own_cfg(s, "paddr");
			cfg.pid_target = 0;
			cfg.ranges = s->ranges;
			cfg.nranges = s->nranges;
			if (cfg.max_nr_regions < 4u * (unsigned)s->nranges)
				cfg.max_nr_regions = 4u * (unsigned)s->nranges;
			err = hm_damon_kd_start(&s->kd, &cfg, why, size);
		}
		if (err)
			goto fail;
		s->kd_idx = s->kd.idx;
		s->kd_pid = s->kd.pid;
		s->covered = 1;
		ntargets = 1;
	}
	hm_lock_release(&lock);
	hm_damon_col_watch(&s->col, s->kd_pid, (uint32_t)ntargets);
	s->t0_ns = s->last_frame_ns = mms_monotonic_ns();
	free_all(infos, n);
	*out = s;
	return 0;
fail:
	free_all(infos, n);
	src_free(s);
	hm_lock_release(&lock);
	return err;
}

/* Own mode: monitor where the target's pages are now, when too many moved away. */
static int paddr_follow(struct hm_source *s, char *why, size_t size)
{
	struct hm_damon_range *r;
	int n, err;

	if (s->shared || !s->pages.n ||
	    (double)hm_pa_covered(&s->pages, s->ranges, s->nranges) >= MIN_COVERED * s->pages.n)
		return 0;
	if ((err = hm_pa_ranges(&s->pages, MAX_RANGES, &r, &n)))
		return err;
	err = hm_damon_kd_commit_ranges(&s->kd, r, n, why, size);
	if (err) {
		free(r);
		return err;
	}
	free(s->ranges);
	s->ranges = r;
	s->nranges = n;
	s->commits++;
	return 0;
}

/* ---- both ---- */

static int check_alive(struct hm_source *s, char *why, size_t size)
{
	struct hm_damon_info k;
	bool on;
	int err;

	if (target_gone(s->o.pid)) {
		snprintf(why, size, "process %d exited", (int)s->o.pid);
		return -ESRCH;
	}
	if (s->shared) {
		err = hm_damon_info_read(s->kd_idx, &k);
		/* Busy: unknown, not stopped (the timeout below notices one that is gone). */
		on = err == -EBUSY || (!err && k.on && k.pid == s->kd_pid);
		hm_damon_info_free(&k);
	} else {
		on = hm_damon_kd_running(&s->kd);
	}
	if (!on) {
		snprintf(why, size, "kdamond %d (pid %d) stopped", s->kd_idx, (int)s->kd_pid);
		return -EIO;
	}
	/* Several aggregations and no frame: say so instead of waiting forever. */
	if (mms_monotonic_ns() - s->last_frame_ns > 3 * s->aggr_us * 1000 + 5000000000ull) {
		snprintf(why, size, "no damon_aggregated event from kdamond %d (pid %d) in %lu s",
			 s->kd_idx, (int)s->kd_pid,
			 (unsigned long)((mms_monotonic_ns() - s->last_frame_ns) / 1000000000));
		return -ETIMEDOUT;
	}
	return 0;
}

static int build_frame(struct hm_source *s, struct hm_frame *f, char *why, size_t size)
{
	const struct hm_damon_aggr *a = &s->col.done;
	uint32_t samples = (uint32_t)(s->aggr_us / (s->sample_us ? s->sample_us : 1));
	long placed;
	int err;

	if (!samples)
		samples = 1;
	f->t_ns = a->ts_ns > s->t0_ns ? a->ts_ns - s->t0_ns : 0;
	f->samples = samples;
	s->nregions = a->n;
	if (!s->paddr) {
		for (int i = 0; i < a->n; i++) {
			uint32_t hits = a->r[i].nr_accesses < samples ? a->r[i].nr_accesses : samples;

			if ((err = hm_frame_push(f, a->r[i].start, a->r[i].end,
						 (double)hits / samples)))
				return err;
		}
		return 0;
	}
	if ((err = paddr_pages(s, why, size)))
		return err;
	placed = hm_pa_translate(&s->pages, a, samples, f);
	if (placed < 0)
		return (int)placed;
	s->covered = s->pages.n ? (double)placed / (double)s->pages.n : 0;
	return paddr_follow(s, why, size);
}

static int damon_next(struct hm_source *s, struct hm_frame *f, char *why, size_t size)
{
	for (;;) {
		uint64_t now;
		int rc;

		if (s->o.stop && *s->o.stop)
			return -EINTR;
		rc = hm_damon_col_poll(&s->col, 100);
		if (rc < 0) {
			snprintf(why, size, "reading the ring buffer: %s", strerror(-rc));
			return rc;
		}
		if (rc == 1) {
			rc = build_frame(s, f, why, size);
			hm_damon_col_take(&s->col);
			s->last_frame_ns = mms_monotonic_ns();
			return rc;
		}
		now = mms_monotonic_ns();
		if (now - s->last_check_ns >= LIVENESS_NS) {
			s->last_check_ns = now;
			if ((rc = check_alive(s, why, size)))
				return rc;
		}
	}
}

/* Appends to desc (cut at its size): the first note after "; coarse:", the others after ",". */
static void note(struct hm_source *s, bool *first, const char *fmt, ...)
{
	size_t len = strlen(s->desc);
	va_list ap;

	if (len + 1 >= sizeof(s->desc))
		return;
	len += (size_t)snprintf(s->desc + len, sizeof(s->desc) - len, "%s",
				*first ? "; coarse:" : ",");
	*first = false;
	if (len + 1 >= sizeof(s->desc))
		return;
	va_start(ap, fmt);
	vsnprintf(s->desc + len, sizeof(s->desc) - len, fmt, ap);
	va_end(ap);
}

/*
 * A kdamond that is not ours runs at its own intervals: say when they make the
 * frames coarser than asked. Frames longer than --aggregate, samples sparser than
 * --aging, few samples per frame (accesses then come in steps of 1/N), and large
 * regions: DAMON checks one page per region per sample, and a physical region of
 * megabytes holds other processes' pages whose accesses count for the target's.
 * Appends "; coarse: ..." to desc, or nothing.
 */
static void coarse_note(struct hm_source *s)
{
	uint64_t per = s->aggr_us / (s->sample_us ? s->sample_us : 1);
	char have[32], want[32];
	bool first = true;

	if (s->aggr_us > s->o.aggregate_us) {
		fmt_us(s->aggr_us, have, sizeof(have));
		fmt_us(s->o.aggregate_us, want, sizeof(want));
		note(s, &first, " frames every %s, not --aggregate's %s", have, want);
	}
	if (s->sample_us > s->o.aging_us) {
		fmt_us(s->sample_us, have, sizeof(have));
		fmt_us(s->o.aging_us, want, sizeof(want));
		note(s, &first, " a sample every %s, not --aging's %s", have, want);
	}
	if (per < HM_COARSE_SAMPLES)
		note(s, &first, " %lu samples per frame, so accesses come in steps of 1/%lu",
		     (unsigned long)per, (unsigned long)(per ? per : 1));
	if (s->nregions && s->shared_bytes / (uint64_t)s->nregions > HM_COARSE_REGION)
		note(s, &first, " %d regions over %.1f GiB, %.1f MiB each on average, shared with "
		     "other processes' pages, one page of each sampled", s->nregions,
		     (double)s->shared_bytes / (1 << 30),
		     (double)s->shared_bytes / s->nregions / (1 << 20));
}

static const char *damon_describe(struct hm_source *s)
{
	char sample[32], aggr[32];
	uint64_t lost = hm_damon_col_lost(&s->col);
	size_t len;

	fmt_us(s->sample_us, sample, sizeof(sample));
	fmt_us(s->aggr_us, aggr, sizeof(aggr));
	if (s->shared)
		snprintf(s->desc, sizeof(s->desc),
			 "shared: kdamond %d (pid %d) is not ours, read-only; its intervals %s / %s; "
			 "%.0f%% of the target's resident pages lie in its monitored ranges",
			 s->kd_idx, (int)s->kd_pid, sample, aggr, 100 * s->covered);
	if (s->shared)
		coarse_note(s);
	else if (s->paddr)
		snprintf(s->desc, sizeof(s->desc),
			 "own kdamond %d (pid %d), paddr over %d physical ranges of the target, %s / "
			 "%s, %d regions; %.0f%% of resident pages monitored, ranges committed %u "
			 "times", s->kd_idx, (int)s->kd_pid, s->nranges, sample, aggr, s->nregions,
			 100 * s->covered, s->commits);
	else
		snprintf(s->desc, sizeof(s->desc), "own kdamond %d (pid %d), vaddr, %s / %s, %d regions",
			 s->kd_idx, (int)s->kd_pid, sample, aggr, s->nregions);
	len = strlen(s->desc);
	if (lost)
		snprintf(s->desc + len, sizeof(s->desc) - len,
			 "; %lu regions lost (ring buffer full)", (unsigned long)lost);
	return s->desc;
}

static void damon_close(struct hm_source *s)
{
	if (s)
		src_free(s);
}

const struct hm_source_ops hm_src_damon_vaddr = {
	.name = "damon-vaddr",
	.open = vaddr_open,
	.next = damon_next,
	.describe = damon_describe,
	.close = damon_close,
};

const struct hm_source_ops hm_src_damon_paddr = {
	.name = "damon-paddr",
	.open = paddr_open,
	.next = damon_next,
	.describe = damon_describe,
	.close = damon_close,
};
