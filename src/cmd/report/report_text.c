// SPDX-License-Identifier: GPL-2.0
/*
 * The report on one screen: 80 columns, findings first (worst first, each with
 * the command to run next), then the figures behind them: memory, zones, THP,
 * rates, PSI, who stalled, extfrag, OOM kills, the top cgroups. Every name the
 * kernel or a user chose (comm, cgroup) is escaped (text_esc) and cut to its
 * column. Colour marks the severities on a terminal only (report.c decides).
 */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "cmd/report/report.h"
#include "output/view.h"

#define WIDTH 80
#define INDENT 11 /* where the text of a finding or a section starts */

static const char *sev_colour(enum mms_severity s, bool colour)
{
	if (!colour)
		return "";
	return s == MMS_CRITICAL ? "\033[1;31m" : s == MMS_WARNING ? "\033[33m" : "\033[36m";
}

/*
 * s escaped and word-wrapped to WIDTH, continuation lines indented by INDENT;
 * the first line starts at column col.
 */
static void wrap(const char *s, int col)
{
	char esc[TEXT_ESC_SIZE(512)];
	const char *p = text_esc(s, esc, sizeof(esc));

	while (*p) {
		int room = WIDTH - col, n = 0, brk = -1, w = 0;

		/* Count printed characters (UTF-8 lead bytes) up to the room left. */
		for (n = 0; p[n]; n++) {
			if (((unsigned char)p[n] & 0xc0) != 0x80)
				w++;
			if (w > room)
				break;
			if (p[n] == ' ')
				brk = n;
		}
		if (!p[n])
			brk = n;
		else if (brk <= 0)
			brk = n; /* one word longer than the line: cut it */
		fwrite(p, 1, (size_t)brk, stdout);
		putchar('\n');
		p += brk;
		while (*p == ' ')
			p++;
		if (*p)
			printf("%*s", INDENT, "");
		col = INDENT;
	}
}

static void print_header(const struct report *r)
{
	struct utsname u;

	char line[512];
	size_t len;

	if (r->in.vmstat_start)
		len = (size_t)snprintf(line, sizeof(line), "mmscope report: Linux %s, window %.1f s",
				       uname(&u) ? "?" : u.release, r->in.window_s);
	else
		len = (size_t)snprintf(line, sizeof(line),
				       "mmscope report: recorded files (--root), one sample");
	if (r->attached[0] && len < sizeof(line))
		snprintf(line + len, sizeof(line) - len, "; traced %s", r->attached);
	wrap(line, 0);
	for (int i = 0; i < r->nr_left; i++) {
		snprintf(line, sizeof(line), "left out %s: %s", r->left[i].what, r->left[i].why);
		wrap(line, 0);
	}
}

static void print_findings(const struct report *r, bool colour)
{
	int n[3] = { 0 };

	for (int i = 0; i < r->nr_findings; i++)
		n[r->findings[i].severity]++;
	if (!r->nr_findings) {
		printf("\nfindings   none: no memory problem seen\n");
		return;
	}
	printf("\nfindings   %d critical, %d warning, %d info\n", n[MMS_CRITICAL],
	       n[MMS_WARNING], n[MMS_INFO]);
	for (int i = 0; i < r->nr_findings; i++) {
		const struct mms_finding *f = &r->findings[i];

		printf("  %s%-8s%s ", sev_colour(f->severity, colour),
		       mms_severity_name(f->severity), colour ? "\033[0m" : "");
		wrap(f->text, INDENT);
		if (f->next[0]) {
			printf("%*snext: ", INDENT, "");
			wrap(f->next, INDENT + 6);
		}
	}
}

