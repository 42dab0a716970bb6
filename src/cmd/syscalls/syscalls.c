// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope syscalls: system calls per syscall (or per process, per cgroup):
 * calls, errors by errno name, --mm bytes asked for and, with -L (or -H,
 * --slow, --record, --sort time|p99), total/mean/p50/p99/max latency and -H
 * log2 histograms; all aggregated in the kernel
 * (syscalls.bpf.c) and read when printed: at the end, or every INTERVAL. On
 * request, slow calls one per line (--slow MS) and a flight recorder (--record N)
 * dumped on SIGUSR1, at the end, and for each thread of a process that dies of a
 * signal. Targets: system-wide, -p PID, -c CGROUP (v1 or v2, the whole subtree),
 * --comm NAME, or -- COMMAND [ARGS] traced from its first call.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/syscalls/syscalls_cmd.h"
#include "lib/probe/backends.h"
#include "lib/trace/sysnames.h"
#include "output/view.h"

enum { OPT_BY_CGROUP = 1000, OPT_ERRORS, OPT_MM, OPT_SLOW, OPT_RECORD, OPT_SORT, OPT_COMM };

static const struct option options[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "cgroup", required_argument, NULL, 'c' },
	{ "comm", required_argument, NULL, OPT_COMM },
	{ "per-process", no_argument, NULL, 'P' },
	{ "by-cgroup", no_argument, NULL, OPT_BY_CGROUP },
	{ "syscall", required_argument, NULL, 'e' },
	{ "errors", no_argument, NULL, OPT_ERRORS },
	{ "mm", no_argument, NULL, OPT_MM },
	{ "slow", required_argument, NULL, OPT_SLOW },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "latency", no_argument, NULL, 'L' },
	{ "hist", no_argument, NULL, 'H' },
	{ "duration", required_argument, NULL, 'd' },
	{ "sort", required_argument, NULL, OPT_SORT },
	{ "top", required_argument, NULL, 'n' },
	{ 0 },
};

static int run_syscalls(struct cli *cli, int argc, char **argv);

const struct command cmd_syscalls = {
	.name = "syscalls",
	.run = run_syscalls,
	.summary = "syscall counts, errors and latency per syscall, process or cgroup",
	.usage = "[-p PID | -c CGROUP | --comm NAME] [-P | --by-cgroup] [-e NAME,...] [--errors]\n"
		 "         [--mm] [-L] [--slow MS] [--record N] [-H] [-d SECONDS] [--sort KEY] [-n N]\n"
		 "         [INTERVAL [COUNT]] [-- COMMAND [ARGS]]\n"
		 "  -p, --pid PID       only this process (all its threads)\n"
		 "  -c, --cgroup PATH   only tasks in this cgroup or below, created later too\n"
		 "                      (v1 memory or v2 path)\n"
		 "  --comm NAME         only threads of this command name\n"
		 "  -- COMMAND [ARGS]   run COMMAND and trace it from its first call; ends with it\n"
		 "  -P, --per-process   a row per process and syscall\n"
		 "  --by-cgroup         a row per memory cgroup and syscall\n"
		 "  -e, --syscall LIST  only these syscalls (names; 32-bit calls: i386:NAME, arm:NAME)\n"
		 "  --errors            only failed calls\n"
		 "  --mm                the memory syscalls (mmap, munmap, madvise, ...) with the\n"
		 "                      bytes their length arguments asked for\n"
		 "  --slow MS           print each call that took at least MS milliseconds\n"
		 "  --record N          keep each thread's last N calls (N <= 64); printed on\n"
		 "                      SIGUSR1, at the end, and when its process dies of a signal\n"
		 "  -L, --latency       time each call: total, mean, p50, p99, max (a second BPF\n"
		 "                      program, on syscall entry; without it calls are counted\n"
		 "                      on exit only, at about half the cost, and exit and\n"
		 "                      exit_group, which never return, are not seen)\n"
		 "  -H, --hist          log2 latency histogram per row (implies -L)\n"
		 "  -d, --duration S    stop after S seconds\n"
		 "  --sort KEY          calls (default), errors, or with latency time (the default\n"
		 "                      with -L) or p99\n"
		 "  -n, --top N         rows shown (default 20)\n"
		 "  INTERVAL [COUNT]    print the calls of each INTERVAL seconds\n",
};

