// SPDX-License-Identifier: GPL-2.0
/*
 * The views of mmscope syscalls: the summary table (latencies per call in
 * microseconds: syscalls take from a hundred nanoseconds to seconds, and the
 * tracers' milliseconds would print most rows as 0.000; the total stays in ms),
 * its JSON (ns, as every JSON), -H histograms, slow calls and flight records.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cmd/syscalls/syscalls_cmd.h"
#include "lib/trace/sysargs.h"
#include "lib/trace/sysnames.h"
#include "output/view.h"

static const char *base_name(const char *name)
{
	const char *c = strchr(name, ':');

	return c ? c + 1 : name;
}

static const char *group_comm(struct sys_view *v, uint64_t tgid, char comm[16])
{
	if (mms_syscalls_comm(v->t, tgid, comm))
		snprintf(comm, 16, "?");
	return comm;
}

/* "ENOENT:100,EAGAIN:2" (largest first would need sorting: kernel order is fine). */
static const char *errnos_text(const struct sys_row *r, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (uint32_t i = 0; i < r->nerr && len < size; i++) {
		const char *name = mms_errno_name(r->errs[i].err);

		if (name)
			len += (size_t)snprintf(buf + len, size - len, "%s%s:%llu", i ? "," : "",
						name, (unsigned long long)r->errs[i].n);
		else
			len += (size_t)snprintf(buf + len, size - len, "%serrno_%u:%llu",
						i ? "," : "", r->errs[i].err,
						(unsigned long long)r->errs[i].n);
	}
	if (r->other_errs && len < size)
		snprintf(buf + len, size - len, "%sother:%llu", len ? "," : "",
			 (unsigned long long)r->other_errs);
	return buf[0] ? buf : "-";
}

static size_t shown(const struct sys_view *v, const struct sys_snap *s)
{
	return s->n < (size_t)v->args->trace.top ? s->n : (size_t)v->args->trace.top;
}

/* TOTAL(ms) MEAN P50 P99 MAX(us); "-" for a row without timed calls (exit). */
static void latency_cells(struct table *t, const struct sys_row *r)
{
	uint64_t timed = sys_row_timed(r);

	table_cell(t, "%.3f", r->s.total_ns / 1e6);
	if (!timed) {
		for (int k = 0; k < 4; k++)
			table_cell(t, "-");
		return;
	}
	table_cell(t, "%.3f", r->s.total_ns / 1e3 / (double)timed);
	table_cell(t, "%.3f", mms_sys_percentile(r->s.hist, r->s.max_ns, 50) / 1e3);
	table_cell(t, "%.3f", mms_sys_percentile(r->s.hist, r->s.max_ns, 99) / 1e3);
	table_cell(t, "%.3f", r->s.max_ns / 1e3);
}

void sys_view_table(struct sys_view *v, const struct sys_snap *s)
{
	const char *cols[16];
	enum mms_sys_group g = v->args->opts.group_by;
	bool mm = v->args->opts.mm_bytes, lat = v->args->opts.latency;
	struct table t;
	int n = 0;

	if (g == MMS_SYS_BY_PROCESS) {
		cols[n++] = "<COMM";
		cols[n++] = "PID";
	} else if (g == MMS_SYS_BY_CGROUP) {
		cols[n++] = "<CGROUP";
	}
	cols[n++] = "<SYSCALL";
	cols[n++] = "CALLS";
	cols[n++] = "ERRORS";
	if (lat) {
		cols[n++] = "TOTAL(ms)";
		cols[n++] = "MEAN(us)";
		cols[n++] = "P50(us)";
		cols[n++] = "P99(us)";
		cols[n++] = "MAX(us)";
	}
	if (mm)
		cols[n++] = "BYTES";
	cols[n++] = "<ERRNOS";
	table_init(&t, n, cols);
	for (size_t i = 0; i < shown(v, s); i++) {
		const struct sys_row *r = &s->v[i];
		char name[64], buf[512], comm[16];

		if (g == MMS_SYS_BY_PROCESS) {
			table_cell_text(&t, group_comm(v, r->group, comm));
			table_cell(&t, "%llu", (unsigned long long)r->group);
		} else if (g == MMS_SYS_BY_CGROUP) {
			table_cell_text(&t, trace_cgroup_name(v->paths, r->group, buf, sizeof(buf)));
		}
		table_cell(&t, "%s", mms_sys_slot_name(r->slot, name, sizeof(name)));
		table_cell(&t, "%llu", (unsigned long long)r->s.calls);
		table_cell(&t, "%llu", (unsigned long long)r->s.errors);
		if (lat)
			latency_cells(&t, r);
		if (mm)
			table_cell(&t, "%llu", (unsigned long long)r->s.bytes);
		table_cell(&t, "%s", errnos_text(r, buf, sizeof(buf)));
	}
	table_print(&t, stdout, "");
	table_free(&t);
	if (s->n > shown(v, s))
		printf("(%zu more rows: -n)\n", s->n - shown(v, s));
}

