// SPDX-License-Identifier: GPL-2.0
/*
 * hostile: a process whose names are hostile to every output format, for the
 * tests of docs/names.md. Its comm (prctl PR_SET_NAME) holds invalid UTF-8, a
 * quote, a newline and a terminal escape sequence: "\xff\e]0;pwn\a\"\n\xfe" (the
 * escape before the newline: /proc/PID/comm, read as a line, keeps it).
 *
 *   hostile map DIR     creates DIR/HOSTILE_FILE (below), maps it shared and an
 *                       anonymous region, touches both until SIGINT/SIGTERM;
 *                       prints "hostile: mapped PATH" first
 *   hostile read FILE   reads FILE once with read() (page cache: run it in a
 *                       small memory cgroup to cause memcg reclaim), then exits
 *
 * HOSTILE_FILE is "hostile-map" followed by the bytes \xff " ' < & > \t \x7f \x9b,
 * an OSC title sequence (ESC ] 0 ; pwn BEL) and a valid "é": /proc/PID/maps shows
 * them as they are (only a newline it shows as "\012").
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>

#include "workload.h"

#define HOSTILE_COMM "\xff\x1b]0;pwn\x07\"\n\xfe"
#define HOSTILE_FILE "hostile-map\xff\"'<&>\t\x7f\x9b\x1b]0;pwn\x07\xc3\xa9.bin"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void map_and_touch(const char *dir)
{
	char path[4096];
	size_t bytes = 4 * MIB;
	char *file, *anon;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, HOSTILE_FILE) >= (int)sizeof(path))
		die("%s: path too long", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)bytes))
		die("%s: %s", dir, strerror(errno));
	file = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (file == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	anon = map_anon(bytes, MADV_NOHUGEPAGE);
	printf("hostile: mapped %s\n", dir);
	fflush(stdout);
	while (!stop) {
		touch(file, bytes);
		touch(anon, bytes / 2);
		usleep(20000);
	}
	munmap(file, bytes);
	close(fd);
	unlink(path);
}

static void read_file(const char *path)
{
	static char buf[1 << 20];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	if (n < 0)
		die("%s: read: %s", path, strerror(errno));
	close(fd);
}

int main(int argc, char **argv)
{
	prog = "hostile";
	if (argc != 3)
		usage("map DIR | read FILE");
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (prctl(PR_SET_NAME, HOSTILE_COMM, 0, 0, 0))
		die("prctl: %s", strerror(errno));
	if (!strcmp(argv[1], "map"))
		map_and_touch(argv[2]);
	else if (!strcmp(argv[1], "read"))
		read_file(argv[2]);
	else
		usage("map DIR | read FILE");
	return 0;
}
