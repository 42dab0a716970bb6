// SPDX-License-Identifier: GPL-2.0
/*
 * oom: cause an OOM kill inside a memory-limited cgroup (cgroup v2
 * memory.max, or v1 memory.limit_in_bytes), the memcg OOM path that
 * memory.events oom_kill (v2) and memory.oom_control oom_kill (v1) count.
 * Safe outside a VM: only the child inside the cgroup is killed.
 *
 *   oom CGROUP_DIR [LIMIT_MB]          (default 32)
 *
 * Creates CGROUP_DIR if needed, sets the limit (and memory.swap.max=0 on v2),
 * forks a child that joins the cgroup and allocates until killed, and reports
 * the signal and the cgroup's oom_kill count before and after. The cgroup is
 * left for the caller to inspect and rmdir. Exit 0 only if the child was
 * killed by SIGKILL and oom_kill moved.
 */
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "workload.h"

static char path[4096];

static const char *cg_file(const char *dir, const char *name)
{
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		die("%s: path too long", dir);
	return path;
}

/* oom_kill from memory.events (v2) or memory.oom_control (v1); -1 if neither has it. */
static long oom_kills(const char *dir, int v2)
{
	char line[256];
	long n = -1;
	FILE *f = fopen(cg_file(dir, v2 ? "memory.events" : "memory.oom_control"), "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "oom_kill ", 9))
			n = atol(line + 9);
	fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	unsigned long limit_mb = 32;
	const char *dir;
	char limit[32], pid_text[32];
	long before, after;
	int v2, err, status;
	pid_t pid;

	prog = "oom";
	if (argc < 2 || argc > 3)
		usage("CGROUP_DIR [LIMIT_MB]");
	dir = argv[1];
	if (argc == 3)
		limit_mb = parse_ulong(argv[2], "LIMIT_MB");
	if (limit_mb < 4)
		usage("CGROUP_DIR [LIMIT_MB]   (LIMIT_MB >= 4)");
	if (mkdir(dir, 0755) && errno != EEXIST)
		die("mkdir %s: %s", dir, strerror(errno));
	v2 = access(cg_file(dir, "memory.max"), F_OK) == 0;
	if (!v2 && access(cg_file(dir, "memory.limit_in_bytes"), F_OK))
		die("%s: no memory.max nor memory.limit_in_bytes: memory controller not enabled here",
		    dir);

	snprintf(limit, sizeof(limit), "%lu", limit_mb * MIB);
	err = write_text(cg_file(dir, v2 ? "memory.max" : "memory.limit_in_bytes"), limit);
	if (err)
		die("%s: %s", path, strerror(-err));
	/* Without this a v2 cgroup on a host with swap would swap instead of OOM. */
	if (v2 && access(cg_file(dir, "memory.swap.max"), F_OK) == 0)
		write_text(path, "0");
	before = oom_kills(dir, v2);

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		snprintf(pid_text, sizeof(pid_text), "%d", (int)getpid());
		err = write_text(cg_file(dir, "cgroup.procs"), pid_text);
		if (err)
			die("%s: %s", path, strerror(-err));
		/* 1 MiB steps up to 4x the limit: far past it, so only a kill stops us. */
		for (unsigned long mb = 0; mb < 4 * limit_mb; mb++)
			touch(map_anon(MIB, 0), MIB);
		_exit(3);
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid: %s", strerror(errno));
	after = oom_kills(dir, v2);
	printf("oom: %s (cgroup %s, limit %lu MiB): child %s %d; oom_kill %ld -> %ld\n", dir,
	       v2 ? "v2" : "v1", limit_mb, WIFSIGNALED(status) ? "killed by signal" : "exited",
	       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), before, after);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && after > before ? 0 : 1;
}
