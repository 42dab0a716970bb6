/* SPDX-License-Identifier: GPL-2.0 */
/* mmscope alloc: what the command's backends share (src/cmd/alloc*.c). */
#ifndef MMS_CMD_ALLOC_H
#define MMS_CMD_ALLOC_H

#include "cli.h"

enum alloc_sort { ALLOC_SORT_BYTES, ALLOC_SORT_CALLS, ALLOC_SORT_GROWTH };

struct alloc_args {
	struct cli *cli;
	struct mms_alloc_filter filter;
	enum alloc_sort sort;
	long top;          /* 0: all */
	double diff_s;     /* > 0: --diff */
	double interval;
	long count;        /* 0: until stopped */
	bool repeat;       /* INTERVAL given */
	uint32_t sample_every; /* --sample N; 0: not given (every allocation) */
};

/* The bpf-trace backend (src/cmd/alloc_trace.c); returns the exit status. */
int alloc_bpf_trace(const struct alloc_args *a);

#endif
