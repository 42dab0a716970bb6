/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/bpfstats.h: what one process's BPF programs cost, from the kernel's own
 * run-time statistics, for benchmarks that compare tracers.
 *
 * BPF_ENABLE_STATS(BPF_STATS_RUN_TIME) makes the kernel time every program run
 * (run_time_ns, run_cnt in struct bpf_prog_info) for as long as the returned fd
 * stays open; closing it, or the process ending, turns the statistics off again
 * unless someone else (the kernel.bpf_stats_enabled sysctl, another fd) holds
 * them on: the system is left as found. The timing is two clock reads per
 * program run, which the traced task pays while the fd is open: a small
 * overestimate of the tracer's cost (a conservative bias).
 *
 * A tracer's programs are those that did not exist before it started (an id
 * snapshot taken then) AND that it holds: a bpf-prog fd or a bpf_link fd whose
 * /proc/PID/fdinfo names the program. The second condition keeps out programs
 * other processes load in the meantime (tests running next to the benchmark).
 *
 * Header-only, with static functions: bench/bench.mk builds every .c file in bench/
 * into a binary of its own, so a second .c there would become a broken one.
 * Functions return 0 or a negative errno and never print.
 */
#ifndef MMSCOPE_BENCH_BPFSTATS_H
#define MMSCOPE_BENCH_BPFSTATS_H

#include <bpf/bpf.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define BPFSTATS_MAX_IDS 4096

/* A set of BPF program ids, unsorted (small: a linear search is enough). */
struct bpfstats_ids {
	uint32_t id[BPFSTATS_MAX_IDS];
	int n;
};

/* The programs' counters summed, at one moment. */
struct bpfstats {
	uint64_t run_time_ns, run_cnt;
	int nr_progs; /* of the set, those still loaded when read */
};

static bool bpfstats_ids_has(const struct bpfstats_ids *ids, uint32_t id)
{
	for (int i = 0; i < ids->n; i++)
		if (ids->id[i] == id)
			return true;
	return false;
}

static int bpfstats_ids_add(struct bpfstats_ids *ids, uint32_t id)
{
	if (bpfstats_ids_has(ids, id))
		return 0;
	if (ids->n == BPFSTATS_MAX_IDS)
		return -ENOSPC;
	ids->id[ids->n++] = id;
	return 0;
}

/*
 * Turns run-time statistics on; returns the fd that keeps them on (close it to
 * undo), or a negative errno (EINVAL: a kernel before 5.8; EPERM: not root).
 */
static int bpfstats_enable(void)
{
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);

	return fd < 0 ? -errno : fd;
}

/* Every program id loaded now (bpf_prog_get_next_id walk). */
static int bpfstats_snapshot(struct bpfstats_ids *ids)
{
	uint32_t id = 0;
	int err;

	ids->n = 0;
	while (!bpf_prog_get_next_id(id, &id))
		if ((err = bpfstats_ids_add(ids, id)))
			return err;
	return errno == ENOENT ? 0 : -errno;
}

/* Program ids named in /proc/PID/fdinfo: prog fds and links ("prog_id:"). */
static int bpfstats_held(pid_t pid, struct bpfstats_ids *ids)
{
	char dir[64], path[400], line[128];
	struct dirent *de;
	DIR *d;
	int err = 0;

	ids->n = 0;
	snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", (int)pid);
	d = opendir(dir);
	if (!d)
		return -errno;
	while (!err && (de = readdir(d))) {
		unsigned int id;
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue; /* closed meanwhile, or "." */
		while (!err && fgets(line, sizeof(line), f))
			if (sscanf(line, "prog_id: %u", &id) == 1)
				err = bpfstats_ids_add(ids, id);
		fclose(f);
	}
	closedir(d);
	return err;
}

/*
 * The programs PID loaded since BEFORE was taken: loaded now, not in BEFORE,
 * held by PID. Zero of them is not an error here (the caller waits and retries).
 */
static int bpfstats_owned(pid_t pid, const struct bpfstats_ids *before, struct bpfstats_ids *progs)
{
	static struct bpfstats_ids now, held;
	int err;

	progs->n = 0;
	if ((err = bpfstats_snapshot(&now)) || (err = bpfstats_held(pid, &held)))
		return err;
	for (int i = 0; i < now.n && !err; i++)
		if (!bpfstats_ids_has(before, now.id[i]) && bpfstats_ids_has(&held, now.id[i]))
			err = bpfstats_ids_add(progs, now.id[i]);
	return err;
}

/* Sums the counters of PROGS; a program unloaded meanwhile is skipped. */
static int bpfstats_read(const struct bpfstats_ids *progs, struct bpfstats *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (int i = 0; i < progs->n; i++) {
		struct bpf_prog_info info;
		uint32_t len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(progs->id[i]);

		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			int err = -errno;

			close(fd);
			return err;
		}
		close(fd);
		sum->run_time_ns += info.run_time_ns;
		sum->run_cnt += info.run_cnt;
		sum->nr_progs++;
	}
	return 0;
}

#endif /* MMSCOPE_BENCH_BPFSTATS_H */
