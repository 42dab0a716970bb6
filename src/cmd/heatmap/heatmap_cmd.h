/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `mmscope heatmap`, shared between its files: heatmap.c (options, the batch frame
 * loop, output), heatmap_source.c (choosing and opening the source, finishing its
 * frames), heatmap_target.c (-- COMMAND: start and stop the target),
 * heatmap_live.c (the TUI: a worker thread waits on the source while the main
 * thread answers keys).
 */
#ifndef MMS_CMD_HEATMAP_H
#define MMS_CMD_HEATMAP_H

#include <signal.h>
#include <stdbool.h>

#include "cli.h"
#include "lib/heatmap/heatmap.h"
#include "lib/probe/backends.h"
#include "cmd/heatmap/heatmap_view.h"

struct hm_cmd {
	struct cli *cli;
	struct hm_opts o;
	const char *want_source;  /* --source, or NULL: the first that opens */
	const struct hm_source_ops *ops;
	struct hm_source *src;
	volatile sig_atomic_t src_stop; /* o.stop in the TUI: set on quit, restart, signals */
	long max_frames;          /* --frames, 0: no limit */
	double duration;          /* -d, 0: no limit */
	uint64_t t0_ns;           /* the run's start */
	uint64_t t_offset_ns;     /* when the source was (re)opened, after t0_ns: frame
				   * times are the source's own plus this */
	char **command;           /* -- COMMAND, or NULL */
	pid_t child;              /* the command's pid (ours to stop), or 0 */
	struct hm_maps all, sel;  /* scratch for /proc/PID/maps */
	struct hm_run run;
	bool exited;              /* the target exited during the run */
};

/*
 * Opens c->ops (--source, or the first of mms_heatmap_backends[] that opens: the
 * walk `features` shows) with c->o.
 * 0, or an exit status after printing why.
 */
int hm_cmd_open_source(struct hm_cmd *c);
/*
 * Waits for the source's next frame and finishes it: the target's selected
 * mappings read right after it (the previous ones when the target is gone), the
 * regions cut to them. The source's return code, why filled on error.
 */
int hm_cmd_next(struct hm_cmd *c, struct hm_frame *f, char *why, size_t size);
/* True when the run should end after this many frames (--frames, -d). */
bool hm_cmd_done(const struct hm_cmd *c);

/* The TUI loop (heatmap_live.c); returns like a command. */
int hm_live_run(struct hm_cmd *c);

/* Where the command's output goes. */
enum hm_target_stdio {
	HM_STDIO_INHERIT,   /* our stdin, stdout, stderr (text output) */
	HM_STDIO_TO_STDERR, /* its stdout to our stderr: ours carries JSON or CSV */
	HM_STDIO_NULL,      /* /dev/null for all three: the TUI owns the terminal */
};

/* Starts argv as a child. 0, or -errno with why ("no such file") when exec failed. */
int hm_target_spawn(char **argv, enum hm_target_stdio stdio, pid_t *pid, char *why,
		    size_t size);
/* Ends our child: SIGTERM, then SIGKILL after a grace period; reaps it. */
void hm_target_stop(pid_t pid);
/* True while pid exists (ours or not; a zombie counts as gone). */
bool hm_target_alive(pid_t pid);

#endif
