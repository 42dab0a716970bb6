// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Loader of syscalls.bpf.c and readers of its maps (see syscalls.h). The
 * per-syscall flags the programs test (traced, no return, which argument is a
 * length) are computed here from the generated name tables and written to
 * read-only data before load, so the kernel side never compares names.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/trace/syscalls.h"
#include "lib/trace/sysnames.h"
#include "syscalls.skel.h"
#include "syscalls_nocas.skel.h"
#include "lib/trace/skel_nocas.h"

const char *const mms_sys_mm_names[] = {
	"mmap", "mmap2", "munmap", "mremap", "brk", "madvise", "process_madvise", "mprotect",
	"pkey_mprotect", "mlock", "mlock2", "mlockall", "munlock", "munlockall", "msync",
	"mincore", "move_pages", "mbind", "set_mempolicy", "set_mempolicy_home_node",
	"userfaultfd", "memfd_create", NULL,
};

/*
 * The bytes a call asks for. mremap: the new length (what the mapping becomes);
 * process_madvise: its return, the bytes it advised (its lengths are in an iovec);
 * move_pages counts pages, brk takes an address: neither has a length in bytes.
 */
int mms_sys_len_arg(const char *name)
{
	static const struct {
		const char *name;
		int arg;
	} len[] = {
		{ "mmap", 1 }, { "mmap2", 1 }, { "munmap", 1 }, { "mremap", 2 },
		{ "madvise", 1 }, { "process_madvise", -2 }, { "mprotect", 1 },
		{ "pkey_mprotect", 1 }, { "mlock", 1 }, { "mlock2", 1 }, { "munlock", 1 },
		{ "msync", 1 }, { "mincore", 1 }, { "mbind", 1 },
		{ "set_mempolicy_home_node", 1 },
	};

	for (size_t i = 0; i < sizeof(len) / sizeof(len[0]); i++)
		if (!strcmp(len[i].name, name))
			return len[i].arg;
	return -1;
}

static uint8_t slot_flags(unsigned slot, const struct mms_syscalls_opts *so)
{
	char name[64];
	const char *base;
	uint8_t f = 0;
	int arg;

	if (!so->traced || so->traced[slot])
		f |= MMS_SYSF_TRACED;
	mms_sys_slot_name(slot, name, sizeof(name));
	base = strchr(name, ':') ? strchr(name, ':') + 1 : name;
	if (!strcmp(base, "exit") || !strcmp(base, "exit_group"))
		f |= MMS_SYSF_NORETURN;
	/* i386's "mmap" is old_mmap, whose one argument points to a struct. */
	if (slot >= MMS_SYS_COMPAT_BASE && !strcmp(base, "mmap"))
		return f;
	arg = mms_sys_len_arg(base);
	if (arg == -2)
		f |= MMS_SYSF_LEN_RET;
	else if (arg >= 0)
		f |= (uint8_t)((arg + 1) << MMS_SYSF_LEN_SHIFT);
	return f;
}

static void destroy(void *skel)
{
	syscalls_bpf__destroy(skel);
}

/* One attempt: the first build of syscalls.bpf.c, or its nocas build (skel_nocas.h). */
static int load(struct mms_tracer *t, const struct mms_tracer_opts *o, bool nocas, char *why,
		size_t size)
{
	static const struct mms_syscalls_opts none;
	const struct mms_syscalls_opts *so = o->syscalls ? o->syscalls : &none;
	bool grouped = so->group_by != MMS_SYS_BY_SYSCALL;
	struct syscalls_bpf *skel;
	int err;

	mms_tracer_init(t, o);
	skel = nocas ? MMS_SKEL_OPEN_NOCAS(syscalls_bpf, syscalls_nocas_bpf) : syscalls_bpf__open();
	err = mms_tracer_adopt(t, skel, skel ? skel->obj : NULL, destroy, "syscalls", why, size);
	if (err)
		return err;
	MMS_TASK_FILTER_APPLY(skel, &o->filter);
	skel->rodata->group_by = so->group_by;
	skel->rodata->filter_sys = so->traced != NULL;
	skel->rodata->errors_only = so->errors_only;
	skel->rodata->mm_bytes = so->mm_bytes;
	skel->rodata->want_args = so->slow_ns || so->record_n;
	skel->rodata->slow_ns = so->slow_ns;
	skel->rodata->record_n = so->record_n;
	if (so->comm) {
		skel->rodata->filter_comm = true;
		strncpy((char *)skel->rodata->targ_comm, so->comm, 15);
	}
	for (unsigned slot = 0; slot < MMS_SYS_SLOTS; slot++)
		skel->rodata->sys_flags[slot] = slot_flags(slot, so);
	skel->rodata->events_wakeup_bytes = bpf_map__max_entries(skel->maps.events) / 4;
	/* Maps a mode does not use keep one entry; the hashes allocate as they fill. */
	bpf_map__set_max_entries(skel->maps.gstats,
				 grouped ? (so->max_groups ? so->max_groups : 16384) : 1);
	if (so->group_by != MMS_SYS_BY_PROCESS)
		bpf_map__set_max_entries(skel->maps.comms, 1);
	/* One way of counting is loaded: timed (enter and exit) or exit only. --slow and
	 * --record time their calls and keep arguments from the entry: they need it. */
	if (so->latency || so->slow_ns || so->record_n) {
		bpf_program__set_autoload(skel->progs.raw_tp_sys_exit_count, false);
	} else {
		bpf_program__set_autoload(skel->progs.raw_tp_sys_enter, false);
		bpf_program__set_autoload(skel->progs.raw_tp_sys_exit, false);
		bpf_map__set_max_entries(skel->maps.inflight, 1);
		bpf_map__set_max_entries(skel->maps.spill, 1);
	}
	if (!so->record_n) {
		bpf_map__set_max_entries(skel->maps.records, 1);
		bpf_program__set_autoload(skel->progs.raw_tp_sched_process_exit, false);
	}
	return mms_tracer_loaded(t, syscalls_bpf__load(skel), "syscalls", why, size);
}

