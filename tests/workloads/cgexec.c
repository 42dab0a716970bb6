// SPDX-License-Identifier: GPL-2.0
/*
 * cgexec: run a command inside a given cgroup (v1 or v2): writes its own pid
 * to CGROUP_DIR/cgroup.procs, then execs the command, so everything the
 * command allocates is charged to that cgroup from its first page.
 *
 *   cgexec CGROUP_DIR COMMAND [ARG...]
 */
#include "workload.h"

int main(int argc, char **argv)
{
	char procs[4096], pid_text[32];
	int err;

	prog = "cgexec";
	if (argc < 3)
		usage("CGROUP_DIR COMMAND [ARG...]");
	if (snprintf(procs, sizeof(procs), "%s/cgroup.procs", argv[1]) >= (int)sizeof(procs))
		die("%s: path too long", argv[1]);
	snprintf(pid_text, sizeof(pid_text), "%d", (int)getpid());
	err = write_text(procs, pid_text);
	if (err)
		die("%s: %s", procs, strerror(-err));
	execvp(argv[2], argv + 2);
	die("%s: %s", argv[2], strerror(errno));
}
