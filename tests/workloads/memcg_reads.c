// SPDX-License-Identifier: GPL-2.0
/*
 * memcg_reads: one memcg reader, a snapshot, then for each STEP a shell command and
 * another snapshot, so that a test changes the tree exactly between two reads of the
 * same reader (no timing involved). Prints each snapshot's rows as
 *
 *   K ID PATH
 *
 * (K = 0 for the first snapshot, then the step's number), and "K end" after each.
 *
 *   memcg_reads [-b text|core] [-H HOSTROOT] [-n] ROOT [STEP...]
 *
 * -H reads a --root tree (HOSTROOT), -n makes the text backend stat directories
 * instead of watching them (its fallback without inotify). Links the library's
 * internal archive (tests/workloads/workloads.mk) for that switch.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mmscope/mmscope.h>

extern bool memcg_text_no_inotify; /* src/lib/memcg/memcg_text.c, for tests */

static int snap(struct mms_memcg_reader *r, struct mms_memcg_snapshot *s, int k)
{
	int rc = mms_memcg_reader_read(r, s);

	if (rc) {
		fprintf(stderr, "memcg_reads: read %d: %s\n", k, strerror(-rc));
		return rc;
	}
	for (int c = 0; c < s->nr_cgroups; c++)
		printf("%d %llu %s\n", k, (unsigned long long)s->ids[c],
		       mms_memcg_snapshot_path(s, c));
	printf("%d end\n", k);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	enum mms_memcg_backend b = MMS_MEMCG_TEXT;
	const char *hostroot = NULL;
	struct mms_memcg_snapshot s;
	struct mms_memcg_reader *r;
	struct mms_error err = { 0 };
	struct mms_host host;
	int stat = mms_memcg_stat_find("anon"), opt, rc;

	while ((opt = getopt(argc, argv, "b:H:n")) != -1) {
		if (opt == 'b')
			b = !strcmp(optarg, "core") ? MMS_MEMCG_CORE : MMS_MEMCG_TEXT;
		else if (opt == 'H')
			hostroot = optarg;
		else if (opt == 'n')
			memcg_text_no_inotify = true;
		else
			return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: memcg_reads [-b text|core] [-H HOSTROOT] [-n] ROOT [STEP...]\n");
		return 2;
	}
	mms_host_init(&host, hostroot);
	MMS_MEMCG_OPTS(o, .host = &host, .backend = b, .stats = &stat, .nr_stats = 1,
		       .verify_cgroup = MMS_MEMCG_VERIFY_NEVER);
	rc = mms_memcg_reader_open(argv[optind], &o, &r, &err);
	if (rc) {
		fprintf(stderr, "memcg_reads: %s: %s\n", err.file, err.msg);
		return 1;
	}
	if (mms_memcg_snapshot_alloc(&s, 4096, 1) || snap(r, &s, 0))
		return 1;
	for (int k = optind + 1; k < argc; k++) {
		if (system(argv[k])) {
			fprintf(stderr, "memcg_reads: step failed: %s\n", argv[k]);
			return 1;
		}
		if (snap(r, &s, k - optind))
			return 1;
	}
	mms_memcg_snapshot_free(&s);
	mms_memcg_reader_close(r);
	return 0;
}
