// SPDX-License-Identifier: GPL-2.0
/*
 * The heatmap's target when it is ours (`mmscope heatmap -- COMMAND [ARGS]`):
 * started here, watched from its first page, and stopped when the heatmap ends.
 * A target given with -p is someone else's and is never signalled.
 *
 * Exec failure is reported through a close-on-exec pipe: the child writes errno
 * to it only when execvp fails, so the parent reads either that errno or EOF (the
 * exec succeeded) and can refuse a misspelt command before any source is opened.
 *
 * It never outlives us: every exit path of the heatmap stops and reaps it
 * (hm_target_stop), and for the paths that run no code of ours (SIGKILL, a crash)
 * the child asks the kernel, before exec, for SIGKILL when its parent dies
 * (PR_SET_PDEATHSIG; kept across exec of an ordinary binary, cleared by exec of a
 * set-user-ID or file-capability one). The parent may die between fork and that
 * prctl: then the child's parent is already someone else, and it exits instead.
 * PDEATHSIG follows the thread that forked, so the fork is done by the main thread
 * (before the TUI's worker thread exists), which lives as long as the process.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/heatmap/heatmap_cmd.h"

/* How long SIGTERM has to work before SIGKILL. */
#define STOP_GRACE_MS 2000

static void quiet_stdio(void)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd < 0)
		return;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

int hm_target_spawn(char **argv, enum hm_target_stdio stdio, pid_t *pid, char *why,
		    size_t size)
{
	int pfd[2], err = 0;
	pid_t p, parent = getpid();
	ssize_t n;

	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	p = fork();
	if (p < 0) {
		err = errno;
		close(pfd[0]);
		close(pfd[1]);
		snprintf(why, size, "fork: %s", strerror(err));
		return -err;
	}
	if (!p) {
		/* Our SIGINT/SIGTERM handlers are reset by exec; nothing else to undo. */
		close(pfd[0]);
		/* Dies with us, even when we are SIGKILLed; gone already: don't start. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL))
			goto failed;
		if (getppid() != parent)
			_exit(127);
		signal(SIGPIPE, SIG_DFL); /* ignored by us; an ignored signal survives exec */
		if (stdio == HM_STDIO_NULL)
			quiet_stdio();
		else if (stdio == HM_STDIO_TO_STDERR)
			dup2(2, 1);
		execvp(argv[0], argv);
failed:
		err = errno;
		if (write(pfd[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	close(pfd[1]);
	do
		n = read(pfd[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n == sizeof(err)) {
		waitpid(p, NULL, 0);
		snprintf(why, size, "%s: %s", argv[0], strerror(err));
		return -err;
	}
	*pid = p;
	return 0;
}

/* Waits up to ms for pid to exit; true when it was reaped. */
static bool reap_within(pid_t pid, int ms)
{
	for (int waited = 0;; waited += 10) {
		pid_t r = waitpid(pid, NULL, WNOHANG);

		if (r == pid || (r < 0 && errno == ECHILD))
			return true;
		if (waited >= ms)
			return false;
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
}

void hm_target_stop(pid_t pid)
{
	if (pid <= 0 || reap_within(pid, 0))
		return;
	kill(pid, SIGTERM);
	if (reap_within(pid, STOP_GRACE_MS))
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

bool hm_target_alive(pid_t pid)
{
	char path[64], buf[256], *paren;
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fp = fopen(path, "r");
	if (!fp)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	/* "PID (COMM) STATE ...": COMM may hold ')' so take the last one. */
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
}