static void to_hist(const struct sys_row *r, struct mms_hist *h)
{
	memset(h, 0, sizeof(*h));
	for (int b = 0; b < MMS_SYS_BUCKETS; b++) {
		h->slots[b] = r->s.hist[b];
		h->count += r->s.hist[b];
	}
	h->sum = r->s.total_ns;
	h->max = r->s.max_ns;
	/* The smallest value is not kept: the bottom of the lowest bucket stands for it. */
	for (int b = 0; b < MMS_SYS_BUCKETS; b++) {
		if (r->s.hist[b]) {
			h->min = b ? 1ull << (b - 1) : 0;
			break;
		}
	}
}

static json_t *row_json(struct sys_view *v, const struct sys_row *r)
{
	enum mms_sys_group g = v->args->opts.group_by;
	char name[64], buf[512], comm[16];
	json_t *errs = json_object(), *o;
	uint64_t timed = sys_row_timed(r);

	for (uint32_t i = 0; i < r->nerr; i++) {
		const char *e = mms_errno_name(r->errs[i].err);

		if (!e) {
			snprintf(buf, sizeof(buf), "errno_%u", r->errs[i].err);
			e = buf;
		}
		json_object_set_new(errs, e, json_integer((json_int_t)r->errs[i].n));
	}
	if (r->other_errs)
		json_object_set_new(errs, "other", json_integer((json_int_t)r->other_errs));
	o = json_pack("{s:s,s:I,s:I,s:o}", "syscall", mms_sys_slot_name(r->slot, name, sizeof(name)),
		      "calls", (json_int_t)r->s.calls, "errors", (json_int_t)r->s.errors, "errnos",
		      errs);
	/* Without timing (no -L) the latency fields are there, and null. */
	json_object_update_new(o, v->args->opts.latency ?
		json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "timed_calls", (json_int_t)timed, "total_ns",
			  (json_int_t)r->s.total_ns, "mean_ns",
			  (json_int_t)(timed ? r->s.total_ns / timed : 0), "p50_ns",
			  (json_int_t)mms_sys_percentile(r->s.hist, r->s.max_ns, 50), "p99_ns",
			  (json_int_t)mms_sys_percentile(r->s.hist, r->s.max_ns, 99), "max_ns",
			  (json_int_t)r->s.max_ns) :
		json_pack("{s:n,s:n,s:n,s:n,s:n,s:n}", "timed_calls", "total_ns", "mean_ns",
			  "p50_ns", "p99_ns", "max_ns"));
	if (v->args->opts.mm_bytes)
		json_object_set_new(o, "bytes", json_integer((json_int_t)r->s.bytes));
	if (g == MMS_SYS_BY_PROCESS) {
		json_object_set_new(o, "pid", json_integer((json_int_t)r->group));
		json_object_set_new(o, "comm", json_text(group_comm(v, r->group, comm)));
	} else if (g == MMS_SYS_BY_CGROUP) {
		json_object_set_new(o, "cgroup",
				    json_text(trace_cgroup_name(v->paths, r->group, buf, sizeof(buf))));
		json_object_set_new(o, "cgroup_id", json_integer((json_int_t)r->group));
	}
	if (v->args->trace.hist) {
		struct mms_hist h;

		to_hist(r, &h);
		json_object_set_new(o, "hist", hist_json(&h));
	}
	return o;
}

json_t *sys_view_json(struct sys_view *v, const struct sys_snap *s)
{
	json_t *a = json_array();

	for (size_t i = 0; i < shown(v, s); i++)
		json_array_append_new(a, row_json(v, &s->v[i]));
	return a;
}

void sys_view_hists(struct sys_view *v, const struct sys_snap *s)
{
	for (size_t i = 0; i < shown(v, s); i++) {
		const struct sys_row *r = &s->v[i];
		char name[64], title[400], cg[256], comm[16];
		struct mms_hist h;

		if (!sys_row_timed(r))
			continue;
		to_hist(r, &h);
		mms_sys_slot_name(r->slot, name, sizeof(name));
		if (v->args->opts.group_by == MMS_SYS_BY_PROCESS)
			snprintf(title, sizeof(title), "\n%s latency, %s pid %llu", name,
				 group_comm(v, r->group, comm), (unsigned long long)r->group);
		else if (v->args->opts.group_by == MMS_SYS_BY_CGROUP)
			snprintf(title, sizeof(title), "\n%s latency, cgroup %s", name,
				 trace_cgroup_name(v->paths, r->group, cg, sizeof(cg)));
		else
			snprintf(title, sizeof(title), "\n%s latency", name);
		hist_print(&h, title, stdout);
	}
}