/* "getppid,openat" into a->traced; exit 2 naming an unknown syscall. */
static int parse_syscalls(struct cli *cli, const char *list, struct sys_args *a)
{
	char *copy = strdup(list), *save = NULL, *name;
	int rc = 0;

	if (!copy)
		return cli_fail(cli, EXIT_RUNTIME, "out of memory");
	for (name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		int slot = mms_sys_slot_by_name(name);

		if (slot < 0) {
			rc = cli_fail(cli, EXIT_USAGE, "-e: no syscall '%s' on %s", name,
				      mms_sysnames_arch());
			break;
		}
		a->traced[slot] = true;
	}
	free(copy);
	if (!rc && !name && !strchr(list, ',') && !list[0])
		rc = cli_usage(cli, "-e needs syscall names");
	a->any_traced = true;
	return rc;
}

/* --mm: every memory syscall of both tables (native, and i386 for compat calls). */
static void add_mm(struct sys_args *a)
{
	char compat[64];

	for (int i = 0; mms_sys_mm_names[i]; i++) {
		int slot = mms_sys_slot_by_name(mms_sys_mm_names[i]);

		if (slot >= 0)
			a->traced[slot] = true;
		if (mms_sysnames_compat_arch()) {
			snprintf(compat, sizeof(compat), "%s:%s", mms_sysnames_compat_arch(),
				 mms_sys_mm_names[i]);
			slot = mms_sys_slot_by_name(compat);
			if (slot >= 0)
				a->traced[slot] = true;
		}
	}
	a->any_traced = true;
	a->opts.mm_bytes = true;
}

static int parse_one(struct cli *cli, int c, struct sys_args *a)
{
	static const char *const sorts[] = { "time", "calls", "errors", "p99" };
	long v;

	switch (c) {
	case 'p':
		if (cli_parse_long(cli, "-p", optarg, 1, 0x3fffffff, &v))
			return EXIT_USAGE;
		a->trace.filter.tgid = (uint32_t)v;
		return 0;
	case 'c':
		return trace_parse_cgroup(cli, optarg, &a->trace.filter);
	case OPT_COMM:
		if (!optarg[0] || strlen(optarg) > 15)
			return cli_usage(cli, "--comm NAME: 1 to 15 bytes, as the kernel keeps it");
		snprintf(a->comm, sizeof(a->comm), "%s", optarg);
		a->opts.comm = a->comm;
		return 0;
	case 'P':
		a->opts.group_by = MMS_SYS_BY_PROCESS;
		return 0;
	case OPT_BY_CGROUP:
		a->opts.group_by = MMS_SYS_BY_CGROUP;
		return 0;
	case 'e':
		return parse_syscalls(cli, optarg, a);
	case OPT_ERRORS:
		a->opts.errors_only = true;
		return 0;
	case OPT_MM:
		add_mm(a);
		return 0;
	case OPT_SLOW:
		if (trace_parse_ms(cli, "--slow", optarg, &a->opts.slow_ns))
			return EXIT_USAGE;
		if (!a->opts.slow_ns)
			a->opts.slow_ns = 1; /* --slow 0: every call */
		return 0;
	case OPT_RECORD:
		if (cli_parse_long(cli, "--record", optarg, 1, MMS_SYS_RECORD_MAX, &v))
			return EXIT_USAGE;
		a->opts.record_n = (uint32_t)v;
		return 0;
	case 'L':
		a->opts.latency = true;
		return 0;
	case 'H':
		a->trace.hist = true;
		return 0;
	case 'd':
		return cli_parse_duration(cli, optarg, &a->trace.duration) ? EXIT_USAGE : 0;
	case OPT_SORT:
		for (size_t i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++) {
			if (!strcmp(optarg, sorts[i])) {
				a->sort = (enum sys_sort)i;
				a->sort_given = true;
				return 0;
			}
		}
		return cli_usage(cli, "--sort: time, calls, errors or p99");
	case 'n':
		if (cli_parse_long(cli, "-n", optarg, 1, 100000, &v))
			return EXIT_USAGE;
		a->trace.top = (int)v;
		return 0;
	}
	return EXIT_USAGE;
}