int mms_syscalls_tracer_open(struct mms_tracer *t, const struct mms_tracer_opts *o, char *why,
			     size_t size)
{
	return mms_tracer_open_nocas(t, o, load, why, size);
}

static struct syscalls_bpf *skel_of(const struct mms_tracer *t)
{
	return t->skel;
}

/* Sums n per-CPU copies of a struct mms_sys_stat; false when it has no calls. */
static bool sum_stat(const struct mms_sys_stat *v, int ncpu, struct mms_sys_stat *out)
{
	memset(out, 0, sizeof(*out));
	for (int c = 0; c < ncpu; c++) {
		const struct mms_sys_stat *s = &v[c];

		out->calls += s->calls;
		out->errors += s->errors;
		out->total_ns += s->total_ns;
		out->bytes += s->bytes;
		if (s->max_ns > out->max_ns)
			out->max_ns = s->max_ns;
		for (int b = 0; b < MMS_SYS_BUCKETS; b++)
			out->hist[b] += s->hist[b];
	}
	return out->calls != 0;
}

int mms_syscalls_read(const struct mms_tracer *t, const struct mms_syscalls_opts *o,
		      mms_sys_stat_fn fn, void *ctx)
{
	struct syscalls_bpf *skel = skel_of(t);
	int ncpu = libbpf_num_possible_cpus(), err = 0;
	struct mms_sys_stat *v, sum;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (!o || o->group_by == MMS_SYS_BY_SYSCALL) {
		int fd = bpf_map__fd(skel->maps.stats);

		for (uint32_t slot = 0; slot < MMS_SYS_SLOTS && !err; slot++) {
			if (bpf_map_lookup_elem(fd, &slot, v))
				err = -errno;
			else if (sum_stat(v, ncpu, &sum))
				fn(ctx, 0, slot, &sum);
		}
	} else {
		int fd = bpf_map__fd(skel->maps.gstats);
		struct mms_sys_gkey key, next;
		void *prev = NULL;

		while (!bpf_map_get_next_key(fd, prev, &next)) {
			key = next;
			prev = &key;
			if (bpf_map_lookup_elem(fd, &key, v))
				continue; /* gone meanwhile */
			if (sum_stat(v, ncpu, &sum))
				fn(ctx, key.group, key.slot, &sum);
		}
	}
	free(v);
	return err;
}

int mms_syscalls_read_errnos(const struct mms_tracer *t,
			     void (*fn)(void *ctx, uint64_t group, uint32_t slot, uint32_t err,
					uint64_t n),
			     void *ctx)
{
	int fd = bpf_map__fd(skel_of(t)->maps.errnos), ncpu = libbpf_num_possible_cpus();
	struct mms_sys_ekey key, next;
	void *prev = NULL;
	uint64_t *v;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		uint64_t n = 0;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, v))
			continue;
		for (int c = 0; c < ncpu; c++)
			n += v[c];
		if (n)
			fn(ctx, key.group, key.slot, key.err, n);
	}
	free(v);
	return 0;
}

int mms_syscalls_comm(const struct mms_tracer *t, uint64_t tgid, char comm[16])
{
	if (bpf_map_lookup_elem(bpf_map__fd(skel_of(t)->maps.comms), &tgid, comm))
		return -ENOENT;
	comm[15] = '\0';
	return 0;
}

uint64_t mms_syscalls_overflow(const struct mms_tracer *t)
{
	return mms_percpu_sum(bpf_map__fd(skel_of(t)->maps.overflow), 0);
}

int mms_syscalls_read_records(const struct mms_tracer *t,
			      void (*fn)(void *ctx, const struct mms_sys_record *r), void *ctx)
{
	int fd = bpf_map__fd(skel_of(t)->maps.records);
	struct mms_sys_record *r = malloc(sizeof(*r));
	uint32_t key, next;
	void *prev = NULL;

	if (!r)
		return -ENOMEM;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(fd, &key, r) && r->n)
			fn(ctx, r);
	}
	free(r);
	return 0;
}

uint64_t mms_sys_percentile(const __u64 hist[MMS_SYS_BUCKETS], uint64_t max_ns, double p)
{
	uint64_t total = 0, seen = 0;
	double rank;

	for (int b = 0; b < MMS_SYS_BUCKETS; b++)
		total += hist[b];
	if (!total)
		return 0;
	/* Nearest rank (the smallest call with p% at or below it), then its place in
	 * its bucket: a bucket's calls are taken as spread evenly over its range. */
	rank = ceil(p / 100.0 * (double)total);
	if (rank < 1)
		rank = 1;
	for (int b = 0; b < MMS_SYS_BUCKETS; b++) {
		uint64_t low, high, v;

		if (!hist[b] || (double)(seen + hist[b]) < rank) {
			seen += hist[b];
			continue;
		}
		if (!b)
			return 0;
		low = 1ull << (b - 1);
		high = (1ull << b) - 1;
		/* Linear within the bucket: the rank's share of the bucket's calls. */
		v = low + (uint64_t)((double)(high - low) * ((rank - (double)seen) / (double)hist[b]));
		return max_ns && v > max_ns ? max_ns : v;
	}
	return max_ns;
}