static void print_counters(const struct report *r)
{
	uint64_t v;
	char a[16];
	static const char *const mem[][2] = {
		{ "MemTotal", "total" },     { "MemAvailable", "available" }, { "MemFree", "free" },
		{ "Cached", "page cache" },  { "AnonPages", "anon" },	      { "Shmem", "shmem" },
		{ "Slab", "slab" },	     { "AnonHugePages", "anon THP" }, { "Dirty", "dirty" },
		{ "SwapTotal", "swap" },     { "SwapFree", "swap free" },
	};

	printf("\nmemory    ");
	for (size_t i = 0; i < sizeof(mem) / sizeof(mem[0]); i++) {
		if (i == 5)
			printf("\n          ");
		if (mms_kv_get(r->in.meminfo, mem[i][0], &v))
			printf(" %s %s", mem[i][1], fmt_bytes(v, a));
	}
	char zones[1024];
	size_t len = (size_t)snprintf(zones, sizeof(zones), "(THP unusable index)");

	for (int z = 0; z < r->frag.buddy.nr_zones && len < sizeof(zones); z++) {
		const struct mms_zone_verdict *zv = &r->frag.verdict[z];

		len += (size_t)snprintf(zones + len, sizeof(zones) - len, " %d/%s %s",
					r->frag.buddy.zones[z].node, r->frag.buddy.zones[z].zone,
					mms_frag_verdict_name(zv->verdict));
		if (zv->verdict == MMS_ZONE_FRAGMENTED && len < sizeof(zones))
			len += (size_t)snprintf(zones + len, sizeof(zones) - len, "@%d", zv->order);
		if (len < sizeof(zones))
			len += (size_t)snprintf(zones + len, sizeof(zones) - len, " %.3f%s",
						zv->thp_unusable / 1000.0,
						z + 1 < r->frag.buddy.nr_zones ? "," : "");
	}
	printf("\nzones      ");
	wrap(zones, INDENT);
	if (r->thp.present)
		printf("thp        enabled %s, defrag %s, shmem %s\n", r->thp.enabled, r->thp.defrag,
		       r->thp.shmem_enabled[0] ? r->thp.shmem_enabled : "-");
	printf("per second ");
	if (!r->in.vmstat_start) {
		printf("(no rates: one vmstat sample under --root)\n");
	} else {
		len = 0;
		zones[0] = '\0';
		for (int i = 0; i < report_nr_rate_names && len < sizeof(zones); i++) {
			double x;

			if (report_rate(r, report_rate_names[i], &x))
				len += (size_t)snprintf(zones + len, sizeof(zones) - len, "%s%s=%.0f",
							len ? " " : "", report_rate_names[i], x);
		}
		wrap(zones, INDENT);
	}
	if (r->have_psi)
		printf("psi        some %.2f/%.2f/%.2f%%, full %.2f/%.2f/%.2f%% (avg10/60/300)",
		       r->psi.some.avg10, r->psi.some.avg60, r->psi.some.avg300, r->psi.full.avg10,
		       r->psi.full.avg60, r->psi.full.avg300);
	else
		printf("psi        unavailable (%s)", r->psi_missing);
	putchar('\n');
}

/* A name escaped and cut to cols printed characters, padded on the right. */
static void cell(const char *s, int cols)
{
	char esc[TEXT_ESC_SIZE(256)];
	int w;

	text_esc(s, esc, sizeof(esc));
	w = text_cut(esc, cols);
	printf("%s%*s", esc, cols - w, "");
}