static int parse_args(struct cli *cli, int argc, char **argv, struct sys_args *a)
{
	int c, rc, targets;
	bool given;

	a->trace.top = 20;
	/* -- COMMAND: the rest is the command's, never ours. */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			if (i + 1 == argc)
				return cli_usage(cli, "-- needs a COMMAND");
			a->command = argv + i + 1;
			argv[i] = NULL;
			argc = i;
			break;
		}
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, ":p:c:Pe:LHd:n:", options, NULL)) != -1) {
		if (c == '?' || c == ':')
			return cli_bad_option(cli, c, argv[optind - 1]);
		if ((rc = parse_one(cli, c, a)))
			return rc;
	}
	rc = cli_parse_interval(cli, argc, argv, optind, &a->trace.interval, &a->trace.count,
				&given);
	if (rc)
		return rc;
	if (!given)
		a->trace.interval = 0;
	targets = !!a->trace.filter.tgid + !!a->trace.filter.cg_mode + !!a->command;
	if (targets > 1)
		return cli_usage(cli, "-p, -c and -- COMMAND choose the target: one of them");
	if (a->any_traced)
		a->opts.traced = a->traced;
	/* Timing costs a second program per call: only when something shows it. */
	a->opts.latency |= a->trace.hist || a->opts.slow_ns || a->opts.record_n ||
			   (a->sort_given && (a->sort == SORT_TIME || a->sort == SORT_P99));
	if (!a->sort_given)
		a->sort = a->opts.latency ? SORT_TIME : SORT_CALLS;
	return 0;
}

/* ---- -- COMMAND ---- */

/*
 * The child waits on a pipe before exec, so the tracer is attached (its pid in
 * the filter) before the command's first instruction; it dies with us
 * (PR_SET_PDEATHSIG), and an exec failure comes back through the same pipe.
 */
struct child {
	pid_t pid;
	int go;        /* write end: a byte releases the child to exec */
	int status;    /* its wait status once reaped */
	bool reaped;
};

static volatile sig_atomic_t child_exited;

static void on_sigchld(int sig)
{
	child_exited = 1;
	cli_stop = 1;
}

static int child_start(struct cli *cli, char **argv, bool json, struct child *ch)
{
	int go[2], back[2], err = 0;
	pid_t parent = getpid();
	ssize_t n;

	if (pipe2(go, O_CLOEXEC) || pipe2(back, O_CLOEXEC))
		return cli_fail(cli, EXIT_RUNTIME, "pipe: %s", strerror(errno));
	ch->pid = fork();
	if (ch->pid < 0)
		return cli_fail(cli, EXIT_RUNTIME, "fork: %s", strerror(errno));
	if (!ch->pid) {
		char b;

		close(go[1]);
		close(back[0]);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		/* Under -j our stdout is the JSON stream: the command's output goes to stderr. */
		if (json)
			dup2(2, 1);
		if (read(go[0], &b, 1) != 1)
			_exit(127); /* we gave up: never run it untraced */
		execvp(argv[0], argv);
		err = errno;
		n = write(back[1], &err, sizeof(err));
		(void)n;
		_exit(127);
	}
	close(go[0]);
	close(back[1]);
	ch->go = go[1];
	/* Keep the read end for the exec check; stash it in status until released. */
	ch->status = back[0];
	return 0;
}

/* Lets the child exec; exit 2 when the command cannot be run. */
static int child_release(struct cli *cli, char **argv, struct child *ch)
{
	int back = ch->status, err = 0;
	ssize_t n;

	if (write(ch->go, "x", 1) != 1)
		return cli_fail(cli, EXIT_RUNTIME, "starting %s: %s", argv[0], strerror(errno));
	close(ch->go);
	ch->go = -1;
	n = read(back, &err, sizeof(err));
	close(back);
	ch->status = 0;
	if (n == sizeof(err)) {
		waitpid(ch->pid, &ch->status, 0);
		ch->reaped = true;
		return cli_fail(cli, err == ENOENT ? EXIT_USAGE : EXIT_RUNTIME, "%s: %s", argv[0],
				strerror(err));
	}
	return 0;
}

/* Stops and reaps the child (a command we started never outlives us). */
static void child_stop(struct child *ch)
{
	if (ch->pid <= 0 || ch->reaped)
		return;
	if (ch->go >= 0) {
		close(ch->go); /* never released: it exits on EOF */
		ch->go = -1;
	}
	if (waitpid(ch->pid, &ch->status, WNOHANG) == 0) {
		kill(ch->pid, SIGTERM);
		waitpid(ch->pid, &ch->status, 0);
	}
	ch->reaped = true;
}

/* ---- the run ---- */

struct sys_ctx {
	struct cli *cli;
	struct sys_args a;
	struct sys_view view;
	struct mms_tracer t;
	struct sys_snap prev, cur, delta;
	uint64_t start_ns, last_print_ns, interval_ns;
	uint64_t next_print_ns;         /* start + k * INTERVAL: when the next rows are due */
	long printed;
	int err;
};

static volatile sig_atomic_t dump_requested;