/* One call as text: "name(args) = ret" (the slot names compat calls). */
static void call_text(const struct mms_sys_call *c, char *buf, size_t size)
{
	char name[64], args[400], ret[64];

	mms_sys_slot_name(c->slot, name, sizeof(name));
	mms_sys_args_format(base_name(name), c->args, args, sizeof(args));
	mms_sys_ret_format(base_name(name), c->ret, ret, sizeof(ret));
	snprintf(buf, size, "%s(%s) = %s", name, args, ret);
}

static json_t *call_json(const struct mms_sys_call *c)
{
	char name[64], args[400], ret[64];
	json_t *o;

	mms_sys_slot_name(c->slot, name, sizeof(name));
	o = json_pack("{s:I,s:s,s:I,s:s,s:I,s:o}", "ts_ns", (json_int_t)c->ts_ns, "syscall",
		      name, "ret", (json_int_t)c->ret, "result",
		      mms_sys_ret_format(base_name(name), c->ret, ret, sizeof(ret)), "latency_ns",
		      (json_int_t)c->latency_ns, "args", json_array());
	for (int i = 0; i < 6; i++)
		json_array_append_new(json_object_get(o, "args"), json_integer((json_int_t)c->args[i]));
	json_object_set_new(o, "decoded",
			    json_string(mms_sys_args_format(base_name(name), c->args, args,
							    sizeof(args))));
	return o;
}

void sys_view_slow(struct sys_view *v, const struct mms_sys_event *e)
{
	char cg[256], clock[16], comm[TEXT_ESC_SIZE(16)], call[600];
	struct tline *l = &v->line;

	trace_cgroup_name(v->paths, e->cgroup_id, cg, sizeof(cg));
	if (v->cli->json) {
		json_t *o = call_json(&e->call);

		json_object_set_new(o, "type", json_string("slow"));
		json_object_set_new(o, "comm", json_textn(e->comm, strnlen(e->comm, 16)));
		json_object_set_new(o, "pid", json_integer(e->tgid));
		json_object_set_new(o, "tid", json_integer(e->pid));
		json_object_set_new(o, "cgroup", json_text(cg));
		json_object_set_new(o, "cgroup_id", json_integer((json_int_t)e->cgroup_id));
		trace_json_event(o);
		return;
	}
	if (!v->slow_header) {
		printf("%-8s %-16s %7s %7s %10s  %-20s %s\n", "TIME", "COMM", "PID", "TID",
		       "LAT(ms)", "CGROUP", "CALL");
		v->slow_header = true;
	}
	l->len = 0;
	tline_str(l, trace_clock(e->call.ts_ns, clock), -8);
	tline_str(l, " ", 0);
	text_escn(e->comm, strnlen(e->comm, 16), comm, sizeof(comm));
	tline_str(l, comm, -16);
	tline_str(l, " ", 0);
	tline_s64(l, e->tgid, 7);
	tline_str(l, " ", 0);
	tline_s64(l, e->pid, 7);
	tline_str(l, " ", 0);
	tline_ms(l, e->call.latency_ns, 10);
	tline_str(l, "  ", 0);
	{
		char esc[TEXT_ESC_SIZE(sizeof(cg))];

		tline_str(l, text_esc(cg, esc, sizeof(esc)), -20);
	}
	tline_str(l, " ", 0);
	call_text(&e->call, call, sizeof(call));
	tline_str(l, call, 0);
	tline_put(l, stdout);
}

void sys_view_record(struct sys_view *v, const struct mms_sys_record *r, const char *why)
{
	uint32_t n = v->args->opts.record_n;
	uint64_t first = r->n > n ? r->n - n : 0;
	char comm[TEXT_ESC_SIZE(16)], call[600];

	if (v->cli->json) {
		json_t *calls = json_array();
		json_t *o;

		for (uint64_t i = first; i < r->n; i++)
			json_array_append_new(calls, call_json(&r->ring[i % n]));
		o = json_pack("{s:s,s:s,s:I,s:I,s:o,s:I,s:o}", "type", "record", "reason", why,
			      "pid", (json_int_t)r->tgid, "tid", (json_int_t)r->pid, "comm",
			      json_textn(r->comm, strnlen(r->comm, 16)), "recorded",
			      (json_int_t)r->n, "calls", calls);
		if (r->exit_signal) {
			const char *sig = sigabbrev_np(r->exit_signal);

			json_object_set_new(o, "signal", sig ? json_pack("s+", "SIG", sig)
							    : json_integer(r->exit_signal));
		}
		trace_json_event(o);
		return;
	}
	text_escn(r->comm, strnlen(r->comm, 16), comm, sizeof(comm));
	printf("flight record (%s) of tid %u, pid %u%s%s: last %llu of %llu calls\n", why, r->pid,
	       r->tgid, comm[0] ? ", " : "", comm,
	       (unsigned long long)(r->n - first), (unsigned long long)r->n);
	for (uint64_t i = first; i < r->n; i++) {
		const struct mms_sys_call *c = &r->ring[i % n];

		call_text(c, call, sizeof(call));
		printf("  %12.3f ms  %s\n", c->latency_ns / 1e6, call);
	}
}