static void print_stalls(const struct report *r)
{
	static const char *const kinds[MMS_STALL_KINDS] = { "direct", "memcg", "compact" };
	uint64_t n[MMS_STALL_KINDS] = { 0 }, ns[MMS_STALL_KINDS] = { 0 };
	int shown = 0;

	if (!r->win.traced)
		return;
	for (int i = 0; i < r->win.nr_stalls; i++)
		if (r->stalls[i].pid) {
			n[r->stalls[i].kind] += r->stalls[i].count;
			ns[r->stalls[i].kind] += r->stalls[i].total_ns;
		}
	char line[512];
	size_t len;

	snprintf(line, sizeof(line), "direct reclaim %llu (%.1f ms), memcg reclaim %llu (%.1f ms), "
		 "direct compaction %llu (%.1f ms); kswapd %llu runs, %.1f ms%s",
		 (unsigned long long)n[0], ns[0] / 1e6, (unsigned long long)n[1], ns[1] / 1e6,
		 (unsigned long long)n[2], ns[2] / 1e6, (unsigned long long)r->win.kswapd_runs,
		 r->win.kswapd_ns / 1e6, r->trace_lost ? "; some events lost" : "");
	printf("\nstalls     ");
	wrap(line, INDENT);
	for (int i = 0; i < r->win.nr_stalls && shown < 5; i++) {
		const struct mms_report_stall *s = &r->stalls[i];

		if (!s->pid)
			continue;
		if (!shown++)
			printf("  %-7s %-15s %7s %-20s %6s %7s %7s\n", "KIND", "COMM", "PID",
			       "CGROUP", "STALLS", "P99(ms)", "MAX(ms)");
		printf("  %-7s ", kinds[s->kind]);
		cell(s->comm, 15);
		printf(" %7u ", s->pid);
		cell(s->cgroup, 20);
		printf(" %6llu %7.1f %7.1f\n", (unsigned long long)s->count, s->p99_ns / 1e6,
		       s->max_ns / 1e6);
	}
	if (r->win.extfrag_events) {
		len = (size_t)snprintf(line, sizeof(line), "%llu fallbacks, %llu fragmenting:",
				       (unsigned long long)r->win.extfrag_events,
				       (unsigned long long)r->win.extfrag_fragmenting);
		for (int i = 0; i < r->nr_extfrag_kinds && i < 3 && len < sizeof(line); i++)
			len += (size_t)snprintf(line + len, sizeof(line) - len, "%s %s<-%s %llu",
						i ? "," : "", r->extfrag[i].alloc,
						r->extfrag[i].fallback,
						(unsigned long long)r->extfrag[i].events);
		printf("extfrag    ");
		wrap(line, INDENT);
	}
}

static void print_ooms(const struct report *r)
{
	if (!r->in.vmstat_start)
		printf("oom kills  %llu since boot\n", (unsigned long long)r->oom_kill_boot);
	else
		printf("oom kills  %llu in the window, %llu since boot\n",
		       (unsigned long long)r->win.oom_kills, (unsigned long long)r->oom_kill_boot);
}

static void print_cgroups(const struct report *r)
{
	char u[16], l[16];

	if (!r->cg_version)
		return;
	char line[512];

	snprintf(line, sizeof(line), "%d under %s (v%d, %s)%s", r->nr_cgroups_seen, r->cg_root,
		 r->cg_version, r->cg_backend, r->win.nr_cgroups ? "; the top ones:" : "");
	printf("cgroups    ");
	wrap(line, INDENT);
	if (!r->win.nr_cgroups)
		return;
	printf("  %-24s %6s %6s %4s %6s %8s %8s %6s\n", "CGROUP", "USAGE", "LIMIT", "USE%",
	       "STALLS", "SCANNED", "REFAULTS", "EVENTS");
	for (int i = 0; i < r->win.nr_cgroups; i++) {
		const struct mms_report_cgroup *c = &r->cgroups[i];
		bool lim = c->limit != MMS_MEMCG_UNLIMITED && c->limit;

		printf("  ");
		cell(c->path, 24);
		printf(" %6s %6s ", fmt_bytes(c->usage, u), lim ? fmt_bytes(c->limit, l) : "-");
		if (lim)
			printf("%4.0f", 100.0 * (double)c->usage / (double)c->limit);
		else
			printf("%4s", "-");
		printf(" %6llu", (unsigned long long)mms_report_memcg_stalls(&r->win, c->path));
		printf(" %8llu %8llu %6llu\n", (unsigned long long)c->pgscan_d,
		       (unsigned long long)c->refaults_d,
		       (unsigned long long)(c->high_d + c->max_d + c->oom_kill_d));
	}
}

static void print_alloc(const struct report *r)
{
	if (!r->alloc_read)
		return;
	printf("kernel mem %s\n", r->win.nr_alloc_sites ? "call sites that grew most:" :
	       "no call site grew (allocinfo)");
	for (int i = 0; i < r->win.nr_alloc_sites; i++) {
		printf("  +%-9lld KiB ", (long long)(r->alloc[i].growth >> 10));
		cell(r->alloc[i].site, WIDTH - 17);
		putchar('\n');
	}
}

void report_print_text(const struct report *r, bool colour)
{
	print_header(r);
	print_findings(r, colour);
	print_counters(r);
	print_stalls(r);
	print_ooms(r);
	print_cgroups(r);
	print_alloc(r);
}