static void on_sigusr1(int sig)
{
	dump_requested = 1;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct sys_ctx *c = ctx;
	const uint32_t *kind = data;

	if (size >= sizeof(struct mms_sys_event) && *kind == MMS_SYS_EV_SLOW) {
		sys_view_slow(&c->view, data);
	} else if (size >= sizeof(struct mms_sys_record) && *kind == MMS_SYS_EV_DUMP) {
		const struct mms_sys_record *r = data;
		const char *sig = sigabbrev_np(r->exit_signal);
		char why[32];

		snprintf(why, sizeof(why), "died of %s%s", sig ? "SIG" : "signal ",
			 sig ? sig : "?");
		sys_view_record(&c->view, r, why);
	}
	return 0;
}

static void dump_one(void *ctx, const struct mms_sys_record *r)
{
	struct sys_ctx *c = ctx;

	sys_view_record(&c->view, r, dump_requested ? "SIGUSR1" : "end");
}

static void print_rows(struct sys_ctx *c, struct sys_snap *s, const char *type, uint64_t now)
{
	sys_snap_sort(s, c->a.sort);
	if (c->cli->json) {
		struct mms_tracer_loss loss;
		json_t *o;

		mms_tracer_loss(&c->t, &loss);
		loss.lost += mms_syscalls_overflow(&c->t);
		o = json_pack("{s:s,s:s,s:b,s:I,s:s,s:o}", "type", type, "backend",
			      mms_syscalls_backends[0].name, "timed", c->a.opts.latency, "duration_ns",
			      (json_int_t)(now - (strcmp(type, "summary") ? c->last_print_ns
									  : c->start_ns)),
			      "arch", mms_sysnames_arch(), "syscalls", sys_view_json(&c->view, s));
		trace_loss_json(o, &loss);
		if (strcmp(type, "summary"))
			json_object_set_new(o, "ts_ns", json_integer((json_int_t)now));
		if (!strcmp(type, "summary") && !c->a.trace.interval && !c->a.opts.slow_ns &&
		    !c->a.opts.record_n)
			json_emit(o); /* a summary alone is one document */
		else
			trace_json_event(o);
		return;
	}
	sys_view_table(&c->view, s);
	if (c->a.trace.hist)
		sys_view_hists(&c->view, s);
}

static int tick(void *ctx, uint64_t now)
{
	struct sys_ctx *c = ctx;
	char clock[16];
	int err;

	if (dump_requested && c->a.opts.record_n) {
		mms_syscalls_read_records(&c->t, dump_one, c);
		dump_requested = 0;
		fflush(stdout);
	}
	/* Ticks come every INTERVAL, or every 200 ms for SIGUSR1: print on schedule
	 * (1 ms early is on time: the loop's clock and ours are read apart). */
	if (!c->interval_ns || now + 1000000 < c->next_print_ns)
		return 0;
	while (c->next_print_ns <= now + 1000000)
		c->next_print_ns += c->interval_ns;
	err = sys_snap_read(&c->cur, &c->t, &c->a.opts);
	if (!err)
		err = sys_snap_delta(&c->delta, &c->cur, &c->prev);
	if (err) {
		c->err = err;
		return 1;
	}
	if (!c->cli->json)
		printf("\n%s: calls in the last %.3g s\n", trace_clock(now, clock),
		       (now - c->last_print_ns) / 1e9);
	print_rows(c, &c->delta, "interval", now);
	fflush(stdout);
	c->last_print_ns = now;
	{
		struct sys_snap tmp = c->prev;

		c->prev = c->cur;
		c->cur = tmp;
	}
	if (c->a.trace.count && ++c->printed >= c->a.trace.count)
		return 1;
	return 0;
}

/*
 * On stderr under -j too: the line says the programs are attached, which a script
 * starting a workload after the tracer can wait for.
 */
static void describe(struct sys_ctx *c, const struct child *ch)
{
	fprintf(stderr, "Tracing syscalls");
	if (c->a.trace.filter.cg_path[0]) {
		fprintf(stderr, " in ");
		text_put(stderr, c->a.trace.filter.cg_path, 0);
	} else if (ch->pid > 0) {
		fprintf(stderr, " of ");
		text_put(stderr, c->a.command[0], 0);
		fprintf(stderr, " (pid %d)", (int)ch->pid);
	} else if (c->a.trace.filter.tgid) {
		fprintf(stderr, " of pid %u", c->a.trace.filter.tgid);
	}
	fprintf(stderr, ", %s... %s.\n",
		c->a.opts.latency ? "timing each call" : "counting calls (-L times them)",
		ch->pid > 0 ? "Ends with it or on Ctrl-C" : "Ctrl-C to end");
}

static int run(struct sys_ctx *c, struct child *ch)
{
	struct mms_tracer_opts o = { 0 };
	struct mms_evloop_opts lopts;
	uint64_t now;
	int rc;

	o.syscalls = &c->a.opts;
	o.on_event = on_event;
	o.ctx = c;
	if (c->a.command) {
		struct sigaction sa = { .sa_handler = on_sigchld };

		sigemptyset(&sa.sa_mask);
		sigaction(SIGCHLD, &sa, NULL);
		if ((rc = child_start(c->cli, c->a.command, c->cli->json, ch)))
			return rc;
		c->a.trace.filter.tgid = (uint32_t)ch->pid;
	}
	rc = trace_open(c->cli, &c->a.trace, &o, mms_syscalls_tracer_open, &c->t);
	if (rc)
		return rc;
	c->view = (struct sys_view){ .cli = c->cli, .args = &c->a, .t = &c->t,
				     .paths = trace_cgroup_paths(c->cli) };
	if (c->a.opts.record_n) {
		struct sigaction sa = { .sa_handler = on_sigusr1 };

		sigemptyset(&sa.sa_mask);
		sigaction(SIGUSR1, &sa, NULL);
	}
	trace_stdout_setup();
	describe(c, ch);
	c->start_ns = c->last_print_ns = mms_monotonic_ns();
	if (c->a.command && (rc = child_release(c->cli, c->a.command, ch)))
		return rc;
	c->interval_ns = (uint64_t)(c->a.trace.interval * 1e9);
	c->next_print_ns = mms_monotonic_ns() + c->interval_ns;
	trace_loop_opts(&c->a.trace, &lopts, tick, c);
	/* Ticks also serve SIGUSR1 (--record): at least every 200 ms. */
	lopts.count = 0;
	if (c->a.opts.record_n && (!lopts.interval_ns || lopts.interval_ns > 200000000ull)) {
		/* A whole number of ticks per INTERVAL, so the rows stay on time. */
		uint64_t k = lopts.interval_ns ? (lopts.interval_ns + 199999999ull) / 200000000ull : 1;

		lopts.interval_ns = lopts.interval_ns ? lopts.interval_ns / k : 200000000ull;
	}
	rc = mms_evloop_run(&c->t.loop, &lopts);
	mms_links_destroy(&c->t.links); /* a closed window: the maps stay readable */
	/* What arrived before the detach. */
	if (c->t.loop.rb)
		ring_buffer__consume(c->t.loop.rb);
	now = mms_monotonic_ns();
	if (rc || c->err)
		return cli_fail(c->cli, EXIT_RUNTIME, "reading the tracer: %s",
				strerror(-(rc ? rc : c->err)));
	if (c->a.opts.record_n) {
		dump_requested = 0;
		mms_syscalls_read_records(&c->t, dump_one, c);
	}
	rc = sys_snap_read(&c->cur, &c->t, &c->a.opts);
	if (rc)
		return cli_fail(c->cli, EXIT_RUNTIME, "reading the counters: %s", strerror(-rc));
	if (!c->cli->json)
		printf("\nsummary over %.1f s:\n", (now - c->start_ns) / 1e9);
	print_rows(c, &c->cur, "summary", now);
	if (!c->cli->json) {
		struct mms_tracer_loss loss;
		char lost[1200];

		mms_tracer_loss(&c->t, &loss);
		loss.lost += mms_syscalls_overflow(&c->t);
		printf("%s\n", trace_loss_text(&loss, lost, sizeof(lost)));
	}
	return EXIT_DONE;
}

static int run_syscalls(struct cli *cli, int argc, char **argv)
{
	struct sys_ctx *c = calloc(1, sizeof(*c));
	struct child ch = { .pid = 0, .go = -1 };
	int rc;

	if (!c)
		return cli_fail(cli, EXIT_RUNTIME, "out of memory");
	c->cli = cli;
	rc = parse_args(cli, argc, argv, &c->a);
	if (!rc && !mms_host_is_live(&cli->host))
		rc = cli_fail(cli, EXIT_UNSUPPORTED,
			      "traces the running kernel with BPF: not possible under --root");
	if (!rc && c->a.trace.filter.tgid && kill((pid_t)c->a.trace.filter.tgid, 0) &&
	    errno == ESRCH)
		rc = cli_fail(cli, EXIT_USAGE, "-p %u: no such process", c->a.trace.filter.tgid);
	if (!rc)
		rc = run(c, &ch);
	child_stop(&ch);
	mms_tracer_close(&c->t);
	if (c->view.paths)
		mms_cgroup_paths_close(c->view.paths);
	sys_snap_free(&c->prev);
	sys_snap_free(&c->cur);
	sys_snap_free(&c->delta);
	free(c);
	return rc;
}
